"""Counts per level of the hierarchy, straight from the database."""

import psycopg

from geo.db.connection import load_query
from geo.shared.units import UNIT_KIND_NAMES

LAYER_LABELS = {  # (zh, en)
    **{kind: UNIT_KIND_NAMES[kind] for kind in ("city", "county", "township", "community")},
    "grid_basic": ("基础网格", "Basic grids"),
    "grid_exclusive": ("专属网格", "Dedicated grids"),
    "grid_all_levels": ("各级网格合计", "Grids of all levels"),
    "micro_grid": ("微网格", "Micro-grids"),
    "building": ("楼栋", "Buildings"),
    "building_unit": ("单元", "Building units"),
    "households": ("户数", "Households"),
    "case": ("事件", "Cases"),
    "key_person": ("重点人群", "Key persons"),
    "key_place": ("重点场所", "Key places"),
    "camera": ("视频监控点位", "Cameras"),
    "centre": ("综治中心", "Centres"),
    "road": ("道路", "Roads"),
    "water": ("水系", "Water"),
}
LAYER_LABELS_ZH = {layer: zh for layer, (zh, _en) in LAYER_LABELS.items()}


def level_counts(conn: psycopg.Connection) -> list[tuple[str, int]]:
    """(layer, count) for every level and layer, in hierarchy order.

    Example
    -------
    >>> dict(level_counts(conn))["county"]
    7
    """
    return [(layer, int(count)) for layer, count in conn.execute(load_query("overview/level_counts"))]
