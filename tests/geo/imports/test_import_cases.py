"""`python -m geo import FILE --layer cases`: files as clerks hand them over, bad rows and all."""

import csv
import datetime as dt
import json

import openpyxl
import pytest

from geo.db.connection import connect
from tests.test_cli import assert_one_line_error, run_geo

HEADER = ["事件编号", "事件类型", "事件描述", "上报时间", "来源", "状态", "地址", "经度", "纬度"]


@pytest.fixture
def city(city_db):
    """A private copy of the small demo city per test, and one of its standard addresses."""
    url = city_db
    with connect(url) as conn:
        address = conn.execute("SELECT standard_address FROM building ORDER BY id LIMIT 1").fetchone()[0]
    return url, address


def write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([HEADER, *rows])
    return str(path)


def import_json(url, path, *extra):
    result = run_geo("import", path, "--layer", "cases", "--json", *extra, database_url=url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def count(url, query="SELECT count(*) FROM cases", params=None):
    with connect(url) as conn:
        return conn.execute(query, params).fetchone()[0]


def test_bad_rows_are_reported_by_line_and_the_good_ones_load_and_are_placed(city, tmp_path):
    url, address = city
    before = count(url)
    rows = [
        ["A1", "邻里纠纷", "楼上漏水", "2026/11/10 14:30", "12345", "受理", address, "", ""],
        ["A2", "消防安全隐患", "电动车楼道充电", "2026年11月10日", "网格员", "", "", "113.95", "33.55"],
        ["A3", "邻里纠纷", "x", "2026-02-30", "", "", "", "113.95", "33.55"],
        ["A4", "不存在的类型", "x", "2026-11-10", "", "", "", "113.95", "33.55"],
        ["A5", "邻里纠纷", "x", "2026-11-10", "", "", "", "", ""],
        ["A6", "邻里纠纷", "x", "2026-11-10", "", "", "", "33.55", "113.95"],
        ["A7", "邻里纠纷", "x", "2026-11-10", "", "", "", "nan", "33.55"],
        ["A8", "邻里纠纷", "x", "46336", "", "", "", "113.95", "33.55"],
        ["A9", "邻里纠纷", "x", "2026-11-10", "", "结案", address, "", ""],
        ["B1", "邻里纠纷", "重复", "2026-11-10", "", "", address, "", ""],
        ["B1", "邻里纠纷", "重复", "2026-11-10", "", "", address, "", ""],
        ["B2", "邻里纠纷", '<b>"引号"</b>,逗号\n换行', "2026-11-10 08:00", "", "", address, "", ""],
    ]
    path = write_csv(tmp_path / "cases.csv", rows, encoding="gbk")
    summary = import_json(url, path)
    with open(summary["report"], encoding="utf-8-sig") as handle:
        reasons = {line: reason for line, _, reason in csv.reader(handle)}
    assert summary["read"] == 12
    assert summary["read"] == summary["inserted"] + summary["updated"] + summary["unchanged"] + summary["rejected"]
    assert (summary["inserted"], summary["rejected"]) == (4, 8)
    assert "not a real date" in reasons["4"] and "5" not in reasons, "an unknown category is no reason to reject"
    assert summary["unknown_categories"] == {"不存在的类型": 1}
    assert "missing location" in reasons["6"] and "swapped" in reasons["7"] and "finite" in reasons["8"]
    assert "Excel serial" in reasons["9"] and "closing time" in reasons["10"]
    assert "also on line 12" in reasons["11"] and "also on line 11" in reasons["12"]
    assert count(url) == before + 4
    assert count(url, "SELECT category_code || ':' || category_raw FROM cases WHERE code = 'A4'") == (
        "unclassified:不存在的类型"
    )
    stored = count(url, "SELECT summary FROM cases WHERE code = 'B2'")
    assert stored == '<b>"引号"</b>,逗号\n换行'
    placed = count(
        url,
        "SELECT count(*) FROM case_assignment a JOIN cases c ON c.id = a.case_id WHERE c.code IN ('A1', 'A2', 'B2')",
    )
    assert placed == 3


def test_importing_the_same_file_again_changes_nothing_and_a_changed_row_is_updated(city, tmp_path):
    url, address = city
    rows = [["C1", "邻里纠纷", "噪音", "2026-11-10 09:00", "", "", address, "", ""]]
    path = write_csv(tmp_path / "cases.csv", rows)
    first, again = import_json(url, path), import_json(url, path)
    assert (first["inserted"], again["inserted"], again["updated"], again["unchanged"]) == (1, 0, 0, 1)
    rows[0][2] = "噪音（已调解）"
    changed = import_json(url, write_csv(tmp_path / "cases.csv", rows))
    assert (changed["inserted"], changed["updated"]) == (0, 1)
    assert count(url, "SELECT summary FROM cases WHERE code = 'C1'") == "噪音（已调解）"


def test_an_xlsx_with_real_date_cells(city, tmp_path):
    url, address = city
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "12345工单"
    sheet.append(HEADER)
    sheet.append(["X1", "服务诉求", "路灯损坏", dt.datetime(2026, 11, 10, 14, 30), "12345", "", address, None, None])
    path = tmp_path / "hotline.xlsx"
    book.save(path)
    summary = import_json(url, str(path), "--sheet", "12345工单")
    reported = count(
        url,
        "SELECT to_char(reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') FROM cases WHERE code = 'X1'",
    )
    assert summary["inserted"] == 1 and reported == "2026-11-10 14:30"


def test_control_characters_are_removed_with_a_warning(city, tmp_path):
    url, address = city
    path = write_csv(
        tmp_path / "cases.csv", [["D1", "邻里纠纷", "含\x01控制\x00符", "2026-11-10", "", "", address, "", ""]]
    )
    summary = import_json(url, path)
    assert summary["warnings"] == 1 and count(url, "SELECT summary FROM cases WHERE code = 'D1'") == "含控制符"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("", "empty"),
        (",".join(HEADER) + "\r\n", "no rows"),
        (
            "事件类型,事件描述,上报时间,地址\r\n邻里纠纷,x,2026-11-10,某地\r\n",
            "missing column code: looked for 编号 / 事件编号",
        ),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_in_one_line_and_changes_nothing(city, tmp_path, content, fragment):
    url, _ = city
    before = count(url)
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    assert_one_line_error(run_geo("import", str(path), "--layer", "cases", database_url=url), fragment)
    assert count(url) == before


def test_other_column_names_through_map(city, tmp_path):
    url, address = city
    path = tmp_path / "odd.csv"
    path.write_text(
        f"单号,事件类型,事件名称,上报时间,地址\r\nM1,邻里纠纷,噪音,2026-11-10,{address}\r\n", encoding="utf-8"
    )
    summary = import_json(url, str(path), "--map", "单号=code", "--map", "事件名称=summary")
    assert summary["inserted"] == 1


@pytest.mark.slow
def test_kill_9_in_the_middle_of_a_large_import_leaves_the_database_as_it_was(city, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from geo.settings import PROJECT_ROOT

    url, address = city
    before = count(url)
    rows = [[f"K{i}", "邻里纠纷", "噪音", "2026-11-10 09:00", "", "", address, "", ""] for i in range(300_000)]
    path = write_csv(tmp_path / "large.csv", rows)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETY_MAP_")} | {"DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "geo", "import", path, "--layer", "cases"], cwd=PROJECT_ROOT, env=env
    )
    writing = "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%%import_cases%%'"
    deadline = time.monotonic() + 300
    while count(url, writing) == 0:  # wait until the rows are being written
        assert process.poll() is None and time.monotonic() < deadline, "the import was not caught writing"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert count(url) == before
    assert count(url, "SELECT count(*) FROM cases WHERE code LIKE 'K%%'") == 0


def test_cases_imported_before_any_grid_are_kept_and_wait_for_placement(fresh_database, tmp_path):
    url = fresh_database()
    path = write_csv(tmp_path / "cases.csv", [["E1", "邻里纠纷", "噪音", "2026-11-10", "", "", "人民路12号", "", ""]])
    summary = import_json(url, path)
    assert summary["inserted"] == 1 and count(url, "SELECT count(*) FROM case_assignment") == 0
