"""`python -m geo geocode` as people and scripts use it: JSON out, files in and out, errors."""

import csv
import json

import pytest

from geo.shared.crs import from_wgs84
from tests.test_cli import assert_one_line_error, run_geo


@pytest.fixture(scope="module")
def a_building(demo_db):
    from geo.db.connection import connect

    with connect(demo_db) as conn:
        return conn.execute(
            "SELECT b.id, b.standard_address, ST_X(p), ST_Y(p), g.code FROM building b "
            "CROSS JOIN ST_PointOnSurface(b.footprint) p "
            "JOIN micro_grid_current m ON m.code = b.micro_grid_code JOIN grid_current g ON g.code = m.grid_code "
            "WHERE b.standard_address LIKE '%%栋' ORDER BY b.id LIMIT 1"
        ).fetchone()


def geocode(demo_db, *args):
    result = run_geo("geocode", *args, database_url=demo_db, in_process=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_address_prints_one_json_object(demo_db, a_building):
    building_id, standard, _, _, grid_code = a_building
    typed = standard.split("市", 1)[1].replace("栋", "幢") + "2单元301"
    found = geocode(demo_db, "--address", typed)
    assert (found["status"], found["method"], found["building_id"], found["grid_code"]) == (
        "assigned",
        "address",
        building_id,
        grid_code,
    )
    assert found["standard_address"] == standard and found["confidence"] >= 0.9
    assert len(found["micro_grid_code"]) == 19


@pytest.mark.parametrize("system", ["wgs84", "gcj02", "bd09", "cgcs2000"])
def test_a_point_in_any_system_lands_on_the_same_building(demo_db, a_building, system):
    building_id, _, x, y, grid_code = a_building
    lon, lat = from_wgs84([x], [y], system)
    found = geocode(demo_db, "--lonlat", f"{lon[0]:.9f},{lat[0]:.9f}", "--crs", system)
    assert (found["method"], found["building_id"], found["grid_code"]) == ("coordinates", building_id, grid_code)


def test_an_unresolvable_address_shows_the_review_candidates(demo_db):
    found = geocode(demo_db, "--address", "幸福大街9999号")
    assert found["status"] == "review" and found["grid_code"] is None
    assert isinstance(found["candidates"], list) and len(found["candidates"]) <= 3


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--lonlat", "33.5,113.9"), "swapped"),
        (("--lonlat", "abc"), "two numbers"),
        (("--lonlat", "113.9,33.5", "--crs", "tokyo"), "unknown coordinate system"),
        (("--address", "  "), "empty"),
        (("--file", "/nonexistent.csv", "--out", "/tmp/x.csv"), "no such file"),
        (("--confirm", "1"), "--building"),
    ],
)
def test_bad_input_is_one_clear_line(demo_db, args, fragment):
    assert_one_line_error(run_geo("geocode", *args, database_url=demo_db), fragment)


def test_a_file_gives_one_row_per_input_row_whatever_is_in_it(demo_db, a_building, tmp_path):
    building_id, standard, x, y, _ = a_building
    gcj_lon, gcj_lat = from_wgs84([x], [y], "gcj02")
    rows = [
        ["编号", "地址", "经度", "纬度", "坐标系"],
        ["1", standard, "", "", ""],
        ["2", "", f"{x}", f"{y}", "wgs84"],
        ["3", "", f"{gcj_lon[0]}", f"{gcj_lat[0]}", "GCJ-02"],
        ["4", "菜市场旁边", "", "", ""],
        ["5", "", "abc", "33.5", ""],
        ["6", "", f"{y}", "113.9", ""],  # latitude and longitude swapped... as text: lat 113.9 > 90
        ["7", "", "", "", ""],
        ["8", '含逗号,和"引号"\n换行的地址', "", "", ""],
        ["9", standard, f"{x}", f"{y}", "tokyo"],
        ["10", "人民路12号", "锦绣花园3栋", "", "", ""],  # an unquoted comma: one field too many
        ["11", "NA", "", "", ""],  # an address that happens to read like a missing value
    ]
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    with open(source, "w", encoding="gbk", newline="") as handle:  # a clerk's Excel export
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    summary = geocode(demo_db, "--file", str(source), "--out", str(target))
    with open(target, encoding="utf-8-sig", newline="") as handle:
        out = list(csv.DictReader(handle))
    assert summary["rows"] == summary["written"] == len(out) == len(rows) - 1
    by_id = {row["编号"]: row for row in out}
    assert [by_id[str(i)]["geocode_status"] for i in range(1, 12)] == [
        "assigned",
        "assigned",
        "assigned",
        "review",
        "error",
        "error",
        "error",
        "review",
        "error",
        "error",
        "review",
    ]
    assert "6 fields" in by_id["10"]["geocode_error"] and by_id["11"]["地址"] == "NA"
    assert {by_id[i]["building_id"] for i in "123"} == {str(building_id)}
    assert "swapped" in by_id["6"]["geocode_error"] and "not a number" in by_id["5"]["geocode_error"]
    assert by_id["8"]["地址"] == '含逗号,和"引号"\n换行的地址'


def test_pending_refresh_and_review_from_the_command_line(city_db):
    url = city_db
    pending = geocode(url, "--pending")
    refresh = geocode(url, "--refresh")
    assert pending["written"] == 0 and refresh["written"] == 0 and refresh["records"] > 1000
    queue = run_geo("geocode", "--review", "--limit", "5", database_url=url).stdout.strip().splitlines()
    item = json.loads(queue[0])
    chosen = geocode(url, "--confirm", str(item["case_id"]), "--building", "1", "--by", "tester")
    assert chosen["case"]["method"] == "manual" and chosen["case"]["building_id"] == 1


def test_odd_files_give_one_row_per_input_row_or_one_clear_error(demo_db, a_building, tmp_path):
    import openpyxl

    building_id, standard, x, y, _ = a_building
    cases = {
        "duplicate header": "address,address,lon,lat\r\n" + f"{standard},别的,,\r\n",
        "full-width coordinates": f"经度,纬度,geocode_status\r\n{str(x).translate(FULL)},{str(y).translate(FULL)},foo\r\n",
        "NUL and a huge cell": f"地址,备注\r\n{standard}\x00,{'长' * 200_000}\r\n",
    }
    for name, content in cases.items():
        source, target = tmp_path / f"{name}.csv", tmp_path / f"{name}.out.csv"
        source.write_text(content, encoding="utf-8")
        summary = geocode(demo_db, "--file", str(source), "--out", str(target))
        assert summary["rows"] == summary["written"] == 1 and summary.get("assigned") == 1, name
    book = openpyxl.Workbook()
    book.active.append(["经度", "纬度"])
    book.active.append([x, y])  # numbers, not text
    book.save(tmp_path / "points.xlsx")
    summary = geocode(demo_db, "--file", str(tmp_path / "points.xlsx"), "--out", str(tmp_path / "points.csv"))
    assert summary.get("assigned") == 1


FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")
