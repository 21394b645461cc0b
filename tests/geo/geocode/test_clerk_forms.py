"""Clerks' forms of the demo's standard addresses, written from Chinese address conventions.

The variants are rewritten by the hand-written rules of bench/clerk_forms.py (the geocode
benchmark reports the same families), independently of the demo's own variant generator
(data/demo/clerk.py), from real standard addresses of the demo city:
- forms that keep all the information must match the right building, top-1;
- forms that destroy information (another building, another road, the building number
  left out) or are truly ambiguous (人民路12号3号) may go to review, but never to a wrong building.
"""

import pytest

from bench.clerk_forms import DESTROYING, KEEPING, RURAL, RURAL_KEEPING, URBAN, sample_buildings, tally
from geo.geocode.address import AreaNames, normalise, parse
from geo.geocode.matcher import match_addresses
from tests.geo.geocode.conftest import building_id


def test_forms_that_keep_the_information_match_the_right_building(demo_conn):
    urban = sample_buildings(demo_conn, URBAN, 40)
    rural = sample_buildings(demo_conn, RURAL, 20)
    assert len(urban) == 40 and len(rural) == 20
    found = tally(demo_conn, urban, KEEPING) | tally(demo_conn, rural, RURAL_KEEPING)
    assert {name: counts for name, counts in found.items() if counts[0] != sum(counts)} == {}


def test_forms_that_destroy_the_information_are_never_matched_to_a_wrong_building(demo_conn):
    urban = sample_buildings(demo_conn, URBAN, 40)
    found = tally(demo_conn, urban, DESTROYING)
    assert {name: counts for name, counts in found.items() if counts[1]} == {}


NAMES = AreaNames({"安澜市": 1, "北关区": 2})


@pytest.mark.parametrize(
    ("typed", "number", "estate", "building", "unit", "room"),
    [
        ("阳光小区3号2单元302室", "", "阳光小区", "3栋", "2", "302"),
        ("人民路12号阳光小区3号2-302", "12号", "阳光小区", "3栋", "2", "302"),
        ("人民路12号阳光小区3栋302房", "12号", "阳光小区", "3栋", "", "302"),
        ("人民路甲12号阳光小区3栋", "甲12号", "阳光小区", "3栋", "", ""),
        ("人民路附12号阳光小区3栋", "附12号", "阳光小区", "3栋", "", ""),
        ("人民路12号之一阳光小区3栋", "12号之一", "阳光小区", "3栋", "", ""),
        ("人民路12号 - 阳光小区 · 3栋、2单元", "12号", "阳光小区", "3栋", "2", ""),
    ],
)
def test_components_of_clerk_forms(typed, number, estate, building, unit, room):
    a = parse(normalise(typed), NAMES)
    assert (a.number, a.estate, a.building, a.unit, a.room) == (number, estate, building, unit, room)


def test_a_house_number_then_a_number_without_an_estate_is_not_taken_for_a_building():
    # 人民路12号3号: No. 3 of a lane at No. 12, or building 3 of the compound at No. 12? A guess
    # either way would be confident and possibly wrong: no building is read from it.
    assert parse(normalise("人民路12号3号2单元302室"), NAMES).building == ""


def test_a_number_after_a_village_stays_a_house_number():
    village = parse(normalise("李楼村12号"), NAMES)
    assert (village.number, village.building) == ("12号", "")
    estate = parse(normalise("祥和新村12号"), NAMES)
    assert (estate.number, estate.building) == ("", "12栋")


@pytest.mark.parametrize("qualified", ["甲8号", "附8号", "8号之一"])
def test_a_qualified_house_number_is_its_own_building_and_not_number_8(tiny_conn, qualified):
    # The tiny world has 和平路8号幸福花园1栋; a lone building at 和平路甲8号 (etc.) is added.
    tiny_conn.execute(
        "INSERT INTO building (code, micro_grid_code, kind, standard_address, floors, unit_count, footprint) "
        "SELECT 'BQ', micro_grid_code, kind, %s, floors, unit_count, ST_Translate(footprint, 0.0003, 0) "
        "FROM building WHERE code = 'B1'",
        ["测试市和平区和平路" + qualified],
    )
    added, plain = match_addresses(tiny_conn, ["和平路" + qualified, "和平路8号"])
    assert added.matched and added.building_id == building_id(tiny_conn, "BQ")
    assert plain.building_id != building_id(tiny_conn, "BQ")


def test_an_ambiguous_number_goes_to_review_saying_why(demo_conn):
    urban = sample_buildings(demo_conn, URBAN, 5)
    texts = [DESTROYING["ambiguous 12号3号 (no estate)"](a) for _, a in urban]
    for match in match_addresses(demo_conn, texts):
        assert not match.matched and match.candidates
        assert all("not guessed" in candidate["why"].lower() for candidate in match.candidates)
