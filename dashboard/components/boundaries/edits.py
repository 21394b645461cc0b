"""The boundary editor's operations: one callback takes every tool (a dragged handle, the
buttons), runs the edit on the draft in the database as one undoable step
(geo/boundaries/store.py `editing`) and bumps the revision the map and the checks redraw
from. A refused edit (UserError) becomes the message, never a traceback."""

from dash import Input, Output, State, ctx, no_update

from dashboard import context
from dashboard.components.boundaries.access import allowed_state
from dashboard.components.boundaries.panel import message
from dashboard.i18n import TEXT, text
from geo.boundaries import edits, store
from geo.errors import UserError

BUTTONS = ("split", "merge", "remove", "exclusive", "move", "rename", "recode")


def register(app, url: str) -> None:
    """Attach the operations' callback to `app`, reading database `url`."""

    @app.callback(
        Output("bnd-rev", "data"),
        Output("bnd-msg", "children"),
        Output("bnd-points", "data"),
        Output("bnd-chosen", "data"),
        Output("bnd-grid", "value"),
        Input("bnd-drag", "data"),
        *[Input(f"bnd-do-{name}", "n_clicks") for name in BUTTONS],
        Input("bnd-undo", "n_clicks"),
        State("bnd-state", "data"),
        State("bnd-grid", "value"),
        State("bnd-target", "value"),
        State("bnd-points", "data"),
        State("bnd-chosen", "data"),
        State("bnd-name", "value"),
        State("bnd-code", "value"),
        State("bnd-xtype", "value"),
        State("bnd-rev", "data"),
        State("bnd-lang", "data"),
        prevent_initial_call=True,
    )
    def operate(drag, *args):
        state, grid, target, points, chosen, name, code, xtype, rev, lang = args[len(BUTTONS) + 1 :]
        inputs = {"drag": drag, "grid": grid, "target": target, "points": points or [], "chosen": chosen or [],
                  "name": name, "code": code, "xtype": xtype}  # fmt: skip
        trigger = ctx.triggered_id
        try:
            with context.connection(url) as conn:
                draft_id = allowed_state(conn, state)["draft"]
                if not draft_id:
                    return no_update, message(text("bnd_no_draft", lang), "error"), no_update, no_update, no_update
                if trigger == "bnd-undo":
                    return _undo(conn, draft_id, rev, lang)
                operation, detail, run = plan(trigger, inputs, lang)
                with store.editing(conn, draft_id, operation, detail) as draft:
                    result = run(draft)
        except UserError as error:
            return (
                no_update,
                message(text("bnd_failed", lang, reason=error.in_language(lang)), "error"),
                *[no_update] * 3,
            )
        done = message(text("bnd_done", lang, what=text(f"bnd_op_{operation}", lang)), "ok")
        drawn = [] if operation in ("split_grid", "create_exclusive") else no_update
        moved = [] if operation == "move_buildings" else no_update
        selected = result if isinstance(result, str) else no_update
        if operation in ("merge_grids", "remove_grid"):
            selected = grid if operation == "merge_grids" else None
        return (rev or 0) + 1, done, drawn, moved, selected


def plan(trigger: str, inputs: dict, lang: str) -> tuple[str, dict, callable]:
    """(operation, detail for the step's record, the edit) for the tool that fired."""
    if trigger == "bnd-drag":
        return _drag(inputs["drag"])
    grid, target = inputs["grid"], inputs["target"]
    if trigger not in ("bnd-do-exclusive", "bnd-do-move") and not grid:
        raise UserError(text("bnd_need_grid", lang))
    if trigger in ("bnd-do-merge", "bnd-do-move") and not target:
        raise UserError(text("bnd_need_target", lang))
    name, points = inputs["name"], inputs["points"]
    plans = {
        "bnd-do-split": ("split_grid", {"code": grid, "line": points, "name": name},
                         lambda d: edits.split_grid(d, grid, points, name or None)),
        "bnd-do-merge": ("merge_grids", {"keep": grid, "other": target},
                         lambda d: edits.merge_grids(d, grid, target)),
        "bnd-do-remove": ("remove_grid", {"code": grid, "into": target},
                          lambda d: edits.remove_grid(d, grid, target or None)),
        "bnd-do-exclusive": ("create_exclusive", {"ring": points, "type": inputs["xtype"], "name": name},
                             lambda d: edits.create_exclusive(d, points, inputs["xtype"], name)),
        "bnd-do-move": ("move_buildings", {"ids": inputs["chosen"], "to": target},
                        lambda d: edits.move_buildings(d, inputs["chosen"], target)),
        "bnd-do-rename": ("rename_grid", {"code": grid, "name": name}, lambda d: edits.rename_grid(d, grid, name)),
        "bnd-do-recode": ("recode_grid", {"code": grid, "new_code": inputs["code"]},
                          lambda d: _recode(d, grid, inputs["code"])),
    }  # fmt: skip
    return plans[trigger]


def _drag(drag: dict) -> tuple[str, dict, callable]:
    if not isinstance(drag, dict):
        raise UserError("no move to make")
    if drag.get("kind") == "edge":
        a, b, delta = drag.get("a"), drag.get("b"), drag.get("delta")
        return "move_edge", {"a": a, "b": b, "delta": delta}, lambda d: edits.move_edge(d, a, b, delta)
    old, new = drag.get("from"), drag.get("to")
    return "move_vertex", {"from": old, "to": new}, lambda d: edits.move_vertex(d, old, new)


def _recode(draft, code: str, new_code: str | None) -> str:
    new_code = (new_code or "").strip()
    edits.recode_grid(draft, code, new_code)
    return new_code


def _undo(conn, draft_id: int, rev, lang: str) -> tuple:
    operation = store.undo(conn, draft_id)
    if operation is None:
        return no_update, message(text("bnd_nothing_to_undo", lang)), *[no_update] * 3
    what = text(f"bnd_op_{operation}", lang) if f"bnd_op_{operation}" in TEXT else operation
    return (rev or 0) + 1, message(text("bnd_undone", lang, what=what), "ok"), no_update, no_update, no_update
