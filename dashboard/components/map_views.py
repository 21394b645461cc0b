"""The safety map's views built from geo.map: the breadcrumb, the style table and legend of
the children, the overlays (heat image, point layers) and the profile of a grid, micro-grid
or building. Called by the callbacks in safety_map.py."""

from urllib.parse import urlencode

import dash_leaflet as dl
import numpy as np
from dash import dcc, html

from dashboard import access, context
from dashboard.cache import remembered
from dashboard.components import map_view, profile
from dashboard.i18n import KIND, LEVEL, SOURCE, STATE, label, pick, text
from dashboard.state import LAYERS, METRICS, with_unit
from geo import clock
from geo.auth.roles import CASE_DETAILS
from geo.map import areas, cases, points
from geo.map.heat import RAMP, heat_box
from geo.risk.score import from_score
from geo.settings import get_settings
from geo.shared.units import children_codes

CASE_COLOURS = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
PERSON_COLOURS = ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"]
RISK_ORDER = ("red", "orange", "yellow", "blue")
RISK_COLOURS = {"red": "#d7301f", "orange": "#fc8d59", "yellow": "#fdd835", "blue": "#6fa8dc"}
# The points' fill colours (sent to assets/safety_map.js in each point layer's hideout) and the legend's.
POINT_COLOURS = {
    "open": "#f57c00", "overdue": "#c62828", "closed": "#78909c",
    "places": "#6a1b9a", "cameras": "#00838f", "centres": "#2e7d32",
}  # fmt: skip
LEVEL_THRESHOLDS = "SELECT config->'levels' FROM risk_run ORDER BY as_of DESC, id DESC LIMIT 1"
POINT_RADIUS = {"cases": 5, "places": 5, "cameras": 4, "centres": 7}


def breadcrumb(path, search: str, lang: str) -> list:
    """Links up the path (市 › 县 › 街道 › 社区 › 网格 › 微网格 › 楼栋); the last is the unit."""
    items = []
    for index, unit in enumerate(path):
        name = display_name(unit, lang)
        if index:
            items.append(html.Span("›", className="sep"))
        if index == len(path) - 1:
            items.append(html.Span(name, className="current", title=label(KIND, unit.kind, lang)))
        else:
            items.append(dcc.Link(name, href=with_unit(search, unit.code), title=label(KIND, unit.kind, lang)))
    return items


def display_name(unit, lang: str) -> str:
    """The unit's name; a micro-grid, which has none, by kind and number ("微网格 006")."""
    return f"{label(KIND, 'micro_grid', lang)} {unit.name}" if unit.kind == "micro_grid" else unit.name


def style_table(conn, unit, query: dict, lang: str) -> tuple[dict, list]:
    """The hideout of the children's layer ({metric, values per code, breaks, colours, words,
    selected}) and the legend for it."""
    f = context.case_filter(query)
    counts = cases.child_case_counts(conn, unit, f, clock.today(), context.figure_scope(conn, unit))
    codes = _child_codes(conn, unit, counts)
    risk = areas.latest_risk(conn, codes)
    # Key persons and risk do not follow the case filters: remembered per unit, not per filter.
    persons = remembered((conn.info.dbname, unit.code, "persons"), lambda: areas.child_key_persons(conn, unit))
    # Below the grid (micro-grids, buildings) there are neither risk scores nor key-person
    # counts per child: those children are coloured by their cases.
    metric = query.get("metric", "risk") if unit.is_area else "cases"
    values = {}
    for code in codes:
        entry = {"c": counts.get(code, {}).get("cases", 0), "o": counts.get(code, {}).get("overdue", 0)}
        if code in risk:
            entry.update(lv=risk[code]["level"], rr=round(float(risk[code]["relative_risk"]), 1))
        if unit.is_area:
            entry["p"] = persons.get(code)
        values[code] = entry
    shown = [v.get("p" if metric == "persons" else "c") for v in values.values()]
    breaks = _breaks([x for x in shown if x is not None]) if metric != "risk" else []
    colours = _spread(PERSON_COLOURS if metric == "persons" else CASE_COLOURS, len(breaks) + 1)
    hideout = {
        "metric": metric,
        "values": values,
        "breaks": breaks,
        "colours": colours,
        "selected": unit.code if unit.kind == "building" else None,
        "heat": "heat" in (query.get("layers") or []),
        "words": _words(lang),
    }
    thresholds = _level_thresholds(conn) if metric == "risk" else {}
    return hideout, _legend(metric, breaks, colours, query.get("layers") or [], thresholds, lang)


def overlays(conn, unit, query: dict, lang: str) -> list:
    """[heat layer children, *points data per layer, *points hideout per layer, note, legend of
    the points drawn]."""
    layers = set(query.get("layers") or [])
    f = context.case_filter(query)
    heat, notes = [], []
    single_cases = access.may(CASE_DETAILS)  # a wall screen sees cases only over areas
    if "heat" in layers and not unit.is_area and not single_cases:
        notes.append(text("cases_not_for_role", lang))
    elif "heat" in layers:
        box = heat_box(unit)
        params = {"u": unit.code or "", "from": query["start"], "to": query["end"]}
        params.update(
            {
                k: ",".join(query[n])
                for k, n in (("cat", "categories"), ("src", "sources"), ("st", "states"))
                if query[n]
            }
        )
        heat = [
            dl.ImageOverlay(
                url="/map/heat.png?" + urlencode(params, safe=","),
                bounds=[[box["south"], box["west"]], [box["north"], box["east"]]],
                opacity=0.85,
            )
        ]
    point_data = []
    for layer in map_view.POINT_LAYERS:
        shown = None
        if layer in layers and layer == "cases" and not single_cases:
            notes.append(text("cases_not_for_role", lang))
        elif layer in layers and layer == "cases":
            shown = cases.case_points(conn, unit, f, clock.today()) if not unit.is_area else None
            if shown is None:
                notes.append(text("cases_from_grid", lang))
        elif layer in layers:
            shown = points.layer_points(conn, layer, unit)
            if shown is None:
                notes.append(text("points_from_county", lang))
        point_data.append(shown or map_view.EMPTY)
    hideouts = [
        {
            "layer": layer,
            "radius": POINT_RADIUS[layer],
            "colours": POINT_COLOURS,
            "words": _point_words(conn, layer, lang),
        }
        for layer in map_view.POINT_LAYERS
    ]
    drawn = [layer for layer, data in zip(map_view.POINT_LAYERS, point_data, strict=True) if data["features"]]
    return [heat, *point_data, *hideouts, " ".join(dict.fromkeys(notes)), point_legend(drawn, lang)]


def unit_profile(conn, unit, query: dict, lang: str) -> list:
    """Risk, facts, key persons (counts) and cases of a grid; facts, key persons and cases of
    a building; cases of a micro-grid."""
    f = context.case_filter(query)
    sections = []
    kp_names = context.key_person_category_names(conn, lang)
    if unit.kind == "grid":
        risk = areas.latest_risk(conn, [unit.code]).get(unit.code)
        facts = areas.grid_profile(conn, unit.code)
        sections += [profile.risk_section(risk, lang), profile.grid_facts(facts, lang)]
        sections.append(profile.key_person_counts(areas.key_persons_by_category(conn, unit), kp_names, lang))
    elif unit.kind == "building":
        facts = areas.building_profile(conn, unit.code)
        sections.append(profile.building_facts(facts, lang))
        sections.append(profile.key_persons_not_per_building(lang))
    if access.may(CASE_DETAILS):  # a wall screen shows no case one by one
        table = cases.case_table(conn, unit, f, clock.today())
        sections.append(profile.case_table(table, context.category_names(conn, lang), lang, cases.TABLE_LIMIT))
    return sections


def control_options(category_names: dict[str, str], lang: str) -> list:
    """Options of the category, source, state, colouring and layer controls in `lang`."""
    return [
        [{"label": name, "value": code} for code, name in category_names.items()],
        [{"label": pick(pair, lang), "value": code} for code, pair in SOURCE.items()],
        [{"label": pick(pair, lang), "value": code} for code, pair in STATE.items()],
        [{"label": text(f"metric_{metric}", lang), "value": metric} for metric in METRICS],
        [{"label": text(f"layer_{layer}", lang), "value": layer} for layer in LAYERS],
    ]


def _child_codes(conn, unit, counts: dict) -> list[str]:
    return children_codes(conn, unit) or list(counts)


def _breaks(values: list[int]) -> list[int]:
    """Up to four upper class limits (five classes) at quantiles of the shown values, each
    limit once and below the largest value. Zero is a class of its own, so that an area
    without cases is never coloured like one with some."""
    if not values or max(values) == 0:
        return []
    limits = {int(round(x)) for x in np.quantile(values, [0.2, 0.4, 0.6, 0.8])}
    if 0 in values:
        limits.add(0)
    below_max = sorted(x for x in limits if x < max(values))
    # All values equal: they get the darkest class, not the lightest.
    return below_max[-4:] or [max(values) - 1]


def _spread(palette: list[str], classes: int) -> list[str]:
    """`classes` colours spread over the palette, its lightest and darkest included."""
    if classes >= len(palette):
        return palette
    if classes == 1:
        return palette[:1]
    return [palette[round(i)] for i in np.linspace(0, len(palette) - 1, classes)]


def _words(lang: str) -> dict:
    return {
        "risk": text("risk_times", lang, risk="{risk}"),  # filled in by the page
        "cases": text("kpi_cases", lang),
        "overdue": text("kpi_overdue", lang),
        "persons": text("metric_persons", lang),
        "suppressed": text("legend_kp_hidden", lang, k=get_settings().small_count_k),
        "levels": {level: pick(LEVEL[level], lang) for level in RISK_ORDER},
    }


def _point_words(conn, layer: str, lang: str) -> dict:
    if layer == "cases":
        return {"kinds": context.category_names(conn, lang), "states": {k: pick(v, lang) for k, v in STATE.items()}}
    return {}


def _level_thresholds(conn) -> dict[str, float]:
    """Each level's lowest relative risk, from the score thresholds the latest risk run used
    (score = 100·(1 − 2^−risk), geo/risk/score.py); empty before any run."""
    row = conn.execute(LEVEL_THRESHOLDS).fetchone()
    if not row or not row[0]:
        return {}
    return {level: float(from_score(score)) for level, score in row[0].items() if float(score) < 100}


def _legend(metric: str, breaks: list[float], colours: list[str], layers, thresholds: dict, lang: str) -> list:
    if metric == "risk":
        title = text("legend_risk", lang)
        items = [(RISK_COLOURS[level], _level_words(level, thresholds, lang)) for level in RISK_ORDER]
        items.append(("#e6e6e6", text("no_risk", lang)))
    else:
        title = text("legend_persons" if metric == "persons" else "legend_cases", lang)
        items = _class_items(breaks, colours)
        if metric == "persons":
            items.append(("#e6e6e6", text("legend_kp_hidden", lang, k=get_settings().small_count_k)))
    rows = [
        html.Div([html.Span(className="swatch", style={"background": c}), html.Span(t)], className="legend-row")
        for c, t in items
    ]
    legend = [html.Div(title, className="legend-title"), *rows]
    if "heat" in layers:
        ramp = ", ".join(f"rgb{colour}" for colour in RAMP)
        legend += [
            html.Div(text("legend_heat", lang), className="legend-title"),
            html.Div(className="heat-ramp", style={"background": f"linear-gradient(to right, {ramp})"}),
        ]
    return legend


def _level_words(level: str, thresholds: dict, lang: str) -> str:
    """ "红 ≥ 2.0 倍（需统计支持）", "蓝 < 1.25 倍": a level with the relative risk it starts at."""
    name = pick(LEVEL[level], lang)
    if not thresholds:
        return name
    if level == "blue":
        return text("legend_level_below", lang, level=name, risk=f"{thresholds['yellow']:.2f}".rstrip("0").rstrip("."))
    words = "legend_level_red" if level == "red" else "legend_level_from"
    return text(words, lang, level=name, risk=f"{thresholds[level]:.2f}".rstrip("0").rstrip("."))


def point_legend(drawn, lang: str) -> list:
    """A swatch per kind of point drawn: cases by state, key places, cameras, centres (their
    colours are assets/safety_map.js's POINT_COLOUR)."""
    layers, items = set(drawn), []
    if "cases" in layers:
        items += [(POINT_COLOURS[state], pick(STATE[state], lang)) for state in ("open", "overdue", "closed")]
    items += [
        (POINT_COLOURS[layer], text(f"layer_{layer}", lang))
        for layer in ("places", "cameras", "centres")
        if layer in layers
    ]
    if not items:
        return []
    rows = [
        html.Div([html.Span(className="dot", style={"background": c}), html.Span(t)], className="legend-row")
        for c, t in items
    ]
    return [html.Div(text("legend_points", lang), className="legend-title"), *rows]


def _class_items(breaks: list[int], colours: list[str]) -> list[tuple[str, str]]:
    """Legend rows '0–3', '4–9', …, '≥ 10' for the count classes."""
    if not breaks:
        return [(colours[0], "0")]
    items, low = [], 0
    for colour, high in zip(colours, breaks, strict=False):
        items.append((colour, f"{low}–{high}" if high > low else f"{low}"))
        low = high + 1
    items.append((colours[-1], f"≥ {low}"))
    return items
