"""`python -m data.demo`: generate and load the demo city; `python -m data.demo simulate`:
insert realistic new cases live (for demos of the wall screen)."""

import argparse
import datetime as dt
import json
import sys

from data.demo.scales import SCALES
from geo import clock
from geo.cli import run_command
from geo.db.connection import connect, database_url
from geo.db.migrate import migrate
from geo.errors import UserError
from geo.settings import get_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data.demo", description="The seeded demo city (安澜市).")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.set_defaults(handler=run_demo)
    _add_load_options(parser)
    _add_load_options(commands.add_parser("load", help="generate and load the demo city (the default)"))
    simulate = commands.add_parser("simulate", help="insert realistic new cases live, until stopped (demos, the wall)")
    simulate.add_argument("--rate", default="2/s", help="cases per second or minute: 2/s, 30/min (default 2/s)")
    simulate.add_argument("--count", type=int, default=None, help="stop after this many cases (default: never)")
    simulate.add_argument("--scope", default=None, help="an area or grid code the cases fall in (default: anywhere)")
    simulate.add_argument("--seed", type=int, default=None, help="random seed (default: a new one each run)")
    simulate.set_defaults(handler=run_simulate)
    return parser


def _add_load_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", choices=list(SCALES), default=None, help="default: settings (city)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: settings)")
    parser.add_argument(
        "--as-of",
        type=_date,
        default=None,
        help="last day of the 12 months of cases, YYYY-MM-DD (default: today in the configured zone)",
    )
    parser.add_argument("--if-empty", action="store_true", help="do nothing when the database already holds a city")
    parser.add_argument("--replace", action="store_true", help="delete the existing city before loading")
    parser.set_defaults(handler=run_demo)


def run_demo(args) -> int:
    from data.demo import load_demo  # heavy imports only for this command

    settings = get_settings()
    url = database_url(settings)
    with connect(url) as conn:
        migrate(conn)
    report = load_demo(
        url,
        scale=args.scale or settings.demo_scale,
        seed=settings.demo_seed if args.seed is None else args.seed,
        as_of=args.as_of or clock.today(),
        if_empty=args.if_empty,
        replace=args.replace,
    )
    print(report)
    return 0


def run_simulate(args) -> int:
    from data.demo.simulate import parse_rate, simulate  # heavy imports only for this command

    per_second = parse_rate(args.rate)
    if args.count is not None and args.count < 1:
        raise UserError("--count: at least 1")
    print(f"inserting about {per_second:g} cases a second; Ctrl+C stops", flush=True)
    report = lambda case: print(json.dumps(case, ensure_ascii=False), flush=True)  # noqa: E731
    inserted = simulate(database_url(), per_second, args.count, args.scope, args.seed, report)
    print(f"inserted {inserted} cases", flush=True)
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from error


if __name__ == "__main__":
    sys.exit(run_command(build_parser()))
