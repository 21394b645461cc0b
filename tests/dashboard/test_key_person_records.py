"""The key-population records panel: through the callback endpoint as Dash's renderer calls it
(signed in with the Flask test client), the officer gets the persons of a grid in its
township and an audit entry naming them, nothing of a grid in another township, a CSV export
that is audited too; a leader is refused. And in a real headless Chromium, the officer sees
the table on a grid.

The app is the dashboard's own (`create_app`) with the panel composed in, as the lead's
integration lines do it: the tests pass before and after they are added."""

import base64
import csv
import io
import json
import threading

import pytest
from dash import html
from werkzeug.serving import make_server

from bench.browser import add_demo_users, settle
from dashboard.access import guarded, may
from dashboard.app import create_app
from dashboard.pages import key_person_records
from geo.audit.log import flush
from geo.auth.demo import demo_scopes
from geo.auth.roles import KEY_PERSON_RECORDS
from geo.db.connection import app_database_url, connect
from tests.dashboard.conftest import screenshot, sign_in, signed_in_client

# In a browser, end to end: left out of `make test-fast`.
pytestmark = pytest.mark.slow

CALLBACK = "/_dash-update-component"
VIEW_OUTPUTS = [("kpr-head", "children"), ("kpr-export", "children"), ("kpr-export", "style"), ("kpr-body", "children")]
# Per basic grid: its township and its active key persons (as the owner sees them all).
GRID_PERSONS = """SELECT g.code, t.code, array_agg(k.pseudonym ORDER BY k.pseudonym) FILTER (WHERE k.id IS NOT NULL)
FROM grid_current g JOIN admin_area c ON c.id = g.community_id JOIN admin_area t ON t.id = c.parent_id
JOIN building_assignment a ON a.grid_id = g.id
LEFT JOIN sensitive.key_person k ON k.building_id = a.building_id AND k.active
WHERE g.is_basic GROUP BY 1, 2 ORDER BY count(k.id) DESC, 1"""
AUDIT = "SELECT actor, target, detail FROM audit.log WHERE action = %s ORDER BY id"


def compose(url: str):
    """The dashboard on database `url` with the records panel in the side panel (for those who
    may see it) and its callbacks registered, whether or not the lead's lines already do it."""
    app = create_app(url)
    if "..kpr-head.children...kpr-export.children...kpr-export.style...kpr-body.children.." not in app.callback_map:
        key_person_records.register(guarded(app, KEY_PERSON_RECORDS), app_database_url(url))
        frame = app.layout

        def layout():
            page = frame()
            aside = _find(page, lambda c: isinstance(c, html.Aside))
            if may(KEY_PERSON_RECORDS) and _find(page, lambda c: getattr(c, "id", None) == "panel-records") is None:
                aside.children.append(key_person_records.layout())
            return page

        app.layout = layout
    if _find(app.validation_layout, lambda c: getattr(c, "id", None) == "panel-records") is None:
        app.validation_layout = html.Div([app.validation_layout, key_person_records.layout()])
    return app


def _find(component, wanted):
    if wanted(component):
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found = _find(child, wanted)
            if found is not None:
                return found
    return None


@pytest.fixture
def city(city_db):
    """The city with its demo users; (url, {township: [(grid, pseudonyms)]}, the officer's
    township)."""
    add_demo_users(city_db)
    with connect(city_db) as conn:
        grids = {}
        for grid, township, persons in conn.execute(GRID_PERSONS):
            grids.setdefault(township, []).append((grid, persons or []))
        home = demo_scopes(conn)["township"]
    return city_db, grids, home


def post(client, outputs, inputs, state=(), changed=None):
    """A callback request as Dash's renderer sends it."""
    body = {
        "output": ".." + "...".join(f"{id_}.{prop}" for id_, prop in outputs) + "..",
        "outputs": [{"id": id_, "property": prop} for id_, prop in outputs],
        "inputs": [{"id": id_, "property": prop, "value": value} for id_, prop, value in inputs],
        "state": [{"id": id_, "property": prop, "value": value} for id_, prop, value in state],
        "changedPropIds": [changed or f"{inputs[0][0]}.{inputs[0][1]}"],
    }
    if len(outputs) == 1:
        body["output"] = f"{outputs[0][0]}.{outputs[0][1]}"
        body["outputs"] = body["outputs"][0]
    return client.post(CALLBACK, json=body)


def view(client, code, lang="zh"):
    return post(client, VIEW_OUTPUTS, [("unit-store", "data", code), ("lang-store", "data", lang)])


def export(client, code, lang="zh"):
    return post(
        client,
        [("kpr-download", "data")],
        [("kpr-export", "n_clicks", 1)],
        [("unit-store", "data", code), ("lang-store", "data", lang)],
    )


def audit(url, action):
    """The entries of `action`, after the counted repeats are written (geo/audit/log.py): a
    repeat within a minute is a summary entry."""
    with connect(url) as conn:
        flush(conn, everything=True)
        return conn.execute(AUDIT, [action]).fetchall()


def test_the_officer_sees_and_the_log_names_the_persons_of_a_grid_in_its_township(city):
    url, grids, home = city
    grid, persons = grids[home][0]
    assert persons, "the officer's township has a grid with key persons"
    client = signed_in_client(compose(url), "officer")

    response = view(client, grid)

    assert response.status_code == 200
    answer = response.get_data(as_text=True)
    assert all(pseudonym in answer for pseudonym in persons)
    assert "重点人群名单" in answer and "审计日志" in answer and f"共 {len(persons)} 人" in answer
    [(actor, target, detail)] = audit(url, "key_person.view")
    assert (actor, target) == ("officer", grid)
    assert sorted(detail["persons"]) == persons and detail["count"] == len(persons)

    english = view(client, grid, "en").get_data(as_text=True)
    assert "Key-population records" in english and "audit log" in english
    assert len(audit(url, "key_person.view")) == 2  # every view is recorded


def test_an_area_or_a_grid_of_another_township_shows_no_one(city):
    url, grids, home = city
    other, (grid, persons) = next((t, g[0]) for t, g in grids.items() if t != home and g[0][1])
    client = signed_in_client(compose(url), "officer")

    for code in (grid, other, home, "nothing-like-a-code"):
        response = view(client, code)
        assert response.status_code == 200
        answer = response.get_data(as_text=True)
        assert not any(pseudonym in answer for pseudonym in persons)
        assert "选择网格、微网格或楼栋后显示名单" in answer
    assert export(client, grid).get_data(as_text=True).count("KP") == 0
    assert audit(url, "key_person.view") == [] and audit(url, "key_person.export") == []


def test_a_leader_of_the_same_township_is_refused(city):
    url, grids, home = city
    grid, persons = grids[home][0]
    client = signed_in_client(compose(url), "township")

    for response in (view(client, grid), export(client, grid)):
        assert response.status_code == 403
        assert not any(pseudonym in response.get_data(as_text=True) for pseudonym in persons)
    assert audit(url, "key_person.view") == []
    assert [actor for actor, _target, _detail in audit(url, "access.denied")] == ["township", "township"]


def test_the_export_is_a_csv_excel_reads_and_is_logged(city):
    url, grids, home = city
    grid, persons = grids[home][0]
    client = signed_in_client(compose(url), "officer")

    response = export(client, grid)

    assert response.status_code == 200
    download = json.loads(response.get_data(as_text=True))["response"]["kpr-download"]["data"]
    assert download["filename"].startswith(f"key_persons_{grid}_") and download["filename"].endswith(".csv")
    assert download["type"] == "text/csv" and download["base64"]
    raw = base64.b64decode(download["content"])
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["编号", "类别", "关注等级", "登记日期", "楼栋编码", "标准地址", "单元"]
    assert sorted(row[0] for row in rows[1:]) == persons
    [(actor, target, detail)] = audit(url, "key_person.export")
    assert (actor, target, sorted(detail["persons"]), detail["count"]) == ("officer", grid, persons, len(persons))


@pytest.fixture
def served(city):
    url = city[0]
    server = make_server("127.0.0.1", 0, compose(url).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def open_grid(browser, served, username, grid):
    """A page signed in as `username` on `grid`, recording console problems and the outputs of
    refused callbacks."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.problems, page.refused = [], []
    page.on("console", lambda m: page.problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("response", lambda r: page.refused.append(r.request.post_data_json["output"]) if r.status == 403 else None)
    sign_in(page, served, username, then=f"/?u={grid}")
    settle(page)
    return page


def unexpected_problems(page) -> list[str]:
    # The boundary editor's page callback is refused for every role without the editor
    # (dashboard/app.py keeps its container for everyone): not this panel's to fix.
    assert all(output == "boundaries-page.children" for output in page.refused), page.refused
    known = ("Failed to load resource: the server responded with a status of 403", "boundaries-page.children")
    return [p for p in page.problems if not any(k in p for k in known)]


def test_the_officer_sees_the_table_on_a_grid(browser, served, city):
    url, grids, home = city
    grid, persons = grids[home][0]
    page = open_grid(browser, served, "officer", grid)
    page.evaluate("document.getElementById('panel-records').scrollIntoView()")

    assert page.locator("#panel-records h3").inner_text() == "重点人群名单"
    assert page.locator("#panel-records .kpr-table tbody tr").count() == len(persons)
    assert page.locator("#kpr-export").is_visible()
    screenshot(page, "key_person_records")
    with page.expect_download() as downloaded:
        page.click("#kpr-export")
    assert downloaded.value.suggested_filename.startswith(f"key_persons_{grid}_")
    assert unexpected_problems(page) == []
    assert [target for _actor, target, _detail in audit(url, "key_person.export")] == [grid]
    page.close()


def test_a_leader_gets_no_panel_and_sends_no_refused_request(browser, served, city):
    url, grids, home = city
    page = open_grid(browser, served, "township", grids[home][0][0])
    assert page.locator("#panel-records").count() == 0
    assert page.locator("#panel-profile").count() == 1
    assert unexpected_problems(page) == []
    assert audit(url, "key_person.view") == []
    page.close()
