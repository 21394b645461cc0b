"""One clock: every "today" comes from geo/clock.py in the configured zone (Asia/Shanghai).

At 01:00 Beijing time the machine's UTC date is still yesterday; the demo, the risk run, the
map's default range, its 今日 figure and the wall's day must all take Beijing's date."""

import argparse
import datetime as dt

import pytest

from geo import clock
from geo.settings import get_settings

# 2026-11-24 17:00 UTC is 2026-11-25 01:00 in Beijing.
UTC_EVENING = dt.datetime(2026, 11, 24, 17, 0, tzinfo=dt.UTC)
BEIJING_DAY = dt.date(2026, 11, 25)


@pytest.fixture
def one_am_in_beijing(monkeypatch):
    monkeypatch.setattr(clock, "system_now", lambda: UTC_EVENING)


def test_today_is_the_configured_zones_date(one_am_in_beijing):
    assert clock.now().hour == 1 and clock.today() == BEIJING_DAY
    assert UTC_EVENING.date() != BEIJING_DAY


@pytest.fixture
def settings_on(monkeypatch):
    """The process settings pointed at database `url` (as DATABASE_URL would)."""

    def point_at(url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()

    yield point_at
    get_settings.cache_clear()


@pytest.mark.slow
def test_demo_risk_map_and_wall_agree_on_today_at_one_am(one_am_in_beijing, settings_on, fresh_database):
    from dashboard import context
    from data.demo.__main__ import build_parser
    from geo.db.connection import connect
    from geo.map.cases import key_figures
    from geo.map.filters import CaseFilter
    from geo.risk import command as risk_command
    from geo.shared.units import root_unit

    url = fresh_database()
    settings_on(url)
    demo = build_parser().parse_args(["--scale", "small", "--seed", "3"])
    assert demo.handler(demo) == 0
    risk = argparse.Namespace(explain=None, pending=False, as_of=None, config=None, workers=None)
    assert risk_command.run(risk) == 0
    with connect(url) as conn:
        newest_case_day, run_day = conn.execute(
            "SELECT (SELECT max(reported_at)::date FROM cases), (SELECT max(as_of) FROM risk_run)"
        ).fetchone()
        assert newest_case_day == run_day == BEIJING_DAY
        assert context.default_end(conn) == BEIJING_DAY
        today = clock.today()
        figures = key_figures(conn, root_unit(conn), CaseFilter(today - dt.timedelta(days=29), today), today)
    assert figures["today"] > 0  # the demo's day is the map's day: 今日 is not empty
