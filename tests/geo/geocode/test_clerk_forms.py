"""Clerks' forms of the demo's standard addresses, written from Chinese address conventions.

The variants are rewritten here by hand-written rules, independently of the demo's own
variant generator (data/demo/clerk.py), from real standard addresses of the demo city:
- forms that keep all the information must match the right building, top-1;
- forms that destroy information (another building, another road, the building number
  left out) or are truly ambiguous (人民路12号3号) may go to review, but never to a wrong building.
"""

import re

import pytest

from geo.geocode.address import AreaNames, normalise, parse
from geo.geocode.matcher import match_addresses
from tests.geo.geocode.conftest import building_id

# 安澜市北关区锦绣路79号融城华庭28栋: areas, road, house number, estate, building.
URBAN = re.compile(r"^(?P<areas>.+?区)(?P<road>.+?(?:大道|路|街))(?P<number>\d+)号(?P<estate>\D+?)(?P<building>\d+)栋$")
# 安澜市永宁县严庄镇前汤营村六组19号: areas down to the village, group, house number.
RURAL = re.compile(r"^(?P<areas>.+?村)(?P<group>[一二三四五六七八九十]+)组(?P<number>\d+)号$")


def _u(a: dict, number=None, building=None, road=None, sep="", tail="2单元302室") -> str:
    """An urban address from its parts, with `sep` between the parts and `tail` after them."""
    road = a["road"] if road is None else road
    number = a["number"] + "号" if number is None else number
    building = a["building"] + "栋" if building is None else building
    return sep.join(part for part in (road + number, a["estate"], building) if part) + tail


# Forms that keep every piece of information a person needs (family → rule).
KEEPING = {
    "building 号 in an estate": lambda a: _u(a, building=a["building"] + "号"),
    "building 号, estate only": lambda a: a["estate"] + a["building"] + "号2单元302室",
    "building 号楼": lambda a: _u(a, building=a["building"] + "号楼"),
    "building 幢": lambda a: _u(a, building=a["building"] + "幢"),
    "building 座": lambda a: _u(a, building=a["building"] + "座"),
    "building #": lambda a: _u(a, building=a["building"] + "#"),
    "compound 号院": lambda a: _u(a, number=a["number"] + "号院"),
    "unit-room 3栋2-302": lambda a: _u(a, tail="2-302"),
    "unit-room 3号2-302": lambda a: _u(a, building=a["building"] + "号", tail="2-302"),
    "3-2-302": lambda a: _u(a, building="", tail=f"{a['building']}-2-302"),
    "3-2-302室": lambda a: _u(a, building="", tail=f"{a['building']}-2-302室"),
    "room 302房": lambda a: _u(a, tail="2单元302房"),
    "room 302号": lambda a: _u(a, tail="2单元302号"),
    "room 302 bare": lambda a: _u(a, tail="2单元302"),
    "room without unit 302室": lambda a: _u(a, tail="302室"),
    "room without unit 302房": lambda a: _u(a, tail="302房"),
    "separator ，": lambda a: _u(a, sep="，", tail="，2单元，302室"),
    "separator 、": lambda a: _u(a, sep="、", tail="、2单元302室"),
    "separator ·": lambda a: _u(a, sep="·", tail="·2单元·302室"),
    "separator ' - '": lambda a: _u(a, sep=" - ", tail=" - 2单元 - 302室"),
    "separator spaces": lambda a: _u(a, sep=" ", tail=" 2单元 302室"),
    "separator spaces inside": lambda a: _u(a, number=f" {a['number']} 号 ", building=f"{a['building']} 栋 "),
    "separator ' - ' and 3号": lambda a: _u(a, sep=" - ", building=a["building"] + "号", tail=" - 2-302"),
}
RURAL_KEEPING = {
    "rural separator spaces": lambda a: f"{a['areas']} {a['group']}组 {a['number']}号",
    "rural separator ，": lambda a: f"{a['areas']}，{a['group']}组，{a['number']}号",
    "rural separator ' - '": lambda a: f"{a['areas']} - {a['group']}组 - {a['number']}号",
}
# Forms that destroy information, or leave it truly ambiguous.
DESTROYING = {
    "another building number": lambda a: _u(a, building=f"{int(a['building']) + 700}栋"),
    "another building 号": lambda a: _u(a, building=f"{int(a['building']) + 700}号"),
    "another road": lambda a: _u(a, road="幸福大街"),
    "another real road": lambda a: _u(a, road="解放路" if a["road"] == "人民路" else "人民路"),
    "another real road, 3号": lambda a: _u(
        a, road="解放路" if a["road"] == "人民路" else "人民路", building=a["building"] + "号"
    ),
    "building left out": lambda a: _u(a, building=""),
    "building left out, 2-302": lambda a: _u(a, building="", tail="2-302"),
    "ambiguous 12号3号 (no estate)": lambda a: a["road"] + a["number"] + "号" + a["building"] + "号2单元302室",
    "qualified number 甲12号": lambda a: _u(a, building="", number="甲" + a["number"] + "号"),
}


def _sample(conn, pattern: re.Pattern, count: int) -> list[tuple[int, dict]]:
    rows = conn.execute("SELECT id, standard_address FROM building ORDER BY id").fetchall()
    parsed = [(i, pattern.match(text)) for i, text in rows]
    picked = [(i, m.groupdict()) for i, m in parsed if m]
    return picked[:: max(1, len(picked) // count)][:count]


def _tally(conn, buildings, families) -> dict[str, tuple[int, int, int]]:
    """Per family: (right, wrong, review) of the matcher's top-1."""
    texts = [(name, b, rule(a)) for name, rule in families.items() for b, a in buildings]
    matches = match_addresses(conn, [text for _, _, text in texts])
    tally = {name: [0, 0, 0] for name in families}
    for (name, truth, _), match in zip(texts, matches):
        tally[name][0 if match.building_id == truth else 1 if match.matched else 2] += 1
    for name, (right, wrong, review) in tally.items():
        print(f"{name:32} right {right:3} wrong {wrong:3} review {review:3}")
    return {name: tuple(counts) for name, counts in tally.items()}


def test_forms_that_keep_the_information_match_the_right_building(demo_conn):
    urban = _sample(demo_conn, URBAN, 40)
    rural = _sample(demo_conn, RURAL, 20)
    assert len(urban) == 40 and len(rural) == 20
    tally = _tally(demo_conn, urban, KEEPING) | _tally(demo_conn, rural, RURAL_KEEPING)
    assert {name: counts for name, counts in tally.items() if counts[0] != sum(counts)} == {}


def test_forms_that_destroy_the_information_are_never_matched_to_a_wrong_building(demo_conn):
    urban = _sample(demo_conn, URBAN, 40)
    tally = _tally(demo_conn, urban, DESTROYING)
    assert {name: counts for name, counts in tally.items() if counts[1]} == {}


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
    urban = _sample(demo_conn, URBAN, 5)
    texts = [DESTROYING["ambiguous 12号3号 (no estate)"](a) for _, a in urban]
    for match in match_addresses(demo_conn, texts):
        assert not match.matched and match.candidates
        assert all("not guessed" in candidate["why"].lower() for candidate in match.candidates)
