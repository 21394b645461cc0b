"""The map: the offline basemap, the heat image, the unit's children coloured through their
style table, point layers, a breadcrumb above and a legend in the corner."""

import dash_leaflet as dl
from dash import html

from dashboard import context
from dashboard.components.controls import label
from dashboard.i18n import text
from dashboard.state import LAYERS
from geo.settings import get_settings

EMPTY = {"type": "FeatureCollection", "features": []}
TILE_URL = "/map/tiles/{z}/{x}/{y}.webp"
POINT_LAYERS = tuple(layer for layer in LAYERS if layer != "heat")


def js(name: str, namespace: str = "safetyMap") -> dict:
    """A function of one of our assets' JS namespaces (window.safetyMap: assets/safety_map.js,
    window.boundaryMap: assets/boundaries.js), as dash-leaflet references it."""
    return {"variable": f"{namespace}.{name}"}


def basemap_layer(lang: str | None) -> dl.TileLayer:
    """The offline basemap the server draws (or SAFETY_MAP_BASEMAP_URL), credited in `lang`;
    None for a map whose page credits it in its own element (Leaflet's credit line is drawn
    once and does not follow the language switch).

    Tiles load once the map stops: a fly-to between levels would otherwise fetch every zoom it
    passes through (measured: 167 tiles, 519 KB for one drill step)."""
    return dl.TileLayer(
        url=get_settings().basemap_url or TILE_URL,
        maxZoom=19,
        minZoom=5,
        updateWhenZooming=False,
        updateWhenIdle=True,
        attribution=text("basemap_credit", lang) if lang else None,
    )


def map_view() -> html.Div:
    layers = [
        basemap_layer(None),
        dl.GeoJSON(id="areas", data=EMPTY, hideout={}, style=js("areaStyle"), onEachFeature=js("areaLabel")),
        # A micro-grid's (or a building's) own micro-grid, outlined under its buildings, in a
        # pane of its own that takes no pointer events (the buildings' cards are hovered).
        dl.Pane(
            dl.GeoJSON(id="unit-outline", data=EMPTY, style=js("outlineStyle"), interactive=False),
            name="outline",
            style={"zIndex": 390, "pointerEvents": "none"},
        ),
    ]
    # The heat image lies above the areas' fill (in a pane of its own) and below the labels.
    layers.append(dl.Pane(dl.LayerGroup(id="heat-layer"), name="heat", style={"zIndex": 450}))
    # Points above the heat, drawn as SVG (see pointMarker): a canvas there would catch the
    # clicks meant for the areas below it.
    points = [
        dl.GeoJSON(id=f"points-{layer}", data=EMPTY, hideout={"layer": layer}, pointToLayer=js("pointMarker"))
        for layer in POINT_LAYERS
    ]
    layers.append(dl.Pane(points, name="points", style={"zIndex": 460}))
    return html.Div(
        [
            html.Nav(id="breadcrumb", className="breadcrumb"),
            html.Div(id="map-message", className="map-message"),
            dl.Map(
                layers,
                id="map",
                **context.home_view(),
                # Beyond the basemap's last zoom a building would fill the screen.
                maxZoom=19,
                preferCanvas=True,
                zoomSnap=0.25,
                attributionControl=False,
                className="map",
            ),
            html.Div([html.Div(id="legend"), html.Div(id="point-legend")], className="legend"),
            html.Div(["Leaflet | ", label("basemap_credit")], className="map-credit"),
        ],
        className="map-wrap",
    )
