"""The profile under the figures: for a grid its risk and why, staff, key persons (counts
only), cameras and cases; for a building its address, units, key persons and cases; for a
micro-grid its cases. Texts from the data are passed as text, never as HTML."""

from dash import dash_table, html

from dashboard.components.risk_figures import multiple, risk_interval, short_change
from dashboard.i18n import BUILDING_KIND, LEVEL, SOURCE, STAFF_ROLE, STATE, label, pick, text
from geo.settings import get_settings

TABLE_COLUMNS = ("code", "time", "category", "source", "state", "summary", "address")


def risk_section(risk: dict | None, lang: str) -> html.Div:
    """The relative risk with its interval, level and changes, the plain explanation, and the
    statisticians' figures (score, Gi* z, q) behind a details toggle."""
    if not risk:
        return html.Div(text("no_risk", lang), className="hint")
    facts = [
        html.Span(
            multiple(risk["relative_risk"], lang), className=f"badge {risk['level']}", title=text("risk_multiple", lang)
        ),
        html.Span(
            f"{text('interval', lang)} {risk_interval(risk.get('risk_low'), risk.get('risk_high'), lang)}",
            className="hint",
        ),
        html.Span(pick(LEVEL[risk["level"]], lang), className="level-word"),
    ]
    for key in ("risk_trend_week", "risk_trend_month"):
        shown, direction = short_change(risk["relative_risk"], risk.get(key))
        facts.append(html.Span(f"{text(key, lang)} {shown}", className=f"trend {direction}"))
    if risk.get("hotspot") == "hot":
        facts.append(html.Span(text("hotspot", lang), className="badge hot"))
    explanation = risk["explanation_en"] if lang == "en" else risk["explanation_zh"]
    return html.Div(
        [
            html.Div(facts, className="risk-facts"),
            html.H4(text("why", lang)),
            html.P(explanation, className="why"),
            _statistics(risk, lang),
        ],
        className="risk-section",
        id="risk-explanation",
    )


def _statistics(risk: dict, lang: str) -> html.Details:
    """The score on 0–100 (what the levels are cut on), its changes in points, and the hotspot
    statistics, for whoever wants to check the method (README, "Risk scores")."""
    rows = [
        (text("score", lang), f"{risk['score']:.1f} ({risk['score_low']:.1f}–{risk['score_high']:.1f})"),
        (text("score_change", lang), " / ".join(_points(risk.get(key)) for key in ("trend_week", "trend_month"))),
    ]
    if _known(risk.get("gi_z")):
        rows.append(("Gi* z", f"{risk['gi_z']:.2f}"))
    if _known(risk.get("gi_q")):
        rows.append((text("fdr_q", lang), f"{risk['gi_q']:.3g}"))
    return html.Details([html.Summary(text("statistics", lang)), _facts(rows)], className="risk-details")


def _points(change) -> str:
    return f"{round(change, 1) + 0.0:+.1f}" if _known(change) else "–"


def _known(value) -> bool:
    return value is not None and value == value  # NaN: no earlier score, or not a grid


def grid_facts(profile: dict, lang: str) -> html.Div:
    rows = [
        (text("community", lang), profile.get("community") or "–"),
        (text("households", lang), f"{profile['households']:,}"),
        (text("micro_grids", lang), profile["micro_grids"]),
        (text("cameras", lang), profile["cameras"]),
        (text("key_places", lang), profile["key_places"]),
    ]
    staff = [
        html.Li(text("staff_line", lang, role=label(STAFF_ROLE, s["role"], lang), name=s["name"]))
        for s in profile["staff"]
    ]
    return html.Div(
        [_facts(rows), html.H4(text("staff", lang)), html.Ul(staff or [html.Li(text("none", lang))], className="staff")]
    )


def building_facts(profile: dict, lang: str) -> html.Div:
    rows = [
        (text("address", lang), profile["standard_address"]),
        (text("building_kind", lang), label(BUILDING_KIND, profile["kind"], lang)),
        (text("floors", lang), profile["floors"]),
        (text("households", lang), f"{profile['households']:,}"),
    ]
    units = dash_table.DataTable(
        data=profile["units"],
        columns=[
            {"id": "unit_no", "name": text("unit_no", lang)},
            {"id": "floors", "name": text("floors", lang)},
            {"id": "households", "name": text("households", lang)},
        ],
        style_as_list_view=True,
        style_cell={"textAlign": "left", "fontFamily": "inherit", "fontSize": 13, "padding": "4px 8px"},
        style_header={"fontWeight": "600", "backgroundColor": "#f0f4f8"},
    )
    return html.Div([_facts(rows), html.H4(text("units", lang)), units], id="building-facts")


def key_person_counts(counts: dict, names: dict[str, str], lang: str) -> html.Div:
    """Counts per category of a grid; a hidden count (below k, or hidden so that none can be
    worked out from the totals) is shown as hidden, the two alike."""
    k = get_settings().small_count_k
    rows = [
        (names.get(category, category), text("kp_hidden", lang, k=k) if persons is None else persons)
        for category, persons in counts.items()
    ]
    body = _facts(rows) if rows else html.Div(text("none", lang), className="hint")
    return html.Div([html.H4(text("key_persons", lang)), body], id="key-person-counts")


def key_persons_not_per_building(lang: str) -> html.Div:
    """A building's key-person section: a note and no numbers (a building's counts are too
    fine to protect)."""
    body = html.Div(text("kp_not_per_building", lang), className="hint")
    return html.Div([html.H4(text("key_persons", lang)), body], id="key-person-counts")


def case_table(frame, category_names: dict[str, str], lang: str, limit: int) -> html.Div:
    """The cases as a table with a filter row and sorting (in the browser, on these rows)."""
    records = [
        {
            "code": row["code"],
            "time": row["reported_at"].strftime("%Y-%m-%d %H:%M"),
            "category": category_names.get(row["category"], row["category"]),
            "source": label(SOURCE, row["source"], lang),
            "state": label(STATE, row["state"], lang),
            "summary": row["summary"],
            "address": row["address"] or "",
        }
        for row in frame.to_dict("records")
    ]
    table = dash_table.DataTable(
        id="case-table",
        data=records,
        columns=[{"id": key, "name": text(f"col_{key}", lang)} for key in TABLE_COLUMNS],
        filter_action="native",
        filter_options={"placeholder_text": text("table_filter", lang)},
        sort_action="native",
        page_size=12,
        style_table={"overflowX": "auto"},
        style_cell={
            "textAlign": "left",
            "fontFamily": "inherit",
            "fontSize": 12,
            "padding": "4px 6px",
            "maxWidth": 260,
            "overflow": "hidden",
            "textOverflow": "ellipsis",
            "whiteSpace": "nowrap",
        },
        style_header={"fontWeight": "600", "backgroundColor": "#f0f4f8"},
        tooltip_data=[{"summary": {"value": r["summary"], "type": "text"}} for r in records],
        tooltip_duration=None,
    )
    title = text("cases_table_title", lang, table=text("cases_table", lang), limit=text("table_limit", lang, n=limit))
    # The panel is narrow for seven columns: the button lays the table over the map, wide.
    wide = html.Button(text("table_wide", lang), id="case-table-wide", className="table-wide", n_clicks=0)
    return html.Div(
        [html.Div([html.H4(title), wide], className="table-head"), table], className="case-table", id="case-table-box"
    )


def _facts(rows) -> html.Table:
    return html.Table(html.Tbody([html.Tr([html.Th(name), html.Td(value)]) for name, value in rows]), className="facts")
