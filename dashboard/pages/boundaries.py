"""The boundary editor at /boundaries: a planner picks a community, opens a draft, redraws
its grids on the map (geo/boundaries/edits.py), sees the checks and the impact after every
change, and commits with a reason; the history shows the grids of any moment.

The URL holds the state (`/boundaries?c=<community code>&draft=<draft id>&lang=en`); the
`bnd-state` store mirrors it. The layout is built per language when the page is shown (and
again when the language changes), its state taken from the address at that moment. Operations: dashboard/components/boundaries/edits.py; impact, commit and history:
dashboard/components/boundaries/review.py."""

from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard import context
from dashboard.access import may
from dashboard.components.boundaries import edits as boundary_edits
from dashboard.components.boundaries import map as boundary_map
from dashboard.components.boundaries import panel as boundary_panel
from dashboard.components.boundaries import review as boundary_review
from dashboard.components.boundaries.access import allowed_state, author, community_allowed
from dashboard.components.boundaries.panel import message
from dashboard.components.boundaries.state import build, on_page, parse
from dashboard.i18n import text
from geo.auth.roles import BOUNDARIES
from geo.boundaries import features, history, store
from geo.boundaries.validate import describe, validate
from geo.errors import UserError

EMPTY = features.EMPTY


def layout(lang: str = "zh", state: dict | None = None) -> html.Div:
    """The page in `lang` on `state` (c, draft): stores, the top bar, the map and the panel."""
    state = {"c": (state or {}).get("c"), "draft": (state or {}).get("draft")}
    stores = [
        # The page's own view of the address: its callbacks never mix the app's `url` (there
        # from the start) with the page's parts (there only at /boundaries). "callback-nav"
        # tells `url` of every change: a `url` left behind would later push its old address.
        dcc.Location(id="bnd-url", refresh="callback-nav"),
        dcc.Store(id="bnd-state", data=state),
        dcc.Store(id="bnd-c"),
        dcc.Store(id="bnd-lang", data=lang),
        dcc.Store(id="bnd-rev", data=0),
        dcc.Store(id="bnd-drag"),
        dcc.Store(id="bnd-points", data=[]),
        dcc.Store(id="bnd-chosen", data=[]),
        dcc.Store(id="bnd-moved", data=[]),
        dcc.Store(id="bnd-committed"),
    ]
    body = html.Div(
        [html.Div(boundary_map.boundary_map(lang), className="map-column"), boundary_panel.panel(lang)],
        className="map-body bnd-body",
    )
    return html.Div([*stores, boundary_panel.top_bar(lang), body], id="bnd-root", className="bnd-page")


def register_page(app) -> None:
    """The callback that builds the page at /boundaries: its container is in every user's
    layout, so it runs for every signed-in user and shows the editor only to those who may."""

    @app.callback(
        Output("boundaries-page", "children"),
        Input("url", "pathname"),
        Input("lang-store", "data"),
        State("url", "search"),
        State("bnd-keep", "data"),
    )
    def show(pathname, lang, search, kept):
        if not on_page(pathname) or not may(BOUNDARIES):
            return []
        state = parse(search)
        return layout(lang or "zh", state if state["c"] else kept)


def register(app, url: str) -> None:
    """Attach the editor's callbacks to `app`, reading database `url`."""

    @app.callback(
        Output("bnd-url", "search", allow_duplicate=True),
        Output("bnd-community", "value"),
        Output("bnd-state", "data"),
        Output("bnd-c", "data"),
        Output("bnd-community", "options"),
        Output("bnd-keep", "data"),
        Input("bnd-url", "search"),
        Input("bnd-community", "value"),
        State("bnd-url", "pathname"),
        State("bnd-state", "data"),
        State("bnd-c", "data"),
        State("bnd-community", "options"),
        prevent_initial_call="initial_duplicate",
    )
    def sync(search, picked, pathname, stored, code_now, options):
        if search is None or not on_page(pathname):  # the address is not read yet
            return [no_update] * 6
        params, new_search = parse(search), no_update
        if ctx.triggered_id == "bnd-community" and picked and picked != params["c"]:
            state = {"c": picked, "draft": None}
            new_search = build(state, params["lang"])
        elif not params["c"] and (stored or {}).get("c"):
            state = stored  # the header's language switch rewrote the query string without ours
            new_search = build(state, params["lang"])
        else:
            state = {"c": params["c"], "draft": params["draft"]}
        with context.connection(url) as conn:
            state = allowed_state(conn, state)
            if not options:
                words = {"lang": params["lang"]}
                options = [{"label": text("bnd_community_option", **words, name=r["name"], township=r["township"] or "",
                                          code=r["code"]), "value": r["code"]}
                           for r in features.communities(conn) if community_allowed(conn, r["code"])]  # fmt: skip
            else:
                options = no_update
        code = state["c"] if state["c"] != code_now else no_update
        kept = state if state["c"] else no_update
        return new_search, state["c"], state, code, options, kept

    @app.callback(
        Output("bnd-url", "search", allow_duplicate=True),
        Output("bnd-msg", "children", allow_duplicate=True),
        Input("bnd-open", "n_clicks"),
        State("bnd-state", "data"),
        State("bnd-lang", "data"),
        prevent_initial_call=True,
    )
    def open_draft(_clicks, state, lang):
        try:
            with context.connection(url) as conn:
                state = allowed_state(conn, state)
                if not state["c"]:
                    return no_update, message(text("bnd_pick_first", lang), "error")
                draft = store.open_draft(conn, state["c"], author())
        except UserError as error:
            return no_update, message(text("bnd_failed", lang, reason=error.in_language(lang)), "error")
        return build({"c": state["c"], "draft": draft.id}, lang), message(text("bnd_opened", lang, id=draft.id), "ok")

    @app.callback(
        Output("bnd-url", "search", allow_duplicate=True),
        Output("bnd-msg", "children", allow_duplicate=True),
        Input("bnd-discard", "n_clicks"),
        State("bnd-state", "data"),
        State("bnd-lang", "data"),
        prevent_initial_call=True,
    )
    def discard(clicks, state, lang):
        with context.connection(url) as conn:
            state = allowed_state(conn, state)
            if not clicks or not state["draft"]:
                return no_update, no_update
            store.discard(conn, state["draft"])
        return build({"c": state["c"]}, lang), message(text("bnd_discarded", lang), "ok")

    @app.callback(
        Output("bnd-buildings", "data"),
        Output("bnd-outline", "data"),
        Output("bnd-map", "viewport"),
        Input("bnd-c", "data"),
    )
    def draw_community(code):
        try:
            with context.connection(url) as conn:
                if not community_allowed(conn, code):
                    return EMPTY, EMPTY, no_update
                community = store.read_community(conn, code=code)
                buildings = store.read_buildings(conn, community.id)
        except UserError:
            return EMPTY, EMPTY, no_update
        viewport = {"bounds": features.bounds(community), "transition": "flyToBounds", "options": {"maxZoom": 18}}
        return features.building_features(buildings), features.community_feature(community), viewport

    @app.callback(
        Output("bnd-grids", "data"),
        Output("bnd-micro", "data"),
        Output("bnd-problems", "data"),
        Output("bnd-checks", "children"),
        Output("bnd-households", "children"),
        Output("bnd-commit", "disabled"),
        Output("bnd-grid", "options"),
        Output("bnd-target", "options"),
        Output("bnd-draft-info", "children"),
        Input("bnd-state", "data"),
        Input("bnd-rev", "data"),
        State("bnd-lang", "data"),
    )
    def draw_draft(state, _rev, lang):
        with context.connection(url) as conn:
            state = allowed_state(conn, state)
            if not state["c"]:
                return EMPTY, EMPTY, EMPTY, message(text("bnd_pick_first", lang)), [], True, [], [], ""
            draft = _open_draft(conn, state)
            if draft is None:
                return _stored_view(conn, state["c"], lang)
            problems = validate(draft, store.read_base(conn, draft.id, beside=draft))
            edited = store.has_steps(conn, draft.id)
        grids = features.grid_features(draft)
        rows = [f["properties"] for f in grids["features"]]
        options = [{"label": f"{g['name']} {g['code']}", "value": g["code"]} for g in sorted(rows, key=_by_code)]
        return (
            grids,
            features.micro_grid_features(draft),
            features.problem_features(problems, lambda p: describe(p, lang)),
            boundary_panel.checks(problems, describe, lang),
            boundary_panel.households_table(rows, lang),
            any(p.blocks for p in problems) or not edited,  # nothing to commit: no edit, or errors
            options,
            options,
            text("bnd_draft", lang, id=draft.id),
        )

    @app.callback(
        Output("bnd-handles", "data"),
        Output("bnd-grids", "hideout"),
        Input("bnd-grid", "value"),
        Input("bnd-rev", "data"),
        Input("bnd-state", "data"),
        State("bnd-lang", "data"),
    )
    def draw_handles(code, rev, state, lang):
        hideout = {"selected": code}
        with context.connection(url) as conn:
            state = allowed_state(conn, state)
            if not code or not state["draft"]:
                return EMPTY, hideout
            draft = _open_draft(conn, state)
        if draft is None:
            return EMPTY, hideout
        # `rev` makes every answer a new object: a handle dropped where the edit was refused
        # is drawn back where it was.
        handles = features.handle_features(draft, code)
        locked = text("bnd_locked", lang or "zh")
        for handle in handles["features"]:
            handle["properties"]["title"] = locked if handle["properties"]["locked"] else ""
        return handles | {"rev": rev}, hideout

    _register_map_clicks(app)
    _register_tool_states(app)
    boundary_edits.register(app, url)
    boundary_review.register(app, url)


def _register_map_clicks(app) -> None:
    """Clicks on the map (select a grid, draw, choose buildings) and the drawing shown,
    in the browser."""
    app.clientside_callback(
        """function (click, mode, points, grids, buildings, chosen, selected) {
            return window.boundaryMap.onClick(click, mode, points, grids, buildings, chosen, selected);
        }""",
        Output("bnd-grid", "value", allow_duplicate=True),
        Output("bnd-points", "data", allow_duplicate=True),
        Output("bnd-chosen", "data", allow_duplicate=True),
        Input("bnd-map", "clickData"),
        State("bnd-mode", "value"),
        State("bnd-points", "data"),
        State("bnd-grids", "data"),
        State("bnd-buildings", "data"),
        State("bnd-chosen", "data"),
        State("bnd-grid", "value"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        """function (points, mode, chosen, moved, lang) {
            var n = (points || []).length, k = (chosen || []).length, en = lang === 'en';
            var words = [];
            if (n) { words.push(en ? n + ' points drawn' : '已画 ' + n + ' 个点'); }
            if (k) { words.push(en ? k + ' buildings chosen' : '已选 ' + k + ' 栋楼'); }
            return [window.boundaryMap.drawing(points, mode), words.join(' · '), {chosen: chosen || [], moved: moved || []}];
        }""",
        Output("bnd-drawing", "data"),
        Output("bnd-drawn", "children"),
        Output("bnd-buildings", "hideout"),
        Input("bnd-points", "data"),
        Input("bnd-mode", "value"),
        Input("bnd-chosen", "data"),
        Input("bnd-moved", "data"),
        State("bnd-lang", "data"),
    )
    app.clientside_callback(
        "function () { return [[], []]; }",
        Output("bnd-points", "data", allow_duplicate=True),
        Output("bnd-chosen", "data", allow_duplicate=True),
        Input("bnd-clear", "n_clicks"),
        prevent_initial_call=True,
    )


# Which tools can apply to what is chosen (the server refuses the rest anyway, with a reason).
TOOL_STATES = """function (state, grid, target, points, chosen, name, code) {
    var open = !!(state && state.draft), n = (points || []).length;
    var usable = {
        split: grid && n >= 2, merge: grid && target && grid !== target, remove: grid,
        exclusive: n >= 3, move: target && (chosen || []).length > 0,
        rename: grid && (name || '').trim(), recode: grid && (code || '').trim(), undo: true, discard: true
    };
    return window.dash_clientside.callback_context.outputs_list.map(function (output) {
        return !(open && usable[output.id.replace(/^bnd-(do-)?/, '')]);
    });
}"""


def _register_tool_states(app) -> None:
    tools = [f"bnd-do-{name}" for name in boundary_edits.BUTTONS] + ["bnd-undo", "bnd-discard"]
    app.clientside_callback(
        TOOL_STATES,
        [Output(tool, "disabled") for tool in tools],
        Input("bnd-state", "data"),
        Input("bnd-grid", "value"),
        Input("bnd-target", "value"),
        Input("bnd-points", "data"),
        Input("bnd-chosen", "data"),
        Input("bnd-name", "value"),
        Input("bnd-code", "value"),
    )


def _open_draft(conn, state: dict):
    """The draft named in the state if it is open and of the state's community, else None."""
    if not state.get("draft"):
        return None
    try:
        draft = store.load_draft(conn, state["draft"])
    except UserError:
        return None
    return draft if draft.community.code == state["c"] else None


def _stored_view(conn, code: str, lang: str) -> tuple:
    """What draw_draft shows without an open draft: the stored grids, read-only."""
    try:
        frame = history.grids_as_of(conn, code)
    except UserError as error:
        note = message(text("bnd_failed", lang, reason=error.in_language(lang)), "error")
        return EMPTY, EMPTY, EMPTY, note, [], True, [], [], ""
    grids = features.frame_features(frame)
    table = boundary_panel.households_table([f["properties"] for f in grids["features"]], lang)
    return grids, EMPTY, EMPTY, message(text("bnd_no_draft", lang)), table, True, [], [], ""


def _by_code(row: dict) -> str:
    return row["code"]
