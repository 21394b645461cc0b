"""Records (a WGS84 point, an address, or both) → placements: the geocoder's one pipeline.

Used for cases in bulk, for one address or point on the command line, and for files.
- A record with a point is placed by its point (method `coordinates`). If it also has an
  address that matches a building more than `conflict_m` away, `address_conflict_m` says so.
  If the point lies outside every grid but the address matches, the address wins (the
  coordinates are most likely in the wrong system), and the conflict is recorded.
- A record with only an address is placed at the matched building (method `address`); an
  address the matcher will not guess goes to review with its candidates.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.geocode.layers import Layers, load_layers
from geo.geocode.matcher import SURE_MATCHES, MatchSettings, match_addresses
from geo.geocode.points import NONE, assign_points
from geo.settings import get_settings

OUTPUT_COLUMNS = [
    "status",
    "method",
    "confidence",
    "lon",
    "lat",
    "grid_id",
    "grid_code",
    "micro_grid_id",
    "micro_grid_code",
    "building_id",
    "standard_address",
    "building_distance_m",
    "nearest_grid_id",
    "nearest_grid_code",
    "outside_distance_m",
    "address_conflict_m",
    "address_key",
    "candidates",
    "boundary_version_id",
]


BUILDING_POINTS = "SELECT id, ST_X(p), ST_Y(p) FROM building, ST_PointOnSurface(footprint) p WHERE id = ANY(%s)"


@dataclass
class GeocodeSettings:
    """The knobs of the geocoder, from Settings unless given."""

    building_radius_m: float
    conflict_m: float
    match: MatchSettings

    @classmethod
    def from_settings(cls) -> "GeocodeSettings":
        s = get_settings()
        return cls(
            building_radius_m=s.geocode_building_radius_m,
            conflict_m=s.geocode_conflict_m,
            match=MatchSettings(accept_score=s.geocode_accept_score, margin=s.geocode_margin),
        )


@dataclass
class Prepared:
    """Records after the database phase: the points to place and what the addresses gave."""

    lon: np.ndarray  # reported WGS84 point, NaN when none (or when a building was chosen)
    lat: np.ndarray
    chosen: np.ndarray  # building a person chose, 0 = none
    matches: list  # AddressMatch or None per record
    building: np.ndarray  # building from the choice or the address, 0 = none
    building_lon: np.ndarray  # a point on that building's surface
    building_lat: np.ndarray

    def take(self, rows) -> "Prepared":
        """The records at positions `rows` (a slice or an index array)."""
        picked = np.arange(len(self.lon))[rows]
        return Prepared(
            *(getattr(self, name)[picked] for name in ("lon", "lat", "chosen")),
            [self.matches[i] for i in picked],
            *(getattr(self, name)[picked] for name in ("building", "building_lon", "building_lat")),
        )

    def all_points(self) -> tuple[np.ndarray, np.ndarray]:
        """Every point the placement may look at: reported points and matched buildings."""
        return np.append(self.lon, self.building_lon), np.append(self.lat, self.building_lat)


def locate(conn, lon, lat, addresses, settings=None, layers=None, chosen_buildings=None) -> pd.DataFrame:
    """Place records given as WGS84 lon/lat arrays (NaN = none) and address texts (None = none).

    `chosen_buildings` (an id per record, 0 = none) are buildings a person chose: such a
    record is placed on it (method `manual`) whatever its point or address say.
    `layers` may be passed when already loaded (bulk runs). Returns a DataFrame with
    OUTPUT_COLUMNS, one row per record, in order.
    """
    settings = settings or GeocodeSettings.from_settings()
    prepared = prepare(conn, lon, lat, addresses, settings, chosen_buildings)
    layers = layers or load_layers(conn, *prepared.all_points())
    return place(layers, prepared, settings)


def prepare(conn, lon, lat, addresses, settings, chosen_buildings=None) -> Prepared:
    """The database phase: match the addresses and find the matched buildings' points."""
    count = len(addresses)
    chosen = np.zeros(count, dtype=np.int64) if chosen_buildings is None else np.asarray(chosen_buildings, np.int64)
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    # A point that is no place on Earth (after a conversion, say) counts as no point.
    unusable = (chosen > 0) | ~(np.abs(lon) <= 180) | ~(np.abs(lat) <= 90)
    lon, lat = np.where(unusable, np.nan, lon), np.where(unusable, np.nan, lat)
    has_point = np.isfinite(lon) & np.isfinite(lat)
    # Records with coordinates need an address match only to check for a conflict, and only
    # a sure one (alias or exact) may flag it: fuzzy matching is spent on the others.
    texts = np.where(chosen > 0, None, np.asarray(addresses, dtype=object))
    matches = match_addresses(conn, texts, settings.match, fuzzy=~has_point)
    # Two records may share a text, one with coordinates: that one takes only a sure match.
    sure = [
        m is not None and m.matched and (m.how in SURE_MATCHES or not point) for m, point in zip(matches, has_point)
    ]
    matches = [m if keep or m is None or not m.matched else m.unmatched() for m, keep in zip(matches, sure)]
    matched = np.array([m.building_id if m and m.matched else 0 for m in matches], dtype=np.int64)
    building = np.where(chosen > 0, chosen, matched)
    building_lon, building_lat = _building_points(conn, building)
    return Prepared(lon, lat, chosen, matches, building, building_lon, building_lat)


def place(layers: Layers, prepared: Prepared, settings, detail: bool = True) -> pd.DataFrame:
    """The placement phase, in memory: points (or matched buildings) onto the layers.
    `detail`: add codes and standard addresses (for people; bulk writes need only ids)."""
    p = prepared
    has_point = np.isfinite(p.lon) & np.isfinite(p.lat)
    point_lon = np.where(has_point, p.lon, p.building_lon)
    point_lat = np.where(has_point, p.lat, p.building_lat)
    hint = layer_index(layers.buildings.ids, np.where(has_point, 0, p.building))
    placed = assign_points(layers, point_lon, point_lat, settings.building_radius_m, building=hint)
    conflict_m = _conflict_m(layers, p.lon, p.lat, p.building_lon, p.building_lat)
    # Coordinates outside every grid, but a matching address: trust the address.
    rescue = has_point & (placed.grid == NONE) & (p.building > 0)
    if rescue.any():
        point_lon[rescue], point_lat[rescue] = p.building_lon[rescue], p.building_lat[rescue]
        redo = assign_points(
            layers,
            point_lon[rescue],
            point_lat[rescue],
            settings.building_radius_m,
            building=layer_index(layers.buildings.ids, p.building[rescue]),
        )
        _overwrite(placed, redo, rescue)
    frame = _frame(layers, placed, point_lon, point_lat, has_point & ~rescue, p.matches, detail)
    manual = p.chosen > 0
    frame.loc[manual & (frame["status"] != "review"), ["method", "confidence"]] = ["manual", 1.0]
    frame["address_conflict_m"] = np.where(conflict_m > settings.conflict_m, np.round(conflict_m, 1), np.nan)
    return frame


def _building_points(conn, building_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A point on the surface of each building (NaN for id 0)."""
    lon, lat = np.full(len(building_ids), np.nan), np.full(len(building_ids), np.nan)
    wanted = np.unique(building_ids[building_ids > 0])
    if len(wanted):
        rows = conn.execute(BUILDING_POINTS, [wanted.tolist()]).fetchall()
        table = pd.DataFrame(rows, columns=["id", "lon", "lat"]).set_index("id")
        found = building_ids > 0
        lon[found] = table["lon"].reindex(building_ids[found]).to_numpy()
        lat[found] = table["lat"].reindex(building_ids[found]).to_numpy()
    return lon, lat


def layer_index(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each wanted id in `ids` (NONE for 0 or absent)."""
    if not len(ids):
        return np.full(len(wanted), NONE)
    return np.where(wanted > 0, pd.Index(ids).get_indexer(wanted), NONE)


def _conflict_m(layers: Layers, lon, lat, building_lon, building_lat) -> np.ndarray:
    both = np.isfinite(lon) & np.isfinite(building_lon)
    distance = np.full(len(lon), np.nan)
    if both.any():
        project = layers.projection.forward
        reported = project(shapely.points(lon[both], lat[both]))
        matched = project(shapely.points(building_lon[both], building_lat[both]))
        distance[both] = shapely.distance(reported, matched)
    return distance


def _overwrite(placed, redo, rows: np.ndarray) -> None:
    for name in placed.__dataclass_fields__:
        getattr(placed, name)[rows] = getattr(redo, name)


def _frame(layers, placed, lon, lat, by_point, matches, detail: bool = True) -> pd.DataFrame:
    """The placements as a table; `detail` adds codes and the standard address (for people)."""
    grid, micro, building, nearest = placed.grid, placed.micro_grid, placed.building, placed.nearest_grid
    located = np.isfinite(lon) & np.isfinite(lat)
    status = np.where(grid != NONE, "assigned", np.where(located, "outside", "review"))
    method = np.where(status == "review", None, np.where(by_point, "coordinates", "address"))
    confidence = placed.confidence.copy()
    by_address = (status == "assigned") & ~by_point
    address_confidence = np.array([m.confidence if m else 0.0 for m in matches])
    confidence[by_address] = address_confidence[by_address]
    frame = pd.DataFrame(
        {
            "status": status,
            "method": method,
            "confidence": np.round(confidence, 3),
            "lon": np.where(status == "review", np.nan, lon),
            "lat": np.where(status == "review", np.nan, lat),
            "grid_id": pick_ids(layers.grids.ids, grid),
            "micro_grid_id": pick_ids(layers.micro_grids.ids, micro),
            "building_id": pick_ids(layers.buildings.ids, building),
            "building_distance_m": np.round(placed.building_distance_m, 1),
            "nearest_grid_id": pick_ids(layers.grids.ids, nearest),
            "outside_distance_m": np.round(placed.outside_distance_m, 1),
            "address_key": [m.key if m else None for m in matches],
            "candidates": [m.candidates_json() if m and status[i] == "review" else None for i, m in enumerate(matches)],
            "boundary_version_id": layers.version_id,
        }
    )
    if detail:
        frame["grid_code"] = pick(layers.grids.codes, grid)
        frame["micro_grid_code"] = pick(layers.micro_grids.codes, micro)
        frame["standard_address"] = pick(layers.buildings.extra["address"], building)
        frame["nearest_grid_code"] = pick(layers.grids.codes, nearest)
    return frame


def pick_ids(ids: np.ndarray, index: np.ndarray) -> pd.arrays.IntegerArray:
    """ids[index] as nullable integers, missing where index is NONE."""
    missing = index == NONE
    if not len(ids):
        return pd.array([None] * len(index), dtype="Int64")
    return pd.arrays.IntegerArray(ids[np.clip(index, 0, None)].astype(np.int64), missing)


def pick(values: np.ndarray, index: np.ndarray) -> pd.Series:
    """values[index], None where index is NONE."""
    if not len(values):
        return pd.Series([None] * len(index), dtype=object)
    picked = pd.Series(values[np.clip(index, 0, None)], dtype=object)
    return picked.where(index != NONE, None)
