"""Placing cases in bulk: everything pending, everything again, or what lies in an area.

Each runs in the caller's transaction under an advisory lock, so two runs never interleave
and a failure leaves every placement as it was. Re-placing an area (a boundary commit or
preview) takes it shared: boundary commits keep their own areas apart (per-community locks,
geo/boundaries/locks.py), so several run at once, and still wait for, and hold off, the
writers of everything (imports of layers included).
"""

import time
from contextlib import contextmanager

import numpy as np
import pandas as pd

from geo.errors import UserError
from geo.geocode.buildings import place_buildings
from geo.geocode.layers import load_layers
from geo.geocode.locate import GeocodeSettings, Prepared, place, prepare
from geo.geocode.store import CASE_FACTS, BackgroundCopy, placement_rows, read_cases, replace_changed

CHUNK_ROWS = 250_000  # each chunk prepares every polygon once: fewer, larger chunks

LOCK_KEY = 0x6E0C0DE  # pg_advisory_xact_lock key of geocoder writes
LOCK = "SELECT pg_advisory_xact_lock(%s)"
LOCK_SHARED = "SELECT pg_advisory_xact_lock_shared(%s)"
PENDING = "a.case_id IS NULL"
PENDING_AFTER = "a.case_id IS NULL AND c.id > %(after)s"
# Cases drawn inside an area: by their reported point or by their stored placement point,
# each through its own index (an OR of the two would scan both tables).
PLACED_IN_AREA = """c.id IN (
    SELECT id FROM cases WHERE ST_Intersects(geom, ST_GeomFromText(%(area)s, 4326))
    UNION
    SELECT case_id FROM case_assignment WHERE ST_Intersects(point, ST_GeomFromText(%(area)s, 4326)))"""
PLACED = "a.case_id IS NOT NULL"
NEW_CASES = "a.case_id IS NULL AND c.id = ANY(%(ids)s)"
NO_GRIDS = (
    "SELECT NOT EXISTS (SELECT 1 FROM grid_current WHERE is_basic) OR NOT EXISTS (SELECT 1 FROM boundary_version)"
)


def assign_pending(conn, settings: GeocodeSettings | None = None, batch: int | None = None) -> dict:
    """Place every case that has no placement yet; return a summary with counts and timings.

    Addresses are matched first (in the database), then the points are placed chunk by
    chunk in memory while a second thread COPYs the previous chunk: writing is most of the
    cost, and this way the placement work hides behind it. With `batch`, the pending cases
    are taken that many at a time, so that memory stays flat however many there are.
    """
    settings = settings or GeocodeSettings.from_settings()
    timer, counts, written, after, layers = Timer(), Counts(), 0, 0, None
    lock_geocoder(conn)
    while True:
        cases = timer.step("read", lambda start=after: read_cases(conn, PENDING_AFTER, {"after": start}, limit=batch))
        if cases.empty:
            break
        _require_grids(conn, cases)
        layers = _place_and_write(conn, cases, settings, timer, counts)
        written, after = written + len(cases), int(cases["id"].max())
        if not batch:
            break
    buildings = timer.step("buildings", lambda: place_buildings(conn, only_missing=True, layers=layers))
    return counts.summary(written=written, timings=timer.seconds) | {"buildings_written": buildings}


def _place_and_write(conn, cases: pd.DataFrame, settings, timer, counts):
    """Place and write one batch of cases; return the layers loaded for it."""
    prepared = timer.step("match", lambda: _prepare(conn, cases, settings))
    layers = timer.step("layers", lambda: _layers(conn, prepared))
    ids, reported, facts = cases["id"].to_numpy(), cases["has_geom"].to_numpy(), cases[CASE_FACTS]
    with timer.measure("place+write"), BackgroundCopy(conn, "case_assignment") as writer:
        for start in range(0, len(cases), CHUNK_ROWS):
            rows = slice(start, start + CHUNK_ROWS)
            placed = place(layers, prepared.take(rows), settings, detail=False)
            writer.put(placement_rows(ids[rows], placed, reported[rows], facts.iloc[rows]))
            counts.add(placed)
    return layers


def place_new(conn, case_ids: list[int], settings: GeocodeSettings | None = None) -> dict:
    """Place the given cases that have no placement yet, and nothing else: a case entered
    live (a report, `python -m data.demo simulate`) is on the map in the same transaction, without
    the search through every case that `assign_pending` makes (seconds in a province).
    """
    settings = settings or GeocodeSettings.from_settings()
    timer, counts = Timer(), Counts()
    lock_geocoder(conn)
    cases = timer.step("read", lambda: read_cases(conn, NEW_CASES, {"ids": list(case_ids)}))
    if not cases.empty:
        _require_grids(conn, cases)
        _place_and_write(conn, cases, settings, timer, counts)
    return counts.summary(written=len(cases), timings=timer.seconds)


def reassign(conn, area_wkt: str | None = None, settings: GeocodeSettings | None = None, shared: bool = False) -> dict:
    """Recompute the placement of every placed case, or of those inside the polygon `area_wkt`
    (its WKT in EPSG:4326; by the placement's point or the reported point), after boundaries,
    buildings or addresses changed. Only placements that change are written. Inside an area
    only its neighbourhood's layers are read: the time follows the area, not the city.
    `shared` (with an area) lets other shared re-placements run at once: for a caller that
    keeps their areas apart itself (boundary commits lock the communities they touch).
    """
    settings = settings or GeocodeSettings.from_settings()
    lock_geocoder(conn, shared=shared and area_wkt is not None)
    where = PLACED if area_wkt is None else PLACED_IN_AREA
    timer = Timer()
    cases = timer.step("read", lambda: read_cases(conn, where, {"area": area_wkt}))
    _require_grids(conn, cases)
    prepared = timer.step("match", lambda: _prepare(conn, cases, settings))
    layers = timer.step("layers", lambda: _layers(conn, prepared, around=area_wkt))
    placed = timer.step("place", lambda: place(layers, prepared, settings, detail=False))
    written = timer.step("write", lambda: replace_changed(conn, cases["id"], placed, cases["has_geom"]))
    buildings = timer.step("buildings", lambda: place_buildings(conn, area_wkt, layers=layers))
    counts = Counts()
    counts.add(placed)
    return counts.summary(written=written, timings=timer.seconds) | {"buildings_written": buildings}


def lock_geocoder(conn, shared: bool = False) -> None:
    """Hold the geocoder's lock until the end of the transaction: one writer at a time, or
    (`shared`) any number of area re-placements whose callers keep their areas apart."""
    conn.execute(LOCK_SHARED if shared else LOCK, [LOCK_KEY])


def _require_grids(conn, cases: pd.DataFrame) -> None:
    """Cases can be placed only on grids: refuse clearly rather than store nonsense."""
    if len(cases) and conn.execute(NO_GRIDS).fetchone()[0]:
        raise UserError(f"{len(cases)} case(s) to place but no grid boundaries yet: import the grids first")


def _prepare(conn, cases: pd.DataFrame, settings) -> Prepared:
    """Match addresses; a building a person chose (method manual) is kept as chosen."""
    chosen = np.where(cases["method"] == "manual", cases["building_id"], 0)
    return prepare(conn, cases["lon"], cases["lat"], cases["address"], settings, chosen)


def _layers(conn, prepared: Prepared, around: str | None = None):
    return load_layers(conn, *prepared.all_points(), around=around)


class Timer:
    """Seconds per named step, for the summary."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def step(self, name: str, function):
        with self.measure(name):
            return function()

    @contextmanager
    def measure(self, name: str):
        started = time.perf_counter()
        yield
        self.seconds[name] = round(self.seconds.get(name, 0) + time.perf_counter() - started, 2)  # summed over batches


class Counts:
    """Placements by status and method, added up chunk by chunk."""

    def __init__(self):
        self.status: dict[str, int] = {}
        self.method: dict[str, int] = {}
        self.conflicts = 0
        self.records = 0

    def add(self, placed: pd.DataFrame) -> None:
        for table, column in ((self.status, "status"), (self.method, "method")):
            for key, count in placed[column].value_counts().items():
                table[key] = table.get(key, 0) + int(count)
        self.conflicts += int(placed["address_conflict_m"].notna().sum())
        self.records += len(placed)

    def summary(self, written: int, timings: dict) -> dict:
        return {
            "records": self.records,
            "written": written,
            "assigned": self.status.get("assigned", 0),
            "outside": self.status.get("outside", 0),
            "review": self.status.get("review", 0),
            "by_coordinates": self.method.get("coordinates", 0),
            "by_address": self.method.get("address", 0),
            "manual": self.method.get("manual", 0),
            "address_conflicts": self.conflicts,
            "seconds": timings,
        }
