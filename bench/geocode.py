"""`python -m bench geocode`: the geocoder against baselines measured in the same run.

In a scratch database holding the demo city plus `extra` random points (cases with a WGS84
point and no placement):
- ours: `assign_pending` end to end (read, grid + micro-grid + building, write back);
- naive: one SQL statement assigning the grid only, `… JOIN grid ON ST_Covers(grid.geom,
  point)`: as the UPDATE of full case rows with a grid_id column (the schema before
  placements had their own table), as an UPDATE of a bare copy of the points, and as an
  INSERT into the placement table;
- floor: a plain COPY of the same placement rows into the placement table;
- addresses: the demo's clerk-typed addresses (truth known) and the same with one slipped
  character, matched in bulk; then single addresses one call at a time, warm.
"""

import io
import time

import numpy as np
import pandas as pd
import shapely

from bench import load_query
from bench.clerk_forms import DESTROYING, KEEPING, RURAL, RURAL_KEEPING, URBAN, sample_buildings, tally
from bench.perturb import partial_or_contradictory, slip_one_character
from geo.db.connection import connect
from geo.db.frames import copied_out
from geo.geocode.bulk import assign_pending
from geo.geocode.matcher import match_addresses
from geo.geocode.store import ASSIGNMENT_COLUMNS

LATENCY_SAMPLES = 500
CLERK_FORM_BUILDINGS = 200  # urban buildings per clerk-form family (half as many rural ones)
NEXT_CASE_ID = "SELECT coalesce(max(id), 0) + 1 FROM cases"
BUILDING_CENTRES = "SELECT ST_X(p), ST_Y(p) FROM building, ST_Centroid(footprint) p"
GRID_EXTENT = "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM grid) s"
CREATE_POINTS = "CREATE TEMP TABLE bench_points (id bigint, code text, geom geometry) ON COMMIT DROP"


def run(url: str, extra: int) -> list[str]:
    """Every geocoder measurement on the city at `url`; printable lines."""
    lines = [_bulk(url, extra)]
    lines += _addresses(url)
    return lines


def add_points(conn, count: int, seed: int = 1) -> int:
    """Insert `count` cases with a WGS84 point: 70 % within 20 m of a building, the rest
    anywhere in the city. Returns the first new case id."""
    rng = np.random.default_rng(seed)
    first = conn.execute(NEXT_CASE_ID).fetchone()[0]
    centres = np.array(conn.execute(BUILDING_CENTRES).fetchall())
    x0, y0, x1, y1 = conn.execute(GRID_EXTENT).fetchone()
    near = rng.random(count) < 0.7
    picked = centres[rng.integers(len(centres), size=count)] + rng.normal(0, 0.0002, (count, 2))
    anywhere = np.column_stack([rng.uniform(x0, x1, count), rng.uniform(y0, y1, count)])
    xy = np.where(near[:, None], picked, anywhere)
    frame = pd.DataFrame(
        {
            "id": np.arange(first, first + count),
            "code": [f"BENCH{i:09d}" for i in range(count)],
            "geom": shapely.to_wkb(shapely.set_srid(shapely.points(xy), 4326), hex=True, include_srid=True),
        }
    )  # the other columns are constants in bench/queries/insert_points.sql
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False)
    conn.execute(CREATE_POINTS)
    with conn.cursor().copy("COPY bench_points FROM STDIN (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())
    conn.execute(load_query("insert_points"))
    conn.execute("ANALYZE cases")
    return first


def _bulk(url: str, extra: int) -> str:
    with connect(url) as conn:
        first = add_points(conn, extra)
        conn.commit()
        ours, placed = _timed(lambda: _ours(conn, extra))
        conn.rollback()
        conn.execute(load_query("naive_points"), [first])
        naive_update, _ = _timed(lambda: conn.execute(load_query("naive_update")))
        naive_insert, _ = _timed(lambda: conn.execute(load_query("naive_insert"), [first]))
        conn.rollback()
        for statement in load_query("naive_cases").split(";"):
            conn.execute(statement, {"first": first})
        naive_cases, _ = _timed(lambda: conn.execute(load_query("naive_cases_update")))
        conn.rollback()
        rows = io.StringIO()
        placed.to_csv(rows, index=False, header=False)
        floor, _ = _timed(lambda: _copy_only(conn, rows.getvalue()))
        conn.rollback()
    rate = extra / ours
    naive = min(naive_update, naive_insert, naive_cases)
    return (
        f"bulk placement of {extra:,} points: ours {ours:.1f} s ({rate:,.0f} points/s, grid + micro-grid + building) | "
        f"naive SQL, grid only: UPDATE of full case rows {naive_cases:.1f} s -> ours {naive_cases / ours:.1f}x; "
        f"UPDATE of a bare copy {naive_update:.1f} s, INSERT into the placements {naive_insert:.1f} s; "
        f"the fastest {extra / naive:,.0f}/s -> ours {naive / ours:.1f}x | "
        f"COPY alone {floor:.1f} s ({extra / floor:,.0f}/s) -> ours at {floor / ours:.2f}x the COPY rate"
    )


def _ours(conn, extra: int) -> pd.DataFrame:
    """Place the pending points; return the rows written, for the COPY floor to write again."""
    summary = assign_pending(conn)
    if summary["written"] != extra:
        raise RuntimeError(f"expected {extra} placements, wrote {summary['written']}")
    return _stored_rows(conn)


def _stored_rows(conn) -> pd.DataFrame:
    rows = copied_out(conn, load_query("read_placements"))
    return pd.read_csv(rows, dtype=str, keep_default_na=False)[ASSIGNMENT_COLUMNS]


def _copy_only(conn, csv_text: str) -> None:
    with conn.cursor().copy(load_query("copy_placements")) as copy:
        copy.write(csv_text)


def _timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def _addresses(url: str) -> list[str]:
    with connect(url) as conn:
        truth = conn.execute(load_query("address_truth")).fetchall()
        texts = [text for text, _, _ in truth]
        lines = [_accuracy("clerk-typed addresses", conn, texts, truth)]
        rng = np.random.default_rng(2)
        slipped = [slip_one_character(text, rng) for text in texts]
        changed = sum(a != b for a, b in zip(texts, slipped))
        lines.append(_accuracy(f"same with one slipped character ({changed:,} changed)", conn, slipped, truth))
        lines.append(_precision(conn, partial_or_contradictory(conn, 2_000, rng)))
        lines += _clerk_forms(conn)
        lines.append(_latency(conn, texts, rng))
        conn.rollback()
    return lines


def _accuracy(label: str, conn, texts: list[str], truth: list) -> str:
    started = time.perf_counter()
    matches = match_addresses(conn, texts)
    seconds = time.perf_counter() - started
    matchable = [(m, building) for m, (_, building, ok) in zip(matches, truth) if ok]
    right = sum(m.building_id == building for m, building in matchable)
    accepted = [(m, building) for m, (_, building, _ok) in zip(matches, truth) if m.matched]
    wrong = sum(m.building_id != building for m, building in accepted)
    review = sum(not m.matched for m in matches)
    return (
        f"{label}: {len(texts):,} in {seconds:.1f} s | top-1 on matchable {right / max(len(matchable), 1):.2%} "
        f"({right:,}/{len(matchable):,}) | wrong among accepted {wrong / max(len(accepted), 1):.2%} ({wrong}) | "
        f"to review {review / len(texts):.2%}"
    )


def _precision(conn, spoilt: list) -> str:
    matches = match_addresses(conn, [text for _, _, text in spoilt])
    right = sum(m.building_id == building for (building, _, _), m in zip(spoilt, matches))
    wrong = sum(m.matched and m.building_id != building for (building, _, _), m in zip(spoilt, matches))
    accepted = sum(m.matched for m in matches)
    return (
        f"parts dropped or wrong (estate stem, house number off by one, another road, no number): "
        f"{len(spoilt):,} | right {right:,} | wrong among accepted {wrong / max(accepted, 1):.2%} ({wrong}) | "
        f"to review {(len(spoilt) - accepted) / len(spoilt):.2%}"
    )


def _clerk_forms(conn) -> list[str]:
    """The clerk's forms of bench/clerk_forms.py (written from the conventions, not by the
    demo's generator), per family: right / wrong / review of the top-1."""
    urban = sample_buildings(conn, URBAN, CLERK_FORM_BUILDINGS)
    rural = sample_buildings(conn, RURAL, CLERK_FORM_BUILDINGS // 2)
    keeping = tally(conn, urban, KEEPING) | tally(conn, rural, RURAL_KEEPING)
    destroying = tally(conn, urban, DESTROYING)
    lines = [
        _forms_total("clerk forms keeping the information", keeping, "goal >= 98 % right, 0 wrong"),
        _forms_total("clerk forms destroying it or ambiguous", destroying, "goal 0 wrong"),
    ]
    return lines + [f"  {name}: right {r}, wrong {w}, review {v}" for name, (r, w, v) in (keeping | destroying).items()]


def _forms_total(label: str, families: dict, goal: str) -> str:
    right, wrong, review = (sum(counts[i] for counts in families.values()) for i in range(3))
    total = max(right + wrong + review, 1)
    return (
        f"{label} ({len(families)} families, {total:,} addresses): right {right / total:.2%}, "
        f"wrong {wrong}, review {review / total:.2%} ({goal})"
    )


def _latency(conn, texts: list[str], rng) -> str:
    sample = [texts[i] for i in rng.choice(len(texts), size=min(LATENCY_SAMPLES, len(texts)), replace=False)]
    match_addresses(conn, sample[:20])  # warm: gazetteer fresh, plans cached
    timings = []
    for text in sample:
        started = time.perf_counter()
        match_addresses(conn, [text])
        timings.append((time.perf_counter() - started) * 1000)
    p50, p99 = np.percentile(timings, [50, 99])
    return f"address matching, one address a call, warm, {len(sample)} calls: p50 {p50:.1f} ms, p99 {p99:.1f} ms"
