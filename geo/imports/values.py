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

import pandas as pd

from geo.settings import get_settings
from geo.shared.code_scheme import identifier_problem

_DATE = re.compile(
    r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
    r"(?:[T\s]*(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?\s*(?::?\s*(\d{1,2}(?:\.\d+)?)\s*秒?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$"
)
YEARS = (1900, 2100)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps tab, newline, carriage return


def parse_datetime(value) -> tuple[dt.datetime | None, str | None]:
    """(aware datetime, None) or (None, reason) for a cell; years outside YEARS are refused
    (a typo like 2206 or 9999 would put a case in another century)."""
    moment, problem = _moment(value)
    if moment is not None and not YEARS[0] <= moment.year <= YEARS[1]:
        return None, f"{str(value)!r}: the year {moment.year} is not plausible ({YEARS[0]}–{YEARS[1]})"
    return moment, problem


def _moment(value) -> tuple[dt.datetime | None, str | None]:
    zone = ZoneInfo(get_settings().timezone)
    if isinstance(value, dt.datetime):
        if pd.isna(value):
            return None, "empty"
        return (value if value.tzinfo else value.replace(tzinfo=zone)), None
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), zone), None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None, "empty"
    if _ISO.match(text):  # the common case, parsed in C; anything else goes by the rules below
        try:
            moment = dt.datetime.fromisoformat(text)
            return (moment if moment.tzinfo else moment.replace(tzinfo=zone)), None
        except ValueError:
            pass
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return None, f"{text!r} is a number, not a date (an Excel serial number?)"
    match = _DATE.match(text)
    if not match:
        return None, f"{text!r} is not a date (use 2026-11-10, 2026/11/10 or 2026年11月10日, optionally with hh:mm)"
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        seconds = float(second or 0)
        whole = int(seconds)
        moment = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            whole,
            min(round((seconds - whole) * 1e6), 999_999),
        ).replace(tzinfo=_zone(offset) or zone)
    except ValueError as error:
        return None, f"{text!r} is not a real date or time ({error})"
    return moment, None


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
    cleaned = CONTROL.sub("", text)
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


def number_problem(x, y) -> str | None:
    """Why a longitude/latitude pair is not two finite numbers (None when it is, or when both
    are empty)."""
    if not str(x).strip() and not str(y).strip():
        return None
    lon, lat = parse_float(x), parse_float(y)
    if lon is None or lat is None:
        return f"coordinate is not a number: {x!r}, {y!r}"
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"coordinate is not finite: {x!r}, {y!r}"
    return None


def range_problem(lon: float, lat: float, system: str = "wgs84") -> str | None:
    """Why a point converted to WGS84 is not on the earth (None when it is)."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"coordinate cannot be converted from {system} (outside the system's area?)"
    if abs(lat) > 90 and abs(lon) <= 90:
        return f"latitude {lat:g} is beyond ±90°: longitude and latitude look swapped"
    if abs(lon) > 180 or abs(lat) > 90:
        return f"coordinate out of range: {lon:g}, {lat:g}"
    return None


# Parsers for the fields of a layer (geo.imports.columns.Field.parse): a non-empty cell in,
# (value, None) or (None, reason) out. Empty cells never reach them.


def parse_text(value):
    """Text as given, byte for byte (control characters were removed with a warning before)."""
    return str(value), None


def parse_key(value):
    """An id or code: the text without the spaces around it."""
    return str(value).strip(), None


def parse_day_end(value):
    """A deadline: a date without a time of day means the end of that day."""
    moment, problem = parse_datetime(value)
    if problem:
        return None, problem
    text = str(value)
    dated_only = moment.time() == dt.time() and not re.search(r"\d\s*[:时点]\s*\d", text)
    return (moment.replace(hour=23, minute=59, second=59) if dated_only else moment), None


def parse_date(value):
    moment, problem = parse_datetime(value)
    if problem:
        return None, problem
    if (moment.hour, moment.minute, moment.second) != (0, 0, 0) and not isinstance(value, dt.datetime):
        return None, f"{value!r} has a time of day where a date is expected"
    return moment.date(), None


INT4_MAX = 2**31 - 1


def integer(low: int = 0, high: int = INT4_MAX):
    """A parser of whole numbers in [low, high]."""

    def parse(value):
        number = parse_float(value)
        if number is None or not math.isfinite(number) or not number.is_integer():
            return None, f"{value!r} is not a whole number"
        if number < low or (high is not None and number > high):
            return None, f"{number:g} is outside {low}–{high}"
        return int(number), None

    return parse


def choice(names: dict[str, tuple[str, ...]]):
    """A parser of one of the keys of `names`, given as the key or any of its names (case-insensitive)."""
    lookup = {str(alias).lower(): key for key, aliases in names.items() for alias in (key, *aliases)}

    def parse(value):
        text = unicodedata.normalize("NFKC", str(value)).strip().lower()
        if text in lookup:
            return lookup[text], None
        known = ", ".join(str(a[0]) for a in names.values() if a)
        return None, f"{str(value)!r} is not one of {known} (or {', '.join(map(str, names))})"

    return parse


BOOLEAN = choice(
    {
        True: ("是", "有", "在册", "true", "yes", "y", "1", "t"),
        False: ("否", "无", "不在册", "注销", "false", "no", "n", "0", "f"),
    }
)


def code_value(what: str):
    """A parser of a code (an area's, a grid's …): any identifier, whatever the city's numbering
    (geo.shared.code_scheme says whether it fits the scheme; that is a warning, not a reason).
    A code read as a number comes back as its digits, or is refused when it lost some."""

    def parse(value):
        text, problem = _code_text(value)
        if problem:
            return None, problem
        problem = identifier_problem(text)
        return (None, f"{str(value)[:80]!r} is not {what}: {problem}") if problem else (text, None)

    return parse


def _code_text(value) -> tuple[str | None, str | None]:
    """A code cell as text: a spreadsheet's number comes back as its digits, or a problem when
    it is too long to have kept them all."""
    if isinstance(value, float) and value.is_integer():
        if abs(value) >= 2**53:
            return None, f"{value:g} is a number too long to be exact: format the column as text"
        return str(int(value)), None
    return unicodedata.normalize("NFKC", str(value)).strip(), None


def pattern(regex: str, description: str):
    """A parser of text matching `regex` (a code, for example)."""
    compiled = re.compile(regex)

    def parse(value):
        text, problem = _code_text(value)
        if problem:
            return None, problem
        if not compiled.fullmatch(text):
            return None, f"{str(value)!r} is not {description}"
        return text, None

    return parse
