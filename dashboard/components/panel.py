"""The side panel's pieces: the unit's heading with its risk badge, key figures, the trend and
category charts, and the list of highest-risk grids."""

import datetime as dt

import pandas as pd
from dash import dcc, html

from dashboard.components.profile import case_table
from dashboard.components.risk_figures import multiple, risk_interval, short_change
from dashboard.i18n import KIND, LEVEL, label, pick, text
from dashboard.state import with_unit

KPI_KEYS = ("cases", "today", "week", "open", "overdue", "close_rate")
CHART_CONFIG = {"displayModeBar": False, "responsive": True}
FONT = "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


def heading(unit, name: str, risk: dict | None, lang: str) -> html.Div:
    """Unit name, kind and code, and its risk badge (or a note that there is no score)."""
    badge = html.Span(text("no_risk", lang), className="badge none")
    if risk:
        badge = html.Span(
            f"{pick(LEVEL[risk['level']], lang)} · {multiple(risk['relative_risk'], lang)}",
            className=f"badge {risk['level']}",
        )
    return html.Div(
        [
            html.Div([html.H2(name), badge], className="heading-row"),
            html.Div(f"{label(KIND, unit.kind, lang)} · {unit.code or ''}", className="hint"),
        ],
        className="unit-heading",
    )


def key_figures(figures: dict, lang: str) -> html.Div:
    tiles = []
    for key in KPI_KEYS:
        value = figures.get(key)
        shown = "–" if value is None else (f"{value:.0%}" if key == "close_rate" else f"{value:,}")
        # Buttons: a click filters the map to what the figure counts (dashboard/pages/cross_filter.py).
        tiles.append(
            html.Button(
                [
                    html.Div(shown, className="kpi-value"),
                    html.Div(text(f"kpi_{key}", lang), className="kpi-label"),
                    _changes(key, (figures.get("changes") or {}).get(key), lang),
                ],
                className=f"kpi kpi-{key}",
                id=f"kpi-{key}",
                title=text("kpi_filter", lang),
            )
        )
    return html.Div(tiles, className="kpis")


def _changes(key: str, pair, lang: str) -> html.Div | str:
    """ "环比 +12% · 同比 −3%" under a figure with a period (today: against the same weekday)."""
    if pair is None:
        return ""
    before, year = pair
    words = "kpi_vs_last_week_day" if key == "today" else "kpi_vs_before"
    return html.Div(
        [
            html.Span(f"{text(words, lang)} {_percent(before)}", className=_direction(before)),
            " · ",
            html.Span(f"{text('kpi_vs_year', lang)} {_percent(year)}", className=_direction(year)),
        ],
        className="kpi-change",
    )


def _percent(value) -> str:
    return "–" if value is None else f"{value:+.0%}"


def _direction(value) -> str:
    return "" if not value else ("up" if value > 0 else "down")


def clickable_parts() -> list:
    """The panel's parts that cross-filtering listens to, empty: what Dash checks its
    callbacks against before a panel is drawn."""
    empty = pd.DataFrame(columns=["code", "reported_at", "category", "source", "state", "summary", "address"])
    return [
        key_figures({}, "zh"),
        trend_chart(pd.DataFrame(), "zh"),
        category_chart(pd.DataFrame(), {}, "zh"),
        case_table(empty, {}, "zh", 0),
    ]


FEW_POINTS = 8  # a trend this short gets a tick per point


def trend_chart(frame, lang: str) -> dcc.Graph:
    data = []
    if not frame.empty:
        periods = [str(period) for period in frame["period"]]
        spans = _spans(list(frame["period"]))
        data = [
            {
                "type": "bar",
                "x": periods,
                "y": frame["cases"].tolist(),
                "name": text("kpi_cases", lang),
                "marker": {"color": "#9fb3c8"},
                "customdata": spans,  # the days a click on the bar filters to
            },
            {
                "type": "scatter",
                "mode": "lines",
                "x": periods,
                "y": frame["closed"].tolist(),
                "name": text("closed_count", lang),
                "line": {"color": "#2f855a", "width": 2},
            },
        ]
    layout = _layout(text("trend", lang), height=210, empty=frame.empty, lang=lang)
    layout["xaxis"] = {**layout.get("xaxis", {}), "tickformat": "%m-%d"}
    if not frame.empty and len(frame) <= FEW_POINTS:  # one tick per point: no day labelled twice
        layout["xaxis"].update(tickmode="array", tickvals=periods)
    if not frame.empty and int(frame["cases"].max()) <= FEW_POINTS:  # whole numbers only: no "0, 0, 1, 1"
        layout["yaxis"] = {**layout["yaxis"], "dtick": 1, "tickformat": "d"}
    # The lines named above the chart, out of the bars' way.
    layout["showlegend"] = True
    layout["legend"] = {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.12, "font": {"size": 11}}
    return dcc.Graph(figure={"data": data, "layout": layout}, config=CHART_CONFIG, id="trend-chart")


def _spans(periods: list) -> list[list[str]]:
    """[first day, last day] of each period of a trend: a day, or a week when they are 7 apart."""
    step = dt.timedelta(days=7 if len(periods) > 1 and (periods[1] - periods[0]).days == 7 else 1)
    return [[p.isoformat(), (p + step - dt.timedelta(days=1)).isoformat()] for p in periods]


def category_chart(frame, names: dict[str, str], lang: str) -> dcc.Graph:
    data = []
    if not frame.empty:
        shown = frame.head(8).iloc[::-1]
        counts = shown["cases"].tolist()
        data = [
            {
                "type": "bar",
                "orientation": "h",
                "y": [names.get(code, code) for code in shown["category"]],
                "x": counts,
                "text": counts,
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": "#486581"},
                "customdata": list(shown["category"]),  # the category a click on the bar filters to
            }
        ]
    layout = _layout(text("mix", lang), height=max(120, 26 * min(len(frame), 8) + 60), empty=frame.empty, lang=lang)
    layout["xaxis"] = {"visible": False}
    return dcc.Graph(figure={"data": data, "layout": layout}, config=CHART_CONFIG, id="category-chart")


def top_grid_list(grids: list[dict], search: str, lang: str) -> html.Div:
    """The highest-risk grids; each links to the grid (a drill step)."""
    if not grids:
        return html.Div()
    items = [
        html.Li(
            dcc.Link(
                [
                    html.Span(f"{rank}", className="rank"),
                    html.Span(grid["name"], className="name"),
                    html.Span(
                        multiple(grid["relative_risk"], lang),
                        className=f"score {grid['level']}",
                        title=f"{text('interval', lang)} {risk_interval(grid['risk_low'], grid['risk_high'], lang)}",
                    ),
                    _change(grid, lang),
                    html.Span(
                        "●" if grid.get("hotspot") == "hot" else "", className="hot", title=text("hotspot", lang)
                    ),
                ],
                href=with_unit(search, grid["code"]),
                className="top-link",
            )
        )
        for rank, grid in enumerate(grids, start=1)
    ]
    return html.Div([html.H3(text("top_grids", lang)), html.Ol(items, className="top-list", id="top-grids")])


def _change(grid: dict, lang: str) -> html.Span:
    shown, direction = short_change(grid["relative_risk"], grid.get("risk_trend_week"))
    return html.Span(shown, className=f"change {direction}", title=text("risk_trend_week", lang))


def _layout(title: str, height: int, empty: bool, lang: str) -> dict:
    """The charts' common layout. The figures are plain dicts, not plotly.graph_objects: those
    validate every property in Python (about 20 ms a chart, 150 ms more for a worker's first),
    which a panel of a cold view paid on every call; nor is a template sent (plotly.py's
    default would add about 10 KB a figure)."""
    layout = {
        "title": {"text": title, "font": {"size": 14}, "x": 0, "xanchor": "left"},
        "height": height,
        "margin": {"l": 8, "r": 24, "t": 32, "b": 24},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "size": 12, "color": "#334e68"},
        "bargap": 0.25,
        "yaxis": {"gridcolor": "#e4e7eb", "automargin": True},
    }
    if empty:
        layout["annotations"] = [
            {"text": text("no_data", lang), "showarrow": False, "font": {"size": 14, "color": "#9aa5b1"}}
        ]
        layout["xaxis"] = {"visible": False}
        layout["yaxis"] = {**layout["yaxis"], "visible": False}
    return layout
