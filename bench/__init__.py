"""Benchmarks and the load test: speed measured against a baseline in the same run.

Never imported by `geo` or `dashboard` (tests/test_layout.py checks it). `python -m bench`
runs the database suites; `bench.dashboard`, `bench.wall`, `bench.boundaries` and
`bench.signin_flood` are run as modules of their own (see the README's "Benchmarks").
"""

from pathlib import Path

QUERIES_DIR = Path(__file__).parent / "queries"


def load_query(name: str) -> str:
    """Text of the benchmark query `name` in `bench/queries/`."""
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
