"""Individual key-person records (重点人群名单) of a basic grid, a micro-grid or a building, for
the key-population officer. Only units at grid level and below have records: an area is too
broad a list, the officer drills to a grid first.

Which persons come back is decided by the database: read through the dashboard's role, row-
level security (migration 0016) lets through only those inside the reader's jurisdiction, and
nothing at all without a scope. The caller audits what it shows (geo/audit/log.py).

Example:
    >>> records = key_person_records(conn, find_unit(conn, "411802001001"))
    >>> records.total, records.records[0].pseudonym
    (37, 'KP-0001')
"""

import datetime as dt
from dataclasses import dataclass

import psycopg
from psycopg import sql

from geo.db.connection import load_query
from geo.shared.units import Unit

# A list longer than this is cut: no one reads further, and an export is not a bulk download.
MAX_RECORDS = 500
BUILDINGS_QUERY = {
    "grid": "map/key_person_records_grid",
    "micro_grid": "map/key_person_records_micro_grid",
    "building": "map/key_person_records_building",
}
RECORD_KINDS = tuple(BUILDINGS_QUERY)


@dataclass(frozen=True)
class KeyPersonRecord:
    """One active key person: the pseudonym (no name is stored), the category's code and
    names, care level (high|medium|low), registration day, building and unit (单元) number."""

    pseudonym: str
    category_code: str
    category_zh: str
    category_en: str
    care_level: str
    registered_on: dt.date
    building_code: str
    standard_address: str
    unit_no: int | None

    def category(self, lang: str) -> str:
        """The category's name in `lang` ('zh' or 'en')."""
        return self.category_en if lang == "en" else self.category_zh


@dataclass(frozen=True)
class KeyPersonRecords:
    """The records of one unit: at most `limit` of `total` (ordered by building, unit and
    pseudonym)."""

    unit_code: str
    records: tuple[KeyPersonRecord, ...]
    total: int
    limit: int

    @property
    def truncated(self) -> bool:
        """Whether the list leaves out some of the unit's persons."""
        return self.total > len(self.records)

    @property
    def pseudonyms(self) -> list[str]:
        """The pseudonyms shown, in order (what the audit log records)."""
        return [record.pseudonym for record in self.records]


def has_records(unit: Unit | None) -> bool:
    """Whether the unit's kind has individual records (a grid, micro-grid or building)."""
    return unit is not None and unit.kind in BUILDINGS_QUERY


def key_person_records(conn: psycopg.Connection, unit: Unit, limit: int = MAX_RECORDS) -> KeyPersonRecords:
    """The active key persons of a basic grid, micro-grid or building that `conn` may read.

    Parameters:
        conn: a connection whose transaction carries the reader's row-level-security scope
            (the dashboard's `context.connection`); an owner's connection reads every person.
        unit: the grid, micro-grid or building (geo/shared/units.py).
        limit: at most this many records (1 to MAX_RECORDS); `truncated` says when cut.

    Returns:
        KeyPersonRecords with the records in order of building, unit and pseudonym.

    Raises:
        ValueError: for an area (city to community) or a limit out of range.

    Example:
        >>> key_person_records(conn, find_unit(conn, "411802001001002")).truncated
        False
    """
    _check(unit, limit)
    query = sql.SQL(load_query("map/key_person_records")).format(
        buildings=sql.SQL(load_query(BUILDINGS_QUERY[unit.kind]))
    )
    rows = conn.execute(query, {"code": unit.code, "limit": limit}).fetchall()
    total = rows[0][-1] if rows else 0
    return KeyPersonRecords(unit.code, tuple(KeyPersonRecord(*row[:-1]) for row in rows), total, limit)


def _check(unit: Unit, limit: int) -> None:
    if not has_records(unit):
        raise ValueError(f"key-person records are kept per grid, micro-grid or building, not per {unit.kind}")
    if not 1 <= limit <= MAX_RECORDS:
        raise ValueError(f"limit must be between 1 and {MAX_RECORDS}, got {limit}")
