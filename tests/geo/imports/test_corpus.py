"""The corpus: bad and awkward files of every kind a clerk could hand over, each imported into a
copy of the small demo city and checked for its exit code, the reason in the report (or the
one-line refusal), the counts, and that no table changed that should not have."""

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.shared.crs import from_wgs84
from tests.conftest import copy_database
from tests.geo.imports.conftest import TABLES, fingerprints, import_file, scalar

CASE_HEADER = ["事件编号", "事件类型", "事件描述", "上报时间", "地址", "经度", "纬度"]
CASE_TABLES = ("cases", "case_assignment")
GRID_TABLES = ("grid", "boundary_version", "case_assignment", "building_assignment")


@dataclass(frozen=True)
class World:
    """What the files refer to in the demo city."""

    community: str
    lon: float
    lat: float
    address: str
    building: str

    def grid_code(self, n: int) -> str:
        return f"{self.community}9{n:03d}"

    def square(self, n: int = 0, size: float = 0.0004):
        x, y = self.lon + n * size * 3, self.lat
        return shapely.box(x, y, x + size, y + size)


@pytest.fixture(scope="session")
def world(city_template, server_url) -> World:
    """Names from the demo city, read from a copy: the template must stay free of connections."""
    for url in copy_database(city_template, server_url):
        community, lon, lat = _row(
            url,
            "SELECT code, ST_X(p), ST_Y(p) FROM (SELECT code, ST_PointOnSurface(geom) p FROM admin_area "
            "WHERE level = 4 ORDER BY code LIMIT 1) a",
        )
        building, address = _row(url, "SELECT code, standard_address FROM building ORDER BY id LIMIT 1")
        yield World(community, lon, lat, address, building)


def _row(url, query):
    from geo.db.connection import connect

    with connect(url) as conn:
        return conn.execute(query).fetchone()


# Writers of the corpus files.


def cases_csv(rows, encoding="utf-8", name="cases.csv", header=CASE_HEADER):
    def make(tmp: Path, world: World) -> Path:
        path = tmp / name
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows([[cell.format(address=world.address) for cell in row] for row in rows])
        return path

    return make


def case(code, when="2026-11-10 09:00", address="{address}", lon="", lat="", category="邻里纠纷", text="噪音"):
    return [code, category, text, when, address, lon, lat]


def excel_unicode_text(rows):
    """What Excel saves as "Unicode text": UTF-16 with its mark, tabs between fields."""

    def make(tmp: Path, world: World) -> Path:
        path = tmp / "hotline.txt"
        lines = ["\t".join(CASE_HEADER)] + ["\t".join(c.format(address=world.address) for c in row) for row in rows]
        path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-16")
        return path

    return make


def truncated_xlsx(tmp: Path, world: World) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(CASE_HEADER)
    book.active.append(case("X1"))
    whole = tmp / "whole.xlsx"
    book.save(whole)
    path = tmp / "cut.xlsx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return path


def grids_wkt_csv(wkt_of):
    def make(tmp: Path, world: World) -> Path:
        path = tmp / "grids.csv"
        path.write_text(f'网格编码,网格名称,wkt\n{world.grid_code(7)},七号,"{wkt_of(world)}"\n', encoding="utf-8")
        return path

    return make


def open_ring_wkt(world):
    x, y = world.lon, world.lat
    return f"POLYGON(({x} {y}, {x + 0.001} {y}, {x + 0.001} {y + 0.001}, {x} {y + 0.001}))"


def grids_3d(tmp: Path, world: World) -> Path:
    frame = grids_frame(world)
    frame.geometry = shapely.force_3d(frame.geometry.to_numpy(), 12.5)
    path = tmp / "z.gpkg"
    frame.to_file(path, engine="pyogrio")
    return path


def gbk_names_ascii_values(tmp: Path, world: World) -> Path:
    frame = grids_frame(world).rename(columns={"网格名称": "名称"})
    frame["名称"] = ["G-A", "G-B"]
    frame.to_file(tmp / "g.shp", engine="pyogrio", encoding="gbk")
    (tmp / "g.cpg").unlink(missing_ok=True)
    return tmp / "g.shp"


def mac_zip(tmp: Path, world: World) -> Path:
    import zipfile

    folder = tmp / "shp"
    folder.mkdir()
    grids_frame(world).to_file(folder / "grids.shp", engine="pyogrio")
    archive = tmp / "grids.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for part in folder.iterdir():
            handle.write(part, part.name)
            handle.writestr(f"__MACOSX/._{part.name}", b"\x00\x05\x16\x07")
    return archive


def no_properties(tmp: Path, world: World) -> Path:
    feature = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(world.square(0))}
    path = tmp / "bare.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def projected_geojson_without_crs(tmp: Path, world: World) -> Path:
    path = tmp / "merc.geojson"
    grids_frame(world, to_crs="EPSG:3857").to_file(path, engine="pyogrio")
    text = json.loads(path.read_text())
    text.pop("crs", None)
    path.write_text(json.dumps(text, ensure_ascii=False))
    return path


def grids_table(extra: dict):
    """One grid as a CSV with a WKT column and the `extra` columns ({code} is its code)."""

    def make(tmp: Path, world: World) -> Path:
        code = world.grid_code(8)
        values = [cell.format(code=code) for cell in extra.values()]
        path = tmp / "grids.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["网格编码", "网格名称", "wkt", *extra])
            writer.writerow([code, "八号", world.square(8).wkt, *values])
        return path

    return make


def raw_file(name: str, content: bytes):
    def make(tmp: Path, world: World) -> Path:
        path = tmp / name
        path.write_bytes(content)
        return path

    return make


def grids_geojson(features, name="grids.geojson"):
    """features: (n, geometry as a GeoJSON dict, or a function of the world giving one)."""

    def make(tmp: Path, world: World) -> Path:
        items = []
        for n, geometry in features:
            geometry = geometry(world) if callable(geometry) else geometry
            items.append({"type": "Feature", "properties": {"网格编码": world.grid_code(n), "网格名称": f"测试网格{n}"},
                          "geometry": geometry})  # fmt: skip
        path = tmp / name
        path.write_text(json.dumps({"type": "FeatureCollection", "features": items}, ensure_ascii=False))
        return path

    return make


def square(n=0):
    return lambda world: shapely.geometry.mapping(world.square(n))


def open_ring(world):
    x, y = world.lon, world.lat
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001]]]}


def bowtie(world):
    x, y = world.lon, world.lat
    ring = [[x, y], [x + 0.001, y + 0.001], [x + 0.001, y], [x, y + 0.001], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def hole_outside(world):
    x, y = world.lon, world.lat
    shell = [[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001], [x, y]]
    hole = [[x + 0.002, y], [x + 0.003, y], [x + 0.003, y + 0.001], [x + 0.002, y]]
    return {"type": "Polygon", "coordinates": [shell, hole]}


def line(world):
    return {"type": "LineString", "coordinates": [[world.lon, world.lat], [world.lon + 0.001, world.lat]]}


def grids_frame(world, count=2, crs=None, to_crs=None):
    frame = gpd.GeoDataFrame(
        {"网格编码": [world.grid_code(n) for n in range(count)], "网格名称": [f"网格{n}号" for n in range(count)]},
        geometry=[world.square(n) for n in range(count)],
        crs="EPSG:4326",
    )
    return frame.to_crs(to_crs) if to_crs else frame.set_crs(crs, allow_override=True) if crs else frame


def grids_spatial(name, crs=None, to_crs=None, **options):
    def make(tmp: Path, world: World) -> Path:
        path = tmp / name
        grids_frame(world, crs=crs, to_crs=to_crs).to_file(path, engine="pyogrio", **options)
        return path

    return make


def gbk_shapefile_without_cpg(drop=(".cpg",), zipped=False):
    def make(tmp: Path, world: World) -> Path:
        folder = tmp / "vendor"
        folder.mkdir()
        grids_frame(world).to_file(folder / "网格.shp", engine="pyogrio", encoding="gbk")
        for suffix in drop:
            (folder / "网格").with_suffix(suffix).unlink(missing_ok=True)
        if not zipped:
            return folder / "网格.shp"
        import zipfile

        archive = tmp / "网格.zip"
        with zipfile.ZipFile(archive, "w") as handle:
            for part in folder.iterdir():
                handle.write(part, f"数据/{part.name}")
        return archive

    return make


def shapefile_cut_short(tmp: Path, world: World) -> Path:
    path = tmp / "grids.shp"
    grids_frame(world, count=6).to_file(path, engine="pyogrio")
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def two_layer_gpkg(tmp: Path, world: World) -> Path:
    path = tmp / "city.gpkg"
    grids_frame(world).to_file(path, layer="网格", engine="pyogrio")
    grids_frame(world).to_file(path, layer="其他", engine="pyogrio")
    return path


def projected_csv(with_crs_column=False):
    def make(tmp: Path, world: World) -> Path:
        x, y = from_wgs84([world.lon], [world.lat], "epsg:4547")
        header = CASE_HEADER + (["坐标系"] if with_crs_column else [])
        row = case("P1", address="", lon=repr(float(x[0])), lat=repr(float(y[0]))) + (
            ["EPSG:4547"] if with_crs_column else []
        )
        return cases_csv([row], header=header)(tmp, world)

    return make


@dataclass(frozen=True)
class Kind:
    """One kind of input: the file, the layer and options, and what must come of it."""

    name: str
    layer: str
    make: object
    args: tuple = ()
    refused: str | None = None  # a fragment of the one-line refusal
    reasons: dict = field(default_factory=dict)  # line → fragment of its rejection reason
    counts: dict = field(default_factory=dict)  # summary values
    changes: tuple = ()  # tables allowed to change


KINDS = [
    Kind("csv-gbk-crlf", "cases", cases_csv([case("G1")], encoding="gbk"), counts={"inserted": 1}, changes=CASE_TABLES),
    Kind("csv-utf8-bom", "cases", cases_csv([case("U1")], encoding="utf-8-sig"), counts={"inserted": 1},
         changes=CASE_TABLES),
    Kind("quoted-commas-newlines", "cases", cases_csv([case("Q1", text='他说:"楼上,漏水"\n第二行')]),
         counts={"inserted": 1}, changes=CASE_TABLES),
    Kind("coordinate-nan", "cases", cases_csv([case("N1", address="", lon="nan", lat="33.5")]), reasons={2: "not finite"}),
    Kind("coordinate-inf", "cases", cases_csv([case("N2", address="", lon="inf", lat="33.5")]), reasons={2: "not finite"}),
    Kind("coordinate-1e300", "cases", cases_csv([case("N3", address="", lon="1e300", lat="33.5"),
                                                   case("N4", address="", lon="113.9", lat="33.5")]),
         reasons={2: "out of range"}, counts={"inserted": 1}, changes=CASE_TABLES),
    Kind("latitude-swapped", "cases", cases_csv([case("N5", address="", lon="33.5", lat="113.9")]),
         reasons={2: "swapped"}),
    Kind("date-unparseable", "cases", cases_csv([case("D1", when="十一月十日")]), reasons={2: "not a date"}),
    Kind("date-rolled-over", "cases", cases_csv([case("D2", when="2026-02-30")]), reasons={2: "not a real date"}),
    Kind("date-excel-serial", "cases", cases_csv([case("D3", when="46336")]), reasons={2: "Excel serial"}),
    Kind("date-chinese", "cases", cases_csv([case("D4", when="2026年11月10日 14时30分")]), counts={"inserted": 1},
         changes=CASE_TABLES),
    Kind("duplicate-id", "cases", cases_csv([case("R1"), case("R2"), case("R1")]),
         reasons={2: "also on line 4", 4: "also on line 2"}, counts={"inserted": 1}, changes=CASE_TABLES),
    Kind("missing-location", "cases", cases_csv([case("L1", address="")]), reasons={2: "missing location"}),
    Kind("address-only-kept", "cases", cases_csv([case("L2")]), counts={"inserted": 1, "rejected": 0},
         changes=CASE_TABLES),
    Kind("unknown-category-kept", "cases", cases_csv([case("C1", category="外星人入侵")]),
         counts={"inserted": 1, "rejected": 0, "flagged": 1, "unknown_categories": {"外星人入侵": 1}},
         changes=CASE_TABLES),
    Kind("empty-file", "cases", raw_file("empty.csv", b""), refused="empty"),
    Kind("header-only", "cases", raw_file("header.csv", ",".join(CASE_HEADER).encode() + b"\r\n"), refused="no rows"),
    Kind("missing-required-column", "cases", raw_file("nocode.csv", "事件类型,事件描述,上报时间,地址\r\n邻里纠纷,x,2026-11-10,某地\r\n".encode()),
         refused="missing column code: looked for 编号"),
    Kind("not-utf8-nor-gbk", "cases", raw_file("binary.csv", b"\x80\xff\x00\x81\x82" * 20), refused="neither UTF-8 nor GBK"),
    Kind("truncated-geojson", "grids", raw_file("cut.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Fea'),
         refused="not a readable"),
    Kind("null-geometry", "grids", grids_geojson([(1, None), (2, square(2))]), reasons={1: "empty or null geometry"},
         counts={"inserted": 1}, changes=GRID_TABLES),
    Kind("ring-not-closed", "grids", grids_geojson([(1, open_ring)]), reasons={1: "ring not closed"}),
    Kind("ring-not-closed-repaired", "grids", grids_geojson([(1, open_ring)]), args=("--repair",),
         counts={"inserted": 1, "warnings": 1}, changes=GRID_TABLES),
    Kind("self-intersection", "grids", grids_geojson([(1, bowtie)]), reasons={1: "self-intersection"}),
    Kind("self-intersection-repaired", "grids", grids_geojson([(1, bowtie)]), args=("--repair",),
         counts={"inserted": 1, "warnings": 1}, changes=GRID_TABLES),
    Kind("hole-outside-shell", "grids", grids_geojson([(1, hole_outside)]), reasons={1: "hole lies outside"}),
    Kind("wrong-geometry-type", "grids", grids_geojson([(1, line)]), reasons={1: "wrong geometry type: LineString"}),
    # A code is an identifier (issue 21): a name in the code column loads, warned as off the
    # code scheme, and flagged (no community can be told from it; it overlaps the level-1 grid).
    Kind("grid-code-off-the-scheme", "grids", grids_geojson([(1, square(1))], name="g.geojson"),
         args=("--map", "网格名称=code", "--map", "网格编码=name"), counts={"inserted": 1, "warnings": 1, "flagged": 2},
         changes=GRID_TABLES),
    Kind("shapefile-gbk-no-cpg", "grids", gbk_shapefile_without_cpg(), counts={"inserted": 2}, changes=GRID_TABLES),
    Kind("shapefile-zip-in-folder", "grids", gbk_shapefile_without_cpg(zipped=True), counts={"inserted": 2},
         changes=GRID_TABLES),
    Kind("shapefile-missing-dbf", "grids", gbk_shapefile_without_cpg(drop=(".cpg", ".dbf")), refused=".dbf is missing"),
    Kind("shapefile-cut-short", "grids", shapefile_cut_short, refused="cut short"),
    Kind("gpkg-two-layers", "grids", two_layer_gpkg, refused="--layer-name"),
    Kind("gpkg-layer-named", "grids", two_layer_gpkg, args=("--layer-name", "网格"), counts={"inserted": 2},
         changes=GRID_TABLES),
    Kind("gpkg-cgcs2000", "grids", grids_spatial("cgcs.gpkg", crs="EPSG:4490"), counts={"inserted": 2},
         changes=GRID_TABLES),
    Kind("geojson-web-mercator", "grids", grids_spatial("merc.geojson", to_crs="EPSG:3857"), counts={"inserted": 2},
         changes=GRID_TABLES),
    Kind("shapefile-gauss-kruger", "grids", grids_spatial("gk.shp", to_crs="EPSG:4547"), counts={"inserted": 2},
         changes=GRID_TABLES),
    Kind("excel-unicode-text-utf16-tabs", "cases", excel_unicode_text([case("UT1"), case("UT2", when="bad")]),
         reasons={3: "not a date"}, counts={"inserted": 1}, changes=CASE_TABLES),
    Kind("truncated-xlsx", "cases", truncated_xlsx, refused="not a readable XLSX"),
    Kind("wkt-ring-not-closed", "grids", grids_wkt_csv(open_ring_wkt), reasons={2: "ring not closed"}),
    Kind("wkt-ring-not-closed-repaired", "grids", grids_wkt_csv(open_ring_wkt), args=("--repair",),
         counts={"inserted": 1, "warnings": 1}, changes=GRID_TABLES),
    Kind("wkt-garbage", "grids", grids_wkt_csv(lambda world: "POLYGON((1 2, 3"), reasons={2: "unreadable geometry WKT"}),
    Kind("stray-quote", "cases", raw_file("quote.csv", ",".join(CASE_HEADER).encode() + '\r\nQ1,邻里纠纷,"噪音,2026-11-10,x,,\r\nQ2,邻里纠纷,楼上"漏水",2026-11-10,y,,\r\n'.encode()),
         refused="stray quote"),
    Kind("polygon-z", "grids", grids_3d, counts={"inserted": 2}, changes=GRID_TABLES),
    Kind("gbk-names-ascii-values-no-cpg", "grids", gbk_names_ascii_values, counts={"inserted": 2}, changes=GRID_TABLES),
    Kind("zip-from-a-mac", "grids", mac_zip, counts={"inserted": 2}, changes=GRID_TABLES),
    Kind("geojson-without-properties", "grids", no_properties, refused="missing column code"),
    Kind("projected-geojson-without-crs", "grids", projected_geojson_without_crs, refused="--crs EPSG:N"),
    Kind("households-1e300", "grids", grids_table({"户数": "1e300"}), reasons={2: "households: 1e+300 is outside"}),
    Kind("grid-its-own-parent", "grids", grids_table({"上级网格编码": "{code}"}), reasons={2: "names itself"}),
    Kind("offset-out-of-range", "cases", cases_csv([case("O1", when="2026-11-10T14:30:00+99:00")]),
         reasons={2: "not a real date"}),
    Kind("year-9999", "cases", cases_csv([case("O2", when="9999-12-31")]), reasons={2: "not plausible"}),
    Kind("projected-without-crs", "cases", projected_csv(), refused="--crs EPSG:N"),
    Kind("projected-crs-column", "cases", projected_csv(with_crs_column=True), counts={"inserted": 1},
         changes=CASE_TABLES),
    Kind("projected-with-crs-option", "cases", projected_csv(), args=("--crs", "EPSG:4547"), counts={"inserted": 1},
         changes=CASE_TABLES),
]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_each_kind_of_input(kind, city_db, world, tmp_path):
    path = kind.make(tmp_path, world)
    before = fingerprints(city_db)
    code, summary, stderr = import_file(city_db, path, kind.layer, *kind.args)
    after = fingerprints(city_db)
    if kind.refused:
        assert code != 0 and "Traceback" not in stderr
        assert len(stderr.strip().splitlines()) == 1 and kind.refused in stderr, stderr
        assert after == before
        return
    assert code == 0, stderr
    assert summary["read"] == summary["inserted"] + summary["updated"] + summary["unchanged"] + summary["rejected"]
    for key, value in kind.counts.items():
        assert summary[key] == value, (key, summary)
    reasons = _report(summary["report"])
    assert set(reasons) == set(kind.reasons), reasons
    for line, fragment in kind.reasons.items():
        assert fragment in reasons[line], reasons[line]
    changed = {table for table in TABLES if before[table] != after[table]}
    assert changed <= set(kind.changes), changed


def _report(path) -> dict:
    if path is None:
        return {}
    with open(path, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["id"] is not None for row in rows)
    return {int(row["line"]): row["reason"] for row in rows}


def test_the_corpus_covers_at_least_25_kinds():
    assert len({kind.name for kind in KINDS}) >= 25


def test_projected_and_gbk_inputs_land_where_they_should(city_db, world, tmp_path):
    """Transformed coordinates arrive within a centimetre; GBK names arrive as Chinese."""
    for kind in ("shapefile-gauss-kruger", "shapefile-gbk-no-cpg"):
        folder = tmp_path / kind
        folder.mkdir()
        make = next(k for k in KINDS if k.name == kind).make
        code, summary, stderr = import_file(city_db, make(folder, world), "grids")
        assert code == 0, stderr
        offset = scalar(
            city_db,
            "SELECT ST_Distance(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1)::geography, "
            "ST_PointN(ST_ExteriorRing(ST_GeomFromText(%s, 4326)), 1)::geography) FROM grid_current WHERE code = %s",
            [world.square(0).wkt, world.grid_code(0)],
        )
        ring = shapely.get_coordinates(world.square(0))
        assert offset < 0.01 or _any_vertex_matches(city_db, world, ring)
        assert scalar(city_db, "SELECT name FROM grid_current WHERE code = %s", [world.grid_code(1)]) == "网格1号"


def _any_vertex_matches(url, world, ring) -> bool:
    """The ring may start at another vertex after a round trip: compare the sets."""
    stored = shapely.get_coordinates(
        shapely.from_wkt(scalar(url, "SELECT ST_AsText(geom) FROM grid_current WHERE code = %s", [world.grid_code(0)]))
    )
    return all(min(((stored - v) ** 2).sum(axis=1)) ** 0.5 < 1e-7 for v in ring)
