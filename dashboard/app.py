"""Creates the Dash app and serves it with gunicorn (several workers, not Flask's development
server), behind the project's own nginx when installed (dashboard/proxy.py). Pages: the safety map at /, the data overview at /overview, the boundary editor at
/boundaries, the dispatch desk at /cases, the grid worker's phone page at /m, and the live wall screen at /wall/ (a Dash app of its own on the same server: no
header, its own callbacks)."""

import sys
import time

import dash
import flask
from dash import ALL, Input, Output, State, dcc, html
from gunicorn.app.base import BaseApplication

from dashboard import proxy
from dashboard.access import OWNER_DATABASE_KEY, SIGNED_IN, guarded, may
from dashboard.components import panel
from dashboard.components.controls import label, language_switch, user_box
from dashboard.login import setup_login
from dashboard.login_limits import trust_proxies
from dashboard.ogc import register_ogc
from dashboard.open311 import register_open311
from dashboard.pages import (
    boundaries,
    cases,
    cross_filter,
    data_page,
    key_person_records,
    map_search,
    overview,
    phone,
    safety_map,
    time_control,
    wall,
)  # fmt: skip
from dashboard.routes import register_routes
from dashboard.security import harden
from geo.auth.roles import BOUNDARIES, CASE_DESK, DATA, KEY_PERSON_RECORDS, MAP, OVERVIEW, PHONE, WALL
from geo.db.connection import app_database_url, database_url
from geo.db.pool import get_pool
from geo.loop import scheduler
from geo.map import areas
from geo.map.basemap import cache_dir_for
from geo.settings import PROJECT_ROOT, get_settings

WALL_PATH = "/wall/"
WORKER_THREADS = 4  # of each gunicorn worker process


def create_app(url: str | None = None, own_proxy: bool = False) -> dash.Dash:
    """The Dash app reading from database `url` (default: the configured database), served
    behind the dashboard's own nginx when `own_proxy` (it then trusts that proxy's
    X-Forwarded-For).

    Scripts and styles are served by the app itself (nothing from the internet).
    """
    app = dash.Dash(
        __name__,
        title="平安地图",
        assets_folder=str(_assets_dir()),
        serve_locally=True,
        update_title=None,
        compress=True,  # gzip and brotli of responses, by flask-compress
    )
    # Every request reads as the role that owns nothing, so row-level security holds.
    owner_url = url or database_url()
    url = app_database_url(owner_url)
    setup_login(app.server, url)
    app.server.config[OWNER_DATABASE_KEY] = owner_url
    app.layout = _layout
    # The editor's parts appear only at /boundaries; Dash checks its callbacks against these.
    app.validation_layout = html.Div(
        [
            _layout(),
            boundaries.layout(),
            key_person_records.layout(),
            cases.layout(),
            phone.layout(),
            *overview.layout(),
            *panel.clickable_parts(),
        ]
    )
    safety_map.register(guarded(app, MAP), url)
    map_search.register(guarded(app, MAP), url)
    cross_filter.register(guarded(app, MAP), url)
    time_control.register(guarded(app, MAP), url)
    boundaries.register_page(guarded(app, SIGNED_IN))  # its container is in every layout
    boundaries.register(guarded(app, BOUNDARIES), url)
    key_person_records.register(guarded(app, KEY_PERSON_RECORDS), url)
    cases.register_page(guarded(app, SIGNED_IN), url)  # its container is in every layout
    cases.register(guarded(app, CASE_DESK), url)
    phone.register_page(guarded(app, SIGNED_IN), url)
    phone.register(guarded(app, PHONE), url)
    register_routes(app.server, url, cache_dir_for(url))
    register_open311(app.server, url)
    register_ogc(app.server, url)  # its own tokens, not the browser's session (dashboard/ogc.py)
    # Without nginx in front, Flask itself refuses larger bodies (nginx: dashboard/nginx.conf.in).
    app.server.config["MAX_CONTENT_LENGTH"] = proxy.BODY_LIMIT_MB * 2**20
    add_server_timing(app.server)
    app.wall_app = create_wall(app.server, url)
    harden(app.server, [app, app.wall_app])
    trust_proxies(app.server, own_proxy)

    app.clientside_callback(NAV_IN_LANGUAGE, Output(nav_id(ALL), "href"), Input("lang-store", "data"))

    overview.register(guarded(app, OVERVIEW), url)

    @guarded(app, SIGNED_IN).callback(
        Output("map-page", "style"),
        Output("overview-page", "children"),
        Input("url", "pathname"),
        Input("lang-store", "data"),
        State("url", "search"),
    )
    def route(pathname, lang, search):
        if overview.on_page(pathname) and may(OVERVIEW):
            return {"display": "none"}, overview.layout(url, lang or "zh", search)
        if data_page.on_page(pathname) and may(DATA):
            return {"display": "none"}, data_page.layout(url, lang or "zh")
        if boundaries.on_page(pathname) and may(BOUNDARIES):
            return {"display": "none"}, []
        if (cases.on_page(pathname) and may(CASE_DESK)) or (phone.on_page(pathname) and may(PHONE)):
            return {"display": "none"}, []
        return {}, []

    return app


def create_wall(server: flask.Flask, url: str) -> dash.Dash:
    """The wall screen's Dash app at /wall/ on `server`, reading database `url`."""
    wall_app = dash.Dash(
        __name__,
        server=server,
        url_base_pathname=WALL_PATH,
        title="平安地图 · 指挥大屏",
        assets_folder=str(_assets_dir()),
        serve_locally=True,
        update_title=None,
        compress=True,
    )
    wall_app.layout = wall.layout
    wall.register(guarded(wall_app, WALL), url)
    return wall_app


def add_server_timing(server: flask.Flask) -> None:
    """Every response says how long the server worked on it (`Server-Timing: app;dur=<ms>`),
    so the benchmark and the browser's developer tools see server time apart from transfer."""

    @server.before_request
    def start_clock():
        flask.g.started = time.perf_counter()

    @server.after_request
    def report_time(response):
        if "started" in flask.g:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - flask.g.started) * 1000:.1f}"
        return response


def nav_id(path: str) -> dict:
    return {"type": "nav", "path": path}


def _nav(key: str, path: str) -> dcc.Link:
    return dcc.Link(label(key), href=path, id=nav_id(path))


# The header's links keep the page's language (which lives in the address, `lang=`).
NAV_IN_LANGUAGE = """function (lang) {
    return window.dash_clientside.callback_context.outputs_list.map(function (output) {
        return lang === 'en' ? output.id.path + '?lang=en' : output.id.path;
    });
}"""


def _layout() -> html.Div:
    """The page frame; its links are those the signed-in user may open (Dash builds the layout
    per request)."""
    links = [_nav("map", "/")]
    links += [_nav("overview", "/overview")] if may(OVERVIEW) else []
    links += [_nav("data_nav", "/data")] if may(DATA) else []
    links += [_nav("bnd_nav", "/boundaries")] if may(BOUNDARIES) else []
    links += [_nav("desk_nav", "/cases")] if may(CASE_DESK) else []
    links += [_nav("m_nav", "/m")] if may(PHONE) else []
    links += [html.A(label("wall_nav"), href="/wall/", target="_blank", id=nav_id("/wall/"))] if may(WALL) else []
    header = html.Header(
        [
            html.Div([html.H1(label("title")), html.Span(label("subtitle"), className="subtitle")], className="brand"),
            html.Nav([*links, language_switch(), user_box()], className="top-nav"),
        ],
        className="top-bar",
    )
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            header,
            safety_map.layout(),
            html.Div(id="overview-page"),
            html.Div(id="boundaries-page"),
            html.Div(id="cases-page"),
            html.Div(id="phone-page"),
            # The editor's community and draft in this tab, for when its page is built again
            # (the language switch, the header's link) from an address without them.
            dcc.Store(id="bnd-keep", storage_type="session"),
            dcc.Store(id="desk-keep", storage_type="session"),  # the desk's case, the same way
        ],
        className="page",
        lang="zh-CN",
    )


def _assets_dir():
    return PROJECT_ROOT / "assets"


def main() -> int:
    """Serve the dashboard at SAFETY_MAP_DASH_HOST:PORT: nginx there, passing to gunicorn on a
    private Unix socket; gunicorn there itself when nginx is missing or SAFETY_MAP_PROXY=false."""
    settings = get_settings()
    nginx = proxy.nginx_binary() if settings.proxy else None
    if settings.proxy and not nginx:
        print(proxy.missing_warning(), file=sys.stderr, flush=True)
    app = create_app(own_proxy=bool(nginx))
    # Dash registers its script bundles on the first request, and with threaded workers a
    # bundle request racing that first page load is refused ("not a registered library",
    # plotly/dash#3971). One request here, before gunicorn forks, registers them for all.
    app.server.test_client().get("/")
    app.server.test_client().get(WALL_PATH)
    web_url = app_database_url(database_url())
    areas.warm_key_persons(web_url)
    print(f"safety map on http://{settings.dash_host}:{settings.dash_port}", flush=True)
    with scheduler.beside(settings.scheduler):
        if not nginx:
            bind = f"{settings.dash_host}:{settings.dash_port}"
            Server(app.server, bind=bind, workers=settings.dash_workers, database_url=web_url).run()
            return 0
        with proxy.running(settings, nginx) as socket_path:
            Server(app.server, bind=f"unix:{socket_path}", workers=settings.dash_workers, database_url=web_url).run()
    return 0


class Server(BaseApplication):
    """gunicorn running the app in this process's code (no import string, no config file):
    threaded workers, so that a slow callback does not hold up the others. Each worker opens
    its connection pool as it starts, not on its first request."""

    def __init__(self, application, bind: str, workers: int, database_url: str):
        self.application, self.bind, self.workers, self.database_url = application, bind, workers, database_url
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", self.bind)
        self.cfg.set("workers", self.workers)
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", WORKER_THREADS)
        # The pool's connections open in its background thread while the worker waits for
        # its first request: the first view after a start no longer waits for them (a new
        # connection, 20–40 ms, for each of the page's callbacks arriving at once).
        self.cfg.set("post_worker_init", lambda _worker: get_pool(self.database_url, min_size=WORKER_THREADS))
        self.cfg.set("timeout", 60)
        # Idle connections stay open longer than a person pauses between clicks: with
        # gunicorn's 2 s a request sent on a connection the server was closing failed
        # ("remote end closed connection"; 15 of 42,606 in the load test).
        self.cfg.set("keepalive", 75)

    def load(self):
        return self.application
