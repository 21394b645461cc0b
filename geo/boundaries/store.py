"""Drafts in the database: open one for a community, read it, save a step (with what it was
before, for undo), undo, discard. SQL in geo/db/queries/boundaries/.

A draft lives in the database, not in a web worker's memory: any worker, and the command
line, can continue it.
"""

import json
from contextlib import contextmanager
from dataclasses import replace

import numpy as np
import psycopg
import shapely
from psycopg import sql

from geo.boundaries.draft import Buildings, Community, Draft, Grid, MicroGrid, as_multi
from geo.boundaries.households import recount_households
from geo.boundaries.noding import node
from geo.db.connection import load_query
from geo.errors import UserError

GRID_FIELDS = ("code", "base_id", "name", "level", "is_basic", "kind", "exclusive_type", "parent_code", "households")
MICRO_FIELDS = ("code", "base_id", "grid_code", "kind", "households")
STATUS_ZH = {"committed": "提交", "discarded": "放弃"}

HAS_STEPS = "SELECT EXISTS (SELECT 1 FROM boundary_draft_step WHERE draft_id = %s)"


def open_draft(conn: psycopg.Connection, community_code: str, author: str, source: str = "editor") -> Draft:
    """A new draft of the community with code `community_code`, started from
    its current boundaries, shared vertices made exact (see geo/boundaries/noding.py)."""
    author = (author or "").strip()
    if not author:
        raise UserError("a draft needs the planner's name", zh="打开草稿需要填写规划员姓名")
    community = read_community(conn, code=community_code)
    with conn.transaction():  # a community without grids leaves no empty draft behind
        draft_id = conn.execute(
            load_query("boundaries/draft_open"), {"community_id": community.id, "author": author, "source": source}
        ).fetchone()[0]
        base = read_base(conn, draft_id)
        if not base.grids:
            raise UserError(
                f"community {community_code} has no grids to edit", zh=f"社区 {community_code} 没有可编辑的网格"
            )
        base.grids, base.micro_grids = node(base.grids, base.micro_grids)
        _write_rows(conn, base)
    return base


def read_community(conn: psycopg.Connection, code: str | None = None, community_id: int | None = None) -> Community:
    row = conn.execute(load_query("boundaries/community"), {"code": code, "id": community_id}).fetchone()
    if row is None:
        raise UserError(f"no community {code or community_id}", zh=f"没有社区 {code or community_id}")
    return Community(id=row[0], code=row[1], name=row[2], is_urban=row[3], geom=as_multi(shapely.from_wkb(row[4])))


def read_base(conn: psycopg.Connection, draft_id: int, beside: Draft | None = None) -> Draft:
    """The draft's base: the stored rows it was opened on, as a Draft (what it is compared with).
    `beside`, the draft already loaded, lends its community, buildings and codes, which are the
    same for both: they are then not read again."""
    community_id, grid_ids, micro_ids = _header(conn, draft_id)[:3]
    grids = _grids(conn, "boundaries/base_grids", {"ids": grid_ids})
    micro_grids = _micro_grids(conn, "boundaries/base_micro_grids", {"ids": micro_ids})
    if beside is not None and beside.id == draft_id:
        return replace(beside, grids=grids, micro_grids=micro_grids)
    return _draft(conn, draft_id, community_id, grids, micro_grids)


def load_draft(conn: psycopg.Connection, draft_id: int, for_update: bool = False) -> Draft:
    """The draft as edited so far. `for_update` locks it until the end of the transaction,
    so that two steps on one draft (two browser tabs) do not interleave."""
    community_id, _grids_ids, _micro_ids, status = _header(conn, draft_id, for_update)
    if status != "open":
        raise UserError(
            f"draft {draft_id} is {status}; open a new one",
            zh=f"草稿 {draft_id} 已{STATUS_ZH.get(status, status)}，请打开新草稿",
        )
    grids = _grids(conn, "boundaries/draft_grids", {"draft_id": draft_id})
    micro_grids = _micro_grids(conn, "boundaries/draft_micro_grids", {"draft_id": draft_id})
    return _draft(conn, draft_id, community_id, grids, micro_grids)


@contextmanager
def editing(conn: psycopg.Connection, draft_id: int, operation: str, detail: dict):
    """Load the draft, let the caller change it, then store it as one step that undo can take
    back. Nothing is stored when the caller raises."""
    with conn.transaction():
        draft = load_draft(conn, draft_id, for_update=True)
        before, earlier = _snapshot(draft), draft.copy()
        yield draft
        _refuse_codes_taken(conn, earlier, draft)
        draft.grids, draft.micro_grids = node(draft.grids, draft.micro_grids)
        recount_households(earlier, draft)
        step = conn.execute(
            "UPDATE boundary_draft SET steps = steps + 1, updated_at = now() WHERE id = %s RETURNING steps", [draft_id]
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO boundary_draft_step (draft_id, step, operation, detail, before) VALUES (%s, %s, %s, %s, %s)",
            [draft_id, step, operation, json.dumps(detail), json.dumps(before)],
        )
        _write_rows(conn, draft)


def _refuse_codes_taken(conn, earlier: Draft, draft: Draft) -> None:
    """A code the step gave that a grid or micro-grid elsewhere holds or held (a recode to a
    code off the scheme, which names no community) is refused before it is stored."""
    new = (set(draft.grids) | set(draft.micro_grids)) - set(earlier.grids) - set(earlier.micro_grids)
    new -= draft.base_codes
    if new:
        taken = [code for (code,) in conn.execute(load_query("boundaries/codes_taken"), {"codes": sorted(new)})]
        if taken:
            raise UserError(f"code {taken[0]} is already in use", zh=f"编码 {taken[0]} 已被使用")


def has_steps(conn: psycopg.Connection, draft_id: int) -> bool:
    """Whether the draft holds any edit (a step): with none there is nothing to commit."""
    return conn.execute(HAS_STEPS, [draft_id]).fetchone()[0]


def undo(conn: psycopg.Connection, draft_id: int) -> str | None:
    """Take back the last step; return its operation, or None when there was none."""
    with conn.transaction():
        draft = load_draft(conn, draft_id, for_update=True)
        row = conn.execute(
            "SELECT step, operation, before FROM boundary_draft_step WHERE draft_id = %s ORDER BY step DESC LIMIT 1",
            [draft_id],
        ).fetchone()
        if row is None:
            return None
        draft.grids, draft.micro_grids = _restore(row[2])
        _write_rows(conn, draft)
        conn.execute("DELETE FROM boundary_draft_step WHERE draft_id = %s AND step = %s", [draft_id, row[0]])
        conn.execute("UPDATE boundary_draft SET steps = steps - 1, updated_at = now() WHERE id = %s", [draft_id])
        return row[1]


def discard(conn: psycopg.Connection, draft_id: int) -> bool:
    """Drop an open draft's work and its undo steps (the stored boundaries were never touched);
    False when the draft was not open (a committed draft keeps its rows: they are its record)."""
    with conn.transaction():
        closed = conn.execute(
            "UPDATE boundary_draft SET status = 'discarded', updated_at = now() WHERE id = %s AND status = 'open'"
            " RETURNING id",
            [draft_id],
        ).fetchone()
        if closed is None:
            return False
        for table in ("boundary_draft_grid", "boundary_draft_micro_grid", "boundary_draft_step"):
            conn.execute(sql.SQL("DELETE FROM {} WHERE draft_id = %s").format(sql.Identifier(table)), [draft_id])
    return True


def replace_draft(conn: psycopg.Connection, draft: Draft, operation: str, detail: dict) -> None:
    """Store `draft` (built elsewhere, e.g. from a GeoPackage) as one step of draft `draft.id`."""
    with editing(conn, draft.id, operation, detail) as stored:
        stored.grids, stored.micro_grids = draft.grids, draft.micro_grids


def _header(conn, draft_id: int, for_update: bool = False) -> tuple:
    lock = " FOR UPDATE" if for_update else ""
    row = conn.execute(
        "SELECT community_id, base_grid_ids, base_micro_ids, status FROM boundary_draft WHERE id = %s" + lock,
        [draft_id],
    ).fetchone()
    if row is None:
        raise UserError(f"no draft {draft_id}", zh=f"没有草稿 {draft_id}")
    return row


def _draft(conn, draft_id: int, community_id: int, grids: dict, micro_grids: dict) -> Draft:
    community = read_community(conn, community_id=community_id)
    others = [code for code in grids if not code.startswith(community.code)]
    used = conn.execute(load_query("boundaries/used_codes"), {"prefix": community.code, "others": others}).fetchall()
    base = conn.execute(load_query("boundaries/base_codes"), {"draft_id": draft_id}).fetchall()
    return Draft(
        id=draft_id,
        community=community,
        grids=grids,
        micro_grids=micro_grids,
        buildings=read_buildings(conn, community.id),
        used_codes=frozenset(row[0] for row in used),
        base_codes=frozenset(row[0] for row in base),
    )


def read_buildings(conn, community_id: int) -> Buildings:
    rows = conn.execute(load_query("boundaries/community_buildings"), {"community_id": community_id}).fetchall()
    if not rows:
        return Buildings.empty()
    footprints = shapely.from_wkb(np.array([row[3] for row in rows], dtype=object))
    return Buildings(
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        codes=np.array([row[1] for row in rows], dtype=object),
        households=np.array([row[2] for row in rows], dtype=np.int64),
        footprints=footprints,
        points=shapely.point_on_surface(footprints),
    )


def _grids(conn, query: str, params: dict) -> dict[str, Grid]:
    cursor = conn.execute(load_query(query), params)
    grids = {}
    for row in cursor:
        values = dict(zip([c.name for c in cursor.description], row))
        target = None if values["target_low"] is None else (values["target_low"], values["target_high"])
        fields = {name: values[name] for name in GRID_FIELDS}
        grids[values["code"]] = Grid(**fields, target_households=target, geom=as_multi(shapely.from_wkb(values["wkb"])))
    return grids


def _micro_grids(conn, query: str, params: dict) -> dict[str, MicroGrid]:
    cursor = conn.execute(load_query(query), params)
    micro_grids = {}
    for row in cursor:
        values = dict(zip([c.name for c in cursor.description], row))
        fields = {name: values[name] for name in MICRO_FIELDS}
        micro_grids[values["code"]] = MicroGrid(**fields, geom=as_multi(shapely.from_wkb(values["wkb"])))
    return micro_grids


def _write_rows(conn, draft: Draft) -> None:
    conn.execute("DELETE FROM boundary_draft_grid WHERE draft_id = %s", [draft.id])
    conn.execute("DELETE FROM boundary_draft_micro_grid WHERE draft_id = %s", [draft.id])
    with conn.cursor() as cursor:
        cursor.executemany(
            load_query("boundaries/draft_insert_grid"), [grid_row(draft.id, g) for g in draft.grids.values()]
        )
        micro_rows = [micro_row(draft.id, m) for m in draft.micro_grids.values()]
        if micro_rows:
            cursor.executemany(load_query("boundaries/draft_insert_micro_grid"), micro_rows)


def grid_row(draft_id: int, grid: Grid) -> dict:
    low, high = grid.target_households or (None, None)
    fields = {name: getattr(grid, name) for name in GRID_FIELDS}
    return fields | {"draft_id": draft_id, "target_low": low, "target_high": high, "wkb": shapely.to_wkb(grid.geom)}


def micro_row(draft_id: int, micro: MicroGrid) -> dict:
    fields = {name: getattr(micro, name) for name in MICRO_FIELDS}
    return fields | {"draft_id": draft_id, "wkb": shapely.to_wkb(micro.geom)}


def _snapshot(draft: Draft) -> dict:
    """The draft's rows as JSON (geometries as WKB hex), for undo."""
    grids = [
        {name: getattr(g, name) for name in GRID_FIELDS}
        | {"target": g.target_households, "wkb": shapely.to_wkb(g.geom, hex=True)}
        for g in draft.grids.values()
    ]
    micro = [
        {name: getattr(m, name) for name in MICRO_FIELDS} | {"wkb": shapely.to_wkb(m.geom, hex=True)}
        for m in draft.micro_grids.values()
    ]
    return {"grids": grids, "micro_grids": micro}


def _restore(snapshot: dict) -> tuple[dict, dict]:
    grids = {}
    for row in snapshot["grids"]:
        fields = {name: row[name] for name in GRID_FIELDS}
        target = tuple(row["target"]) if row["target"] else None
        grids[row["code"]] = Grid(**fields, target_households=target, geom=as_multi(shapely.from_wkb(row["wkb"])))
    micro_grids = {
        row["code"]: MicroGrid(**{n: row[n] for n in MICRO_FIELDS}, geom=as_multi(shapely.from_wkb(row["wkb"])))
        for row in snapshot["micro_grids"]
    }
    return grids, micro_grids
