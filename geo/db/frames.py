"""A query's result as a DataFrame, columns named as the query names them."""

import io

import pandas as pd
import psycopg
import pyarrow.csv as pa_csv
from psycopg import sql
from psycopg.rows import dict_row


def query_dicts(conn: psycopg.Connection, query, params=None) -> list[dict]:
    """The rows of `query` as dicts by column name (a few rows for a page, not a frame)."""
    return conn.cursor(row_factory=dict_row).execute(query, params).fetchall()


def query_frame(conn: psycopg.Connection, query, params=None) -> pd.DataFrame:
    """Run `query` with `params` and return all its rows."""
    cursor = conn.execute(query, params)
    return pd.DataFrame(cursor.fetchall(), columns=[column.name for column in cursor.description])


def copy_frame(conn: psycopg.Connection, query: str, params=None, types: dict | None = None) -> pd.DataFrame:
    """The rows of a SELECT of numbers, read with COPY as CSV and parsed by Arrow: for a
    million rows, several times quicker than fetching them as Python tuples. `types`: column
    name -> Arrow type (else inferred; a column of NULLs only is then of no type). A NULL
    comes back as NaN (the column then holds floats)."""
    # The query on lines of its own: a comment on its last line must not swallow the ')'.
    statement = sql.SQL("COPY (\n{}\n) TO STDOUT (FORMAT csv, HEADER)").format(sql.SQL(query.strip().rstrip(";")))
    options = pa_csv.ConvertOptions(column_types=types or {})
    return pa_csv.read_csv(copied_out(conn, statement, params), convert_options=options).to_pandas()


def copied_out(conn: psycopg.Connection, statement, params=None) -> io.BytesIO:
    """All that a `COPY … TO STDOUT` statement writes, in memory and ready to read."""
    buffer = io.BytesIO()
    with conn.cursor().copy(statement, params) as copy:
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    return buffer
