"""COPY a DataFrame into a table: the one bulk writer for loaders, imports and the geocoder.

Rows of plain values go as CSV written by Arrow (three times pandas' speed, ten times
psycopg's row-by-row writer); a frame with list columns (arrays) goes row by row.
"""

import itertools
from collections.abc import Iterable

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
import shapely
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

SRID = 4326


def copy_rows(conn: psycopg.Connection, table: str, columns: list[str], frame: pd.DataFrame) -> None:
    """COPY the given columns of `frame` into `table` ('schema.name' or 'name'); missing values
    become NULL, geometry columns go as hex EWKB, lists as arrays."""
    copy_frames(conn, table, columns, [frame])


def copy_frames(conn: psycopg.Connection, table: str, columns: list[str], frames: Iterable[pd.DataFrame]) -> None:
    """`copy_rows` of several frames in one COPY, each sent as soon as it is made: the server
    stores one while the next is made (when `frames` is a generator, which must not use
    `conn`: a thread of the COPY is writing to it). Lists in the first frame send all frames
    row by row.

    COPY FROM refuses a table whose row-level security binds the writer (the owner role on
    the `sensitive` tables, whose security is forced): the rows then go through a temporary
    table, and an INSERT that the policies check."""
    name, names = sql.Identifier(*table.split(".")), sql.SQL(", ").join(map(sql.Identifier, columns))
    if conn.execute("SELECT row_security_active(%s::regclass)", [table]).fetchone()[0]:
        conn.execute("DROP TABLE IF EXISTS pg_temp.copy_rows_staging")  # an earlier failure's
        conn.execute(
            sql.SQL("CREATE TEMP TABLE copy_rows_staging AS SELECT {} FROM {} WITH NO DATA").format(names, name)
        )
        _copy(conn, sql.Identifier("copy_rows_staging"), columns, frames)
        conn.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM copy_rows_staging").format(name, names, names))
        conn.execute("DROP TABLE pg_temp.copy_rows_staging")
        return
    _copy(conn, name, columns, frames)


def _copy(conn: psycopg.Connection, name: sql.Identifier, columns: list[str], frames: Iterable[pd.DataFrame]) -> None:
    copyable = (pd.DataFrame({column: _copyable(frame[column]) for column in columns}) for frame in frames)
    first = next(copyable, None)
    if first is None:
        return
    target = sql.SQL("COPY {} ({}) FROM STDIN").format(name, sql.SQL(", ").join(map(sql.Identifier, columns)))
    if any(_holds_lists(first[column]) for column in columns):
        with conn.cursor().copy(target) as copy:
            for frame in itertools.chain([first], copyable):
                for row in zip(*(_python_values(frame[column]) for column in columns)):
                    copy.write_row(row)
        return
    # A thread sends the data (psycopg's queued writer), so the next frame is made meanwhile.
    cursor = conn.cursor()
    with cursor.copy(target + sql.SQL(" (FORMAT csv)"), writer=QueuedLibpqWriter(cursor)) as copy:
        for frame in itertools.chain([first], copyable):
            copy.write(csv_bytes(frame))


def csv_bytes(rows: pd.DataFrame) -> bytes:
    """CSV for COPY (FORMAT csv): NULL as an empty field, an empty text as "", by Arrow."""
    table = pa.Table.from_pandas(rows, preserve_index=False)
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    return sink.getvalue().to_pybytes()


def _copyable(column: pd.Series) -> pd.Series:
    """Geometries as hex EWKB text; everything else as it is."""
    values = column.to_numpy()
    if values.dtype == object and shapely.is_geometry(values).any():
        return pd.Series(shapely.to_wkb(shapely.set_srid(values, SRID), hex=True, include_srid=True), dtype=object)
    return column.reset_index(drop=True)


def _holds_lists(column: pd.Series) -> bool:
    return column.dtype == object and column.map(lambda v: isinstance(v, list | tuple)).any()


def _python_values(column: pd.Series) -> list:
    """Plain Python values (None for missing) that psycopg can dump."""
    return column.astype(object).where(column.notna(), None).tolist()
