"""The page's case filters: a date range, categories, sources and states. Parsed from the
URL's text, so anything a user or a hostile link puts there ends in a valid filter plus a
list of what was ignored and why."""

import datetime as dt
from dataclasses import dataclass, field

SOURCES = ("grid_worker", "hotline_12345", "police_110", "walk_in", "online", "other")
STATES = ("open", "overdue", "closed")
DEFAULT_DAYS = 30
# Longer ranges are drawn per week in the trend chart.
DAILY_TREND_MAX_DAYS = 92
MAX_RANGE_DAYS = 3 * 366


@dataclass(frozen=True)
class CaseFilter:
    """Cases reported from `start` to `end` (both whole days, inclusive); empty tuples mean
    every category, source or state."""

    start: dt.date
    end: dt.date
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    states: tuple[str, ...] = ()

    def params(self, today: dt.date) -> dict:
        """Query parameters of the map queries (`map/case_filter.sql` and the date range).
        The scope's window [scope_start, scope_end) holds the range and the last 7 days up to
        today, which the key figures count whatever the range."""
        week_start = today - dt.timedelta(days=6)
        return {
            "scope_start": min(self.start, week_start),
            "scope_end": max(self.end, today) + dt.timedelta(days=1),
            "start": self.start,
            "end": self.end + dt.timedelta(days=1),
            "categories": list(self.categories) or None,
            "sources": list(self.sources) or None,
            "states": list(self.states) or None,
            "today": today,
            "week_start": week_start,
            "bucket": "day" if (self.end - self.start).days < DAILY_TREND_MAX_DAYS else "week",
        }


@dataclass
class ParsedFilter:
    filter: CaseFilter
    ignored: list[str] = field(default_factory=list)


def parse_filter(values: dict[str, str], categories: set[str], default_end: dt.date) -> ParsedFilter:
    """The filter from the URL values `from`, `to`, `cat`, `src`, `st` (comma-separated lists).

    Unknown codes and unreadable dates are ignored and named in `ignored`; a reversed range
    is swapped; a range longer than three years is cut to its last three years.
    """
    ignored: list[str] = []
    end = _date(values.get("to"), default_end, "to", ignored)
    start = _date(values.get("from"), end - dt.timedelta(days=DEFAULT_DAYS - 1), "from", ignored)
    if start > end:
        start, end = end, start
    if (end - start).days > MAX_RANGE_DAYS:
        start = end - dt.timedelta(days=MAX_RANGE_DAYS)
        ignored.append(f"date range cut to {MAX_RANGE_DAYS} days")
    return ParsedFilter(
        CaseFilter(
            start,
            end,
            _codes(values.get("cat"), categories, "cat", ignored),
            _codes(values.get("src"), set(SOURCES), "src", ignored),
            _codes(values.get("st"), set(STATES), "st", ignored),
        ),
        ignored,
    )


def filter_values(case_filter: CaseFilter, default_end: dt.date) -> dict[str, str]:
    """The URL values of a filter, leaving out what equals the default."""
    values = {}
    if case_filter.end != default_end:
        values["to"] = case_filter.end.isoformat()
    if case_filter.start != case_filter.end - dt.timedelta(days=DEFAULT_DAYS - 1):
        values["from"] = case_filter.start.isoformat()
    for key, codes in (("cat", case_filter.categories), ("src", case_filter.sources), ("st", case_filter.states)):
        if codes:
            values[key] = ",".join(codes)
    return values


def _date(text: str | None, default: dt.date, name: str, ignored: list[str]) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        ignored.append(f"{name}: not a date: {text[:40]!r}")
        return default


def _codes(text: str | None, known: set[str], name: str, ignored: list[str]) -> tuple[str, ...]:
    if not text:
        return ()
    codes = []
    for code in dict.fromkeys(part.strip() for part in text.split(",") if part.strip()):
        if code in known:
            codes.append(code)
        else:
            ignored.append(f"{name}: unknown code {code[:40]!r}")
    return tuple(sorted(codes))
