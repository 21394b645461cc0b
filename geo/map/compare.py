"""环比 and 同比 of the key figures that count a period: the cases of the date range against the
range just before it and the same days a year before; the last 7 days against the 7 before
them and a year before; today against the same weekday a week and a year before. Two more
readings of the facts (geo.map.cases.key_figures), shifted in time. The open, overdue and
closed counts are today's states of the range's cases: an earlier range's cases had longer to
close, so they are not compared."""

import datetime as dt
from dataclasses import replace

from geo.map import cases
from geo.map.filters import CaseFilter
from geo.shared.units import Unit

COMPARED = ("cases", "today", "week")
A_WEEK = dt.timedelta(days=7)
A_YEAR = dt.timedelta(days=364)  # 52 weeks: the same weekday a year before


def changes(conn, unit: Unit, case_filter: CaseFilter, today: dt.date, figures: dict, scope=None) -> dict:
    """{figure: (change against the period before, change against a year before)}, each a
    fraction or None where the earlier figure is 0 (no base to compare with)."""
    length = case_filter.end - case_filter.start + dt.timedelta(days=1)
    before = cases.key_figures(conn, unit, _shifted(case_filter, length), today - A_WEEK, scope)
    year = cases.key_figures(conn, unit, _shifted(case_filter, A_YEAR), today - A_YEAR, scope)
    return {key: (change(figures[key], before[key]), change(figures[key], year[key])) for key in COMPARED}


def _shifted(case_filter: CaseFilter, by: dt.timedelta) -> CaseFilter:
    return replace(case_filter, start=case_filter.start - by, end=case_filter.end - by)


def change(now: int, earlier: int) -> float | None:
    """(now − earlier) / earlier; None when the earlier figure is 0 (no base to compare with)."""
    return (now - earlier) / earlier if earlier else None
