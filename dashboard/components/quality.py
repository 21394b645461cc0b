"""The area panel's closure quality (geo/loop/quality.py): the unit's figures for the map's
period, and the same per handling department, most cases first."""

from dash import html

from dashboard.i18n import text
from geo.loop.field import Coverage
from geo.loop.quality import Quality

MAX_HANDLERS = 6


def closure_quality(
    total: Quality, handlers: list[Quality], names: dict[str, str], escalated: int, coverage: Coverage, lang: str
) -> html.Div:
    """A table of the figures, one row a handler (its closed cases, on time, satisfied, not
    solved), the escalations of the period and the rounds' coverage."""
    loop = html.Table(
        [
            html.Tr([html.Th(text("quality_escalated", lang)), html.Td(f"{escalated:,}")]),
            html.Tr([html.Th(text("quality_visited_buildings", lang)), html.Td(_share(coverage.building_share))]),
            html.Tr([html.Th(text("quality_visited_places", lang)), html.Td(_share(coverage.place_share))]),
        ],
        className="facts quality-facts",
    )
    if not total.closed:
        return html.Div([html.Div(text("quality_none", lang), className="hint"), loop])
    rows = [
        ("quality_closed", f"{total.closed:,}"),
        ("quality_on_time", _share(total.share("on_time"))),
        ("quality_median", text("quality_days", lang, d=f"{total.median_days:.1f}")),
        ("quality_reopened", _share(total.share("reopened"))),
        ("quality_satisfied", _share(total.share("satisfied", "called_back"))),
        ("quality_repeats", f"{total.repeat_reports:,}"),
        ("quality_not_solved", _share(total.share("not_solved"))),
    ]
    facts = html.Table(
        [html.Tr([html.Th(text(key, lang)), html.Td(value)]) for key, value in rows], className="facts quality-facts"
    )
    head = html.Tr([html.Th(text(key, lang)) for key in ("quality_handler", "quality_closed", "quality_on_time",
                                                          "quality_satisfied", "quality_not_solved")])  # fmt: skip
    body = [
        html.Tr(
            [
                html.Td(text("quality_grids", lang) if q.handler == "grid" else names.get(q.handler, q.handler)),
                html.Td(f"{q.closed:,}"),
                html.Td(_share(q.share("on_time"))),
                html.Td(_share(q.share("satisfied", "called_back"))),
                html.Td(_share(q.share("not_solved"))),
            ]
        )
        for q in handlers[:MAX_HANDLERS]
    ]
    by_handler = html.Table([html.Thead(head), html.Tbody(body)], className="quality-handlers")
    return html.Div([facts, loop, html.H4(text("quality_by_handler", lang)), by_handler], className="quality")


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"
