"""The boundary editor's state in the URL: `/boundaries?c=<community code>&draft=<id>&lang=en`.
Parsing never fails: unknown values are left out."""

from urllib.parse import parse_qs, urlencode

from dashboard.i18n import LANGUAGES

PATH = "/boundaries"


def on_page(pathname: str | None) -> bool:
    return (pathname or "").rstrip("/").endswith(PATH)


def parse(search: str | None) -> dict:
    """c (community code), draft (id) and lang from the query string; never fails."""
    raw = {key: values[-1][:40] for key, values in parse_qs((search or "").lstrip("?")).items()}
    draft = raw.get("draft", "")
    return {
        "c": raw.get("c", "").strip() or None,
        "draft": int(draft) if draft.isdigit() else None,
        "lang": raw.get("lang") if raw.get("lang") in LANGUAGES else "zh",
    }


def build(state: dict, lang: str) -> str:
    """The query string of a state (c, draft) in `lang`."""
    values = {key: state[key] for key in ("c", "draft") if state.get(key)}
    if lang != "zh":
        values["lang"] = lang
    return "?" + urlencode(values)
