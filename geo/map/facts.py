"""The map's period figures of an admin area or a basic grid from the daily case facts
(migration 0021), not from its cases: key figures, trend, category mix and the counts per child.

A query file of `geo/db/queries/facts/` takes its rows in the placeholder {facts}: the unit's
fact rows (child, day, category_code, source, state, n) of the filter's window, the state
derived at the moment of asking, and {fact_filter}, the page's filters on them. An area reads
its own totals (one row per day, category, source and state) or its children's, whatever its
number of cases, and needs no walk down to its grids. Micro-grids and buildings (a few cases
each, counted per building) keep reading their cases (`geo.map.cases`).

Example:
    >>> facts.run(conn, "kpis", county, case_filter.params(today)).fetchone()
"""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from psycopg import sql

from geo.db.connection import load_query
from geo.shared.units import Unit

# The statement triggers that keep the facts in step with case_assignment (migration 0021).
FACT_TRIGGERS = ("case_assignment_facts_insert", "case_assignment_facts_update", "case_assignment_facts_delete")
# The fact rows each figure needs: the unit's totals, or its rows per child.
CHILD_FIGURES = {"child_cases"}


def covers(unit: Unit) -> bool:
    """Whether the unit's period figures come from the facts (areas and basic grids)."""
    return unit.is_area or unit.kind == "grid"


def fact_query(name: str, unit: Unit) -> sql.Composed:
    """The figure `facts/<name>` for `unit` (an area, `all` or a grid); run it with
    `{"code": unit.code, **case_filter.params(today)}`."""
    source = sql.SQL(load_query(f"facts/{_source_name(name, unit)}")).format(today=sql.SQL(load_query("facts/today")))
    return sql.SQL(load_query(f"facts/{name}")).format(
        facts=source, fact_filter=sql.SQL(load_query("facts/fact_filter"))
    )


def run(conn, name: str, unit: Unit, params: dict, **extra):
    """Execute the figure `name` for `unit` with the filter's `params`; returns the cursor."""
    return conn.execute(fact_query(name, unit), {**params, "code": unit.code, **extra})


def relink(conn) -> int:
    """Make the grid→area links of the facts true again and sum again the totals of every area
    whose grids changed (after boundaries were committed); returns the number of areas rebuilt.
    A transaction that writes grids or areas also does it at its end (a deferred trigger)."""
    return conn.execute("SELECT case_facts_relink()").fetchone()[0]


def link_grids(conn, grid_ids: list[int]) -> int:
    """Link the new current basic grids `grid_ids` to the areas above them (before their cases
    are placed, so that a case moving into one from an old grid of the same areas leaves the
    areas' totals as they are); returns the links added. Migration 0024."""
    return conn.execute("SELECT case_facts_link_grids(%s)", [list(grid_ids)]).fetchone()[0]


def unlink_grids(conn, grid_ids: list[int]) -> int:
    """Unlink the grids `grid_ids` that are no longer current basic grids (after their cases
    were placed again), their areas' totals less what they still count; returns the links
    removed. With `link_grids`, what `relink` does for a commit that replaces these grids only,
    without rewriting the totals of every area above them."""
    return conn.execute("SELECT case_facts_unlink_grids(%s)", [list(grid_ids)]).fetchone()[0]


def mark_relinked(conn) -> None:
    """Tell the deferred relink of this transaction (migration 0021) that the links are true
    already: a boundary commit linked and unlinked its grids itself. The full relink would
    read every grid of the city, and, run at once by two commits, each could undo the other's
    links from a view taken before the other committed."""
    conn.execute("SELECT set_config('safety_map.facts_relink_done', txid_current()::text, true)")


@contextmanager
def counted_once_at_the_end(conn, timer=None) -> Iterator[None]:
    """For a bulk write of placements (the demo's load): inside the block the facts do not
    follow each statement; at its end they are counted again from every placement, which costs
    a fraction of following a hundred thousand rows. The triggers are off for this transaction
    only (DDL is transactional, and the table stays locked to others until it ends). With a
    `timer`, the count is its step "facts"."""
    with conn.transaction():
        _switch_triggers(conn, "DISABLE")
        yield
        _switch_triggers(conn, "ENABLE")
        with timer.measure("facts") if timer is not None else nullcontext():
            conn.execute("SELECT case_facts_rebuild()")


def _switch_triggers(conn, action: str) -> None:
    """ENABLE or DISABLE the facts' triggers."""
    each = (sql.SQL(f"{action} TRIGGER {{}}").format(sql.Identifier(name)) for name in FACT_TRIGGERS)
    conn.execute(sql.SQL("ALTER TABLE case_assignment {}").format(sql.SQL(", ").join(each)))


def _source_name(name: str, unit: Unit) -> str:
    if unit.kind == "grid":
        return "grid"
    if not unit.is_area:
        raise ValueError(f"no facts are kept per {unit.kind}")
    return "area_children" if name in CHILD_FIGURES else "area_total"
