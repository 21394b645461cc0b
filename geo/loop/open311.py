"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): other systems (the 12345
hotline, a police platform) post cases and follow their status.

- services: the catalogue's categories (public, like any service catalogue).
- POST requests: with the source's API key (`python -m geo intake add-source`); the case is
  received as 受理 and placed at once, as the phone page's are. Missing or wrong fields, an
  unknown service code, coordinates outside China: 400 with the reason; a wrong key: 403.
- GET requests: with the key, the source's own requests (at most 1,000, the last 90 days by
  default); without it, only the requests whose ids are given (the ids are random: whoever
  holds one posted it), and then only their status, never the text or the place.

Reporters' personal fields (email, name, phone, device id) are not stored.
"""

import datetime as dt
from dataclasses import dataclass

import psycopg

from geo.db.connection import load_query
from geo.db.frames import query_dicts
from geo.errors import UserError
from geo.loop import intake

MAX_IDS = 100
DEFAULT_DAYS = 90
PUBLIC_FIELDS = ("service_request_id", "service_code", "service_name", "status", "status_notes",
                 "requested_datetime", "updated_datetime", "expected_datetime")  # fmt: skip
SOURCE_OF = "SELECT intake_source_of(%s)"


class Open311Error(UserError):
    """A request refused: `status` is the HTTP status (400 bad request, 403 wrong key)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Posted:
    service_request_id: str
    case_code: str
    placed_in: str | None


def services(conn: psycopg.Connection) -> list[dict]:
    """The service list: one entry per category, in Open311's fields."""
    rows = conn.execute(load_query("loop/open311_services")).fetchall()
    return [
        {
            "service_code": code,
            "service_name": zh,
            "description": f"{en}; {days} days" + ("; urgent" if urgent else ""),
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(synonyms or []),
            "group": group,
        }
        for code, zh, en, synonyms, group, days, urgent in rows
    ]


def post(conn: psycopg.Connection, form: dict) -> Posted:
    """Receive a request posted with `form` (Open311's fields); Open311Error when refused."""
    api_key = _text(form, "api_key", 200)
    if not api_key:
        raise Open311Error(403, "api_key is required")
    code = _text(form, "service_code", 60)
    if not code:
        raise Open311Error(400, "service_code is required")
    lat, lon = _coordinate(form, "lat", -90, 90), _coordinate(form, "long", -180, 180)
    address = _text(form, "address_string", 300) or _text(form, "address_id", 300)
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat and long go together")
    if lat is None and not address:
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    description = _text(form, "description", 4000)
    if not description:
        raise Open311Error(400, "description is required")
    if len(description) > 2000:
        raise Open311Error(400, "description is longer than 2000 characters")
    try:
        received = intake.post(conn, api_key, code, description, lon, lat, address)
    except UserError as error:
        kind = getattr(error, "kind", "")
        raise Open311Error(403 if kind == "refused" else 400, str(error)) from None
    ref = conn.execute("SELECT intake_ref FROM cases WHERE id = %s", [received.id]).fetchone()[0]
    return Posted(ref, received.code, received.grid_code)


def service_requests(conn: psycopg.Connection, args: dict, ids: list[str] | None = None) -> list[dict]:
    """Service requests as Open311 lists them: the key's source's own, or the given ids'."""
    api_key = _text(args, "api_key", 200)
    source = conn.execute(SOURCE_OF, [api_key]).fetchone()[0] if api_key else None
    if api_key and source is None:
        raise Open311Error(403, "unknown or revoked api_key")
    ids = ids if ids is not None else _list(args, "service_request_id")
    if ids is not None and len(ids) > MAX_IDS:
        raise Open311Error(400, f"at most {MAX_IDS} service_request_id values")
    if source is None and not ids:
        raise Open311Error(403, "api_key is required to list requests (or give service_request_id)")
    end = _moment(args, "end_date") or dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    start = _moment(args, "start_date") or end - dt.timedelta(days=DEFAULT_DAYS)
    status = _text(args, "status", 20)
    if status not in (None, "", "open", "closed"):
        raise Open311Error(400, "status is open or closed")
    params = {"source": source, "ids": ids, "codes": _list(args, "service_code"), "start": start, "end": end,
              "status": status or None}  # fmt: skip
    return [_shown(row) for row in query_dicts(conn, load_query("loop/open311_requests"), params)]


def _shown(row: dict) -> dict:
    """A request in Open311's fields: all of them for its own source, the status only otherwise."""
    own = row.pop("own")
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        row[key] = row[key].isoformat() if row[key] else None
    if not own:
        return {key: row[key] for key in PUBLIC_FIELDS}
    row["media_url"] = None
    return row


def _text(form: dict, key: str, limit: int) -> str | None:
    value = form.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or "\x00" in value:
        raise Open311Error(400, f"{key} is not text")
    value = value.strip()
    if len(value) > limit:
        raise Open311Error(400, f"{key} is longer than {limit} characters")
    return value


def _coordinate(form: dict, key: str, low: float, high: float) -> float | None:
    raw = _text(form, key, 40)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{key} is not a number: {raw[:20]!r}") from None
    if not low <= value <= high:  # also refuses nan; inf fails the range
        raise Open311Error(400, f"{key} is out of range: {raw[:20]}")
    return value


def _list(args: dict, key: str) -> list[str] | None:
    raw = _text(args, key, 4000)
    if not raw:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


def _moment(args: dict, key: str) -> dt.datetime | None:
    raw = _text(args, key, 40)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{key} is not a w3c date and time: {raw[:40]!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
