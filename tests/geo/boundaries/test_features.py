"""The boundary editor's GeoJSON: a small draft built in memory (two grids sharing an edge
under one parent, a micro-grid, two buildings), and the communities list on the demo city."""

import json
from dataclasses import replace

import numpy as np
import pytest
import shapely

from geo.boundaries import features
from geo.boundaries.draft import Buildings, Community, Draft, Grid, MicroGrid, as_multi
from geo.boundaries.validate import Problem


def square(x0, y0, x1, y1):
    return as_multi(shapely.box(x0, y0, x1, y1))


def grid(code, geom, level=3, parent="P", name=None) -> Grid:
    return Grid(code=code, base_id=None, name=name or f"网格{code}", level=level, is_basic=level == 3,
                kind="regular", exclusive_type=None, parent_code=parent, households=10,
                target_households=None, geom=geom)  # fmt: skip


@pytest.fixture
def draft() -> Draft:
    """West grid A [0,1]x[0,1] and east grid B [1,2]x[0,1] share the edge x=1 (vertices
    (1,0) and (1,1)); their parent P covers both; A has one micro-grid."""
    whole = square(0, 0, 2, 1)
    grids = {
        "P": grid(
            "P",
            shapely.MultiPolygon([shapely.Polygon([(0, 0), (1, 0), (2, 0), (2, 1), (1, 1), (0, 1)])]),
            level=2,
            parent=None,
        ),  # fmt: skip
        "A": grid("A", square(0, 0, 1, 1)),
        "B": grid("B", square(1, 0, 2, 1), name="<b>东</b>"),
    }
    micro = {"A-1": MicroGrid("A-1", None, "A", "building", 4, square(0, 0, 0.5, 0.5))}
    footprints = np.array([shapely.box(0.1, 0.1, 0.2, 0.2), shapely.box(1.1, 0.1, 1.2, 0.2)], dtype=object)
    buildings = Buildings(
        ids=np.array([7, 8]),
        codes=np.array(["B7", "B8"], dtype=object),
        households=np.array([3, 5]),
        footprints=footprints,
        points=shapely.point_on_surface(footprints),
    )
    community = Community(id=1, code="411802001001", name="测试社区", is_urban=True, geom=whole)
    return Draft(id=5, community=community, grids=grids, micro_grids=micro, buildings=buildings)


def test_grids_are_geojson_with_properties_and_parents_first(draft):
    collection = features.grid_features(draft)
    json.dumps(collection)  # plain JSON, as Dash sends it
    codes = [f["properties"]["code"] for f in collection["features"]]
    assert codes[0] == "P" and set(codes) == {"P", "A", "B"}
    b = next(f for f in collection["features"] if f["properties"]["code"] == "B")
    assert b["geometry"]["type"] == "MultiPolygon"
    assert b["properties"]["name"] == "<b>东</b>"  # as written: the page escapes it
    assert b["properties"]["is_basic"] and b["properties"]["households"] == 10
    assert b["properties"]["colour"] in features.PALETTE


def test_colours_stay_with_their_grid_when_another_is_added(draft):
    before = {f["properties"]["code"]: f["properties"]["colour"] for f in features.grid_features(draft)["features"]}
    draft.grids["Z"] = grid("Z", square(2, 0, 3, 1))
    after = {f["properties"]["code"]: f["properties"]["colour"] for f in features.grid_features(draft)["features"]}
    assert all(after[code] == colour for code, colour in before.items())
    assert len(set(features.colours_of(["4118020010010101", "4118020010010102", "4118020010010103"]).values())) == 3


def test_vertices_of_a_grid_say_which_are_shared(draft):
    handles = features.handle_features(draft, "A")["features"]
    vertices = {
        tuple(f["geometry"]["coordinates"]): f["properties"] for f in handles if f["properties"]["kind"] == "vertex"
    }
    assert set(vertices) == {(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)}
    # Shared with the sibling B; the parent P (which has every vertex) does not count.
    assert vertices[(1.0, 0.0)]["shared"] and vertices[(1.0, 0.0)]["with"] == ["B"]
    assert vertices[(1.0, 1.0)]["shared"]
    assert not vertices[(0.0, 0.0)]["shared"] and vertices[(0.0, 0.0)]["with"] == []
    # Exact coordinates kept, and a label the browser can find the handle by.
    assert vertices[(1.0, 0.0)]["lon"] == 1.0 and vertices[(1.0, 0.0)]["label"] == "1.0000000,0.0000000"


def test_edges_have_a_midpoint_handle_with_their_ends(draft):
    edges = [f for f in features.handle_features(draft, "A")["features"] if f["properties"]["kind"] == "edge"]
    assert len(edges) == 4
    shared_edge = next(
        f for f in edges if {tuple(f["properties"]["a"]), tuple(f["properties"]["b"])} == {(1, 0), (1, 1)}
    )
    assert shared_edge["geometry"]["coordinates"] == [1.0, 0.5]


def test_handles_on_the_communitys_outline_are_locked(draft):
    handles = features.handle_features(draft, "A")["features"]
    locked = {
        (f["properties"]["kind"], tuple(f["geometry"]["coordinates"])) for f in handles if f["properties"]["locked"]
    }
    # A's corners all lie on the outline [0,2]x[0,1], and so do three of its edges; the edge
    # x=1 it shares with B crosses the community, but moving it would move its ends on the
    # outline: locked too.
    assert locked == {
        ("vertex", (0.0, 0.0)), ("vertex", (1.0, 0.0)), ("vertex", (1.0, 1.0)), ("vertex", (0.0, 1.0)),
        ("edge", (0.5, 0.0)), ("edge", (0.0, 0.5)), ("edge", (0.5, 1.0)), ("edge", (1.0, 0.5)),
    }  # fmt: skip
    draft.community = replace(draft.community, geom=square(-1, -1, 3, 2))  # a community around them: none locked
    assert not any(f["properties"]["locked"] for f in features.handle_features(draft, "A")["features"])


def test_handles_of_an_unknown_grid_are_empty(draft):
    assert features.handle_features(draft, "nope") == features.EMPTY


def test_handles_follow_holes_too(draft):
    draft.grids["A"].geom = as_multi(shapely.box(0, 0, 1, 1).difference(shapely.box(0.4, 0.4, 0.6, 0.6)))
    vertices = [f for f in features.handle_features(draft, "A")["features"] if f["properties"]["kind"] == "vertex"]
    assert len(vertices) == 8


def test_micro_grids_buildings_and_outline(draft):
    micro = features.micro_grid_features(draft)["features"]
    assert micro[0]["properties"] == {"code": "A-1", "grid_code": "A", "kind": "building", "households": 4}
    buildings = features.building_features(draft.buildings)["features"]
    assert [f["properties"]["id"] for f in buildings] == [7, 8]
    assert buildings[0]["geometry"]["type"] == "Polygon"
    outline = features.community_feature(draft.community)["features"][0]
    assert outline["properties"] == {"code": "411802001001", "name": "测试社区"}
    assert features.bounds(draft.community) == [[0.0, 0.0], [1.0, 2.0]]


def test_building_features_of_no_buildings():
    assert features.building_features(Buildings.empty()) == features.EMPTY


def test_problems_with_a_place_are_drawn(draft):
    problems = [
        Problem(rule="gap", codes=["A", "B"], area_m2=12.0, geom=shapely.box(0.9, 0.9, 1.0, 1.0)),
        Problem(rule="households", codes=["A"], value=10, pre_existing=True),  # no place on the map
        Problem(rule="parts", codes=["B"], value=2, geom=shapely.Point(1.5, 0.5)),
    ]
    drawn = features.problem_features(problems, lambda p: f"text {p.rule}")["features"]
    assert [f["properties"]["rule"] for f in drawn] == ["gap", "parts"]
    gap = drawn[0]["properties"]
    assert gap["severity"] == "error" and gap["blocks"] and gap["text"] == "text gap" and gap["codes"] == ["A", "B"]
    assert drawn[1]["properties"]["severity"] == "warning" and not drawn[1]["properties"]["blocks"]
    assert drawn[1]["geometry"]["type"] == "Point"


def test_has_vertex_within_a_tolerance(draft):
    assert features.has_vertex(draft.grids["A"].geom, (1.0, 1.0 + 1e-10))
    assert not features.has_vertex(draft.grids["A"].geom, (0.5, 0.5))
    assert not features.has_vertex(shapely.MultiPolygon(), (0, 0))


def test_grids_of_a_moment(demo_conn):
    from geo.boundaries.history import grids_as_of

    code = features.communities(demo_conn)[0]["code"]
    frame = grids_as_of(demo_conn, code)
    collection = features.frame_features(frame)
    assert len(collection["features"]) == len(frame) > 0
    levels = [f["properties"]["level"] for f in collection["features"]]
    assert levels == sorted(levels)
    assert all(f["properties"]["colour"] in features.PALETTE for f in collection["features"])
    json.dumps(collection)


def test_communities_have_names_and_townships(demo_conn):
    rows = features.communities(demo_conn)
    assert rows and [r["code"] for r in rows] == sorted(r["code"] for r in rows)
    assert all(len(r["code"]) == 12 and r["name"] and r["township"] for r in rows)
    with_grids = demo_conn.execute(
        "SELECT count(DISTINCT community_id) FROM grid_current WHERE community_id IS NOT NULL"
    ).fetchone()[0]
    assert len(rows) == with_grids
