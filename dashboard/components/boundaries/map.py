"""The boundary editor's map: the offline basemap, the community outline, buildings, grids,
micro-grids, the grids of another moment (dashed), the problems found, the drawing in
progress and the selected grid's handles. Functions come from assets/boundaries.js."""

import dash_leaflet as dl
from dash import html

from dashboard import context
from dashboard.components import map_view
from dashboard.components.map_view import EMPTY


def js(name: str) -> dict:
    """A function of assets/boundaries.js, as dash-leaflet references it."""
    return map_view.js(name, "boundaryMap")


def boundary_map(lang: str) -> html.Div:
    """The map and its layers (ids bnd-*), empty until a community is chosen."""
    layers = [
        map_view.basemap_layer(lang),
        dl.GeoJSON(id="bnd-buildings", data=EMPTY, hideout={}, style=js("buildingStyle")),
        dl.GeoJSON(id="bnd-grids", data=EMPTY, hideout={}, style=js("gridStyle"), onEachFeature=js("gridLabel")),
        dl.GeoJSON(id="bnd-micro", data=EMPTY, style=js("microStyle"), interactive=False),
        dl.GeoJSON(id="bnd-outline", data=EMPTY, style=js("communityStyle"), interactive=False),
        dl.GeoJSON(id="bnd-history-layer", data=EMPTY, style=js("historyStyle"), interactive=False),
        dl.GeoJSON(
            id="bnd-problems",
            data=EMPTY,
            style=js("problemStyle"),
            pointToLayer=js("problemPoint"),
            onEachFeature=js("problemLabel"),
        ),
        dl.GeoJSON(id="bnd-drawing", data=EMPTY, style=js("drawingStyle"), pointToLayer=js("drawingPoint")),
        dl.GeoJSON(id="bnd-handles", data=EMPTY, pointToLayer=js("handle")),
    ]
    return html.Div(
        dl.Map(
            layers,
            id="bnd-map",
            **context.home_view(),
            maxZoom=19,
            preferCanvas=True,
            zoomSnap=0.25,
            # A double click ends nothing here; it would zoom while the planner draws.
            doubleClickZoom=False,
            className="map",
        ),
        className="bnd-map-wrap",
    )
