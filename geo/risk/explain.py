""" "Why is this grid red?": one sentence in zh-CN and one in English per unit, built from its
largest contributions and the numbers behind them, compared with the median of its peers."""

from collections.abc import Iterator
from dataclasses import dataclass

from geo.risk.model import FACT_COLUMNS

LEVEL_NAMES = {
    "zh": {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"},
    "en": {"red": "Red", "orange": "Orange", "yellow": "Yellow", "blue": "Blue"},
}
# The emerging class (geo/risk/hotspots.py) in words a leader reads: "diminishing" is a grid
# hot in nearly every week whose heat is easing, not one that has cooled.
EMERGING_NAMES = {
    "zh": {
        "new": "近几周新出现的热点",
        "intensifying": "持续热点，且在加剧",
        "persistent": "持续热点",
        "diminishing": "持续热点，近几周有所缓和",
        "sporadic": "时有时无的热点",
    },
    "en": {
        "new": "a hotspot new in the latest weeks",
        "intensifying": "a lasting hotspot, intensifying",
        "persistent": "a lasting hotspot",
        "diminishing": "a lasting hotspot, easing in the latest weeks",
        "sporadic": "an on-and-off hotspot",
    },
}
STEADY_PERCENT = 1  # a change of the relative risk below this many percent reads "steady"
SMALL_RISK = 0.1  # an earlier relative risk below this: a change is quoted from–to, not in percent
TYPICAL = {  # what a relative risk of 1.0 is: a typical unit of the same kind
    "zh": {
        "grid": "典型网格",
        "community": "典型社区",
        "township": "典型乡镇街道",
        "county": "典型县区",
        "city": "全市常态",
    },
    "en": {
        "grid": "a typical grid",
        "community": "a typical community",
        "township": "a typical township",
        "county": "a typical county",
        "city": "the city's usual level",
    },
}
PEERS = {  # whose median a unit is compared with
    "zh": {"grid": "本县网格", "community": "本县社区", "township": "本县乡镇街道", "county": "全市县区"},
    "en": {
        "grid": "grids of the county",
        "community": "communities of the county",
        "township": "townships of the county",
        "county": "counties of the city",
    },
}
# The fact each component quotes: (fact key, zh unit, en noun, zh period, en period).
FACTS = {
    "case_intensity": ("cases_30d", "起", "cases", "近30天 ", "in 30 days"),
    "overdue": ("overdue", "件", "overdue", "", ""),
    "open": ("open", "件", "open", "", ""),
    "repeat": ("repeat", "起", "repeats", "近{repeat_days}天 ", "in {repeat_days} days"),
    "escalation": ("escalated_30d", "起", "escalated", "近30天 ", "in 30 days"),
}
MAX_PARTS = 3
# Never named in a sentence: the explanations are public, and a key-population ratio would
# tell more than the band its load enters the score as (README, "Risk scores").
UNNAMED = frozenset({"key_population"})
NOTABLE_RATIO = 1.1  # a component this far above typical is worth naming
CHUNK_ROWS = 4096  # units explained at a time by explained_chunks


@dataclass(frozen=True)
class Unit:
    """Everything one explanation needs about one grid or area."""

    kind: str  # grid, community, township, county, city
    level: str
    score: float
    relative_risk: float
    ratios: dict[str, float]
    contributions: dict[str, float]
    facts: dict  # cases_30d, overdue, open, repeat, escalated_30d, top_categories [[code, n]]
    peer_medians: dict[str, float]
    hotspot: str | None = None
    emerging: str | None = None
    risk_low: float | None = None  # the relative risk's interval (None: stored before it was kept)
    risk_high: float | None = None
    risk_trend_week: float | None = None  # the relative risk's change since a week before
    risk_trend_month: float | None = None
    unsupported_red: bool = False


def explain(unit: Unit, config, category_names: dict, language: str) -> str:
    """The sentence in `language` ('zh' or 'en'); category_names: code -> {'zh','en'}."""
    zh = language == "zh"
    level = LEVEL_NAMES[language][unit.level]
    percent = round(config.interval * 100)
    # The relative risk leads: the 0–100 score saturates at the top (README, "Risk scores");
    # the score, Gi* z and q are the panel's details, not the sentence.
    interval = f"{unit.risk_low:.1f}–{unit.risk_high:.1f}" if unit.risk_low is not None else None
    if zh:
        head = f"{level}预警：风险为{TYPICAL['zh'][unit.kind]}的 {unit.relative_risk:.1f} 倍"
        head += f"（{percent}% 区间 {interval} 倍）。" if interval else "。"
    else:
        head = f"{level}: {unit.relative_risk:.1f} times the risk of {TYPICAL['en'][unit.kind]}"
        head += f" ({percent}% interval {interval})." if interval else "."
    parts = [_part(name, unit, config, category_names, language) for name in _top_components(unit)]
    body = ("主要因素：" + "；".join(parts) + "。") if zh else (" Mainly: " + "; ".join(parts) + ".")
    body = body if parts else ""  # no case recorded at all
    return head + body + _hotspot(unit, language) + _trend(unit, language) + _unsupported(unit, language)


def _top_components(unit: Unit) -> list[str]:
    """The largest contributions above typical; the largest one when none is above. The
    key-population load is never named."""
    named = [name for name in unit.contributions if name not in UNNAMED]
    ranked = sorted(named, key=lambda name: -unit.contributions[name])
    weighed = [name for name in ranked if unit.contributions[name] > 0]
    above = [name for name in weighed if unit.ratios[name] >= NOTABLE_RATIO]
    return (above or weighed)[:MAX_PARTS]


def _part(name: str, unit: Unit, config, category_names: dict, language: str) -> str:
    zh = language == "zh"
    component = config.component(name)
    label = component.label_zh if zh else component.label_en
    ratio = unit.ratios[name]
    text = f"{label}为{TYPICAL['zh'][unit.kind]}的 {ratio:.1f} 倍" if zh else f"{label} {ratio:.1f}× typical"
    key, unit_zh, noun_en, period_zh, period_en = FACTS[name]
    period_zh, period_en = (p.format(repeat_days=config.repeat_window_days) for p in (period_zh, period_en))
    value, median = unit.facts.get(key, 0), unit.peer_medians.get(key)
    detail = f"{period_zh}{value:.0f} {unit_zh}" if zh else f"{value:.0f} {noun_en} {period_en}".rstrip()
    if name == "case_intensity" and unit.facts.get("top_categories"):
        detail += _categories(unit.facts["top_categories"], category_names, language)
    if median is not None and unit.kind in PEERS[language]:
        peers = PEERS[language][unit.kind]
        detail += f"，{peers}中位数 {median:.0f} {unit_zh}" if zh else f", median of the {peers} {median:.0f}"
    return f"{text}（{detail}）" if zh else f"{text} ({detail})"


def _categories(top: list, category_names: dict, language: str) -> str:
    names = [f"{category_names.get(code, {}).get(language, code)} {count}" for code, count in top]
    return ("，以" + "、".join(names) + " 起为主") if language == "zh" else (", mostly " + ", ".join(names))


def _hotspot(unit: Unit, language: str) -> str:
    """The Gi* hotspot of the risk, and the emerging class from the weekly bins (a grid can be
    hot in the latest weeks before its score is), in plain words (z and q are details)."""
    emerging = EMERGING_NAMES[language].get(unit.emerging) if unit.emerging else None
    if unit.hotspot == "hot" and language == "zh":
        return "与相邻网格连片偏高，是统计上显著的热点" + (f"；按周看，{emerging}。" if emerging else "。")
    if unit.hotspot == "hot":
        return " Together with its neighbours, a significant hotspot" + (f"; by week, {emerging}." if emerging else ".")
    if emerging:
        return f"按周看，{emerging}。" if language == "zh" else f" By week, {emerging}."
    return ""


def _trend(unit: Unit, language: str) -> str:
    """The relative risk's change since a week and a month before."""
    if unit.risk_trend_week is None or unit.risk_trend_month is None:
        return ""
    week, month = (risk_change(unit.relative_risk, c, language) for c in (unit.risk_trend_week, unit.risk_trend_month))
    if language == "zh":
        return f"较上周{week}，较上月{month}。"
    return f" Since last week {week}; since last month {month}."


def relative_change(risk: float, change: float) -> float | None:
    """The change as a fraction of the earlier relative risk; None when that was near zero
    (below SMALL_RISK), where a percentage would say nothing."""
    before = risk - change
    return None if before < SMALL_RISK else change / before


def risk_change(risk: float, change: float, language: str) -> str:
    """A change of the relative risk in words: in percent of the earlier value, "steady" below
    STEADY_PERCENT, and from–to when the earlier value was near zero.

    Example:
        >>> risk_change(12.0, 2.0, "zh"), risk_change(3.0, -0.01, "en"), risk_change(0.5, 0.48, "en")
        ('上升 20%', 'steady', 'from 0.0 to 0.5 times')
        >>> risk_change(0.01, -0.04, "zh")
        '由 0.1 倍降至 0.0 倍'
    """
    relative = relative_change(risk, change)
    if relative is None:
        before, verb = risk - change, "升至" if change > 0 else "降至"
        return (
            f"由 {before:.1f} 倍{verb} {risk:.1f} 倍" if language == "zh" else f"from {before:.1f} to {risk:.1f} times"
        )
    percent = round(100 * relative)
    if abs(percent) < STEADY_PERCENT:
        return "持平" if language == "zh" else "steady"
    if language == "zh":
        return f"{'上升' if percent > 0 else '下降'} {abs(percent)}%"
    return f"{'up' if percent > 0 else 'down'} {abs(percent)}%"


def _unsupported(unit: Unit, language: str) -> str:
    if not unit.unsupported_red:
        return ""
    if language == "zh":
        return "分值已达红色线，但统计支持不足（区间下限低于橙色线且非显著热点），定为橙色。"
    return " The score reaches red, but without statistical support (interval below orange, no hotspot): orange."


def explain_table(table, config, category_names: dict, rows=None) -> tuple[list[str], list[str]]:
    """zh and en sentences for the given rows (default: all) of a model table
    (geo/risk/model.py); medians are taken over the whole table."""
    return _sentences(table, _peer_medians(table), table.index if rows is None else rows, config, category_names)


def explained_chunks(table, config, category_names: dict, size: int | None = None) -> Iterator:
    """The table in slices of `size` rows (CHUNK_ROWS), each with its sentences
    (explanation_zh and _en): a full run stores one slice while the next is explained
    (geo/risk/store.py)."""
    size, medians = size or CHUNK_ROWS, _peer_medians(table)
    for start in range(0, len(table), size):
        rows = table.index[start : start + size]
        zh, en = _sentences(table, medians, rows, config, category_names)
        yield table.loc[rows].assign(explanation_zh=zh, explanation_en=en)


def _sentences(table, medians, rows, config, category_names: dict) -> tuple[list[str], list[str]]:
    names = [c.name for c in config.components]
    zh, en = [], []
    for row, peer_median in zip(table.loc[rows].itertuples(index=False), medians.loc[rows].to_dict("records")):
        unit = Unit(
            kind=row.kind,
            level=row.level,
            score=row.score,
            relative_risk=row.relative_risk,
            ratios={name: getattr(row, f"{name}_ratio") for name in names},
            contributions={name: getattr(row, f"{name}_contribution") for name in names},
            facts={**{fact: getattr(row, fact) for fact in FACT_COLUMNS}, "top_categories": row.top_categories},
            peer_medians=peer_median,
            hotspot=_present(row.hotspot),
            emerging=_present(row.emerging),
            risk_low=_present(row.risk_low),
            risk_high=_present(row.risk_high),
            risk_trend_week=_present(row.risk_trend_week),
            risk_trend_month=_present(row.risk_trend_month),
            unsupported_red=row.score >= config.thresholds["red"] and row.level != "red",
        )
        zh.append(explain(unit, config, category_names, "zh"))
        en.append(explain(unit, config, category_names, "en"))
    return zh, en


def _peer_medians(table):
    """For each row, the median of every fact over units of its kind in its county (for counties:
    over all counties)."""
    peer_group = table["county"].where(table["kind"].isin(["grid", "community", "township"]), "")
    return table.groupby([table["kind"], peer_group.fillna("")])[list(FACT_COLUMNS)].transform("median")


def _present(value):
    """None for a missing value (NaN, None), else the value."""
    return None if value is None or value != value else value
