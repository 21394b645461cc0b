"""The overview (/overview): a league table of the units below the user's jurisdiction (or
below `?u=`, within it), what a city or county leader opens on Monday. Each row opens its unit
on the map, or its own league one level down."""

from urllib.parse import parse_qs

from dash import ALL, Input, Output, State, html

from dashboard import context
from dashboard.components import league
from dashboard.i18n import text
from dashboard.state import build_search
from geo import clock
from geo.map.league import PERIODS, SORT_KEYS, league_table, ranked

PATH = "/overview"
DEFAULT_PERIOD, DEFAULT_SORT = 30, "cases"


def on_page(pathname: str | None) -> bool:
    return (pathname or "").rstrip("/").endswith(PATH)


def layout(url: str | None = None, lang: str = "zh", search: str | None = None) -> list:
    """The page; without `url` its bare frame (what Dash checks the callbacks against)."""
    body = _body(url, _unit_code(search), DEFAULT_PERIOD, DEFAULT_SORT, lang) if url else []
    return [
        league.controls(DEFAULT_PERIOD, DEFAULT_SORT, lang),
        html.Div(body, id="league-body"),
        html.Footer(text("league_footer", lang), className="league-footer"),
    ]


def register(app, url: str) -> None:
    """The table follows the period and the sort (a `guarded(app, OVERVIEW)`)."""

    @app.callback(
        Output("league-body", "children"),
        Input("league-period", "value"),
        Input("league-sort", "value"),
        State("url", "search"),
        State("lang-store", "data"),
        prevent_initial_call=True,
    )
    def refill(period, sort, search, lang):
        return _body(url, _unit_code(search), period, sort, lang or "zh")

    app.clientside_callback(
        HEADER_SORTS,
        Output("league-sort", "value"),
        Input({"type": "league-head", "key": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )


# A click on a column's header ranks on that column (the table's headers are drawn anew with it).
HEADER_SORTS = """function (clicks) {
    var clicked = window.dash_clientside.callback_context.triggered_id;
    if (!clicked || !(clicks || []).some(function (n) { return n; })) { return window.dash_clientside.no_update; }
    return clicked.key;
}"""


def _body(url: str, code: str | None, period: int, sort: str, lang: str) -> list:
    period = period if period in PERIODS else DEFAULT_PERIOD
    sort = sort if sort in SORT_KEYS else DEFAULT_SORT
    with context.connection(url) as conn:
        unit, _refused = context.resolve_unit(conn, code)
        if unit is None or not unit.is_area:
            return [html.P(text("league_none", lang), className="hint")]
        end = context.default_end(conn)
        rows = league_table(conn, unit, end, period, clock.today(), context.figure_scope(conn, unit))
    title = text("league_title", lang, unit=unit.name, days=period, end=end.isoformat())
    links = {row["code"]: _links(row, lang) for row in rows}
    return [html.H2(title, className="league-title"), league.table(ranked(rows, sort), sort, links, lang)]


def _links(row: dict, lang: str) -> tuple[str, str | None]:
    """(the unit on the map, its own league one level down: None for a grid)."""
    search = build_search({"unit": row["code"], "lang": lang})
    return "/" + search, PATH + search if row["is_area"] else None


def _unit_code(search: str | None) -> str | None:
    values = parse_qs((search or "").lstrip("?")).get("u")
    return values[-1][:100] if values else None
