"""The schema follows docs/scale.md (geo/db/distribution.py): the large tables carry the county
code in their keys, every table is classified, and the writers fill the county."""

import re
from pathlib import Path

import pytest

from geo.db import distribution as layout
from geo.db.connection import connect

DOC = Path(__file__).parents[3] / "docs" / "scale.md"
TABLES = """
SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%%'
"""
# Every unique index of a table (primary keys and unique constraints included): name, whether
# primary, and its key columns in order.
UNIQUE_INDEXES = """
SELECT c.relname, i.indisprimary,
       array(SELECT a.attname FROM unnest(i.indkey[:i.indnkeyatts - 1]) WITH ORDINALITY AS k (attnum, ord)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = %s::regclass AND i.indisunique
"""
COLUMN = """
SELECT is_nullable FROM information_schema.columns
WHERE table_schema || '.' || table_name = %s AND column_name = %s
"""


@pytest.fixture(scope="module")
def catalogue(fresh_database):
    """(tables, {table: unique indexes}, {table: nullable of the county column}) of a newly
    migrated database."""
    with connect(fresh_database()) as conn:
        tables = {row[0] for row in conn.execute(TABLES)}
        indexes = {table: conn.execute(UNIQUE_INDEXES, [table]).fetchall() for table in layout.DISTRIBUTED}
        county = {
            table: conn.execute(COLUMN, [table, layout.DISTRIBUTION_COLUMN]).fetchone() for table in layout.DISTRIBUTED
        }
    return tables, indexes, county


def test_every_table_is_distributed_reference_pending_or_local_exactly_once(catalogue):
    tables, _, _ = catalogue
    listed = [*layout.DISTRIBUTED, *layout.REFERENCE, *layout.PENDING, *layout.LOCAL]
    assert len(listed) == len(set(listed))
    assert set(listed) == tables


@pytest.mark.parametrize("table", layout.DISTRIBUTED)
def test_a_distributed_table_leads_its_keys_with_the_county(catalogue, table):
    _, indexes, county = catalogue
    assert county[table] == ("NO",), f"{table}: county_code missing or nullable"
    keys = indexes[table]
    primary = [columns for _, is_primary, columns in keys if is_primary]
    leading = primary or [columns for name, _, columns in keys if name.endswith("_key")]
    assert leading and all(columns[0] == layout.DISTRIBUTION_COLUMN for columns in leading), keys
    for name, _, columns in keys:
        if name not in layout.TRANSITIONAL_UNIQUE:
            assert layout.DISTRIBUTION_COLUMN in columns, f"{table}: unique index {name} without the county"


def test_the_transitional_unique_indexes_exist_and_lack_the_county(catalogue):
    """Each is listed because it is there without the county; one that gains it leaves the list."""
    _, indexes, _ = catalogue
    found = {name: columns for keys in indexes.values() for name, _, columns in keys}
    for name in layout.TRANSITIONAL_UNIQUE:
        assert name in found and layout.DISTRIBUTION_COLUMN not in found[name], name


def test_the_doc_names_every_distributed_reference_and_pending_table():
    text = DOC.read_text(encoding="utf-8")
    for table in (*layout.DISTRIBUTED, *layout.REFERENCE, *layout.PENDING):
        assert re.search(rf"`{re.escape(table.removeprefix('public.'))}`", text), table
    for name in layout.TRANSITIONAL_UNIQUE:
        assert f"`{name}`" in text, name


def test_the_writers_fill_the_county_from_the_grid(demo_db):
    """The demo load and the geocoder's placements wrote these rows without naming the
    county: the triggers filled it; the facts' functions name it themselves (0032)."""
    with connect(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM grid WHERE county_code = ''").fetchone()[0] == 0
        wrong = conn.execute(
            """
            SELECT (SELECT count(*) FROM grid g JOIN admin_area c ON c.id = g.community_id
                    JOIN admin_area t ON t.id = c.parent_id JOIN admin_area k ON k.id = t.parent_id
                    WHERE g.county_code <> k.code),
                   (SELECT count(*) FROM case_assignment a JOIN grid g ON g.id = coalesce(a.grid_id, a.nearest_grid_id)
                    WHERE a.county_code <> g.county_code),
                   (SELECT count(*) FROM case_assignment WHERE status = 'review' AND county_code <> ''),
                   (SELECT count(*) FROM building_assignment a JOIN grid g ON g.id = a.grid_id
                    WHERE a.county_code <> g.county_code),
                   (SELECT count(*) FROM case_grid_day f JOIN grid g ON g.id = f.grid_id
                    WHERE f.county_code <> g.county_code),
                   (SELECT count(*) FROM micro_grid m JOIN grid g ON g.code = m.grid_code AND g.valid_to IS NULL
                    WHERE m.county_code <> g.county_code),
                   (SELECT count(*) FROM case_area_day f JOIN admin_area a ON a.id = f.area_id
                    WHERE (a.level = 1) <> (f.county_code = ''))
            """
        ).fetchone()
        assert wrong == (0, 0, 0, 0, 0, 0, 0)
        placed = conn.execute("SELECT count(DISTINCT county_code) FROM case_assignment WHERE status = 'assigned'")
        assert placed.fetchone()[0] >= 2


def test_a_community_moved_to_another_county_takes_its_grids_and_placements_along(demo_db):
    with connect(demo_db) as conn:
        township, county, other = conn.execute(
            """
            SELECT t.id, k.code, (SELECT o.id FROM admin_area o WHERE o.level = 2 AND o.id <> k.id LIMIT 1)
            FROM grid_current g JOIN case_assignment a ON a.grid_id = g.id
            JOIN admin_area c ON c.id = g.community_id JOIN admin_area t ON t.id = c.parent_id
            JOIN admin_area k ON k.id = t.parent_id LIMIT 1
            """
        ).fetchone()
        conn.execute("UPDATE admin_area SET parent_id = %s WHERE id = %s", [other, township])
        moved = conn.execute("SELECT code FROM admin_area WHERE id = %s", [other]).fetchone()[0]
        left = conn.execute(
            """
            SELECT count(*) FROM case_assignment a JOIN grid g ON g.id = a.grid_id
            JOIN admin_area c ON c.id = g.community_id
            WHERE c.parent_id = %s AND (a.county_code <> %s OR g.county_code <> %s)
            """,
            [township, moved, moved],
        ).fetchone()[0]
        assert left == 0 and moved != county
        conn.rollback()


def test_a_grid_linked_to_its_community_later_takes_its_placements_and_facts_along(demo_db):
    """Grids imported before their areas get their community (and county) later: what is
    placed in them follows, or a county's partition of the risk run would miss it."""
    followers = """
        SELECT array_agg(DISTINCT county_code) FROM (
            SELECT county_code FROM case_assignment WHERE coalesce(grid_id, nearest_grid_id) = %(grid)s
            UNION ALL SELECT county_code FROM case_grid_day WHERE grid_id = %(grid)s
            UNION ALL SELECT county_code FROM micro_grid WHERE grid_code = %(code)s AND valid_to IS NULL) rows"""
    with connect(demo_db) as conn:
        grid, code, community, county = conn.execute(
            """
            SELECT g.id, g.code, g.community_id, g.county_code FROM grid_current g
            WHERE g.is_basic AND EXISTS (SELECT FROM case_assignment a WHERE a.grid_id = g.id) LIMIT 1
            """
        ).fetchone()
        ids = {"grid": grid, "code": code}
        conn.execute("UPDATE grid SET community_id = NULL WHERE id = %s", [grid])
        unlinked = conn.execute(followers, ids).fetchone()[0]
        conn.execute("UPDATE grid SET community_id = %s WHERE id = %s", [community, grid])
        linked = conn.execute(followers, ids).fetchone()[0]
        conn.rollback()
    assert (unlinked, linked) == ([""], [county])
