"""The dispatch desk's parts: the queue table, the case card (facts, clocks, the case on a small
map, likely duplicates, history) and the action panel, whose fields and buttons always exist
(the callbacks name them) and are shown as the case's state and the user's role allow."""

from urllib.parse import urlencode

import dash_leaflet as dl
from dash import dcc, html

from dashboard.components.map_view import basemap_layer
from dashboard.i18n import (
    CALL_BACK_METHOD,
    DESK_ACTION,
    DESK_VIEW,
    HANDLER_KIND,
    MEDIATION_OUTCOME,
    SATISFACTION,
    SOURCE,
    dropdown_labels,
    label,
    pick,
    text,
)
from geo.loop.desk import Clock

ACTIONS = ("dispatch", "take", "report_back", "return", "redo", "verify", "close", "call_back", "reopen", "merge",
           "escalate")  # fmt: skip
# The fields each action reads; a field is shown when a legal action needs it.
FIELDS_OF = {
    "dispatch": ("kind", "to", "partners"),
    "report_back": ("outcome",),
    "call_back": ("satisfied", "method"),
    "merge": ("into",),
}
FIELDS = ("note", "kind", "to", "partners", "outcome", "satisfied", "method", "into")
HIDDEN = {"display": "none"}
PHOTO_PATH = "/case-photos/"  # dashboard/routes.py serves them, inside the viewer's jurisdiction


def view_options(counts: dict, lang: str) -> list[dict]:
    """The queue's views with their counts."""
    return [{"label": f"{pick(DESK_VIEW[v], lang)} {counts.get(v, 0)}", "value": v} for v in DESK_VIEW]


def queue_table(rows: list[dict], view: str, lang: str, limit: int) -> html.Div:
    """The queue: one row a case, linked to it; its deadline coloured by its clock."""
    if not rows:
        return html.Div(text("desk_empty", lang), className="note")
    head = html.Tr([html.Th(text(f"desk_col_{c}", lang)) for c in ("code", "category", "status", "level", "deadline")])
    body = [
        html.Tr(
            [
                html.Td(dcc.Link(row["code"], href=case_href("/cases", row["code"], lang, view))),
                html.Td(pick((row["category_zh"], row["category_en"]), lang)),
                html.Td(pick((row["status_zh"], row["status_en"]), lang)),
                html.Td(pick((row["level_zh"], row["level_en"]), lang)),
                html.Td(clock_text(row["clock"], lang), className=f"clock clock-{row['clock'].colour}"),
            ]
        )
        for row in rows
    ]
    more = [html.Div(text("desk_shown", lang, n=limit), className="note")] if len(rows) >= limit else []
    return html.Div([html.Table([html.Thead(head), html.Tbody(body)], className="desk-table"), *more])


def case_card(case: dict, history: list[dict], duplicates: list[dict] | None, lang: str) -> html.Div:
    """What the dispatcher needs to decide: the case, its clocks, its place, its likely
    duplicates (None: not shown), its history with its photos."""
    facts = [
        (text("desk_reported", lang), f"{case['reported_at']:%Y-%m-%d %H:%M}"),
        (text("desk_source", lang), label(SOURCE, case["source"], lang)),
        (text("desk_address", lang), case["address_text"] or case["building_address"] or "—"),
        (text("desk_place", lang), f"{case['grid_name'] or '—'} {case['grid_code'] or ''}"),
    ]
    if case["assignee"]:
        handler = pick((case["assignee_zh"], case["assignee_en"]), lang)
        facts.append((text("desk_assignee", lang), f"{label(HANDLER_KIND, case['assignee_kind'], lang)} · {handler}"))
    if case["partners"]:
        facts.append((text("desk_partners", lang), "、".join(case["partners"])))
    if case["mediation_outcome"]:
        facts.append((text("desk_outcome", lang), label(MEDIATION_OUTCOME, case["mediation_outcome"], lang)))
    if case["called_back_at"]:
        verdict = text("desk_satisfied" if case["satisfied"] else "desk_unsatisfied", lang)
        facts.append((text("desk_callback", lang), f"{case['called_back_at']:%Y-%m-%d} {verdict}"))
    notes = []
    if case["merged_into_code"]:
        notes.append(text("desk_merged", lang, code=case["merged_into_code"]))
    if case["reopened"]:
        notes.append(text("desk_reopened", lang, n=case["reopened"]))
    return html.Div(
        [
            html.H2(
                [case["code"], html.Span(pick((case["status_zh"], case["status_en"]), lang), className="desk-status")]
            ),
            html.Div(
                [
                    html.Span(pick((case["category_zh"], case["category_en"]), lang), className="desk-tag"),
                    html.Span(pick((case["level_zh"], case["level_en"]), lang), className="desk-tag"),
                    *_clock_tags(case, lang),
                ],
                className="desk-tags",
            ),
            html.P(case["summary"], className="desk-summary"),
            html.Dl(
                [part for name, value in facts for part in (html.Dt(name), html.Dd(value))], className="desk-facts"
            ),
            *[html.Div(note, className="note") for note in notes],
            _case_map(case, lang),
            *(
                [html.H3(text("desk_duplicates", lang)), _duplicates(duplicates, lang)]
                if duplicates is not None
                else []
            ),
            html.H3(text("desk_history", lang)),
            _history(history, lang),
        ],
        className="desk-card",
    )


def action_panel(lang: str) -> html.Div:
    """Every field and button of every move, hidden until a case's state allows them."""
    labels = dropdown_labels(lang)
    fields = [
        _field("note", lang, "desk_note", dcc.Textarea(id="desk-note", maxLength=2000, className="desk-note")),
        _field("kind", lang, "desk_kind", radio("desk-kind", HANDLER_KIND, lang, "grid")),
        _field("to", lang, "desk_to", dcc.Dropdown(id="desk-to", labels=labels, className="dd wide")),
        _field(
            "partners",
            lang,
            "desk_partners_pick",
            dcc.Dropdown(id="desk-partners", multi=True, labels=labels, className="dd wide"),
        ),
        _field("outcome", lang, "desk_outcome_pick", radio("desk-outcome", MEDIATION_OUTCOME, lang)),
        _field("satisfied", lang, "desk_callback", radio("desk-satisfied", SATISFACTION, lang)),
        _field("method", lang, "desk_method", radio("desk-method", CALL_BACK_METHOD, lang, "phone")),
        _field(
            "into",
            lang,
            "desk_into",
            html.Div(
                [
                    dcc.Dropdown(id="desk-into", labels=labels, className="dd wide"),
                    dcc.Input(
                        id="desk-into-code",
                        maxLength=60,
                        placeholder=text("desk_into_code", lang),
                        className="desk-code",
                    ),
                ]
            ),
        ),
    ]
    buttons = [
        html.Button(
            pick(DESK_ACTION[a], lang), id=f"desk-do-{a}", n_clicks=0, className=f"desk-do desk-do-{a}", style=HIDDEN
        )
        for a in ACTIONS
    ]
    return html.Div(
        [
            html.H3(text("desk_actions", lang)),
            html.Div(id="desk-no-actions", className="note"),
            *fields,
            html.Div(buttons, className="desk-buttons"),
            html.Div(id="desk-msg", role="status"),
        ],  # fmt: skip
        id="desk-actions",
        className="desk-actions",
    )


def case_href(page: str, code: str, lang: str, view: str | None = None) -> str:
    """The address of a case on `page` (/cases or /m), keeping the language (the map's state
    in the address would otherwise fall back to Chinese)."""
    values = {"case": code, **({"view": view} if view else {}), **({"lang": lang} if lang == "en" else {})}
    return f"{page}?{urlencode(values)}"


def radio(component_id: str, choices: dict, lang: str, value: str | None = None, **kwargs) -> dcc.RadioItems:
    """Radio buttons of a {value: (zh, en)} table, in a row."""
    options = [{"label": pick(name, lang), "value": key} for key, name in choices.items()]
    return dcc.RadioItems(id=component_id, options=options, value=value, inline=True, **kwargs)


def shown(legal: list[str]) -> tuple[list[dict], list[dict]]:
    """(the buttons' styles in ACTIONS order, the fields' styles in FIELDS order) for the legal moves."""
    needed = {"note"} if legal else set()
    for action in legal:
        needed.update(FIELDS_OF.get(action, ()))
    return [{} if a in legal else HIDDEN for a in ACTIONS], [{} if f in needed else HIDDEN for f in FIELDS]


def clock_text(clock: Clock, lang: str) -> str:
    """'剩余 2天3小时' / '超期 5天0小时'; '—' without a clock."""
    if clock.left_s is None:
        return "—"
    key = "desk_left" if clock.left_s >= 0 else "desk_over"
    return text(key, lang, t=duration_text(abs(clock.left_s), lang))


def duration_text(seconds: float, lang: str) -> str:
    days, rest = divmod(int(seconds), 86400)
    if days:
        return text("desk_days_hours", lang, d=days, h=rest // 3600)
    if rest >= 3600:
        return text("desk_hours", lang, h=rest // 3600)
    return text("desk_minutes", lang, m=max(rest // 60, 1))


def target_options(targets: list[dict], kind: str, lang: str) -> list[dict]:
    """The handlers of `kind` as dropdown options."""
    return [
        {"label": f"{pick((t['name_zh'], t['name_en']), lang)} {t['code']}", "value": t["code"]}
        for t in targets
        if t["kind"] == kind
    ]


def _clock_tags(case: dict, lang: str) -> list:
    """The deadline's and the state's clocks, for an open case."""
    tags, clock, step = [], case["clock"], case["state_clock"]
    if clock.left_s is not None:
        tags.append(html.Span(clock_text(clock, lang), className=f"desk-tag clock-{clock.colour}"))
    if step.left_s is not None and case["status"] != "closed":
        tags.append(
            html.Span(
                f"{text('desk_state_clock', lang)} {clock_text(step, lang)}", className=f"desk-tag clock-{step.colour}"
            )
        )
    return tags


def _case_map(case: dict, lang: str) -> html.Div:
    if case["lon"] is None:
        return html.Div()
    point = [case["lat"], case["lon"]]
    return html.Div(
        dl.Map(
            [basemap_layer(lang), dl.CircleMarker(center=point, radius=9, color="#c0392b", fillOpacity=0.8)],
            center=point,
            zoom=17,
            className="desk-map",
        ),
        className="desk-map-wrap",
    )


def _duplicates(rows: list[dict], lang: str) -> html.Div:
    if not rows:
        return html.Div(text("desk_no_duplicates", lang), className="note")
    items = [
        html.Li(
            [
                dcc.Link(row["code"], href=case_href("/cases", row["code"], lang)),
                f" {row['reported_at']:%m-%d %H:%M} · {pick((row['status_zh'], row['status_en']), lang)} · ",
                text("desk_same_building", lang)
                if row["same_building"]
                else text("desk_metres", lang, n=row["metres"]),
                html.Div(row["summary"], className="note"),
            ]
        )
        for row in rows
    ]
    return html.Ul(items, className="desk-duplicates")


def _history(events: list[dict], lang: str) -> html.Div:
    if not events:
        return html.Div(text("desk_no_history", lang), className="note")
    items = [
        html.Li(
            [
                html.Span(f"{e['at']:%Y-%m-%d %H:%M}", className="desk-when"),
                html.Strong(label(DESK_ACTION, e["action"], lang)),
                f" {e['actor']}",
                *([html.Div(e["note"], className="desk-event-note")] if e["note"] else []),
                *(
                    [
                        html.Div(
                            [
                                html.A(
                                    html.Img(src=f"{PHOTO_PATH}{p}", alt=text("desk_photos", lang)),
                                    href=f"{PHOTO_PATH}{p}",
                                    target="_blank",
                                )
                                for p in e["photos"]
                            ],
                            className="desk-photos",
                        )
                    ]
                    if e["photos"]
                    else []
                ),
            ]
        )
        for e in events
    ]
    return html.Ol(items, className="desk-history")


def _field(name: str, lang: str, key: str, control) -> html.Div:
    return html.Div([html.Label(text(key, lang)), control], id=f"desk-field-{name}", className="field", style=HIDDEN)
