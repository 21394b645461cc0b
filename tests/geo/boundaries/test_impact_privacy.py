"""The impact preview gives nothing about key persons beyond what the map publishes, however
many previews an attacker runs, and the same to every viewer whatever their row-level scope.

The city is arranged so that grid `a` holds 11 key persons (buildings A 6, B 5), its sibling
`s` 1 and the community's other grids none: the map hides `a` (complementary suppression of
`s`). A second world moves one person from A to C, another building of `a`: every published
figure stays the same, so any difference in what previews show would give a building away.
"""

import uuid

import psycopg
import pytest
import shapely

from geo.auth.sessions import use_session
from geo.boundaries import edits, store
from geo.boundaries.impact import NEW, preview
from geo.db.connection import app_database_url
from geo.map import areas
from geo.risk.config import load_config
from geo.risk.store import run_full
from geo.shared.units import find_unit
from tests.conftest import DEMO_AS_OF
from tests.geo.auth.conftest import open_test_session
from tests.geo.boundaries.conftest import shared_vertex

CATEGORY = "elderly_alone"
COMMUNITY_BUILDINGS = """SELECT a.building_id FROM building_assignment a JOIN grid_current g ON g.id = a.grid_id
WHERE g.community_id = (SELECT id FROM admin_area WHERE code = %s)"""


@pytest.fixture
def city(conn, community):
    """Grids a, b (neighbours), s; buildings A, B (moved together towards b) and C of a; the
    key persons placed as the module says. Risk is scored on this world."""
    draft = store.open_draft(conn, community, "布置")
    a, b, _vertex = shared_vertex(draft)
    rows = shapely.within(draft.buildings.points, draft.grids[a].geom)
    inside = draft.buildings.ids[rows]
    nearest = inside[shapely.distance(draft.buildings.points[rows], draft.grids[b].geom).argsort()].tolist()
    first, second, third = nearest[0], nearest[1], nearest[-1]
    s = next(c for c, g in draft.grids.items() if g.is_basic and c not in (a, b))
    s_building = draft.buildings.ids[shapely.within(draft.buildings.points, draft.grids[s].geom)].tolist()[0]
    store.discard(conn, draft.id)
    ids = [row[0] for row in conn.execute(COMMUNITY_BUILDINGS, [community])]
    conn.execute("UPDATE sensitive.key_person SET active = false WHERE building_id = ANY(%s)", [ids])
    for building, persons in ((first, 6), (second, 5), (s_building, 1)):
        for _ in range(persons):
            conn.execute(
                """INSERT INTO sensitive.key_person (pseudonym, category_code, building_id, care_level, registered_on)
                   VALUES (%s, %s, %s, 'medium', '2026-01-01')""",
                [f"test-{uuid.uuid4()}", CATEGORY, building],
            )
    run_full(conn, DEMO_AS_OF, load_config())
    areas.forget_key_persons()
    return {"community": community, "a": a, "b": b, "s": s, "A": first, "B": second, "C": third}


def published(conn, city) -> dict:
    """Every figure the map shows of the community: its grids' table and a's categories."""
    areas.forget_key_persons()
    return {
        "grids": areas.child_key_persons(conn, find_unit(conn, city["community"])),
        "a": areas.key_persons_by_category(conn, find_unit(conn, city["a"])),
    }


def attack(conn, city) -> list[dict]:
    """Previews of: move A+B to b, then A, then B; remove the hidden grid a into b."""
    steps = [
        ("move_buildings", lambda d: edits.move_buildings(d, [city["A"], city["B"]], city["b"])),
        ("move_buildings", lambda d: edits.move_buildings(d, [city["A"]], city["b"])),
        ("move_buildings", lambda d: edits.move_buildings(d, [city["B"]], city["b"])),
        ("remove_grid", lambda d: edits.remove_grid(d, city["a"], into=city["b"])),
    ]
    shown = []
    for operation, edit in steps:
        draft = store.open_draft(conn, city["community"], "攻击者")
        with store.editing(conn, draft.id, operation, {}) as changed:
            edit(changed)
        result = preview(conn, draft.id)
        store.discard(conn, draft.id)
        shown.append({key: value for key, value in result.items() if key != "seconds"})
    return shown


def test_a_sequence_of_previews_tells_nothing_the_map_does_not(conn, city):
    figures = published(conn, city)
    assert figures["grids"][city["a"]] is None, "the arrangement hides grid a on the map"
    first = attack(conn, city)
    # Another world, the same on the map: A 5, C 1. Whatever differs would give A away.
    conn.execute(
        """UPDATE sensitive.key_person SET building_id = %s
           WHERE id = (SELECT min(id) FROM sensitive.key_person WHERE active AND building_id = %s)""",
        [city["C"], city["A"]],
    )
    assert published(conn, city) == figures
    assert attack(conn, city) == first
    # Only published figures appear: never a's hidden 11, never what A or B hold.
    grids = areas.published_grid_key_persons(conn, list(figures["grids"]))
    for move in (m for result in first for m in result["moves"]):
        assert move["from_key_persons"] == grids.get(move["from_code"], NEW)
        assert move["to_key_persons"] == grids.get(move["to_code"], NEW)
    assert any(move["from_code"] == city["a"] for result in first for move in result["moves"])


def test_planner_and_administrator_see_the_same_preview(conn, city, city_db):
    draft = store.open_draft(conn, city["community"], "规划员")
    with store.editing(conn, draft.id, "move_buildings", {}) as changed:
        edits.move_buildings(changed, [city["A"], city["B"]], city["b"])
    township = find_unit(conn, city["community"]).parent_code
    shown = {}
    tokens = {
        who: open_test_session(city_db, f"test_{who}", who, scope)
        for who, scope in (("planner", township), ("admin", None))
    }
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        for who, token in tokens.items():
            areas.forget_key_persons()
            with app.transaction():
                assert use_session(app, token)
                result = preview(app, draft.id)
            shown[who] = {key: value for key, value in result.items() if key != "seconds"}
    assert shown["planner"]["moves"] and shown["planner"]["risk"]
    assert shown["planner"] == shown["admin"]
