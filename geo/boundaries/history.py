"""Boundaries through time: which versions changed a community, and its grids and micro-grids
as they were at any moment (the versions valid then: valid_from <= t < valid_to)."""

import datetime as dt

import geopandas as gpd
import shapely

from geo.boundaries.store import read_community
from geo.db.connection import load_query
from geo.db.frames import query_frame


def versions(conn, community_code: str) -> list[dict]:
    """The commits that changed the community, newest first: id, created_at, author, note
    (the reason), changes (rows in boundary_change)."""
    community = read_community(conn, code=community_code)
    frame = query_frame(conn, load_query("boundaries/versions"), {"community_id": community.id})
    return frame.to_dict("records")


def grids_as_of(conn, community_code: str, at: dt.datetime | None = None) -> gpd.GeoDataFrame:
    """The community's grids valid at `at` (now when None), EPSG:4326."""
    return _as_of(conn, "boundaries/grids_as_of", community_code, at)


def micro_grids_as_of(conn, community_code: str, at: dt.datetime | None = None) -> gpd.GeoDataFrame:
    """The micro-grids of the community's grids valid at `at` (now when None), EPSG:4326."""
    return _as_of(conn, "boundaries/micro_grids_as_of", community_code, at)


def _as_of(conn, query: str, community_code: str, at: dt.datetime | None) -> gpd.GeoDataFrame:
    community = read_community(conn, code=community_code)
    at = at or conn.execute("SELECT now()").fetchone()[0]
    frame = query_frame(conn, load_query(query), {"community_id": community.id, "at": at})
    geometry = shapely.from_wkb(frame.pop("wkb").to_numpy()) if len(frame) else []
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
