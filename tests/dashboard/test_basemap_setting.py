"""The basemap is the server's own unless a tile URL is configured."""

import dash_leaflet as dl

from dashboard.components import map_view
from geo.settings import get_settings


def tile_url() -> str:
    leaflet_map = next(child for child in map_view.map_view().children if isinstance(child, dl.Map))
    return next(layer for layer in leaflet_map.children if isinstance(layer, dl.TileLayer)).url


def test_an_online_basemap_replaces_the_own_only_when_configured(monkeypatch):
    monkeypatch.delenv("SAFETY_MAP_BASEMAP_URL", raising=False)
    get_settings.cache_clear()
    assert tile_url() == map_view.TILE_URL and tile_url().startswith("/map/tiles/")
    monkeypatch.setenv("SAFETY_MAP_BASEMAP_URL", "http://tiles.example/{z}/{x}/{y}.png")
    get_settings.cache_clear()
    try:
        assert tile_url() == "http://tiles.example/{z}/{x}/{y}.png"
    finally:
        monkeypatch.delenv("SAFETY_MAP_BASEMAP_URL")
        get_settings.cache_clear()
