"""A city's own case categories (issue 21): another city's case file with its own words, the
catalogue in and out, the files it refuses, and mapping unknown texts."""

import csv

import openpyxl
import psycopg
import pytest

from geo.db.connection import app_database_url, connect, load_query
from tests.geo.imports.conftest import import_file, scalar
from tests.test_cli import assert_one_line_error, run_geo

UNCLASSIFIED_FLAG = "cases in an unclassified category (python -m geo categories unknown)"
CATALOGUE = "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM (SELECT * FROM {}) t"
# Another city's platform export, written by hand: its own column names, group-level words,
# synonyms, words no catalogue of ours knows, and rows that cannot be used.
OTHER_CITY_HEADER = ["工单号", "事件大类", "事件小类", "事件描述", "上报时间", "事件地址", "经度", "纬度"]
OTHER_CITY_ROWS = [  # code, group, category, text, time, address?, point?
    ("GD-0001", "矛盾纠纷", "", "两户因楼道堆物争吵", "2026/11/03 09:12", True, False),
    ("GD-0002", "安全隐患", "消防隐患", "电动车在楼道充电", "2026-11-03 10:40", False, True),
    ("GD-0003", "治安问题", "", "夜间聚集喧哗", "2026-11-03 23:05", False, True),
    ("GD-0004", "矛盾纠纷", "邻里纠纷", "漏水引发邻里矛盾", "2026年11月4日 08:30", True, False),
    ("GD-0005", "市政设施", "占道经营", "早市摊贩占用人行道", "2026-11-04 07:10", False, True),
    ("GD-0006", "市政设施", "占道经营", "夜市占道", "2026-11-04 21:10", True, False),
    ("GD-0007", "环境卫生", "", "垃圾清运不及时", "2026-11-05 08:00", False, True),
    ("GD-0008", "其他", "", "咨询办事流程", "2026-11-05 09:00", True, False),
    ("GD-0009", "矛盾纠纷", "占道经营", "商户占道引发争执", "2026-11-05 10:00", False, True),
    ("GD-0010", "市政设施", "", "井盖缺失", "2026-11-05 11:00", False, True),
    ("GD-0011", "安全隐患", "火灾隐患", "楼道堆放易燃物", "2026-11-05 12:00", True, False),
    ("GD-0012", "纠纷类", "劳动争议", "拖欠农民工工资", "2026-11-06 09:00", True, False),
    ("GD-0013", "矛盾纠纷", "", "没有时间的工单", "", True, False),
    ("GD-0014", "市政设施", "占道经营", "没有位置的工单", "2026-11-06 10:00", False, False),
    ("GD-0015", "环境卫生", "", "时间写错的工单", "2026-13-45", False, True),
]
EXPECTED = {  # code -> (category, text kept)
    "GD-0001": ("dispute_unclassified", "矛盾纠纷"),
    "GD-0002": ("hazard_fire", None),
    "GD-0003": ("public_order_unclassified", "治安问题"),
    "GD-0004": ("dispute_neighbour", None),
    "GD-0005": ("unclassified", "占道经营"),
    "GD-0006": ("unclassified", "占道经营"),
    "GD-0007": ("unclassified", "环境卫生"),
    "GD-0008": ("unclassified", "其他"),
    "GD-0009": ("dispute_unclassified", "占道经营"),
    "GD-0010": ("unclassified", "市政设施"),
    "GD-0011": ("hazard_fire", None),
    "GD-0012": ("dispute_labour_wages", None),
}


def other_city_file(url: str, path, rows=OTHER_CITY_ROWS):
    """The platform's CSV with addresses and coordinates of the city at `url`, in GBK."""
    with connect(url) as conn:
        places = conn.execute(
            "SELECT standard_address, ST_X(p), ST_Y(p) FROM building, ST_PointOnSurface(footprint) p "
            "ORDER BY id LIMIT %s",
            [len(rows)],
        ).fetchall()
    with open(path, "w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(OTHER_CITY_HEADER)
        for (code, group, category, text, when, by_address, by_point), (address, lon, lat) in zip(rows, places):
            point = [f"{lon:.6f}", f"{lat:.6f}"] if by_point else ["", ""]
            writer.writerow([code, group, category, text, when, address if by_address else "", *point])
    return path


def stored(url: str) -> dict:
    with connect(url) as conn:
        rows = conn.execute("SELECT code, category_code, category_raw FROM cases WHERE code LIKE 'GD-%'").fetchall()
    return {code: (category, raw) for code, category, raw in rows}


def rejected_lines(summary: dict) -> dict:
    with open(summary["report"], encoding="utf-8-sig") as handle:
        return {int(row["line"]): row["reason"] for row in csv.DictReader(handle)}


def test_another_citys_case_file_keeps_every_usable_row(city_db, tmp_path):
    code, summary, stderr = import_file(city_db, other_city_file(city_db, tmp_path / "工单.csv"), "cases")
    assert code == 0, stderr
    assert stored(city_db) == EXPECTED
    assert (summary["read"], summary["inserted"], summary["rejected"]) == (15, 12, 3)
    assert summary["flags"][UNCLASSIFIED_FLAG] == 8
    assert summary["unknown_categories"] == {"占道经营": 3, "其他": 1, "市政设施": 1, "环境卫生": 1}
    reasons = rejected_lines(summary)
    assert set(reasons) == {14, 15, 16}
    assert "reported_at" in reasons[14] and "missing location" in reasons[15] and "not a real date" in reasons[16]
    flagged = scalar(city_db, "SELECT count(*) FROM case_unclassified WHERE code LIKE 'GD-%'")
    assert flagged == 8
    text = run_geo("import", str(tmp_path / "工单.csv"), "--layer", "cases", database_url=city_db, in_process=True)
    assert "占道经营" in text.stdout and "4 category text(s) not in the catalogue" in text.stdout
    unknown = run_geo("categories", "unknown", database_url=city_db, in_process=True).stdout
    assert "       2  占道经营  → unclassified" in unknown and "1  占道经营  → dispute_unclassified" in unknown


def test_unclassified_cases_count_in_the_maps_filter_and_the_risk_scores(city_db, tmp_path):
    """The map's category filter names them in both languages; scoring counts them with the
    default severity, and its explanations name them by the catalogue's name."""
    from geo.risk.config import load_config
    from geo.risk.inputs import read_category_names, read_severities

    import_file(city_db, other_city_file(city_db, tmp_path / "工单.csv"), "cases")
    with connect(city_db) as conn:
        names = {code: (zh, en) for code, _, zh, en in conn.execute(load_query("map/categories")).fetchall()}
        severity = read_severities(conn, load_config())
        explained = read_category_names(conn)
    assert names["dispute_unclassified"] == ("其他纠纷", "Other dispute (unclassified)")
    assert list(names)[-1] == "unclassified" and names["unclassified"][0] == "未分类事件"
    assert "unclassified" not in severity and severity["hazard_fire"] == 2.0
    assert explained["public_order_unclassified"]["zh"] == "其他治安问题"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_catalogue_goes_out_and_in_again_unchanged(city_db, tmp_path, fmt):
    first, second = tmp_path / f"catalogue.{fmt}", tmp_path / f"again.{fmt}"
    assert run_geo("export", "--layer", "categories", str(first), database_url=city_db, in_process=True).returncode == 0
    code, summary, stderr = import_file(city_db, first, "categories")
    assert code == 0, stderr
    assert summary["read"] == 17 + 5 and summary["unchanged"] == summary["read"], summary
    assert (
        run_geo("export", "--layer", "categories", str(second), database_url=city_db, in_process=True).returncode == 0
    )
    assert cells(first) == cells(second)
    rows = cells(first)
    assert rows[0] == ["code", "parent", "name_zh", "name_en", "deadline_days", "severity", "synonyms", "clock",
                       "urgent_level"]  # fmt: skip
    fire = next(row for row in rows if row[0] == "hazard_fire")
    assert fire[1:6] == ["safety_hazard", "消防安全隐患", "Fire hazard", "3", "2"]
    assert fire[7:] == ["calendar", "township"]
    assert {"消防隐患", "火灾隐患"} <= set(fire[6].split("；"))


def cells(path) -> list[list[str]]:
    if path.suffix == ".csv":
        return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    sheet = openpyxl.load_workbook(path).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def write_catalogue(path, rows):
    header = ["编码", "上级编码", "名称", "英文名称", "办理时限(天)", "严重程度", "同义词"]
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def test_a_citys_catalogue_names_its_words_and_the_cases_follow(city_db, tmp_path):
    cases_file = other_city_file(city_db, tmp_path / "工单.csv")
    import_file(city_db, cases_file, "cases")
    catalogue = write_catalogue(tmp_path / "分类目录.csv", [
        ["municipal", "", "市政设施", "Municipal facilities", "", "", "市政；城市管理"],
        ["municipal_street_vending", "municipal", "占道经营", "Street vending", "5", "0.5", "流动摊贩;占道"],
        ["municipal_manhole", "municipal", "井盖缺失", "Missing manhole cover", "2", "1.5", ""],
        ["hazard_fire", "safety_hazard", "消防安全隐患", "Fire hazard", "2", "2.0", "消防隐患；火灾隐患；消防通道堵塞"],
    ])  # fmt: skip
    code, summary, stderr = import_file(city_db, catalogue, "categories")
    assert code == 0, stderr
    assert (summary["inserted"], summary["updated"]) == (3, 1)
    assert summary["unclassified_created"] == ["municipal_unclassified"]
    assert summary["cases_reclassified"] == 4, "three 占道经营 and the group name 市政设施"
    with connect(city_db) as conn:
        assert conn.execute("SELECT count(*) FROM case_category").fetchone()[0] == 17 + 3, "nothing deleted"
        assert conn.execute("SELECT deadline_days FROM case_category WHERE code = 'hazard_fire'").fetchone()[0] == 2
    moved = stored(city_db)
    assert moved["GD-0005"] == moved["GD-0006"] == moved["GD-0009"] == ("municipal_street_vending", None)
    assert moved["GD-0010"] == ("municipal_unclassified", "市政设施")
    assert moved["GD-0007"] == EXPECTED["GD-0007"]
    code, summary, stderr = import_file(city_db, cases_file, "cases")
    assert code == 0, stderr
    assert stored(city_db) == moved, "an import of the file now puts them there too"
    # Only the default deadlines move: the file gives none, and fire hazards now have 2 days,
    # street vending 5 (reclassifying kept the deadline the case had).
    assert (summary["updated"], summary["unchanged"]) == (5, 7)
    assert summary["unknown_categories"] == {"其他": 1, "环境卫生": 1}


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ([["a", "", "甲", "A", "", "", ""], ["a_x", "a", "甲一", "A1", "3", "", ""], ["a_x", "a", "甲二", "A2", "3", "", ""]],
         "duplicate category code 'a_x' on lines 3, 4"),
        ([["p", "q", "乙", "B", "3", "", ""], ["q", "p", "丙", "C", "3", "", ""]], "a cycle of parents: p → q → p"),
        ([["roads_potholes", "roads", "道路坑洼", "Potholes", "3", "", ""]], "'roads_potholes' has no known group"),
        ([["roads_potholes", "", "道路坑洼", "Potholes", "3", "", ""]], "a category needs its group"),
        ([["roads", "", "道路", "Roads", "", "", ""], ["roads_potholes", "roads", "道路坑洼", "Potholes", "3", "", "坑洼"],
          ["roads_cracks", "roads", "道路裂缝", "Cracks", "3", "", "坑洼"]],
         "'坑洼' names two categories of the group 'roads': roads_cracks, roads_potholes"),
        ([["roads", "", "道路", "Roads", "", "", "纠纷类"]], "'纠纷类' names two groups: dispute, roads"),
        ([["g" * 48, "", "长", "Long", "", "", ""]], "is longer than 47 characters"),
    ],
)  # fmt: skip
def test_a_broken_catalogue_is_refused_in_one_line_and_changes_nothing(city_db, tmp_path, rows, fragment):
    before = [scalar(city_db, CATALOGUE.format(table)) for table in ("case_group", "case_category")]
    path = write_catalogue(tmp_path / "bad.csv", rows)
    result = run_geo("import", str(path), "--layer", "categories", database_url=city_db, in_process=True)
    assert_one_line_error(result, fragment)
    assert [scalar(city_db, CATALOGUE.format(table)) for table in ("case_group", "case_category")] == before


def test_mapping_unknown_texts_reclassifies_stored_cases_and_the_next_import(city_db, tmp_path):
    path = other_city_file(city_db, tmp_path / "工单.csv")
    import_file(city_db, path, "cases")
    refused = run_geo("categories", "map", "占道经营", "no_such_code", database_url=city_db, in_process=True)
    assert_one_line_error(refused, "no category with the code 'no_such_code'")
    assert stored(city_db) == EXPECTED
    result = run_geo("categories", "map", "占道经营", "service_request", database_url=city_db, in_process=True)
    assert result.returncode == 0 and "3 case(s) reclassified" in result.stdout, result.stderr
    mappings = tmp_path / "mappings.csv"
    mappings.write_text("原分类,编码\n环境卫生,service_request\n其他,no_such_code\n", encoding="utf-8")
    bad_file = run_geo("categories", "map", "--file", str(mappings), database_url=city_db, in_process=True)
    assert_one_line_error(bad_file, "line 3: no category with the code 'no_such_code'")
    assert stored(city_db)["GD-0007"] == ("unclassified", "环境卫生"), "a refused file changes nothing"
    mappings.write_text("原分类,编码\n环境卫生,service_request\n市政设施,hazard_building\n", encoding="utf-8")
    result = run_geo("categories", "map", "--file", str(mappings), database_url=city_db, in_process=True)
    assert result.returncode == 0 and "2 case(s) reclassified" in result.stdout, result.stderr
    now = stored(city_db)
    assert now["GD-0005"] == now["GD-0009"] == ("service_request", "占道经营")
    assert now["GD-0007"] == ("service_request", "环境卫生") and now["GD-0010"] == ("hazard_building", "市政设施")
    facts = "SELECT count(*) FROM case_assignment a JOIN cases c ON c.id = a.case_id WHERE a.category_code <> c.category_code"
    assert scalar(city_db, facts) == 0, "the placements' copies of the category follow"
    with connect(city_db) as conn:
        conn.execute("DELETE FROM cases WHERE code LIKE 'GD-%'")
    code, summary, stderr = import_file(city_db, path, "cases")
    assert code == 0, stderr
    assert stored(city_db) == {
        **EXPECTED,
        **{k: v for k, v in now.items() if v[1] in ("占道经营", "环境卫生", "市政设施")},
    }
    assert summary["unknown_categories"] == {"其他": 1}
    listing = run_geo("categories", "list", database_url=city_db, in_process=True).stdout
    assert "safety_hazard  安全隐患 / Safety hazards" in listing and "消防隐患" in listing
    assert "dispute_unclassified" in listing and "其他纠纷 / Other dispute (unclassified) [unclassified]" in listing


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE case_category SET deadline_days = 1",
        "INSERT INTO case_group (code, name_zh, name_en) VALUES ('x', 'x', 'x')",
        "DELETE FROM category_mapping",
    ],
)
def test_the_dashboard_role_reads_the_catalogue_and_cannot_write_it(city_db, statement):
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        assert app.execute("SELECT count(*) FROM case_category JOIN case_group g ON g.code = group_code").fetchone()[0]
        assert app.execute("SELECT count(*) FROM case_unclassified").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute(statement)


# An 其他 in two groups, and three cases that name it: with their group, with another, alone.
OTHER_IN_TWO_GROUPS = [
    ["dispute_other", "dispute", "其他", "Other dispute", "10", "", ""],
    ["safety_hazard_other", "safety_hazard", "其他", "Other hazard", "5", "", ""],
]
CASES_NAMING_OTHER = [
    ("GD-0101", "矛盾纠纷", "其他", "其他纠纷", "2026-11-03 09:12", False, True),
    ("GD-0102", "安全隐患", "其他", "其他隐患", "2026-11-03 10:40", False, True),
    ("GD-0103", "", "其他", "不知大类", "2026-11-03 11:40", False, True),
]


@pytest.mark.parametrize("catalogue_first", [True, False], ids=["import-after-catalogue", "catalogue-moves-cases"])
def test_an_other_in_every_group_is_told_apart_by_the_cases_group(city_db, tmp_path, catalogue_first):
    """On import (the 大类 cell) and when a catalogue import moves stored cases (their group)."""
    steps = [(write_catalogue(tmp_path / "分类目录.csv", OTHER_IN_TWO_GROUPS), "categories"),
             (other_city_file(city_db, tmp_path / "cases.csv", CASES_NAMING_OTHER), "cases")]  # fmt: skip
    summaries = {}
    for path, layer in steps if catalogue_first else steps[::-1]:
        code, summaries[layer], stderr = import_file(city_db, path, layer)
        assert code == 0, stderr
    placed = stored(city_db)
    assert placed["GD-0101"] == ("dispute_other", None)
    assert placed["GD-0102"] == ("safety_hazard_other", None)
    assert placed["GD-0103"] == ("unclassified", "其他"), "a name two groups share says nothing alone"
    if catalogue_first:
        assert summaries["cases"]["unknown_categories"] == {"其他": 1}
    else:
        assert summaries["categories"]["cases_reclassified"] == 2


def test_a_catalogue_sets_a_categorys_clock_and_urgent_level(city_db, tmp_path):
    catalogue = tmp_path / "分类目录.csv"
    with open(catalogue, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["编码", "上级编码", "名称", "办理时限", "时限类型", "紧急上报层级"])
        writer.writerow(["dispute_neighbour", "dispute", "邻里纠纷", "5", "工作日", ""])
        writer.writerow(["hazard_gas", "safety_hazard", "燃气安全隐患", "1", "自然日", "乡镇/街道"])
    code, summary, stderr = import_file(city_db, catalogue, "categories")
    assert code == 0, stderr
    with connect(city_db) as conn:
        rows = dict(
            (c, (clock, level))
            for c, clock, level in conn.execute(
                "SELECT code, clock, urgent_level FROM case_category WHERE code IN ('dispute_neighbour', 'hazard_gas')"
            )
        )
        # Friday 16:00 + 5 working days of 9 h: Friday's 1.5 h, then Monday to Friday 16:00.
        deadline = conn.execute("SELECT case_deadline('dispute_neighbour', '2026-12-04 16:00+08')").fetchone()[0]
    assert rows == {"dispute_neighbour": ("working", None), "hazard_gas": ("calendar", "township")}
    assert deadline.isoformat() == "2026-12-11T16:00:00+08:00"
    with open(catalogue, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [["编码", "上级编码", "名称", "时限类型"], ["hazard_gas", "safety_hazard", "燃气", "半天"]]
        )
    code, summary, stderr = import_file(city_db, catalogue, "categories")
    assert code == 0 and summary["rejected"] == 1, stderr
    assert "半天" in rejected_lines(summary)[2]
