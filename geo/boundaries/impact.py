"""What a draft would move, before it is committed: buildings, households and cases of the
last 12 months from which grid to which, and how each affected grid's risk level would change.

Key persons: the preview shows, beside each move, the two grids' counts as the map publishes
them today (hidden where the map hides them), and never anything the draft changes. A figure
that depends on the draft, however coarse, can be differenced: a planner may preview any set
of buildings, and between a draft whose figure differs from another's and that other there is
a chain of drafts each one building apart, so some single building's step changes the figure
and gives that building away (a yes/no "moves key persons" says of every building of a "no"
draft that it holds none; bands flip at their edges, which a chain of moves finds; exact
after-figures minus the published before-figures are the moved counts). Only figures that are
already published carry nothing new, whatever sequence of previews is run, so no limit on
previews is needed for privacy. They come from the map's counting function over the whole
hierarchy (sensitive.key_person_counts), read before the dry run writes anything, so every
viewer sees the same whatever their row-level scope. The risk estimate keeps each grid's
published key-population band for the same reason (geo/risk/estimate.py).

The preview is the commit itself, rolled back: the draft's versions are written and the
edited ground's cases and buildings placed again, exactly as a commit would, the moves are
read off the placements before and after, the affected grids are scored with the last risk
run's yardstick (geo/risk/estimate.py), and then everything is undone. So the preview cannot
disagree with the commit, and it costs what a commit costs.
"""

import time

import psycopg

from geo.boundaries import store
from geo.boundaries.commit import apply_changes, check_base, diff
from geo.boundaries.locks import lock_communities
from geo.db.connection import load_query
from geo.db.frames import query_frame
from geo.errors import UserError
from geo.map.areas import published_grid_key_persons
from geo.risk.estimate import estimate_grids, last_levels

PREVIEW_AUTHOR = "preview"
NEW = "new"  # a grid the map has no figure for yet


def preview(conn, draft_id: int) -> dict:
    """{"moves": [...], "risk": [...], "seconds": s} for draft `draft_id`; nothing is kept.

    moves: from_code, from_name, to_code, to_name, buildings, households, cases_12m,
    building_ids, from_key_persons and to_key_persons (the grids' counts as the map publishes
    them today, None where hidden; "new" for a code the map does not know yet).
    risk: code, name, score_before, level_before, score_after, level_after (None where the
    grid is new or gone)."""
    started = time.perf_counter()
    result = {"moves": [], "risk": []}
    try:
        with conn.transaction():
            _dry_run(conn, draft_id, result)
            raise psycopg.Rollback()
    except psycopg.IntegrityError as error:  # a draft the database itself refuses (a code taken)
        reason = str(error).strip().splitlines()[0]
        raise UserError(
            f"no preview until the draft's problems are fixed ({reason})", zh="请先改正草稿中的问题，再预览影响"
        ) from error
    finally:
        result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def _dry_run(conn, draft_id: int, result: dict) -> None:
    lock_communities(conn, draft_id)  # the commit's locks: the dry run writes what it writes
    draft = store.load_draft(conn, draft_id)
    base = store.read_base(conn, draft_id, beside=draft)
    check_base(conn, draft_id, draft.community.id)
    changes = diff(draft, base)
    if not changes:
        return
    closed = {"closed": changes.closed_grids}
    conn.execute(load_query("boundaries/impact_before_cases"), closed)
    conn.execute(load_query("boundaries/impact_before_buildings"), closed)
    # Their sizes known, the moves are read through the placements' keys: unanalysed, they
    # were guessed at a thousand rows each, and the city's placements scanned (0.1 s a preview).
    conn.execute("ANALYZE impact_cases, impact_buildings")
    before_levels = last_levels(conn, [g.code for g in base.grids.values() if g.is_basic])
    published = published_grid_key_persons(conn, [g.code for g in base.grids.values() if g.is_basic])
    version_id = conn.execute(
        load_query("boundaries/version_insert"),
        {"author": PREVIEW_AUTHOR, "note": "preview", "community_id": draft.community.id, "draft_id": draft_id},
    ).fetchone()[0]
    apply_changes(conn, draft, changes, version_id, guard=False)
    result["moves"] = _moves(conn, draft, base, published)
    result["risk"] = _risk(conn, draft, base, changes, before_levels)


def _moves(conn, draft, base, published: dict) -> list[dict]:
    """Moves between grids; a grid only recoded (same stored row) is not a move. Key persons:
    the published counts of the grids as they are (`published`), nothing of the draft's."""
    renamed = {old.code: new.code for new in draft.grids.values() for old in base.grids.values()
               if new.base_id is not None and new.base_id == old.base_id}  # fmt: skip
    frame = query_frame(conn, load_query("boundaries/impact_moves"))
    moves = []
    for row in frame.to_dict("records"):
        if renamed.get(row["from_code"]) == row["to_code"]:
            continue
        row["from_name"] = _name(base, row["from_code"])
        row["to_name"] = _name(draft, row["to_code"])
        row["building_ids"] = list(row["building_ids"])
        row["from_key_persons"] = published.get(row["from_code"], NEW)
        row["to_key_persons"] = published.get(row["to_code"], NEW)
        moves.append(row)
    return moves


def _risk(conn, draft, base, changes, before_levels: dict) -> list[dict]:
    """Every basic grid the draft changes, before (stored level) and after (estimated)."""
    touched = [g for g in changes.new_grids if g.is_basic]
    ids = [
        row[0] for row in conn.execute("SELECT id FROM grid_current WHERE code = ANY(%s)", [[g.code for g in touched]])
    ]
    # Rounded as stored scores are (real): the sums behind an estimate run in whatever order the
    # plan takes (parallel workers or not), and the last digits must not vary between previews.
    after = {row.code: (round(float(row.score), 4), row.level) for row in estimate_grids(conn, ids).itertuples()}
    removed = [r["code"] for r in changes.records if r["layer"] == "grid" and r["change"] == "removed"]
    codes = sorted({g.code for g in touched} | {c for c in removed if c in base.grids and base.grids[c].is_basic})
    rows = []
    for code in codes:
        score_before, level_before = before_levels.get(code, (None, None))
        score_after, level_after = after.get(code, (None, None))
        name = _name(draft, code) or _name(base, code)
        rows.append({"code": code, "name": name, "score_before": score_before, "level_before": level_before,
                     "score_after": score_after, "level_after": level_after})  # fmt: skip
    return rows


def _name(draft, code: str | None) -> str | None:
    grid = draft.grids.get(code) if code else None
    return grid.name if grid else None
