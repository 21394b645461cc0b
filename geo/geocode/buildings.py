"""Buildings → grid and micro-grid, by the point on their surface and the rules of points.

What key persons, key places and a building's drill-down are counted under. Written only
where it changes, so a second run writes nothing.
"""

import numpy as np
import pandas as pd
from psycopg import sql

from geo.db.connection import load_query
from geo.db.copy import copy_rows
from geo.geocode.layers import Layers, load_layers
from geo.geocode.locate import layer_index, pick_ids
from geo.geocode.points import NONE, assign_points

MISSING = "a.building_id IS NULL"
IN_AREA = "ST_Intersects(b.footprint, ST_GeomFromText(%(area)s, 4326))"
CREATE_FRESH = "CREATE TEMP TABLE fresh_building (LIKE building_assignment INCLUDING DEFAULTS) ON COMMIT DROP"
DROP_FRESH = "DROP TABLE fresh_building"


def place_buildings(conn, area_wkt: str | None = None, only_missing: bool = False, layers: Layers | None = None) -> int:
    """Place the buildings without a placement (`only_missing`), those meeting `area_wkt`, or
    all; return the number of placements written or changed."""
    where = MISSING if only_missing else ("true" if area_wkt is None else IN_AREA)
    query = sql.SQL(load_query("geocode/buildings_to_place")).format(where=sql.SQL(where))
    rows = conn.execute(query, {"area": area_wkt}).fetchall()
    if not rows:
        return 0
    frame = pd.DataFrame(rows, columns=["id", "lon", "lat"])
    lon, lat = frame["lon"].to_numpy(), frame["lat"].to_numpy()
    if layers is None or not (layers.complete or (area_wkt is not None and layers.around == area_wkt)):
        layers = load_layers(conn, lon, lat, around=area_wkt)
    hint = layer_index(layers.buildings.ids, frame["id"].to_numpy())
    placed = assign_points(layers, lon, lat, building=hint)
    fresh = pd.DataFrame(
        {
            "building_id": frame["id"],
            "status": np.where(placed.grid != NONE, "assigned", "outside"),
            "grid_id": pick_ids(layers.grids.ids, placed.grid),
            "micro_grid_id": pick_ids(layers.micro_grids.ids, placed.micro_grid),
            "boundary_version_id": layers.version_id,
        }
    )
    conn.execute(CREATE_FRESH)
    copy_rows(conn, "fresh_building", list(fresh.columns), fresh)
    changed = conn.execute(load_query("geocode/building_assignment_upsert")).fetchone()[0]
    conn.execute(DROP_FRESH)
    return changed
