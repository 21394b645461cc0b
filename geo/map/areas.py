"""Risk scores and key-person counts of a unit's children, its top risk grids, and the
profiles of a grid and a building. Key persons leave here as counts only, hidden (None) below
`small_count_k` and wherever a hidden count could otherwise be worked out from the totals
(geo/map/suppression.py)."""

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from geo.db.connection import connect, load_query
from geo.db.frames import query_frame
from geo.map.scope import scope_params
from geo.map.suppression import suppress_path, unpublishable
from geo.settings import get_settings
from geo.shared.units import Unit

TOP_GRIDS = 10


def latest_risk(conn: psycopg.Connection, codes: list[str]) -> dict[str, dict]:
    """{code: the latest risk row (score, level, interval, hotspot, trend, explanations)}."""
    if not codes:
        return {}
    frame = query_frame(conn, load_query("map/risk_latest"), {"codes": codes})
    return {row["code"]: row for row in frame.to_dict("records")}


def top_grids(conn: psycopg.Connection, unit: Unit, limit: int = TOP_GRIDS) -> list[dict]:
    """The unit's basic grids with the highest latest relative risk: code, name, score,
    relative_risk with its interval (risk_low, risk_high), level, hotspot, risk_trend_week."""
    if not unit.is_area:
        return []
    if unit.kind == "all":
        return query_frame(conn, load_query("map/top_grids_all"), {"limit": limit}).to_dict("records")
    params = {**scope_params(conn, unit), "limit": limit}
    return query_frame(conn, load_query("map/top_grids"), params).to_dict("records")


def child_key_persons(conn: psycopg.Connection, unit: Unit) -> dict[str, int | None]:
    """{child code: active key persons} for every child of an area (0 included), None where
    the count is hidden: below k, or hidden so that no hidden count can be worked out from
    the totals (geo/map/suppression.py). The same for every viewer, however the area was
    reached. Below the area levels there are no per-child counts.

    Example:
        >>> child_key_persons(conn, county)  # {'411802001': 212, '411802002': None, ...}
    """
    if not unit.is_area:
        return {}
    return _shown_group(conn, unit.code)


def key_persons_by_category(conn: psycopg.Connection, unit: Unit) -> dict[str, int | None]:
    """{category: active key persons} of a basic grid, every category (0 included), hidden as
    in `child_key_persons`: the grid's count in its community's table is this table's total.
    Buildings get none: their counts are too fine to protect.

    Example:
        >>> key_persons_by_category(conn, grid)  # {'care_elderly': None, 'drug': 14, ...}
    """
    if unit.kind != "grid":
        raise ValueError(f"key persons by category are shown for a basic grid, not a {unit.kind}")
    return _shown_group(conn, unit.code)


def grid_categories_shown(conn: psycopg.Connection) -> Callable[[str], dict[str, int | None]]:
    """`key_persons_by_category` by a basic grid's code, the hierarchy read once: for a loop
    over many grids (an export)."""
    k = get_settings().small_count_k
    tree = _person_tree(conn, k)
    return lambda code: _shown_in(tree, code, k)


def published_grid_key_persons(conn: psycopg.Connection, codes: list[str]) -> dict[str, int | None]:
    """{grid code: active key persons} of current basic grids, exactly as the map publishes
    them (the grid's cell in its parent's table; None where hidden), the same for every viewer.
    A code the map does not show (no current basic grid) is left out.

    Example:
        >>> published_grid_key_persons(conn, ["4118020010010001"])  # {'4118020010010001': None}
    """
    k = get_settings().small_count_k
    tree = _person_tree(conn, k)  # once: each grid's table is its parent's, shared by its siblings
    parents = {tree.parents[code] for code in codes if code in tree.parents}
    shown = {parent: _shown_in(tree, parent, k) for parent in parents}
    return {code: shown[tree.parents[code]].get(code) for code in codes if code in tree.parents}


def forget_key_persons() -> None:
    """Drop the remembered key-person hierarchies (after changing key persons or grids)."""
    with _TREES_LOCK:
        _TREES.clear()


@dataclass(frozen=True)
class _PersonTree:
    """The counts of one database's hierarchy: groups[code] = {child: count} (None is a root
    above several areas), parents[code] = parent code, and the codes whose total cannot be
    published at this k."""

    root: str | None
    groups: dict
    parents: dict
    blocked: frozenset

    def path(self, code: str | None) -> list | None:
        """Codes from the root down to `code`; None when the root is not reached."""
        path = [code]
        while path[0] != self.root and len(path) <= len(self.parents) + 1:
            if path[0] not in self.parents:
                return None
            path.insert(0, self.parents[path[0]])
        return path if path[0] == self.root else None


def _shown_group(conn: psycopg.Connection, code: str | None) -> dict[str, int | None]:
    k = get_settings().small_count_k
    return _shown_in(_person_tree(conn, k), code, k)


def _shown_in(tree: "_PersonTree", code: str | None, k: int) -> dict[str, int | None]:
    """The cells of `code`'s table as published: suppressed along its path from the root."""
    if code not in tree.groups:
        return {}
    path = tree.path(code)
    if path is None:  # outside the hierarchy (an orphan): nothing to check the counts against
        return dict.fromkeys(tree.groups[code])
    return suppress_path(tree.groups, path, k, tree.blocked)[-1].cells


def _person_tree(conn: psycopg.Connection, k: int) -> _PersonTree:
    """The hierarchy's counts, remembered per database and k until a row of a table they are
    counted from is written (or TREE_MAX_AGE_S passes): counting a province's takes 1.6 s,
    which a 30-second expiry made every worker spend twice a minute. With `map_cache_s` 0
    nothing is remembered, this neither."""
    if get_settings().map_cache_s <= 0:
        return _load_person_tree(conn, k)
    key = (conn.info.host, conn.info.port, conn.info.dbname, k)
    written = conn.execute(ROWS_WRITTEN, [list(PERSON_TREE_SOURCES)]).fetchone()[0]
    with _TREES_LOCK:
        hit = _TREES.get(key)
    if hit is not None and hit[1] == written and time.monotonic() - hit[0] < TREE_MAX_AGE_S:
        return hit[2]
    tree = _load_person_tree(conn, k)  # read after `written`: it holds at least what was counted
    with _TREES_LOCK:
        _TREES[key] = (time.monotonic(), written, tree)
    return tree


def warm_key_persons(url: str) -> None:
    """Count the hierarchy once in this process (the dashboard's, before gunicorn forks its
    workers, which inherit it): no leader's first view waits for it. A database not there
    yet is no reason not to serve: the first view counts it then."""
    try:
        with connect(url) as conn:
            _person_tree(conn, get_settings().small_count_k)
    except psycopg.Error as error:
        print(f"warning: key-person counts not prepared ({error}); the first view will count them", file=sys.stderr)


def _load_person_tree(conn: psycopg.Connection, k: int) -> _PersonTree:
    categories = [row[0] for row in conn.execute(load_query("map/key_person_categories"))]
    parents, grids, tops = {}, {}, []
    for code, parent, is_grid in conn.execute(load_query("map/key_persons_hierarchy")):
        if is_grid:
            grids.setdefault(code, dict.fromkeys(categories, 0))
        if parent is None:
            tops.append(code)
        elif not (is_grid and code in parents):  # an area's code wins over a grid's
            parents[code] = parent
    for grid, category, persons in conn.execute(load_query("map/key_persons_by_grid_category")):
        if grid in grids:
            grids[grid][category] = persons
    root = tops[0] if len(tops) == 1 else None
    if root is None:
        parents.update(dict.fromkeys(tops))
    groups = _area_groups(parents, grids)
    return _PersonTree(root, groups, parents, unpublishable(groups, root, k))


def _area_groups(parents: dict, grids: dict) -> dict:
    """{code: {child: count}} for the areas (children summed bottom-up) and the grids."""
    children: dict = {}
    for code, parent in parents.items():
        children.setdefault(parent, []).append(code)
    totals = {grid: sum(counts.values()) for grid, counts in grids.items()}
    groups = dict(grids)
    for code in _bottom_up(children):
        groups[code] = {child: totals.get(child, 0) for child in sorted(children[code])}
        totals[code] = sum(groups[code].values())
    return groups


def _bottom_up(children: dict) -> list:
    """The codes that have children, children first; a cycle in imported parent links is
    cut where it closes."""
    order, state = [], {}
    for start in children:
        stack = [(start, False)]
        while stack:
            code, done = stack.pop()
            if done:
                state[code] = "done"
                order.append(code)
            elif code in children and code not in state:
                state[code] = "open"
                stack.append((code, True))
                stack.extend((child, False) for child in children[code] if child not in state)
    return order


# The tables the hierarchy is counted from. PostgreSQL's cumulative statistics count every row
# written to them, committed or not, within seconds of the transaction's end (a backend flushes
# its counts at most once a second and, when idle, within ten): while their sum stands, a
# remembered hierarchy is still true, a few seconds at worst behind, as the 30-second expiry was.
PERSON_TREE_SOURCES = (
    "sensitive.key_person",
    "sensitive.key_person_category",
    "public.building_assignment",
    "public.grid",
    "public.admin_area",
)
ROWS_WRITTEN = """SELECT sum(pg_stat_get_tuples_inserted(t) + pg_stat_get_tuples_updated(t) + pg_stat_get_tuples_deleted(t))
FROM unnest(%s::regclass[]) t"""
TREE_MAX_AGE_S = 600  # for the writes the statistics do not count (TRUNCATE)
_TREES: dict[tuple, tuple[float, int, _PersonTree]] = {}
_TREES_LOCK = threading.Lock()


def grid_profile(conn: psycopg.Connection, code: str) -> dict | None:
    """A basic grid's facts (households, community, micro-grids, cameras, key places) and its
    staff as a list of {role, name}; None when no basic grid has the code."""
    return _profile(conn, code, "map/grid_profile", "staff", "map/grid_staff")


def building_profile(conn: psycopg.Connection, code: str) -> dict | None:
    """A building's facts (address, kind, floors, households, grid) and its units as a list of
    {unit_no, floors, households}; None when no building has the code."""
    return _profile(conn, code, "map/building_profile", "units", "map/building_units")


def _profile(conn, code: str, facts_query: str, list_name: str, list_query: str) -> dict | None:
    frame = query_frame(conn, load_query(facts_query), {"code": code})
    if frame.empty:
        return None
    profile = frame.to_dict("records")[0]
    profile[list_name] = query_frame(conn, load_query(list_query), {"code": code}).to_dict("records")
    return profile
