"""Every editing operation on a real draft: shared boundaries stay shared, ground is neither
lost nor doubled, children follow, and impossible edits are refused with a reason."""

import numpy as np
import pytest
import shapely

from geo.boundaries import edits, store
from geo.boundaries.validate import validate
from geo.errors import UserError
from tests.geo.boundaries.conftest import contains_vertex, errors, shared_vertex

NUDGE = (2e-5, 1e-5)  # about two metres


def edit(conn, draft, operation, function, *args):
    with store.editing(conn, draft.id, operation, {}) as changed:
        result = function(changed, *args)
    return store.load_draft(conn, draft.id), result


def community_area(draft, level_filter=lambda g: g.is_basic):
    return draft.area_m2(shapely.union_all([g.geom for g in draft.grids.values() if level_filter(g)]))


def test_moving_a_shared_vertex_moves_it_in_both_grids(conn, draft):
    a, b, vertex = shared_vertex(draft)
    target = (vertex[0] + NUDGE[0], vertex[1] + NUDGE[1])
    after, moved = edit(conn, draft, "move_vertex", edits.move_vertex, vertex, target)
    assert moved >= 2
    for code in (a, b):
        assert contains_vertex(after.grids[code].geom, target)
        assert not contains_vertex(after.grids[code].geom, vertex)
    rules = {p.rule for p in validate(after, store.read_base(conn, draft.id)) if p.blocks}
    assert not rules & {"gap", "overlap", "outside", "invalid"}


def test_moving_a_vertex_nobody_has_is_refused(conn, draft):
    x0, y0, _x1, _y1 = draft.community.geom.bounds
    with pytest.raises(UserError, match="no grid has a vertex"):
        edit(conn, draft, "move_vertex", edits.move_vertex, (x0 - 1, y0 - 1), (x0, y0))
    assert store.load_draft(conn, draft.id).grids.keys() == draft.grids.keys()


def test_a_move_that_would_make_a_grid_cross_itself_is_refused(conn, draft):
    a, _b, vertex = shared_vertex(draft)
    far = shapely.get_coordinates(draft.grids[a].geom.centroid)[0] * 2 - np.asarray(
        vertex
    )  # mirrored through the centre
    with pytest.raises(UserError, match="cross itself"):
        edit(conn, draft, "move_vertex", edits.move_vertex, vertex, tuple(far))


def test_moving_an_edge_shifts_both_of_its_ends(conn, draft):
    a, b, vertex = shared_vertex(draft)
    ring = np.asarray(draft.grids[a].geom.geoms[0].exterior.coords)
    index = int(np.flatnonzero(np.abs(ring - vertex).max(axis=1) == 0)[0])
    other = next(
        tuple(ring[i]) for i in (index + 1, index - 1) if 0 <= i < len(ring) and not on_outline(draft, ring[i])
    )
    after, _ = edit(conn, draft, "move_edge", edits.move_edge, vertex, other, NUDGE)
    for end in (vertex, other):
        assert contains_vertex(after.grids[a].geom, (end[0] + NUDGE[0], end[1] + NUDGE[1]))


def test_a_vertex_or_an_edge_on_the_communitys_outline_does_not_move(conn, draft):
    """The editor shows these handles locked; a request that moves one anyway is refused."""
    ring = np.asarray(next(iter(draft.basic_grids())).geom.geoms[0].exterior.coords)
    outer = next(i for i in range(len(ring) - 1) if on_outline(draft, ring[i]))
    vertex, neighbour = tuple(ring[outer]), tuple(ring[outer + 1])
    with pytest.raises(UserError, match="outer boundary"):
        edit(conn, draft, "move_vertex", edits.move_vertex, vertex, (vertex[0] + NUDGE[0], vertex[1] + NUDGE[1]))
    with pytest.raises(UserError, match="outer boundary"):
        edit(conn, draft, "move_edge", edits.move_edge, vertex, neighbour, NUDGE)
    after = store.load_draft(conn, draft.id)
    assert all(after.grids[code].geom.equals_exact(grid.geom, 0) for code, grid in draft.grids.items())
    assert store.undo(conn, draft.id) is None  # no step was recorded


def on_outline(draft, lonlat) -> bool:
    return shapely.dwithin(shapely.Point(lonlat), draft.community.geom.boundary, 1e-7)


def test_splitting_a_grid_makes_two_that_cover_it_exactly(conn, draft):
    grid = max(draft.basic_grids(), key=lambda g: draft.area_m2(g.geom))
    x0, y0, x1, y1 = grid.geom.bounds
    centre = grid.geom.representative_point()
    line = [(x0 - 0.001, centre.y), (x1 + 0.001, centre.y)]
    after, new_code = edit(conn, draft, "split", edits.split_grid, grid.code, line)
    union = shapely.union(after.grids[grid.code].geom, after.grids[new_code].geom)
    assert after.area_m2(shapely.symmetric_difference(union, grid.geom)) < 1
    assert after.area_m2(shapely.intersection(after.grids[grid.code].geom, after.grids[new_code].geom)) < 1
    assert new_code[:14] == grid.parent_code[:14] and after.grids[new_code].parent_code == grid.parent_code
    assert after.grids[new_code].households + after.grids[grid.code].households == grid.households
    for micro in after.micro_grids.values():
        assert micro.grid_code in after.grids
    rules = {p.rule for p in validate(after, store.read_base(conn, draft.id)) if p.blocks}
    assert not rules & {"gap", "overlap", "outside", "invalid", "orphan"}


def test_a_line_that_misses_the_grid_cannot_split_it(conn, draft):
    grid = draft.basic_grids()[0]
    x0, y0, _x1, _y1 = grid.geom.bounds
    with pytest.raises(UserError, match="must cross"):
        edit(conn, draft, "split", edits.split_grid, grid.code, [(x0 - 0.01, y0 - 0.01), (x0 - 0.009, y0 - 0.012)])


def test_merging_two_neighbours_keeps_one_code_and_moves_the_others_contents(conn, draft):
    a, b, _vertex = shared_vertex(draft)
    before_micro = len(draft.micro_grids_of(b))
    after, _ = edit(conn, draft, "merge", edits.merge_grids, a, b)
    assert b not in after.grids
    union = shapely.union(draft.grids[a].geom, draft.grids[b].geom)
    assert after.area_m2(shapely.symmetric_difference(after.grids[a].geom, union)) < 1
    assert after.grids[a].households == draft.grids[a].households + draft.grids[b].households
    assert len(after.micro_grids_of(a)) == len(draft.micro_grids_of(a)) + before_micro
    assert all(m.code.startswith(a) for m in after.micro_grids_of(a))


def test_grids_that_are_not_neighbours_cannot_merge(conn, draft):
    grids = draft.basic_grids()
    apart = next((g, h) for g in grids for h in grids if g.code < h.code and not shapely.intersects(g.geom, h.geom))
    with pytest.raises(UserError, match="siblings|share a boundary"):
        edit(conn, draft, "merge", edits.merge_grids, apart[0].code, apart[1].code)


def test_removing_a_grid_gives_its_ground_to_a_neighbour(conn, draft):
    a, _b, _vertex = shared_vertex(draft)
    area = community_area(draft)
    after, into = edit(conn, draft, "remove", edits.remove_grid, a)
    assert a not in after.grids and into in after.grids
    assert abs(community_area(after) - area) < 1


def test_a_new_exclusive_grid_is_cut_out_of_the_grids_beneath(conn, draft):
    grid = max(draft.basic_grids(), key=lambda g: draft.area_m2(g.geom))
    point = grid.geom.representative_point()
    size = 2e-4
    ring = [(point.x - size, point.y - size), (point.x + size, point.y - size), (point.x, point.y + size)]
    area = community_area(draft)
    after, code = edit(conn, draft, "exclusive", edits.create_exclusive, ring, "school", "第一中学专属网格")
    new = after.grids[code]
    assert new.kind == "exclusive" and new.exclusive_type == "school" and new.is_basic
    assert after.area_m2(shapely.intersection(new.geom, after.grids[grid.code].geom)) < 1
    assert abs(community_area(after) - area) < 1
    rules = {p.rule for p in validate(after, store.read_base(conn, draft.id)) if p.blocks}
    assert not rules & {"gap", "overlap", "outside", "invalid", "orphan"}


def test_an_exclusive_grid_needs_a_known_type(conn, draft):
    with pytest.raises(UserError, match="exclusive type"):
        edit(conn, draft, "exclusive", edits.create_exclusive, [(0, 0), (1, 0), (0, 1)], "casino", "x")


def test_moving_buildings_takes_their_households_along(conn, draft):
    a, b, _vertex = shared_vertex(draft)
    micro = next(m for m in draft.micro_grids_of(a) if edits._shared_border_m(draft, m.geom, draft.grids[b].geom) > 0
                 and shapely.within(draft.buildings.points, m.geom).any())  # fmt: skip
    inside = shapely.within(draft.buildings.points, micro.geom)
    ids, households = draft.buildings.ids[inside].tolist(), int(draft.buildings.households[inside].sum())
    after, moved = edit(conn, draft, "move_buildings", edits.move_buildings, ids, b)
    assert moved == len(ids)
    assert after.grids[a].households == draft.grids[a].households - households
    assert after.grids[b].households == draft.grids[b].households + households
    assert shapely.within(draft.buildings.points[inside], after.grids[b].geom).all()
    rules = {p.rule for p in validate(after, store.read_base(conn, draft.id)) if p.blocks}
    assert not rules & {"gap", "overlap", "outside", "invalid", "orphan", "building_split"}


def test_rename_and_recode_carry_the_children_along(conn, draft):
    a, _b, _vertex = shared_vertex(draft)
    parent = draft.grids[a].parent_code
    new_code = next(
        f"{parent[:14]}{n:02d}" for n in range(99, 0, -1) if f"{parent[:14]}{n:02d}" not in draft.used_codes
    )
    after, _ = edit(conn, draft, "rename", edits.rename_grid, a, "新名称网格")
    assert after.grids[a].name == "新名称网格"
    after, _ = edit(conn, draft, "recode", edits.recode_grid, a, new_code)
    assert a not in after.grids and after.grids[new_code].name == "新名称网格"
    assert all(m.code.startswith(new_code) for m in after.micro_grids_of(new_code))
    assert not after.micro_grids_of(a)


@pytest.mark.parametrize("code", ["", "41180200\t100101", "9" * 65])
def test_a_malformed_code_is_refused(conn, draft, code):
    with pytest.raises(UserError, match="a grid code is a text"):
        edit(conn, draft, "recode", edits.recode_grid, draft.basic_grids()[0].code, code)


def test_a_code_already_used_is_refused(conn, draft):
    a, b, _vertex = shared_vertex(draft)
    with pytest.raises(UserError, match="already in use"):
        edit(conn, draft, "recode", edits.recode_grid, a, b)


def test_undo_takes_back_the_last_step(conn, draft):
    a, _b, vertex = shared_vertex(draft)
    edit(conn, draft, "move_vertex", edits.move_vertex, vertex, (vertex[0] + NUDGE[0], vertex[1] + NUDGE[1]))
    assert store.undo(conn, draft.id) == "move_vertex"
    assert contains_vertex(store.load_draft(conn, draft.id).grids[a].geom, vertex)
    assert store.undo(conn, draft.id) is None


def test_a_discarded_draft_cannot_be_edited(conn, draft):
    store.discard(conn, draft.id)
    with pytest.raises(UserError, match="discarded"):
        store.load_draft(conn, draft.id)


def test_opening_a_draft_changes_nothing_stored(conn, community):
    before = conn.execute("SELECT count(*), max(id) FROM grid").fetchone()
    draft = store.open_draft(conn, community, "测试")
    assert conn.execute("SELECT count(*), max(id) FROM grid").fetchone() == before
    assert errors([p for p in validate(draft, store.read_base(conn, draft.id)) if p.blocks]) == []


def test_a_draft_needs_a_planner_and_a_real_community(conn, community):
    with pytest.raises(UserError, match="planner"):
        store.open_draft(conn, community, "  ")
    with pytest.raises(UserError, match="no community"):
        store.open_draft(conn, "999999999999", "测试")


@pytest.mark.parametrize(
    "position", [(float("nan"), 30.0), (float("inf"), 0.0), ("113.9", "east"), (200.0, 30.0), None, [1, 2, 3]]
)
def test_a_position_that_is_no_place_is_refused(conn, draft, position):
    _a, _b, vertex = shared_vertex(draft)
    with pytest.raises(UserError, match="position"):
        edit(conn, draft, "move_vertex", edits.move_vertex, vertex, position)


def test_a_drawing_of_too_many_points_is_refused(conn, draft):
    grid = draft.basic_grids()[0]
    line = [(113.0 + i * 1e-6, 33.0) for i in range(5000)]
    with pytest.raises(UserError, match="points"):
        edit(conn, draft, "split", edits.split_grid, grid.code, line)


def test_a_community_without_grids_leaves_no_draft_behind(conn):
    conn.execute(
        """INSERT INTO admin_area (level, code, name, kind, parent_id, is_urban, geom)
           SELECT 4, '999999999999', '空社区', 'community', parent_id, is_urban, geom FROM admin_area
           WHERE level = 4 LIMIT 1"""
    )
    with pytest.raises(UserError, match="no grids"):
        store.open_draft(conn, "999999999999", "测试")
    assert conn.execute("SELECT count(*) FROM boundary_draft").fetchone()[0] == 0


def test_a_code_of_another_community_is_refused(conn, draft):
    a, _b, _vertex = shared_vertex(draft)
    with pytest.raises(UserError, match="starts with"):
        edit(conn, draft, "recode", edits.recode_grid, a, "1" * 16)


@pytest.mark.parametrize("value", [42, None, ["x"]])
def test_names_codes_and_buildings_of_the_wrong_type_are_refused(conn, draft, value):
    a, b, _vertex = shared_vertex(draft)
    with pytest.raises(UserError):
        edit(conn, draft, "rename", edits.rename_grid, a, value)
    with pytest.raises(UserError):
        edit(conn, draft, "recode", edits.recode_grid, a, value)
    with pytest.raises(UserError):
        edit(conn, draft, "move_buildings", edits.move_buildings, value, b)


def test_discarding_drops_the_work_but_never_a_committed_draft(conn, draft):
    from geo.boundaries.commit import commit_draft

    _a, _b, vertex = shared_vertex(draft)
    edit(conn, draft, "move_vertex", edits.move_vertex, vertex, (vertex[0] + NUDGE[0], vertex[1] + NUDGE[1]))
    other = store.open_draft(conn, draft.community.code, "测试")
    assert store.discard(conn, other.id)
    left = conn.execute("SELECT count(*) FROM boundary_draft_grid WHERE draft_id = %s", [other.id]).fetchone()[0]
    assert left == 0
    commit_draft(conn, draft.id, "测试", "调整")
    assert not store.discard(conn, draft.id)
    kept = conn.execute("SELECT count(*) FROM boundary_draft_grid WHERE draft_id = %s", [draft.id]).fetchone()[0]
    assert kept > 0
