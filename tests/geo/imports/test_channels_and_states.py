"""Another city's channels and states in its own words (issue 21): a platform's 已办结, 处置中,
市民热线 and 微信 are understood; a channel no list knows is kept as 其他 with its text, flagged
and counted, never a reason to reject; an unknown state still rejects its row."""

import csv

from geo.db.connection import connect
from tests.geo.imports.conftest import import_file

HEADER = ["工单号", "事件类型", "诉求内容", "来电时间", "诉求渠道", "办理状态", "办结时间", "经度", "纬度"]
ROWS = [  # code, channel, state, closed at
    ("QD-01", "市民热线", "已办结", "2026-11-04 10:00"),
    ("QD-02", "微信", "处置中", ""),
    ("QD-03", "市长信箱", "已派单", ""),
    ("QD-04", "市长信箱", "待受理", ""),
    ("QD-05", "媒体曝光", "已反馈", ""),
    ("QD-06", "网格巡查", "已结案", "2026-11-05 09:00"),
    ("QD-07", "", "", ""),
    ("QD-08", "110警情", "神秘状态", ""),
]
EXPECTED = {  # code -> (source, text kept, status)
    "QD-01": ("hotline_12345", None, "closed"),
    "QD-02": ("online", None, "in_progress"),
    "QD-03": ("other", "市长信箱", "dispatched"),
    "QD-04": ("other", "市长信箱", "accepted"),
    "QD-05": ("other", "媒体曝光", "feedback"),
    "QD-06": ("grid_worker", None, "closed"),
    "QD-07": ("grid_worker", None, "accepted"),
}


def write_file(url: str, path):
    with connect(url) as conn:
        points = conn.execute(
            "SELECT ST_X(p), ST_Y(p) FROM building, ST_PointOnSurface(footprint) p ORDER BY id LIMIT %s", [len(ROWS)]
        ).fetchall()
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for (code, channel, state, closed), (lon, lat) in zip(ROWS, points):
            writer.writerow([code, "邻里纠纷", "楼上漏水", "2026-11-03 09:00", channel, state, closed, lon, lat])
    return path


def test_a_platforms_channels_and_states_are_understood_and_unknown_channels_kept(city_db, tmp_path):
    code, summary, stderr = import_file(city_db, write_file(city_db, tmp_path / "工单.csv"), "cases")
    assert code == 0, stderr
    with connect(city_db) as conn:
        rows = conn.execute("SELECT code, source, source_raw, status FROM cases WHERE code LIKE 'QD-%'").fetchall()
    assert {code: rest for code, *rest in rows} == {code: list(value) for code, value in EXPECTED.items()}
    assert summary["unknown_sources"] == {"市长信箱": 2, "媒体曝光": 1}
    assert summary["rejected"] == 1, "the unknown state"
    with open(summary["report"], encoding="utf-8-sig") as handle:
        (rejected,) = list(csv.DictReader(handle))
    assert rejected["line"] == "9" and "神秘状态" in rejected["reason"]
