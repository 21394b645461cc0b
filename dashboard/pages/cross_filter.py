"""Cross-filtering: a click on a category bar, a day (or week) of the trend, or a key figure
narrows the map and the panel; the active filters are shown as chips, each removed by one
click. Every change goes through the address, like the filter bar's (dashboard/state.py)."""

import datetime as dt

from dash import Input, Output, State, ctx, html, no_update

from dashboard import context
from dashboard.i18n import SOURCE, STATE, pick, text
from dashboard.state import FILTER_KEYS, build_search, parse_search

# A key figure's click: the filter it sets ({} clears the states).
KPI_FILTERS = {
    "kpi-cases": {"st": None},
    "kpi-open": {"st": "open"},
    "kpi-overdue": {"st": "overdue"},
    "kpi-close_rate": {"st": "closed"},
}
KPI_DAYS = {"kpi-today": 1, "kpi-week": 7}  # a key figure of the last days: its range
CHIPS = {"chip-dates": ("from", "to"), "chip-cat": ("cat",), "chip-src": ("src",), "chip-st": ("st",)}
CHIP_ALL = "chip-all"
CLICKED_IDS = (*KPI_FILTERS, *KPI_DAYS, *CHIPS, CHIP_ALL)  # buttons whose clicks filter (n_clicks)
HIDDEN = {"display": "none"}


def register(app, url: str) -> None:
    """Attach the cross-filter callbacks to `app` (a `guarded(app, MAP)`). Three of them, one
    per group of things clicked, since Dash calls a callback only when all its inputs are
    on the page (the charts and key figures come with the panel, the chips are always there)."""
    groups = (
        [Input("category-chart", "clickData"), Input("trend-chart", "clickData")],
        [Input(key, "n_clicks") for key in (*KPI_FILTERS, *KPI_DAYS)],
        [Input(key, "n_clicks") for key in (*CHIPS, CHIP_ALL)],
    )
    for inputs in groups:
        app.callback(
            Output("url", "search", allow_duplicate=True),
            *inputs,
            State("url", "search"),
            State("query-store", "data"),
            prevent_initial_call=True,
        )(_narrow)

    @app.callback(
        *[Output(key, "children") for key in CHIPS],
        *[Output(key, "style") for key in (*CHIPS, CHIP_ALL)],
        Output(CHIP_ALL, "children"),
        Input("query-store", "data"),
        Input("lang-store", "data"),
        State("url", "search"),
    )
    def show(query, lang, search):
        lang = lang or "zh"
        names = {}
        if (query or {}).get("categories"):  # the catalogue's names only when a chip shows them
            with context.connection(url) as conn:
                names = context.category_names(conn, lang)
        shown = chips(parse_search(search)["filter"], query or {}, names, lang)
        contents = [shown.get(key, "") for key in CHIPS]
        styles = [{} if key in shown else HIDDEN for key in CHIPS]
        styles.append({} if len(shown) > 1 else HIDDEN)
        return *contents, *styles, text("chip_clear", lang)


def _narrow(*values):
    """The address after a click (charts' clickData or tiles' and chips' n_clicks)."""
    *clicks, search, query = values
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered[0]["value"]:
        return no_update  # a chart or a tile drawn anew, not clicked
    state = parse_search(search)
    clicked = dict(zip([i["id"] for i in ctx.inputs_list], clicks, strict=False))
    changed = _narrowed(state["filter"], trigger, clicked.get(trigger), query or {})
    if changed is None:
        return no_update
    state["filter"] = changed
    return build_search(state) or "?"


def _narrowed(raw: dict, trigger: str, click, query: dict) -> dict | None:
    """The URL's filter values after the click, or None when the click says nothing."""
    raw = dict(raw)
    if trigger == "category-chart":
        code = _clicked(click, "customdata")
        if not isinstance(code, str):
            return None
        raw["cat"] = None if raw.get("cat") == code else code  # a second click on the bar undoes it
    elif trigger == "trend-chart":
        span = _clicked(click, "customdata")
        if not (isinstance(span, list) and len(span) == 2):
            return None
        raw["from"], raw["to"] = span
    elif trigger in KPI_FILTERS:
        raw.update(KPI_FILTERS[trigger])
    elif trigger in KPI_DAYS and query.get("end"):
        end = dt.date.fromisoformat(query["end"])
        raw["from"], raw["to"] = (end - dt.timedelta(days=KPI_DAYS[trigger] - 1)).isoformat(), end.isoformat()
    elif trigger in CHIPS:
        raw.update({key: None for key in CHIPS[trigger]})
    elif trigger == CHIP_ALL:
        raw = {}
    return {key: value for key, value in raw.items() if key in FILTER_KEYS and value}


def _clicked(click, field: str):
    points = (click or {}).get("points") or [{}]
    return points[0].get(field) if isinstance(points[0], dict) else None


def chips(raw: dict, query: dict, category_names: dict, lang: str) -> dict:
    """The chips' contents by id, for each kind of filter set in the address: its name, its
    values and a ×."""
    shown = {}
    if raw.get("from") or raw.get("to"):
        shown["chip-dates"] = (text("dates", lang), f"{query.get('start', '')} – {query.get('end', '')}")
    if query.get("categories"):
        shown["chip-cat"] = (text("categories", lang), ", ".join(category_names.get(c, c) for c in query["categories"]))
    if query.get("sources"):
        shown["chip-src"] = (text("sources", lang), ", ".join(pick(SOURCE[s], lang) for s in query["sources"]))
    if query.get("states"):
        shown["chip-st"] = (text("states", lang), ", ".join(pick(STATE[s], lang) for s in query["states"]))
    return {key: [html.B(f"{name}: "), values, html.Span(" ×", className="x")] for key, (name, values) in shown.items()}


def chip_bar() -> html.Div:
    """The chips, all in the page from the start (hidden while their filter is not set)."""
    buttons = [html.Button(id=key, className="chip", style=HIDDEN) for key in CHIPS]
    buttons.append(html.Button(id=CHIP_ALL, className="chip clear", style=HIDDEN))
    return html.Div(buttons, id="active-filters", className="active-filters")
