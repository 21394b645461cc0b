"""The daily case facts (migration 0021) equal a recount from the cases after every way cases
and placements are written (the demo load, an import, live cases, edits, the categories' map,
the geocoder placing again, a boundary commit), and the map's figures read from them equal the
same figures counted from the cases, overdue included (which the facts derive when asked)."""

import datetime as dt

import pytest

from data.demo.simulate import simulate
from geo.boundaries import store
from geo.boundaries.commit import commit_draft
from geo.categories.command import map_texts
from geo.db.connection import connect
from geo.geocode.bulk import reassign
from geo.map import cases, facts
from geo.map.filters import CaseFilter
from geo.map.scope import map_query, scope_params
from geo.settings import get_settings
from geo.shared.units import find_unit, root_unit
from tests.geo.boundaries.test_commit import move_shared_vertex
from tests.geo.imports.conftest import import_file
from tests.geo.imports.test_import_cases import HEADER

AS_OF = dt.date(2026, 11, 24)
# Counted here from the cases themselves, in the configured zone, without the facts' functions;
# each row's county is its grid's, and above the counties (the city) none.
GRID_RECOUNT = """
SELECT g.county_code, a.grid_id, a.micro_grid_id, (c.reported_at AT TIME ZONE %(zone)s)::date, c.category_code,
       c.source, c.status = 'closed', CASE WHEN c.status <> 'closed' THEN (c.deadline AT TIME ZONE %(zone)s)::date END,
       count(*)
FROM cases c JOIN case_assignment a ON a.case_id = c.id JOIN grid g ON g.id = a.grid_id
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""
AREA_RECOUNT = """
WITH RECURSIVE up (area_id, grid_id) AS (
    SELECT community_id, id FROM grid WHERE valid_to IS NULL AND is_basic AND community_id IS NOT NULL
    UNION
    SELECT a.parent_id, up.grid_id FROM up JOIN admin_area a ON a.id = up.area_id WHERE a.parent_id IS NOT NULL
)
SELECT CASE WHEN area.level = 1 THEN '' ELSE g.county_code END, up.area_id,
       (c.reported_at AT TIME ZONE %(zone)s)::date, c.category_code, c.source, c.status = 'closed',
       CASE WHEN c.status <> 'closed' THEN (c.deadline AT TIME ZONE %(zone)s)::date END, count(*)
FROM up JOIN admin_area area ON area.id = up.area_id JOIN grid g ON g.id = up.grid_id
JOIN case_assignment a ON a.grid_id = up.grid_id JOIN cases c ON c.id = a.case_id
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""
GRID_FACTS = """SELECT county_code, grid_id, micro_grid_id, day, category_code, source, closed, deadline_day, n
FROM case_grid_day"""
AREA_FACTS = "SELECT county_code, area_id, day, category_code, source, closed, deadline_day, n FROM case_area_day"


def assert_facts_recount(conn) -> None:
    zone = {"zone": get_settings().timezone}
    assert sorted(conn.execute(GRID_FACTS).fetchall()) == sorted(conn.execute(GRID_RECOUNT, zone).fetchall())
    assert sorted(conn.execute(AREA_FACTS).fetchall()) == sorted(conn.execute(AREA_RECOUNT, zone).fetchall())


def scanned(conn, name: str, unit, case_filter: CaseFilter):
    """A figure counted from the unit's cases (the map's query before the facts)."""
    params = {**scope_params(conn, unit), **case_filter.params(AS_OF)}
    return conn.execute(map_query(name, unit), params).fetchall()


def test_the_demo_loads_facts_equal_to_a_recount(scored_demo_db):
    with connect(scored_demo_db) as conn:
        assert conn.execute("SELECT sum(n) FROM case_grid_day").fetchone()[0] > 0
        assert_facts_recount(conn)


def test_figures_from_facts_equal_figures_from_cases_with_cases_due_today(scored_demo_db):
    with connect(scored_demo_db) as conn:
        # Two open cases due today: one an hour-fraction ago (overdue now), one later today (open).
        conn.execute(
            """WITH t AS (SELECT case_fact_day(now()) AS d),
                    b AS (SELECT (d::timestamp AT TIME ZONE case_fact_zone()) AS s,
                                 ((d + 1)::timestamp AT TIME ZONE case_fact_zone()) AS e FROM t),
                    picked AS (SELECT c.id, row_number() OVER (ORDER BY c.id) AS k FROM cases c
                               JOIN case_assignment a ON a.case_id = c.id WHERE c.status <> 'closed'
                               AND c.reported_at >= %s ORDER BY c.id LIMIT 2)
               UPDATE cases c SET deadline = CASE WHEN p.k = 1 THEN b.s + (now() - b.s) / 2
                                                  ELSE now() + (b.e - now()) / 2 END
               FROM picked p, b WHERE c.id = p.id""",
            [AS_OF - dt.timedelta(days=20)],
        )
        root = root_unit(conn)
        month = CaseFilter(AS_OF - dt.timedelta(days=29), AS_OF)
        county = find_unit(
            conn, max(cases.child_case_counts(conn, root, month, AS_OF).items(), key=lambda i: i[1]["cases"])[0]
        )
        grid_code = conn.execute(
            "SELECT g.code FROM case_assignment a JOIN grid g ON g.id = a.grid_id GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        filters = [month, CaseFilter(AS_OF - dt.timedelta(days=200), AS_OF), CaseFilter(month.start, AS_OF, states=("overdue",)),
                   CaseFilter(month.start, AS_OF, states=("open",), sources=("grid_worker", "hotline_12345"))]  # fmt: skip
        for unit in (root, county, find_unit(conn, grid_code)):
            for f in filters:
                for name in ("kpis", "trend", "category_mix", "child_cases"):
                    got = facts.run(conn, name, unit, f.params(AS_OF)).fetchall()
                    assert sorted(got) == sorted(scanned(conn, name, unit, f)), (unit.kind, name, f)
        assert cases.key_figures(conn, root, month, AS_OF)["overdue"] > 0
        conn.rollback()


def test_imported_live_edited_and_placed_again_cases_keep_the_facts_right(city_db, tmp_path):
    with connect(city_db) as conn:
        address = conn.execute("SELECT standard_address FROM building ORDER BY id LIMIT 1").fetchone()[0]
    rows = [",".join(HEADER),
            f"F1,邻里纠纷,楼上漏水,2026/11/10 14:30,12345,受理,{address},,",
            f"F2,新奇的类型,x,2026-11-12 09:00,网格员,结案,{address},,",
            "F3,消防安全隐患,楼道充电,2026-11-20,网格员,,,113.95,33.55"]  # fmt: skip
    path = tmp_path / "cases.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, summary, stderr = import_file(city_db, path, "cases")
    assert code == 0 and summary["inserted"] >= 2, stderr
    with connect(city_db) as conn:
        assert_facts_recount(conn)
    assert simulate(city_db, per_second=500, count=5, seed=3) == 5
    with connect(city_db) as conn:
        assert_facts_recount(conn)
        ids = [r[0] for r in conn.execute("SELECT id FROM cases WHERE status <> 'closed' ORDER BY id LIMIT 40")]
        conn.execute(
            "UPDATE cases SET status = 'closed', closed_at = greatest(reported_at, now()) WHERE id = ANY(%s)",
            [ids[:20]],
        )
        conn.execute("UPDATE cases SET category_code = 'unclassified' WHERE id = ANY(%s)", [ids[20:]])
        conn.execute("UPDATE cases SET deadline = deadline + interval '3 days' WHERE id = ANY(%s)", [ids[30:]])
        conn.commit()
        assert_facts_recount(conn)
        assert map_texts(conn, [(None, "新奇的类型", "dispute_neighbour")], "测试") >= 0
        conn.commit()
        assert_facts_recount(conn)
        # Move some placed cases' points to another grid's ground and let the geocoder place them again.
        conn.execute(
            """UPDATE cases c SET geom = (SELECT ST_PointOnSurface(geom) FROM grid_current WHERE is_basic
                                         ORDER BY id DESC LIMIT 1)
               WHERE c.id IN (SELECT case_id FROM case_assignment WHERE point IS NOT NULL ORDER BY case_id LIMIT 15)"""
        )
        assert reassign(conn)["written"] > 0
        conn.commit()
        assert_facts_recount(conn)
        conn.execute("DELETE FROM case_assignment WHERE case_id = ANY(%s)", [ids[:5]])
        conn.commit()
        assert_facts_recount(conn)


def test_a_boundary_commit_keeps_the_areas_totals_right(city_db):
    with connect(city_db, autocommit=True) as conn:
        community = conn.execute(
            """SELECT a.code FROM admin_area a JOIN grid_current g ON g.community_id = a.id AND g.is_basic
               WHERE a.level = 4 AND a.is_urban GROUP BY a.code HAVING count(*) >= 3 ORDER BY a.code LIMIT 1"""
        ).fetchone()[0]
        draft = store.open_draft(conn, community, "测试规划员")
        move_shared_vertex(conn, draft)
        commit_draft(conn, draft.id, "测试规划员", "调整边界")
        assert_facts_recount(conn)
        # A grid moved to another community by hand: the deferred relink at commit follows it.
        conn.execute(
            """UPDATE grid SET community_id = (SELECT id FROM admin_area WHERE level = 4 ORDER BY id DESC LIMIT 1)
               WHERE id = (SELECT grid_id FROM case_assignment GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)"""
        )
        assert_facts_recount(conn)


@pytest.mark.parametrize("table", ["case_grid_day", "case_area_day"])
def test_the_web_role_reads_the_facts_but_cannot_write_them(scored_demo_db, table):
    with connect(scored_demo_db) as conn:
        grants = conn.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants WHERE grantee = 'safety_map_app'"
            " AND table_name = %s",
            [table],
        ).fetchall()
    assert {g[0] for g in grants} == {"SELECT"}


def test_the_web_role_cannot_run_the_owners_fact_functions_or_slip_in_its_own_table(scored_demo_db):
    """The facts' functions run as the owner: the web role may not call the rebuilds, and a
    temporary case_fact_delta of its own (which could carry its trigger, run as the owner) is
    refused, not written through."""
    import psycopg

    from geo.db.connection import app_database_url

    with psycopg.connect(app_database_url(scored_demo_db), autocommit=True) as app:
        for call in ("SELECT case_facts_rebuild()", "SELECT case_facts_rebuild_areas(NULL)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(call)
        app.execute(
            "CREATE TEMP TABLE case_fact_delta (grid_id integer, micro_grid_id integer, day date, "
            "category_code text, source text, closed boolean, deadline_day date, n integer)"
        )
        with pytest.raises(psycopg.errors.RaiseException, match="not made by the case facts"):
            facts_follow_fires(app)


def facts_follow_fires(conn) -> None:
    """A statement on case_assignment as `conn`'s role: its facts trigger runs, rows or not."""
    conn.execute("DELETE FROM case_assignment WHERE false")
