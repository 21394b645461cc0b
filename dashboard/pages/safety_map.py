"""The safety map page: the filter bar, the map with its layers, and the side panel. The URL
holds the state; `sync_state` turns it into three stores (unit, query, language) and the
controls back into a URL, and every other callback draws from the stores.

A drill step changes the unit: the children's shapes are sent once (`draw_unit`). A filter
change sends only the style table (`colour_map`), the panel and the layers."""

import json

from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dashboard import context
from dashboard.access import may
from dashboard.cache import remembered
from dashboard.components import controls, map_view, map_views, panel
from dashboard.components import quality as quality_panel
from dashboard.i18n import LANGUAGES, dropdown_labels, text
from dashboard.pages import cross_filter, key_person_records, time_control
from dashboard.state import MAX_VALUE_CHARS, build_search, parse_search
from geo import clock
from geo.auth.roles import CASE_DETAILS, KEY_PERSON_RECORDS
from geo.loop import field, quality
from geo.map import areas, cases, compare
from geo.map.scope import scope_grid_ids
from geo.shared.units import children_geojson, micro_grid_outline

HANDLER_NAMES = "SELECT code, CASE WHEN %s = 'en' THEN name_en ELSE name_zh END FROM case_handler"
CONTROL_IDS = ("f-dates", "f-cat", "f-src", "f-st", "f-metric", "f-layers", "f-lang")


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Store(id="unit-store"),
            dcc.Store(id="query-store"),
            # The unit whose shapes the map last received: the charts wait for it, so that
            # plotly (4.7 MB of script) loads after the first map is drawn, not before it.
            dcc.Store(id="map-drawn"),
            dcc.Store(id="lang-store", data="zh"),
            controls.filter_bar(),
            cross_filter.chip_bar(),
            html.Div(id="filter-message", className="note"),
            html.Div(
                [
                    html.Div(
                        [map_view.map_view(), controls.layer_box(), time_control.time_bar()], className="map-column"
                    ),
                    html.Aside(
                        [
                            html.Div(id="unit-message", className="note"),
                            html.Div(id="panel-heading"),
                            html.Div(id="panel-kpis"),
                            html.Div(id="panel-charts"),
                            html.Div(id="panel-top"),
                            # Closure quality is read when opened: a scan of the period's closed cases.
                            html.Details(
                                [
                                    html.Summary(controls.label("quality_title"), id="quality-summary", n_clicks=0),
                                    html.Div(id="panel-quality"),
                                ],
                                id="quality-details",
                                className="quality-details",
                            ),
                            html.Div(id="panel-profile"),
                            # Built per request: only the key-population officer has the panel.
                            *([key_person_records.layout()] if may(KEY_PERSON_RECORDS) else []),
                        ],
                        className="panel",
                    ),
                ],
                className="map-body",
            ),
        ],
        id="map-page",
    )


def register(app, url: str) -> None:
    """Attach the page's callbacks to `app`, reading database `url`."""

    @app.callback(
        Output("url", "search"),
        Output("f-dates", "start_date"),
        Output("f-dates", "end_date"),
        Output("f-cat", "value"),
        Output("f-src", "value"),
        Output("f-st", "value"),
        Output("f-metric", "value"),
        Output("f-layers", "value"),
        Output("f-lang", "value"),
        Output("query-store", "data"),
        Output("filter-message", "children"),
        Input("url", "search"),
        Input("f-dates", "start_date"),
        Input("f-dates", "end_date"),
        Input("f-cat", "value"),
        Input("f-src", "value"),
        Input("f-st", "value"),
        Input("f-metric", "value"),
        Input("f-layers", "value"),
        Input("f-lang", "value"),
        State("unit-store", "data"),
        State("query-store", "data"),
    )
    def sync_state(search, start, end, cats, srcs, sts, metric, layers, lang, unit_now, query_now):
        from_controls = ctx.triggered_id in CONTROL_IDS
        if from_controls:
            state = {
                "unit": unit_now,
                "filter": {"from": start, "to": end, "cat": _joined(cats), "src": _joined(srcs), "st": _joined(sts)},
                "layers": tuple(layers or ()),
                "metric": metric,
                "lang": lang,
            }
        else:
            state = parse_search(search)
        with context.connection(url) as conn:
            query, ignored = context.resolve_query(conn, state["filter"])
        query.update(layers=list(state["layers"]), metric=state["metric"])
        stored = _changed(query, query_now)
        message = text("ignored", state["lang"], what="; ".join(ignored)) if ignored else ""
        if from_controls:
            return [build_search(state) or "?", *[no_update] * 8, stored, message]
        shown = [query["start"], query["end"], query["categories"], query["sources"], query["states"]]
        return [no_update, *shown, state["metric"], list(state["layers"]), state["lang"], stored, message]

    # The unit and the language are read from the address in the browser: the map's shapes
    # are asked for at once, not after a round trip (dashboard/state.py parses the same way).
    app.clientside_callback(
        UNIT_AND_LANGUAGE,
        Output("unit-store", "data"),
        Output("lang-store", "data"),
        Input("url", "search"),
        State("unit-store", "data"),
        State("lang-store", "data"),
    )

    # The case table laid wide over the map, and back (a class toggled in the browser).
    app.clientside_callback(
        "function (clicks) { return clicks % 2 === 1 ? 'case-table wide' : 'case-table'; }",
        Output("case-table-box", "className"),
        Input("case-table-wide", "n_clicks"),
        prevent_initial_call=True,
    )

    # A click on a child area drills into it: the URL changes in the browser, no round trip.
    # The map's click is used, not the areas', so that it also works through the heat image
    # and the case points lying over the areas.
    app.clientside_callback(
        """function (click, shapes, search) {
            var feature = click && window.safetyMap.featureAt(click.latlng, shapes);
            var params = new URLSearchParams(search || '');
            if (!feature || params.get('u') === feature.properties.code) {
                return window.dash_clientside.no_update;
            }
            params.set('u', feature.properties.code);
            return '?' + params.toString();
        }""",
        Output("url", "search", allow_duplicate=True),
        Input("map", "clickData"),
        State("areas", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("areas", "data"),
        Output("unit-outline", "data"),
        Output("map", "viewport"),
        Output("panel-heading", "children"),
        Output("unit-message", "children"),
        Output("map-drawn", "data"),
        Input("unit-store", "data"),
        Input("lang-store", "data"),
        State("map-drawn", "data"),
    )
    def draw_unit(code, lang, drawn_before):
        with context.connection(url) as conn:
            unit, unknown = context.resolve_unit(conn, code)
            if unit is None:
                return map_view.EMPTY, map_view.EMPTY, no_update, html.P(text("empty", lang)), "", ""
            shapes = children_geojson(conn, unit)
            outline = micro_grid_outline(conn, unit)
            risk = areas.latest_risk(conn, [unit.code] if unit.code else []).get(unit.code)
        message = text("not_found", lang, code=code[:40]) if unknown else ""
        # A building alone would fill the screen; zoom 18 keeps its street in view. The first
        # view is set at once: a flight from the map's starting place took 1.6 s before the
        # first map was at rest (bench.dashboard, "first view").
        viewport = {"bounds": unit.bounds, "transition": "flyToBounds", "options": {"maxZoom": 18}}
        if drawn_before is None:
            viewport = {"bounds": unit.bounds, "options": {"maxZoom": 18, "animate": False}}
        heading = panel.heading(unit, map_views.display_name(unit, lang), risk, lang)
        return shapes, outline, viewport, heading, message, unit.code or ""

    @app.callback(
        Output("breadcrumb", "children"),
        Input("unit-store", "data"),
        Input("lang-store", "data"),
        Input("url", "search"),
    )
    def draw_breadcrumb(code, lang, search):
        """Drawn again whenever the address changes: its links keep the dates, filters and
        layers chosen since the drill step."""
        with context.connection(url) as conn:
            unit, _unknown = context.resolve_unit(conn, code)
            path = context.visible_path(conn, unit) if unit else []
        return map_views.breadcrumb(path, search, lang)

    @app.callback(
        Output("areas", "hideout"),
        Output("legend", "children"),
        Output("f-metric", "className"),
        Output("metric-note", "children"),
        Input("unit-store", "data"),
        Input("query-store", "data"),
        Input("lang-store", "data"),
    )
    def colour_map(code, query, lang):
        if query is None:
            return no_update, no_update, no_update, no_update
        hideout, legend = _in_unit(
            url,
            code,
            ({}, []),
            lambda conn, unit: map_views.style_table(conn, unit, query, lang),
            "colour",
            _key(query),
            lang,
        )
        # Below the grid the children are coloured by their cases whatever is chosen: the
        # control says so rather than showing a choice that is not drawn.
        overridden = bool(hideout) and hideout.get("metric") != query.get("metric", "risk")
        note = text("metric_below_grid", lang) if overridden else ""
        return hideout, legend, "metric-overridden" if overridden else "", note

    @app.callback(
        Output("panel-kpis", "children"),
        Output("panel-top", "children"),
        Input("unit-store", "data"),
        Input("query-store", "data"),
        Input("lang-store", "data"),
        State("url", "search"),
    )
    def fill_panel(code, query, lang, search):
        if query is None:
            return no_update, no_update

        def build(conn, unit):
            today, f, scope = clock.today(), context.case_filter(query), context.figure_scope(conn, unit)
            figures = cases.key_figures(conn, unit, f, today, scope)
            if not f.states:  # under a state filter, older cases had longer to change state
                figures["changes"] = compare.changes(conn, unit, f, today, figures, scope)
            top = remembered((url, unit.code, "top"), lambda: areas.top_grids(conn, unit))
            return panel.key_figures(figures, lang), panel.top_grid_list(top, search, lang)

        return _in_unit(url, code, ([], []), build, "panel", _key(query), lang, search)

    @app.callback(
        Output("panel-charts", "children"),
        Input("map-drawn", "data"),
        Input("query-store", "data"),
        Input("lang-store", "data"),
        State("unit-store", "data"),
    )
    def fill_charts(drawn, query, lang, code):
        if drawn is None or query is None:  # the first map is not drawn yet
            return no_update

        def build(conn, unit):
            today, f, scope = clock.today(), context.case_filter(query), context.figure_scope(conn, unit)
            trend = cases.trend(conn, unit, f, today, scope)
            mix = cases.category_mix(conn, unit, f, today, scope)
            names = context.category_names(conn, lang)
            return [panel.trend_chart(trend, lang), panel.category_chart(mix, names, lang)]

        return _in_unit(url, code, [], build, "charts", _key(query), lang)

    @app.callback(
        Output("panel-quality", "children"),
        Input("unit-store", "data"),
        Input("query-store", "data"),
        Input("lang-store", "data"),
        Input("quality-summary", "n_clicks"),
    )
    def show_quality(code, query, lang, clicks):
        if query is None:
            return no_update
        if not (clicks or 0) % 2:  # closed: each click on the summary opens or closes it
            return []

        def build(conn, unit):
            if not (unit.is_area or unit.kind == "grid"):
                return []
            f, grid_ids = context.case_filter(query), scope_grid_ids(conn, unit)
            total, handlers = quality.closure_quality(conn, grid_ids, f.start, f.end)
            escalated = quality.escalations(conn, grid_ids, f.start, f.end)
            names = dict(conn.execute(HANDLER_NAMES, [lang]).fetchall())
            covered = field.coverage(conn, grid_ids)
            return quality_panel.closure_quality(total, handlers, names, escalated, covered, lang)

        return _in_unit(url, code, [], build, "quality", query["start"], query["end"], lang)

    @app.callback(
        Output("heat-layer", "children"),
        *[Output(f"points-{layer}", "data") for layer in map_view.POINT_LAYERS],
        *[Output(f"points-{layer}", "hideout") for layer in map_view.POINT_LAYERS],
        Output("layer-message", "children"),
        Output("point-legend", "children"),
        Input("unit-store", "data"),
        Input("query-store", "data"),
        Input("lang-store", "data"),
    )
    def draw_layers(code, query, lang):
        if query is None:
            return [no_update] * (3 + 2 * len(map_view.POINT_LAYERS))
        empty = [[]] + [map_view.EMPTY] * len(map_view.POINT_LAYERS) + [{}] * len(map_view.POINT_LAYERS) + ["", []]
        return _in_unit(
            url,
            code,
            empty,
            lambda conn, unit: map_views.overlays(conn, unit, query, lang),
            "layers",
            _key(query),
            lang,
            may(CASE_DETAILS),  # the case layer's note differs for a wall screen
        )

    @app.callback(
        Output("panel-profile", "children"),
        Input("unit-store", "data"),
        Input("query-store", "data"),
        Input("lang-store", "data"),
    )
    def show_profile(code, query, lang):
        if query is None:
            return no_update

        def profile(conn, unit):
            return [] if unit.is_area else map_views.unit_profile(conn, unit, query, lang)

        return _in_unit(url, code, [], profile)

    @app.callback(
        Output({"type": "t", "key": ALL}, "children"),
        Output("f-cat", "options"),
        Output("f-src", "options"),
        Output("f-st", "options"),
        Output("f-metric", "options"),
        Output("f-layers", "options"),
        Output("f-cat", "placeholder"),
        Output("f-src", "placeholder"),
        Output("f-st", "placeholder"),
        Output("f-cat", "labels"),
        Output("f-src", "labels"),
        Output("f-st", "labels"),
        Output("f-dates", "month_format"),
        Output("map-search", "placeholder"),
        Input("lang-store", "data"),
    )
    def translate(lang):
        lang = lang or "zh"
        keys = [output["id"]["key"] for output in ctx.outputs_list[0]]
        with context.connection(url) as conn:
            names = context.category_names(conn, lang)
        everything = text("all", lang)
        words = dropdown_labels(lang)
        return (
            [text(key, lang) for key in keys],
            *map_views.control_options(names, lang),
            *[everything] * 3,
            *[words] * 3,
            text("month_format", lang),
            text("search_hint", lang),
        )


UNIT_AND_LANGUAGE = f"""function (search, unitNow, langNow) {{
    var params = new URLSearchParams(search || ''), same = window.dash_clientside.no_update;
    var last = function (key) {{ return params.getAll(key).filter(Boolean).pop(); }};  // as parse_qs: blanks dropped
    var unit = (last('u') || '').slice(0, {MAX_VALUE_CHARS}).trim() || null;
    var lang = last('lang');
    lang = {list(LANGUAGES)!r}.indexOf(lang) >= 0 ? lang : 'zh';
    return [unit === unitNow ? same : unit, lang === langNow ? same : lang];
}}"""


def _in_unit(url: str, code: str | None, empty, build, *key):
    """build(conn, unit) for the unit named in the store (the root for an unknown code), or
    `empty` when the database holds no areas at all. For an area, the answer is remembered
    a short while under `key` (dashboard/cache.py)."""
    with context.connection(url) as conn:
        unit, _ = context.resolve_unit(conn, code)
        if unit is None:
            return empty
        if not key or not unit.is_area:
            return build(conn, unit)
        return remembered((url, unit.code, *key), lambda: build(conn, unit))


def _key(query: dict) -> str:
    return json.dumps(query, sort_keys=True)


def _joined(values) -> str:
    return ",".join(values or [])


def _changed(new, old):
    return no_update if new == old else new
