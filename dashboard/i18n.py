"""The interface's words in zh-CN (the default) and English. Place names, addresses and case
texts come from the data and stay as written."""

LANGUAGES = ("zh", "en")

TEXT = {
    "title": ("平安地图", "Safety Map"),
    "subtitle": ("网格化社会治理态势", "Grid-based governance situation"),
    "overview": ("数据总览", "Data overview"),
    "map": ("地图", "Map"),
    "dates": ("日期", "Dates"),
    "categories": ("事件类型", "Category"),
    "sources": ("来源", "Source"),
    "states": ("状态", "State"),
    "all": ("全部", "All"),
    "colour_by": ("着色", "Colour by"),
    "layers": ("图层", "Layers"),
    "metric_risk": ("风险等级", "Risk level"),
    "metric_cases": ("事件数", "Cases"),
    "metric_persons": ("重点人群密度", "Key-population density"),
    "layer_heat": ("事件热力", "Case heat"),
    "layer_cases": ("事件点位（网格及以下）", "Case points (grid and below)"),
    "layer_places": ("重点场所", "Key places"),
    "layer_cameras": ("视频点位", "Cameras"),
    "layer_centres": ("综治中心", "Centres"),
    "kpi_cases": ("事件", "Cases"),
    "kpi_today": ("今日", "Today"),
    "kpi_week": ("近7日", "Last 7 days"),
    "kpi_open": ("未办结", "Open"),
    "kpi_overdue": ("已超期", "Overdue"),
    "kpi_close_rate": ("办结率", "Close rate"),
    "trend": ("事件趋势", "Case trend"),
    "mix": ("类型构成", "Category mix"),
    "top_grids": ("风险最高的网格", "Highest-risk grids"),
    "no_risk": ("暂无风险评分", "No risk score yet"),
    "score": ("风险分", "Risk score"),
    "interval": ("区间", "interval"),
    "why": ("为什么是这个等级？", "Why this level?"),
    "trend_week": ("较上周", "vs last week"),
    "trend_month": ("较上月", "vs last month"),
    "hotspot": ("热点", "hotspot"),
    "staff": ("网格力量", "Grid staff"),
    "key_persons": ("重点人群（仅计数）", "Key persons (counts only)"),
    "suppressed": ("少于{k}人，不显示", "fewer than {k}, not shown"),
    "none": ("无", "none"),
    "cases_table": ("事件列表", "Cases"),
    "table_limit": ("最近{n}条", "newest {n}"),
    "households": ("户数", "Households"),
    "micro_grids": ("微网格", "Micro-grids"),
    "cameras": ("视频点位", "Cameras"),
    "key_places": ("重点场所", "Key places"),
    "address": ("标准地址", "Standard address"),
    "building_kind": ("建筑类型", "Building type"),
    "floors": ("层数", "Floors"),
    "units": ("单元", "Units"),
    "unit_no": ("单元号", "Unit"),
    "community": ("所属社区", "Community"),
    "legend_risk": ("风险等级", "Risk level"),
    "legend_cases": ("事件数（所选日期）", "Cases (selected dates)"),
    "legend_persons": ("重点人群（人）", "Key persons"),
    "legend_heat": ("事件热力：低 → 高", "Case heat: low → high"),
    "legend_suppressed": ("少于{k}（不显示）", "under {k} (hidden)"),
    "no_data": ("无数据", "no data"),
    "not_found": ("未找到编码 {code}，已回到全市。", "No unit has code {code}; back to the top."),
    "ignored": ("已忽略：{what}", "Ignored: {what}"),
    "persons_below_grid": (
        "重点人群密度只按网格及以上统计。",
        "Key-population density is counted per grid and above only.",
    ),
    "points_from_county": ("场所与视频点位在区县及以下显示。", "Places and cameras show from the county down."),
    "cases_from_grid": ("事件点位在网格及以下显示。", "Case points show from the grid down."),
    "empty": ("数据库中还没有区划数据。运行 make demo 载入示例城市。", "No areas in the database yet. Run make demo."),
    "col_code": ("编号", "Code"),
    "col_time": ("上报时间", "Reported"),
    "col_category": ("类型", "Category"),
    "col_source": ("来源", "Source"),
    "col_state": ("状态", "State"),
    "col_summary": ("事件描述", "Summary"),
    "col_address": ("地址", "Address"),
    "score_unit": ("分", ""),
    "wall_title": ("平安地图 · 指挥大屏", "Safety Map · Command wall"),
    "wall_updated": ("数据更新于 {time}", "Data as of {time}"),
    "wall_down": ("数据中断，最后更新 {time}", "Data interrupted, last update {time}"),
    "wall_down_never": ("数据中断，尚无数据", "Data interrupted, no data yet"),
    "wall_latest": ("最新事件", "Latest cases"),
    "wall_overdue": ("超期最久", "Longest overdue"),
    "wall_hotspots": ("风险热点网格", "Hotspot grids"),
    "wall_month": ("近30日", "Last 30 days"),
    "wall_tour_overview": ("全域概览", "Overview"),
    "wall_tour_red": ("最新转红网格：{name}", "Latest grid to turn red: {name}"),
    "wall_tour_no_red": ("暂无红色网格", "No red grid"),
    "wall_tour_overdue": ("超期事件", "Overdue cases"),
    "wall_overdue_by": ("超期{days}天", "{days} d overdue"),
    "wall_no_cases": ("暂无事件", "No cases"),
    "wall_unknown_scope": ("未找到范围 {code}，显示全域。", "No area has code {code}; showing everything."),
}

KIND = {
    "all": ("全部", "All"),
    "city": ("市", "City"),
    "county": ("区县", "County"),
    "township": ("街道/乡镇", "Township"),
    "community": ("社区/村", "Community"),
    "grid": ("网格", "Grid"),
    "micro_grid": ("微网格", "Micro-grid"),
    "building": ("楼栋", "Building"),
}
LEVEL = {"red": ("红", "Red"), "orange": ("橙", "Orange"), "yellow": ("黄", "Yellow"), "blue": ("蓝", "Blue")}
SOURCE = {
    "grid_worker": ("网格员上报", "Grid worker"),
    "hotline_12345": ("12345热线", "12345 hotline"),
    "police_110": ("110警情", "Police 110"),
    "walk_in": ("来访", "Walk-in"),
    "online": ("网上", "Online"),
}
STATE = {"open": ("办理中", "Open"), "overdue": ("已超期", "Overdue"), "closed": ("已办结", "Closed")}
STAFF_ROLE = {
    "grid_head": ("网格长", "Grid head"),
    "grid_police": ("网格民警", "Grid police officer"),
    "full_time": ("专职网格员", "Full-time grid worker"),
    "part_time": ("兼职网格员", "Part-time grid worker"),
}
BUILDING_KIND = {
    "residential": ("住宅", "Residential"),
    "village_house": ("农村住房", "Village house"),
    "school": ("学校", "School"),
    "hospital": ("医院", "Hospital"),
    "office": ("办公", "Office"),
    "commercial": ("商业", "Commercial"),
    "industrial": ("工业", "Industrial"),
    "public": ("公共建筑", "Public"),
}


def text(key: str, lang: str, **values) -> str:
    """The interface text `key` in `lang` ('zh' or 'en'), with {placeholders} filled."""
    return pick(TEXT[key], lang).format(**values)


def pick(pair: tuple[str, str], lang: str) -> str:
    """The zh or en member of a (zh, en) pair."""
    return pair[1] if lang == "en" else pair[0]


def label(table: dict, code: str | None, lang: str) -> str:
    """The name of `code` in one of the tables above, the code itself when unknown."""
    return pick(table[code], lang) if code in table else str(code)
