"""Committing a draft: new versions of what changed (valid from now), the old ones closed,
only the cases and buildings of the edited ground placed again, and who, when and why
recorded, all in one transaction.

Optimistic locking: a draft remembers the community's current rows when it was opened. The
commit locks the community and its neighbours (geo/boundaries/locks.py: a second commit on the
community, or on a neighbour, waits; commits elsewhere in the city run at once), and refuses
when any of the community's rows was closed in the meantime: the other planner's edit would
otherwise be overwritten. A last check in the same transaction refuses any new grid that
overlaps a stored one, whatever validation said.
"""

import time
from dataclasses import dataclass, field

import shapely

from geo.audit import log as audit_log
from geo.boundaries import store
from geo.boundaries.draft import Draft, Grid, MicroGrid
from geo.boundaries.locks import lock_communities
from geo.boundaries.validate import blocking, describe, validate
from geo.db.connection import load_query
from geo.errors import UserError
from geo.geocode.bulk import reassign
from geo.map import facts

SAME_SHAPE_M2 = 1.0  # shapes differing by less (vertices shifted a centimetre by noding) are one
MIN_OVERLAP_M2 = 1.0


class ConflictError(UserError):
    """Another planner committed on the same community since this draft was opened."""


@dataclass
class Changes:
    """What a draft changes against the stored rows it started from."""

    closed_grids: list[int] = field(default_factory=list)
    closed_micro_grids: list[int] = field(default_factory=list)
    new_grids: list[Grid] = field(default_factory=list)
    new_micro_grids: list[MicroGrid] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)  # boundary_change rows without version and new id
    shapes: list = field(default_factory=list)  # old and new shapes of everything changed

    def __bool__(self) -> bool:
        return bool(self.closed_grids or self.closed_micro_grids or self.new_grids or self.new_micro_grids)

    def area_wkt(self) -> str:
        return shapely.to_wkt(shapely.union_all(self.shapes))


def commit_draft(conn, draft_id: int, author: str, reason: str, actor: str | None = None) -> dict:
    """Commit draft `draft_id` as `author` with the required `reason`; return what was written
    and how long it took. Raises ConflictError when the base changed, UserError when the draft
    breaks a rule or changes nothing; the database is then as it was. The commit is recorded in
    the audit log, in the same transaction, as done by `actor` (default: the author)."""
    author, reason = (author or "").strip(), (reason or "").strip()
    if not author or not reason:
        raise UserError("a commit needs the planner's name and a reason", zh="提交需要填写规划员姓名和调整原因")
    started = time.perf_counter()
    with conn.transaction():
        # Taken before anything is read: the overlap guard then sees every earlier commit of
        # this community or a neighbour, and the rows read after it are those committed before.
        lock_communities(conn, draft_id)
        draft = store.load_draft(conn, draft_id, for_update=True)
        base = store.read_base(conn, draft_id, beside=draft)
        check_base(conn, draft_id, draft.community.id)
        problems = blocking(validate(draft, base))
        if problems:
            raise UserError(
                f"the draft breaks the rules: {refusal(problems)}", zh=f"草稿不符合规则：{refusal(problems, 'zh')}"
            )
        changes = diff(draft, base)
        if not changes:
            raise UserError(
                "nothing to commit: the draft is the same as the stored boundaries",
                zh="草稿与现有边界相同，没有可提交的修改",
            )
        version_id = conn.execute(
            load_query("boundaries/version_insert"),
            {"author": author, "note": reason, "community_id": draft.community.id, "draft_id": draft_id},
        ).fetchone()[0]
        summary = apply_changes(conn, draft, changes, version_id)
        facts.mark_relinked(conn)  # apply_changes linked and unlinked the grids itself
        conn.execute(
            "UPDATE boundary_draft SET status = 'committed', version_id = %s, updated_at = now() WHERE id = %s",
            [version_id, draft_id],
        )
        detail = {"version_id": version_id, "draft_id": draft_id, "author": author, "reason": reason}
        audit_log.record(
            conn, actor or author, "boundary.commit", draft.community.code, detail | {"changes": len(changes.records)}
        )
    return summary | {"version_id": version_id, "seconds": round(time.perf_counter() - started, 3)}


def refusal(problems: list, language: str = "en") -> str:
    """How many problems of each kind, then the first of each kind: every kind is named."""
    kinds = {}
    for problem in problems:
        kinds.setdefault(problem.rule, []).append(problem)
    return "; ".join(f"{len(found)}× {describe(found[0], language)}" for found in kinds.values())


def check_base(conn, draft_id: int, community_id: int) -> None:
    """Lock the community's current rows; refuse when they are no longer those the draft
    started from."""
    current = [row[0] for row in conn.execute(load_query("boundaries/lock_community"), {"community_id": community_id})]
    micro = [row[0] for row in conn.execute(load_query("boundaries/current_micro_ids"), {"community_id": community_id})]
    base_grids, base_micro = conn.execute(
        "SELECT base_grid_ids, base_micro_ids FROM boundary_draft WHERE id = %s", [draft_id]
    ).fetchone()
    if sorted(current) != sorted(base_grids) or sorted(micro) != sorted(base_micro):
        last = conn.execute(load_query("boundaries/last_commit"), {"community_id": community_id}).fetchone()
        who = f" by {last[0]} at {last[1]:%Y-%m-%d %H:%M} ({last[2]})" if last else ""
        who_zh = f"（{last[0]} 于 {last[1]:%Y-%m-%d %H:%M} 提交：{last[2]}）" if last else ""
        raise ConflictError(
            f"the boundaries of this community were changed{who} after this draft was opened; "
            "open a new draft and redo the edit",
            zh=f"本草稿打开后，该社区边界已被他人修改{who_zh}；请打开新草稿重新修改",
        )


def diff(draft: Draft, base: Draft) -> Changes:
    """Rows to close and rows to write: a draft grid differs from its stored row when any
    attribute or its shape (by more than SAME_SHAPE_M2) changed."""
    changes = Changes()
    _diff_layer(draft, base.grids, draft.grids, changes, "grid", _grid_attributes)
    _diff_layer(draft, base.micro_grids, draft.micro_grids, changes, "micro_grid", _micro_attributes)
    return changes


def apply_changes(conn, draft: Draft, changes: Changes, version_id: int, guard: bool = True) -> dict:
    """Write the changes as boundary version `version_id` and place again what lies on the
    changed ground (cases and buildings, by geocoding's re-assign-in-polygon). `guard`
    refuses new grids that overlap stored ones (the impact preview of a faulty draft skips it)."""
    # The moment the new versions begin (and the old end): the clock now, after the locks were
    # taken, rather than the transaction's start, so that "as of" matches what others saw.
    at = conn.execute("SELECT clock_timestamp()").fetchone()[0]
    conn.execute(load_query("boundaries/close_grids"), {"ids": changes.closed_grids, "at": at})
    conn.execute(load_query("boundaries/close_micro_grids"), {"ids": changes.closed_micro_grids, "at": at})
    new_ids = {}
    for grid in changes.new_grids:
        row = store.grid_row(draft.id, grid) | {"community_id": draft.community.id, "version_id": version_id, "at": at}
        new_ids[("grid", grid.code)] = conn.execute(load_query("boundaries/grid_insert"), row).fetchone()[0]
    for micro in changes.new_micro_grids:
        row = store.micro_row(draft.id, micro) | {"version_id": version_id, "at": at}
        query = load_query("boundaries/micro_grid_insert")
        new_ids[("micro_grid", micro.code)] = conn.execute(query, row).fetchone()[0]
    if guard:
        pairs = [(new_ids[("grid", g.code)], g.base_id) for g in changes.new_grids]
        _guard_overlaps(conn, pairs)
    area = changes.area_wkt()
    # The facts' links follow grid by grid (a full relink would rewrite the totals of every
    # area up to the city, which every other commit's cases count in too).
    facts.link_grids(conn, [new_ids[("grid", g.code)] for g in changes.new_grids])
    placed = reassign(conn, area, shared=True)  # the community locks keep commits' areas apart
    facts.unlink_grids(conn, changes.closed_grids)
    conn.execute(load_query("boundaries/building_micro_codes"), {"area": area})
    for record in changes.records:
        new_id = new_ids.get((record["layer"], record["code"])) if record["change"] != "removed" else None
        conn.execute(load_query("boundaries/change_insert"), record | {"version_id": version_id, "new_id": new_id})
    return {
        "grids_closed": len(changes.closed_grids),
        "grids_written": len(changes.new_grids),
        "micro_grids_closed": len(changes.closed_micro_grids),
        "micro_grids_written": len(changes.new_micro_grids),
        "cases_placed_again": placed["written"],
        "buildings_placed_again": placed["buildings_written"],
    }


def _diff_layer(draft: Draft, stored: dict, edited: dict, changes: Changes, layer: str, attributes) -> None:
    closed = changes.closed_grids if layer == "grid" else changes.closed_micro_grids
    new = changes.new_grids if layer == "grid" else changes.new_micro_grids
    by_base = {item.base_id: item for item in edited.values() if item.base_id is not None}
    for old in stored.values():
        now = by_base.get(old.base_id)
        if now is None:
            closed.append(old.base_id)
            changes.shapes.append(old.geom)
            changes.records.append({"layer": layer, "code": old.code, "change": "removed", "old_id": old.base_id})
        elif attributes(now) != attributes(old) or not _same_shape(draft, old.geom, now.geom):
            closed.append(old.base_id)
            new.append(now)
            changes.shapes += [old.geom, now.geom]
            if now.code == old.code:
                changes.records.append({"layer": layer, "code": old.code, "change": "changed", "old_id": old.base_id})
            else:  # recoded: the old code ends, the new one begins
                changes.records.append({"layer": layer, "code": old.code, "change": "removed", "old_id": old.base_id})
                changes.records.append({"layer": layer, "code": now.code, "change": "created", "old_id": old.base_id})
    for item in edited.values():
        if item.base_id is None:
            new.append(item)
            changes.shapes.append(item.geom)
            changes.records.append({"layer": layer, "code": item.code, "change": "created", "old_id": None})


def _grid_attributes(grid: Grid) -> tuple:
    return (grid.code, grid.name, grid.level, grid.is_basic, grid.kind, grid.exclusive_type, grid.parent_code,
            grid.households, grid.target_households)  # fmt: skip


def _micro_attributes(micro: MicroGrid) -> tuple:
    return (micro.code, micro.grid_code, micro.kind, micro.households)


def _same_shape(draft: Draft, a, b) -> bool:
    return bool(shapely.equals_exact(a, b, 0)) or draft.area_m2(shapely.symmetric_difference(a, b)) < SAME_SHAPE_M2


def _guard_overlaps(conn, pairs: list[tuple[int, int | None]]) -> None:
    """Refuse new basic grid rows (with the rows they replace) that overlap a stored grid by
    more than their old rows did: a fault already stored is not this commit's doing."""
    rows = conn.execute(
        load_query("boundaries/overlap_guard"),
        {"new_ids": [n for n, _o in pairs], "old_ids": [o for _n, o in pairs], "min_area_m2": MIN_OVERLAP_M2},
    ).fetchall()
    if rows:
        found = "; ".join(f"{a} overlaps {b} by {area:.0f} m²" for a, b, area in rows)
        raise UserError(
            f"commit refused, it would store overlapping grids: {found}", zh=f"提交被拒绝：将产生重叠网格：{found}"
        )
