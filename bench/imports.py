"""`python -m bench import`: importing a large case CSV against a plain COPY of it.

A generated case CSV (60 % with GCJ-02 coordinates from a phone app, 40 % with a demo
building's standard address only) is imported with `python -m geo import` in a child
process, at 100,000 and at `rows` rows, recording wall time and the child's peak memory
(its own rusage). The baseline, measured in the same run on the same file: a plain COPY of
its bytes into a table of text columns, without checks, indexes or placement; and a COPY of
the same rows as stored (typed) into a copy of the cases table with its indexes and
constraints: what storing them costs at all.
"""

import csv
import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from geo.db.connection import connect
from geo.settings import PROJECT_ROOT
from geo.shared.crs import from_wgs84

SMALL_ROWS = 100_000
HEADER = ["事件编号", "事件类型", "事件描述", "上报时间", "来源", "地址", "经度", "纬度"]
CATEGORIES = ["邻里纠纷", "消防安全隐患", "物业房产纠纷", "治安乱点", "服务诉求", "劳资纠纷"]
SOURCES = ["网格员", "12345", "110", "网上"]
ADDRESSES = "SELECT standard_address FROM building ORDER BY id"
BUILDING_CENTRES = "SELECT ST_X(p), ST_Y(p) FROM building, ST_PointOnSurface(footprint) p ORDER BY id"
CREATE_COPY_TABLE = "CREATE TEMP TABLE bench_copy ({}) ON COMMIT DROP"
CREATE_CASES_COPY = """CREATE TABLE bench_cases (LIKE cases INCLUDING ALL);
ALTER TABLE bench_cases ADD FOREIGN KEY (category_code) REFERENCES case_category (code),
                        ADD FOREIGN KEY (status) REFERENCES case_status (code)"""
DROP_CASES_COPY = "DROP TABLE bench_cases"
STORED_ROWS = "COPY (SELECT * FROM cases WHERE code LIKE %s) TO STDOUT"


def run(url: str, rows: int) -> list[str]:
    """Import `rows` generated cases (and 100,000 first) into the city at `url`; printable lines."""
    with tempfile.TemporaryDirectory() as folder:
        lines = []
        for count, prefix in ((SMALL_ROWS, "S"), (rows, "L")):
            path = Path(folder) / f"cases_{count}.csv"
            _write_cases(url, path, count, prefix)
            copy_seconds = _plain_copy(url, path)
            seconds, peak_mb, summary = _import(url, path)
            typed_seconds = _typed_copy(url, prefix)
            lines.append(
                f"import {count:,} case rows ({path.stat().st_size / 1e6:.0f} MB CSV): ours {seconds:.1f} s = "
                f"{count / seconds:,.0f} rows/s ({_stages(summary['seconds'])}), peak memory {peak_mb:,.0f} MB "
                f"(inserted {summary['inserted']:,}, "
                f"rejected {summary['rejected']:,}, flagged {summary['flagged']:,}); plain COPY of the file "
                f"{copy_seconds:.1f} s -> ours at {copy_seconds / seconds:.2f}x its rate; COPY of the rows as stored "
                f"into a copy of cases with its indexes {typed_seconds:.1f} s -> ours at {typed_seconds / seconds:.2f}x "
                "(goal 0.5x)"
            )
        return lines


def _stages(seconds: dict) -> str:
    """The import's stages as `geo import` reports them: read, check, stage, upsert, place."""
    stages = ("read", "check", "stage", "upsert", "place")
    return ", ".join(f"{stage} {seconds[stage]:.1f} s" for stage in stages if stage in seconds)


def _write_cases(url: str, path: Path, count: int, prefix: str, seed: int = 5) -> None:
    """A case CSV as a hotline export would be: GCJ-02 coordinates or an address."""
    rng = np.random.default_rng(seed)
    with connect(url) as conn:
        addresses = [a for (a,) in conn.execute(ADDRESSES).fetchall()]
        centres = np.array(conn.execute(BUILDING_CENTRES).fetchall())
    pick = rng.integers(len(addresses), size=count)
    lon, lat = from_wgs84(*(centres[pick] + rng.normal(0, 0.0001, (count, 2))).T, "gcj02")
    located = rng.random(count) < 0.6
    start = dt.datetime(2025, 11, 25)
    minutes = rng.integers(0, 365 * 24 * 60, size=count)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(count):
            when = (start + dt.timedelta(minutes=int(minutes[i]))).strftime("%Y-%m-%d %H:%M")
            place = ["", f"{lon[i]:.6f}", f"{lat[i]:.6f}"] if located[i] else [addresses[pick[i]], "", ""]
            writer.writerow([f"{prefix}{i:08d}", CATEGORIES[i % 6], "居民反映问题", when, SOURCES[i % 4], *place])


def _plain_copy(url: str, path: Path) -> float:
    columns = ", ".join(f'"{name}" text' for name in HEADER)
    with connect(url) as conn:
        conn.execute(CREATE_COPY_TABLE.format(columns))
        started = time.perf_counter()
        with conn.cursor().copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER)") as copy, path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
        return time.perf_counter() - started


def _typed_copy(url: str, prefix: str) -> float:
    """Seconds to COPY the imported rows, as stored, into a copy of `cases` (indexes,
    constraints, foreign keys): the cost of storing them without checks or placement."""
    with connect(url) as conn:
        conn.execute(CREATE_CASES_COPY)
        rows = io.BytesIO()
        with conn.cursor().copy(STORED_ROWS, [prefix + "%"]) as copy:
            for block in copy:
                rows.write(block)
        started = time.perf_counter()
        with conn.cursor().copy("COPY bench_cases FROM STDIN") as copy:
            copy.write(rows.getvalue())
        seconds = time.perf_counter() - started
        conn.execute(DROP_CASES_COPY)
        return seconds


def _import(url: str, path: Path) -> tuple[float, float, dict]:
    """Wall seconds, peak resident memory (MB) and the summary of `geo import` in a child."""
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETY_MAP_")} | {"DATABASE_URL": url}
    command = [sys.executable, "-m", "geo", "import", str(path), "--layer", "cases", "--crs", "gcj02", "--json"]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output = child.stdout.read()
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"import failed: {errors.decode(errors='replace')[-500:]}")
    return seconds, usage.ru_maxrss / 1024, json.loads(output.decode().strip().splitlines()[-1])
