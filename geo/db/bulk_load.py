"""Indexes and checks built once after a bulk load, not row by row during it.

A GiST index filled one row at a time costs several times a build over the whole table, and
a foreign key checked per row a query per row (the demo city: 46 s of COPY, most of it
indexes and checks). Inside the caller's transaction, `indexes_after` drops the tables'
secondary indexes, foreign keys and exclusion constraints, and adds them back on the way out:
the rows are checked exactly as before, once, and a failure rolls everything back.

Only the tables' owner may do this; for another role the load simply runs with its indexes.
"""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import psycopg
from psycopg import sql

from geo.db.connection import load_query

ADD_CONSTRAINT = "ALTER TABLE {} ADD CONSTRAINT {} "
DROP_CONSTRAINT = "ALTER TABLE {} DROP CONSTRAINT {}"


@contextmanager
def indexes_after(conn: psycopg.Connection, tables: list[str], timer=None, step: str = "indexes") -> Iterator[None]:
    """Drop the secondary indexes and the deferrable constraints of `tables` ('schema.name'
    or 'name') for the duration of the block, and build them again at its end (timed as
    `step` when a `timer` (geo.geocode.bulk.Timer) is given)."""
    qualified = [table if "." in table else f"public.{table}" for table in tables]
    if not conn.execute(load_query("db/owns_tables"), {"tables": qualified}).fetchone()[0]:
        yield
        return
    dropped = [_drop(conn, table) for table in tables]
    yield
    with timer.measure(step) if timer is not None else nullcontext():
        for table, (indexes, constraints) in zip(tables, dropped):
            for definition in indexes:
                conn.execute(definition)  # the catalogue's own CREATE INDEX text
            for name, definition in constraints:
                conn.execute(sql.SQL(ADD_CONSTRAINT).format(_table(table), sql.Identifier(name)) + sql.SQL(definition))


def _drop(conn, table: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop what can be built again; return the index definitions and the constraints."""
    constraints = conn.execute(load_query("db/deferrable_constraints"), {"table": table}).fetchall()
    for name, _ in constraints:
        conn.execute(sql.SQL(DROP_CONSTRAINT).format(_table(table), sql.Identifier(name)))
    indexes = conn.execute(load_query("db/deferrable_indexes"), {"table": table}).fetchall()
    for schema, name, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(schema, name)))
    return [definition for *_, definition in indexes], constraints


def _table(table: str) -> sql.Identifier:
    return sql.Identifier(*table.split("."))
