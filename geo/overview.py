"""Counts per level of the hierarchy, straight from the database."""

import psycopg

from geo.db.connection import load_query
from geo.shared.units import UNIT_KIND_NAMES

LAYER_LABELS_ZH = {
    **{kind: UNIT_KIND_NAMES[kind][0] for kind in ("city", "county", "township", "community")},
    "grid_basic": "基础网格",
    "grid_exclusive": "专属网格",
    "grid_all_levels": "各级网格合计",
    "micro_grid": "微网格",
    "building": "楼栋",
    "building_unit": "单元",
    "households": "户数",
    "case": "事件",
    "key_person": "重点人群",
    "key_place": "重点场所",
    "camera": "视频监控点位",
    "centre": "综治中心",
    "road": "道路",
    "water": "水系",
}


def level_counts(conn: psycopg.Connection) -> list[tuple[str, int]]:
    """(layer, count) for every level and layer, in hierarchy order.

    Example
    -------
    >>> dict(level_counts(conn))["county"]
    7
    """
    return [(layer, int(count)) for layer, count in conn.execute(load_query("overview/level_counts"))]
