import shutil

import pytest

from geo.db.connection import connect
from geo.db.migrate import MIGRATIONS_DIR, available_migrations, migrate
from geo.errors import UserError

EXPECTED_TABLES = {
    "public.admin_area",
    "public.grid",
    "public.micro_grid",
    "public.grid_staff",
    "public.boundary_version",
    "public.building",
    "public.building_unit",
    "public.cases",
    "public.case_category",
    "public.case_status",
    "public.key_place",
    "public.camera",
    "public.centre",
    "sensitive.key_person",
    "sensitive.key_person_category",
    "basemap.road",
    "basemap.water",
    "demo_truth.grid_intensity",
    "demo_truth.hotspot",
    "demo_truth.case_location",
}


def test_fresh_database_gets_every_table_and_rerun_is_a_no_op(fresh_database):
    url = fresh_database(migrated=False)
    with connect(url) as conn:
        applied = migrate(conn)
        assert applied == [m.name for m in available_migrations()]
        assert migrate(conn) == []
        tables = {f"{s}.{t}" for s, t in conn.execute("SELECT table_schema, table_name FROM information_schema.tables")}
        recorded = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    assert tables >= EXPECTED_TABLES
    assert recorded == len(applied)


def test_geometry_is_wgs84_with_gist_indexes(fresh_database):
    url = fresh_database()
    with connect(url) as conn:
        srids = dict(
            conn.execute(
                "SELECT f_table_schema || '.' || f_table_name || '.' || f_geometry_column, srid FROM geometry_columns"
            )
        )
        gist = {
            row[0]
            for row in conn.execute(
                "SELECT tablename || '.' || indexdef FROM pg_indexes WHERE indexdef LIKE '%USING gist (geom)%' "
                "OR indexdef LIKE '%USING gist (footprint)%'"
            )
        }
    assert srids and set(srids.values()) == {4326}
    for table in ("admin_area", "grid", "micro_grid", "building", "cases", "key_place", "camera", "centre"):
        assert any(entry.startswith(table + ".") for entry in gist), table


def test_database_is_utf8_so_trigrams_see_chinese(fresh_database):
    url = fresh_database()
    with connect(url) as conn:
        ctype = conn.execute("SELECT datctype FROM pg_database WHERE datname = current_database()").fetchone()[0]
        trigrams = conn.execute("SELECT show_trgm('滨河路17号')").fetchone()[0]
        similar = conn.execute("SELECT similarity('滨河路17号', '解放路17号')").fetchone()[0]
        zone = conn.execute("SHOW timezone").fetchone()[0]
    assert "UTF-8" in ctype.upper() or "UTF8" in ctype.upper()
    assert len(trigrams) > 3  # under the C locale only the digits' trigrams would remain
    assert similar < 1.0
    assert zone == "Asia/Shanghai"


def test_edited_migration_is_refused(fresh_database, tmp_path):
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy)
    url = fresh_database(migrated=False)
    with connect(url) as conn:
        migrate(conn, copy)
        first = sorted(copy.glob("*.sql"))[-1]
        first.write_text(first.read_text() + "\n-- edited\n")
        with pytest.raises(UserError, match="changed after it was applied"):
            migrate(conn, copy)


def test_misnamed_migration_is_refused(tmp_path):
    (tmp_path / "1_bad.sql").write_text("SELECT 1;")
    with pytest.raises(UserError, match="NNNN_name.sql"):
        available_migrations(tmp_path)


def test_failing_migration_leaves_nothing_behind(fresh_database, tmp_path):
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy)
    (copy / "9999_broken.sql").write_text("CREATE TABLE half_done (id int); SELECT no_such_function();")
    url = fresh_database(migrated=False)
    with connect(url) as conn:
        with pytest.raises(UserError, match="9999_broken failed"):
            migrate(conn, copy)
        leftover = conn.execute("SELECT to_regclass('half_done')").fetchone()[0]
        recorded = conn.execute("SELECT count(*) FROM schema_migrations WHERE version = '9999'").fetchone()[0]
    assert leftover is None and recorded == 0
