"""The administrator's data page (/data): how many areas, grids, buildings and records the
database holds, per level and layer."""

from dash import html

from dashboard import context
from dashboard.i18n import pick, text
from geo.overview import LAYER_LABELS, level_counts

PATH = "/data"
HIERARCHY = ("city", "county", "township", "community", "grid_basic", "micro_grid", "building", "building_unit")


def on_page(pathname: str | None) -> bool:
    return (pathname or "").rstrip("/") == PATH


def layout(url: str, lang: str) -> list:
    """Header plus two tables: the drill-down hierarchy, and the other layers."""
    with context.connection(url) as conn:  # the administrator's scope: the whole database
        counts = dict(level_counts(conn))
    rest = [layer for layer in counts if layer not in HIERARCHY]
    return [
        html.H2(text("data_title", lang), className="overview-title"),
        html.Main(
            [
                _card(
                    text("data_hierarchy", lang),
                    text("data_hierarchy_note", lang),
                    HIERARCHY,
                    counts,
                    "hierarchy",
                    lang,
                ),
                _card(text("data_layers", lang), text("data_layers_note", lang), rest, counts, "layers", lang),
            ]
        ),
        html.Footer(text("data_footer", lang)),
    ]


def _card(title: str, subtitle: str, layers, counts: dict, table_id: str, lang: str) -> html.Section:
    rows = [
        html.Tr([html.Th(pick(LAYER_LABELS[layer], lang)), html.Td(f"{counts[layer]:,}", className="count")])
        for layer in layers
    ]
    return html.Section(
        [html.H2(title), html.P(subtitle, className="hint"), html.Table(html.Tbody(rows), id=table_id)],
        className="card",
    )
