"""Cell values as clerks write them: dates, numbers and text, each with a reason when unusable.

Dates: ISO (2026-11-10, 2026-11-10 14:30, 2026-11-10T14:30:00+08:00), 2026/11/10 and
2026.11.10, 2026年11月10日, each with or without a time, and XLSX date cells. A date that
does not exist (2026-02-30) is refused, never rolled over to another day; a bare number is
refused as a likely Excel serial. Times without a zone are local (SAFETY_MAP_TIMEZONE).
"""

import datetime as dt
import math
import re
import unicodedata
from zoneinfo import ZoneInfo

from geo.settings import get_settings

_DATE = re.compile(
    r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
    r"(?:[T\s]*(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?\s*(?::?\s*(\d{1,2}(?:\.\d+)?)\s*秒?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps tab, newline, carriage return


def parse_datetime(value) -> tuple[dt.datetime | None, str | None]:
    """(aware datetime, None) or (None, reason) for a cell."""
    zone = ZoneInfo(get_settings().timezone)
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)), None
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), zone), None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None, "empty"
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return None, f"{text!r} is a number, not a date (an Excel serial number?)"
    match = _DATE.match(text)
    if not match:
        return None, f"{text!r} is not a date (use 2026-11-10, 2026/11/10 or 2026年11月10日, optionally with hh:mm)"
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        seconds = float(second or 0)
        moment = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(seconds))
    except ValueError as error:
        return None, f"{text!r} is not a real date or time ({error})"
    return moment.replace(tzinfo=_zone(offset) or zone), None


def _zone(offset: str | None):
    if not offset:
        return None
    if offset == "Z":
        return dt.UTC
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def clean_text(value) -> tuple[str, bool]:
    """The text as given, without NUL and other control characters; True if any were removed."""
    text = "" if value is None else str(value)
    cleaned = _CONTROL.sub("", text)
    return cleaned, cleaned != text


def parse_float(value) -> float | None:
    """A number from a cell (None when not one; NaN and infinities come back as such)."""
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    try:
        return float(text) if text else None
    except ValueError:
        return None


def coordinate_problem(x, y) -> str | None:
    """Why a longitude/latitude pair cannot be used (None when it can, or when both are empty)."""
    if not str(x).strip() and not str(y).strip():
        return None
    lon, lat = parse_float(x), parse_float(y)
    if lon is None or lat is None:
        return f"coordinate is not a number: {x!r}, {y!r}"
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"coordinate is not finite: {x!r}, {y!r}"
    if abs(lat) > 90 and abs(lon) <= 90:
        return f"latitude {lat} is beyond ±90°: longitude and latitude look swapped"
    if abs(lon) > 180 or abs(lat) > 90:
        return f"coordinate out of range: {lon}, {lat}"
    return None
