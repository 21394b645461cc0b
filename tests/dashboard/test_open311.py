"""The Open311 intake driven by a real client (georeport, from PyPI) where it can (services and
reads; it has no call for posting, so posts are form-encoded by hand as the specification
shows), against the app served on a copy of the demo city."""

import hashlib
import secrets
import threading

import pytest
import requests
from georeport import GeoReport

from geo.db.connection import connect
from tests.conftest import copy_database
from tests.dashboard.conftest import serve

COUNT_FROM = "SELECT count(*) FROM cases WHERE intake_source = %s"


@pytest.fixture(scope="module")
def served(city_template, server_url):
    for url in copy_database(city_template, server_url):
        for base in serve(url):
            yield url, base + "open311/v2"


def add_source(url: str, code: str, channel: str = "hotline_12345") -> str:
    key = secrets.token_urlsafe(24)
    with connect(url) as conn, conn.transaction():
        conn.execute("INSERT INTO intake_source (code, name, key_hash, channel) VALUES (%s, %s, %s, %s)",
                     [code, code, hashlib.sha256(key.encode()).hexdigest(), channel])  # fmt: skip
    return key


@pytest.fixture(scope="module")
def hotline(served):
    return add_source(served[0], "hotline")


@pytest.fixture(scope="module")
def spot(served) -> tuple[float, float, str]:
    """A point inside a basic grid of the city (lat, long) and the grid's code."""
    with connect(served[0]) as conn:
        return conn.execute(
            "SELECT ST_Y(p), ST_X(p), code FROM (SELECT ST_PointOnSurface(geom) p, code FROM grid_current"
            " WHERE is_basic ORDER BY code LIMIT 1) g"
        ).fetchone()


def post(root: str, **form) -> requests.Response:
    return requests.post(f"{root}/requests.json", data=form, timeout=30)


def count(url: str, source: str = "hotline") -> int:
    with connect(url) as conn:
        return conn.execute(COUNT_FROM, [source]).fetchone()[0]


def test_the_service_list_is_the_catalogue(served):
    url, root = served
    listed = GeoReport(root).get_service_list()
    with connect(url) as conn:
        codes = {c for (c,) in conn.execute("SELECT code FROM case_category WHERE NOT unclassified")}
    assert {s["service_code"] for s in listed} == codes
    assert all(s["service_name"] and s["type"] == "realtime" and s["metadata"] is False for s in listed)


def test_a_posted_request_is_received_placed_and_followed_by_its_id(served, hotline, spot):
    url, root = served
    lat, lon, grid = spot
    response = post(root, api_key=hotline, service_code="dispute_neighbour", lat=lat, long=lon,
                    description="楼上深夜噪音扰民", email="someone@example.com", first_name="张")  # fmt: skip
    assert response.status_code == 201, response.text
    request_id = response.json()[0]["service_request_id"]
    public = GeoReport(root).get_service_request(request_id)  # no key: the status only
    assert public["status"] == "open" and public["status_notes"] == "受理"
    assert "description" not in public and "lat" not in public
    with connect(url) as conn:
        stored = conn.execute(
            """SELECT c.summary, c.source, c.status, g.code, e.action, c.summary LIKE '%%example%%'
               FROM cases c JOIN case_assignment a ON a.case_id = c.id JOIN grid g ON g.id = a.grid_id
               JOIN case_event e ON e.case_id = c.id WHERE c.intake_ref = %s""",
            [request_id],
        ).fetchone()
    assert stored == ("楼上深夜噪音扰民", "hotline_12345", "accepted", grid, "receive", False)
    own = requests.get(f"{root}/requests/{request_id}.json", params={"api_key": hotline}, timeout=30).json()[0]
    assert own["description"] == "楼上深夜噪音扰民" and abs(own["lat"] - lat) < 1e-6
    listed = GeoReport(root).get_service_requests(service_request_id=request_id)
    assert [r["service_request_id"] for r in listed] == [request_id]


@pytest.mark.parametrize(
    "form, status, reason",
    [
        ({"service_code": "dispute_neighbour", "lat": "33.5", "long": "113.9"}, 400, "description"),
        ({"description": "x", "lat": "33.5", "long": "113.9"}, 400, "service_code"),
        ({"service_code": "no_such_service", "description": "x", "lat": "33.5", "long": "113.9"}, 400, "category"),
        ({"service_code": "dispute_neighbour", "description": "x"}, 400, "location"),
        ({"service_code": "dispute_neighbour", "description": "x", "lat": "abc", "long": "113.9"}, 400, "number"),
        ({"service_code": "dispute_neighbour", "description": "x", "lat": "95", "long": "113.9"}, 400, "range"),
        ({"service_code": "dispute_neighbour", "description": "x", "lat": "nan", "long": "113.9"}, 400, "range"),
        ({"service_code": "dispute_neighbour", "description": "x", "lat": "33.5"}, 400, "together"),
        ({"service_code": "dispute_neighbour", "description": "x", "lat": "48.85", "long": "2.35"}, 400, "China"),
        (
            {"service_code": "dispute_neighbour", "description": "长" * 2001, "lat": "33.5", "long": "113.9"},
            400,
            "2000",
        ),
    ],
)
def test_bad_posts_are_refused_with_the_reason_and_store_nothing(served, hotline, form, status, reason):
    url, root = served
    before = count(url)
    response = post(root, api_key=hotline, **form)
    assert response.status_code == status
    assert reason in response.json()[0]["description"]
    assert count(url) == before


def test_a_wrong_or_missing_key_is_refused(served, spot):
    url, root = served
    lat, lon, _grid = spot
    for key in ("not-a-key", ""):
        response = post(root, api_key=key, service_code="dispute_neighbour", lat=lat, long=lon, description="x")
        assert response.status_code == 403
    assert requests.get(f"{root}/requests.json", timeout=30).status_code == 403  # no listing without a key
    assert requests.get(f"{root}/requests.json", params={"api_key": "nope"}, timeout=30).status_code == 403


def test_a_source_lists_its_own_requests_and_sees_only_the_status_of_others(served, hotline, spot):
    url, root = served
    lat, lon, _grid = spot
    police = add_source(url, "police", "police_110")
    theirs = post(root, api_key=police, service_code="public_order", lat=lat, long=lon, description="聚众").json()
    ours = post(root, api_key=hotline, service_code="hazard_fire", lat=lat, long=lon, description="楼道堆物").json()
    listed = requests.get(f"{root}/requests.json", params={"api_key": hotline}, timeout=30).json()
    ids = {r["service_request_id"] for r in listed}
    assert ours[0]["service_request_id"] in ids and theirs[0]["service_request_id"] not in ids
    other = requests.get(f"{root}/requests/{theirs[0]['service_request_id']}.json", params={"api_key": hotline},
                         timeout=30).json()[0]  # fmt: skip
    assert "description" not in other and other["status"] == "open"


def test_a_burst_of_posts_is_taken_without_loss(served, hotline, spot):
    # 400 here, from 8 clients at once; `python -m bench.loop` posts 1,000 and checks the same.
    url, root = served
    lat, lon, _grid = spot
    before, total, threads = count(url), 400, 8
    answers: list[int] = []

    def send(share: int) -> None:
        with requests.Session() as session:
            for i in range(share):
                form = {"api_key": hotline, "service_code": "service_request", "lat": lat, "long": lon,
                        "description": f"路灯不亮 {i}"}  # fmt: skip
                answers.append(session.post(f"{root}/requests.json", data=form, timeout=60).status_code)

    workers = [threading.Thread(target=send, args=(total // threads,)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert answers.count(201) == total
    assert count(url) - before == total


def test_a_request_is_found_by_its_id_however_old(served, hotline, spot):
    url, root = served
    lat, lon, _grid = spot
    request_id = post(root, api_key=hotline, service_code="dispute_neighbour", lat=lat, long=lon,
                      description="旧诉求").json()[0]["service_request_id"]  # fmt: skip
    with connect(url) as conn, conn.transaction():
        conn.execute("UPDATE cases SET reported_at = reported_at - interval '200 days', deadline = deadline - "
                     "interval '200 days' WHERE intake_ref = %s", [request_id])  # fmt: skip
    assert GeoReport(root).get_service_request(request_id)["service_request_id"] == request_id
    listed = requests.get(f"{root}/requests.json", params={"api_key": hotline}, timeout=30).json()
    assert request_id not in {r["service_request_id"] for r in listed}  # the listing keeps to 90 days
