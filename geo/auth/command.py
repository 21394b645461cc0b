"""`python -m geo users add|list|disable|enable|revoke|unlock|demo|token|tokens|revoke-token`:
the dashboard's users and their API tokens."""

import getpass
import sys

from geo.audit.log import record
from geo.auth.demo import create_demo_users
from geo.auth.roles import ROLES
from geo.auth.sessions import revoke_sessions
from geo.auth.throttle import unlock
from geo.auth.tokens import create_token, list_tokens, revoke_token
from geo.auth.users import connection_user, list_users, save_user, set_active
from geo.db.connection import connect
from geo.errors import UserError


def add_parser(commands) -> None:
    """Register `users` and its actions on the CLI's subparsers."""
    cmd = commands.add_parser("users", help="dashboard users: add, list, disable, revoke sessions, demo users")
    actions = cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create a user or replace its role, scope and password")
    add.add_argument("username", help="letters, digits, _ . - (2 to 40)")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--scope", help="an area or basic grid code (leave out for the whole database)")
    add.add_argument("--name", help="the name shown in the dashboard (default: the username)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin, not a prompt")
    add.set_defaults(handler=run_add)
    actions.add_parser("list", help="every user with role, scope and state").set_defaults(handler=run_list)
    for name, help_text in (
        ("disable", "disable a user: its sessions stop working at once"),
        ("enable", "enable a disabled user"),
        ("revoke", "end every live session of a user (it must sign in again)"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("username")
        action.set_defaults(handler=run_change, action=name)
    unlocking = actions.add_parser(
        "unlock", help="let a user (or an address) sign in again at once after failed sign-ins"
    )
    unlocking.add_argument("username", nargs="?", default="", help="clear this username's failures from every address")
    unlocking.add_argument("--address", default="", help="clear the failures from this client address")
    unlocking.set_defaults(handler=run_unlock)
    demo = actions.add_parser("demo", help="create the missing demo users, one per role (see the README)")
    demo.set_defaults(handler=run_demo)
    _add_token_parsers(actions)


def _add_token_parsers(actions) -> None:
    token = actions.add_parser("token", help="make an API token of a user for the geodata services (shown once)")
    token.add_argument("username")
    token.add_argument("name", help='what or who uses it (e.g. "QGIS, planning office")')
    token.add_argument("--days", type=int, default=365, help="valid this many days (default 365)")
    token.set_defaults(handler=run_token)
    tokens = actions.add_parser("tokens", help="a user's API tokens: id, name, state, last use, requests")
    tokens.add_argument("username")
    tokens.set_defaults(handler=run_tokens)
    revoking = actions.add_parser("revoke-token", help="revoke an API token at once (its id from `tokens`)")
    revoking.add_argument("token_id", type=int)
    revoking.set_defaults(handler=run_revoke_token)


def run_add(args) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else _prompt_password()
    with connect() as conn:
        save_user(
            conn, args.username, args.name or args.username, args.role, args.scope, password, connection_user(conn)
        )
    print(f"saved {args.username} ({args.role}, scope {args.scope or 'whole database'})")
    return 0


def _prompt_password() -> str:
    password = getpass.getpass("password: ")
    if password != getpass.getpass("again: "):
        raise UserError("the two passwords differ")
    return password


def run_list(args) -> int:
    with connect() as conn:
        for username, name, role, scope, active, _created in list_users(conn):
            state = "active" if active else "disabled"
            print(f"{username:<16} {role:<20} {scope or '(whole database)':<16} {state:<9} {name}")
    return 0


def run_change(args) -> int:
    with connect() as conn:
        by = connection_user(conn)
        if args.action == "revoke":
            print(f"ended {revoke_sessions(conn, args.username, by)} session(s) of {args.username}")
        else:
            set_active(conn, args.username, args.action == "enable", by)
            if args.action == "disable":
                revoke_sessions(conn, args.username, by)
            print(f"{args.username} {args.action}d")
    return 0


def run_unlock(args) -> int:
    if not args.username and not args.address:
        raise UserError("name a username, an --address or both")
    with connect() as conn:
        cleared = unlock(conn, args.username, args.address)
        record(conn, connection_user(conn), "login.unlocked", args.username, {"address": args.address})
    print(f"cleared {cleared} sign-in counter(s); {args.username or args.address} may sign in again at once")
    return 0


def run_demo(args) -> int:
    with connect() as conn:
        for username, role, scope, created in create_demo_users(conn, connection_user(conn)):
            print(f"{username:<12} {role:<20} {scope or '(whole database)':<14} {'created' if created else 'exists'}")
    return 0


def run_token(args) -> int:
    with connect() as conn:
        token = create_token(conn, args.username, args.name, args.days, connection_user(conn))
    print(token)
    print(f"(an API token of {args.username}, valid {args.days} days; it is not shown again)", file=sys.stderr)
    return 0


def run_tokens(args) -> int:
    with connect() as conn:
        for token_id, name, created, expires, revoked, seen, requests in list_tokens(conn, args.username):
            state = "revoked" if revoked else "live"
            print(f"{token_id:>6} {state:<8} made {created:%Y-%m-%d}, expires {expires:%Y-%m-%d}, "
                  f"last used {seen:%Y-%m-%d %H:%M}, {requests:,} requests  {name}")  # fmt: skip
    return 0


def run_revoke_token(args) -> int:
    with connect() as conn:
        username = revoke_token(conn, args.token_id, connection_user(conn))
    print(f"revoked API token {args.token_id} of {username}")
    return 0
