"""Each validation rule on a real community: a clean draft has no errors; a gap, an overlap,
a grid outside its parent, a split building, households out of range and bad codes are each
found, with the place on the map; faults the stored boundaries already had do not block."""

import shapely

from geo.boundaries import store
from geo.boundaries.draft import as_multi
from geo.boundaries.validate import blocking, describe, validate
from tests.geo.boundaries.conftest import shared_vertex


def rules(problems) -> set[str]:
    return {p.rule for p in problems}


def test_the_stored_demo_community_has_no_errors(conn, draft):
    problems = validate(draft, store.read_base(conn, draft.id))
    assert [describe(p) for p in problems if p.severity == "error"] == []


def test_a_gap_is_found_with_its_area_and_place(draft):
    a, _b, vertex = shared_vertex(draft)
    hole = shapely.Point(vertex).buffer(5e-5)
    for grid in draft.grids.values():
        grid.geom = as_multi(shapely.difference(grid.geom, hole))
    for micro in draft.micro_grids.values():
        micro.geom = as_multi(shapely.difference(micro.geom, hole))
    gaps = [p for p in validate(draft) if p.rule == "gap"]
    assert gaps and all(p.area_m2 > 1 and p.geom is not None for p in gaps)
    assert any(shapely.intersects(p.geom, hole) for p in gaps)
    assert "m²" in describe(gaps[0]) and "belong to no child" in describe(gaps[0], "en")


def test_an_overlap_between_neighbours_is_found(draft):
    a, b, vertex = shared_vertex(draft)
    draft.grids[a].geom = as_multi(shapely.union(draft.grids[a].geom, shapely.Point(vertex).buffer(5e-5)))
    overlaps = [p for p in validate(draft) if p.rule == "overlap"]
    assert any(set(p.codes) == {a, b} and p.area_m2 > 1 for p in overlaps)
    assert blocking(overlaps)


def test_a_grid_reaching_outside_its_parent_is_found(draft):
    grid = draft.basic_grids()[0]
    x0, y0, x1, y1 = draft.community.geom.bounds
    grid.geom = as_multi(shapely.union(grid.geom, shapely.box(x1, y1, x1 + 1e-3, y1 + 1e-3)))
    outside = [p for p in validate(draft) if p.rule == "outside"]
    assert any(p.codes[0] == grid.code for p in outside)


def test_a_building_split_between_two_grids_is_found(draft):
    a, b, _vertex = shared_vertex(draft)
    footprint = next(
        f for f, point in zip(draft.buildings.footprints, draft.buildings.points)
        if shapely.within(point, draft.grids[a].geom)
    )  # fmt: skip
    half = shapely.box(*footprint.bounds)
    half = shapely.intersection(half, shapely.box(footprint.centroid.x, -90, 180, 90))
    draft.grids[a].geom = as_multi(shapely.difference(draft.grids[a].geom, half))
    draft.grids[b].geom = as_multi(shapely.union(draft.grids[b].geom, half))
    split = [p for p in validate(draft) if p.rule == "building_split"]
    assert split and set(split[0].codes[1:]) == {a, b}


def test_households_out_of_range_are_a_warning_not_a_block(draft):
    grid = next(g for g in draft.basic_grids() if g.kind == "regular")
    grid.households = 999
    found = [p for p in validate(draft) if p.rule == "households" and p.codes == [grid.code]]
    assert found and found[0].severity == "warning" and not found[0].blocks
    assert "999" in describe(found[0])


def test_rural_grids_allow_at_most_150_households(draft):
    draft.community.is_urban = False
    grid = next(g for g in draft.basic_grids() if g.kind == "regular")
    grid.target_households = None  # the community's rule applies where a grid has no target of its own
    grid.households = 151
    assert any(p.rule == "households" and p.codes == [grid.code] for p in validate(draft))
    grid.households = 150
    assert not any(p.rule == "households" and p.codes == [grid.code] for p in validate(draft))


def test_bad_codes_are_errors_and_codes_off_the_scheme_warnings(draft):
    first, second, third = draft.basic_grids()[:3]
    for grid, code in ((first, "9" * 65), (second, "9" * 16), (third, "WG-12345")):
        draft.grids[code] = draft.grids.pop(grid.code)
        draft.grids[code].code = code
    found = {(p.rule, p.codes[0], p.severity) for p in validate(draft) if p.rule.startswith("code")}
    assert {("code_format", "9" * 65, "error"), ("code_prefix", "9" * 16, "error")} <= found
    assert ("code_pattern", "WG-12345", "warning") in found


def test_faults_already_stored_do_not_block(conn, draft):
    a, b, vertex = shared_vertex(draft)
    base = store.read_base(conn, draft.id)
    blob = shapely.Point(vertex).buffer(5e-5)
    for version in (base, draft):
        version.grids[a].geom = as_multi(shapely.union(version.grids[a].geom, blob))
    problems = [p for p in validate(draft, base) if p.rule == "overlap"]
    assert problems and all(p.pre_existing and not p.blocks for p in problems)
    assert "原有" in describe(problems[0])


def test_an_old_sliver_does_not_excuse_a_new_gap(conn, draft):
    """A stored gap of a few m² is pre-existing; a draft that widens it to hundreds is not."""
    a, _b, vertex = shared_vertex(draft)
    base = store.read_base(conn, draft.id)
    small, large = shapely.Point(vertex).buffer(2e-5), shapely.Point(vertex).buffer(2e-4)
    for version, hole in ((base, small), (draft, large)):
        for item in [*version.grids.values(), *version.micro_grids.values()]:
            item.geom = as_multi(shapely.difference(item.geom, hole))
    gaps = [p for p in validate(draft, base) if p.rule == "gap"]
    assert gaps and any(p.blocks for p in gaps)
    same = [p for p in validate(base, base) if p.rule == "gap"]
    assert same and not any(p.blocks for p in same)
