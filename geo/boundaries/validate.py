"""The rules a draft is checked against after every change: no gap and no overlap within the
community, every grid inside its parent (and every micro-grid inside its grid), no building
split between two grids, household counts in range, valid codes.

Errors block the commit; warnings (households out of range, a code off the city's code scheme, a
grid in several parts) do not. A problem the stored boundaries already had is marked
`pre_existing` and does not block either: a planner fixing one corner of a community with old
faults elsewhere can still commit. Areas are measured in square metres (see Draft.metric);
anything at or below `min_area_m2` (1 m²) is float noise.
"""

from dataclasses import dataclass, field

import numpy as np
import shapely

from geo.boundaries.codes import code_problem
from geo.boundaries.draft import Draft

MIN_AREA_M2 = 1.0
URBAN_HOUSEHOLDS = (200, 300)
RURAL_MAX_HOUSEHOLDS = 150
WARNINGS = ("households", "code_pattern", "parts")


@dataclass
class Problem:
    rule: str
    codes: list[str]
    area_m2: float | None = None
    value: float | None = None  # households, parts: the number the rule is about
    geom: object = None  # where on the map (shapely, EPSG:4326), if anywhere
    pre_existing: bool = False
    limits: tuple | None = field(default=None)

    @property
    def severity(self) -> str:
        return "warning" if self.rule in WARNINGS else "error"

    @property
    def blocks(self) -> bool:
        return self.severity == "error" and not self.pre_existing

    def key(self) -> tuple:
        return (self.rule, tuple(self.codes))


def validate(draft: Draft, base: Draft | None = None, min_area_m2: float = MIN_AREA_M2) -> list[Problem]:
    """Every problem of the draft, errors first; with `base` (the stored boundaries it started
    from), those already there are marked pre-existing."""
    problems = _check(draft, min_area_m2)
    if base is not None:
        _mark_pre_existing(draft, problems, _check(base, min_area_m2), min_area_m2)
    return sorted(problems, key=lambda p: (p.severity != "error", p.pre_existing, p.rule, p.codes))


def _mark_pre_existing(draft: Draft, problems: list[Problem], stored: list[Problem], min_area_m2: float) -> None:
    """A problem is pre-existing when the stored boundaries had one of the same kind between the
    same codes and, where it has a place, no more than `min_area_m2` of it lies outside the
    stored problem's place: a small old sliver does not excuse a large new gap."""
    known: dict[tuple, list[Problem]] = {}
    for problem in stored:
        known.setdefault(problem.key(), []).append(problem)
    for problem in problems:
        same = known.get(problem.key())
        if not same:
            continue
        places = [p.geom for p in same if p.geom is not None]
        if problem.geom is None or not places:
            problem.pre_existing = True
            continue
        beyond = shapely.difference(problem.geom, shapely.union_all(places))
        problem.pre_existing = draft.area_m2(beyond) <= min_area_m2


def blocking(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.blocks]


def _check(draft: Draft, min_area_m2: float) -> list[Problem]:
    problems = _invalid(draft)
    if problems:  # overlays of invalid shapes mean nothing
        return problems
    for relation in _relations(draft):
        problems += _gaps(draft, relation, min_area_m2) if relation[3] else []
        problems += _overlaps(draft, relation, min_area_m2)
        problems += _outside(draft, relation, min_area_m2)
    problems += _orphans(draft)
    problems += _split_buildings(draft, min_area_m2)
    problems += _households(draft)
    problems += _codes(draft)
    problems += _parts(draft)
    return problems


def _relations(draft: Draft) -> list[tuple[str, object, list, bool]]:
    """(parent code, parent shape, [(child code, child shape)], check gaps) for every "children
    tile their parent" relation: the community and its basic grids, the community and its top
    grids (inside it; their gaps are the basic grids' gaps), each grid and its child grids,
    each basic grid and its micro-grids."""
    community, geom = draft.community.code, draft.community.geom
    relations = [(community, geom, [(g.code, g.geom) for g in draft.basic_grids()], True)]
    top = [(g.code, g.geom) for g in draft.grids.values() if g.parent_code is None]
    relations.append((community, geom, top, False))
    for grid in draft.grids.values():
        children = [(c.code, c.geom) for c in draft.children(grid.code)]
        micro = [(m.code, m.geom) for m in draft.micro_grids_of(grid.code)]
        if children:
            relations.append((grid.code, grid.geom, children, True))
        if micro:
            relations.append((grid.code, grid.geom, micro, True))
    return relations


def _invalid(draft: Draft) -> list[Problem]:
    items = list(draft.grids.values()) + list(draft.micro_grids.values())
    return [
        Problem("invalid", [item.code], geom=item.geom if not item.geom.is_empty else None)
        for item in items
        if item.geom.is_empty or not shapely.is_valid(item.geom)
    ]


def _gaps(draft: Draft, relation, min_area_m2: float) -> list[Problem]:
    parent_code, parent_geom, children, _gaps_checked = relation
    covered = shapely.union_all([geom for _code, geom in children])
    missing = shapely.difference(parent_geom, covered)
    pieces = [p for p in shapely.get_parts(missing) if p.geom_type == "Polygon"]
    areas = shapely.area(draft.metric(pieces)) if pieces else []
    return [
        Problem("gap", [parent_code], area_m2=float(area), geom=piece)
        for piece, area in zip(pieces, areas)
        if area > min_area_m2
    ]


def _overlaps(draft: Draft, relation, min_area_m2: float) -> list[Problem]:
    _parent, _geom, children, _gaps_checked = relation
    geoms = [geom for _code, geom in children]
    if len(geoms) < 2:
        return []
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    problems = []
    for i, j in zip(left, right):
        if i >= j:
            continue
        common = shapely.intersection(geoms[i], geoms[j])
        area = draft.area_m2(common)
        if area > min_area_m2:
            problems.append(Problem("overlap", [children[i][0], children[j][0]], area_m2=area, geom=common))
    return problems


def _outside(draft: Draft, relation, min_area_m2: float) -> list[Problem]:
    parent_code, parent_geom, children, _gaps_checked = relation
    problems = []
    for code, geom in children:
        beyond = shapely.difference(geom, parent_geom)
        area = draft.area_m2(beyond)
        if area > min_area_m2:
            problems.append(Problem("outside", [code, parent_code], area_m2=area, geom=beyond))
    return problems


def _orphans(draft: Draft) -> list[Problem]:
    problems = [
        Problem("orphan", [g.code, g.parent_code])
        for g in draft.grids.values()
        if g.parent_code is not None and g.parent_code not in draft.grids
    ]
    problems += [
        Problem("orphan", [m.code, m.grid_code])
        for m in draft.micro_grids.values()
        if m.grid_code not in draft.grids or not draft.grids[m.grid_code].is_basic
    ]
    return problems


def _split_buildings(draft: Draft, min_area_m2: float) -> list[Problem]:
    """Buildings whose footprint lies in two basic grids, by more than the threshold in each."""
    footprints = draft.buildings.footprints
    grids = draft.basic_grids()
    if not len(footprints) or not grids:
        return []
    grid_rows, building_rows = shapely.STRtree(footprints).query([g.geom for g in grids], predicate="intersects")
    pieces = shapely.intersection(footprints[building_rows], np.array([grids[i].geom for i in grid_rows]))
    areas = shapely.area(draft.metric(pieces))
    counted = building_rows[areas > min_area_m2]
    rows, counts = np.unique(counted, return_counts=True)
    problems = []
    for row in rows[counts > 1]:
        where = sorted(
            grids[g].code for g, b, a in zip(grid_rows, building_rows, areas) if b == row and a > min_area_m2
        )
        problems.append(Problem("building_split", [str(draft.buildings.codes[row]), *where], geom=footprints[row]))
    return problems


def _households(draft: Draft) -> list[Problem]:
    problems = []
    for grid in draft.basic_grids():
        if grid.kind == "exclusive":
            continue
        low, high = _household_range(draft, grid)
        if not low <= grid.households <= high:
            problems.append(Problem("households", [grid.code], value=grid.households, limits=(low, high)))
    return problems


def _household_range(draft: Draft, grid) -> tuple[int, int]:
    """The grid's own target (stored as [low, high)) or the rule: urban 200–300, rural ≤ 150."""
    if grid.target_households is not None:
        low, high = grid.target_households
        return (low or 0), (high - 1 if high is not None else 10**9)
    return URBAN_HOUSEHOLDS if draft.community.is_urban else (0, RURAL_MAX_HOUSEHOLDS)


def _codes(draft: Draft) -> list[Problem]:
    problems = []
    for grid in draft.grids.values():
        reason = code_problem(draft, grid.code, grid.level, grid.parent_code)
        if reason in ("format", "prefix"):
            problems.append(Problem(f"code_{reason}", [grid.code]))
        elif reason == "level":
            problems.append(Problem("code_pattern", [grid.code]))
        if grid.code in draft.used_codes and grid.code not in draft.base_codes:
            problems.append(Problem("code_used", [grid.code]))
        if grid.parent_code in draft.grids and draft.grids[grid.parent_code].level != grid.level - 1:
            problems.append(Problem("level", [grid.code, grid.parent_code]))
    return problems


def _parts(draft: Draft) -> list[Problem]:
    return [
        Problem("parts", [g.code], value=len(g.geom.geoms), geom=g.geom)
        for g in draft.basic_grids()
        if len(g.geom.geoms) > 1
    ]


MESSAGES = {
    "invalid": ("{codes[0]} 的边界自相交或为空", "{codes[0]} has an invalid (self-crossing or empty) boundary"),
    "gap": ("{codes[0]} 内有 {area:.0f} m² 不属于任何下级", "{area:.0f} m² of {codes[0]} belong to no child"),
    "overlap": ("{codes[0]} 与 {codes[1]} 重叠 {area:.0f} m²", "{codes[0]} and {codes[1]} overlap by {area:.0f} m²"),
    "outside": ("{codes[0]} 超出上级 {codes[1]} {area:.0f} m²", "{codes[0]} reaches {area:.0f} m² outside {codes[1]}"),
    "orphan": ("{codes[0]} 的上级 {codes[1]} 不存在", "the parent {codes[1]} of {codes[0]} is missing"),
    "building_split": ("楼栋 {codes[0]} 被 {rest} 分割", "building {codes[0]} is split between {rest}"),
    "households": (
        "{codes[0]} 有 {value:.0f} 户，应在 {limits[0]}–{limits[1]} 户",
        "{codes[0]} has {value:.0f} households, expected {limits[0]}–{limits[1]}",
    ),
    "code_format": (
        "编码 {codes[0]} 不是有效编码",
        "code {codes[0]!r} is not a code (empty, too long, control characters)",
    ),
    "code_prefix": ("编码 {codes[0]} 不以社区编码开头", "code {codes[0]} does not start with the community's code"),
    "code_pattern": (
        "编码 {codes[0]} 不符合本市编码方案的层级规则",
        "code {codes[0]} does not follow the code scheme for its level",
    ),
    "code_used": ("编码 {codes[0]} 已被其他网格使用过", "code {codes[0]} was already used by another grid"),
    "level": (
        "{codes[0]} 的层级与上级 {codes[1]} 不衔接",
        "the level of {codes[0]} does not follow its parent {codes[1]}",
    ),
    "parts": ("{codes[0]} 分成 {value:.0f} 块", "{codes[0]} is in {value:.0f} separate parts"),
}


def describe(problem: Problem, language: str = "zh") -> str:
    """One line about the problem, in Chinese (default) or English."""
    zh, en = MESSAGES[problem.rule]
    text = (en if language == "en" else zh).format(
        codes=problem.codes,
        rest=("、" if language != "en" else " and ").join(problem.codes[1:]),
        area=problem.area_m2 or 0.0,
        value=problem.value or 0,
        limits=problem.limits or (0, 0),
    )
    if problem.pre_existing:
        text += "（原有）" if language != "en" else " (already stored so)"
    return text
