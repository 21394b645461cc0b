"""Overview: how many areas, grids, buildings and records the database holds, per level."""

from dash import html

from dashboard import context
from geo.overview import LAYER_LABELS_ZH, level_counts

HIERARCHY = ("city", "county", "township", "community", "grid_basic", "micro_grid", "building", "building_unit")


def layout(url: str) -> list:
    """Header plus two tables: the drill-down hierarchy, and the other layers."""
    with context.connection(url) as conn:  # the administrator's scope: the whole database
        counts = dict(level_counts(conn))
    rest = [layer for layer in counts if layer not in HIERARCHY]
    return [
        html.H2("数据总览", className="overview-title"),
        html.Main(
            [
                _card("层级", "从市到楼栋的下钻路径", HIERARCHY, counts, "hierarchy"),
                _card("图层与记录", "事件、重点人群（仅计数）、场所、点位", rest, counts, "layers"),
            ]
        ),
        html.Footer("数据直接读自数据库；风险评分按日计算（python -m geo risk），在地图页查看。"),
    ]


def _card(title: str, subtitle: str, layers, counts: dict, table_id: str) -> html.Section:
    rows = [
        html.Tr([html.Th(LAYER_LABELS_ZH[layer]), html.Td(f"{counts[layer]:,}", className="count")]) for layer in layers
    ]
    return html.Section(
        [html.H2(title), html.P(subtitle, className="hint"), html.Table(html.Tbody(rows), id=table_id)],
        className="card",
    )
