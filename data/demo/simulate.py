"""`python -m data.demo simulate --rate 2/s`: new cases as grid workers, the 12345 hotline and the
police report them, inserted one at a time until stopped, for demos and tests of the live
wall screen.

Each case is its own transaction: the case row (reported now, status 受理, the category's
deadline), its placement by the geocoder and its 'receive' event, so that it reaches the map
and the dispatch desk the moment it is committed. Cases fall on the buildings that had cases in the last 90 days, in proportion
to how many (the city's hotspots stay hot), with the demo's mix of categories and sources.
Grid workers and 110 send a point; the hotline, walk-ins and online reports an address as a
clerk typed it, which the geocoder matches. Every RESCORE_EVERY_S the grids the new cases
fell in are rescored (`risk --pending`), so that a grid can turn red while the wall watches.
"""

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from data.demo.cases import CATEGORY_MIX, SOURCE_MIX, SUMMARIES
from data.demo.clerk import clerk_address
from geo import clock
from geo.db.connection import transaction
from geo.db.frames import query_frame
from geo.errors import UserError
from geo.geocode.bulk import place_new
from geo.map.scope import scope_grid_ids
from geo.shared.units import find_unit

QUERIES_DIR = Path(__file__).parent / "queries"

RATE_UNITS = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0}
POINT_SOURCES = ("grid_worker", "police_110")
JITTER_DEG = 0.00005  # about 5 m: where on the premises the phone was
MAX_RATE_PER_S = 50.0
RESCORE_EVERY_S = 60.0


@dataclass(frozen=True)
class NewCase:
    code: str
    source: str
    category_code: str
    summary: str
    lon: float | None
    lat: float | None
    address_text: str | None


def parse_rate(text: str) -> float:
    """Cases per second from '2/s', '30/min', '600/h' or a bare number (per second).

    Example:
        >>> parse_rate("30/min")
        0.5
    """
    amount, _, unit = str(text).strip().partition("/")
    try:
        per_unit = float(amount)
    except ValueError:
        raise UserError(f"rate: not a number: {text!r} (write it as 2/s, 30/min or 600/h)") from None
    if unit.strip() not in ("", *RATE_UNITS):
        raise UserError(f"rate: unknown unit {unit!r} (s, min or h)")
    per_second = per_unit / RATE_UNITS.get(unit.strip() or "s")
    if not 0 < per_second <= MAX_RATE_PER_S:
        raise UserError(f"rate: {text!r} is not between 0 and {MAX_RATE_PER_S:g} cases a second")
    return per_second


def simulate(
    url: str,
    per_second: float,
    count: int | None = None,
    scope: str | None = None,
    seed: int | None = None,
    report: Callable[[dict], None] = lambda case: None,
) -> int:
    """Insert and place cases at `per_second` (exponential gaps, as independent reports
    arrive) until `count` cases or an interrupt; return how many were inserted. `scope` is an
    area or grid code: cases fall inside it (default: anywhere). `report` gets each case
    as a dict once it is committed."""
    rng = np.random.default_rng(seed)
    with transaction(url) as conn:
        buildings = hot_buildings(conn, scope)
    prefix = f"SIM{clock.now():%Y%m%d%H%M%S}"
    due = rescored = time.monotonic()
    for number in itertools.count(1):
        if count is not None and number > count:
            return count
        if time.monotonic() - rescored >= RESCORE_EVERY_S:
            report({"risk": _rescore(url)})
            rescored = time.monotonic()
        due += rng.exponential(1 / per_second)
        time.sleep(max(0.0, due - time.monotonic()))
        case = draw_case(rng, buildings, f"{prefix}{number:05d}")
        with transaction(url) as conn:
            placed = insert_and_place(conn, case)
        report({"code": case.code, "category": case.category_code, "source": case.source, **placed})
    return 0  # unreachable: itertools.count never ends


def hot_buildings(conn, scope: str | None) -> pd.DataFrame:
    frame = query_frame(conn, load_query("buildings"), {"grid_ids": _scope_grids(conn, scope)})
    if frame.empty:
        where = f"under {scope}" if scope else "in the database"
        raise UserError(f"simulate: no building with recent cases {where} (load the demo city first)")
    frame["weight"] = frame["cases"] / frame["cases"].sum()
    return frame


def _scope_grids(conn, scope: str | None) -> list[int] | None:
    """The ids of the basic grids under the area or grid `scope` (None: every grid)."""
    if scope is None:
        return None
    unit = find_unit(conn, scope)
    if unit is None or not (unit.is_area or unit.kind == "grid"):
        raise UserError(f"simulate: --scope {scope!r} is no area or grid code")
    return scope_grid_ids(conn, unit)


def draw_case(rng, buildings: pd.DataFrame, code: str) -> NewCase:
    row = buildings.iloc[rng.choice(len(buildings), p=buildings["weight"].to_numpy())]
    category = str(rng.choice(list(CATEGORY_MIX), p=_shares(CATEGORY_MIX)))
    source = str(rng.choice(list(SOURCE_MIX), p=_shares(SOURCE_MIX)))
    by_point = source in POINT_SOURCES
    lon, lat = (
        (row["lon"] + rng.normal(0, JITTER_DEG), row["lat"] + rng.normal(0, JITTER_DEG)) if by_point else (None, None)
    )
    address = None if by_point else clerk_address(row["standard_address"], False, rng)[0]
    return NewCase(
        code,
        source,
        category,
        str(rng.choice(SUMMARIES[category])),
        lon,
        lat,
        address,
    )


def insert_and_place(conn, case: NewCase) -> dict:
    case_id = conn.execute(load_query("insert"), case.__dict__).fetchone()[0]
    summary = place_new(conn, [case_id])
    conn.execute("SELECT case_received(%s, 'simulator', %s)", [case_id, case.source])  # the loop's first event
    row = conn.execute(load_query("placed"), {"code": case.code}).fetchone()
    return {"id": case_id, "grid": row[0], "status": row[1], "placed": summary.get("written", 0)}


def _rescore(url: str) -> dict | None:
    """Rescore the grids marked by the new cases (None when no score was ever computed)."""
    from geo.risk.refresh import refresh_pending  # the statistics libraries load only when needed

    with transaction(url) as conn:
        summary = refresh_pending(conn)
    keys = ("grids_rescored", "areas_rescored", "grids", "seconds")
    return None if summary is None else {key: summary[key] for key in keys if key in summary}


def _shares(mix: dict[str, float]) -> np.ndarray:
    shares = np.array(list(mix.values()), dtype=float)
    return shares / shares.sum()


def load_query(name: str) -> str:
    """Text of the simulator's query `name` in `data/demo/queries/`."""
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
