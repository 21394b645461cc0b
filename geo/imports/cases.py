"""The cases layer: which fields a file gives, and each row checked into a case or a rejection.

A row is rejected with its reason when a required value is empty, a date is not a date,
coordinates are unusable (not finite, out of range, swapped), it has neither coordinates nor
an address, its category, source or status is unknown, its times contradict each other, or
its id repeats within the file (both lines are named). Control characters are removed with
a warning. An address-only case is kept: the geocoder places it as it is written.
"""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.imports.columns import ADDRESS, CRS, LAT, LON, Field
from geo.imports.coordinates import read_coordinates
from geo.imports.values import clean_text, parse_datetime

FIELDS = [
    Field(
        "code",
        True,
        ("编号", "事件编号", "案件编号", "工单号", "code", "id", "case_id"),
        "the case's id in its source system",
    ),
    Field(
        "category",
        True,
        ("事件类型", "类别", "类型", "分类", "category"),
        "a category code or its Chinese or English name",
    ),
    Field("summary", True, ("摘要", "事件描述", "描述", "内容", "标题", "summary", "description"), "what happened"),
    Field(
        "reported_at", True, ("上报时间", "受理时间", "发生时间", "时间", "reported_at", "time"), "when it was reported"
    ),
    Field("source", False, ("来源", "渠道", "source"), "网格员 / 12345 / 110 / 来访 / 网上 (default 网格员)"),
    Field("status", False, ("状态", "办理状态", "status"), "受理 … 结案 (default 受理)"),
    Field("deadline", False, ("办理时限", "截止时间", "deadline"), "default: reported + the category's days"),
    Field("closed_at", False, ("办结时间", "结案时间", "closed_at"), "required when the status is 结案"),
    ADDRESS,
    LON,
    LAT,
    CRS,
]
SOURCES = {
    "grid_worker": ("网格员", "网格", "grid_worker", "grid"),
    "hotline_12345": ("12345", "热线", "12345热线", "hotline", "hotline_12345"),
    "police_110": ("110", "公安", "police", "police_110"),
    "walk_in": ("来访", "窗口", "walk_in"),
    "online": ("网上", "网络", "线上", "online"),
}


@dataclass
class Checked:
    """Rows that passed (as table columns) and those that did not (line, id, reason)."""

    rows: pd.DataFrame
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class Lookups:
    """What values mean, read from the database: categories (code, zh, en → code and deadline
    days) and statuses (code, zh, en → code)."""

    categories: dict
    deadline_days: dict
    statuses: dict


def check_rows(table, columns: dict, lookups: Lookups, crs: str | None) -> Checked:
    """Check every row of `table` (geo.imports.tables.Table) as a case."""
    good, rejected, warnings = [], [], []
    coordinates = read_coordinates(table.frame, columns, crs)
    lon, lat, coordinate_problems = coordinates.lon, coordinates.lat, coordinates.problems
    raw = [_raw(*given) for given in zip(coordinates.raw_lon, coordinates.raw_lat, coordinates.systems)]
    for i, row in enumerate(table.frame.itertuples(index=False)):
        line, cells = table.lines[i], dict(zip(table.frame.columns, row))
        value = {name: ("" if column is None else cells[column]) for name, column in columns.items()}
        case, problem, cleaned = _case(value, lookups, lon[i], lat[i])
        problem = table.problems[i] or coordinate_problems[i] or problem
        code = str(value["code"]).strip()
        if problem:
            rejected.append((line, code, problem))
            continue
        if cleaned:
            warnings.append((line, code, "control characters removed from " + ", ".join(cleaned)))
        good.append({"line": line, **case, **raw[i]})
    rows = pd.DataFrame(good)
    rows, duplicates = _without_duplicates(rows)
    return Checked(rows, sorted(rejected + duplicates), warnings)


def _case(value: dict, lookups: Lookups, lon: float, lat: float):
    """(case columns, None, cleaned fields) or (None, reason, [])."""
    text, cleaned = {}, []
    for name in ("code", "summary", "address"):
        text[name], changed = clean_text(value[name])
        if changed:
            cleaned.append(name)
    for name in ("code", "summary"):
        if not text[name].strip():
            return None, f"empty {name}", []
    category = lookups.categories.get(str(value["category"]).strip().lower())
    if category is None:
        return None, f"unknown category {value['category']!r} (see `python -m geo import --layers`)", []
    reported, problem = parse_datetime(value["reported_at"])
    if problem:
        return None, f"reported_at: {problem}", []
    source = _source(value["source"])
    status = (
        lookups.statuses.get(str(value["status"]).strip().lower(), None) if str(value["status"]).strip() else "accepted"
    )
    if source is None or status is None:
        bad = "source" if source is None else "status"
        return None, f"unknown {bad} {value[bad]!r}", []
    times, problem = _times(value, reported, status, lookups.deadline_days[category])
    if problem:
        return None, problem, []
    address = text["address"].strip() or None
    if not np.isfinite(lon) and address is None:
        return None, "missing location: neither coordinates nor an address", []
    case = {"code": text["code"].strip(), "category_code": category, "summary": text["summary"], "source": source}
    case |= times | {"status": status, "address_text": address, "lon": lon, "lat": lat}
    return case, None, cleaned


def _source(value) -> str | None:
    text = str(value).strip().lower()
    if not text:
        return "grid_worker"
    return next((code for code, names in SOURCES.items() if text in names), None)


def _times(value: dict, reported: dt.datetime, status: str, deadline_days: int):
    deadline, closed = reported + dt.timedelta(days=deadline_days), None
    for name in ("deadline", "closed_at"):
        if str(value[name]).strip():
            parsed, problem = parse_datetime(value[name])
            if problem:
                return None, f"{name}: {problem}"
            deadline, closed = (parsed, closed) if name == "deadline" else (deadline, parsed)
    if deadline <= reported:
        return None, "the deadline is not after the time reported"
    if (status == "closed") != (closed is not None):
        return None, "status 结案 and a closing time go together: one is missing"
    if closed is not None and closed < reported:
        return None, "closed before it was reported"
    return {"reported_at": reported, "deadline": deadline, "closed_at": closed}, None


def _raw(lon: float, lat: float, system: str | None) -> dict:
    located = bool(np.isfinite(lon) and np.isfinite(lat))
    return {
        "raw_lon": lon if located else None,
        "raw_lat": lat if located else None,
        "raw_crs": system if located else None,
    }


def _without_duplicates(rows: pd.DataFrame):
    """Rows whose id appears once; the others rejected, each naming the other lines."""
    if rows.empty:
        return rows, []
    repeated = rows[rows.duplicated("code", keep=False)]
    rejected = []
    for code, group in repeated.groupby("code"):
        for line in group["line"]:
            others = ", ".join(str(n) for n in group["line"] if n != line)
            rejected.append((int(line), code, f"duplicate id {code!r} within the file (also on line {others})"))
    return rows.drop(repeated.index).reset_index(drop=True), rejected
