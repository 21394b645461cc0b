"""The boundary layers the geocoder assigns points to, read once into memory.

Containment is tested in EPSG:4326, exactly as PostGIS would; distances (nearest building,
nearest grid) in a transverse Mercator projection centred on the layers, whose scale error is
below 0.1 % within 250 km of its centre: ample for a city or a province.
"""

from dataclasses import dataclass, field

import numpy as np
import pyproj
import shapely
from psycopg import sql

from geo.db.connection import load_query

# A single point or a small batch loads only the neighbourhood: grids meeting this box around
# the points (plus the nearest few, for points outside every grid) and the buildings in it.
NEIGHBOURHOOD_DEG = 0.01  # about 1 km: far more than the building search radius
SMALL_BATCH = 200
CURRENT_VERSION = "SELECT max(id) FROM boundary_version"
# Per layer: source, columns (the geometry comes last), geometry column, condition, order.
# Exclusive grids (schools, hospitals, parks) win over regular ones where both cover a point.
LAYER_SOURCES = {
    "grids": ("grid_current", "t.id, t.code, t.kind = 'exclusive'", "geom", "t.is_basic", "t.code"),
    "micro_grids": ("micro_grid_current", "t.id, t.code, t.grid_code", "geom", "true", "t.code"),
    "buildings": ("building", "t.id, t.code, t.standard_address", "footprint", "true", "t.id"),
}


@dataclass
class Layer:
    """One layer: ids, codes and geometries in EPSG:4326, and their metric copy once needed."""

    ids: np.ndarray
    codes: np.ndarray
    geoms: np.ndarray
    extra: dict = field(default_factory=dict)
    _metric: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def metric(self, projection: "Projection") -> np.ndarray:
        if self._metric is None:
            self._metric = projection.forward(self.geoms)
        return self._metric


class Projection:
    """A transverse Mercator projection centred on a longitude/latitude, in metres."""

    def __init__(self, lon0: float, lat0: float):
        # The pipeline pyproj builds from EPSG:4326 to this CRS (degrees to radians, then
        # tmerc), given directly: the same numbers, without the ~50 ms of looking up EPSG:4326
        # and choosing a transformation that every boundary preview and commit paid twice.
        self._transformer = pyproj.Transformer.from_pipeline(
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
            f"+step +proj=tmerc +lon_0={lon0:.6f} +lat_0={lat0:.6f} +k=1 +ellps=WGS84 +units=m"
        )

    def forward(self, geoms: np.ndarray) -> np.ndarray:
        return shapely.transform(geoms, lambda xy: np.column_stack(self._transformer.transform(xy[:, 0], xy[:, 1])))


@dataclass
class Layers:
    """Current basic grids, micro-grids and buildings, and the boundary version they belong to."""

    grids: Layer
    micro_grids: Layer
    buildings: Layer
    version_id: int
    projection: Projection
    complete: bool = True  # False when only the neighbourhood of some points was read
    around: str | None = None  # the area (WKT) whose neighbourhood was read, if that was asked


def load_layers(conn, lon=None, lat=None, around: str | None = None) -> Layers:
    """Read the layers; with points given (a small batch) only their neighbourhoods; with an
    area `around` (WKT, EPSG:4326) only the neighbourhood of that area, however many points.

    The neighbourhood is chosen so that the result for those points is the same as with the
    whole city loaded: every polygon that covers them or lies within the building search
    radius meets the box, and the nearest grids are fetched for each point of a small batch.
    Around an area (a boundary edit re-placing what lies in it: the time must not grow with
    the city), a point outside every grid takes the nearest grid within the box.
    """
    boxes = None
    if around is not None:
        area = shapely.from_wkt(around)
        boxes = [shapely.to_wkt(shapely.envelope(shapely.buffer(shapely.envelope(area), NEIGHBOURHOOD_DEG)))]
        lon = None
    elif lon is not None:
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        finite = np.isfinite(lon) & np.isfinite(lat)
        lon, lat = lon[finite], lat[finite]
        if len(lon) <= SMALL_BATCH:
            boxes = _neighbourhoods(lon, lat)
    grid_rows = _read(conn, "grids", boxes)
    if boxes is not None and lon is not None:
        grid_rows += _nearest_grid_rows(conn, lon, lat)
    grids = _grid_layer(grid_rows)
    micro_rows = _read(conn, "micro_grids", boxes)
    building_rows = _read(conn, "buildings", boxes)
    version = conn.execute(CURRENT_VERSION).fetchone()[0]
    return Layers(
        grids=grids,
        micro_grids=Layer(
            ids=_column(micro_rows, 0, np.int64),
            codes=_column(micro_rows, 1, object),
            geoms=_geoms(micro_rows, 3),
            extra={"grid_code": _column(micro_rows, 2, object)},
        ),
        buildings=Layer(
            ids=_column(building_rows, 0, np.int64),
            codes=_column(building_rows, 1, object),
            geoms=_geoms(building_rows, 3),
            extra={"address": _column(building_rows, 2, object)},
        ),
        version_id=version,
        projection=_projection_for(grids.geoms, lon, lat),
        complete=boxes is None,
        around=around,
    )


def _read(conn, layer: str, boxes: list[str] | None) -> list:
    source, columns, geom, condition, order = LAYER_SOURCES[layer]
    query = sql.SQL(load_query("shared/layer")).format(
        source=sql.Identifier(source),
        columns=sql.SQL(columns),
        geom=sql.Identifier(geom),
        condition=sql.SQL(condition),
        order=sql.SQL(order),
    )
    return conn.execute(query, {"boxes": boxes}).fetchall()


def _neighbourhoods(lon: np.ndarray, lat: np.ndarray) -> list[str]:
    """WKT of a box of ±NEIGHBOURHOOD_DEG around each point (one box per point, so that two
    far-apart points do not load everything between them)."""
    margin = NEIGHBOURHOOD_DEG
    boxes = shapely.box(lon - margin, lat - margin, lon + margin, lat + margin)
    return list(dict.fromkeys(shapely.to_wkt(boxes, rounding_precision=4)))


def _nearest_grid_rows(conn, lon, lat) -> list:
    rows = []
    for x, y in zip(lon, lat):
        if np.isfinite(x) and np.isfinite(y):
            rows += conn.execute(
                load_query("geocode/layers_nearest_grids"), {"lon": float(x), "lat": float(y)}
            ).fetchall()
    return rows


def _grid_layer(rows: list) -> Layer:
    unique = {row[0]: row for row in rows}  # the box and the nearest query may return a grid twice
    rows = sorted(unique.values(), key=lambda row: row[1])
    return Layer(
        ids=_column(rows, 0, np.int64),
        codes=_column(rows, 1, object),
        geoms=_geoms(rows, 3),
        extra={"exclusive": _column(rows, 2, bool)},
    )


def _projection_for(grid_geoms: np.ndarray, lon, lat) -> Projection:
    if len(grid_geoms):
        x0, y0, x1, y1 = shapely.total_bounds(grid_geoms)
    elif lon is not None and len(lon):
        x0, y0, x1, y1 = lon.min(), lat.min(), lon.max(), lat.max()
    else:
        return Projection(0.0, 0.0)  # nothing to measure
    return Projection((x0 + x1) / 2, (y0 + y1) / 2)


def _column(rows: list, index: int, dtype) -> np.ndarray:
    return np.array([row[index] for row in rows], dtype=dtype)


def _geoms(rows: list, index: int) -> np.ndarray:
    return shapely.from_wkb(np.array([row[index] for row in rows], dtype=object))
