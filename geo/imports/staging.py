"""The staging table of an import: checked rows COPYed in chunk by chunk, then the ids that
repeat within the file taken out (each of their lines rejected, naming the others) before
the layer writes from it. Temporary, gone at the end of the transaction."""

from psycopg import sql

from geo.db.copy import copy_rows
from geo.imports.layer import Layer

CREATE = "CREATE TEMP TABLE {table} (line int4, {columns}) ON COMMIT DROP"
# Every row of an id that occurs more than once, removed, with all the lines of that id.
REMOVE_REPEATED = """
WITH repeated AS (
    SELECT {key} AS key, array_agg(line ORDER BY line) AS lines FROM {table} GROUP BY {key} HAVING count(*) > 1
)
DELETE FROM {table} t USING repeated r WHERE t.{key} = r.key
RETURNING t.line, t.{key}, r.lines"""
COUNT = "SELECT count(*) FROM {table}"


def create_staging(conn, layer: Layer) -> None:
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in layer.staging.items()
    )
    conn.execute(sql.SQL(CREATE).format(table=sql.Identifier(layer.table), columns=columns))


def stage_rows(conn, layer: Layer, rows) -> None:
    """COPY checked rows (with their `line`) into the staging table."""
    if len(rows):
        copy_rows(conn, layer.table, ["line", *layer.staging], rows)


def remove_repeated(conn, layer: Layer) -> list[tuple[int, str, str]]:
    """Take out the rows whose id repeats within the file; return them as rejections."""
    query = sql.SQL(REMOVE_REPEATED).format(
        table=sql.Identifier(layer.table), key=sql.Identifier(layer.staged_key or layer.key)
    )
    rejected = []
    for line, key, lines in conn.execute(query).fetchall():
        others = ", ".join(str(n) for n in lines if n != line)
        rejected.append((line, key, f"duplicate id {key!r} within the file (also on line {others})"))
    return rejected


def staged_count(conn, layer: Layer) -> int:
    return conn.execute(sql.SQL(COUNT).format(table=sql.Identifier(layer.table))).fetchone()[0]
