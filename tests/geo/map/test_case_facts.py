"""The placement's copies of its case's figures (migration 0014) follow the case: the map's
counts read them instead of the case rows. Each test changes the shared demo city inside a
transaction that is rolled back."""

import datetime as dt

import pytest

from geo.db.connection import connect
from geo.map import cases
from geo.map.filters import CaseFilter
from geo.shared.units import root_unit

AS_OF = dt.date(2026, 11, 24)
YEAR = CaseFilter(AS_OF - dt.timedelta(days=364), AS_OF)
COPIES_DIFFER = """
SELECT count(*) FROM case_assignment a JOIN cases c ON c.id = a.case_id
WHERE (a.reported_at, a.category_code, a.source, a.closed, a.deadline)
      IS DISTINCT FROM (c.reported_at, c.category_code, c.source, c.status = 'closed', c.deadline)
"""


@pytest.fixture
def conn(scored_demo_db):
    with connect(scored_demo_db) as connection:
        yield connection
        connection.rollback()


def test_every_placement_of_the_demo_carries_its_cases_figures(conn):
    assert conn.execute("SELECT count(*) FROM case_assignment").fetchone()[0] > 0
    assert conn.execute(COPIES_DIFFER).fetchone()[0] == 0


def test_closing_and_recategorising_cases_moves_the_maps_counts(conn):
    city = root_unit(conn)
    before = cases.key_figures(conn, city, YEAR, AS_OF)
    category = "hazard_fire"
    mix_before = dict(cases.category_mix(conn, city, YEAR, AS_OF).itertuples(index=False))
    changed = conn.execute(
        """UPDATE cases SET status = 'closed', closed_at = reported_at + interval '1 hour', category_code = %s
           WHERE id IN (SELECT c.id FROM cases c JOIN case_assignment a ON a.case_id = c.id
                        WHERE c.status <> 'closed' AND c.category_code <> %s AND a.grid_id IS NOT NULL
                          AND c.reported_at >= %s ORDER BY c.id LIMIT 5)""",
        [category, category, YEAR.start],
    ).rowcount
    assert changed == 5
    after = cases.key_figures(conn, city, YEAR, AS_OF)
    assert after["cases"] == before["cases"]
    assert (after["open"], after["closed"]) == (before["open"] - 5, before["closed"] + 5)
    mix_after = dict(cases.category_mix(conn, city, YEAR, AS_OF).itertuples(index=False))
    assert mix_after[category] == mix_before.get(category, 0) + 5
    assert conn.execute(COPIES_DIFFER).fetchone()[0] == 0


def test_a_placement_written_without_the_copies_gets_them_from_its_case(conn):
    case_id = conn.execute("SELECT case_id FROM case_assignment WHERE grid_id IS NOT NULL LIMIT 1").fetchone()[0]
    conn.execute(
        """UPDATE case_assignment SET reported_at = NULL, category_code = NULL, source = NULL,
           closed = NULL, deadline = NULL WHERE case_id = %s""",
        [case_id],
    )
    assert conn.execute(COPIES_DIFFER).fetchone()[0] == 0


def test_a_moved_report_time_moves_the_case_in_the_trend(conn):
    city = root_unit(conn)
    day = YEAR.end - dt.timedelta(days=40)
    trend_before = cases.trend(conn, city, CaseFilter(day, day), AS_OF)
    moved = conn.execute(
        """UPDATE cases SET reported_at = %s::date + interval '12 hours', deadline = %s::date + interval '30 days',
                  closed_at = CASE WHEN closed_at IS NULL THEN NULL ELSE %s::date + interval '13 hours' END
           WHERE id IN (SELECT c.id FROM cases c JOIN case_assignment a ON a.case_id = c.id
                        WHERE a.grid_id IS NOT NULL AND c.reported_at::date <> %s ORDER BY c.id LIMIT 3)""",
        [day, day, day, day],
    ).rowcount
    assert moved == 3
    trend_after = cases.trend(conn, city, CaseFilter(day, day), AS_OF)
    assert trend_after["cases"].sum() == trend_before["cases"].sum() + 3
