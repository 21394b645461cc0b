"""COPY a DataFrame into a table: the one bulk writer for loaders, imports and the geocoder."""

import pandas as pd
import psycopg
import shapely
from psycopg import sql

SRID = 4326


def copy_rows(conn: psycopg.Connection, table: str, columns: list[str], frame: pd.DataFrame) -> None:
    """COPY the given columns of `frame` into `table` ('schema.name' or 'name'); missing values
    become NULL, geometry columns go as hex EWKB, lists as arrays."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*table.split(".")), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    values = [_python_values(frame[column]) for column in columns]
    with conn.cursor().copy(statement) as copy:
        for row in zip(*values):
            copy.write_row(row)


def _python_values(column: pd.Series) -> list:
    """Plain Python values (None for missing) that psycopg can dump."""
    geoms = column.to_numpy()
    if geoms.dtype == object and shapely.is_geometry(geoms).any():
        return list(shapely.to_wkb(shapely.set_srid(geoms, SRID), hex=True, include_srid=True))
    return column.astype(object).where(column.notna(), None).tolist()
