"""Bad callback input is answered 400, never 500: wrong types where a unit code is expected,
empty or malformed dates, a wall configuration with a non-number poll, envelopes that lack
outputs, inputs or state, and deeply nested JSON, sent to the real callbacks by a signed-in
user. An anonymous body is refused before it is parsed."""

import json

import pytest

from dashboard import callback_input
from dashboard.app import create_app
from tests.dashboard.conftest import add_demo_users, signed_in_client

DEEP = 100_000  # far past Python's recursion limit


@pytest.fixture(scope="module")
def app(city_template, server_url):
    from tests.conftest import copy_database

    for url in copy_database(city_template, server_url):
        add_demo_users(url)
        yield create_app(url)


@pytest.fixture(scope="module")
def client(app):
    return signed_in_client(app, "admin")


def _key(dash_app, fragment: str) -> str:
    """The output key of the one server-side callback whose key contains `fragment`."""
    (key,) = [k for k, cb in dash_app.callback_map.items() if fragment in k and "callback" in cb]
    return key


def envelope(dash_app, fragment: str, values: dict | None = None, changed: list | None = None) -> dict:
    """The body Dash's renderer sends for the callback writing `fragment`, with `values` by
    "id.property" (None for the rest), as if `changed` (default: its first input) had fired."""
    values = values or {}
    key = _key(dash_app, fragment)
    cb = dash_app.callback_map[key]

    def items(specs):
        return [
            {"id": s["id"], "property": s["property"], "value": values.get(f"{s['id']}.{s['property']}")} for s in specs
        ]

    names = key[2:-2].split("...") if key.startswith("..") else [key]
    outputs = [{"id": n.split(".")[0], "property": n.split(".", 1)[1]} for n in names]
    first = cb["inputs"][0]
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": items(cb["inputs"]),
        "state": items(cb["state"]),
        "changedPropIds": changed if changed is not None else [f"{first['id']}.{first['property']}"],
    }


def post(client, body, prefix: str = "/"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(f"{prefix}_dash-update-component", data=data, content_type="application/json")


QUERY = {"start": "2026-10-25", "end": "2026-11-24", "categories": [], "sources": [], "states": [], "layers": []}
CONFIG = {"scope": None, "tour_s": 0, "poll_ms": 5000, "lang": "zh", "timezone": "Asia/Shanghai"}


def test_valid_requests_still_run(app, client):
    """The envelopes below are the renderer's: unchanged, each callback answers."""
    assert post(client, envelope(app, "areas.data", {"lang-store.data": "zh"})).status_code == 200
    good = {"unit-store.data": None, "query-store.data": QUERY, "lang-store.data": "en"}
    assert post(client, envelope(app, "...legend.children", good)).status_code == 200
    dates = {"f-dates.start_date": "2026-11-01", "f-dates.end_date": "2026-11-24", "f-lang.value": "zh"}
    assert post(client, envelope(app, "filter-message", dates, ["f-dates.start_date"])).status_code == 200
    wall = envelope(app.wall_app, "wall-live.data", {"wall-config.data": CONFIG, "wall-poll.n_intervals": 1})
    assert post(client, wall, "/wall/").status_code == 200


def test_a_code_of_any_city_scheme_is_accepted(app, client):
    """Codes are identifiers of up to 64 characters (issue 21): a long code of another city's
    numbering is an unknown unit (the city is shown), not a bad request."""
    for code in ("330102001002001001", "JB-C3-01", "G" * 64):
        response = post(client, envelope(app, "areas.data", {"unit-store.data": code, "lang-store.data": "zh"}))
        assert response.status_code == 200, code


@pytest.mark.parametrize("code", [5, True, {}, -1, ["411802"], "4118\x0002", "x" * 5000])
def test_a_unit_code_of_the_wrong_kind_is_400(app, client, code):
    response = post(client, envelope(app, "areas.data", {"unit-store.data": code, "lang-store.data": "zh"}))
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "bad request"  # no detail


@pytest.mark.parametrize(
    ("start", "end"),
    [("", "2026-11-24"), ("2026-11-01", ""), ("2026-13-45", "2026-11-24"), ("yesterday", None), (20261101, None)],
)
def test_empty_or_malformed_dates_are_400(app, client, start, end):
    dates = {"f-dates.start_date": start, "f-dates.end_date": end, "f-lang.value": "zh"}
    assert post(client, envelope(app, "filter-message", dates, ["f-dates.start_date"])).status_code == 400
    query = {**QUERY, "start": start, "end": end}
    stored = {"unit-store.data": None, "query-store.data": query, "lang-store.data": "zh"}
    assert post(client, envelope(app, "...legend.children", stored)).status_code == 400


@pytest.mark.parametrize("poll", ["fast", None, True, [5000], -1, 1e300])
def test_a_wall_configuration_with_a_bad_poll_is_400(app, client, poll):
    config = {**CONFIG, "poll_ms": poll}
    body = envelope(app.wall_app, "wall-live.data", {"wall-config.data": config, "wall-poll.n_intervals": 1})
    assert post(client, body, "/wall/").status_code == 400


@pytest.mark.parametrize("missing", ["outputs", "inputs", "state", "output"])
def test_an_envelope_missing_a_part_is_400(app, client, missing):
    body = envelope(app, "panel-kpis", {"query-store.data": QUERY, "lang-store.data": "zh"})
    del body[missing]
    assert post(client, body).status_code in ((400, 403) if missing == "output" else (400,))


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b["inputs"].pop(),  # one input short
        lambda b: b["inputs"].reverse(),  # in another order
        lambda b: b.update(outputs=b["outputs"][:1]),  # outputs of another callback
        lambda b: b.update(changedPropIds=["{not json"]),  # ctx.triggered_id would parse it
        lambda b: b.update(state={"url": "?"}),
    ],
)
def test_an_envelope_that_does_not_match_its_callback_is_400(app, client, change):
    body = envelope(app, "panel-kpis", {"query-store.data": QUERY, "lang-store.data": "zh"})
    change(body)
    assert post(client, body).status_code == 400


def test_deeply_nested_json_is_400_when_signed_in(client):
    assert post(client, "[" * DEEP + "]" * DEEP).status_code == 400
    nested = '{"output": "panel-profile.children", "inputs": ' + "[" * 50 + "]" * 50 + "}"
    assert post(client, nested).status_code == 400
    assert post(client, b"\xff not json").status_code == 400


@pytest.mark.parametrize("prefix", ["/", "/wall/"])
def test_an_anonymous_body_is_refused_before_it_is_parsed(app, prefix):
    anonymous = app.server.test_client()
    response = post(anonymous, "[" * DEEP + "]" * DEEP, prefix)
    assert response.status_code == 401


def test_every_server_side_callback_input_has_a_rule(app):
    for dash_app in (app, app.wall_app):
        for key, cb in dash_app.callback_map.items():
            if "callback" not in cb:
                continue
            for spec in cb["inputs"] + cb["state"]:
                assert (spec["id"], spec["property"]) in callback_input.RULES, (key, spec)
