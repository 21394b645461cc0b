"""Which boundary commits and previews may run at once: those whose communities are apart.

A draft redraws only its own community's grids, which validation keeps inside the community.
What a commit writes (grid versions, the placements of the cases and buildings on the changed
ground, the grids' case facts) therefore lies in its community, and what it must see before
writing (the overlap guard: the grids beside its own) lies in the communities it reaches: its
neighbours, whose outlines lie within MARGIN_DEG of its outline or which have a grid on its ground
(boundaries/lock_set.sql). So each commit takes, before it reads anything, one advisory lock
per community: exclusive on its own, shared on its neighbours'. Two commits on one community,
or on two neighbours (each holds the other's shared and wants it exclusive), are one at a
time; commits on communities apart, even with a neighbour in common, run at once. Locks are
taken in the order of the communities' ids, so no two commits each wait for the other.

A preview is a commit rolled back (geo/boundaries/impact.py): it writes what a commit writes
until it is undone, so it takes the same locks; a shared lock on its own community would let
two previews of one community, or of two neighbours, write the same placements in turn.
"""

from geo.db.connection import load_query

LOCK_CLASS = 0xB0DA7  # first key of the two-key advisory locks of boundary commits
EXCLUSIVE = "SELECT pg_advisory_xact_lock(%s, %s)"
SHARED = "SELECT pg_advisory_xact_lock_shared(%s, %s)"
MARGIN_DEG = 1e-5  # about a metre: outlines that touch within noding's tolerance are neighbours


def lock_communities(conn, draft_id: int) -> list[int]:
    """Hold, until the end of the transaction, the locks of draft `draft_id`'s commit or
    preview: its community's exclusively, its neighbours' shared. Returns the communities'
    ids in the order they were locked (by id).

    Example:
        >>> with conn.transaction():
        ...     lock_communities(conn, draft.id)  # then read the base, write, place again
    """
    locked = []
    for community_id, own in reach(conn, draft_id):
        conn.execute(EXCLUSIVE if own else SHARED, [LOCK_CLASS, community_id])
        locked.append(community_id)
    return locked


def reach(conn, draft_id: int) -> list[tuple[int, bool]]:
    """(community id, own) of every community draft `draft_id`'s commit locks, by id: its own
    (own = True) and its neighbours (boundaries/lock_set.sql). Empty for no such draft."""
    params = {"draft_id": draft_id, "margin_deg": MARGIN_DEG}
    return [(row[0], row[1]) for row in conn.execute(load_query("boundaries/lock_set"), params)]
