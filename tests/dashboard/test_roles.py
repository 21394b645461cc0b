"""Each demo role signs in and sees exactly its scope: the map opens on its jurisdiction, the
header offers the pages it may open, a wall screen gets no single case."""

import re

import pytest

from dashboard.app import create_app
from geo.auth.demo import DEMO_USERS, demo_scopes
from geo.db.connection import connect
from tests.dashboard.conftest import add_demo_users, signed_in_client

NAV = {
    "boundaries": "/boundaries", "overview": "/overview", "data": "/data", "wall": "/wall/", "cases": "/cases",
    "phone": "/m",
}  # fmt: skip
PAGES = {  # the header's links each role gets
    "wall": {"wall"},
    "leader": {"overview", "wall"},
    "township": {"overview", "wall"},
    "gridworker": {"phone"},
    "dispatcher": {"cases", "overview", "wall"},
    "planner": {"boundaries", "overview"},
    "officer": {"overview"},
    "admin": {"boundaries", "overview", "data", "wall"},
}


@pytest.fixture(scope="module")
def app(demo_db):
    add_demo_users(demo_db)
    return create_app(demo_db)


@pytest.fixture(scope="module")
def scopes(demo_db) -> dict:
    with connect(demo_db) as conn:
        root = conn.execute("SELECT code FROM admin_area WHERE parent_id IS NULL").fetchone()[0]
        return {**demo_scopes(conn), None: root}


@pytest.mark.parametrize(("username", "scope"), [(user[0], user[3]) for user in DEMO_USERS])
def test_the_map_opens_on_the_users_jurisdiction(app, scopes, username, scope):
    client = signed_in_client(app, username)
    answer = client.post("/_dash-update-component", json=_draw_unit(app, None)).get_json()["response"]
    assert f"· {scopes[scope]}" in str(answer["panel-heading"]["children"])
    links = set(
        re.findall(r'"href":"([^"]*)"', client.get("/_dash-layout").get_data(as_text=True).replace("\\u002f", "/"))
    )
    assert {page for page, href in NAV.items() if href in links} == PAGES[username]
    # The wall's change stamp, like the wall, for the roles that have it only.
    stamp = client.get("/wall/changes")
    assert (stamp.status_code == 200) == ("wall" in PAGES[username]), (username, stamp.status_code)


def test_a_wall_screen_gets_no_heat_over_a_grid(app, scopes):
    wall, leader = signed_in_client(app, "wall"), signed_in_client(app, "leader")
    grid = scopes["grid"]
    assert wall.get(f"/map/heat.png?u={grid}").status_code == 403
    assert wall.get(f"/map/heat.png?u={scopes['county']}").status_code == 200
    assert leader.get(f"/map/heat.png?u={grid}").status_code == 200


def _draw_unit(app, code) -> dict:
    key = next(k for k in app.callback_map if "panel-heading.children" in k)
    outputs = [("areas", "data"), ("unit-outline", "data"), ("map", "viewport"), ("panel-heading", "children"),
               ("unit-message", "children"), ("map-drawn", "data")]  # fmt: skip
    return {
        "output": key,
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [
            {"id": "unit-store", "property": "data", "value": code},
            {"id": "lang-store", "property": "data", "value": "zh"},
        ],  # fmt: skip
        "state": [{"id": "map-drawn", "property": "data", "value": None}],
        "changedPropIds": ["unit-store.data"],
    }
