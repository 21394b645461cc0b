"""A query's result as a DataFrame, columns named as the query names them."""

import pandas as pd
import psycopg


def query_frame(conn: psycopg.Connection, query, params=None) -> pd.DataFrame:
    """Run `query` with `params` and return all its rows."""
    cursor = conn.execute(query, params)
    return pd.DataFrame(cursor.fetchall(), columns=[column.name for column in cursor.description])
