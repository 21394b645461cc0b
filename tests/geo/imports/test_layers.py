"""Each layer in and out: export then import changes nothing, in every format; versions,
flags across rows, key persons, and text kept byte for byte."""

import csv
import json

import pandas as pd
import pytest

from geo.db.connection import connect
from geo.shared.crs import from_wgs84
from tests.geo.imports.conftest import import_file, scalar
from tests.test_cli import run_geo

FORMATS = ("gpkg", "geojson", "csv", "shp")
LAYERS = ("areas", "grids", "micro-grids", "buildings", "key-places", "cameras", "cases")


def export(url, layer, path, *extra):
    result = run_geo("export", "--layer", layer, str(path), *extra, database_url=url, in_process=True)
    assert result.returncode == 0, result.stderr
    return path


def test_a_geopackage_is_version_1_2_with_its_layer_named_after_the_data(city_db, tmp_path):
    """GDAL's default 1.4 draws a "may only be partially supported" warning from Debian's GDAL
    3.6 and the QGIS built on it."""
    import sqlite3
    import subprocess

    path = export(city_db, "micro-grids", tmp_path / "exported file.gpkg")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200
        assert [name for (name,) in db.execute("SELECT table_name FROM gpkg_contents")] == ["micro_grids"]
    opened = subprocess.run(["ogrinfo", "-ro", "-so", str(path), "micro_grids"], capture_output=True, text=True)
    assert opened.returncode == 0 and "Feature Count:" in opened.stdout
    assert "partially supported" not in opened.stderr and "Warning" not in opened.stderr, opened.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_export_then_import_changes_nothing_in_every_format(city_db, tmp_path, fmt):
    for layer in LAYERS:
        path = export(city_db, layer, tmp_path / f"{layer}.{fmt}")
        code, summary, stderr = import_file(city_db, path, layer)
        assert code == 0, stderr
        assert summary["inserted"] == summary["updated"] == summary["rejected"] == 0, (layer, summary)
        assert summary["unchanged"] == summary["read"] > 0, (layer, summary)


@pytest.mark.slow
def test_a_city_rebuilt_from_its_exported_shapefiles(city_db, fresh_database, tmp_path):
    """Into an empty database, in the order a city loads its layers: same rows, same placements."""
    empty = fresh_database()
    for layer in LAYERS:
        code, summary, stderr = import_file(empty, export(city_db, layer, tmp_path / f"{layer}.shp"), layer)
        assert code == 0 and summary["rejected"] == 0, stderr
    for query in (
        "SELECT count(*) FROM grid_current",
        "SELECT count(*) FROM building",
        "SELECT count(*) FROM cases",
        "SELECT md5(string_agg(c.code || ':' || coalesce(g.code, '-'), ',' ORDER BY c.code)) "
        "FROM case_located c LEFT JOIN grid g ON g.id = c.grid_id",
    ):
        assert scalar(empty, query) == scalar(city_db, query), query
    assert run_geo("check-topology", database_url=empty).returncode == 0


def test_a_changed_grid_gets_a_new_version_and_the_old_one_is_closed(city_db, tmp_path):
    path = export(city_db, "grids", tmp_path / "grids.csv")
    with open(path, encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    rows[1][1] = rows[1][1] + "（更名）"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    code, summary, stderr = import_file(city_db, path, "grids")
    assert code == 0 and (summary["updated"], summary["inserted"]) == (1, 0), stderr
    versions = scalar(
        city_db, "SELECT array_agg(valid_to IS NULL ORDER BY valid_from) FROM grid WHERE code = %s", [rows[1][0]]
    )
    assert versions == [False, True]
    again = import_file(city_db, path, "grids")[1]
    assert (again["updated"], again["unchanged"]) == (0, again["read"])
    # The changed boundaries are in the audit log once; the import that changed nothing is not.
    commits = scalar(city_db, "SELECT array_agg(detail->>'changes') FROM audit.log WHERE action = 'boundary.commit'")
    assert commits == ["1"]


def test_missing_parents_and_overlaps_are_loaded_and_flagged(city_db, tmp_path):
    square = "POLYGON((113.96 33.54, 113.961 33.54, 113.961 33.541, 113.96 33.541, 113.96 33.54))"
    areas = tmp_path / "areas.csv"
    areas.write_text(f'区划代码,名称,wkt\n999999001001,孤儿社区,"{square}"\n', encoding="utf-8")
    code, summary, stderr = import_file(city_db, areas, "areas")
    assert code == 0 and summary["inserted"] == 1 and summary["flagged"] == 1, (stderr, summary)
    grids = tmp_path / "grids.csv"
    grids.write_text(
        f'网格编码,网格名称,wkt\n9999990010019001,甲,"{square}"\n9999990010019002,乙,"{square}"\n', encoding="utf-8"
    )
    code, summary, stderr = import_file(city_db, grids, "grids")
    assert code == 0 and summary["inserted"] == 2, stderr
    assert summary["flags"]["grids overlapping another imported grid"] == 2
    topology = run_geo("check-topology", database_url=city_db)
    assert "admin_area_parent" in topology.stdout and "999999001001" in topology.stdout


def test_key_persons_by_building_code_or_address_and_nothing_personal_printed(city_db, tmp_path):
    building, address = scalar(city_db, "SELECT array[code, standard_address] FROM building ORDER BY id LIMIT 1")
    path = tmp_path / "persons.csv"
    path.write_text(
        "人员编号,人员类别,楼栋编码,住址,登记日期,关注等级\n"
        f"KP-T1,社区矫正对象,{building},,2026-03-01,高\n"
        f"KP-T2,独居老人,,{address},2026/03/02,\n"
        "KP-T3,独居老人,NO-SUCH-BUILDING,,2026-03-03,\n"
        "KP-T4,独居老人,,火星路1号,2026-03-03,\n"
        f"KP-T5,独居老人,{building},,2026-03-03 10:00,\n",
        encoding="utf-8",
    )
    result = run_geo("import", str(path), "--layer", "key-persons", "--json", database_url=city_db)
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["inserted"], summary["rejected"]) == (2, 3), summary
    with open(summary["report"], encoding="utf-8-sig") as handle:
        reasons = {row["line"]: row["reason"] for row in csv.DictReader(handle)}
    assert "unknown building" in reasons["4"] and "matches no building" in reasons["5"] and "time" in reasons["6"]
    assert building not in result.stdout and address not in result.stdout
    placed = scalar(
        city_db,
        "SELECT array_agg(b.code ORDER BY k.pseudonym) FROM sensitive.key_person k JOIN building b ON b.id = k.building_id "
        "WHERE k.pseudonym LIKE 'KP-T%%'",
    )
    assert placed == [building, building]


def test_key_persons_export_only_as_suppressed_counts_per_grid(city_db, tmp_path):
    path = export(city_db, "key-persons", tmp_path / "persons.csv")
    with open(path, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) == {"grid_code", "grid_name", "category", "persons", "suppressed", "wkt"}
    assert all(row["persons"] == "" or int(row["persons"]) >= 10 for row in rows)
    pseudonyms = scalar(city_db, "SELECT array_agg(pseudonym) FROM sensitive.key_person")
    text = path.read_text(encoding="utf-8-sig")
    assert not any(p in text for p in pseudonyms)


def test_points_layers_and_gcj02_coordinates(city_db, tmp_path):
    lon, lat = scalar(
        city_db, "SELECT array[ST_X(p), ST_Y(p)] FROM (SELECT ST_PointOnSurface(geom) p FROM grid_current LIMIT 1) g"
    )
    gcj_lon, gcj_lat = (float(v[0]) for v in from_wgs84([lon], [lat], "gcj02"))
    path = tmp_path / "cameras.csv"
    path.write_text(f"点位编码,点位名称,类型,经度,纬度\nCAM-T1,东门,小区,{gcj_lon!r},{gcj_lat!r}\n", encoding="utf-8")
    code, summary, stderr = import_file(city_db, path, "cameras", "--crs", "gcj02")
    assert code == 0 and summary["inserted"] == 1, stderr
    moved = scalar(
        city_db,
        "SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography) FROM camera WHERE code = 'CAM-T1'",
        [lon, lat],
    )
    assert moved < 0.05


def test_text_is_kept_byte_for_byte(city_db, tmp_path):
    address = scalar(city_db, "SELECT standard_address FROM building LIMIT 1")
    long_text = "<script>alert('x')</script> \"引号\", 逗号\n换行\r\n" + "长" * 50_000
    path = tmp_path / "cases.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["事件编号", "事件类型", "事件描述", "上报时间", "地址"],
                ["T1", "邻里纠纷", long_text, "2026-11-10", address],
            ]
        )
    code, summary, stderr = import_file(city_db, path, "cases")
    assert code == 0 and summary["inserted"] == 1, stderr
    assert scalar(city_db, "SELECT summary FROM cases WHERE code = 'T1'") == long_text


def test_export_as_of_a_date_and_for_one_county(city_db, tmp_path):
    county = scalar(city_db, "SELECT code FROM admin_area WHERE level = 2 ORDER BY code LIMIT 1")
    path = export(city_db, "grids", tmp_path / "county.csv", "--county", county)
    with open(path, encoding="utf-8-sig") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    in_county = scalar(
        city_db,
        "SELECT count(*) FROM grid_current g JOIN admin_area c ON c.code = %s "
        "WHERE ST_Covers(c.geom, ST_PointOnSurface(g.geom))",
        [county],
    )
    assert codes and len(codes) == in_county < scalar(city_db, "SELECT count(*) FROM grid_current")
    before = scalar(city_db, "SELECT min(valid_from)::date - 1 FROM grid")
    assert "0 row(s)" in run_geo("export", "--layer", "grids", str(tmp_path / "old.csv"), "--as-of", str(before),
                                 database_url=city_db).stdout  # fmt: skip
    refused = run_geo("export", "--layer", "grids", str(tmp_path / "x.csv"), "--county", "000000", database_url=city_db)
    assert refused.returncode == 1 and "no county" in refused.stderr


def test_a_point_moved_in_qgis_is_taken_from_the_geometry(city_db, tmp_path):
    """An exported point layer keeps 经度/纬度 columns; after the geometry is moved, the
    geometry wins and the row says so."""
    import geopandas as gpd
    import shapely

    path = export(city_db, "cameras", tmp_path / "cameras.gpkg")
    frame = gpd.read_file(path)
    frame.loc[0, "geometry"] = shapely.Point(frame.loc[0, "lon"] + 0.001, frame.loc[0, "lat"])
    frame.to_file(path, engine="pyogrio")
    code, summary, stderr = import_file(city_db, path, "cameras")
    assert code == 0 and (summary["updated"], summary["warnings"]) == (1, 1), (stderr, summary)
    moved = scalar(city_db, "SELECT ST_X(geom) FROM camera WHERE code = %s", [frame.loc[0, "code"]])
    assert abs(moved - (frame.loc[0, "lon"] + 0.001)) < 1e-9


def test_report_cells_are_not_run_as_formulas(city_db, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        '事件编号,事件类型,事件描述,上报时间,地址\n=HYPERLINK("http://x"),邻里纠纷,x,2026-02-30,某地\n',
        encoding="utf-8",
    )
    code, summary, stderr = import_file(city_db, path, "cases")
    assert code == 0 and summary["rejected"] == 1, stderr
    with open(summary["report"], encoding="utf-8-sig") as handle:
        assert "'=HYPERLINK" in handle.read()


def test_a_csv_of_an_exact_number_of_chunks_reads_every_row_once(tmp_path):
    from geo.imports.tables import read_chunks

    path = tmp_path / "four.csv"
    path.write_text("a,b\n1,2\n3,4\n5,6\n7,8\n", encoding="utf-8")
    chunks = list(read_chunks(str(path), rows=2))
    assert [chunk.lines for chunk in chunks] == [[2, 3], [4, 5]]


def test_chinese_column_names_cut_by_a_gbk_dbf_still_match(city_db, tmp_path):
    import geopandas as gpd
    import shapely

    community = scalar(city_db, "SELECT code FROM admin_area WHERE level = 4 ORDER BY code LIMIT 1")
    x, y = scalar(city_db, "SELECT array[ST_X(p), ST_Y(p)] FROM admin_area, ST_PointOnSurface(geom) p WHERE code = %s",
                  [community])  # fmt: skip
    parent, child = f"{community}9100", f"{community}9101"
    frame = gpd.GeoDataFrame(
        {"网格编码": [parent, child], "网格名称": ["父", "子"], "上级网格编码": [None, parent]},
        geometry=[shapely.box(x, y, x + 0.001, y + 0.001)] * 2,
        crs="EPSG:4326",
    )
    frame.to_file(tmp_path / "g.shp", engine="pyogrio", encoding="gbk")
    code, summary, stderr = import_file(city_db, tmp_path / "g.shp", "grids")
    assert code == 0 and summary["inserted"] == 2, stderr
    levels = scalar(city_db, "SELECT array_agg(level ORDER BY code) FROM grid_current WHERE code IN (%s, %s)",
                    [parent, child])  # fmt: skip
    assert levels == [1, 2]


def test_key_persons_export_hides_what_the_map_hides(city_db, monkeypatch):
    """A file and the map together give nothing away: every count in the export is shown on
    the map as the same number, every hidden one hidden there too (k = 3, so both kinds occur)."""
    from geo.imports.export import read_layer
    from geo.map import areas
    from geo.settings import get_settings
    from geo.shared.units import find_unit

    monkeypatch.setenv("SAFETY_MAP_SMALL_COUNT_K", "3")
    get_settings.cache_clear()
    areas.forget_key_persons()
    try:
        with connect(city_db) as conn:
            frame = read_layer(conn, "key-persons", None, None)
            for grid, rows in frame.groupby("grid_code"):
                shown = areas.key_persons_by_category(conn, find_unit(conn, grid))
                exported = {c: (None if pd.isna(p) else int(p)) for c, p in zip(rows["category"], rows["persons"])}
                assert exported == {c: shown[c] for c in exported}, grid
    finally:
        get_settings.cache_clear()
        areas.forget_key_persons()
    assert frame["suppressed"].any() and not frame["suppressed"].all()
