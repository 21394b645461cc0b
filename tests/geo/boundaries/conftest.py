"""Drafts on a private copy of the small demo city, and ways to find what to edit in them."""

import numpy as np
import pytest
import shapely

from bench.boundaries import interior_shared_vertex
from geo.boundaries import store
from geo.db.connection import connect


@pytest.fixture
def conn(city_db):
    """An autocommit connection to a private copy of the small demo city (a commit commits)."""
    with connect(city_db, autocommit=True) as connection:
        yield connection


@pytest.fixture
def community(conn) -> str:
    """An urban community with at least three basic grids."""
    return conn.execute(
        """SELECT a.code FROM admin_area a JOIN grid_current g ON g.community_id = a.id AND g.is_basic
           WHERE a.level = 4 AND a.is_urban GROUP BY a.code HAVING count(*) >= 3 ORDER BY a.code LIMIT 1"""
    ).fetchone()[0]


@pytest.fixture
def draft(conn, community):
    return store.open_draft(conn, community, "测试规划员")


def shared_vertex(draft) -> tuple[str, str, tuple[float, float]]:
    """Two sibling basic grids and a vertex they share that is not on the community's edge."""
    found = interior_shared_vertex(draft)
    assert found is not None, "no shared interior vertex in this community"
    return found


def errors(problems) -> list[str]:
    return [f"{p.rule} {p.codes}" for p in problems if p.severity == "error"]


def contains_vertex(geom, point) -> bool:
    coords = shapely.get_coordinates(geom)
    return bool((np.abs(coords - np.asarray(point)).max(axis=1) < 1e-9).any())
