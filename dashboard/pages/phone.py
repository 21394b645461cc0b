"""The grid worker's phone page at /m (made for a 390×844 screen): my tasks, the case on a small
map, take it, report back with text and photos or return it with a reason; report a new case at
my position; log the rounds' visits and see their coverage.

Moves go through the loop's rules (geo/loop/moves.py) with the version the page showed; photos
are checked (geo/loop/photos.py) and stored with the report back in its transaction, so that a
refused report stores no photo; a new case is placed by the geocoder as it is received."""

from urllib.parse import parse_qs

from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard import access, context
from dashboard.components import desk as parts
from dashboard.i18n import DESK_ACTION, MEDIATION_OUTCOME, dropdown_labels, pick, text
from geo.auth.roles import PHONE
from geo.errors import UserError
from geo.loop import desk, field, intake, moves, photos

PATH = "/m"
TICK_MS = 15_000  # the task list asks again this often (and so recovers soon from a busy moment)
MOVES = ("take", "report_back", "return")
CATEGORIES = "SELECT code, name_zh, name_en FROM case_category WHERE NOT unclassified ORDER BY group_code, code"
HIDDEN = {"display": "none"}

# The browser's position, asked for when the worker taps the button (a Promise Dash waits on).
LOCATE_JS = """function (clicks) {
    if (!clicks) { return window.dash_clientside.no_update; }
    return new Promise(function (resolve) {
        if (!navigator.geolocation) { resolve({error: 'no geolocation'}); return; }
        navigator.geolocation.getCurrentPosition(
            function (p) { resolve({lon: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy}); },
            function (e) { resolve({error: e.message || 'refused'}); },
            {enableHighAccuracy: true, timeout: 15000});
    });
}"""


def on_page(pathname: str | None) -> bool:
    return (pathname or "").rstrip("/") == PATH


def layout(lang: str = "zh", categories: list = ()) -> html.Div:
    """The page in `lang`; `categories` (code, name_zh, name_en) for reporting a case."""
    labels = dropdown_labels(lang)
    act = html.Div(
        [
            dcc.Textarea(id="m-note", maxLength=2000, placeholder=text("m_note", lang), className="m-note"),
            html.Div(parts.radio("m-outcome", MEDIATION_OUTCOME, lang, className="m-outcome"), id="m-outcome-box"),
            dcc.Upload(
                id="m-photos",
                multiple=True,
                accept="image/jpeg,image/png,image/webp",
                max_size=photos.MAX_BYTES,
                children=html.Div(text("m_photos", lang)),
                className="m-upload",
            ),
            html.Div(id="m-photo-count", className="note"),
            html.Div(
                [
                    html.Button(
                        pick(DESK_ACTION[m], lang), id=f"m-do-{m}", n_clicks=0, className=f"m-do m-do-{m}", style=HIDDEN
                    )
                    for m in MOVES
                ],
                className="m-buttons",
            ),
            html.Div(id="m-msg", role="status"),
        ],
        id="m-act",
        style=HIDDEN,
    )
    report = html.Details(
        [
            html.Summary(text("m_report_new", lang)),
            dcc.Dropdown(
                id="m-category",
                placeholder=text("m_category", lang),
                labels=labels,
                searchable=False,
                options=[{"label": pick((zh, en), lang), "value": c} for c, zh, en in categories],
            ),
            dcc.Textarea(id="m-summary", maxLength=2000, placeholder=text("m_summary", lang), className="m-note"),
            html.Button(text("m_locate", lang), id="m-locate", n_clicks=0, className="m-do m-secondary"),
            html.Div(id="m-where", className="note"),
            dcc.Input(id="m-address", maxLength=300, placeholder=text("m_address", lang), className="m-input"),
            html.Button(text("m_submit", lang), id="m-submit", n_clicks=0, className="m-do"),
            html.Div(id="m-new-msg", role="status"),
        ],
        id="m-report-section",
        className="m-section",
    )
    visits = html.Details(
        [
            html.Summary(text("m_visits", lang)),
            html.Div(id="m-coverage", className="m-coverage"),
            dcc.Dropdown(id="m-visit-target", placeholder=text("m_visit_target", lang), labels=labels),
            dcc.Input(id="m-visit-note", maxLength=500, placeholder=text("m_visit_note", lang), className="m-input"),
            html.Button(text("m_visit_log", lang), id="m-visit", n_clicks=0, className="m-do"),
            html.Div(id="m-visit-msg", role="status"),
        ],
        className="m-section",
    )
    stores = [
        dcc.Location(id="m-url", refresh=False),
        dcc.Store(id="m-lang", data=lang),
        dcc.Store(id="m-rev", data=0),
        dcc.Store(id="m-visit-rev", data=0),
        dcc.Store(id="m-seen"),
        dcc.Store(id="m-position"),
        dcc.Interval(id="m-tick", interval=TICK_MS),
    ]
    return html.Div(
        [*stores, html.H2(text("m_tasks", lang)), html.Div(id="m-tasks"), html.Div(id="m-case"), act, report, visits],
        className="m-page",
    )


def register_page(app, url: str) -> None:
    """The callback that builds the page at /m (its container is in every user's layout)."""

    @app.callback(Output("phone-page", "children"), Input("url", "pathname"), Input("lang-store", "data"))
    def show(pathname, lang):
        if not on_page(pathname) or not access.may(PHONE):
            return []
        with context.connection(url) as conn:
            categories = conn.execute(CATEGORIES).fetchall()
        return layout(lang or "zh", categories)


def register(app, url: str) -> None:
    """Attach the page's callbacks to `app` (a `guarded(app, PHONE)`), reading database `url`."""

    @app.callback(
        Output("m-tasks", "children"),
        Input("m-rev", "data"),
        Input("m-tick", "n_intervals"),
        State("m-lang", "data"),
    )
    def show_tasks(_rev, _tick, lang):
        with context.connection(url) as conn:
            rows = field.tasks(conn, access.jurisdiction(conn))
        if not rows:
            return html.Div(text("m_no_tasks", lang), className="note")
        return html.Ul([_task(row, lang) for row in rows], className="m-tasks")  # a tap opens the case

    @app.callback(
        Output("m-case", "children"),
        Output("m-seen", "data"),
        Output("m-act", "style"),
        Output("m-outcome-box", "style"),
        *[Output(f"m-do-{m}", "style") for m in MOVES],
        Input("m-url", "search"),
        Input("m-rev", "data"),
        State("m-lang", "data"),
    )
    def show_case(search, _rev, lang):
        code = _case_code(search)
        with context.connection(url) as conn:
            jurisdiction = access.jurisdiction(conn)
            case = desk.find_case(conn, jurisdiction, code) if code else None
            legal = desk.legal_moves(conn, case, "grid_worker") if case else []
            history = moves.history(conn, case["id"]) if case else []
        if case is None:  # the task list says what to do when no case is asked for
            message = html.Div(text("desk_no_case", lang), className="note") if code else ""
            return message, None, HIDDEN, HIDDEN, *[HIDDEN] * len(MOVES)
        mine = case["assignee_kind"] == "grid" and case["assignee"] in jurisdiction.codes
        legal = [m for m in MOVES if m in legal and mine]
        seen = {"id": case["id"], "version": case["version"], "code": case["code"]}
        outcome = {} if "report_back" in legal and case["group_code"] == "dispute" else HIDDEN
        buttons = [{} if m in legal else HIDDEN for m in MOVES]
        return parts.case_card(case, history, None, lang), seen, {} if legal else HIDDEN, outcome, *buttons

    @app.callback(
        Output("m-photo-count", "children"),
        Input("m-photos", "filename"),
        State("m-lang", "data"),
    )
    def count_photos(names, lang):
        return text("m_photo_count", lang, n=len(names)) if names else ""

    @app.callback(
        Output("m-msg", "children"),
        Output("m-rev", "data"),
        Output("m-photos", "contents"),
        Output("m-photos", "filename"),
        Output("m-note", "value"),
        Output("m-outcome", "value"),
        *[Input(f"m-do-{m}", "n_clicks") for m in MOVES],
        State("m-seen", "data"),
        State("m-note", "value"),
        State("m-outcome", "value"),
        State("m-photos", "contents"),
        State("m-photos", "filename"),
        State("m-rev", "data"),
        State("m-lang", "data"),
        prevent_initial_call=True,
    )
    def act(*values):
        seen, note, outcome, contents, names, rev, lang = values[len(MOVES) :]
        action = str(ctx.triggered_id or "").removeprefix("m-do-")
        if action not in MOVES or not seen or not any(values[: len(MOVES)]):
            return [no_update] * 6
        try:
            shots = _photos(contents, names) if action == "report_back" else []
            detail = {"outcome": outcome} if action == "report_back" and outcome else {}
            with context.connection(url) as conn:
                moved = moves.move(conn, seen["id"], action, seen["version"], note or "", detail)
                for shot in shots:
                    photos.attach(conn, moved.event_id, shot)
        except UserError as error:
            stale = isinstance(error, moves.MoveError) and error.kind == "stale"
            return html.Div(error.in_language(lang), className="desk-error"), (rev or 0) + stale, *[no_update] * 4
        done = text("m_done", lang, action=pick(DESK_ACTION[action], lang), code=seen["code"])
        return html.Div(done, className="desk-ok"), (rev or 0) + 1, None, None, "", None  # a fresh form

    app.clientside_callback(LOCATE_JS, Output("m-position", "data"), Input("m-locate", "n_clicks"))

    @app.callback(Output("m-where", "children"), Input("m-position", "data"), State("m-lang", "data"))
    def show_position(position, lang):
        if not position:
            return ""
        if "error" in position:
            return text("m_no_position", lang, why=str(position["error"])[:100])
        return text(
            "m_position", lang, lat=position["lat"], lon=position["lon"], acc=round(position.get("accuracy") or 0)
        )

    @app.callback(
        Output("m-new-msg", "children"),
        Output("m-summary", "value"),
        Input("m-submit", "n_clicks"),
        State("m-category", "value"),
        State("m-summary", "value"),
        State("m-position", "data"),
        State("m-address", "value"),
        State("m-lang", "data"),
        prevent_initial_call=True,
    )
    def report_case(clicks, category, summary, position, address, lang):
        if not clicks:
            return no_update, no_update
        lon, lat = (position["lon"], position["lat"]) if position and "lon" in position else (None, None)
        try:
            with context.connection(url) as conn:
                received = intake.report(conn, category or "", summary or "", lon, lat, address)
        except UserError as error:
            return html.Div(error.in_language(lang), className="desk-error"), no_update
        grid = received.grid_code or text("m_not_placed", lang)
        return html.Div(text("m_reported", lang, code=received.code, grid=grid), className="desk-ok"), ""

    @app.callback(
        Output("m-visit-target", "options"),
        Output("m-coverage", "children"),
        Input("m-rev", "data"),
        Input("m-visit-rev", "data"),
        State("m-lang", "data"),
    )
    def show_visits(_rev, _logged, lang):
        with context.connection(url) as conn:
            grid_ids = access.jurisdiction(conn).grid_ids
            targets = field.visit_targets(conn, grid_ids)
            covered = field.coverage(conn, grid_ids)
        prefix = text("m_place_prefix", lang)
        options = [
            {"label": (prefix if t["kind"] == "p" else "") + t["name"], "value": f"{t['kind']}:{t['id']}"}
            for t in targets
        ]
        return options, text("m_coverage", lang, b=_share(covered.building_share), p=_share(covered.place_share))

    @app.callback(
        Output("m-visit-msg", "children"),
        Output("m-visit-rev", "data"),
        Input("m-visit", "n_clicks"),
        State("m-visit-target", "value"),
        State("m-visit-note", "value"),
        State("m-visit-rev", "data"),
        State("m-lang", "data"),
        prevent_initial_call=True,
    )
    def log_visit(clicks, target, note, rev, lang):
        if not clicks:
            return no_update, no_update
        try:
            with context.connection(url) as conn:
                field.log_visit(conn, target or "", note or "")
        except UserError as error:
            return html.Div(error.in_language(lang), className="desk-error"), no_update
        return html.Div(text("m_visit_logged", lang), className="desk-ok"), (rev or 0) + 1


def _task(row: dict, lang: str) -> html.Li:
    return html.Li(
        dcc.Link(
            [
                html.Div(
                    [
                        html.Strong(pick((row["category_zh"], row["category_en"]), lang)),
                        html.Span(pick((row["status_zh"], row["status_en"]), lang), className="desk-tag"),
                    ]
                ),
                html.Div(row["summary"], className="m-task-summary"),
                html.Div(parts.clock_text(row["clock"], lang), className=f"clock-{row['clock'].colour}"),
            ],
            href=parts.case_href("/m", row["code"], lang),
            className="m-task",
        )
    )


def _photos(contents, names) -> list[photos.Photo]:
    contents, names = contents or [], names or []
    if len(contents) > photos.MAX_PHOTOS:
        raise UserError(f"at most {photos.MAX_PHOTOS} photos a report", f"每次反馈最多{photos.MAX_PHOTOS}张照片")
    return [photos.from_upload(name, content) for name, content in zip(names, contents, strict=False)]


def _case_code(search: str | None) -> str | None:
    values = parse_qs((search or "").lstrip("?")).get("case")
    return values[-1][:60] if values else None


def _share(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"
