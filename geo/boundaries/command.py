"""`python -m geo boundaries export|import|commit|history|check`: boundaries through a GeoPackage.

Export a community for QGIS, import the edited file as a draft (what changed and the validation
problems printed; exit code 1 while a problem blocks the commit), commit a draft, list the
versions, check a draft again. Problems are described in Chinese unless `--lang en`.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from geo.db.connection import connect
from geo.errors import UserError
from geo.settings import get_settings

LAYER_NAMES = {"grid": "grids", "micro_grid": "micro-grids"}


def add_parser(commands) -> None:
    """Register `boundaries` and its actions on the CLI's subparsers."""
    cmd = commands.add_parser("boundaries", help="export, import (as a draft), commit and list boundary versions")
    actions = cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write a community's grids and micro-grids to a GeoPackage")
    export.add_argument("file", help="the GeoPackage to write (.gpkg)")
    export.add_argument("--community", required=True, help="the community's 12-digit code")
    export.add_argument("--as-of", help='the boundaries valid at this moment, "YYYY-MM-DD HH:MM" (default: now)')
    export.set_defaults(handler=run_export)
    imp = actions.add_parser("import", help="turn an edited GeoPackage into a draft and validate it")
    imp.add_argument("file", help="the GeoPackage (layers grids and, optionally, micro_grids)")
    imp.add_argument("--community", required=True, help="the community's 12-digit code")
    imp.add_argument("--author", required=True, help="the planner's name")
    imp.add_argument("--skip-bad", action="store_true", help="import the usable features, list the others")
    imp.add_argument("--commit", action="store_true", help="commit at once when no problem blocks (needs --reason)")
    imp.add_argument("--reason", help="why the boundaries change (for --commit)")
    imp.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the problems (default zh)")
    imp.set_defaults(handler=run_import)
    _add_draft_actions(actions)


def _add_draft_actions(actions) -> None:
    commit = actions.add_parser("commit", help="commit a draft: new versions of what it changes")
    commit.add_argument("draft_id", type=int, help="the draft's id")
    commit.add_argument("--author", required=True, help="the planner's name")
    commit.add_argument("--reason", required=True, help="why the boundaries change")
    commit.set_defaults(handler=run_commit)
    versions = actions.add_parser("history", help="the boundary versions of a community, newest first")
    versions.add_argument("--community", required=True, help="the community's 12-digit code")
    versions.set_defaults(handler=run_history)
    check = actions.add_parser("check", help="validate a draft again")
    check.add_argument("draft_id", type=int, help="the draft's id")
    check.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the problems (default zh)")
    check.set_defaults(handler=run_check)


def run_export(args) -> int:
    from geo.boundaries.geopackage import export_boundaries

    at = parse_moment(args.as_of) if args.as_of else None
    with connect() as conn:
        counts = export_boundaries(conn, args.community.strip(), args.file, at)
    when = f" as of {at:%Y-%m-%d %H:%M}" if at else ""
    print(f"{counts['grids']:,} grid(s) and {counts['micro_grids']:,} micro-grid(s){when} written to {args.file}")
    return 0


def run_import(args) -> int:
    from geo.boundaries.commit import commit_draft
    from geo.boundaries.geopackage import import_boundaries
    from geo.boundaries.validate import blocking

    if args.commit and not (args.reason or "").strip():
        raise UserError("--commit needs --reason")
    with connect() as conn:
        draft_id, problems, report = import_boundaries(
            conn, args.file, args.community.strip(), args.author, skip_bad=args.skip_bad
        )
        conn.commit()
        print(import_text(draft_id, problems, report, args.lang))
        if blocking(problems):
            if args.commit:
                print("not committed: a problem blocks the commit")
            return 1
        if not args.commit:
            print(f"commit with: python -m geo boundaries commit {draft_id} --author NAME --reason TEXT")
            return 0
        summary = commit_draft(conn, draft_id, args.author, args.reason)
    print(commit_text(summary))
    _refresh_risk()
    return 0


def run_commit(args) -> int:
    from geo.boundaries.commit import commit_draft

    with connect() as conn:
        summary = commit_draft(conn, args.draft_id, args.author, args.reason)
    print(commit_text(summary))
    _refresh_risk()
    return 0


def run_history(args) -> int:
    from geo.boundaries import history

    with connect() as conn:
        rows = history.versions(conn, args.community.strip())
    if not rows:
        print(f"no boundary versions of community {args.community}")
    for row in rows:
        print(
            f"{row['id']}\t{row['created_at']:%Y-%m-%d %H:%M:%S}\t{row['author']}\t{row['note']}\t{row['changes']} change(s)"
        )
    return 0


def run_check(args) -> int:
    from geo.boundaries import store
    from geo.boundaries.validate import blocking, validate

    with connect() as conn:
        draft = store.load_draft(conn, args.draft_id)
        problems = validate(draft, store.read_base(conn, args.draft_id, beside=draft))
    print(problems_text(problems, args.lang))
    return 1 if blocking(problems) else 0


def parse_moment(text: str) -> dt.datetime:
    """ "2026-12-01 08:00" (or a date) as a moment in the configured time zone."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f'--as-of {text!r}: expected "YYYY-MM-DD HH:MM" or YYYY-MM-DD') from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(get_settings().timezone))


def import_text(draft_id: int, problems: list, report: dict, lang: str) -> str:
    """What the import did, in lines: the draft, the changes, the notes and the problems."""
    lines = [f"draft {draft_id} from {report['file']}: {report['grids_read']:,} grid feature(s) read"]
    for layer, changes in report["changes"].items():
        counts = ", ".join(f"{len(codes)} {change}" for change, codes in changes.items())
        lines.append(f"{LAYER_NAMES[layer]}: {counts}")
        lines += [f"  {change}: {', '.join(codes)}" for change, codes in changes.items() if codes and layer == "grid"]
    for title, key in (("not taken", "not_taken"), ("notes", "notes")):
        if report[key]:
            lines.append(f"{title} ({len(report[key])}):")
            lines += [f"  {_where(item)}{item['text']}" for item in report[key]]
    lines.append(problems_text(problems, lang))
    return "\n".join(lines)


def problems_text(problems: list, lang: str) -> str:
    """The validation problems, one a line, errors first; which of them block."""
    from geo.boundaries.validate import blocking, describe

    if not problems:
        return "no problems" if lang == "en" else "没有问题"
    lines = [f"problems ({len(problems)}, {len(blocking(problems))} blocking the commit):"]
    for problem in problems:
        mark = "blocks" if problem.blocks else problem.severity
        lines.append(f"  [{mark}] {describe(problem, lang)}")
    return "\n".join(lines)


def commit_text(summary: dict) -> str:
    """The commit's summary on one line, with the seconds it took."""
    parts = [
        f"{key.replace('_', ' ')} {value:,}" for key, value in summary.items() if key not in ("version_id", "seconds")
    ]
    return f"committed version {summary['version_id']} in {summary['seconds']} s: " + ", ".join(parts)


def _where(item: dict) -> str:
    row = f" row {item['row']}" if item["row"] is not None else ""
    code = f" {item['code']}" if item["code"] else ""
    return f"{item['layer']}{row}{code}: "


def _refresh_risk() -> None:
    from geo.risk.refresh import refresh_scores  # the statistics libraries load only when needed

    refresh_scores()
