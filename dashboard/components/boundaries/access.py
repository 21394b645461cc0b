"""The boundary editor inside the planner's jurisdiction: the editor's state (a community and
a draft, both named by the browser) is checked on the server before any callback reads or
writes, and the author of drafts and commits is the signed-in user, not a typed name."""

from dashboard import access

DRAFT_COMMUNITY = """SELECT a.code FROM boundary_draft d JOIN admin_area a ON a.id = d.community_id
WHERE d.id = %s"""
MAX_DRAFT_ID = 2**31 - 1


def allowed_state(conn, state: dict | None) -> dict:
    """The state with what lies outside the user's jurisdiction taken out: a community outside
    it gives no community; a draft that is not of the state's community gives no draft."""
    state = state if isinstance(state, dict) else {}
    code, draft = state.get("c"), state.get("draft")
    if not community_allowed(conn, code):
        return {"c": None, "draft": None}
    if draft is not None and draft_community(conn, draft) != code:
        return {"c": code, "draft": None}
    return {"c": code, "draft": draft}


def community_allowed(conn, code) -> bool:
    """Whether the community with this code lies inside the user's jurisdiction."""
    jurisdiction = access.jurisdiction(conn)
    if not isinstance(code, str) or jurisdiction is None:
        return False
    return jurisdiction.whole or code in jurisdiction.codes


def draft_community(conn, draft_id) -> str | None:
    """The code of the draft's community (None for anything that is no draft id)."""
    if not isinstance(draft_id, int) or isinstance(draft_id, bool) or not 0 < draft_id <= MAX_DRAFT_ID:
        return None
    row = conn.execute(DRAFT_COMMUNITY, [draft_id]).fetchone()
    return row[0] if row else None


def author() -> str:
    """How the signed-in planner appears in drafts, versions and the audit log."""
    user = access.signed_in_user()
    return f"{user.display_name} ({user.username})" if user else ""


def actor() -> str:
    user = access.signed_in_user()
    return user.username if user else ""
