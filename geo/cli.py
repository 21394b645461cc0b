"""`python -m geo`: the command line. Errors are one clear line, not a traceback."""

import argparse
import json
import os
import sys

import psycopg

from geo.audit import command as audit_command
from geo.auth import command as users_command
from geo.boundaries import command as boundaries_command
from geo.categories import command as categories_command
from geo.db.cluster import LocalCluster
from geo.db.connection import connect, database_url, redact
from geo.db.migrate import migrate
from geo.errors import UserError
from geo.geocode import command as geocode_command
from geo.imports import command as import_command
from geo.imports import export as export_command
from geo.loop import command as loop_command
from geo.risk import command as risk_command
from geo.settings import get_settings
from geo.shared import processes


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; return the process exit code."""
    return run_command(build_parser(), argv)


def run_command(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    """Parse `argv` with `parser` and run the chosen handler; errors become one line and an
    exit code (shared by every command line of the project: `geo`, `data.demo`, `bench`)."""
    args = parser.parse_args(argv)
    processes.allow_one_a_core()
    try:
        return args.handler(args) or 0
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except psycopg.Error as error:
        print(f"error: database: {str(error).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: still one line, the traceback on request
        if os.environ.get("SAFETY_MAP_DEBUG"):
            raise
        print(
            f"error: internal {type(error).__name__}: {error} (SAFETY_MAP_DEBUG=1 shows the traceback)", file=sys.stderr
        )
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Safety map (平安地图): database, imports, categories, geocoding, risk, boundaries, users.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_db_commands(commands)
    migrate_cmd = commands.add_parser("migrate", help="apply pending database migrations")
    migrate_cmd.set_defaults(handler=run_migrate)
    topo = commands.add_parser("check-topology", help="report gaps, overlaps and areas outside their parent")
    topo.add_argument("--json", action="store_true", help="print the report as JSON")
    topo.set_defaults(handler=run_check_topology)
    geocode_command.add_parser(commands)
    import_command.add_parser(commands)
    export_command.add_parser(commands)
    categories_command.add_parser(commands)
    risk_command.add_parser(commands)
    boundaries_command.add_parser(commands)
    users_command.add_parser(commands)
    audit_command.add_parser(commands)
    loop_command.add_parser(commands)
    counts = commands.add_parser("counts", help="print row counts per level")
    counts.set_defaults(handler=run_counts)
    return parser


def _add_db_commands(commands) -> None:
    db = commands.add_parser("db", help="the local PostgreSQL cluster (unused with DATABASE_URL)")
    actions = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, help_text in (
        ("start", "create and start the cluster (idempotent)"),
        ("stop", "stop the cluster (idempotent)"),
        ("status", "show directory, port and state"),
        ("url", "print the application database URL (starts the cluster)"),
        ("destroy", "stop the cluster and delete its directory"),
    ):
        actions.add_parser(name, help=help_text).set_defaults(handler=run_db, action=name)


def run_db(args) -> int:
    settings = get_settings()
    if settings.database_url and args.action != "url":
        raise UserError("DATABASE_URL is set: the local cluster is not used")
    if args.action == "url":
        print(database_url(settings))
        return 0
    cluster = LocalCluster.from_settings(settings)
    if args.action == "start":
        cluster.start()
        print(f"running on port {cluster.port}, data in {cluster.data_dir}")
    elif args.action == "stop":
        print("stopped" if cluster.stop() else "not running")
    elif args.action == "destroy":
        cluster.destroy()
        print(f"removed {cluster.home}")
    else:
        print(json.dumps(cluster.status(), indent=2))
    return 0


def run_migrate(args) -> int:
    with connect() as conn:
        applied = migrate(conn)
    print(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))
    return 0


def run_check_topology(args) -> int:
    from geo.boundaries.topology import check_topology, format_report

    with connect() as conn:
        report = check_topology(conn)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report))
    return 1 if report["problems"] else 0


def run_counts(args) -> int:
    from geo.overview import level_counts

    url = database_url()
    with connect(url) as conn:
        for label, count in level_counts(conn):
            print(f"{label:<24} {count:>10,}")
    print(f"database: {redact(url)}")
    return 0
