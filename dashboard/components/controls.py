"""The filter bar: dates, categories, sources, states; the colouring and the layers. Their
labels carry ids of the pattern {"type": "t", "key": ...} so the language switch can
rewrite them all in one callback."""

from dash import dcc, html

from dashboard.access import signed_in_user
from dashboard.i18n import dropdown_labels, text
from dashboard.state import LAYERS, METRICS

ZH_LABELS = dropdown_labels("zh")  # the page opens in Chinese; the language switch redraws them


def label(key: str) -> html.Span:
    """A piece of interface text that follows the language switch."""
    return html.Span(text(key, "zh"), id={"type": "t", "key": key})


def filter_bar() -> html.Div:
    return html.Div(
        [
            _field(
                "dates",
                dcc.DatePickerRange(
                    id="f-dates", display_format="YYYY-MM-DD", month_format="YYYY年M月", first_day_of_week=1
                ),
            ),
            _field(
                "categories",
                dcc.Dropdown(
                    id="f-cat", multi=True, placeholder="全部", labels=ZH_LABELS, maxHeight=400, className="dd wide"
                ),
            ),
            _field(
                "sources",
                dcc.Dropdown(
                    id="f-src", multi=True, placeholder="全部", labels=ZH_LABELS, maxHeight=400, className="dd"
                ),
            ),
            _field("states", dcc.Dropdown(id="f-st", multi=True, placeholder="全部", labels=ZH_LABELS, className="dd")),
            search_box(),
        ],
        className="filter-bar",
    )


def search_box() -> html.Div:
    """The map's search: Enter searches; the results are links (Tab to them, Enter to go)."""
    return html.Div(
        [
            html.Label(label("search"), htmlFor="map-search"),
            dcc.Input(
                id="map-search",
                type="search",
                debounce=True,  # searched on Enter (or leaving the box), not at every key
                maxLength=100,
                placeholder=text("search_hint", "zh"),
                autoComplete="off",
                className="search-input",
            ),
            html.Div(id="search-results", className="search-results", role="listbox"),
        ],
        className="field search-field",
    )


def layer_box() -> html.Div:
    """Colouring (one of METRICS) and the switchable layers, floating over the map."""
    return html.Div(
        [
            html.Div(label("colour_by"), className="box-title"),
            dcc.RadioItems(id="f-metric", options=[{"label": m, "value": m} for m in METRICS], value="risk"),
            html.Div(id="metric-note", className="box-note"),
            html.Div(label("layers"), className="box-title"),
            dcc.Checklist(id="f-layers", options=[{"label": layer, "value": layer} for layer in LAYERS], value=[]),
            html.Div(id="layer-message", className="box-note"),
        ],
        className="layer-box",
    )


def language_switch() -> dcc.RadioItems:
    return dcc.RadioItems(
        id="f-lang",
        options=[{"label": "中文", "value": "zh"}, {"label": "English", "value": "en"}],
        value="zh",
        inline=True,
        className="lang-switch",
    )


def _field(key: str, control) -> html.Div:
    return html.Div([html.Label(label(key)), control], className="field")


def user_box() -> html.Div:
    """Who is signed in, with which role, and the sign-out button (a form: POST /logout)."""
    user = signed_in_user()
    if user is None:
        return html.Div()
    return html.Div(
        [
            html.Span(user.display_name, className="user-name"),
            html.Span(label(f"role_{user.role}"), className="user-role"),
            html.Form(html.Button(label("logout"), type="submit"), action="/logout", method="POST"),
        ],
        className="user-box",
    )
