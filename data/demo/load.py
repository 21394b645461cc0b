"""Write generated cities into the database with COPY, all in one transaction.

Ids are assigned here (continuing after what the tables hold), so rows can reference each
other without a round trip; sequences are moved past them at the end.
"""

import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from data.demo.generate import City
from data.demo.names import NamePool
from geo.db.bulk_load import indexes_after
from geo.db.copy import copy_rows
from geo.geocode import gazetteer
from geo.geocode.bulk import Timer, assign_pending
from geo.map import facts
from geo.shared.crs import from_wgs84, to_wgs84

ID_TABLES = [
    "admin_area",
    "grid",
    "micro_grid",
    "building",
    "building_unit",
    "cases",
    "sensitive.key_person",
    "key_place",
    "camera",
    "centre",
    "basemap.road",
    "basemap.water",
    "demo_truth.hotspot",
]

PLACEMENT_TABLES = ["case_assignment", "building_assignment"]
PLACE_BATCH = 250_000  # cases placed at a time


class IdCounter:
    """Next free id per table, read once from the database."""

    def __init__(self, conn: psycopg.Connection):
        self.next = {}
        for table in ID_TABLES:
            query = sql.SQL("SELECT coalesce(max(id), 0) + 1 FROM {}").format(sql.Identifier(*table.split(".")))
            self.next[table] = conn.execute(query).fetchone()[0]

    def take(self, table: str, count: int) -> np.ndarray:
        start = self.next[table]
        self.next[table] += count
        return np.arange(start, start + count)


def load_city(conn: psycopg.Connection, city: City, ids: IdCounter, version_id: int) -> None:
    """COPY one city's tables; the caller owns the transaction."""
    admin_ids = _load_admin(conn, city, ids)
    _load_grids(conn, city, ids, admin_ids, version_id)
    building_ids, unit_ids = _load_buildings(conn, city, ids, version_id)
    _load_cases(conn, city, ids, building_ids)
    _load_registry(conn, city, ids, building_ids, unit_ids, admin_ids)
    _load_basemap(conn, city, ids)
    copy_rows(conn, "demo_truth.grid_intensity", ["grid_code", "cases_per_year", "cases_per_household"], city.intensity)


def finish(conn: psycopg.Connection) -> dict:
    """Move sequences past the ids we assigned, then place every case with the geocoder; the
    summary's `seconds` has each step's time."""
    for table in ID_TABLES:
        schema, name = table.split(".") if "." in table else ("public", table)
        conn.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({}, 'id'), coalesce((SELECT max(id) FROM {}), 0) + 1, false)"
            ).format(sql.Literal(f"{schema}.{name}"), sql.Identifier(schema, name))
        )
    conn.execute("ANALYZE")  # the geocoder's lookups need statistics of the fresh tables
    timer = Timer()
    # The gazetteer of every new building and then every placement, their indexes built once
    # after them, and the facts counted once from the placements.
    with timer.measure("gazetteer"):
        with indexes_after(conn, gazetteer.TABLES):
            gazetteer.rebuild(conn)
        conn.execute("ANALYZE geocode.address_entry, geocode.address_key")  # empty at the ANALYZE above
    with (
        indexes_after(conn, PLACEMENT_TABLES, timer, step="placement indexes"),
        facts.counted_once_at_the_end(conn, timer),
    ):
        # In batches, so that memory stays flat: a province's million at once took 8 GB.
        placed = assign_pending(conn, batch=PLACE_BATCH)
    placed["seconds"] |= timer.seconds
    return placed


def multi(geoms) -> np.ndarray:
    """Polygons as one-part MultiPolygons, for MultiPolygon columns."""
    geoms = np.array(geoms, dtype=object)
    single = shapely.get_type_id(geoms) == 3
    geoms[single] = [shapely.MultiPolygon([g]) for g in geoms[single]]
    return geoms


def points(frame: pd.DataFrame) -> np.ndarray:
    return shapely.points(frame["lon"].to_numpy(), frame["lat"].to_numpy())


def _load_admin(conn, city: City, ids: IdCounter) -> pd.Series:
    admin = city.hierarchy.admin.copy()
    admin["id"] = ids.take("admin_area", len(admin))
    id_of = admin.set_index("code")["id"]
    admin["parent_id"] = admin["parent_code"].map(id_of).astype("Int64")
    admin["geom"] = multi(admin["geom"])
    copy_rows(conn, "admin_area", ["id", "level", "code", "name", "kind", "parent_id", "is_urban", "geom"], admin)
    return id_of


def _load_grids(conn, city: City, ids: IdCounter, admin_ids: pd.Series, version_id: int) -> None:
    grids = city.hierarchy.grids.copy()
    grids["id"] = ids.take("grid", len(grids))
    grids["community_id"] = grids["community_code"].map(admin_ids)
    grids["target_households"] = [None if r is None else f"[{r[0]},{r[1]}]" for r in grids["target_households"]]
    grids["geom"] = multi(grids["geom"])
    grids["version_id"] = version_id
    copy_rows(
        conn,
        "grid",
        [
            "id",
            "code",
            "name",
            "level",
            "is_basic",
            "kind",
            "exclusive_type",
            "community_id",
            "parent_code",
            "households",
            "target_households",
            "geom",
            "version_id",
        ],
        grids,
    )
    _load_staff(conn, grids)


def _load_staff(conn, grids: pd.DataFrame) -> None:
    """一格一长一警一专多兼: a head, a police officer, a full-timer and part-timers per basic grid."""
    names = NamePool(np.random.default_rng(len(grids)))
    rows = []
    for code in grids.loc[grids["is_basic"], "code"]:
        for role, count in (("grid_head", 1), ("grid_police", 1), ("full_time", 1), ("part_time", 3)):
            rows += [(code, role, names.person()) for _ in range(count)]
    copy_rows(
        conn, "grid_staff", ["grid_code", "role", "name"], pd.DataFrame(rows, columns=["grid_code", "role", "name"])
    )


def _load_buildings(conn, city: City, ids: IdCounter, version_id: int) -> tuple[np.ndarray, pd.Series]:
    cells = city.hierarchy.cells.copy()
    cells["id"] = ids.take("micro_grid", len(cells))
    cells["geom"] = multi(cells["geom"])
    cells["version_id"] = version_id
    copy_rows(conn, "micro_grid", ["id", "code", "grid_code", "kind", "households", "geom", "version_id"], cells)
    buildings = city.buildings.copy()
    buildings["id"] = ids.take("building", len(buildings))
    buildings["code"] = (
        buildings["micro_grid_code"] + "B" + buildings.groupby("micro_grid_code").cumcount().add(1).map("{:02d}".format)
    )
    copy_rows(
        conn,
        "building",
        [
            "id",
            "code",
            "micro_grid_code",
            "kind",
            "road",
            "house_number",
            "estate",
            "building_no",
            "standard_address",
            "floors",
            "unit_count",
            "households",
            "footprint",
        ],
        buildings,
    )
    units = city.units.copy()
    units["id"] = ids.take("building_unit", len(units))
    units["building_id"] = buildings["id"].to_numpy()[units["building"]]
    copy_rows(conn, "building_unit", ["id", "building_id", "unit_no", "floors", "households"], units)
    unit_ids = units.set_index(["building", "unit_no"])["id"]
    return buildings["id"].to_numpy(), unit_ids


CASE_COLUMNS = [
    "id",
    "code",
    "source",
    "category_code",
    "summary",
    "reported_at",
    "geom",
    "raw_lon",
    "raw_lat",
    "raw_crs",
    "address_text",
    "status",
    "deadline",
    "closed_at",
    "escalation_level",
    "state_since",
    "assignee_kind",
    "assignee",
    "mediation_outcome",
    "called_back_at",
    "satisfied",
]


def _load_cases(conn, city: City, ids: IdCounter, building_ids: np.ndarray) -> None:
    cases = city.cases.copy()
    cases["id"] = ids.take("cases", len(cases))
    # Numbered by the global id, so codes stay unique across the cities of a province run.
    cases["code"] = "SJ" + cases["reported_at"].dt.strftime("%Y%m%d") + cases["id"].map("{:08d}".format)
    _reported_location(cases)
    copy_rows(conn, "cases", CASE_COLUMNS, cases)
    truth = pd.DataFrame(
        {
            "case_id": cases["id"],
            "building_id": np.where(cases["at_building"], building_ids[cases["building"]], None),
            "address_building_id": building_ids[cases["building"]],
            "grid_code": cases["grid_code"],
            "true_geom": points(cases),
            "address_variant": cases["address_variant"],
            "address_matchable": cases["address_matchable"],
        }
    )
    copy_rows(conn, "demo_truth.case_location", list(truth.columns), truth)


def _reported_location(cases: pd.DataFrame) -> None:
    """raw_lon/raw_lat/raw_crs as reported (WGS84 or GCJ-02, or none), and geom in WGS84."""
    form = cases["location_form"].to_numpy()
    gcj = form == "gcj02"
    gcj_lon, gcj_lat = from_wgs84(cases["lon"][gcj], cases["lat"][gcj], "gcj02")
    cases["raw_lon"] = np.where(form == "address", np.nan, cases["lon"])
    cases["raw_lat"] = np.where(form == "address", np.nan, cases["lat"])
    cases.loc[gcj, "raw_lon"], cases.loc[gcj, "raw_lat"] = gcj_lon, gcj_lat
    cases["raw_crs"] = np.where(form == "address", None, form)
    # Like any writer that knows the system, store the WGS84 point of GCJ-02 reports too:
    # converted back from the raw (offset) coordinates, not taken from the truth.
    lon, lat = cases["lon"].to_numpy(copy=True), cases["lat"].to_numpy(copy=True)
    lon[gcj], lat[gcj] = to_wgs84(gcj_lon, gcj_lat, "gcj02")
    cases["geom"] = np.where(form == "address", None, shapely.points(lon, lat))


def _load_registry(conn, city, ids, building_ids, unit_ids, admin_ids) -> None:
    persons = city.key_persons.copy()
    persons["id"] = ids.take("sensitive.key_person", len(persons))
    persons["building_id"] = building_ids[persons["building"]]
    keys = list(zip(persons["building"], persons["unit_no"]))
    persons["unit_id"] = pd.array([unit_ids.get(key) for key in keys], dtype="Int64")
    copy_rows(
        conn,
        "sensitive.key_person",
        ["id", "pseudonym", "category_code", "building_id", "unit_id", "care_level", "registered_on"],
        persons,
    )
    places = city.key_places.copy()
    places["id"] = ids.take("key_place", len(places))
    places["code"] = city.code + "P" + places["id"].map("{:06d}".format)
    places["building_id"] = building_ids[places["building"]]
    places["geom"] = points(places)
    copy_rows(conn, "key_place", ["id", "code", "category", "name", "address", "building_id", "geom"], places)
    cams = city.cameras.copy()
    cams["id"] = ids.take("camera", len(cams))
    cams["code"] = city.code + "V" + cams["id"].map("{:06d}".format)
    cams["geom"] = points(cams)
    copy_rows(conn, "camera", ["id", "code", "name", "kind", "geom"], cams)
    centres = city.centres.copy()
    centres["id"] = ids.take("centre", len(centres))
    centres["admin_area_id"] = centres["admin_code"].map(admin_ids)
    centres["geom"] = points(centres)
    copy_rows(conn, "centre", ["id", "level", "admin_area_id", "name", "address", "geom"], centres)


def _load_basemap(conn, city: City, ids: IdCounter) -> None:
    roads = city.roads.copy()
    roads = roads.assign(geom=roads["geom"].map(lambda g: list(shapely.get_parts(g)))).explode("geom")
    roads = roads[shapely.get_type_id(roads["geom"].to_numpy()) == 1].reset_index(drop=True)
    roads["id"] = ids.take("basemap.road", len(roads))
    copy_rows(conn, "basemap.road", ["id", "name", "class", "geom"], roads)
    water = city.water.copy()
    water["id"] = ids.take("basemap.water", len(water))
    water["geom"] = multi(water["geom"])
    copy_rows(conn, "basemap.water", ["id", "name", "kind", "geom"], water)
    hotspots = city.hotspots.copy()
    hotspots["id"] = ids.take("demo_truth.hotspot", len(hotspots))
    hotspots["centre"] = points(hotspots)
    copy_rows(conn, "demo_truth.hotspot", ["id", "centre", "radius_m", "log_uplift", "category"], hotspots)
