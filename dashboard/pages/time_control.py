"""The map's time control: step or play week by week through the last 52 weeks. A week is the
7 days ending 0, 7, 14… days before the newest day with cases; choosing one sets the date
range in the address, so the choropleth (by cases), the heat, the points and the panel all
show that week. Stepping and playing happen in the browser; only the week's range is asked
of the server."""

import datetime as dt

from dash import Input, Output, State, dcc, html, no_update

from dashboard import context
from dashboard.components.controls import label
from dashboard.i18n import text
from dashboard.state import build_search, parse_search

WEEKS = 52
PLAY_MS = 2000  # a week shown this long while playing

# prev / next move the week by one (from no week chosen: to the newest, or the one before);
# the player's ticks too, starting from the oldest (and again from it at the newest).
STEP = """function (prev, next, tick, week) {
    var trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || '';
    var oldest = -OLDEST, set = week !== null && week !== undefined;
    if (trigger.indexOf('time-tick') === 0) { return (!set || week === 0) ? oldest : week + 1; }
    if (trigger.indexOf('time-prev') === 0) { return set ? Math.max(oldest, week - 1) : -1; }
    return set ? Math.min(0, week + 1) : 0;
}""".replace("OLDEST", str(WEEKS - 1))
# The play button starts and pauses; reaching the newest week stops the player.
PLAY = """function (clicks, week, shown) {
    var trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || '';
    var no = window.dash_clientside.no_update;
    if (trigger.indexOf('time-play') === 0) { return shown === '⏸' ? [true, '▶'] : [false, '⏸']; }
    return week === 0 && shown === '⏸' ? [true, '▶'] : [no, no];
}"""


def time_bar() -> html.Div:
    """The control, over the map under the breadcrumb."""
    marks = {-(WEEKS - 1): "", -39: "", -26: "", -13: "", 0: ""}
    return html.Div(
        [
            html.Span(label("time_weeks"), className="time-title"),
            html.Button("◀", id="time-prev", className="time-button", title="-1"),
            html.Button("▶", id="time-play", className="time-button play", n_clicks=0),
            html.Button("▶|", id="time-next", className="time-button", title="+1"),
            dcc.Slider(
                id="time-week",
                min=-(WEEKS - 1),
                max=0,
                step=1,
                value=None,
                marks=marks,
                included=False,
                updatemode="mouseup",
                allow_direct_input=False,
                className="time-slider",
            ),
            html.Span(id="time-label", className="time-label"),
            dcc.Interval(id="time-tick", interval=PLAY_MS, disabled=True),
        ],
        className="time-bar",
    )


def register(app, url: str) -> None:
    """Attach the time control's callbacks to `app` (a `guarded(app, MAP)`)."""
    app.clientside_callback(
        STEP,
        Output("time-week", "value"),
        Input("time-prev", "n_clicks"),
        Input("time-next", "n_clicks"),
        Input("time-tick", "n_intervals"),
        State("time-week", "value"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        PLAY,
        Output("time-tick", "disabled"),
        Output("time-play", "children"),
        Input("time-play", "n_clicks"),
        Input("time-week", "value"),
        State("time-play", "children"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Output("time-label", "children"),
        Input("time-week", "value"),
        State("url", "search"),
        State("lang-store", "data"),
        prevent_initial_call=True,
    )
    def show_week(week, search, lang):
        if week is None:
            return no_update, ""
        with context.connection(url) as conn:
            newest = context.default_end(conn)
        start, end = week_range(newest, int(week))
        state = parse_search(search)
        state["filter"] = {**state["filter"], "from": start.isoformat(), "to": end.isoformat()}
        shown = text("time_week", lang or "zh", start=start.strftime("%m-%d"), end=end.strftime("%m-%d"))
        return build_search(state) or "?", shown


def week_range(newest: dt.date, week: int) -> tuple[dt.date, dt.date]:
    """The first and last day of week `week` (0: the 7 days ending on `newest`; -1 the 7 before).

    Example:
        >>> week_range(dt.date(2026, 12, 8), -1)
        (datetime.date(2026, 11, 25), datetime.date(2026, 12, 1))
    """
    end = newest + dt.timedelta(days=7 * max(-(WEEKS - 1), min(0, week)))
    return end - dt.timedelta(days=6), end
