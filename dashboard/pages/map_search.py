"""The map's search box: what was found, within the user's jurisdiction, as links that open it
on the map; a single find is opened at once."""

from dash import Input, Output, State, dcc, html, no_update

from dashboard import context
from dashboard.access import jurisdiction, may
from dashboard.i18n import text
from dashboard.state import with_unit
from geo.auth.roles import CASE_DETAILS
from geo.map.search import search

MAX_SHOWN = 12


def register(app, url: str) -> None:
    """Attach the search's callback to `app` (a `guarded(app, MAP)`)."""

    @app.callback(
        Output("search-results", "children"),
        Output("url", "search", allow_duplicate=True),
        Input("map-search", "value"),
        State("url", "search"),
        State("lang-store", "data"),
        prevent_initial_call=True,
    )
    def find(value, address, lang):
        lang = lang or "zh"
        if not (value or "").strip():
            return [], no_update
        with context.connection(url) as conn:
            held = jurisdiction(conn)
            codes = None if held is None or held.whole else sorted(held.codes)
            found = [f for f in search(conn, value, may(CASE_DETAILS), codes) if _allowed(conn, f.code)][:MAX_SHOWN]
        if len(found) == 1:  # the one thing named: open it
            return [], with_unit(address, found[0].code)
        if not found:
            return html.Div(text("search_none", lang), className="search-none"), no_update
        items = [
            html.Li(
                dcc.Link(
                    [html.Span(text(f"search_{f.kind}", lang), className="search-kind"), html.Span(f.label)],
                    href=with_unit(address, f.code),
                ),
                role="option",
            )
            for f in found
        ]
        return html.Ul(items), no_update

    # A result followed (or any drill step) closes the list.
    app.clientside_callback(
        "function (code) { return []; }",
        Output("search-results", "children", allow_duplicate=True),
        Input("unit-store", "data"),
        prevent_initial_call=True,
    )


def _allowed(conn, code: str) -> bool:
    """Whether the user's jurisdiction holds the unit (the map's own rule)."""
    _unit, refused = context.resolve_unit(conn, code)
    return not refused
