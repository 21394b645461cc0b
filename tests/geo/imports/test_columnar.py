"""The columnar path of a case import (geo.imports.csv_columns, geo.imports.layers.case_columns)
gives what the row-by-row path gives: the same rows, lines and width problems from the reader,
the same rejections, warnings and staged values from the check, whatever a row holds."""

import csv
import random

import pandas as pd
import pytest

from geo.errors import UserError
from geo.imports import command, csv_columns, tables
from geo.imports.columns import match_columns
from geo.imports.layers.case_columns import DATES, check_cases
from geo.imports.layers.cases import LAYER, prepare
from geo.imports.rows import check_table
from tests.geo.imports.conftest import import_file, scalar

AWKWARD_FILES = {
    "quoted newlines, blank and short rows": b'a,b,c\r\n1,2,3\r\n\r\n4,"x\ny",6\r\n7,8\r\n   \r\n,,\r\n9,10,11,12\r\n'
    b'13,14,15\r\n16,"q\r\nw",17\r\n \t, ,\r\n18,"",19\r\n"a,b",2\r\n20,21,22',
    "BOM, semicolons, trailing blank lines": b"\xef\xbb\xbfa;b\n1;2\n\n\n3;4\n5\n6;7;8\n\n",
    "carriage returns only": b'a,b\r1,2\r"3\r3",4\r',
    "header only": b"a,b\n",
    "GBK with a quoted newline": '编号,描述\n1,中文\n2,"含\n换行"\n3\n4,"""引号"""\n'.encode("gb18030"),
}


@pytest.mark.parametrize("name", AWKWARD_FILES)
def test_arrow_reader_reads_as_python_reader(tmp_path, monkeypatch, name):
    """Rows, lines (after quoted newlines and blank lines), cells and width problems are the
    same as Python's csv reader's, across Arrow's blocks and the import's chunks."""
    path = tmp_path / "file.csv"
    path.write_bytes(AWKWARD_FILES[name])
    monkeypatch.setattr(csv_columns, "BLOCK_BYTES", 64)
    encoding = tables._encoding(path, None)
    delimiter = tables._delimiter(path, encoding)
    assert csv_columns.readable(path, encoding, delimiter)
    arrow = csv_columns.read_columns(path, encoding, delimiter, 2, tables._header_of(path), tables._table)
    _same_tables(list(tables._read_csv_rows(path, encoding, 2)), list(arrow))


def test_random_files_read_alike(tmp_path, monkeypatch):
    """Files of random quotes, separators, spaces and line ends: those Arrow is given are read
    as Python's reader reads them, and none that Python's reader refuses is given to Arrow."""
    rng, path, given = random.Random(5), tmp_path / "random.csv", 0
    for _ in range(1500):
        text = "h1,h2\n" + "".join(rng.choice(['"', ",", "\n", "a", "\r\n", '""', " ", "\r", "b,c"]) for _ in range(12))
        path.write_bytes(text.encode())
        monkeypatch.setattr(csv_columns, "BLOCK_BYTES", rng.choice([1, 7, 64, 1 << 20]))
        if csv_columns.readable(path, "utf-8-sig", ","):
            given += 1
            assert _tables(tables._read_csv, path) == _tables(tables._read_csv_rows, path), text
        else:
            assert isinstance(_tables(tables._read_csv_rows, path), str) or '"' in text
    assert given > 500


def _tables(reader, path):
    """(lines, problems, cells) of each Table, or the refusal."""
    try:
        return [(t.lines, t.problems, t.frame.values.tolist()) for t in reader(path, "utf-8-sig", 2)]
    except UserError as error:
        return str(error)


def _same_tables(expected: list, got: list) -> None:
    assert len(got) == len(expected)
    for want, have in zip(expected, got):
        assert have.lines == want.lines
        assert have.problems == want.problems
        assert list(have.frame.columns) == list(want.frame.columns)
        assert have.frame.values.tolist() == want.frame.values.tolist()


HEADER = [
    "事件编号",
    "事件类型",
    "事件大类",
    "事件描述",
    "上报时间",
    "来源",
    "状态",
    "办理时限",
    "办结时间",
    "地址",
    "经度",
    "纬度",
]
PLAIN = ["A{}", "邻里纠纷", "", "噪音", "2026-11-10 09:00", "网格员", "", "", "", "", "114.1", "33.5"]
VARIANTS = [
    ["A{}", " A{} ", "", "  ", "A{}\x01", "Ａ{}"],
    ["邻里纠纷", "", "外星人入侵", "其他", "消防安全隐患", " 邻里纠纷 ", "治安乱点\x07"],
    ["", "矛盾纠纷", "安全隐患", "未知大类"],
    ["噪音", "", " ", "a\nb", "x\x00y", "=1+1"],
    ["2026-11-10 09:00", "2026-11-10", "2026-11-10T09:00:30", "2026/11/10 9:00", "2026-02-30", "2026-11-10 24:00",
     "46336", "9999-01-01", "1899-12-31 10:00", " 2026-11-10 ", "2026-11-10T14:30:00+08:00", "２０２６-11-10"],
    ["", "网格员", "12345", "微博", " 110 ", "其他", "ＡＰＰ"],
    ["", "已办结", "受理", "未知", "closed", "Accepted", "处置中"],
    ["", "2026-11-20", "2026-11-20 10:00", "2026-11-09", "2026-11-10 09:00", "bad", "2026-11-10 00:00"],
    ["", "2026-11-12 10:00", "2026-11-01", "nope"],
    ["", "安澜市解放路1号", " ", "地\x0b址"],
]  # fmt: skip
POINTS = [("", ""), ("114.1", "33.5"), ("114.123456", "33.654321"), ("33.5", "114.1"), ("1e300", "33"),
          ("nan", "33"), ("abc", "33"), ("114.1", ""), (" 114.1", "33.5"), ("-200.5", "33"), ("１１４.1", "33.5")]  # fmt: skip
SYSTEMS = ["", "gcj02", "WGS84", "bd09", "foo", " gcj02 "]


def _awkward_rows(count: int, with_crs: bool, seed: int = 3) -> list[list[str]]:
    """Half plain rows, half rows drawn from every awkward value a cell may hold."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        if rng.random() < 0.5:
            row = [cell.format(i) for cell in PLAIN] + (["gcj02"] if with_crs else [])
        else:
            row = [rng.choice(values).format(i) for values in VARIANTS] + list(rng.choice(POINTS))
            row += [rng.choice(SYSTEMS)] if with_crs else []
        rows.append(row)
    return rows


@pytest.mark.parametrize(("with_crs", "crs"), [(False, None), (False, "gcj02"), (True, None)])
def test_columnar_check_equals_row_by_row(demo_conn, tmp_path, with_crs, crs):
    """Every row, plain or awkward, bad ones in the middle of a chunk: the same rejections
    (line, id, reason), warnings and staged values as geo.imports.rows."""
    path = tmp_path / "cases.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER + (["坐标系"] if with_crs else []))
        writer.writerows(_awkward_rows(1500, with_crs))
    table = tables.read_table(str(path))
    columns = match_columns(list(table.frame.columns), LAYER.fields)
    expected = check_table(table, LAYER, columns, crs, False, prepare(demo_conn, table, columns))
    got = check_cases(table, LAYER, columns, crs, False, prepare(demo_conn, table, columns))
    assert expected.rejected and len(expected.rows) > 700  # both kinds of rows are there
    assert got.rejected == expected.rejected
    assert got.warnings == expected.warnings
    assert _values(got.rows) == _values(expected.rows)


def _values(rows: pd.DataFrame) -> list:
    rows = rows.assign(**{name: pd.to_datetime(rows[name], utc=True) for name in DATES})[["line", *LAYER.staging]]
    return rows.astype(object).where(rows.notna(), None).values.tolist()


def test_import_bad_rows_mid_batch(city_db, tmp_path, monkeypatch):
    """A BOM, CRLF lines, a quoted newline, blank lines and bad rows in the middle of a chunk:
    the report names each bad row by its line in the file, and every good row is loaded."""
    monkeypatch.setattr(command, "CHUNK_ROWS", 40)
    monkeypatch.setattr(csv_columns, "BLOCK_BYTES", 512)
    path, lines = tmp_path / "cases.csv", ["事件编号,事件类型,事件描述,上报时间,地址,经度,纬度"]
    expected = {}
    for i in range(100):
        if i == 30:
            lines.append(f'M{i},邻里纠纷,"两行\r\n描述",2026-11-10 09:00,,114.1,33.5')
            lines.append("")  # a blank line: not a row
            continue
        if i in (45, 46):
            expected[len(lines) + 1] = f"M{i}"
            lines.append(f"M{i},邻里纠纷,噪音,2026-02-30,,114.1,33.5" if i == 45 else f"M{i},邻里纠纷,噪音")
            continue
        lines.append(f"M{i},邻里纠纷,噪音,2026-11-10 09:00,,114.{i:03d},33.5")
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).replace("\r\n描述", "\n描述").encode() + b"\r\n")
    code, summary, _ = import_file(city_db, path, "cases")
    assert code == 0
    assert (summary["read"], summary["inserted"], summary["rejected"]) == (100, 98, 2)
    with open(summary["report"], encoding="utf-8-sig") as handle:
        report = list(csv.DictReader(handle))
    assert {int(row["line"]): row["id"] for row in report} == {line + 1: code for line, code in expected.items()}
    assert "not a real date" in report[0]["reason"] and "3 fields" in report[1]["reason"]
    assert scalar(city_db, "SELECT summary FROM cases WHERE code = 'M30'") == "两行\n描述"
