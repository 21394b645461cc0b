"""Boundaries through a GeoPackage on a real database: export, edit the file as QGIS would,
import it as a draft, validate, commit; and hostile files refused with the row and the reason,
leaving nothing behind."""

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyogrio
import pytest
import shapely

from geo.boundaries import history, store
from geo.boundaries.commit import commit_draft
from geo.boundaries.geopackage import export_boundaries, import_boundaries
from geo.boundaries.validate import blocking
from geo.cli import main
from geo.errors import UserError
from geo.settings import get_settings
from tests.geo.boundaries.conftest import contains_vertex, shared_vertex

NUDGE = (2e-5, 1e-5)
AUTHOR = "测试规划员"


@pytest.fixture
def exported(conn, community, tmp_path):
    """The community exported to a GeoPackage: (path, grids frame, micro-grids frame)."""
    path = tmp_path / "community.gpkg"
    export_boundaries(conn, community, path)
    return path, read(path, "grids"), read(path, "micro_grids")


def read(path, layer: str) -> gpd.GeoDataFrame:
    return gpd.read_file(path, layer=layer, engine="pyogrio")


def write(path, grids, micro=None) -> None:
    path.unlink(missing_ok=True)
    pyogrio.write_dataframe(grids, path, layer="grids", driver="GPKG")
    if micro is not None:
        micro.to_file(path, layer="micro_grids", driver="GPKG", engine="pyogrio")


def a_shared_vertex(conn, community) -> tuple[str, str, tuple[float, float]]:
    """Two sibling basic grids and an inner vertex they share (found on a draft that is rolled back)."""
    with conn.transaction():
        found = shared_vertex(store.open_draft(conn, community, AUTHOR))
        raise psycopg.Rollback()
    return found


def move_vertex(frame: gpd.GeoDataFrame, vertex, target) -> gpd.GeoDataFrame:
    """The frame with every coordinate at `vertex` moved to `target` (grids and micro-grids alike)."""

    def shift(coords):
        coords = coords.copy()
        coords[np.abs(coords - np.asarray(vertex)).max(axis=1) < 1e-9] = target
        return coords

    moved = frame.copy()
    moved["geometry"] = shapely.transform(frame.geometry.to_numpy(), shift)
    return moved


def draft_rows(conn) -> tuple:
    return conn.execute(
        "SELECT (SELECT count(*) FROM boundary_draft), (SELECT count(*) FROM boundary_draft_grid),"
        " (SELECT count(*) FROM boundary_draft_micro_grid), (SELECT count(*) FROM boundary_draft_step)"
    ).fetchone()


def no_changes(report) -> bool:
    return all(not codes for layer in report["changes"].values() for codes in layer.values())


def test_export_writes_both_layers_with_readable_columns(conn, community, exported):
    path, grids, micro = exported
    stored = conn.execute(
        "SELECT count(*) FROM grid_current g JOIN admin_area a ON a.id = g.community_id WHERE a.code = %s", [community]
    ).fetchone()[0]
    assert len(grids) == stored and len(micro) > 0
    assert {"code", "name", "level", "is_basic", "kind", "exclusive_type", "parent_code", "households"} <= set(grids)
    assert {"code", "grid_code", "kind", "households"} <= set(micro)
    assert grids.crs.to_epsg() == 4326 and grids["code"].str.startswith(community).all()
    assert set(micro["grid_code"]) <= set(grids["code"]) and grids["valid_to"].isna().all()


def test_export_then_import_unchanged_changes_nothing(conn, community, exported):
    path, _grids, _micro = exported
    draft_id, problems, report = import_boundaries(conn, path, community, AUTHOR)
    assert no_changes(report), report["changes"]
    assert not blocking(problems) and not report["not_taken"] and not report["notes"]
    source = conn.execute("SELECT source, status FROM boundary_draft WHERE id = %s", [draft_id]).fetchone()
    assert source == ("geopackage", "open")
    with pytest.raises(UserError, match="nothing to commit"):
        commit_draft(conn, draft_id, AUTHOR, "无变化")


def test_a_moved_shared_vertex_imports_clean_commits_and_the_old_boundary_stays_by_date(conn, community, exported):
    path, grids, micro = exported
    a, b, vertex = a_shared_vertex(conn, community)
    target = (vertex[0] + NUDGE[0], vertex[1] + NUDGE[1])
    write(path, move_vertex(grids, vertex, target), move_vertex(micro, vertex, target))
    old_ids = dict(conn.execute("SELECT code, id FROM grid_current WHERE code = ANY(%s)", [[a, b]]).fetchall())
    before_commit = conn.execute("SELECT now()").fetchone()[0]
    draft_id, problems, report = import_boundaries(conn, path, community, AUTHOR)
    assert not blocking(problems), problems
    assert {a, b} <= set(report["changes"]["grid"]["changed"]) and not report["changes"]["grid"]["removed"]
    summary = commit_draft(conn, draft_id, AUTHOR, "按QGIS调整边界")
    assert summary["grids_written"] >= 2
    for code, old_id in old_ids.items():
        new_id, wkb = conn.execute("SELECT id, ST_AsBinary(geom) FROM grid_current WHERE code = %s", [code]).fetchone()
        assert new_id != old_id and contains_vertex(shapely.from_wkb(wkb), target)
        assert conn.execute("SELECT valid_to FROM grid WHERE id = %s", [old_id]).fetchone()[0] is not None
    assert history.versions(conn, community)[0]["note"] == "按QGIS调整边界"
    old_path = path.with_name("old.gpkg")
    export_boundaries(conn, community, old_path, before_commit)
    old = read(old_path, "grids").set_index("code")
    assert contains_vertex(old.loc[a, "geometry"], vertex) and not contains_vertex(old.loc[a, "geometry"], target)


def test_an_overlap_in_the_file_is_reported_and_the_commit_refused(conn, community, exported):
    path, grids, micro = exported
    a, b, _vertex = a_shared_vertex(conn, community)
    rows = grids.set_index("code")
    grids.loc[grids["code"] == a, "geometry"] = [shapely.union(rows.loc[a, "geometry"], rows.loc[b, "geometry"])]
    write(path, grids, micro)
    draft_id, problems, _report = import_boundaries(conn, path, community, AUTHOR)
    overlaps = [p for p in blocking(problems) if p.rule == "overlap"]
    assert any(set(p.codes) == {a, b} for p in overlaps), problems
    versions = len(history.versions(conn, community))
    with pytest.raises(UserError, match="breaks the rules"):
        commit_draft(conn, draft_id, AUTHOR, "重叠")
    assert len(history.versions(conn, community)) == versions


def test_a_grid_missing_from_the_file_is_removed_with_its_micro_grids(conn, community, exported):
    path, grids, micro = exported
    gone = grids[grids["is_basic"]].iloc[0]["code"]
    write(path, grids[grids["code"] != gone], micro[micro["grid_code"] != gone])
    draft_id, problems, report = import_boundaries(conn, path, community, AUTHOR)
    assert report["changes"]["grid"]["removed"] == [gone]
    assert set(report["changes"]["micro_grid"]["removed"]) == set(micro.loc[micro["grid_code"] == gone, "code"])
    assert any(p.rule == "gap" and p.blocks for p in problems)


def test_the_micro_grids_layer_can_give_a_removed_grids_micro_grids_to_another(conn, community, exported):
    path, grids, micro = exported
    a, b, _vertex = a_shared_vertex(conn, community)
    rows = grids.set_index("code")
    grids.loc[grids["code"] == a, "geometry"] = [shapely.union(rows.loc[a, "geometry"], rows.loc[b, "geometry"])]
    moved = micro["grid_code"] == b
    micro.loc[moved, "grid_code"] = a
    write(path, grids[grids["code"] != b], micro)
    draft_id, problems, report = import_boundaries(conn, path, community, AUTHOR)
    assert report["changes"]["grid"]["removed"] == [b] and not report["changes"]["micro_grid"]["removed"]
    assert set(micro.loc[moved, "code"]) <= set(report["changes"]["micro_grid"]["changed"])
    assert not blocking(problems), problems
    assert {m.grid_code for m in store.load_draft(conn, draft_id).micro_grids.values()} & {b} == set()


def test_without_a_micro_grids_layer_the_micro_grids_stay_and_follow_the_grids(conn, community, exported):
    path, grids, _micro = exported
    write(path, grids)
    _draft_id, _problems, report = import_boundaries(conn, path, community, AUTHOR)
    assert no_changes(report) and report["micro_grids_read"] is None and not report["notes"]
    a, b, vertex = a_shared_vertex(conn, community)
    write(path, move_vertex(grids, vertex, (vertex[0] + NUDGE[0], vertex[1] + NUDGE[1])))
    draft_id, _problems, report = import_boundaries(conn, path, community, AUTHOR)
    clipped = [note for note in report["notes"] if note["layer"] == "micro_grids" and "clipped" in note["text"]]
    assert clipped, report["notes"]
    draft = store.load_draft(conn, draft_id)
    for micro in draft.micro_grids.values():
        assert draft.area_m2(shapely.difference(micro.geom, draft.grids[micro.grid_code].geom)) < 1.0


def test_a_new_code_becomes_a_new_grid(conn, community, exported):
    path, grids, micro = exported
    parent = grids[grids["level"] == 2].iloc[0]
    children = grids[grids["parent_code"] == parent["code"]]
    split = children.iloc[0]
    new_code = split["code"][:14] + "99"
    halves = shapely.get_parts(split_in_two(split["geometry"]))
    grids.loc[grids["code"] == split["code"], "geometry"] = [halves[0]]
    addition = grids[grids["code"] == split["code"]].assign(code=new_code, name="新网格", geometry=[halves[1]])
    write(path, pd.concat([grids, addition], ignore_index=True), micro)
    draft_id, _problems, report = import_boundaries(conn, path, community, AUTHOR)
    assert report["changes"]["grid"]["created"] == [new_code]
    created = store.load_draft(conn, draft_id).grids[new_code]
    assert created.base_id is None and created.parent_code == parent["code"] and created.name == "新网格"


def split_in_two(geom):
    x0, y0, x1, y1 = geom.bounds
    left = shapely.box(x0 - 1, y0 - 1, (x0 + x1) / 2, y1 + 1)
    return shapely.GeometryCollection([geom.intersection(left), geom.difference(left)])


# Hostile files: each refused as a whole, with the row and the reason, and nothing left behind.


def set_geometry(row: int, geom):
    def change(grids, micro):
        grids.loc[row - 1, "geometry"] = geom
        return grids, micro

    return change


def collinear(grids, micro):
    x, y = shapely.get_coordinates(grids.loc[1, "geometry"])[0]
    flat = shapely.Polygon([(x, y), (x + 1e-4, y), (x + 2e-4, y), (x, y)])
    return set_geometry(2, flat)(grids, micro)


def as_point(grids, micro):
    return set_geometry(3, grids.loc[2, "geometry"].centroid)(grids, micro)


def duplicate(grids, micro):
    grids.loc[3, "code"] = grids.loc[2, "code"]
    return grids, micro


def foreign(grids, micro):
    grids.loc[1, "code"] = "9" * 16
    return grids, micro


def float_households(grids, micro):
    return grids.assign(households=grids["households"].astype(float)), micro


def float_code(grids, micro):
    return grids.assign(code=grids["code"].astype(float)), micro


def exclusive_without_type(grids, micro):
    grids.loc[grids["exclusive_type"].isna().to_numpy().nonzero()[0][1], "kind"] = "exclusive"
    return grids, micro


def no_features(grids, micro):
    return grids.iloc[:0], micro


def no_geometry(grids, micro):
    return pd.DataFrame(grids.drop(columns="geometry")), micro


def no_code(grids, micro):
    return grids.drop(columns="code"), micro


HOSTILE = {
    "null geometry": (set_geometry(2, None), "grids row 2 .*no geometry"),
    "not a polygon": (as_point, "grids row 3 .*a Point, not a polygon"),
    "invalid beyond repair": (collinear, "grids row 2 .*invalid .*make_valid leaves no polygon"),
    "duplicate code": (duplicate, "grids row 4: code \\d{16} already on row 3"),
    "another community": (foreign, "grids row 2: code 9{16} is not of community"),
    "households as decimals": (float_households, "column households is stored as Real; .*\\(row 1: \\d+\\.0\\)"),
    "code as a float": (float_code, "column code is stored as Real numbers; codes must be text"),
    "no code column": (no_code, "no column 'code'"),
    "no features": (no_features, "layer grids holds no features"),
    "no geometry column": (no_geometry, "layer grids is a table without geometry"),
    "exclusive without a type": (
        exclusive_without_type,
        "grids row \\d+ \\(\\d{16}\\): an exclusive grid .*needs an exclusive_type",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_is_refused_with_the_row_and_leaves_nothing(conn, community, exported, case):
    path, grids, micro = exported
    change, message = HOSTILE[case]
    write(path, *change(grids, micro))
    before = draft_rows(conn)
    with pytest.raises(UserError, match=message):
        import_boundaries(conn, path, community, AUTHOR)
    assert draft_rows(conn) == before


def test_skip_bad_imports_the_rest_and_keeps_the_grid_of_a_bad_row(conn, community, exported):
    path, grids, micro = exported
    write(path, *set_geometry(2, None)(grids, micro))
    draft_id, _problems, report = import_boundaries(conn, path, community, AUTHOR, skip_bad=True)
    assert [(item["row"], item["text"]) for item in report["not_taken"]] == [(2, "no geometry")]
    assert report["grids_read"] == len(grids) and report["micro_grids_read"] == len(micro)
    assert no_changes(report) and grids.loc[1, "code"] in store.load_draft(conn, draft_id).grids


def test_files_that_are_no_geopackage_are_refused(conn, community, exported, tmp_path):
    path, grids, _micro = exported
    text = tmp_path / "notes.gpkg"
    text.write_text("grids, but not a GeoPackage")
    geojson = tmp_path / "grids.geojson"
    grids.to_file(geojson, driver="GeoJSON", engine="pyogrio")
    other = tmp_path / "other.gpkg"
    grids.to_file(other, layer="wangge", driver="GPKG", engine="pyogrio")
    before = draft_rows(conn)
    for target, message in (
        (text, "not a readable GeoPackage"),
        (geojson, "not a GeoPackage"),
        (other, "no layer named 'grids' \\(it has: wangge\\)"),
        (tmp_path / "missing.gpkg", "no such file"),
    ):
        with pytest.raises(UserError, match=message):
            import_boundaries(conn, target, community, AUTHOR)
    assert draft_rows(conn) == before


def test_a_repairable_polygon_is_repaired_and_said_so(conn, community, exported):
    path, grids, micro = exported
    x0, y0, x1, y1 = grids.loc[2, "geometry"].bounds
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    write(path, *set_geometry(3, bowtie)(grids, micro))
    _draft_id, _problems, report = import_boundaries(conn, path, community, AUTHOR)
    notes = [note for note in report["notes"] if note["row"] == 3]
    assert notes and "repaired with make_valid" in notes[0]["text"] and "Self-intersection" in notes[0]["text"]
    assert grids.loc[2, "code"] in report["changes"]["grid"]["changed"]


def test_another_crs_is_reprojected_and_no_crs_read_as_wgs84(conn, community, exported):
    path, grids, micro = exported
    write(path, grids.to_crs(3857), micro.to_crs(3857))
    _draft_id, problems, report = import_boundaries(conn, path, community, AUTHOR)
    assert any("reprojected from EPSG:3857" in note["text"] for note in report["notes"])
    assert no_changes(report) and not blocking(problems)
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        write(path, grids.set_crs(None, allow_override=True), micro)
    _draft_id, _problems, report = import_boundaries(conn, path, community, AUTHOR)
    assert any("no CRS: read as EPSG:4326" in note["text"] for note in report["notes"]) and no_changes(report)


# The command line, in process.


@pytest.fixture
def cli_database(city_db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", city_db)
    get_settings.cache_clear()
    yield city_db
    get_settings.cache_clear()


def test_the_command_line_exports_imports_commits_and_lists(cli_database, conn, community, tmp_path, capsys):
    path = tmp_path / "edit.gpkg"
    assert main(["boundaries", "export", "--community", community, str(path)]) == 0
    assert "grid(s)" in capsys.readouterr().out
    a, _b, vertex = a_shared_vertex(conn, community)
    target = (vertex[0] + NUDGE[0], vertex[1] + NUDGE[1])
    write(
        path, move_vertex(read(path, "grids"), vertex, target), move_vertex(read(path, "micro_grids"), vertex, target)
    )
    assert main(["boundaries", "import", str(path), "--community", community, "--author", AUTHOR, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    draft_id = int(out.split()[1])
    assert a in out and "changed" in out
    assert main(["boundaries", "check", str(draft_id)]) == 0
    assert main(["boundaries", "commit", str(draft_id), "--author", AUTHOR, "--reason", "命令行调整"]) == 0
    assert "committed version" in capsys.readouterr().out
    assert main(["boundaries", "history", "--community", community]) == 0
    assert "命令行调整" in capsys.readouterr().out.splitlines()[0]
    moment = (dt.datetime.now() - dt.timedelta(days=3650)).strftime("%Y-%m-%d %H:%M")
    assert main(["boundaries", "export", "--community", community, "--as-of", moment, str(path)]) == 1
    assert "had no grids" in capsys.readouterr().err


def test_the_command_line_exits_1_on_a_blocking_problem_and_does_not_commit(
    cli_database, conn, community, tmp_path, capsys
):
    path = tmp_path / "edit.gpkg"
    assert main(["boundaries", "export", "--community", community, str(path)]) == 0
    grids, micro = read(path, "grids"), read(path, "micro_grids")
    basic = grids[grids["is_basic"]].index[0]
    write(path, grids.drop(index=basic), micro)
    versions = len(history.versions(conn, community))
    argv = [
        "boundaries",
        "import",
        str(path),
        "--community",
        community,
        "--author",
        AUTHOR,
        "--commit",
        "--reason",
        "x",
    ]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "not committed" in out and "1 removed" in out and "[blocks]" in out
    assert len(history.versions(conn, community)) == versions


def test_the_command_line_imports_and_commits_at_once(cli_database, conn, community, tmp_path, capsys):
    path = tmp_path / "edit.gpkg"
    assert main(["boundaries", "export", "--community", community, str(path)]) == 0
    _a, _b, vertex = a_shared_vertex(conn, community)
    target = (vertex[0] + NUDGE[0], vertex[1] + NUDGE[1])
    write(
        path, move_vertex(read(path, "grids"), vertex, target), move_vertex(read(path, "micro_grids"), vertex, target)
    )
    argv = ["boundaries", "import", str(path), "--community", community, "--author", AUTHOR, "--commit"]
    assert main(argv) == 1 and "--commit needs --reason" in capsys.readouterr().err
    assert main([*argv, "--reason", "一步到位"]) == 0
    assert "committed version" in capsys.readouterr().out
    assert history.versions(conn, community)[0]["note"] == "一步到位"
    assert main(["boundaries", "import", str(path), "--community", community, "--author", AUTHOR]) == 0
    assert "0 changed, 0 created, 0 removed" in capsys.readouterr().out
