"""`python -m bench [core] [geocode] [import] [risk] [--scale] [--points]`: the database
benchmarks, each next to a baseline measured in the same run (bench/suites.py)."""

import argparse
import sys

from bench.suites import SUITES, run_bench
from data.demo.scales import SCALES
from geo.cli import run_command
from geo.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="benchmarks with ratios against a same-run baseline"
    )
    parser.add_argument("suites", nargs="*", metavar="SUITE", help="core, geocode, import, risk (default: all)")
    parser.add_argument("--scale", choices=list(SCALES), default="city", help="demo scale to measure on (default city)")
    parser.add_argument(
        "--points",
        type=int,
        default=1_000_000,
        help="extra points for the geocoder and rows for the import benchmark (default 1,000,000)",
    )
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    unknown = set(args.suites) - set(SUITES)
    if unknown:
        raise UserError(f"unknown benchmark {', '.join(sorted(unknown))}: choose from {', '.join(SUITES)}")
    for line in run_bench(args.scale, args.suites or SUITES, args.points):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run_command(build_parser()))
