"""Address matching against the small demo city, whose clerk variants have a known truth."""

import numpy as np
import pytest

from bench.perturb import partial_or_contradictory, slip_one_character
from data.demo.clerk import clerk_address
from geo.geocode.address import parse
from geo.geocode.bulk import assign_pending
from geo.geocode.gazetteer import area_names, fuzzy_text
from geo.geocode.locate import locate
from geo.geocode.matcher import MatchSettings, match_addresses
from geo.geocode.review import confirm, review_queue


def standard_addresses(conn, count: int, seed: int = 1) -> list[tuple[int, str]]:
    rows = conn.execute("SELECT id, standard_address FROM building ORDER BY id").fetchall()
    picked = np.random.default_rng(seed).choice(len(rows), size=count, replace=False)
    return [rows[i] for i in sorted(picked)]


def building_of(conn, offset: int) -> int:
    return conn.execute("SELECT id FROM building ORDER BY id OFFSET %s LIMIT 1", [offset]).fetchone()[0]


def test_pg_trgm_sees_chinese_characters(demo_conn):
    same_number = demo_conn.execute("SELECT similarity('人民路12号锦绣花园', '解放路12号翡翠华庭')").fetchone()[0]
    trigrams = demo_conn.execute("SELECT cardinality(show_trgm('人民路'))").fetchone()[0]
    # Under LC_CTYPE=C both strings reduce to the trigrams of '12' and look identical.
    assert trigrams > 0
    assert same_number < 0.3


def test_clerk_variants_match_their_building(demo_conn):
    rng = np.random.default_rng(3)
    truth, texts = [], []
    for building_id, standard in standard_addresses(demo_conn, 300):
        for _ in range(3):
            truth.append(building_id)
            texts.append(clerk_address(standard, unmatchable=False, rng=rng)[0])
    matches = match_addresses(demo_conn, texts)
    found = [m.building_id for m in matches]
    assert found == truth
    assert all(m.how in ("exact", "alias") and m.confidence >= 0.9 for m in matches)


def test_slips_in_names_match_or_wait_for_review_but_are_never_matched_wrongly(demo_conn):
    rng = np.random.default_rng(5)
    pairs = [(b, slip_one_character(a.split("市", 1)[1], rng)) for b, a in standard_addresses(demo_conn, 300, seed=2)]
    matches = match_addresses(demo_conn, [text for _, text in pairs])
    right = sum(m.building_id == b for (b, _), m in zip(pairs, matches))
    wrong = sum(m.matched and m.building_id != b for (b, _), m in zip(pairs, matches))
    assert wrong == 0
    assert right >= 0.8 * len(pairs)


def test_an_unknown_address_goes_to_review_with_at_most_three_candidates(demo_conn):
    vague, unknown_road = match_addresses(demo_conn, ["菜市场旁边", "幸福大街123号"])
    for match in (vague, unknown_road):
        assert not match.matched and match.how == "review"
        assert len(match.candidates) <= 3
        assert all(c["score"] < 0.55 for c in match.candidates)


def test_an_address_without_a_building_number_is_not_guessed(demo_conn):
    standard = demo_conn.execute(
        "SELECT standard_address FROM building WHERE standard_address LIKE '%%栋' "
        "AND estate IN (SELECT estate FROM building GROUP BY estate HAVING count(*) > 3) ORDER BY id LIMIT 1"
    ).fetchone()[0]
    estate_only = standard[: standard.rindex("号") + 1] + standard[standard.rindex("号") + 1 :].rstrip("0123456789栋")
    (match,) = match_addresses(demo_conn, [estate_only])
    assert not match.matched and len(match.candidates) == 3


NEW_CASE = (
    "INSERT INTO cases (code, source, category_code, summary, reported_at, address_text, status, deadline) "
    "VALUES (%s, 'walk_in', 'service_request', '路灯损坏', now(), %s, 'accepted', now() + interval '3 days') RETURNING id"
)
PLACEMENT = "SELECT status, method, building_id, confidence FROM case_assignment WHERE case_id = %s"


def test_a_confirmed_candidate_becomes_an_alias_for_the_next_case(demo_conn):
    spelling = "光华东路9号不存在小区3栋"  # a building the gazetteer does not know by that name
    first = demo_conn.execute(NEW_CASE, ["ALIAS1", spelling]).fetchone()[0]
    twin = demo_conn.execute(NEW_CASE, ["ALIAS2", spelling + "2单元301"]).fetchone()[0]
    assign_pending(demo_conn)
    assert demo_conn.execute(PLACEMENT, [first]).fetchone()[0] == "review"
    chosen = building_of(demo_conn, offset=3)  # a person may choose any building they know is right
    result = confirm(demo_conn, first, chosen, "test")
    assert (result["case"]["method"], result["case"]["building_id"]) == ("manual", chosen)
    assert result["alias_recorded"] and result["also_matched"] == 1  # the twin, spelt alike but for the room
    later = demo_conn.execute(NEW_CASE, ["ALIAS3", spelling]).fetchone()[0]
    assert assign_pending(demo_conn)["written"] == 1
    for case in (twin, later):
        placed = demo_conn.execute(PLACEMENT, [case]).fetchone()
        assert placed[:3] == ("assigned", "address", chosen) and placed[3] == pytest.approx(0.97)


def test_coordinates_far_from_the_address_are_flagged(demo_conn):
    (building_id, standard), (other_id, _) = standard_addresses(demo_conn, 2, seed=9)
    x, y = demo_conn.execute(
        "SELECT ST_X(p), ST_Y(p) FROM building, ST_PointOnSurface(footprint) p WHERE id = %s", [other_id]
    ).fetchone()
    agree, disagree = locate(demo_conn, [np.nan, x], [np.nan, y], [standard, standard]).itertuples()
    assert agree.building_id == building_id and np.isnan(agree.address_conflict_m)
    assert disagree.method == "coordinates" and disagree.building_id == other_id
    expected = demo_conn.execute(
        "SELECT ST_Distance(ST_PointOnSurface(a.footprint)::geography, ST_PointOnSurface(b.footprint)::geography) "
        "FROM building a, building b WHERE a.id = %s AND b.id = %s",
        [building_id, other_id],
    ).fetchone()[0]
    if expected > 200:
        assert disagree.address_conflict_m == pytest.approx(expected, rel=0.01)


def test_coordinates_outside_every_grid_yield_to_a_matching_address(demo_conn):
    ((building_id, standard),) = standard_addresses(demo_conn, 1, seed=11)
    row = locate(demo_conn, [100.0], [20.0], [standard]).iloc[0]
    assert (row["status"], row["method"], row["building_id"]) == ("assigned", "address", building_id)
    assert row["address_conflict_m"] > 1_000_000


def test_a_vague_spelling_confirmed_once_does_not_become_an_alias(demo_conn):
    queued = review_queue(demo_conn, limit=500)
    vague = next(i for i in queued if not any(ch.isdigit() for ch in i["address_key"]))
    twins = [i for i in queued if i["address_key"] == vague["address_key"] and i["case_id"] != vague["case_id"]]
    result = confirm(demo_conn, vague["case_id"], building_of(demo_conn, offset=5), "test")
    still_queued = {i["case_id"] for i in review_queue(demo_conn, limit=500)}
    assert not result["alias_recorded"] and result["also_matched"] == 0
    assert {i["case_id"] for i in twins} <= still_queued


def test_addresses_with_a_part_dropped_or_wrong_are_never_matched_to_another_building(demo_conn):
    spoilt = partial_or_contradictory(demo_conn, 300, np.random.default_rng(8))
    matches = match_addresses(demo_conn, [text for _, _, text in spoilt])
    wrong = [
        (text, m.building_id)
        for (building, _, text), m in zip(spoilt, matches)
        if m.matched and m.building_id != building
    ]
    right = sum(m.building_id == building for (building, _, _), m in zip(spoilt, matches))
    assert wrong == []
    assert right > len(spoilt) / 4  # what is left still names the building often enough


ONE_BUILDING_PER_COUNTY = """
SELECT DISTINCT ON (county.id) city.name, county.name, b.code
FROM building b
JOIN admin_area county ON county.level = 2 AND ST_Covers(county.geom, ST_PointOnSurface(b.footprint))
JOIN admin_area city ON city.id = county.parent_id
ORDER BY county.id, b.id LIMIT 2
"""
ADD_BUILDING_BESIDE = (
    "INSERT INTO building (code, micro_grid_code, kind, standard_address, floors, unit_count, footprint) "
    "SELECT %s, micro_grid_code, kind, %s, floors, unit_count, ST_Translate(footprint, 0.00005, 0) "
    "FROM building WHERE code = %s RETURNING id"
)


def test_when_the_most_specific_key_names_a_building_the_clerk_contradicts_a_less_specific_one_is_taken(demo_conn):
    # 澄波苑3栋 is the whole address of a lone estate building in county B, and the estate and
    # building of one on 澄波路 in county A: a clerk naming county A means the one in A.
    (city, county_a, beside_a), (_, county_b, beside_b) = demo_conn.execute(ONE_BUILDING_PER_COUNTY).fetchall()
    on_road = demo_conn.execute(
        ADD_BUILDING_BESIDE, ["TA", f"{city}{county_a}澄波路12号澄波苑3栋", beside_a]
    ).fetchone()[0]
    lone = demo_conn.execute(ADD_BUILDING_BESIDE, ["TB", f"{city}{county_b}澄波苑3栋", beside_b]).fetchone()[0]
    in_a, in_b, no_county = match_addresses(demo_conn, [f"{county_a}澄波苑3栋", f"{county_b}澄波苑3栋", "澄波苑3栋"])
    assert (in_a.how, in_a.building_id, in_a.confidence) == ("exact", on_road, 0.93)
    assert (in_b.how, in_b.building_id, in_b.confidence) == ("exact", lone, 0.99)
    assert (no_county.how, no_county.building_id) == ("exact", lone)


def test_fuzzy_candidates_share_enough_of_their_trigrams_with_the_text(demo_conn):
    floor = MatchSettings().text_floor
    names = area_names(demo_conn)

    def candidates_similarity(text, settings):
        ids = [c["building_id"] for c in match_addresses(demo_conn, [text], settings)[0].candidates]
        compared = fuzzy_text(parse(text, names), names)  # what the floor is applied to
        return [s for (s,) in demo_conn.execute(SIMILARITY, [compared, ids]).fetchall()]

    # A text with no number can only be reviewed: its candidates are texts like it, not noise.
    estate = demo_conn.execute("SELECT min(place) FROM geocode.address_entry WHERE place LIKE '%花园'").fetchone()[0]
    vague = estate + "附近的小卖部门口"
    assert not match_addresses(demo_conn, [vague])[0].matched
    assert candidates_similarity(vague, MatchSettings()) == []
    assert min(candidates_similarity(vague, MatchSettings(text_floor=0.0))) < floor
    # A building number its estate does not have: the estate's buildings, above the floor.
    text, building_no = demo_conn.execute(ESTATE_BUILDING).fetchone()
    no_such_building = text.replace(building_no, f"{int(building_no[:-1]) + 90}栋")
    assert no_such_building != text
    similar = candidates_similarity(no_such_building, MatchSettings())
    assert similar and all(s >= floor for s in similar)


ESTATE_BUILDING = """SELECT fuzzy_text, building_no FROM geocode.address_entry
WHERE place <> '' AND building_no ~ '^[0-9]+栋$' AND fuzzy_text LIKE '%' || building_no
ORDER BY building_id LIMIT 1"""
SIMILARITY = "SELECT similarity(fuzzy_text, %s) FROM geocode.address_entry WHERE building_id = ANY(%s)"
