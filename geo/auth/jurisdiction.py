"""A user's jurisdiction: the area or basic grid it may see, with everything inside it. The
dashboard checks the units a request names against it; the database's row-level security
reads the same jurisdiction from the session the transaction presents
(geo.auth.sessions.use_session, migration 0017)."""

from dataclasses import dataclass

import psycopg

from geo.db.connection import load_query
from geo.shared.units import Unit, find_unit

# A micro-grid or building lies below its grid: at most this many steps up.
MAX_STEPS_UP = 4
ROOT_CODES = "SELECT code FROM admin_area WHERE parent_id IS NULL"


@dataclass(frozen=True)
class Jurisdiction:
    """`code` None is the whole database; otherwise `codes` holds the area or grid itself and
    every area and current basic grid inside, `grid_ids` those grids' ids."""

    code: str | None
    codes: frozenset[str] = frozenset()
    grid_ids: tuple[int, ...] = ()

    @property
    def whole(self) -> bool:
        return self.code is None


def find_jurisdiction(conn: psycopg.Connection, scope_code: str | None) -> Jurisdiction:
    """The jurisdiction of a scope code (an area or a basic grid; None or the one city at the
    top: the whole database). An unknown code holds nothing.

    Example:
        >>> find_jurisdiction(conn, "411802").grid_ids[:3]
        (1201, 1202, 1203)
    """
    if scope_code is None or [scope_code] == [code for (code,) in conn.execute(ROOT_CODES)]:
        return Jurisdiction(None)
    rows = conn.execute(load_query("auth/jurisdiction"), {"code": scope_code}).fetchall()
    grid_ids = tuple(sorted(grid_id for _code, grid_id in rows if grid_id is not None))
    return Jurisdiction(scope_code, frozenset(code for code, _grid_id in rows), grid_ids)


def contains(conn: psycopg.Connection, jurisdiction: Jurisdiction, unit: Unit) -> bool:
    """Whether `unit` lies inside the jurisdiction (an area above it does not).

    Example:
        >>> contains(conn, township, find_unit(conn, "411802001001"))
        True
    """
    if jurisdiction.whole:
        return True
    for _step in range(MAX_STEPS_UP):
        if unit is None or unit.is_area and unit.code not in jurisdiction.codes:
            return False
        if unit.code in jurisdiction.codes:
            return True
        unit = find_unit(conn, unit.parent_code) if unit.parent_code else None
    return False
