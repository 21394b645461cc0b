"""The key-population records in the safety map's side panel: the persons of the grid,
micro-grid or building on the map, for a key-population officer, inside the officer's
jurisdiction only. Register with `guarded(app, KEY_PERSON_RECORDS)`, so that a request from
any other role is refused before it reaches these callbacks.

Each read and its audit entry (key_person.view, key_person.export) share one transaction: a
list is never shown without the entry, and the entry names exactly the pseudonyms shown. The
unit comes from the request and is kept inside the jurisdiction (`context.resolve_unit`); the
persons are filtered again by the database's row-level security."""

from dash import Input, Output, State, dcc, html, no_update

from dashboard import access, context
from dashboard.components import key_person_records as records_panel
from geo import clock
from geo.audit.log import record
from geo.map.key_person_records import KeyPersonRecords, has_records, key_person_records

HIDDEN = {"display": "none"}
VIEW, EXPORT = "key_person.view", "key_person.export"


def layout() -> html.Section:
    """The panel's frame, for the side panel of the safety map (only for users who may see
    the records: for anyone else its callbacks would be refused)."""
    return html.Section(
        [
            dcc.Download(id="kpr-download"),
            html.Div(id="kpr-head"),
            html.Button(id="kpr-export", n_clicks=0, className="kpr-export", style=HIDDEN),
            html.Div(id="kpr-body"),
        ],
        id="panel-records",
        className="kpr-panel",
    )


def register(app, url: str) -> None:
    """Attach the panel's callbacks to `app` (a `guarded(app, KEY_PERSON_RECORDS)`), reading
    database `url`."""

    @app.callback(
        Output("kpr-head", "children"),
        Output("kpr-export", "children"),
        Output("kpr-export", "style"),
        Output("kpr-body", "children"),
        Input("unit-store", "data"),
        Input("lang-store", "data"),
    )
    def show_records(code, lang):
        lang = "en" if lang == "en" else "zh"
        head, button = records_panel.heading(lang), records_panel.word("export", lang)
        with context.connection(url) as conn:
            found = _read_audited(conn, code, VIEW)
        if found is None:
            return head, button, HIDDEN, records_panel.hint(lang)
        return head, button, {} if found.records else HIDDEN, records_panel.body(found, lang)

    @app.callback(
        Output("kpr-download", "data"),
        Input("kpr-export", "n_clicks"),
        State("unit-store", "data"),
        State("lang-store", "data"),
        prevent_initial_call=True,
    )
    def export_records(n_clicks, code, lang):
        if not n_clicks:
            return no_update
        with context.connection(url) as conn:
            found = _read_audited(conn, code, EXPORT)
        if found is None or not found.records:
            return no_update
        return records_panel.download(found, "en" if lang == "en" else "zh", clock.today())


def _read_audited(conn, code: str | None, action: str) -> KeyPersonRecords | None:
    """The records of the unit `code` names, with an audit entry `action` in the caller's
    transaction; None (and no entry) when the code names no grid, micro-grid or building
    inside the user's jurisdiction."""
    user = access.signed_in_user()
    if user is None or not isinstance(code, str) or not code:
        return None
    unit, refused = context.resolve_unit(conn, code)
    if refused or not has_records(unit):
        return None
    found = key_person_records(conn, unit)
    detail = {"persons": found.pseudonyms, "count": len(found.records)}
    record(conn, user.username, action, unit.code, detail)
    return found
