"""`python -m geo cases move|history|moves|escalate`, `python -m geo intake add-source|…` and
`python -m geo scheduler`: the case loop from the command line, acting for the whole database
as the owner (the mover is named with --as)."""

import datetime as dt
import getpass
import hashlib
import json
import secrets

from geo.db.connection import connect, load_query, transaction
from geo.errors import UserError
from geo.loop import moves, scheduler
from geo.loop.escalation import escalate_due


def add_parser(commands) -> None:
    cases = commands.add_parser("cases", help="the case loop: move a case, its history, escalate what is due")
    actions = cases.add_subparsers(dest="action", required=True, metavar="ACTION")
    move = actions.add_parser("move", help="move case CODE by ACTION (dispatch, take, return, report_back, …)")
    move.add_argument("code", help="the case's code")
    move.add_argument("move", metavar="ACTION", help="a move of the transition table (python -m geo cases moves)")
    move.add_argument("--version", type=int, help="the version you saw (default: the current one)")
    move.add_argument("--note", default="", help="what was done, or the reason")
    move.add_argument("--detail", default="{}", help='JSON, e.g. \'{"kind": "grid", "to": "GRIDCODE"}\'')
    move.add_argument("--as", dest="actor", default=getpass.getuser(), help="who moves it (default: you)")
    move.set_defaults(handler=run_move)
    show = actions.add_parser("history", help="case CODE's moves, oldest first")
    show.add_argument("code")
    show.set_defaults(handler=run_history)
    actions.add_parser("moves", help="the legal moves: action, from, to, roles").set_defaults(handler=run_moves)
    actions.add_parser("escalate", help="escalate the cases due now, once").set_defaults(handler=run_escalate)
    days = actions.add_parser("calendar", help="holidays and weekend days worked, for working-time deadlines")
    days.add_argument("--holiday", nargs="+", default=[], metavar="DATE", help="days off (YYYY-MM-DD)")
    days.add_argument("--workday", nargs="+", default=[], metavar="DATE", help="weekend days worked (调休)")
    days.add_argument("--note", default="", help="what they are, e.g. 国庆节")
    days.set_defaults(handler=run_calendar)
    sources = commands.add_parser("intake", help="systems that post cases by Open311: add, list, revoke")
    how = sources.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = how.add_parser("add-source", help="a new source; prints its API key once")
    add.add_argument("code", help="a short name: lower-case letters, digits, _")
    add.add_argument("--name", required=True, help="what it is, e.g. 12345热线")
    add.add_argument("--channel", default="online", choices=CHANNELS, help="the cases' source channel")
    add.set_defaults(handler=run_add_source)
    how.add_parser("list-sources", help="the sources and their cases").set_defaults(handler=run_list_sources)
    revoke = how.add_parser("revoke-source", help="refuse a source's key from now on")
    revoke.add_argument("code")
    revoke.set_defaults(handler=run_revoke_source)
    run = commands.add_parser("scheduler", help="run the project's scheduler (escalation …) until stopped")
    run.add_argument("--once", action="store_true", help="run the jobs due now and stop")
    run.set_defaults(handler=run_scheduler)


CHANNELS = ("hotline_12345", "police_110", "online", "walk_in", "grid_worker", "other")
ADD_SOURCE = "INSERT INTO intake_source (code, name, key_hash, channel) VALUES (%s, %s, %s, %s)"
LIST_SOURCES = """SELECT s.code, s.name, s.channel, s.active, count(c.id) FROM intake_source s
LEFT JOIN cases c ON c.intake_source = s.code GROUP BY 1, 2, 3, 4 ORDER BY 1"""


def run_add_source(args) -> int:
    key = secrets.token_urlsafe(32)
    with transaction() as conn:
        if conn.execute("SELECT FROM intake_source WHERE code = %s", [args.code]).fetchone():
            raise UserError(f"source {args.code!r} exists (revoke it, or choose another code)")
        conn.execute(ADD_SOURCE, [args.code, args.name, hashlib.sha256(key.encode()).hexdigest(), args.channel])
    print(f"source {args.code} added; its API key (shown once, store it with the source system):\n{key}")
    return 0


def run_list_sources(args) -> int:
    with connect() as conn:
        for code, name, channel, active, cases in conn.execute(LIST_SOURCES):
            print(f"{code:<20} {name:<20} {channel:<14} {'active' if active else 'revoked':<8} {cases:,} cases")
    return 0


def run_revoke_source(args) -> int:
    with transaction() as conn:
        if conn.execute("UPDATE intake_source SET active = false WHERE code = %s", [args.code]).rowcount == 0:
            raise UserError(f"no source {args.code!r}")
    print(f"source {args.code} revoked")
    return 0


def run_move(args) -> int:
    try:
        detail = json.loads(args.detail)
    except ValueError as error:
        raise UserError(f"--detail is not JSON: {error}") from None
    if not isinstance(detail, dict):
        raise UserError("--detail is a JSON object")
    with transaction() as conn:
        case_id, _status, version = _case(conn, args.code)
        moved = moves.move(conn, case_id, args.move, args.version or version, args.note, detail, args.actor)
    print(f"{args.code}: {moved.status} (version {moved.version})")
    return 0


def run_history(args) -> int:
    with connect() as conn:
        case_id, status, version = _case(conn, args.code)
        for event in moves.history(conn, case_id):
            arrow = f"{event['from_status'] or '-'} → {event['to_status']}"
            note = f"  {event['note']}" if event["note"] else ""
            print(f"{event['at']:%Y-%m-%d %H:%M:%S}  {event['actor']:<12} {event['name_zh']:<6} {arrow}{note}")
    print(f"now {status}, version {version}")
    return 0


def run_moves(args) -> int:
    with connect() as conn:
        rows = conn.execute(
            "SELECT action, name_zh, from_status, to_status, roles FROM case_transition ORDER BY action, from_status"
        ).fetchall()
    for action, name, source, target, roles in rows:
        print(f"{action:<12} {name:<6} {source:<12} → {target:<12} {', '.join(roles)}")
    return 0


SET_DAY = """INSERT INTO working_day_override (day, working, note) VALUES (%s, %s, %s)
ON CONFLICT (day) DO UPDATE SET working = EXCLUDED.working, note = EXCLUDED.note"""
DAYS = "SELECT day, working, note FROM working_day_override WHERE day >= current_date - 366 ORDER BY day"


def run_calendar(args) -> int:
    """Set the days given (none: list the last year's and the coming ones)."""
    try:
        days = [(dt.date.fromisoformat(d), False) for d in args.holiday] + [
            (dt.date.fromisoformat(d), True) for d in args.workday
        ]
    except ValueError as error:
        raise UserError(f"a day is YYYY-MM-DD: {error}") from None
    with transaction() as conn:
        for day, working in days:
            conn.execute(SET_DAY, [day, working, args.note])
        for day, working, note in conn.execute(DAYS):
            print(f"{day}  {'工作日 working' if working else '休息日 day off'}  {note}")
    return 0


def run_escalate(args) -> int:
    with transaction() as conn:
        print(f"escalated {escalate_due(conn)} cases")
    return 0


def run_scheduler(args) -> int:
    if args.once:
        for name, outcome in scheduler.run_due().items():
            print(f"{name}: {outcome}")
        return 0
    print("scheduler running (Ctrl-C stops it)", flush=True)
    scheduler.serve()
    return 0


def _case(conn, code: str) -> tuple[int, str, int]:
    row = conn.execute(load_query("loop/case_by_code"), {"code": code}).fetchone()
    if row is None:
        raise UserError(f"no case {code!r}")
    return row
