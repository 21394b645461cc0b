"""Point assignment rules on the tiny world (see conftest.py for the map)."""

import math

import numpy as np
import pandas as pd
import pytest

from geo.geocode.locate import locate
from tests.geo.geocode.conftest import COMMUNITY, building_id

G1, G2, GX, GY, G5 = (COMMUNITY + f"000{n}" for n in (1, 2, 3, 4, 5))
M_PER_DEG_LON = 111_320 * math.cos(math.radians(33.5))


def place(conn, *points, radius_m=30.0):
    from geo.geocode.locate import GeocodeSettings

    settings = GeocodeSettings.from_settings()
    settings.building_radius_m = radius_m
    lon, lat = zip(*points)
    return locate(conn, lon, lat, [None] * len(points), settings)


def test_a_point_inside_a_grid_takes_that_grid_and_its_micro_grid(tiny_conn):
    row = place(tiny_conn, (114.0015, 33.5015)).iloc[0]
    assert (row["status"], row["method"], row["grid_code"], row["micro_grid_code"]) == (
        "assigned",
        "coordinates",
        G1,
        G1 + "002",
    )


def test_a_point_on_a_shared_edge_goes_to_the_lowest_code_every_time(tiny_conn):
    on_edge = (114.002, 33.5015)
    first = place(tiny_conn, on_edge).iloc[0]
    again = place(tiny_conn, on_edge, (114.0001, 33.5001)).iloc[0]  # another batch, another order
    assert first["grid_code"] == again["grid_code"] == G1
    on_micro_edge = place(tiny_conn, (114.001, 33.5018)).iloc[0]
    assert on_micro_edge["micro_grid_code"] == G1 + "001"


def test_a_point_in_a_hole_takes_the_grid_that_fills_the_hole(tiny_conn):
    row = place(tiny_conn, (114.00075, 33.50075)).iloc[0]
    assert row["grid_code"] == GX


def test_an_exclusive_grid_drawn_over_a_regular_one_wins(tiny_conn):
    rows = place(tiny_conn, (114.0032, 33.5007), (114.0038, 33.5007))
    assert list(rows["grid_code"]) == [GY, G2]


def test_both_parts_of_a_multipolygon_grid_count(tiny_conn):
    rows = place(tiny_conn, (114.0055, 33.5005), (114.0075, 33.5005), (114.0065, 33.5005))
    assert list(rows["grid_code"][:2]) == [G5, G5]
    assert rows["status"].iloc[2] == "outside"  # between the two parts


def test_a_point_outside_every_grid_keeps_the_nearest_grid_and_the_distance(tiny_conn):
    row = place(tiny_conn, (114.010, 33.5005)).iloc[0]
    expected_m = tiny_conn.execute(
        "SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(114.010, 33.5005), 4326)::geography) "
        "FROM grid WHERE code = %s",
        [G5],
    ).fetchone()[0]
    assert (row["status"], row["grid_code"], row["nearest_grid_code"]) == ("outside", None, G5)
    assert row["outside_distance_m"] == pytest.approx(expected_m, rel=0.005)
    assert row["confidence"] == 0


def test_a_point_in_a_footprint_takes_the_building_with_full_confidence(tiny_conn):
    row = place(tiny_conn, (114.0026, 33.5011)).iloc[0]
    assert row["building_id"] == building_id(tiny_conn, "B1")
    assert (row["confidence"], row["building_distance_m"]) == (1.0, 0.0)


def test_a_point_near_a_building_takes_it_with_less_confidence_and_far_away_none(tiny_conn):
    near_x = 114.0027 + 20 / M_PER_DEG_LON
    far_x = 114.0027 + 40 / M_PER_DEG_LON
    near, far = place(tiny_conn, (near_x, 33.5011), (far_x, 33.5011)).itertuples()
    assert near.building_id == building_id(tiny_conn, "B1")
    assert near.building_distance_m == pytest.approx(20, abs=0.5)
    assert 0.6 < near.confidence < 0.85
    assert pd.isna(far.building_id) and far.confidence == 0.7
    wider = place(tiny_conn, (far_x, 33.5011), radius_m=50).iloc[0]
    assert wider["building_id"] == building_id(tiny_conn, "B1")


def test_a_building_across_a_grid_boundary_is_never_taken(tiny_conn):
    # 9 m east of B2, which is in G1; the point is in G2 and B1 is 41 m away.
    row = place(tiny_conn, (114.00195 + 9 / M_PER_DEG_LON, 33.5011)).iloc[0]
    assert row["grid_code"] == G2
    assert pd.isna(row["building_id"])


def test_records_carry_the_boundary_version_used(tiny_conn):
    version = tiny_conn.execute("SELECT max(id) FROM boundary_version").fetchone()[0]
    assert place(tiny_conn, (114.0015, 33.5015))["boundary_version_id"].iloc[0] == version


def test_no_point_and_no_address_is_not_guessed(tiny_conn):
    row = locate(tiny_conn, [np.nan], [np.nan], [None]).iloc[0]
    assert (row["status"], row["grid_code"]) == ("review", None)


@pytest.mark.parametrize("system", ["wgs84", "gcj02", "bd09"])
@pytest.mark.parametrize("lonlat", [(180.0, 90.0), (0.0, 90.0), (-179.9, -89.9), (10.0, 50.0)])
def test_a_point_far_away_in_any_system_is_outside_with_a_finite_distance(tiny_conn, system, lonlat):
    from geo.shared.crs import to_wgs84

    lon, lat = to_wgs84([lonlat[0]], [lonlat[1]], system)
    row = place(tiny_conn, (lon[0], lat[0])).iloc[0]
    assert (row["status"], row["nearest_grid_code"]) in (("outside", G5), ("outside", G1), ("outside", GX))
    assert np.isfinite(row["outside_distance_m"]) and row["outside_distance_m"] > 1_000_000
