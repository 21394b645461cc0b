"""The page state lives in the URL, so a link can be shared and the back button works:
`?u=<unit code>&from=&to=&cat=&src=&st=&layers=&m=&lang=`. Parsing never fails: unknown
values fall back to the defaults."""

from urllib.parse import parse_qs, urlencode

from dashboard.i18n import LANGUAGES

METRICS = ("risk", "cases", "persons")
LAYERS = ("heat", "cases", "places", "cameras", "centres")
FILTER_KEYS = ("from", "to", "cat", "src", "st")
MAX_VALUE_CHARS = 2000


def parse_search(search: str | None) -> dict:
    """The state in a URL query string: unit (code or None), filter (raw values by
    FILTER_KEYS), layers (tuple), metric, lang."""
    raw = {key: values[-1][:MAX_VALUE_CHARS] for key, values in parse_qs((search or "").lstrip("?")).items()}
    layers = tuple(layer for layer in LAYERS if layer in (raw.get("layers") or "").split(","))
    return {
        "unit": (raw.get("u") or "").strip() or None,
        "filter": {key: raw[key] for key in FILTER_KEYS if raw.get(key)},
        "layers": layers,
        "metric": raw.get("m") if raw.get("m") in METRICS else "risk",
        "lang": raw.get("lang") if raw.get("lang") in LANGUAGES else "zh",
    }


def build_search(state: dict) -> str:
    """The URL query string of a state (defaults left out)."""
    values = {}
    if state.get("unit"):
        values["u"] = state["unit"]
    values.update({key: value for key, value in (state.get("filter") or {}).items() if value})
    if state.get("layers"):
        values["layers"] = ",".join(state["layers"])
    if state.get("metric", "risk") != "risk":
        values["m"] = state["metric"]
    if state.get("lang", "zh") != "zh":
        values["lang"] = state["lang"]
    return "?" + urlencode(values, safe=",") if values else ""


def with_unit(search: str | None, code: str | None) -> str:
    """The same state drilled to another unit."""
    state = parse_search(search)
    state["unit"] = code
    return build_search(state) or "?"
