"""The dispatch desk at /cases: a centre's queue for its jurisdiction (new, returned, overdue,
escalated, to verify, to close, to call back), the chosen case with its clocks, place, likely
duplicates and history, and the moves its state allows the dispatcher.

The address holds the choice (`/cases?case=<code>&view=<view>`); a move names the version the
page showed, so that of two dispatchers acting on one case the second is told who moved it
first (geo/loop/moves.py). Reads keep to the user's jurisdiction (geo/loop/desk.py), and the
database checks every move again (migration 0033)."""

from urllib.parse import parse_qs

from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard import access, context
from dashboard.components import desk as parts
from dashboard.i18n import DESK_ACTION, DESK_VIEW, dropdown_labels, pick, text
from geo.auth.roles import CASE_DESK
from geo.loop import desk, moves
from geo.loop.moves import MoveError
from geo.shared.units import root_unit

PATH = "/cases"
# The action panel's fields that start empty for every case shown (none carries over to the next).
FRESH_FIELDS = ("note", "outcome", "satisfied", "into", "into-code", "partners")
FRESH = ("", None, None, None, "", [])
TICK_MS = 30_000  # the queue and the notices follow new cases and escalations this often
NOTICES = """SELECT n.at, c.code, l.name_zh, l.name_en, n.reason FROM case_notice n
JOIN cases c ON c.id = n.case_id JOIN case_escalation_level l ON l.code = n.level
WHERE n.area_code = %(area)s AND n.at > now() - interval '24 hours' ORDER BY n.at DESC LIMIT 20"""
GROUPS = "SELECT code, name_zh, name_en FROM case_group ORDER BY code"
STATUS_NAMES = "SELECT name_zh, name_en FROM case_status WHERE code = %s"
DEPARTMENTS = "SELECT code, name_zh, name_en FROM case_handler WHERE kind = 'department' ORDER BY code"


def on_page(pathname: str | None) -> bool:
    return (pathname or "").rstrip("/").endswith(PATH)


def parse(search: str | None) -> dict:
    """case and view from the query string; never fails."""
    raw = {key: values[-1][:60] for key, values in parse_qs((search or "").lstrip("?")).items()}
    view = raw.get("view") if raw.get("view") in DESK_VIEW else None
    return {"case": raw.get("case") or None, "view": view}


def layout(lang: str = "zh", state: dict | None = None, groups: list = (), departments: list = ()) -> html.Div:
    """The desk in `lang`, opened on `state` (case, view), with the catalogue's groups and the
    departments for joint handling ((code, name_zh, name_en) each)."""
    state = {"view": None, **(state or {})}
    labels = dropdown_labels(lang)
    filters = html.Div(
        [
            dcc.Dropdown(
                id="desk-group",
                placeholder=text("desk_group_all", lang),
                labels=labels,
                className="dd",
                options=[{"label": pick((zh, en), lang), "value": code} for code, zh, en in groups],
            ),
            dcc.Input(
                id="desk-search",
                type="search",
                debounce=True,
                maxLength=60,
                placeholder=text("desk_search", lang),
                className="desk-search",
            ),
        ],
        className="desk-filters",
    )
    queue_column = html.Section(
        [
            html.H2(text("desk_title", lang)),
            dcc.RadioItems(
                id="desk-view",
                value=state["view"] or "new",
                options=parts.view_options({}, lang),
                className="desk-views",
            ),
            filters,
            html.Div(id="desk-queue"),
            html.H3(text("desk_notices", lang)),
            html.Div(id="desk-notices"),
        ],
        className="desk-queue-column",
    )
    actions = parts.action_panel(lang)
    case_column = html.Section([html.Div(id="desk-case"), actions], className="desk-case-column")
    stores = [
        dcc.Location(id="desk-url", refresh=False),
        dcc.Store(id="desk-lang", data=lang),
        dcc.Store(id="desk-rev", data=0),
        dcc.Store(id="desk-seen"),
        dcc.Store(
            id="desk-departments", data=[{"label": pick((zh, en), lang), "value": c} for c, zh, en in departments]
        ),
        dcc.Interval(id="desk-tick", interval=TICK_MS),
    ]
    return html.Div([*stores, html.Div([queue_column, case_column], className="desk-body")], className="desk-page")


def register_page(app, url: str) -> None:
    """The callback that builds the desk at /cases (its container is in every user's layout)."""

    @app.callback(
        Output("cases-page", "children"),
        Input("url", "pathname"),
        Input("lang-store", "data"),
        State("url", "search"),
    )
    def show(pathname, lang, search):
        if not on_page(pathname) or not access.may(CASE_DESK):
            return []
        with context.connection(url) as conn:
            groups, departments = conn.execute(GROUPS).fetchall(), conn.execute(DEPARTMENTS).fetchall()
        return layout(lang or "zh", parse(search), groups, departments)


def register(app, url: str) -> None:
    """Attach the desk's callbacks to `app` (a `guarded(app, CASE_DESK)`), reading database `url`."""

    @app.callback(
        Output("desk-queue", "children"),
        Output("desk-view", "options"),
        Input("desk-view", "value"),
        Input("desk-group", "value"),
        Input("desk-search", "value"),
        Input("desk-tick", "n_intervals"),
        Input("desk-rev", "data"),
        State("desk-lang", "data"),
    )
    def show_queue(view, group, search, _tick, _rev, lang):
        view = view if view in desk.VIEWS else "new"
        with context.connection(url) as conn:
            jurisdiction = access.jurisdiction(conn)
            rows = desk.queue(conn, jurisdiction, view, group, search)
            counts = desk.view_counts(conn, jurisdiction)
        return parts.queue_table(rows, view, lang, desk.QUEUE_LIMIT), parts.view_options(counts, lang)

    @app.callback(
        Output("desk-case", "children"),
        Output("desk-seen", "data"),
        Output("desk-no-actions", "children"),
        Output("desk-into", "options"),
        *[Output(f"desk-{field}", "value") for field in FRESH_FIELDS],
        *[Output(f"desk-do-{action}", "style") for action in parts.ACTIONS],
        *[Output(f"desk-field-{field}", "style") for field in parts.FIELDS],
        Output("desk-keep", "data"),
        Input("desk-url", "search"),
        Input("desk-rev", "data"),
        State("desk-lang", "data"),
        State("desk-keep", "data"),
    )
    def show_case(search, _rev, lang, kept):
        # The header's language switch rewrites the address without the case: the tab keeps it.
        code = parse(search)["case"] or (kept or {}).get("case")
        user = access.signed_in_user()
        with context.connection(url) as conn:
            jurisdiction = access.jurisdiction(conn)
            case = desk.find_case(conn, jurisdiction, code) if code else None
            if case is None:
                message = text("desk_no_case" if code else "desk_pick", lang)
                buttons, fields = parts.shown([])
                return html.Div(message, className="note"), None, "", [], *FRESH, *buttons, *fields, {}
            history = moves.history(conn, case["id"])
            duplicates = desk.duplicates(conn, jurisdiction, case["id"])
            legal = desk.legal_moves(conn, case, user.role)
        buttons, fields = parts.shown(legal)
        into = [{"label": f"{d['code']} · {d['summary'][:30]}", "value": d["code"]} for d in duplicates]
        seen = {"id": case["id"], "version": case["version"], "code": case["code"]}
        none = "" if legal else text("desk_no_actions", lang)
        card = parts.case_card(case, history, duplicates, lang)
        return card, seen, none, into, *FRESH, *buttons, *fields, {"case": case["code"]}

    @app.callback(
        Output("desk-to", "options"),
        Output("desk-to", "value"),
        Output("desk-partners", "options"),
        Input("desk-kind", "value"),
        Input("desk-seen", "data"),
        State("desk-departments", "data"),
        State("desk-lang", "data"),
    )
    def show_targets(kind, seen, departments, lang):
        if not seen:
            return [], None, departments
        with context.connection(url) as conn:
            targets = desk.dispatch_targets(conn, access.jurisdiction(conn), seen["id"])
        options = parts.target_options(targets, kind or "grid", lang)
        return options, options[0]["value"] if options else None, departments

    @app.callback(
        Output("desk-msg", "children"),
        Output("desk-rev", "data"),
        *[Input(f"desk-do-{action}", "n_clicks") for action in parts.ACTIONS],
        State("desk-seen", "data"),
        State("desk-note", "value"),
        State("desk-kind", "value"),
        State("desk-to", "value"),
        State("desk-partners", "value"),
        State("desk-outcome", "value"),
        State("desk-satisfied", "value"),
        State("desk-method", "value"),
        State("desk-into", "value"),
        State("desk-into-code", "value"),
        State("desk-rev", "data"),
        State("desk-lang", "data"),
        prevent_initial_call=True,
    )
    def act(*values):
        seen, note, kind, to, partners, outcome, satisfied, method, into, into_code, rev, lang = values[
            len(parts.ACTIONS) :
        ]
        action = str(ctx.triggered_id or "").removeprefix("desk-do-")
        if action not in parts.ACTIONS or not seen or not any(values[: len(parts.ACTIONS)]):
            return no_update, no_update
        fields = {"kind": kind, "to": to, "partners": partners, "outcome": outcome, "satisfied": satisfied,
                  "method": method, "into": (into_code or "").strip() or into}  # fmt: skip
        try:
            with context.connection(url) as conn:
                moved = moves.move(conn, seen["id"], action, seen["version"], note or "", move_detail(action, fields))
                status = conn.execute(STATUS_NAMES, [moved.status]).fetchone()
        except MoveError as error:  # a stale page shows the case as it now is
            return html.Div(error.in_language(lang), className="desk-error"), (rev or 0) + (error.kind == "stale")
        done = text(
            "desk_done", lang, action=pick(DESK_ACTION[action], lang), code=seen["code"], status=pick(status, lang)
        )
        return html.Div(done, className="desk-ok"), (rev or 0) + 1

    @app.callback(
        Output("desk-notices", "children"),
        Input("desk-tick", "n_intervals"),
        Input("desk-rev", "data"),
        State("desk-lang", "data"),
    )
    def show_notices(_tick, _rev, lang):
        with context.connection(url) as conn:
            jurisdiction = access.jurisdiction(conn)
            area = jurisdiction.code if not jurisdiction.whole else root_unit(conn).code
            rows = conn.execute(NOTICES, {"area": area}).fetchall()
        if not rows:
            return html.Div(text("desk_no_notices", lang), className="note")
        return html.Ul(
            [
                html.Li(
                    [
                        f"{at:%m-%d %H:%M} ",
                        dcc.Link(code, href=parts.case_href("/cases", code, lang, "escalated")),
                        " " + text("desk_level_up", lang, level=pick((zh, en), lang)),
                    ]
                )  # fmt: skip
                for at, code, zh, en, _reason in rows
            ],
            className="desk-notice-list",
        )


def move_detail(action: str, fields: dict) -> dict:
    """The detail a move sends to the database, from the action panel's fields."""
    if action == "dispatch":
        return {"kind": fields["kind"], "to": fields["to"], "partners": fields["partners"] or []}
    if action == "report_back":
        return {"outcome": fields["outcome"]} if fields["outcome"] else {}
    if action == "call_back":
        answered = fields["satisfied"] in ("yes", "no")
        return {"satisfied": fields["satisfied"] == "yes", "method": fields["method"]} if answered else {}
    if action == "merge":
        return {"into": fields["into"]}
    return {}
