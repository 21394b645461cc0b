"""The boundary editor's review: the impact preview after every change (the moved buildings
highlighted on the map), the commit (then risk scores refreshed in the background) and the
history (the grids of a chosen moment drawn dashed, the list of versions)."""

import datetime as dt
import sys
import threading
from zoneinfo import ZoneInfo

import flask
from dash import Input, Output, State, no_update

from dashboard import access, context
from dashboard.components.boundaries import panel as boundary_panel
from dashboard.components.boundaries.access import actor, allowed_state, author, community_allowed
from dashboard.components.boundaries.panel import message
from dashboard.components.boundaries.state import build, parse
from dashboard.i18n import text
from geo.boundaries import features, history
from geo.boundaries.commit import ConflictError, commit_draft
from geo.db.connection import connect
from geo.errors import UserError
from geo.settings import get_settings

try:  # the preview is written alongside the editor; the page works without it
    from geo.boundaries.impact import preview
except ImportError as missing:  # pragma: no cover - only while the module is absent
    preview, PREVIEW_MISSING = None, str(missing)


def register(app, url: str) -> None:
    """Attach the review's callbacks to `app`, reading database `url`."""

    @app.callback(
        Output("bnd-impact", "children"),
        Output("bnd-moved", "data"),
        Input("bnd-state", "data"),
        Input("bnd-rev", "data"),
        State("bnd-lang", "data"),
    )
    def show_impact(state, _rev, lang):
        if preview is None:
            return message(text("bnd_impact_unavailable", lang, reason=PREVIEW_MISSING)), []
        try:
            with context.connection(url) as conn:
                draft_id = allowed_state(conn, state)["draft"]
                if not draft_id:
                    return message(text("bnd_impact_no_draft", lang)), []
                result = preview(conn, draft_id)
        except UserError as error:
            return message(text("bnd_impact_unavailable", lang, reason=error.in_language(lang)), "error"), []
        moved = sorted({int(i) for move in result["moves"] for i in move.get("building_ids") or []})
        return impact_view(result, lang), moved

    @app.callback(
        Output("bnd-commit-msg", "children"),
        Output("bnd-url", "search", allow_duplicate=True),
        Output("bnd-committed", "data"),
        Input("bnd-commit", "n_clicks"),
        State("bnd-state", "data"),
        State("bnd-reason", "value"),
        State("bnd-url", "search"),
        State("bnd-lang", "data"),
        prevent_initial_call=True,
    )
    def commit(_clicks, state, reason, search, lang):
        if not (reason or "").strip():
            return message(text("bnd_need_reason", lang), "error"), no_update, no_update
        try:
            with context.connection(url) as conn:
                draft_id = allowed_state(conn, state)["draft"]
                if not draft_id:
                    return message(text("bnd_no_draft", lang), "error"), no_update, no_update
                result = commit_draft(conn, draft_id, author(), reason, actor())
        except ConflictError as error:  # the plain advice, then who changed it, when and why
            return message(f"{text('bnd_conflict', lang)} {error.in_language(lang)}", "error"), no_update, no_update
        except UserError as error:
            return message(text("bnd_failed", lang, reason=error.in_language(lang)), "error"), no_update, no_update
        refresh_in_background(flask.current_app.config[access.OWNER_DATABASE_KEY])
        words = text("bnd_committed", lang, version=result["version_id"], grids=result.get("grids_written", 0),
                     cases=result.get("cases_placed_again", 0), s=result["seconds"])  # fmt: skip
        return message(words, "ok"), _without_draft(search), result["version_id"]

    @app.callback(
        Output("bnd-history-layer", "data"),
        Output("bnd-asof-note", "children"),
        Output("bnd-versions", "children"),
        Input("bnd-c", "data"),
        Input("bnd-asof-date", "date"),
        Input("bnd-asof-time", "value"),
        Input("bnd-committed", "data"),
        State("bnd-lang", "data"),
    )
    def show_history(code, date, time, _committed, lang):
        at = as_of(date, time)
        try:
            with context.connection(url) as conn:
                if not community_allowed(conn, code):
                    return features.EMPTY, "", []
                rows = history.versions(conn, code)
                frame = history.grids_as_of(conn, code, at) if at else None
        except UserError as error:
            return features.EMPTY, message(text("bnd_failed", lang, reason=error.in_language(lang)), "error"), []
        listing = boundary_panel.versions(rows, lang)
        if frame is None:
            return features.EMPTY, "", listing
        if not len(frame):
            return features.EMPTY, text("bnd_as_of_none", lang), listing
        note = text("bnd_as_of_shown", lang, n=len(frame), at=at.strftime("%Y-%m-%d %H:%M:%S"))
        return features.frame_features(frame), note, listing


def impact_view(result: dict, lang: str) -> list:
    """The preview as boundary_panel draws it: key persons only as the map publishes them."""
    return boundary_panel.impact(result, lang)


def as_of(date: str | None, time: str | None) -> dt.datetime | None:
    """The moment picked (a date, and a time of day HH:MM[:SS], default midnight) in the
    configured zone; None without a date or with an unreadable one."""
    if not date:
        return None
    try:
        day = dt.date.fromisoformat(date[:10])
        moment = dt.time.fromisoformat(time or "00:00")
        return dt.datetime.combine(day, moment.replace(tzinfo=ZoneInfo(get_settings().timezone)))
    except ValueError:
        return None


def refresh_in_background(url: str) -> threading.Thread:
    """Rescore the grids whose cases a commit placed again, in a thread of its own (it takes
    seconds; the planner does not wait). On database `url`, the page's, as its owner: the
    refresh acts for the whole database, which the dashboard's role cannot (migration 0017);
    the command line's geo.risk.refresh.refresh_scores reads the configured database, which a
    test's copy is not."""
    from geo.risk.refresh import refresh_pending

    def run():
        try:
            with connect(url) as conn:
                refresh_pending(conn)
        except Exception as error:  # a thread's failure must not pass silently
            print(f"warning: risk scores not refreshed after a boundary commit ({error})", file=sys.stderr)

    thread = threading.Thread(target=run, name="boundary-risk-refresh", daemon=True)
    thread.start()
    return thread


def _without_draft(search: str | None) -> str:
    params = parse(search)
    return build({"c": params["c"]}, params["lang"])
