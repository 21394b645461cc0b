"""The cases layer: events from grid workers, the 12345 hotline, 110 and others.

A row is rejected with its reason when a required value is empty, a date is not a date,
coordinates are unusable (not finite, out of range, swapped), it has neither coordinates nor
an address, its source or status is unknown, or its times contradict each other.
An address-only case is kept: the geocoder places it as it is written. Coordinates are
stored as given (raw_lon, raw_lat, raw_crs) and converted to WGS84 (geom).

The category comes from a category column (小类), a group column (大类) or both, looked up in
the catalogue (geo.shared.categories). A category the catalogue does not know never rejects
the row: the case goes into the unclassified category of its group (or the global one),
keeps the text (category_raw) and is flagged; the summary counts each unknown text.
"""

import datetime as dt
import time
from dataclasses import dataclass, field

import numpy as np

from geo.db.connection import load_query
from geo.errors import UserError
from geo.imports.columns import ADDRESS, CRS, GEOMETRY, LAT, LON, Field
from geo.imports.geometry import POINT
from geo.imports.layer import Layer
from geo.imports.layers.case_columns import check_cases
from geo.imports.values import parse_datetime, parse_day_end, parse_key
from geo.imports.write import place_pending_cases
from geo.shared.categories import Catalogue, lookup_key, normal, read_catalogue, resolve

# The channels, by the words platforms use for them; any other text is stored as 'other' with
# the text kept (source_raw) and flagged.
SOURCES = {
    "grid_worker": ("网格员", "网格", "网格员上报", "网格巡查", "巡查", "巡查发现", "自主上报", "grid_worker", "grid"),
    "hotline_12345": (
        "12345",
        "热线",
        "12345热线",
        "市民热线",
        "政务服务热线",
        "12345政务服务便民热线",
        "hotline",
        "hotline_12345",
    ),
    "police_110": ("110", "公安", "110警情", "警情", "police", "police_110"),
    "walk_in": ("来访", "窗口", "群众来访", "来信来访", "信访", "walk_in"),
    "online": ("网上", "网络", "线上", "网站", "微信", "小程序", "app", "政务app", "网上信访", "online"),
    "other": ("其他", "other"),
}
SOURCE_OF = {lookup_key(name): code for code, names in SOURCES.items() for name in (code, *names)}
# The states, by the words platforms use for them (已办结, 处置中 …); an unknown one rejects the
# row, as its place in the case's handling cannot be guessed.
STATUS_WORDS = {
    "accepted": ("已受理", "待受理", "待处理", "新建", "登记", "已登记", "待派遣"),
    "dispatched": ("交办", "已交办", "派遣", "已派遣", "派单", "已派单", "分拨", "已分拨", "转办", "已转办"),
    "in_progress": ("处置中", "处理中", "正在办理", "在办", "办理", "待办结"),
    "feedback": ("已反馈", "已处置", "待核查", "核查", "待审核"),
    "verified": ("已核查", "核查通过", "已核实", "核实通过", "待结案"),
    "follow_up": ("已回访", "待回访"),
    "returned": ("退回", "已退回", "被退回", "回退", "驳回"),
    "closed": ("已结案", "办结", "已办结", "已完成", "完成", "已关闭", "关闭", "归档", "已归档"),
}
FIELDS = [
    Field("code", True, ("编号", "事件编号", "案件编号", "工单号", "工单编号", "受理编号", "诉求编号", "案件号", "code", "id",
                           "case_id"), "the case's id in its source system",
          parse_key),
    Field("category", False, ("事件小类", "小类", "二级分类", "二级类别", "事件类型", "类别", "类型", "分类", "问题类型",
                               "问题分类", "问题小类", "诉求类型", "诉求小类", "工单类型", "事件分类", "案件类型", "案件类别",
                               "案件小类", "事项小类", "category"),
          "a category's code, name or synonym (python -m geo categories list); unknown: stored unclassified"),
    Field("group", False, ("事件大类", "大类", "一级分类", "一级类别", "问题大类", "诉求大类", "案件大类", "事项大类",
                            "category_group", "group"),
          "a group's code, name or synonym (矛盾纠纷, 安全隐患 …), when the file has one"),
    Field("summary", True, ("摘要", "事件描述", "描述", "内容", "标题", "事件内容", "事件摘要", "诉求内容", "诉求描述",
                              "问题描述", "工单内容", "summary", "description"), "what happened"),
    Field("reported_at", True, ("上报时间", "受理时间", "发生时间", "时间", "来电时间", "登记时间", "创建时间", "诉求时间",
                                  "上报日期", "受理日期", "发生日期", "reported_at", "reported", "time"),
          "when it was reported", parse_datetime),
    Field("source", False, ("来源", "渠道", "事件来源", "诉求渠道", "来源渠道", "source"), "网格员 / 12345 / 110 / 来访 / "
          "网上 and their usual names (default 网格员); any other: stored as other, flagged"),
    Field("status", False, ("状态", "办理状态", "处理状态", "工单状态", "案件状态", "事件状态", "status"), "受理 … 结案 (default 受理)"),
    Field("deadline", False, ("办理时限", "截止时间", "办结时限", "处理时限", "到期时间", "deadline"), "default: reported + the category's days; a date "
          "alone means the end of that day", parse_day_end),
    Field("closed_at", False, ("办结时间", "结案时间", "办结日期", "完成时间", "关闭时间", "closed_at"), "required when the status is 结案", parse_datetime),
    ADDRESS, LON, LAT, CRS, GEOMETRY,
]  # fmt: skip
STATUSES = "SELECT code, name_zh, name_en FROM case_status"
STAGING = {
    "code": "text", "source": "text", "category_code": "text", "summary": "text", "reported_at": "timestamptz",
    "lon": "float8", "lat": "float8", "raw_lon": "float8", "raw_lat": "float8", "raw_crs": "text",
    "address_text": "text", "status": "text", "deadline": "timestamptz", "closed_at": "timestamptz",
    "category_raw": "text", "category_unknown": "bool", "source_raw": "text",
}  # fmt: skip
UNKNOWN_CATEGORIES = """SELECT coalesce(category_raw, ''), count(*) FROM import_cases WHERE category_unknown
GROUP BY 1 ORDER BY 2 DESC, 1"""
UNCLASSIFIED = """SELECT count(*) FROM import_cases s JOIN case_category k ON k.code = s.category_code
WHERE k.unclassified"""
UNCLASSIFIED_FLAG = "cases in an unclassified category (python -m geo categories unknown)"
UNKNOWN_SOURCES = (
    "SELECT source_raw, count(*) FROM import_cases WHERE source_raw IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"
)
OTHER_SOURCE_FLAG = "cases of a channel not recognised, stored as 其他 (the text in source_raw)"


@dataclass
class Lookups:
    """What values mean, read from the database: the category catalogue and statuses (code,
    zh, en → code)."""

    catalogue: Catalogue
    statuses: dict
    resolved: dict = field(default_factory=dict)  # (category, group) cells → Resolved: a file repeats a few values


def prepare(conn, table, columns) -> Lookups:
    """The lookups; a file with neither a category nor a group column is refused."""
    if columns.get("category") is None and columns.get("group") is None:
        names = " / ".join(LAYER.field("category").aliases + LAYER.field("group").aliases[:3])
        raise UserError(f"missing column category: looked for {names} (or pass --map COLUMN=category)")
    statuses = {}
    for code, zh, en in conn.execute(STATUSES).fetchall():
        statuses |= {code: code, zh.lower(): code, en.lower(): code} | dict.fromkeys(STATUS_WORDS.get(code, ()), code)
    return Lookups(read_catalogue(conn), statuses)


def finish(record: dict, lookups: Lookups):
    cells = (record["category"], record["group"])
    resolved = lookups.resolved.get(cells) or lookups.resolved.setdefault(cells, resolve(lookups.catalogue, *cells))
    category = resolved.code
    status = lookups.statuses.get((record["status"] or "accepted").strip().lower())
    if status is None:
        return None, f"unknown status {record['status']!r}"
    times, problem = _times(record, status, lookups.catalogue.deadline_days[category])
    if problem:
        return None, problem
    if not np.isfinite(record["lon"]) and not record["address"]:
        return None, "missing location: neither coordinates nor an address"
    located = bool(np.isfinite(record["raw_lon"]))
    case = {key: record[key] for key in ("code", "summary", "lon", "lat")} | times
    case |= {"category_code": category, "status": status} | _source(record["source"])
    case |= {"address_text": record["address"], "raw_crs": record["raw_crs"] if located else None}
    case |= {"category_raw": resolved.raw, "category_unknown": resolved.unknown}
    return case | {
        "raw_lon": record["raw_lon"] if located else None,
        "raw_lat": record["raw_lat"] if located else None,
    }, None


def _source(cell) -> dict:
    """The channel of a case: known by its usual names, empty for a grid worker's, else
    'other' keeping the text."""
    key = lookup_key(cell)
    if not key:
        return {"source": "grid_worker", "source_raw": None}
    code = SOURCE_OF.get(key)
    return {"source": code, "source_raw": None} if code else {"source": "other", "source_raw": normal(cell)}


def _times(record: dict, status: str, deadline_days: int):
    reported, closed = record["reported_at"], record["closed_at"]
    deadline = record["deadline"] or reported + dt.timedelta(days=deadline_days)
    if deadline <= reported:
        return None, "the deadline is not after the time reported"
    if (status == "closed") != (closed is not None):
        return None, "status 结案 and a closing time go together: one is missing"
    if closed is not None and closed < reported:
        return None, "closed before it was reported"
    return {"reported_at": reported, "deadline": deadline, "closed_at": closed}, None


def write(conn, lookups, origin) -> dict:
    """Upsert keyed on the source id; a changed case loses its placement and is placed again.
    Adds the counts of cases in an unclassified category and of an unknown channel to the
    flags, and each text the catalogue did not know, and each channel, with its count ('' for
    no category at all)."""
    started = time.perf_counter()
    unknown = dict(conn.execute(UNKNOWN_CATEGORIES).fetchall())
    sources = dict(conn.execute(UNKNOWN_SOURCES).fetchall())
    unclassified = conn.execute(UNCLASSIFIED).fetchone()[0]
    inserted, updated = conn.execute(load_query("imports/cases_upsert")).fetchone()
    upserted = time.perf_counter()
    placed = place_pending_cases(conn)
    flags = {UNCLASSIFIED_FLAG: unclassified, OTHER_SOURCE_FLAG: sum(sources.values())} | placed["flags"]
    counts = {"inserted": inserted, "updated": updated, "flags": flags}
    seconds = {"upsert": upserted - started, "place": time.perf_counter() - upserted}
    return counts | {"unknown_categories": unknown, "unknown_sources": sources, "seconds": seconds}


LAYER = Layer("cases", "事件", FIELDS, POINT, finish, write, prepare=prepare, staging=STAGING, check=check_cases)
