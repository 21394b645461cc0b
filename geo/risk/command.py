"""`python -m geo risk`: recompute risk scores, rescore changed grids, or explain one unit."""

import datetime as dt
import json

from geo import clock
from geo.db.connection import connect, load_query
from geo.errors import UserError
from geo.settings import get_settings

EXPLAIN_QUERY = """
SELECT s.code, s.kind, coalesce(g.name, a.name) AS name, s.as_of, s.county_code, s.households, s.exposure,
       s.score, s.score_low, s.score_high, s.relative_risk, s.level, s.components, s.facts,
       s.gi_z, s.gi_q, s.hotspot, s.emerging, s.trend_week, s.trend_month,
       s.risk_low, s.risk_high, s.risk_trend_week, s.risk_trend_month,
       s.explanation_zh, s.explanation_en, s.updated_at
FROM risk_score s
LEFT JOIN grid_current g ON s.kind = 'grid' AND g.code = s.code
LEFT JOIN admin_area a ON s.kind <> 'grid' AND a.code = s.code
WHERE s.code = %(code)s AND (%(as_of)s::date IS NULL OR s.as_of = %(as_of)s::date)
ORDER BY s.as_of DESC LIMIT 1
"""


def add_parser(commands) -> None:
    cmd = commands.add_parser("risk", help="risk scores, levels and hotspots of every grid and area")
    what = cmd.add_mutually_exclusive_group()
    what.add_argument("--explain", metavar="CODE", help="print one grid's (or area's) score and explanation as JSON")
    what.add_argument("--pending", action="store_true", help="rescore only the grids whose cases changed")
    cmd.add_argument(
        "--as-of", default=None, help="the day to compute or explain, YYYY-MM-DD (default: today / latest)"
    )
    cmd.add_argument("--config", default=None, help="risk configuration file (default: SAFETY_MAP_RISK_CONFIG)")
    cmd.add_argument(
        "--workers",
        type=int,
        default=None,
        help="a full recompute partitioned by county on this many Dask workers (default: SAFETY_MAP_RISK_WORKERS, "
        "1 = in this process; SAFETY_MAP_DASK_SCHEDULER: on that cluster)",
    )
    cmd.set_defaults(handler=run)


def run(args) -> int:
    from geo.risk.config import load_config  # heavy imports (esda) only when scores are computed
    from geo.risk.refresh import refresh_pending

    as_of = _date(args.as_of) if args.as_of else None
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers: at least 1")
    if args.pending and (as_of or args.config or args.workers):
        raise UserError(
            "--pending refreshes today's scores with the configuration they were computed with, in this process"
        )
    with connect() as conn:
        if args.explain:
            print(json.dumps(explain_unit(conn, args.explain.strip(), as_of), ensure_ascii=False, indent=2))
            return 0
        if args.pending:
            result = refresh_pending(conn)
            if result is None:
                raise UserError("no risk scores yet: run `python -m geo risk` first")
        else:
            as_of = as_of or clock.today()
            result = _full_run(conn, as_of, load_config(args.config), args.workers)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _full_run(conn, as_of: dt.date, config, workers: int | None) -> dict:
    """A full recompute in this process, or partitioned by county on Dask."""
    from geo.risk.store import run_full

    settings = get_settings()
    workers = workers or settings.risk_workers
    if workers == 1 and not settings.dask_scheduler:
        return run_full(conn, as_of, config)
    from geo.db.connection import database_url
    from geo.risk.cluster import compute_on_dask, dask_client

    with dask_client(workers, settings.dask_scheduler) as client:
        url = database_url()
        return run_full(
            conn, as_of, config, lambda c, day, cfg, _snapshot=None: compute_on_dask(client, url, c, day, cfg)
        )


def explain_unit(conn, code: str, as_of: dt.date | None) -> dict:
    """A unit's stored score, interval, level, components and explanation as a JSON-ready dict."""
    cursor = conn.execute(EXPLAIN_QUERY, {"code": code, "as_of": as_of})
    row = cursor.fetchone()
    if row is None:
        raise UserError(f"no risk score for {code!r}{f' as of {as_of}' if as_of else ''}: {_why_unscored(conn, code)}")
    result = dict(zip([column.name for column in cursor.description], row))
    result["as_of"] = result["as_of"].isoformat()
    result["updated_at"] = result["updated_at"].isoformat()
    return result


def _why_unscored(conn, code: str) -> str:
    """Why a code has no score: it names nothing, a unit that is never scored (a grid above the
    basic level, a micro-grid), or a scored unit on a day without a run."""
    found = conn.execute(load_query("risk/unscored_unit"), {"code": code}).fetchone()
    if found is None:
        return "no grid, micro-grid or area has this code"
    kind, level, is_basic, basic_below = found
    if kind == "micro_grid":
        return "micro-grids are not scored; explain the grid that holds it"
    if kind == "grid" and not is_basic:
        return (
            f"it is a level-{level} grid, and only basic grids (and areas) are scored; "
            f"explain one of the {basic_below} basic grids under it or its community"
        )
    known = conn.execute("SELECT max(as_of) FROM risk_score").fetchone()[0]
    return "run `python -m geo risk` first" if known is None else f"scores exist up to {known}"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--as-of {text!r}: expected a date YYYY-MM-DD") from None
