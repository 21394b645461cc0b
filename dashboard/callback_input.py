"""Every callback request checked before Dash or a callback reads it.

A `/_dash-update-component` body is parsed here, safely (too deep or broken JSON is refused,
not a RecursionError), and must be the envelope Dash's renderer sends for that callback: its
`inputs` and `state` in the registered order, its `outputs`, `changedPropIds` naming its
inputs. Each value is then checked against the rule of its component property in `RULES`
(types, lengths, dates); a property without a rule is refused, and a test keeps every
server-side callback's inputs covered. Whatever fails is answered 400 with no detail. The
callbacks can therefore rely on the types they declare.

Example:
    >>> body = read_body()                    # None: not JSON, or nested too deep
    >>> problem = check_body(app.callback_map, body)   # None when the request may go on
"""

import datetime as dt
import math
import re

import flask

from dashboard.i18n import LANGUAGES
from dashboard.pages.cross_filter import CLICKED_IDS
from geo.loop.photos import MAX_BYTES, MAX_PHOTOS
from geo.shared.code_scheme import CODE_MAX

MAX_TEXT = 2000
# A photo as dcc.Upload sends it: a data: URL, base64 (4 characters for 3 bytes) after its header.
PHOTO_URL_CHARS = 4 * -(-MAX_BYTES // 3) + 100
MAX_ITEMS = 5000
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(T[0-9:.]{2,15}([+-][0-9:]{2,6}|Z)?)?")


def read_body() -> dict | None:
    """The request's JSON body as a dict (cached for Dash), or None when it is not one. JSON
    nested deeper than the parser's recursion limit is refused here; below it, nothing walks
    a value recursively (the rules are typed, and the free-form ones iterate)."""
    try:
        body = flask.request.get_json(silent=True)
    except RecursionError:
        return None
    return body if isinstance(body, dict) else None


def bad_request() -> flask.Response:
    """The answer to any malformed callback request: 400 and nothing about why."""
    return flask.Response("bad request", status=400, mimetype="text/plain")


def check_body(callback_map: dict, body: dict) -> str | None:
    """What is wrong with a callback request `body` for the callbacks in `callback_map`
    (None: nothing); for the server's log only, never for the client."""
    callback = callback_map.get(body.get("output")) if isinstance(body.get("output"), str) else None
    if callback is None or "callback" not in callback:  # a client-side callback runs in the browser
        return "no such server-side callback"
    expected_outputs = _output_count(body["output"])
    outputs = body.get("outputs")
    if expected_outputs == 1 and not isinstance(outputs, dict | list):
        return "outputs"
    if expected_outputs > 1 and not (isinstance(outputs, list) and len(outputs) == expected_outputs):
        return "outputs"
    inputs, state = body.get("inputs"), body.get("state", [] if not callback["state"] else None)
    problem = _check_values(callback["inputs"], inputs, "inputs") or _check_values(callback["state"], state, "state")
    return problem or _check_changed(body.get("changedPropIds", []), callback["inputs"])


def _output_count(output_key: str) -> int:
    """How many outputs a callback's key names: `..a.x...b.y..` is two, `a.x` one."""
    return len(output_key[2:-2].split("...")) if output_key.startswith("..") else 1


def _check_values(specs: list[dict], items, part: str) -> str | None:
    if not isinstance(items, list) or len(items) != len(specs):
        return part
    for spec, item in zip(specs, items, strict=True):
        if not isinstance(item, dict) or item.get("id") != spec["id"] or item.get("property") != spec["property"]:
            return f"{part}: {spec['id']}.{spec['property']}"
        rule = RULES.get((spec["id"], spec["property"]))
        if rule is None or not rule(item.get("value")):
            return f"{part}: {spec['id']}.{spec['property']} value"
    return None


def _check_changed(changed, specs: list[dict]) -> str | None:
    names = {f"{spec['id']}.{spec['property']}" for spec in specs}
    if not isinstance(changed, list) or not all(isinstance(name, str) and name in names for name in changed):
        return "changedPropIds"
    return None


# ---------------------------------------------------------------- rules for single values
def text(limit: int = MAX_TEXT):
    """None or a string of at most `limit` characters without NUL (PostgreSQL refuses NUL)."""
    return lambda v: v is None or (isinstance(v, str) and len(v) <= limit and "\x00" not in v)


def between(low: int, high: int):
    """A whole number from `low` to `high` (never None, never a boolean)."""
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def count(v) -> bool:
    """None or a whole number >= 0 (clicks, timer ticks, revisions)."""
    return v is None or between(0, 2**31)(v)


def number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def date(v) -> bool:
    """None or an ISO date `YYYY-MM-DD` that exists, perhaps with a time of day (a date
    picker's value)."""
    return v is None or (isinstance(v, str) and ISO_DATE.fullmatch(v[:10]) is not None and moment(v))


def moment(v) -> bool:
    """An ISO date or date and time that exists."""
    return isinstance(v, str) and ISO_DATETIME.fullmatch(v) is not None and _parses(dt.datetime, v)


def language(v) -> bool:
    return v is None or v in LANGUAGES


def listing(rule):
    """None or a list of at most MAX_ITEMS values, none of them None, each passing `rule`."""
    return lambda v: (
        v is None or (isinstance(v, list) and len(v) <= MAX_ITEMS and all(x is not None and rule(x) for x in v))
    )


def texts(limit: int = 200):
    """None or a list of strings (a multi-select's value)."""
    return listing(text(limit))


def record(required: dict, optional: dict | None = None):
    """None or a dict with every key of `required` and only keys of either, each value
    passing its rule."""
    rules = {**required, **(optional or {})}
    return lambda v: (
        v is None
        or (
            isinstance(v, dict)
            and required.keys() <= v.keys()
            and all(k in rules and rules[k](x) for k, x in v.items())
        )
    )


def points(v) -> bool:
    """None or a list of [lon, lat] pairs (a drawn line or ring)."""
    return v is None or (isinstance(v, list) and len(v) <= MAX_ITEMS and all(_pair(p) for p in v))


def any_json(v) -> bool:
    """Data that only the browser draws or the callback passes back untouched: no NUL in any
    of its strings."""
    return not _has_nul(v)


def _pair(v) -> bool:
    return isinstance(v, list) and len(v) == 2 and all(number(x) for x in v)


def _parses(kind, value: str) -> bool:
    try:
        kind.fromisoformat(value)
    except ValueError:
        return False
    return True


def _has_nul(value) -> bool:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str) and "\x00" in current:
            return True
        if isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False


def _int_or_none(v) -> bool:
    return v is None or (isinstance(v, int) and not isinstance(v, bool))


CODE = text(CODE_MAX)  # any identifier a city numbers with (geo/shared/code_scheme.py)
NAME = text(100)
QUERY = record(
    {"start": date, "end": date},
    {"categories": texts(), "sources": texts(), "states": texts(), "layers": texts(), "metric": text(20)},
)
WALL_CONFIG = record(
    {"scope": CODE, "tour_s": between(0, 3600), "poll_ms": between(1, 60_000), "lang": language},
    {"timezone": text(64)},
)
WALL_LIVE = record(
    {},
    {
        "seen_at": moment,
        "loaded_at": moment,
        "shown_at": text(20),
        "scope": CODE,
        "recent": lambda v: isinstance(v, list) and len(v) <= 100_000 and all(_int_or_none(x) for x in v),
        "ticker": lambda v: isinstance(v, list) and any_json(v),
        "ticker_shown": lambda v: isinstance(v, list) and any_json(v),
    },
)
FEATURES = record({"features": lambda v: isinstance(v, list)}, {"type": text(40)})
BOUNDARY_STATE = record({}, {"c": CODE, "draft": _int_or_none})
# assets/boundaries.js writes it: the dragged vertex or edge, and when (ms since 1970).
DRAG = record({}, {"kind": text(20), "a": _pair, "b": _pair, "delta": _pair, "from": _pair, "to": _pair, "at": number})
OPTIONS = listing(record({"label": text(), "value": CODE}))


def chart_click(v) -> bool:
    """A chart's clickData: its points (one, for a bar), each with a few plain values."""
    if v is None:
        return True
    if not isinstance(v, dict):
        return False
    points = v.get("points")
    return set(v) <= {"points", "timestamp"} and isinstance(points, list) and len(points) <= 10 and any_json(v)


# (component id, property) -> rule, for every input and state of a server-side callback.
RULES = {
    # the page frame and the safety map
    ("url", "pathname"): text(),
    ("url", "search"): text(),
    ("f-dates", "start_date"): date,
    ("f-dates", "end_date"): date,
    ("f-cat", "value"): texts(),
    ("f-src", "value"): texts(),
    ("f-st", "value"): texts(),
    ("f-metric", "value"): text(20),
    ("f-layers", "value"): texts(),
    ("f-lang", "value"): language,
    ("unit-store", "data"): text(),  # a code from the address: an unknown one gets a message
    ("query-store", "data"): QUERY,
    ("map-drawn", "data"): text(),
    ("lang-store", "data"): language,
    ("bnd-keep", "data"): BOUNDARY_STATE,
    ("kpr-export", "n_clicks"): count,
    ("quality-summary", "n_clicks"): count,
    ("map-search", "value"): text(100),
    ("time-week", "value"): lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool) and -60 <= v <= 0),
    # cross-filtering (dashboard/pages/cross_filter.py): charts' clicks, key figures, chips
    ("category-chart", "clickData"): chart_click,
    ("trend-chart", "clickData"): chart_click,
    **{(key, "n_clicks"): count for key in CLICKED_IDS},
    # the boundary editor
    ("bnd-url", "search"): text(),
    ("bnd-url", "pathname"): text(),
    ("bnd-community", "value"): CODE,
    ("bnd-community", "options"): OPTIONS,
    ("bnd-state", "data"): BOUNDARY_STATE,
    ("bnd-c", "data"): CODE,
    ("bnd-lang", "data"): language,
    ("bnd-rev", "data"): count,
    ("bnd-grid", "value"): CODE,
    ("bnd-target", "value"): CODE,
    ("bnd-points", "data"): points,
    ("bnd-chosen", "data"): listing(count),
    ("bnd-drag", "data"): DRAG,
    ("bnd-name", "value"): NAME,
    ("bnd-code", "value"): CODE,
    ("bnd-xtype", "value"): CODE,
    ("bnd-reason", "value"): text(500),
    ("bnd-asof-date", "date"): date,
    ("bnd-asof-time", "value"): text(20),  # unreadable: as_of() ignores it
    ("bnd-committed", "data"): any_json,
    **{
        (f"bnd-do-{name}", "n_clicks"): count
        for name in ("split", "merge", "remove", "exclusive", "move", "rename", "recode")
    },
    ("bnd-undo", "n_clicks"): count,
    ("bnd-open", "n_clicks"): count,
    ("bnd-discard", "n_clicks"): count,
    ("bnd-commit", "n_clicks"): count,
    # the dispatch desk
    ("desk-url", "search"): text(),
    ("desk-view", "value"): text(20),
    # the league table
    ("league-period", "value"): lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)),
    ("league-sort", "value"): text(20),
    ("desk-group", "value"): CODE,
    ("desk-search", "value"): text(100),
    ("desk-tick", "n_intervals"): count,
    ("desk-rev", "data"): count,
    ("desk-lang", "data"): language,
    ("desk-seen", "data"): record({"id": between(1, 2**62), "version": between(1, 2**31), "code": CODE}),
    ("desk-departments", "data"): OPTIONS,
    ("desk-note", "value"): text(2000),
    ("desk-kind", "value"): text(20),
    ("desk-to", "value"): CODE,
    ("desk-partners", "value"): texts(),
    ("desk-outcome", "value"): text(20),
    ("desk-satisfied", "value"): text(5),
    ("desk-method", "value"): text(10),
    ("desk-into", "value"): CODE,
    ("desk-into-code", "value"): text(60),
    ("desk-keep", "data"): record({}, {"case": CODE}),
    **{
        (f"desk-do-{name}", "n_clicks"): count
        for name in (
            "dispatch",
            "take",
            "report_back",
            "return",
            "redo",
            "verify",
            "close",
            "call_back",
            "reopen",
            "merge",
            "escalate",
        )  # fmt: skip
    },
    # the grid worker's phone page
    ("m-url", "search"): text(),
    ("m-lang", "data"): language,
    ("m-rev", "data"): count,
    ("m-visit-rev", "data"): count,
    ("m-tick", "n_intervals"): count,
    ("m-seen", "data"): record({"id": between(1, 2**62), "version": between(1, 2**31), "code": CODE}),
    ("m-note", "value"): text(2000),
    ("m-outcome", "value"): text(20),
    ("m-photos", "contents"): lambda v: (
        v is None
        or (
            isinstance(v, list)
            and len(v) <= MAX_PHOTOS
            and all(isinstance(x, str) and text(PHOTO_URL_CHARS)(x) for x in v)
        )
    ),
    ("m-photos", "filename"): listing(text(200)),
    ("m-category", "value"): CODE,
    ("m-summary", "value"): text(2000),
    ("m-position", "data"): record(
        {}, {"lon": number, "lat": number, "accuracy": lambda v: v is None or number(v), "error": text(200)}
    ),
    ("m-address", "value"): text(300),
    ("m-visit-target", "value"): text(40),
    ("m-visit-note", "value"): text(500),
    **{(f"m-do-{name}", "n_clicks"): count for name in ("take", "report_back", "return")},
    ("m-locate", "n_clicks"): count,
    ("m-submit", "n_clicks"): count,
    ("m-visit", "n_clicks"): count,
    # the wall screen
    ("wall-url", "search"): text(),
    ("wall-config", "data"): WALL_CONFIG,
    ("wall-live", "data"): WALL_LIVE,
    ("wall-rev", "data"): count,
    ("wall-tour-mark", "data"): lambda v: v is None or moment(v),
    ("wall-areas", "data"): FEATURES,
    ("wall-poll", "n_intervals"): count,
    ("wall-nudge", "data"): count,
    ("wall-figures-tick", "n_intervals"): count,
    ("wall-tour", "n_intervals"): count,
}
