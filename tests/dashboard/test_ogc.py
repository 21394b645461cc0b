"""The OGC API – Features service (/ogc/) and its vector tiles on a private copy of the scored
small demo city: its public
documents (the OpenAPI document validated by openapi-spec-validator), tokens (none, wrong,
revoked, a browser session's: refused), each demo role's token getting its jurisdiction and
nothing else, paging by `next` links, OGC-style errors for bad requests, and GDAL's own OAPIF
driver (Debian's gdal-bin) listing and copying the collections."""

import datetime as dt
import subprocess
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
import shapely.affinity
from openapi_spec_validator import validate

from dashboard import ogc
from dashboard.app import create_app
from geo.auth.demo import DEMO_PASSWORDS, DEMO_USERS, demo_scopes
from geo.auth.sessions import session_user, sign_in
from geo.auth.tokens import create_token, list_tokens, revoke_token
from geo.db.connection import connect
from geo.ogc.collections import COLLECTIONS, MAX_LIMIT
from geo.ogc.tiles import tile_of
from tests.dashboard.conftest import add_demo_users, serve

CGCS2000 = "http://www.opengis.net/def/crs/EPSG/0/4490"
WEB_MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"
# The jurisdiction of a scope code, counted by the owner: basic grids, their buildings, the
# key places inside its outline (the whole database for None).
EXPECTED = """
WITH inside AS (SELECT code, grid_id FROM auth.jurisdiction(%(scope)s)),
     grids AS (SELECT g.code FROM grid_current g WHERE g.is_basic
               AND (%(scope)s::text IS NULL OR g.id IN (SELECT grid_id FROM inside))),
     upper AS (SELECT g.code FROM grid_current g JOIN admin_area a ON a.id = g.community_id WHERE NOT g.is_basic
               AND (%(scope)s::text IS NULL OR a.code IN (SELECT code FROM inside)))
SELECT (SELECT array_agg(code ORDER BY code) FROM grids),
       (SELECT coalesce(array_agg(code ORDER BY code), '{}') FROM upper),
       (SELECT array_agg(a.code ORDER BY a.code) FROM admin_area a WHERE a.level = 4
        AND (%(scope)s::text IS NULL OR a.code IN (SELECT code FROM inside))),
       (SELECT count(*) FROM building b JOIN micro_grid_current m ON m.code = b.micro_grid_code
        WHERE m.grid_code IN (SELECT code FROM grids)),
       (SELECT count(*) FROM key_place p WHERE %(scope)s::text IS NULL OR ST_Intersects(p.geom, coalesce(
            (SELECT geom FROM admin_area WHERE code = %(scope)s), (SELECT geom FROM grid_current WHERE code = %(scope)s))))
"""
BAD_REQUESTS = [
    ("/ogc/collections/grids/items?limit=0", 400),
    ("/ogc/collections/grids/items?limit=-5", 400),
    ("/ogc/collections/grids/items?limit=ten", 400),
    ("/ogc/collections/grids/items?offset=-1", 400),
    ("/ogc/collections/grids/items?after=%27%20OR%201=1--", 400),
    ("/ogc/collections/grids/items?bbox=1,2,3", 400),
    ("/ogc/collections/grids/items?bbox=114,33,113,34", 400),  # west after east
    ("/ogc/collections/grids/items?bbox=a,b,c,d", 400),
    ("/ogc/collections/grids/items?bbox=nan,0,1,1", 400),
    ("/ogc/collections/grids/items?crs=http://www.opengis.net/def/crs/EPSG/0/2385", 400),
    ("/ogc/collections/grids/items?bbox=114,33,115,34&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4490", 400),
    ("/ogc/collections/grids/items?bbox-crs=EPSG:4326", 400),
    ("/ogc/collections/grids/items?secret=1", 400),
    ("/ogc/collections/grids/items?f=html", 400),
    ("/ogc/collections/nothing", 404),
    ("/ogc/collections/nothing/items", 404),
    ("/ogc/collections/grids/items/" + "9" * 30, 404),
    ("/ogc/collections/grids/items/%27%3B%20DROP%20TABLE%20grid%3B--", 404),
    ("/ogc/collections/grids/items/%00x", 404),  # NUL, which PostgreSQL's text refuses
    ("/ogc/collections/grids/items?limit=%C2%B2", 400),  # "²", a digit to str.isdigit
    ("/ogc/collections/grids/items?offset=%C2%B2", 400),
    ("/ogc/collections/grids/items?limit=" + "9" * 5000, 400),  # past Python's int() digit limit
    ("/tiles/grids/99/0/0.mvt", 400),
    ("/tiles/grids/2/9/0.mvt", 400),
    ("/tiles/grids/1/0/0.mvt?x=1", 400),
    ("/tiles/nothing/1/0/0.mvt", 404),
    ("/tiles/nothing.json", 404),
]


@pytest.fixture(scope="module")
def city(scored_template, server_url):
    """A private copy of the scored small demo city (the tiles carry the risk levels)."""
    from tests.conftest import copy_database

    for url in copy_database(scored_template, server_url):
        add_demo_users(url)
        yield url


@pytest.fixture(scope="module")
def tokens(city) -> dict[str, str]:
    """A live API token of each demo user."""
    with connect(city) as conn:
        made = {name: create_token(conn, name, f"test {name}", 30, "test") for name, *_ in DEMO_USERS}
        conn.commit()
    return made


@pytest.fixture(scope="module")
def client(city):
    return create_app(city).server.test_client()


def get(client, path: str, token: str | None):
    return client.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})


def every_feature(client, collection: str, token: str, limit: int = MAX_LIMIT, query: str = "") -> list[dict]:
    """All of a collection's features, following the `next` links."""
    features, path = [], f"/ogc/collections/{collection}/items?limit={limit}{query}"
    while path:
        page = get(client, path, token)
        assert page.status_code == 200, page.get_data(as_text=True)
        body = page.get_json()
        features += body["features"]
        assert body["numberReturned"] == len(body["features"]) <= limit
        path = next((link["href"].split("localhost", 1)[1] for link in body["links"] if link["rel"] == "next"), None)
    return features


def test_the_public_documents_and_a_valid_api_description(client):
    landing = client.get("/ogc/")
    assert landing.status_code == 200
    assert {"service-desc", "conformance", "data"} <= {link["rel"] for link in landing.get_json()["links"]}
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in client.get("/ogc/conformance").get_json()["conformsTo"]
    )
    document = client.get("/ogc/api").get_json()
    validate(document)  # raises on an invalid OpenAPI 3 document
    assert set(document["paths"]["/collections/{collectionId}"]["get"]["parameters"][0]["schema"]["enum"]) == set(
        COLLECTIONS
    )


def test_no_data_without_a_live_api_token(city, client, tokens):
    for token in (None, "smt_not-a-token", "x" * 500):
        for path in ("/ogc/collections/grids/items", "/tiles/grids/13/6688/3285.mvt", "/tiles/grids.json"):
            refused = get(client, path, token)
            assert refused.status_code == 401 and refused.get_json()["code"] == "Unauthorized"
    with connect(city) as conn:
        _user, browser_token = sign_in(conn, "leader", DEMO_PASSWORDS["leader"])
        conn.commit()
    assert get(client, "/ogc/collections", browser_token).status_code == 401  # a browser session is no API token
    with connect(city) as conn:
        assert session_user(conn, tokens["leader"]) is None  # nor is an API token a browser session
    with connect(city) as conn:
        spare = create_token(conn, "leader", "to revoke", 1, "test")
        conn.commit()
    assert get(client, "/ogc/collections", spare).status_code == 200
    with connect(city) as conn:
        token_id, *_rest, requests = next(t for t in list_tokens(conn, "leader") if t[1] == "to revoke")
        assert requests == 1  # counted
        revoke_token(conn, token_id, "test")
        conn.commit()
    assert get(client, "/ogc/collections", spare).status_code == 401


@pytest.mark.parametrize("username", [user[0] for user in DEMO_USERS])
def test_a_roles_token_gets_its_jurisdiction_and_nothing_else(city, client, tokens, username):
    scope_kind = next(scope for name, _n, _r, scope, _p in DEMO_USERS if name == username)
    with connect(city) as conn:
        scope = demo_scopes(conn)[scope_kind] if scope_kind else None
        grids, upper, communities, buildings, places = conn.execute(EXPECTED, {"scope": scope}).fetchone()
        outside = conn.execute("SELECT min(code) FROM grid_current WHERE is_basic AND NOT code = ANY(%s)", [grids])
        outside = outside.fetchone()[0]
    token = tokens[username]
    served = every_feature(client, "grids", token)
    assert sorted(f["id"] for f in served if f["properties"]["is_basic"]) == grids
    assert sorted(f["id"] for f in served if not f["properties"]["is_basic"]) == upper
    assert sorted(f["id"] for f in every_feature(client, "areas-4", token)) == (communities or [])
    assert len(every_feature(client, "buildings", token)) == buildings
    assert len(every_feature(client, "key-places", token)) == places
    if outside:  # someone else's grid: not in a page, not by its id
        assert get(client, f"/ogc/collections/grids/items/{outside}", token).status_code == 404
    inside = get(client, f"/ogc/collections/grids/items/{grids[0]}", token)
    assert inside.status_code == 200 and inside.get_json()["id"] == grids[0]
    assert inside.headers["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"


def test_next_links_give_every_feature_once_and_a_bbox_keeps_to_it(client, tokens):
    token = tokens["leader"]
    whole = every_feature(client, "micro-grids", token)
    paged = every_feature(client, "micro-grids", token, limit=97)
    assert [f["id"] for f in paged] == [f["id"] for f in whole] and len(whole) > 97
    by_offset = get(client, "/ogc/collections/micro-grids/items?limit=97&offset=194", token).get_json()
    assert [f["id"] for f in by_offset["features"]] == [f["id"] for f in whole[194:291]]
    assert any(link["rel"] == "prev" and "offset=97" in link["href"] for link in by_offset["links"])
    frame = gpd.GeoDataFrame.from_features(whole, crs="OGC:CRS84")
    west, south, east, north = frame.total_bounds
    box = (west, south, (west + east) / 2, (south + north) / 2)
    boxed = every_feature(client, "micro-grids", token, query="&bbox=" + ",".join(f"{v:.6f}" for v in box))
    expected = frame.cx[box[0] : box[2], box[1] : box[3]]
    assert 0 < len(boxed) < len(whole) and len(boxed) >= len(expected)
    inside = gpd.GeoDataFrame.from_features(boxed, crs="OGC:CRS84").intersects(shapely.box(*box))
    assert inside.all()  # the box's test is on bounding boxes: each feature's own box meets it


def test_features_in_cgcs2000_and_web_mercator_and_a_bbox_in_either(client, tokens):
    token, where = tokens["leader"], "/ogc/collections/key-places/items?limit=10000"
    plain = get(client, where, token).get_json()["features"]
    by_crs = {}
    for crs in (CGCS2000, WEB_MERCATOR):
        answer = get(client, f"{where}&crs={crs}", token)
        assert answer.headers["Content-Crs"] == f"<{crs}>"
        by_crs[crs] = answer.get_json()["features"]
        assert [f["id"] for f in by_crs[crs]] == [f["id"] for f in plain]
        assert all("crs" not in f["geometry"] for f in by_crs[crs])  # RFC 7946 has no crs member
    for a, b in zip(plain, by_crs[CGCS2000], strict=True):  # latitude first, within a centimetre
        lon, lat = a["geometry"]["coordinates"]
        assert b["geometry"]["coordinates"] == pytest.approx([lat, lon], abs=1e-6)
    mercator = gpd.GeoDataFrame.from_features(plain, crs="OGC:CRS84").to_crs(3857)
    for (x, y), f in zip(zip(mercator.geometry.x, mercator.geometry.y, strict=True), by_crs[WEB_MERCATOR], strict=True):
        assert f["geometry"]["coordinates"] == pytest.approx([x, y], abs=0.05)
    # One box in three CRSs: the same features.
    box = shapely.affinity.scale(shapely.box(*mercator.total_bounds), 0.6, 0.6)
    in_mercator = ",".join(f"{v:.2f}" for v in box.bounds)
    lonlat = gpd.GeoSeries([box], crs=3857).to_crs(4326).total_bounds
    latlon = [lonlat[1], lonlat[0], lonlat[3], lonlat[2]]
    asked = {
        f"&bbox={in_mercator}&bbox-crs={WEB_MERCATOR}",
        f"&bbox={','.join(f'{v:.7f}' for v in latlon)}&bbox-crs={CGCS2000}",
    }
    answers = [get(client, where + query, token).get_json() for query in asked]
    assert all("features" in answer for answer in answers), answers
    found = [sorted(f["id"] for f in answer["features"]) for answer in answers]
    assert found[0] == found[1] and 0 < len(found[0]) < len(plain)


def test_properties_pick_what_is_returned_and_filters_keep_to_their_values(client, tokens):
    token, where = tokens["leader"], "/ogc/collections/grids/items?limit=10000"
    every = get(client, where, token).get_json()["features"]
    basic = get(client, f"{where}&is_basic=true&level=3", token).get_json()["features"]
    expected = [f["id"] for f in every if f["properties"]["is_basic"] and f["properties"]["level"] == 3]
    assert [f["id"] for f in basic] == expected and 0 < len(expected) < len(every)
    one = every[0]["properties"]
    by_name = get(client, f"{where}&name={one['name']}", token).get_json()["features"]
    assert every[0]["id"] in [f["id"] for f in by_name] and all(f["properties"]["name"] == one["name"] for f in by_name)
    picked = get(client, f"{where}&properties=name,households", token).get_json()["features"]
    assert all(set(f["properties"]) == {"name", "households"} for f in picked) and len(picked) == len(every)
    assert get(client, f"{where}&properties=name,secret", token).status_code == 400
    assert get(client, f"{where}&standard_address=x", token).status_code == 400  # a property of buildings only


def test_grids_as_they_were_at_a_datetime(city, client, tokens):
    """Now: today's grids; before the city was loaded: none; a boundary changed since: the old
    version at the old moment, the new one now."""
    token, where = tokens["leader"], "/ogc/collections/grids/items?limit=10000"
    now = sorted(f["id"] for f in get(client, where, token).get_json()["features"])
    moment = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sorted(f["id"] for f in get(client, f"{where}&datetime={moment}", token).get_json()["features"]) == now
    assert get(client, f"{where}&datetime=2000-01-01", token).get_json()["features"] == []
    with connect(city) as conn:  # one grid's boundary redrawn: its old version closed now
        grid = now[-1]
        conn.execute(REDRAWN, [grid])
        conn.commit()
    before = {f["id"]: f for f in get(client, f"{where}&datetime={moment}", token).get_json()["features"]}
    after = {f["id"]: f for f in get(client, where + "&datetime=2100-01-01", token).get_json()["features"]}
    assert before[grid]["properties"]["valid_to"] is not None and after[grid]["properties"]["valid_to"] is None
    assert before[grid]["properties"]["valid_from"] != after[grid]["properties"]["valid_from"]
    for bad in ("2026-13-01", "2026-11-01T08:00:00", "2026-11-01/2026-11-30", "yesterday"):
        assert get(client, f"{where}&datetime={bad}", token).status_code == 400, bad
    assert get(client, "/ogc/collections/buildings/items?datetime=2026-11-01", token).status_code == 400


# A new version of one grid, the old one closed (as a boundary commit does, without its checks).
REDRAWN = """
WITH old AS (UPDATE grid SET valid_to = now() WHERE code = %s AND valid_to IS NULL RETURNING *)
INSERT INTO grid (code, name, level, is_basic, kind, exclusive_type, community_id, parent_code, households,
                  target_households, geom, valid_from, version_id)
SELECT code, name, level, is_basic, kind, exclusive_type, community_id, parent_code, households, target_households,
       ST_Multi(ST_Buffer(geom, 0.00001)), now() + interval '1 second', version_id FROM old"""


def test_an_oversize_limit_is_capped(client, tokens, monkeypatch):
    monkeypatch.setattr(ogc, "MAX_LIMIT", 50)  # below the demo city's buildings
    body = get(client, "/ogc/collections/buildings/items?limit=100000", tokens["admin"]).get_json()
    assert body["numberReturned"] == 50
    following = next(link["href"] for link in body["links"] if link["rel"] == "next")
    assert f"after={body['features'][-1]['id']}" in following and "limit=100000" in following


@pytest.mark.parametrize(("path", "status"), BAD_REQUESTS)
def test_bad_requests_get_an_ogc_error_never_a_500(client, tokens, path, status):
    response = get(client, path, tokens["admin"])
    assert response.status_code == status
    assert response.is_json and response.get_json()["code"] and response.get_json()["description"]


def test_gdal_lists_the_collections_reads_them_and_copies_grids_to_a_geopackage(city, client, tokens, tmp_path):
    assert Path("/usr/bin/ogrinfo").exists(), "Debian's gdal-bin is required (make test installs it)"
    token = tokens["township"]
    header = ["--config", "GDAL_HTTP_HEADERS", f"Authorization: Bearer {token}"]
    for base in serve(city):
        listing = _gdal(["ogrinfo", "-ro", "-q", *header, f"OAPIF:{base}ogc"])
        assert all(f"{collection_id} (title:" in listing for collection_id in COLLECTIONS), listing
        for collection_id in ("grids", "micro-grids", "centres"):
            summary = _gdal(["ogrinfo", "-ro", "-so", *header, f"OAPIF:{base}ogc", collection_id])
            assert f"Feature Count: {len(every_feature(client, collection_id, token))}" in summary, summary
        copy = tmp_path / "grids.gpkg"
        _gdal(["ogr2ogr", "-f", "GPKG", str(copy), *header, f"OAPIF:{base}ogc", "grids"])
    copied = gpd.read_file(copy, layer="grids")
    served = every_feature(client, "grids", token)
    assert sorted(copied["code"]) == sorted(f["id"] for f in served)
    assert copied.crs.to_epsg() == 4326


def _gdal(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_vector_tiles_carry_the_documented_attributes_and_the_jurisdiction_only(city, client, tokens, tmp_path):
    """A grids tile over the leader's county read by GDAL's MVT driver: its features are the
    county's grids, with the attributes the TileJSON names and the latest risk level; over
    another county it holds none of that county's grids, where the administrator's does."""
    token = tokens["leader"]
    document = get(client, "/tiles/grids.json", token).get_json()
    assert document["tilejson"] == "3.0.0" and document["tiles"][0].endswith("/tiles/grids/{z}/{x}/{y}.mvt")
    fields = set(document["vector_layers"][0]["fields"])
    with connect(city) as conn:
        county = demo_scopes(conn)["county"]
        mine = {f["id"] for f in every_feature(client, "grids", token)}
        other = conn.execute(OTHER_COUNTY_POINT, [county]).fetchone()
        here = conn.execute(COUNTY_POINT, [county]).fetchone()
    read = _tile_codes(client, token, here, tmp_path / "here", fields)
    assert read and set(read) <= mine
    assert any(level in ("red", "orange", "yellow", "blue") for level in read.values())
    # Over another county: the administrator's tile shows its grids, the leader's none of them.
    everyone = _tile_codes(client, tokens["admin"], other, tmp_path / "admin", fields)
    assert set(everyone) - mine
    assert set(_tile_codes(client, token, other, tmp_path / "other", fields)) <= mine


OTHER_COUNTY_POINT = """SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM admin_area
WHERE level = 2 AND code <> %s ORDER BY code LIMIT 1) o"""
COUNTY_POINT = """SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(g.geom) AS p FROM grid_current g
JOIN admin_area c ON c.id = g.community_id JOIN admin_area t ON t.id = c.parent_id JOIN admin_area k ON k.id = t.parent_id
WHERE k.code = %s AND g.is_basic ORDER BY g.code LIMIT 1) o"""


def _tile_codes(client, token, lonlat, folder, fields) -> dict[str, str | None]:
    """{code: risk_level} of the grids in the z13 tile holding `lonlat`, as GDAL reads it."""
    z, (x, y) = 13, tile_of(*lonlat, 13)
    answer = get(client, f"/tiles/grids/{z}/{x}/{y}.mvt", token)
    assert answer.status_code == 200 and answer.mimetype == "application/vnd.mapbox-vector-tile"
    assert len(answer.data) <= 500 * 1024
    if not answer.data:
        return {}
    path = folder / str(z) / str(x) / f"{y}.pbf"  # GDAL places a tile by its z/x/y path
    path.parent.mkdir(parents=True)
    path.write_bytes(answer.data)
    frame = gpd.read_file(path, engine="pyogrio")
    assert {"code", "name", "households", "risk_level"} <= set(frame.columns) <= fields | {"mvt_id", "geometry"}
    listed = _gdal(["ogrinfo", "-ro", "-al", "-q", "-geom=NO", str(path)])
    assert all(code in listed for code in frame["code"])
    return dict(zip(frame["code"], frame["risk_level"], strict=True))
