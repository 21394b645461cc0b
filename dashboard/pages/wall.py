"""The live wall screen at /wall/: a dark full-screen layout for a command centre, its own Dash
app on the same server. `?scope=<area code>&tour=<seconds>&lang=en` (all optional: the whole
city, a 20 s tour, Chinese).

The browser asks what is new since its last look (`geo.live.wall`) as soon as the database
says that cases changed (assets/wall.js asks /wall/ changes for the stamp of
`geo.live.changes`, and sets `wall-nudge`), and every POLL_MS besides: the answer appends the
new cases to the live layer (a Patch, never the whole layer) and refreshes the ticker. The figures, colours and lists follow when something came in, or every FIGURES_MS.
When the database does not answer, the wall says so, greys what it showed and keeps polling:
it recovers by itself once the database is back."""

import datetime as dt
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import psycopg
import psycopg_pool
from dash import Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import access, context
from dashboard.components import map_views, wall_panels
from dashboard.components.map_view import EMPTY
from dashboard.i18n import LANGUAGES, text
from geo import clock
from geo.auth.roles import CASE_DETAILS
from geo.live import wall
from geo.map import areas, cases
from geo.map.cases import point_features
from geo.map.filters import CaseFilter
from geo.map.scope import scope_grid_ids
from geo.settings import get_settings
from geo.shared.units import children_geojson, root_unit

# A look without a nudge: the rhythm at which a wall notices an outage the listener missed.
POLL_MS = 5000
MIN_POLL_MS = 200
FIGURES_MS = 15_000
DEFAULT_TOUR_S = 20
# The live layer starts afresh this often, so that days on the wall do not pile up points.
FULL_RELOAD_S = 600
TICKER_ROWS = 8
LIST_ROWS = 4  # rows of the overdue list (the escalations one fewer): the ticker keeps room at 1080p
CAPTION_PX = 280  # the tour caption's height at 1080p, kept clear when a grid is framed (scaled in the browser)
# A look waits at most this long for a connection, and at most half the poll interval: the
# browser applies only the answer to its latest request, so a look that outlasts the
# interval would be overtaken by the next one, and a database that is gone never reported.
CONNECT_TIMEOUT_S = 0.5
DB_DOWN = (psycopg.OperationalError, psycopg_pool.PoolTimeout)
TOUR_STEPS = ("overview", "red", "overdue")
POINT_PROPERTIES = ("id", "category", "state", "new")


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Location(id="wall-url"),
            dcc.Store(id="wall-config"),
            dcc.Store(id="wall-live"),
            dcc.Store(id="wall-rev", data=0),
            dcc.Store(id="wall-tour-mark"),
            dcc.Store(id="wall-view"),  # the tour's viewport, its paddings at 1080p
            dcc.Store(id="wall-nudge"),  # the count of nudges, set by assets/wall.js
            html.Div(id="wall-looked", hidden=True),  # title: the nudge the last look answered
            dcc.Interval(id="wall-poll", interval=POLL_MS),
            dcc.Interval(id="wall-figures-tick", interval=FIGURES_MS),
            dcc.Interval(id="wall-tour", interval=DEFAULT_TOUR_S * 1000),
            dcc.Interval(id="wall-clock-tick", interval=1000),
            html.Header(
                [
                    html.H1(id="wall-title"),
                    html.Div(id="wall-scope", className="scope"),
                    html.Div(id="wall-age", className="age"),
                    html.Div(id="wall-clock", className="clock"),
                ],
                className="wall-header",
            ),
            html.Div(id="wall-banner", className="wall-banner"),
            html.Main(
                [
                    html.Section(
                        [
                            wall_panels.wall_map(),
                            html.Div(id="wall-caption", className="caption"),
                            html.Div(id="wall-legend", className="wall-legend"),
                        ],
                        className="wall-map-column",
                    ),
                    html.Aside(
                        [
                            html.Div(id="wall-kpis", className="wall-kpis"),
                            html.Div(id="wall-hotspots", className="wall-list hotspots"),
                            html.Div(id="wall-overdue", className="wall-list overdue"),
                            html.Div(id="wall-escalations", className="wall-list escalations"),
                            html.Div(id="wall-ticker", className="wall-list ticker"),
                        ],
                        className="wall-side",
                    ),
                ],
                className="wall-main",
            ),
        ],
        id="wall-root",
        className="wall",
        lang="zh-CN",
    )


def parse_config(search: str | None) -> dict:
    """{scope, tour_s, poll_ms, lang, timezone} from the wall's URL (the zone from the settings: the
    clock shows the city's time, whatever the wall PC's zone); anything unreadable falls
    back to the default."""
    raw = {key: values[-1][:100] for key, values in parse_qs((search or "").lstrip("?")).items()}
    try:
        tour_s = max(0, min(3600, int(raw.get("tour", DEFAULT_TOUR_S))))
    except ValueError:
        tour_s = DEFAULT_TOUR_S
    lang = raw.get("lang") if raw.get("lang") in LANGUAGES else "zh"
    try:
        poll_ms = max(MIN_POLL_MS, min(60_000, int(raw.get("poll", POLL_MS))))
    except ValueError:
        poll_ms = POLL_MS
    scope = (raw.get("scope") or "").strip() or None
    return {"scope": scope, "tour_s": tour_s, "poll_ms": poll_ms, "lang": lang, "timezone": get_settings().timezone}


def register(app, url: str) -> None:
    """Attach the wall's callbacks to `app` (the wall's own Dash app), reading database `url`."""

    @app.callback(
        Output("wall-config", "data"),
        Output("wall-tour", "interval"),
        Output("wall-tour", "disabled"),
        Output("wall-poll", "interval"),
        Output("wall-title", "children"),
        Input("wall-url", "search"),
    )
    def configure(search):
        config = parse_config(search)
        tour_ms = max(config["tour_s"], 1) * 1000
        return config, tour_ms, config["tour_s"] == 0, config["poll_ms"], text("wall_title", config["lang"])

    @app.callback(
        Output("wall-areas", "data"),
        Output("wall-scope", "children"),
        Output("wall-legend", "children"),
        Input("wall-config", "data"),
        Input("wall-figures-tick", "n_intervals"),
        State("wall-areas", "data"),
    )
    def draw_scope(config, _tick, shown):
        # Drawn once; again at the figures' rhythm only while a database outage kept it empty.
        if not config or (ctx.triggered_id == "wall-figures-tick" and (shown or EMPTY)["features"]):
            raise PreventUpdate
        return _unless_down(_scope_shapes, url, config)

    @app.callback(
        Output("wall-cases", "data"),
        Output("wall-live", "data"),
        Output("wall-rev", "data"),
        Output("wall-ticker", "children"),
        Output("wall-age", "children"),
        Output("wall-banner", "children"),
        Output("wall-root", "className"),
        Output("wall-looked", "title"),
        Input("wall-poll", "n_intervals"),
        Input("wall-nudge", "data"),
        Input("wall-config", "data"),  # the first look as soon as the wall is set up
        State("wall-live", "data"),
        State("wall-rev", "data"),
        State("wall-tour-mark", "data"),
    )
    def poll(_n, nudge, config, live, rev, tour_mark):
        if not config:
            raise PreventUpdate
        lang, before, looked = config["lang"], live or {}, str(nudge or "")
        try:
            points, live, fresh, ticker_rows, names = _look(url, config, before)
        except DB_DOWN:
            last = before.get("shown_at")
            banner = text("wall_down", lang, time=last) if last else text("wall_down_never", lang)
            return no_update, no_update, no_update, no_update, no_update, banner, "wall stale", looked
        # The ticker is drawn again only when its cases, the tour's mark or the language changed.
        live["ticker_shown"] = [[row["id"] for row in ticker_rows], tour_mark, lang]
        unchanged = live["ticker_shown"] == before.get("ticker_shown")
        ticker = no_update if unchanged else wall_panels.ticker(ticker_rows, names, tour_mark, lang)
        age = text("wall_updated", lang, time=live["shown_at"])
        # The figures follow only when something came in: an unchanged answer is no update,
        # since Dash fires the callbacks of an output whenever it is set.
        return points, live, (rev or 0) + 1 if fresh else no_update, ticker, age, "", "wall", looked

    @app.callback(
        Output("wall-areas", "hideout"),
        Output("wall-kpis", "children"),
        Output("wall-hotspots", "children"),
        Output("wall-overdue", "children"),
        Output("wall-escalations", "children"),
        Input("wall-rev", "data"),
        Input("wall-figures-tick", "n_intervals"),
        Input("wall-config", "data"),
    )
    def refresh_figures(_rev, _tick, config):
        if not config:
            raise PreventUpdate
        return _unless_down(_figures, url, config)

    @app.callback(
        Output("wall-view", "data"),
        Output("wall-focus", "data"),
        Output("wall-caption", "children"),
        Output("wall-tour-mark", "data"),
        Input("wall-tour", "n_intervals"),
        Input("wall-config", "data"),
        State("wall-tour-mark", "data"),
    )
    def tour(n, config, mark):
        if not config:
            raise PreventUpdate
        step = TOUR_STEPS[(n or 0) % len(TOUR_STEPS)] if config["tour_s"] else "overview"
        viewport, focus, caption = _unless_down(_tour_step, url, config, step)
        # A new round of the tour starts at the overview: what arrives after it is "new".
        new_mark = _local_now().isoformat(timespec="seconds") if step == "overview" else mark
        return viewport, focus, caption, new_mark

    # The tour's paddings are pixels at 1080p, as the caption's height is: scaled to the
    # screen's height, as the caption's type is (vh), so a 4K wall keeps the grid clear of it.
    app.clientside_callback(
        """function (view) {
            if (!view) { return window.dash_clientside.no_update; }
            var scale = window.innerHeight / 1080, options = Object.assign({}, (view || {}).options);
            ['paddingTopLeft', 'paddingBottomRight'].forEach(function (key) {
                if (options[key]) { options[key] = options[key].map(function (px) { return px * scale; }); }
            });
            return Object.assign({}, view, {options: options});
        }""",
        Output("wall-map", "viewport"),
        Input("wall-view", "data"),
        prevent_initial_call=True,
    )

    app.clientside_callback(
        """function(n, config) {
            var zone = (config || {}).timezone;
            return new Date().toLocaleTimeString('zh-CN', zone ? {hour12: false, timeZone: zone} : {hour12: false});
        }""",
        Output("wall-clock", "children"),
        Input("wall-clock-tick", "n_intervals"),
        State("wall-config", "data"),
    )


def _scope_shapes(url: str, config: dict):
    """(the scope's children as GeoJSON, the scope's name, the legend)."""
    with context.connection(url, timeout=CONNECT_TIMEOUT_S) as conn:
        unit, unknown = context.resolve_unit(conn, config["scope"])
        if unit is None:
            return EMPTY, text("empty", config["lang"]), []
        shapes = children_geojson(conn, unit)
    # The scope shown is the one watched: on a fallback its name stays, with why in small type.
    name = [unit.name]
    if unknown:
        name.append(html.Span(text("wall_unknown_scope", config["lang"], code=config["scope"]), className="fallback"))
    return shapes, name, wall_panels.legend(config["lang"])


def _unless_down(compute, *args):
    """compute(*args); when the database does not answer, no change on the page: the wall
    keeps what it shows, and the poll greys it and says why."""
    try:
        return compute(*args)
    except DB_DOWN:
        raise PreventUpdate from None


def _scope(conn, config: dict):
    """(unit, grid ids or None for everything) of the wall's scope."""
    unit, _ = context.resolve_unit(conn, config["scope"])
    if unit is not None and not (unit.is_area or unit.kind == "grid"):
        unit = root_unit(conn)  # a wall watches an area or a grid, not a building
    if unit is None:
        raise PreventUpdate
    if unit.kind == "all" or not unit.is_area:
        return unit, scope_grid_ids(conn, unit)
    return unit, context.unit_scope(conn, unit)["grid_ids"]  # remembered: this runs every second


def _look(url: str, config: dict, live: dict):
    """(points data or Patch, new live state, whether anything new came, ticker rows,
    category names)."""
    with context.connection(url, timeout=min(CONNECT_TIMEOUT_S, config["poll_ms"] / 2000)) as conn:
        _unit, grid_ids = _scope(conn, config)
        now = wall.db_now(conn)
        reload = _needs_reload(live, now, config)
        rows = wall.live_cases(conn, grid_ids, None if reload else dt.datetime.fromisoformat(live["seen_at"]))
        names = context.category_names(conn, config["lang"])
    rows["reported_at"] = rows["reported_at"].map(lambda t: t.isoformat(timespec="seconds"))
    if not access.may(CASE_DETAILS):  # a wall-screen account: category, place and time, not the text
        rows["summary"] = ""
    recent = set(live.get("recent", []))
    fresh = rows if reload else rows[~rows["id"].isin(recent)]
    # As plain Python values (astype(object)): the page's JSON gets ints and bools, not numpy's.
    table = fresh.assign(new=not reload)[[*POINT_PROPERTIES, "lon", "lat"]].astype(object)
    features = point_features(list(table.itertuples(index=False)), POINT_PROPERTIES)["features"]
    if reload:
        points = {"type": "FeatureCollection", "features": features}
    elif features:
        points = Patch()
        points["features"].extend(features)
    else:
        points = no_update  # nothing new: the layer is left alone, not drawn again
    ticker_rows = _ticker_rows(fresh, [] if reload else live.get("ticker", []))
    new_live = {
        "seen_at": now.isoformat(),
        "loaded_at": now.isoformat() if reload else live["loaded_at"],
        "scope": config["scope"],
        # Everything this look returned: the next look reaches back no further than this one.
        "recent": [int(i) for i in rows["id"]],
        "ticker": ticker_rows,
        "shown_at": now.astimezone(_zone()).strftime("%H:%M:%S"),
    }
    return points, new_live, bool(len(fresh)) and not reload, ticker_rows, names


def _needs_reload(live: dict, now: dt.datetime, config: dict) -> bool:
    if not live.get("loaded_at") or live.get("scope") != config["scope"]:
        return True
    return (now - dt.datetime.fromisoformat(live["loaded_at"])).total_seconds() > FULL_RELOAD_S


def _ticker_rows(fresh, previous: list[dict]) -> list[dict]:
    columns = ["id", "reported_at", "category", "summary", "grid_name", "state"]
    rows = fresh[columns].head(TICKER_ROWS).to_dict("records") + previous
    rows = sorted({int(r["id"]): r for r in rows}.values(), key=lambda r: (r["reported_at"], r["id"]), reverse=True)
    return [{**r, "id": int(r["id"])} for r in rows[:TICKER_ROWS]]


def _figures(url: str, config: dict):
    lang = config["lang"]
    with context.connection(url, timeout=CONNECT_TIMEOUT_S) as conn:
        unit, grid_ids = _scope(conn, config)
        today = clock.today()
        month = CaseFilter(today - dt.timedelta(days=29), today)
        figures = cases.key_figures(conn, unit, month, today, context.figure_scope(conn, unit))
        query = {"start": month.start.isoformat(), "end": today.isoformat(), "categories": [], "sources": []}
        hideout, _legend = map_views.style_table(conn, unit, {**query, "states": [], "metric": "risk"}, lang)
        hot = areas.top_grids(conn, unit, limit=6)
        overdue = wall.overdue_cases(conn, grid_ids, limit=LIST_ROWS)
        escalated = wall.escalations(conn, grid_ids, limit=LIST_ROWS - 1)
        names = context.category_names(conn, lang)
        now = wall.db_now(conn)
    return (
        hideout,
        wall_panels.key_figures(figures, lang),
        wall_panels.hotspot_list(hot, lang),
        wall_panels.overdue_list(overdue, names, now, lang),
        wall_panels.escalation_list(escalated, names, lang),
    )


def _tour_step(url: str, config: dict, step: str):
    """(viewport, focus shapes, caption) of one step of the attention tour."""
    lang = config["lang"]
    with context.connection(url, timeout=CONNECT_TIMEOUT_S) as conn:
        unit, grid_ids = _scope(conn, config)
        whole = {"bounds": unit.bounds, "transition": "flyToBounds"}
        if step == "red":
            red = wall.turned_red(conn, grid_ids)
            if red is None:
                return whole, EMPTY, text("wall_tour_no_red", lang)
            shapes, bounds = wall.red_context(conn, red["code"])
            # Room at the bottom for the caption, which sits over the map's lower left.
            framing = {"maxZoom": 18, "paddingTopLeft": [40, 40], "paddingBottomRight": [40, CAPTION_PX]}
            viewport = {"bounds": bounds, "transition": "flyToBounds", "options": framing}
            return viewport, shapes, wall_panels.red_caption(red, lang)
        if step == "overdue":
            overdue = wall.overdue_cases(conn, grid_ids, limit=LIST_ROWS).dropna(subset=["lon", "lat"])
            if overdue.empty:
                return whole, EMPTY, html.B(text("wall_tour_overdue", lang))
            south, west = float(overdue["lat"].min()), float(overdue["lon"].min())
            north, east = float(overdue["lat"].max()), float(overdue["lon"].max())
            pad = 0.005
            framing = {"maxZoom": 16, "paddingTopLeft": [60, 60], "paddingBottomRight": [60, CAPTION_PX // 2]}
            bounds = [[south - pad, west - pad], [north + pad, east + pad]]
            rows = [("overdue", lon, lat) for lon, lat in zip(overdue["lon"], overdue["lat"], strict=True)]
            marks = point_features(rows, ("role",))
            caption = html.B(text("wall_tour_overdue_n", lang, n=len(overdue)))
            return {"bounds": bounds, "transition": "flyToBounds", "options": framing}, marks, caption
    return whole, EMPTY, html.B(text("wall_tour_overview", lang))


def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def _local_now() -> dt.datetime:
    return dt.datetime.now(_zone())
