"""Creates the Dash app and serves it. Until the map lands, one overview page."""

import dash
from dash import html

from dashboard.pages import overview
from geo.db.connection import database_url
from geo.settings import PROJECT_ROOT, get_settings


def create_app(url: str | None = None) -> dash.Dash:
    """The Dash app reading from database `url` (default: the configured database).

    Scripts and styles are served by the app itself (nothing from the internet).
    """
    app = dash.Dash(
        __name__,
        title="平安地图",
        assets_folder=str(_assets_dir()),
        serve_locally=True,
        update_title=None,
    )
    url = url or database_url()
    # A function, so every page load reads fresh counts.
    app.layout = lambda: html.Div(overview.layout(url), className="page", lang="zh-CN")
    return app


def _assets_dir():
    return PROJECT_ROOT / "assets"


def main() -> int:
    settings = get_settings()
    app = create_app()
    print(f"safety map on http://{settings.dash_host}:{settings.dash_port}")
    app.run(host=settings.dash_host, port=settings.dash_port, debug=False)
    return 0
