"""Coordinate systems against known pairs published by other implementations."""

import numpy as np
import pytest

from geo.errors import UserError
from geo.shared.crs import from_wgs84, system_name, to_wgs84, to_wgs84_by_row

# (WGS84 lon, lat) → (GCJ-02 lon, lat): the test vectors of googollee/eviltransform.
WGS_GCJ = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),  # wandergis/coordtransform
]
# (BD-09) → (GCJ-02): wandergis/coordtransform's example.
BD_GCJ = [((116.404, 39.915), (116.39762729119315, 39.90865673957631))]
ONE_METRE_DEG = 1e-5


@pytest.mark.parametrize(("wgs", "gcj"), WGS_GCJ)
def test_gcj02_both_ways_against_known_pairs(wgs, gcj):
    lon, lat = from_wgs84([wgs[0]], [wgs[1]], "gcj02")
    assert (lon[0], lat[0]) == pytest.approx(gcj, abs=ONE_METRE_DEG / 10)
    lon, lat = to_wgs84([gcj[0]], [gcj[1]], "gcj02")
    assert (lon[0], lat[0]) == pytest.approx(wgs, abs=ONE_METRE_DEG / 10)


@pytest.mark.parametrize(("bd", "gcj"), BD_GCJ)
def test_bd09_goes_through_gcj02(bd, gcj):
    via_bd = to_wgs84([bd[0]], [bd[1]], "bd09")
    via_gcj = to_wgs84([gcj[0]], [gcj[1]], "gcj02")
    assert np.allclose(via_bd, via_gcj, atol=ONE_METRE_DEG)


@pytest.mark.parametrize("system", ["wgs84", "cgcs2000", "gcj02", "bd09"])
def test_every_system_round_trips_to_a_centimetre(system):
    lon, lat = np.array([113.95, 114.2, 113.61]), np.array([33.55, 33.9, 34.75])
    back = to_wgs84(*from_wgs84(lon, lat, system), system)
    assert np.allclose(back, (lon, lat), atol=ONE_METRE_DEG / 100)


def test_the_offsets_are_hundreds_of_metres_and_cgcs2000_is_centimetres():
    lon, lat = np.array([113.95]), np.array([33.55])
    gcj = np.array(from_wgs84(lon, lat, "gcj02")).ravel()
    cgcs = np.array(from_wgs84(lon, lat, "cgcs2000")).ravel()
    assert 100 * ONE_METRE_DEG < np.abs(gcj - [113.95, 33.55]).max() < 1000 * ONE_METRE_DEG
    assert np.abs(cgcs - [113.95, 33.55]).max() < ONE_METRE_DEG


def test_mixed_systems_per_row_and_missing_values():
    lon, lat = to_wgs84_by_row(
        [121.531541859215, 121.5272106, np.nan], [31.17530398364597, 31.1774276, np.nan], ["gcj02", "wgs84", None]
    )
    assert np.allclose(lon[:2], 121.5272106, atol=1e-6) and np.isnan(lon[2])


def test_system_names_are_forgiving_but_unknown_ones_refused():
    assert system_name("GCJ-02") == "gcj02" and system_name("EPSG:4490") == "cgcs2000"
    with pytest.raises(UserError, match="unknown coordinate system"):
        system_name("tokyo")


def test_the_array_conversions_agree_with_prcoords_point_by_point():
    """prcoords is the reference implementation; ours runs its formulas on arrays."""
    import prcoords

    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(75, 135, 500), rng.uniform(18, 53, 500)
    reference = {
        "gcj02": (prcoords.wgs_gcj, prcoords.gcj_wgs_bored),
        "bd09": (prcoords.wgs_bd, prcoords.bd_wgs_bored),
    }
    for system, (forward, inverse) in reference.items():
        ours_forward, ours_inverse = from_wgs84(lon, lat, system), to_wgs84(lon, lat, system)
        for i in range(len(lon)):
            there, back = forward(prcoords.Coords(lat[i], lon[i])), inverse(prcoords.Coords(lat[i], lon[i]))
            assert abs(ours_forward[0][i] - there.lon) < 1e-12 and abs(ours_forward[1][i] - there.lat) < 1e-12
            assert abs(ours_inverse[0][i] - back.lon) < 1e-6 and abs(ours_inverse[1][i] - back.lat) < 1e-6
