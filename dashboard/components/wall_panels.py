"""The wall screen's pieces: the map, the key figures, the lists (hotspot grids, longest
overdue, latest cases) and the tour caption. Large type, few words: read from across the room."""

import dash_leaflet as dl
import pandas as pd
from dash import html

from dashboard import context
from dashboard.components.map_view import EMPTY, TILE_URL, js
from dashboard.components.risk_figures import multiple, short_change
from dashboard.i18n import LEVEL, STATE, label, pick, text
from geo.settings import get_settings

WALL_KPIS = ("cases", "today", "week", "open", "overdue", "close_rate")


def wall_map() -> dl.Map:
    """The scope's areas coloured by risk, the focus of the tour and the live case points.
    No controls: nobody touches a wall."""
    return dl.Map(
        [
            # Tiles of the view it lands on only, not of each zoom a flight passes through.
            dl.TileLayer(
                url=get_settings().basemap_url or TILE_URL,
                maxZoom=19,
                minZoom=5,
                updateWhenIdle=True,
                updateWhenZooming=False,
                keepBuffer=1,
            ),
            dl.GeoJSON(id="wall-areas", data=EMPTY, hideout={}, style=js("areaStyle"), onEachFeature=js("areaLabel")),
            # Its own pane (its own canvas): the areas, drawn again as their colours change,
            # would otherwise cover it.
            dl.Pane(
                dl.GeoJSON(id="wall-focus", data=EMPTY, style=js("focusStyle"), pointToLayer=js("focusPoint")),
                name="focus",
                style={"zIndex": 450},
            ),
            dl.Pane(
                dl.GeoJSON(id="wall-cases", data=EMPTY, hideout={"radius": 6}, pointToLayer=js("livePoint")),
                name="points",
                style={"zIndex": 460},
            ),
        ],
        id="wall-map",
        **context.home_view(),
        maxZoom=19,
        zoomControl=False,
        attributionControl=False,
        preferCanvas=True,
        zoomSnap=0.25,
        className="wall-map",
    )


def key_figures(figures: dict, lang: str) -> list:
    tiles = []
    for key in WALL_KPIS:
        value = figures.get(key)
        shown = "–" if value is None else (f"{value:.0%}" if key == "close_rate" else f"{value:,}")
        name = text("wall_month", lang) if key == "cases" else text(f"kpi_{key}", lang)
        tiles.append(
            html.Div([html.Div(shown, className="value"), html.Div(name, className="name")], className=f"tile {key}")
        )
    return tiles


def hotspot_list(grids: list[dict], lang: str) -> list:
    rows = [
        html.Li(
            [
                html.Span(grid["name"], className="name"),
                html.Span(multiple(grid["relative_risk"], lang), className=f"score {grid['level']}"),
            ]
        )
        for grid in grids
    ]
    return [html.H3(text("wall_hotspots", lang)), html.Ol(rows or [html.Li(text("none", lang))])]


def overdue_list(frame: pd.DataFrame, names: dict, now, lang: str) -> list:
    rows = []
    for row in frame.itertuples():
        days = max(1, int((now - row.deadline).total_seconds() // 86400))
        rows.append(
            html.Li(
                [
                    html.Span(text("wall_overdue_by", lang, days=days), className="age"),
                    html.Span(names.get(row.category, row.category), className="kind"),
                    html.Span(row.grid_name, className="where"),
                ]
            )
        )
    return [html.H3(text("wall_overdue", lang)), html.Ul(rows or [html.Li(text("none", lang))])]


def escalation_list(frame: pd.DataFrame, names: dict, lang: str) -> list:
    """The scope's escalations of the last day: when, what, where, to which level."""
    rows = [
        html.Li(
            [
                html.Span(f"{row.at:%H:%M}", className="time"),
                html.Span(names.get(row.category, row.category), className="kind"),
                html.Span(row.grid_name or "", className="where"),
                html.Span(
                    text("wall_escalated_to", lang, level=row.level_en if lang == "en" else row.level_zh),
                    className="level",
                ),  # fmt: skip
            ]
        )
        for row in frame.itertuples()
    ]
    return [html.H3(text("wall_escalations", lang)), html.Ul(rows or [html.Li(text("none", lang))])]


def ticker(rows: list[dict], names: dict, new_after: str | None, lang: str) -> list:
    """The latest cases, newest first; those reported after `new_after` (ISO time of the
    last tour's start) are marked new."""
    items = []
    for row in rows:
        fresh = new_after is not None and row["reported_at"] > new_after
        items.append(
            html.Li(
                [
                    html.Span(row["reported_at"][11:19], className="time"),
                    html.Span(names.get(row["category"], row["category"]), className="kind"),
                    html.Span(row["summary"], className="summary"),
                    html.Span(row["grid_name"], className="where"),
                    html.Span(label(STATE, row["state"], lang), className=f"state {row['state']}"),
                ],
                className="new" if fresh else "",
            )
        )
    return [html.H3(text("wall_latest", lang)), html.Ul(items or [html.Li(text("wall_no_cases", lang))])]


def legend(lang: str) -> list:
    return [
        html.Span([html.I(className=f"swatch {level}"), pick(LEVEL[level], lang)], className="legend-item")
        for level in ("red", "orange", "yellow", "blue")
    ]


def red_caption(red: dict, lang: str) -> list:
    """The tour's red step in two short lines as large as the figures (which grid, how far
    above typical and where it is going); the explanation below in small type, clipped by the
    page when there is no room. The title says "turned red" only of a grid whose level rose."""
    title = "wall_tour_red" if red["newly_red"] else "wall_tour_red_highest"
    change, _direction = short_change(red["relative_risk"], red.get("risk_trend_week"))
    figures = text("wall_red_figures", lang, risk=multiple(red["relative_risk"], lang), change=change)
    explanation = red["explanation_en" if lang == "en" else "explanation_zh"]
    return [
        html.Div(text(title, lang, name=red["name"]), className="headline"),
        html.Div(figures, className="figures"),
        html.P(explanation, className="detail"),
    ]
