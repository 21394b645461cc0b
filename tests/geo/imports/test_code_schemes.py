"""Another city's own grid codes (issue 21): hand-written files of a city that numbers its grids
with 15 or 18 digits (and letters), imported into a copy of the small demo city. A code is an
identifier: off the configured scheme it loads with a warning; the hierarchy comes from the
file's parent columns, else from the scheme a city configures (SAFETY_MAP_CODE_SCHEME)."""

import csv

from geo.db.connection import connect
from tests.geo.imports.conftest import import_file
from tests.geo.other_city import SCHEME_18, SOUTH, WEST, areas_file, cell, run_import, square, write_csv
from tests.test_cli import run_geo


def reports(summary: dict) -> tuple[list, list]:
    """The rejected rows and the warnings (line, id, text) the import wrote."""
    return read_report(summary["report"]), read_report(summary["warnings_report"])


def read_report(path) -> list[list[str]]:
    if not path:
        return []
    with open(path, encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))[1:]


def stored_grids(url: str, codes) -> dict:
    with connect(url) as conn:
        rows = conn.execute(
            """SELECT g.code, g.level, g.parent_code, a.code, g.is_basic FROM grid_current g
               LEFT JOIN admin_area a ON a.id = g.community_id WHERE g.code = ANY(%s)""",
            [list(codes)],
        ).fetchall()
    return {code: rest for code, *rest in rows}


def test_a_15_digit_grid_file_with_parent_columns_loads_with_warnings(city_db, tmp_path):
    assert import_file(city_db, areas_file(tmp_path), "areas")[1]["rejected"] == 0
    top, east, west = "330102001001000", "330102001001001", "330102001001002"
    rows = [[top, "一级网格", "", "330102001001", cell(0)],
            [east, "东网格", top, "330102001001", cell(0, (0.5, 0, 1, 1))],
            [west, "西网格", top, "330102001001", cell(0, (0, 0, 0.5, 1))],
            ["JB-C3-01", "字母编码网格", "", "JB-C3", cell(2)],
            ["330102001001009", "重复编码网格", top, "330102001001", cell(0, (0, 0, 0.1, 0.1))],
            ["330102001001009", "重复编码网格", top, "330102001001", cell(0, (0, 0, 0.1, 0.1))]]  # fmt: skip
    path = write_csv(tmp_path / "grids15.csv", ["网格编码", "网格名称", "上级网格编码", "社区编码", "WKT"], rows)
    code, summary, stderr = import_file(city_db, path, "grids")
    assert code == 0, stderr
    rejected, warnings = reports(summary)
    assert summary["inserted"] == 4 and summary["rejected"] == 2
    assert sorted((line, grid) for line, grid, _reason in rejected) == [
        ("6", "330102001001009"),
        ("7", "330102001001009"),
    ]
    assert {(line, grid) for line, grid, text in warnings if "code scheme" in text} == {
        ("2", top), ("3", east), ("4", west), ("5", "JB-C3-01")}  # fmt: skip
    assert stored_grids(city_db, [top, east, west, "JB-C3-01"]) == {
        top: [1, None, "330102001001", False], east: [2, top, "330102001001", True],
        west: [2, top, "330102001001", True], "JB-C3-01": [1, None, "JB-C3", True]}  # fmt: skip

    micro = [["330102001001001-01", east, cell(0, (0.5, 0, 1, 0.5))], ["WG-M-2", west, cell(0, (0, 0, 0.5, 0.5))]]
    path = write_csv(tmp_path / "micro.csv", ["微网格编码", "所属网格编码", "WKT"], micro)
    code, summary, stderr = import_file(city_db, path, "micro-grids")
    assert code == 0, stderr
    assert (summary["inserted"], summary["rejected"], summary["warnings"], summary["flagged"]) == (2, 0, 2, 0)


def test_an_18_digit_scheme_gives_the_hierarchy_of_a_file_without_parent_columns(city_db, tmp_path):
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(SCHEME_18, encoding="utf-8")
    env = {"SAFETY_MAP_CODE_SCHEME": str(scheme)}
    c = "330102001002"
    top, area, first, second = c + "000000", c + "001000", c + "001001", c + "001002"
    rows = [[top, "一级", cell(1)], [area, "片区", cell(1)], [first, "一号", cell(1, (0, 0, 0.5, 1))],
            [second, "二号", cell(1, (0.5, 0, 1, 1))]]  # fmt: skip
    grids = write_csv(tmp_path / "grids18.csv", ["网格编码", "网格名称", "WKT"], rows)
    # The grids come before their community: they are linked when the areas arrive.
    summary = run_import(city_db, grids, "grids", env)
    assert (summary["inserted"], summary["rejected"], summary["warnings"]) == (4, 0, 0)
    assert summary["flags"]["grids whose community is not in the database"] == 4
    assert run_import(city_db, areas_file(tmp_path), "areas", env)["rejected"] == 0
    assert stored_grids(city_db, [top, area, first, second]) == {
        top: [1, None, c, False], area: [2, top, c, False], first: [3, area, c, True], second: [3, area, c, True]}  # fmt: skip

    micro = [[first + "001", cell(1, (0, 0, 0.5, 0.5))], [second + "001", cell(1, (0.5, 0, 1, 0.5))],
             ["M-" + second, cell(1, (0.5, 0.5, 1, 1))]]  # fmt: skip
    path = write_csv(tmp_path / "micro18.csv", ["微网格编码", "WKT"], micro)
    summary = run_import(city_db, path, "micro-grids", env)
    rejected, _warnings = reports(summary)
    assert (summary["inserted"], summary["rejected"], summary["warnings"], summary["flagged"]) == (2, 1, 0, 0)
    assert rejected[0][:2] == ["4", "M-" + second] and "所属网格编码" in rejected[0][2]
    with connect(city_db) as conn:
        owners = dict(conn.execute("SELECT code, grid_code FROM micro_grid_current WHERE code LIKE %s", [c + "%"]))
    assert owners == {first + "001": first, second + "001": second}


def test_an_area_code_off_the_scheme_loads_with_a_warning_when_its_level_is_given(city_db, tmp_path):
    whole, header = square(WEST, SOUTH, WEST + 0.06, SOUTH + 0.02), ["区划代码", "名称", "级别", "上级编码", "WKT"]
    # A street comes before its district: flagged, then linked by the parent code it was imported with.
    street = write_csv(tmp_path / "street.csv", header, [["S-7", "城南街道", "3", "JB-01", cell(0)]])
    code, summary, stderr = import_file(city_db, street, "areas")
    assert (code, summary["inserted"], summary["warnings"], summary["flagged"]) == (0, 1, 1, 1), stderr
    rows = [
        ["330100", "江北市", "", "", whole],
        ["JB-99", "无级别", "", "", cell(0)],
        ["JB-01", "江北新区", "2", "330100", whole],
    ]
    code, summary, stderr = import_file(city_db, write_csv(tmp_path / "areas.csv", header, rows), "areas")
    assert code == 0, stderr
    rejected, warnings = reports(summary)
    assert summary["inserted"] == 2 and [r[:2] for r in rejected] == [["3", "JB-99"]] and "级别" in rejected[0][2]
    assert [w[:2] for w in warnings] == [["4", "JB-01"]] and "code scheme" in warnings[0][2]
    with connect(city_db) as conn:
        parents = conn.execute(
            """SELECT a.code, p.code FROM admin_area a JOIN admin_area p ON p.id = a.parent_id
               WHERE a.code IN ('JB-01', 'S-7')"""
        ).fetchall()
    assert sorted(parents) == [("JB-01", "330100"), ("S-7", "JB-01")]
    exported = tmp_path / "county.csv"
    result = run_geo(
        "export", "--layer", "areas", str(exported), "--county", "JB-01", database_url=city_db, in_process=True
    )
    assert result.returncode == 0, result.stderr
    assert sorted(row[0] for row in read_report(str(exported))) == ["JB-01", "S-7"]
