"""Key persons leave as suppressed counts only; the heat image and basemap tiles are real
images of the right place."""

import datetime as dt
import io

import numpy as np
import pytest
from PIL import Image

from geo.db.connection import connect
from geo.map import areas
from geo.map.basemap import TILE_PX, tile_image
from geo.map.filters import CaseFilter
from geo.map.heat import heat_box, heat_png
from geo.settings import get_settings
from geo.shared.units import children_codes, find_unit, root_unit

AS_OF = dt.date(2026, 11, 24)
YEAR = CaseFilter(AS_OF - dt.timedelta(days=364), AS_OF)

PERSONS_PER_GRID = """
SELECT g.code, count(*) FROM sensitive.key_person k
JOIN building_assignment b USING (building_id) JOIN grid g ON g.id = b.grid_id
WHERE k.active GROUP BY g.code
"""


@pytest.fixture(scope="module")
def conn(scored_demo_db):
    with connect(scored_demo_db, autocommit=True) as connection:
        yield connection


def test_key_persons_per_grid_are_counts_with_small_ones_suppressed(conn):
    k = get_settings().small_count_k
    truth = dict(conn.execute(PERSONS_PER_GRID).fetchall())
    community = conn.execute(
        """SELECT a.code FROM admin_area a JOIN grid_current g ON g.community_id = a.id
           WHERE a.level = 4 GROUP BY a.code ORDER BY count(*) DESC LIMIT 1"""
    ).fetchone()[0]
    unit = find_unit(conn, community)
    shown = areas.child_key_persons(conn, unit)
    assert set(shown) == set(children_codes(conn, unit)), "every grid is a cell, those without anyone too"
    for grid, persons in shown.items():
        assert persons is None or (isinstance(persons, int) and persons == truth.get(grid, 0) >= k)
        if truth.get(grid, 0) < k:
            assert persons is None


def test_key_persons_by_category_are_suppressed_below_k(conn):
    k = get_settings().small_count_k
    grid = conn.execute(
        """SELECT g.code FROM sensitive.key_person p JOIN building_assignment b USING (building_id)
           JOIN grid g ON g.id = b.grid_id WHERE p.active GROUP BY g.code ORDER BY count(*) DESC LIMIT 1"""
    ).fetchone()[0]
    counts = areas.key_persons_by_category(conn, find_unit(conn, grid))
    truth = dict(
        conn.execute(
            """SELECT p.category_code, count(*) FROM sensitive.key_person p JOIN building_assignment b USING (building_id)
           JOIN grid g ON g.id = b.grid_id WHERE p.active AND g.code = %s GROUP BY 1""",
            [grid],
        ).fetchall()
    )
    categories = {code for (code,) in conn.execute("SELECT code FROM sensitive.key_person_category")}
    assert set(counts) == categories, "every category is a cell, those without anyone too"
    assert all(v is None or v == truth[c] >= k for c, v in counts.items())
    assert all(counts[c] is None for c in categories if truth.get(c, 0) < k)
    assert areas.child_key_persons(conn, find_unit(conn, grid)) == {}, "no per-micro-grid counts"


def test_heat_image_covers_the_unit_and_is_hottest_where_cases_are_densest(conn):
    city = root_unit(conn)
    image = Image.open(io.BytesIO(heat_png(conn, city, YEAR, AS_OF)))
    assert image.format == "PNG" and max(image.size) == 320
    alpha = np.array(image.convert("RGBA"))[:, :, 3]
    assert alpha.max() > 200 and (alpha == 0).mean() > 0.2, "hot somewhere, transparent elsewhere"
    box = heat_box(city)
    assert box["west"] < city.west and box["north"] > city.north


def test_heat_image_of_no_cases_is_transparent(conn):
    nothing = CaseFilter(dt.date(2000, 1, 1), dt.date(2000, 1, 2))
    image = Image.open(io.BytesIO(heat_png(conn, root_unit(conn), nothing, AS_OF))).convert("RGBA")
    assert np.array(image)[:, :, 3].max() == 0


def test_a_basemap_tile_is_a_webp_image_and_bad_tiles_are_refused(scored_demo_db):
    with connect(scored_demo_db) as conn:
        city = root_unit(conn)
    lon, lat = (city.west + city.east) / 2, (city.south + city.north) / 2
    z = 12
    x = int((lon + 180) / 360 * 2**z)
    y = int((1 - np.log(np.tan(np.radians(lat)) + 1 / np.cos(np.radians(lat))) / np.pi) / 2 * 2**z)
    image = Image.open(io.BytesIO(tile_image(scored_demo_db, z, x, y)))
    assert image.format == "WEBP" and image.size == (TILE_PX, TILE_PX)
    pixels = np.array(image.convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels // 16, axis=0)) > 2, "roads or water drawn on the background"
    for bad in ((25, 0, 0), (3, 8, 0), (-1, 0, 0)):
        with pytest.raises(ValueError):
            tile_image(scored_demo_db, *bad)
