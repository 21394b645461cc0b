"""The boundary editor's side panel: the tools, the checks, households per grid, the impact
preview, the commit and the history; and the builders that fill them from what geo/boundaries
returns. Every name and code from the data is rendered as text."""

from dash import dcc, html

from dashboard.i18n import LEVEL, dropdown_labels, label, text
from geo.boundaries.edits import EXCLUSIVE_TYPES
from geo.boundaries.impact import NEW
from geo.shared.code_scheme import CODE_MAX

MODES = ("select", "line", "polygon", "buildings")


def top_bar(lang: str) -> html.Div:
    """Community picker, planner's name, the open button and the draft's number."""
    return html.Div(
        [
            html.H2(text("bnd_title", lang), className="bnd-title"),
            _field(
                text("bnd_community", lang),
                dcc.Dropdown(
                    id="bnd-community",
                    placeholder=text("bnd_pick_community", lang),
                    clearable=False,
                    labels=dropdown_labels(lang),
                    className="dd bnd-community",
                ),
            ),
            html.Button(text("bnd_open", lang), id="bnd-open", className="bnd-button primary"),
            html.Span(id="bnd-draft-info", className="bnd-draft-info"),
        ],
        className="filter-bar bnd-bar",
    )


def panel(lang: str) -> html.Aside:
    """The side panel's sections, filled by the page's callbacks."""
    return html.Aside(
        [
            html.Div(id="bnd-msg", className="bnd-msg", role="status"),
            tools(lang),
            html.H3(text("bnd_checks", lang)),
            html.Div(id="bnd-checks"),
            html.H3(text("bnd_impact", lang)),
            dcc.Loading(html.Div(id="bnd-impact"), type="dot", delay_show=300),
            commit_box(lang),
            html.H3(text("bnd_households", lang)),
            html.Div(id="bnd-households"),
            history_box(lang),
        ],
        className="panel bnd-panel",
    )


def tools(lang: str) -> html.Div:
    """The selected grid, the target, the map-click mode and the operations."""
    modes = [{"label": text(f"bnd_mode_{mode}", lang), "value": mode} for mode in MODES]
    types = [{"label": text(f"bnd_x_{kind}", lang), "value": kind} for kind in EXCLUSIVE_TYPES]
    return html.Div(
        [
            html.H3(text("bnd_tools", lang)),
            html.P(text("bnd_handles_hint", lang), className="hint"),
            _field(
                text("bnd_grid", lang),
                dcc.Dropdown(id="bnd-grid", placeholder=text("bnd_pick_grid", lang), labels=dropdown_labels(lang)),
            ),
            _field(text("bnd_target", lang), dcc.Dropdown(id="bnd-target", labels=dropdown_labels(lang))),
            _field(text("bnd_mode", lang), dcc.RadioItems(id="bnd-mode", options=modes, value="select", inline=True)),
            html.Div(
                [html.Span(id="bnd-drawn", className="hint"), _button("bnd-clear", text("bnd_clear", lang))],
                className="bnd-row",
            ),
            html.Div(
                [
                    dcc.Input(
                        id="bnd-name",
                        type="text",
                        maxLength=60,
                        placeholder=text("bnd_name", lang),
                        className="bnd-input",
                    ),  # fmt: skip
                    dcc.Input(
                        id="bnd-code",
                        type="text",
                        maxLength=CODE_MAX,
                        placeholder=text("bnd_code", lang),
                        className="bnd-input short",
                    ),  # fmt: skip
                    dcc.Dropdown(
                        id="bnd-xtype",
                        options=types,
                        value=EXCLUSIVE_TYPES[0],
                        clearable=False,
                        className="bnd-xtype",
                        labels=dropdown_labels(lang),
                    ),  # fmt: skip
                ],
                className="bnd-row",
            ),
            html.Div(
                [
                    _button("bnd-do-split", text("bnd_split", lang)),
                    _button("bnd-do-merge", text("bnd_merge", lang)),
                    _button("bnd-do-remove", text("bnd_remove", lang)),
                    _button("bnd-do-exclusive", text("bnd_exclusive", lang)),
                    _button("bnd-do-move", text("bnd_move", lang)),
                    _button("bnd-do-rename", text("bnd_rename", lang)),
                    _button("bnd-do-recode", text("bnd_recode", lang)),
                    _button("bnd-undo", text("bnd_undo", lang)),
                    _button("bnd-discard", text("bnd_discard", lang), "danger"),
                ],
                className="bnd-tools",
            ),
        ],
        className="bnd-section",
    )


def commit_box(lang: str) -> html.Div:
    return html.Div(
        [
            html.H3(text("bnd_commit", lang)),
            dcc.Textarea(id="bnd-reason", placeholder=text("bnd_reason", lang), maxLength=500, className="bnd-reason"),
            html.Button(
                text("bnd_commit_button", lang), id="bnd-commit", className="bnd-button primary", disabled=True
            ),  # fmt: skip
            html.Div(id="bnd-commit-msg", className="bnd-msg", role="status"),
        ],
        className="bnd-section",
    )


def history_box(lang: str) -> html.Div:
    return html.Div(
        [
            html.H3(text("bnd_history", lang)),
            _field(
                text("bnd_as_of", lang),
                html.Div(
                    [
                        dcc.DatePickerSingle(
                            id="bnd-asof-date",
                            display_format="YYYY-MM-DD",
                            first_day_of_week=1,
                            month_format=text("month_format", lang),
                            placeholder=text("bnd_pick_date", lang),
                            clearable=True,
                        ),  # fmt: skip
                        dcc.Input(
                            id="bnd-asof-time", type="time", step=1, value="00:00:00", className="bnd-input time"
                        ),
                    ],
                    className="bnd-row",
                ),
            ),
            html.Div(id="bnd-asof-note", className="hint"),
            html.Div(id="bnd-versions"),
        ],
        className="bnd-section",
    )


def message(content: str, kind: str = "info") -> html.Div:
    """A one-line message: kind 'info', 'ok' or 'error'."""
    return html.Div(content, className=f"bnd-note {kind}")


def checks(problems: list, describe, lang: str) -> list:
    """The validation list: errors red, warnings amber, pre-existing grey."""
    if not problems:
        return [message(text("bnd_no_problems", lang), "ok")]
    blocking = sum(p.blocks for p in problems)
    items = [html.Li(describe(p, lang), className=f"bnd-problem {_tone(p)}") for p in problems]
    summary = [message(text("bnd_blocking", lang, n=blocking), "error")] if blocking else []
    return [*summary, html.Ul(items, className="bnd-problems")]


def households_table(grids: list, lang: str) -> html.Table:
    """Households of every grid, by code."""
    head = html.Tr([html.Th(text(key, lang)) for key in ("bnd_col_grid", "bnd_col_level", "bnd_col_households")])
    rows = [
        html.Tr([html.Td([g["name"], html.Span(f" {g['code']}", className="code")]),
                 html.Td(text("bnd_level", lang, n=g["level"])), html.Td(g["households"], className="num")])
        for g in sorted(grids, key=lambda g: g["code"])
    ]  # fmt: skip
    return html.Table([html.Thead(head), html.Tbody(rows)], className="bnd-table")


def impact(result: dict, lang: str) -> list:
    """The preview: moves between grids and risk level changes."""
    if not result["moves"] and not result["risk"]:
        return [message(text("bnd_impact_none", lang))]
    return [
        html.H4(text("bnd_moves", lang)),
        _moves_table(result["moves"], lang),
        html.P(text("bnd_persons_note", lang), className="hint", id="bnd-persons-note") if result["moves"] else None,
        html.H4(text("bnd_risk", lang)),
        _risk_table(result["risk"], lang),
        html.P(text("bnd_preview_seconds", lang, s=result.get("seconds", "")), className="hint"),
    ]


def versions(rows: list[dict], lang: str) -> html.Div:
    """Who changed the community's boundaries, when, and why (newest first)."""
    if not rows:
        return message(text("bnd_no_versions", lang))
    items = [
        html.Li(
            [
                html.Div(
                    text("bnd_version", lang, id=r["id"], who=r["author"], when=_when(r["created_at"]), n=r["changes"]),
                    className="bnd-version-head",
                ),  # fmt: skip
                html.Div(r["note"], className="bnd-version-note"),
            ]
        )
        for r in rows
    ]
    return html.Ul(items, className="bnd-versions")


def _moves_table(moves: list[dict], lang: str):
    if not moves:
        return message(text("bnd_no_moves", lang))
    keys = ("bnd_col_move", "bnd_col_buildings", "households", "bnd_col_cases", "bnd_col_persons")
    rows = [
        html.Tr([html.Td([*_grid_name(m["from_name"], m["from_code"]), html.Div("→", className="arrow"),
                          *_grid_name(m["to_name"], m["to_code"])]),
                 *[html.Td(int(m[k] or 0), className="num") for k in ("buildings", "households", "cases_12m")],
                 html.Td(_persons(m, lang), className="num persons")])
        for m in moves
    ]  # fmt: skip
    head = html.Tr([html.Th(text(k, lang), className="num" if i else "") for i, k in enumerate(keys)])
    return html.Table([html.Thead(head), html.Tbody(rows)], className="bnd-table")


def _persons(move: dict, lang: str) -> str:
    """The two grids' published key-person counts, "from → to"; never what the draft moves."""
    return " → ".join(_published(move[key], lang) for key in ("from_key_persons", "to_key_persons"))


def _published(count, lang: str) -> str:
    if count == NEW:
        return text("bnd_persons_new", lang)
    return text("bnd_persons_hidden", lang) if count is None else str(int(count))


def _risk_table(risk: list[dict], lang: str):
    changed = [r for r in risk if r["level_before"] != r["level_after"]]
    if not changed:
        return message(text("bnd_no_risk", lang))
    keys = ("bnd_col_grid", "bnd_col_before", "bnd_col_after")
    rows = [
        html.Tr([html.Td(_grid_name(r["name"], r["code"])), html.Td(_level(r["level_before"], lang)),
                 html.Td(_level(r["level_after"], lang))])
        for r in changed
    ]  # fmt: skip
    return html.Table([html.Thead(html.Tr([html.Th(text(k, lang)) for k in keys])), html.Tbody(rows)],
                      className="bnd-table")  # fmt: skip


def _level(level: str | None, lang: str):
    if level is None:
        return html.Span("—", className="badge none")
    return html.Span(label(LEVEL, level, lang), className=f"badge {level}")


def _grid_name(name: str | None, code: str | None) -> list:
    return [name or "—", html.Br(), html.Span(code or "", className="code")]


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value)[:16]


def _tone(problem) -> str:
    if problem.pre_existing:
        return "old"
    return problem.severity


def _button(id_: str, words: str, kind: str = "") -> html.Button:
    return html.Button(words, id=id_, className=f"bnd-button {kind}".strip(), n_clicks=0)


def _field(caption: str, control) -> html.Div:
    return html.Div([html.Label(caption), control], className="field")
