"""The league table (/overview): the children of one unit ranked on their case figures over a
period, with the change against the period before (环比) and the same period a year before
(同比), the red and orange grids in them and a small map of each. The case figures are sums
of the daily facts (geo.map.facts), as the map's are; the rest is one query
(geo/db/queries/league/units.sql)."""

import datetime as dt

from geo.db.connection import load_query
from geo.db.frames import query_dicts
from geo.map import cases
from geo.map.compare import A_YEAR, change
from geo.map.filters import CaseFilter
from geo.shared.units import Unit, children_codes

PERIODS = (7, 30, 90)  # the lengths a leader picks from, in days
SORT_KEYS = ("cases", "rate", "change", "yoy", "overdue", "close_rate", "red", "orange")
PER_HOUSEHOLDS = 1000  # the rate is per this many households


def league_table(conn, unit: Unit, end: dt.date, days: int, today: dt.date, scope: dict | None = None) -> list[dict]:
    """One row per child of `unit`: code, name, households, cases, rate (per 1,000 households),
    change and yoy (fractions; None where the earlier period had no case), overdue, close_rate,
    red, orange, level, outline (SVG path data) with its extent (west, north, width, height)."""
    codes = children_codes(conn, unit)
    if not codes:
        return []
    # The earlier periods' figures are read as of their own last day: only their case counts
    # are used, and a later "today" would stretch the facts' window to it.
    now, before, last_year = (
        cases.child_case_counts(conn, unit, period, today if i == 0 else period.end, scope)
        for i, period in enumerate(_periods(end, days))
    )
    rows = query_dicts(conn, load_query("league/units"), {"codes": codes})
    return [_figures(row, now, before, last_year) for row in rows]


def ranked(rows: list[dict], key: str) -> list[dict]:
    """The rows ranked on `key`, highest first; rows without a value last, then by name."""
    key = key if key in SORT_KEYS else "cases"
    return sorted(rows, key=lambda row: (row[key] is None, -(row[key] or 0), row["name"]))


def _periods(end: dt.date, days: int) -> tuple[CaseFilter, CaseFilter, CaseFilter]:
    """The period ending on `end`, the one before it, and the same weekdays a year before."""
    start = end - dt.timedelta(days=days - 1)
    step = dt.timedelta(days=days)
    return (
        CaseFilter(start, end),
        CaseFilter(start - step, end - step),
        CaseFilter(start - A_YEAR, end - A_YEAR),  # the same weekdays a year before, as the panel's 同比
    )


def _figures(row: dict, now: dict, before: dict, last_year: dict) -> dict:
    counts = now.get(row["code"], {})
    total = counts.get("cases", 0)
    closed = total - counts.get("open", 0)
    households = row["households"] or 0
    return {
        **row,
        "cases": total,
        "rate": PER_HOUSEHOLDS * total / households if households else None,
        "change": change(total, before.get(row["code"], {}).get("cases", 0)),
        "yoy": change(total, last_year.get(row["code"], {}).get("cases", 0)),
        "overdue": counts.get("overdue", 0),
        "close_rate": closed / total if total else None,
    }
