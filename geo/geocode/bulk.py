"""Placing cases in bulk: everything pending, everything again, or what lies in an area.

Each runs in the caller's transaction under an advisory lock, so two runs never interleave
and a failure leaves every placement as it was.
"""

import time

import numpy as np
import pandas as pd

from geo.geocode.layers import SMALL_BATCH, load_layers
from geo.geocode.locate import GeocodeSettings, locate
from geo.geocode.store import append_assignments, read_cases, replace_changed

LOCK_KEY = 0x6E0C0DE  # pg_advisory_xact_lock key of geocoder writes
PENDING = "a.case_id IS NULL"
PLACED_IN_AREA = "(ST_Intersects(a.point, ST_GeomFromText(%(area)s, 4326)) OR ST_Intersects(c.geom, ST_GeomFromText(%(area)s, 4326)))"


def assign_pending(conn, settings: GeocodeSettings | None = None) -> dict:
    """Place every case that has no placement yet; return a summary with counts and timings."""
    started = time.perf_counter()
    conn.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    cases = read_cases(conn, PENDING)
    placed = _locate_cases(conn, cases, settings)
    written = append_assignments(conn, cases["id"], placed) if len(cases) else 0
    return _summary(placed, written, started)


def reassign(conn, area_wkt: str | None = None, settings: GeocodeSettings | None = None) -> dict:
    """Recompute the placement of every placed case, or of those inside the polygon `area_wkt`
    (its WKT in EPSG:4326; by the placement's point or the reported point), after boundaries,
    buildings or addresses changed. Only placements that change are written.
    """
    started = time.perf_counter()
    conn.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    where = "a.case_id IS NOT NULL" if area_wkt is None else PLACED_IN_AREA
    cases = read_cases(conn, where, {"area": area_wkt})
    placed = _locate_cases(conn, cases, settings)
    written = replace_changed(conn, cases["id"], placed) if len(cases) else 0
    return _summary(placed, written, started)


def _locate_cases(conn, cases: pd.DataFrame, settings) -> pd.DataFrame:
    """Place the cases; a building a person chose (method manual) is kept as chosen."""
    chosen = np.where(cases["method"] == "manual", cases["building_id"], 0)
    layers = load_layers(conn) if len(cases) > SMALL_BATCH else None
    return locate(conn, cases["lon"], cases["lat"], cases["address"], settings, layers, chosen)


def _summary(placed: pd.DataFrame, written: int, started: float) -> dict:
    counts = placed["status"].value_counts()
    methods = placed["method"].value_counts()
    return {
        "records": len(placed),
        "written": written,
        "assigned": int(counts.get("assigned", 0)),
        "outside": int(counts.get("outside", 0)),
        "review": int(counts.get("review", 0)),
        "by_coordinates": int(methods.get("coordinates", 0)),
        "by_address": int(methods.get("address", 0)),
        "manual": int(methods.get("manual", 0)),
        "address_conflicts": int(placed["address_conflict_m"].notna().sum()),
        "seconds": round(time.perf_counter() - started, 2),
    }
