"""`python -m geo audit verify|show`: check the audit log's hash chain, list its entries."""

import json

from geo.audit.chain import verify_chain
from geo.audit.log import flush
from geo.db.connection import connect

LATEST = """SELECT id, at, actor, action, target, detail::text FROM audit.log
WHERE %(action)s::text IS NULL OR action = %(action)s ORDER BY id DESC LIMIT %(limit)s"""


def add_parser(commands) -> None:
    """Register `audit` and its actions on the CLI's subparsers."""
    cmd = commands.add_parser("audit", help="the audit log: verify its hash chain, show entries")
    actions = cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="check the hash chain; exit 1 and name the first broken link")
    verify.set_defaults(handler=run_verify)
    show = actions.add_parser("show", help="the newest entries, one JSON object per line")
    show.add_argument("--limit", type=int, default=50)
    show.add_argument("--action", help="only this action (login, key_person.view, boundary.commit …)")
    show.set_defaults(handler=run_show)


def run_verify(args) -> int:
    """Counted repeats are written to the chain first, so that the head covers them."""
    with connect() as conn:
        flush(conn, everything=True)
        conn.commit()
        report = verify_chain(conn)
    if report.intact:
        print(f"audit log intact: {report.entries} entries, head {report.head}")
        return 0
    print(
        f"audit log broken at entry {report.broken_id}: {report.reason} ({report.entries - 1} entries before it intact)"
    )
    return 1


def run_show(args) -> int:
    with connect() as conn:
        flush(conn, everything=True)
        rows = conn.execute(LATEST, {"action": args.action, "limit": args.limit}).fetchall()
    for entry_id, at, actor, action, target, detail in rows:
        entry = {"id": entry_id, "at": at.isoformat(), "actor": actor, "action": action, "target": target}
        print(json.dumps({**entry, "detail": json.loads(detail)}, ensure_ascii=False))
    return 0
