"""Small-count and complementary suppression of key-person counts: the group rule and the
hierarchy as properties (an attacker who knows the published totals never pins down a hidden
count), then through the real queries on a copy of the demo city, then what the pages show."""

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from geo.db.connection import connect
from geo.map import areas
from geo.map.suppression import _fails_published, hide_small, suppress_group, suppress_path, unpublishable
from geo.settings import get_settings
from geo.shared.units import children_codes, find_unit, root_unit, unit_path

GROUP_EXAMPLES = 400
TREE_EXAMPLES = 150
NO_LIMIT = 100_000

codes = st.text(alphabet="abcdefghijklmnop", min_size=1, max_size=2)
groups = st.dictionaries(codes, st.integers(0, 40), max_size=15)
ks = st.integers(2, 15)


def feasible_values(hidden: list[str], code: str, rest_sum: int) -> list[int]:
    """Every value the hidden cell `code` can take when the hidden cells are non-negative
    integers summing to `rest_sum` (brute force over the values, exact check of the rest)."""
    others = len(hidden) - 1
    return [v for v in range(rest_sum + 1) if (others >= 1 or rest_sum - v == 0)]


# -- one group --------------------------------------------------------------------------------


@settings(max_examples=GROUP_EXAMPLES, deadline=None)
@given(groups, ks, st.booleans())
def test_every_cell_below_k_is_hidden_and_the_rest_shown_as_it_is(counts, k, published):
    result = suppress_group(counts, k, published)
    assert set(result.cells) == set(counts)
    for code, count in counts.items():
        shown = result.cells[code]
        assert shown is None or shown == count
        if count < k:
            assert shown is None


@settings(max_examples=GROUP_EXAMPLES, deadline=None)
@given(groups, ks)
def test_with_the_total_published_no_hidden_cell_can_be_worked_out(counts, k):
    result = suppress_group(counts, k, total_published=True)
    hidden = [code for code, shown in result.cells.items() if shown is None]
    if result.total_hidden:
        assert hidden, "a total is only withheld for the sake of a hidden cell"
        return
    # The attacker: the total, the visible cells, and that each hidden cell is a count >= 0.
    rest_sum = sum(counts.values()) - sum(shown for shown in result.cells.values() if shown is not None)
    for code in hidden:
        assert len(feasible_values(hidden, code, rest_sum)) >= 2, f"{code} is pinned down"
    if hidden:
        assert rest_sum >= k and sum(1 for code in hidden if counts[code] > 0) >= 2


@settings(max_examples=GROUP_EXAMPLES, deadline=None)
@given(groups, ks)
def test_the_total_is_withheld_only_when_hiding_everything_is_not_enough(counts, k):
    result = suppress_group(counts, k, total_published=True)
    positive = sum(1 for count in counts.values() if count > 0)
    cannot = len(counts) < 2 or sum(counts.values()) < k or positive < 2
    if result.total_hidden:
        assert all(shown is None for shown in result.cells.values()) and cannot


@settings(max_examples=GROUP_EXAMPLES, deadline=None)
@given(groups, ks, st.data())
def test_the_quick_bottom_up_check_agrees_with_the_group_rule(counts, k, data):
    forced = data.draw(st.sets(st.sampled_from(sorted(counts))) if counts else st.just(set()))
    expected = suppress_group(counts, k, True, forced).total_hidden
    assert _fails_published(counts, k, set(forced)) == expected


@settings(max_examples=GROUP_EXAMPLES, deadline=None)
@given(groups, ks)
def test_a_hidden_total_cannot_be_summed_back_up(counts, k):
    result = suppress_group(counts, k, total_published=False)
    visible = sum(shown for shown in result.cells.values() if shown is not None)
    assert result.total_hidden
    if sum(counts.values()) > 0:
        assert visible < sum(counts.values())
    complementary = [c for c, shown in result.cells.items() if shown is None and counts[c] >= k]
    assert len(complementary) <= 1, "without a published total only one more cell is hidden"


def test_examples_of_the_group_rule():
    assert suppress_group({"a": 3, "b": 12, "c": 40}, 10).cells == {"a": None, "b": None, "c": 40}
    # Two hidden cells summing below k: keep hiding until they reach it.
    assert suppress_group({"a": 2, "b": 3, "c": 11, "d": 30}, 10).cells == {"a": None, "b": None, "c": None, "d": 30}
    # A zero is a real cell, hidden; a lone other cell would be the total minus nothing.
    assert suppress_group({"a": 0, "b": 25}, 10).total_hidden
    # Ties go by code.
    assert suppress_group({"x": 4, "b": 20, "a": 20}, 10).cells == {"x": None, "b": 20, "a": None}
    # Nothing hidden, nothing more to do; no cells, nothing to show.
    assert suppress_group({"a": 10, "b": 11}, 10) == suppress_group({"a": 10, "b": 11}, 10, forced=())
    assert suppress_group({}, 10).cells == {} and not suppress_group({}, 10).total_hidden
    # A forced cell is hidden like a small one and needs a partner.
    assert suppress_group({"a": 30, "b": 20, "c": 50}, 10, forced=["c"]).cells == {"a": 30, "b": None, "c": None}
    assert hide_small(9, 10) is None and hide_small(10, 10) == 10


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="k must be"):
        suppress_group({"a": 1}, 0)
    with pytest.raises(ValueError, match="negative"):
        suppress_group({"a": -1}, 5)


# -- a hierarchy ------------------------------------------------------------------------------

leaf_counts = st.integers(0, 40)
subtrees = st.recursive(leaf_counts, lambda inner: st.lists(inner, min_size=1, max_size=4), max_leaves=24)
trees = st.lists(subtrees, min_size=1, max_size=5)


def flatten(tree, code="r"):
    """(groups {code: {child: count}}, counts {code: count}) of a nested list of counts."""
    groups, counts = {}, {}

    def walk(node, code):
        if isinstance(node, int):
            counts[code] = node
            return node
        children = {f"{code}.{i}": walk(child, f"{code}.{i}") for i, child in enumerate(node)}
        groups[code], counts[code] = children, sum(children.values())
        return counts[code]

    walk(tree, code)
    return groups, counts


def shown_tables(groups, k):
    """{code: Suppression} of every group, each reached by walking from the root."""
    blocked = unpublishable(groups, "r", k)
    shown = {}
    for code in groups:
        path = code.split(".")
        path = [".".join(path[: i + 1]) for i in range(len(path))]
        shown[code] = suppress_path(groups, path, k, blocked)[-1]
    return shown


def visible_cells(groups, shown) -> dict:
    return {child: count for code in groups for child, count in shown[code].cells.items() if count is not None}


def attacker_range(groups, counts, fixed: dict, code: str) -> tuple[float, float]:
    """The least and greatest value of `code` an integer program finds, knowing the tree,
    that every parent is the sum of its children, every count is >= 0, and the `fixed`
    (shown) values."""
    names = sorted(counts)
    index = {name: i for i, name in enumerate(names)}
    rows, low, high = [], [], []
    for parent, children in groups.items():
        row = np.zeros(len(names))
        row[index[parent]] = 1
        for child in children:
            row[index[child]] -= 1
        rows.append(row)
        low.append(0)
        high.append(0)
    for name, value in fixed.items():
        row = np.zeros(len(names))
        row[index[name]] = 1
        rows.append(row)
        low.append(value)
        high.append(value)
    constraint = LinearConstraint(np.array(rows), low, high)
    target = np.zeros(len(names))
    target[index[code]] = 1
    found = []
    for sign in (1, -1):
        # A bound far above any count keeps the program bounded when no total is known.
        result = milp(sign * target, constraints=constraint, integrality=np.ones(len(names)),
                      bounds=Bounds(0, NO_LIMIT))  # fmt: skip
        assert result.status == 0, result.message
        found.append(round(sign * result.fun))
    return found[0], found[1]


@settings(max_examples=TREE_EXAMPLES, deadline=None)
@given(trees, ks)
def test_in_a_hierarchy_no_published_total_minus_visible_children_pins_a_hidden_cell(tree, k):
    groups, counts = flatten(tree)
    shown = shown_tables(groups, k)
    root_published = not shown["r"].total_hidden
    for code, result in shown.items():
        parent = code.rpartition(".")[0]
        published = root_published if code == "r" else shown[parent].cells[code] is not None
        assert all(result.cells[c] is None for c, n in groups[code].items() if n < k)
        if not published:
            continue
        assert not result.total_hidden, f"{code}: a visible cell whose own table cannot publish it"
        hidden = [c for c, n in result.cells.items() if n is None]
        rest = counts[code] - sum(n for n in result.cells.values() if n is not None)
        for child in hidden:
            assert len(feasible_values(hidden, child, rest)) >= 2, f"{child} pinned by {code}'s total"


@settings(max_examples=TREE_EXAMPLES, deadline=None)
@given(trees, ks)
def test_in_a_hierarchy_an_attacker_reading_every_table_at_once_pins_nothing(tree, k):
    groups, counts = flatten(tree)
    shown = shown_tables(groups, k)
    fixed = visible_cells(groups, shown)
    if not shown["r"].total_hidden:
        fixed["r"] = counts["r"]  # the root's total is published (the overview shows it)
    for code in counts:
        if code in fixed:
            continue
        least, most = attacker_range(groups, counts, fixed, code)
        assert least <= counts[code] <= most
        assert least < most, f"{code} = {counts[code]} is pinned down by the tables"


def test_a_visible_cell_whose_table_cannot_publish_its_total_is_hidden_in_the_parent():
    # t2 holds 25 persons all in one category: shown, t2's table would be 25 = 25 + hidden 0s.
    groups = {"c": {"t1": 40, "t2": 25, "t3": 30}, "t2": {"x": 25, "y": 0}, "t1": {"u": 20, "v": 20}}
    assert unpublishable(groups, "c", 10) == {"t2"}
    city, t2 = suppress_path(groups, ["c", "t2"], 10)
    assert city.cells == {"t1": 40, "t2": None, "t3": None} and not city.total_hidden
    assert t2.cells == {"x": None, "y": None}, "t2's total is hidden: its one positive cell is hidden too"


# -- through the real queries -----------------------------------------------------------------

# Active key persons per current basic grid with the codes of the areas above it, found by
# walking admin_area's parent links four times: no use of the map's queries.
PERSONS_WITH_AREAS = """
SELECT g.code, a4.code, a3.code, a2.code, a1.code, count(k.pseudonym)
FROM grid g
JOIN admin_area a4 ON a4.id = g.community_id
LEFT JOIN admin_area a3 ON a3.id = a4.parent_id
LEFT JOIN admin_area a2 ON a2.id = a3.parent_id
LEFT JOIN admin_area a1 ON a1.id = a2.parent_id
LEFT JOIN building_assignment b ON b.grid_id = g.id
LEFT JOIN sensitive.key_person k ON k.building_id = b.building_id AND k.active
WHERE g.valid_to IS NULL AND g.is_basic
GROUP BY 1, 2, 3, 4, 5
"""
PERSONS_PER_CATEGORY = """
SELECT c.code, count(k.pseudonym) FROM sensitive.key_person_category c
LEFT JOIN (sensitive.key_person k JOIN building_assignment b ON b.building_id = k.building_id AND k.active
           JOIN grid_current g ON g.id = b.grid_id AND g.code = %s) ON k.category_code = c.code
GROUP BY 1
"""


@pytest.fixture
def small_k(monkeypatch):
    """k = 3: on the small demo city, where a grid holds a handful of persons, tables then
    hold both shown and hidden cells."""
    monkeypatch.setenv("SAFETY_MAP_SMALL_COUNT_K", "3")
    get_settings.cache_clear()
    areas.forget_key_persons()
    yield 3
    get_settings.cache_clear()
    areas.forget_key_persons()


@pytest.fixture
def conn(city_db):
    with connect(city_db, autocommit=True) as connection:
        yield connection


def true_count(conn, code: str) -> int:
    return sum(row[5] for row in conn.execute(PERSONS_WITH_AREAS) if code in row[:5])


def check_table(conn, unit, shown: dict, published: bool, k: int) -> None:
    """The table of `unit` agrees with the database and protects its hidden cells."""
    truth = {code: true_count(conn, code) for code in shown}
    assert set(shown) == set(children_codes(conn, unit))
    assert all(shown[c] is None or shown[c] == truth[c] for c in shown)
    assert all(shown[c] is None for c in shown if truth[c] < k)
    hidden = [c for c in shown if shown[c] is None]
    if published and hidden:
        assert len(hidden) >= 2 and sum(truth[c] for c in hidden) >= k
        assert sum(1 for c in hidden if truth[c] > 0) >= 2
    if not published and sum(truth.values()) > 0:
        assert sum(shown[c] for c in shown if shown[c] is not None) < sum(truth.values())


def test_every_table_down_a_path_agrees_with_the_database_and_protects_its_hidden_cells(conn, small_k):
    k = small_k
    grid = conn.execute(
        "SELECT code FROM grid_current WHERE is_basic AND community_id IS NOT NULL ORDER BY code LIMIT 1"
    ).fetchone()[0]
    path = unit_path(conn, find_unit(conn, grid))
    published = True
    for unit, below in zip(path, path[1:], strict=False):
        shown = areas.child_key_persons(conn, unit)
        check_table(conn, unit, shown, published, k)
        published = shown[below.code] is not None
    categories = areas.key_persons_by_category(conn, path[-1])
    truth = dict(conn.execute(PERSONS_PER_CATEGORY, [grid]).fetchall())
    assert set(categories) == set(truth) and all(v is None or v == truth[c] >= k for c, v in categories.items())
    if not published and sum(truth.values()):
        assert sum(v for v in categories.values() if v is not None) < sum(truth.values())


def test_a_small_grid_makes_its_smallest_sibling_hidden_too(conn, small_k):
    k = small_k
    community, grids = busy_community(conn, k)
    biggest = max(grids, key=lambda code: (grids[code], code))
    leave_persons(conn, biggest, 1)
    shown = areas.child_key_persons(conn, find_unit(conn, community))
    others = {code: n for code, n in grids.items() if code != biggest}
    smallest = min(others, key=lambda code: (others[code], code))
    assert shown[biggest] is None, "1 < k"
    assert shown[smallest] is None, "complementary: 1 alone would be the total minus the rest"
    assert {c: n for c, n in shown.items() if n is not None} == {c: n for c, n in others.items() if c != smallest}


def test_the_same_unit_gives_the_same_answer_whether_reached_from_the_root_or_directly(conn, city_db, small_k):
    community, _grids = busy_community(conn, small_k)
    unit = find_unit(conn, community)
    direct = areas.child_key_persons(conn, unit)
    areas.forget_key_persons()
    for above in unit_path(conn, unit):
        walked = areas.child_key_persons(conn, above)
    assert walked == direct
    with connect(city_db, autocommit=True) as other:  # another worker, another connection
        areas.forget_key_persons()
        assert areas.child_key_persons(other, find_unit(other, community)) == direct


def test_a_worker_counts_again_only_after_key_persons_are_written(conn, city_db, small_k, monkeypatch):
    community, grids = busy_community(conn, small_k)
    unit = find_unit(conn, community)
    before = areas.child_key_persons(conn, unit)
    loads = []
    load = areas._load_person_tree
    monkeypatch.setattr(areas, "_load_person_tree", lambda *args: loads.append(1) or load(*args))
    assert areas.child_key_persons(conn, unit) == before and not loads, "nothing written: remembered"
    biggest = max(grids, key=lambda code: (grids[code], code))
    with connect(city_db, autocommit=True) as other:  # another worker writes, and forgets its own
        other.execute(
            "UPDATE sensitive.key_person SET active = false WHERE building_id IN ("
            "SELECT b.building_id FROM building_assignment b JOIN grid_current g ON g.id = b.grid_id WHERE g.code = %s)",
            [biggest],
        )
    # The statistics reach every session within seconds of the commit (ten at most when idle).
    deadline = time.monotonic() + 20
    while (shown := areas.child_key_persons(conn, unit)) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert loads and shown[biggest] is None


def test_a_grid_whose_persons_share_one_category_is_hidden_in_its_community(conn, small_k):
    k = small_k
    community, grids = busy_community(conn, k)
    shown = areas.child_key_persons(conn, find_unit(conn, community))
    grid = max((c for c in grids if shown[c] is not None), key=lambda c: (grids[c], c))
    conn.execute(
        """UPDATE sensitive.key_person k SET category_code = (SELECT min(code) FROM sensitive.key_person_category)
           FROM building_assignment b JOIN grid_current g ON g.id = b.grid_id
           WHERE b.building_id = k.building_id AND g.code = %s""",
        [grid],
    )
    areas.forget_key_persons()
    shown = areas.child_key_persons(conn, find_unit(conn, community))
    assert shown[grid] is None, f"{grids[grid]} >= k, but the grid's table would give it away"
    hidden = [c for c in shown if shown[c] is None]
    assert len(hidden) >= 2 and sum(grids[c] for c in hidden) >= k
    categories = areas.key_persons_by_category(conn, find_unit(conn, grid))
    assert all(v is None for v in categories.values()), "the one category would be the grid's total"


def test_a_child_without_anyone_is_a_hidden_cell_like_any_small_one(conn, small_k):
    community, grids = busy_community(conn, small_k)
    empty = min(grids)
    leave_persons(conn, empty, 0)
    shown = areas.child_key_persons(conn, find_unit(conn, community))
    assert empty in shown and shown[empty] is None
    categories = areas.key_persons_by_category(conn, find_unit(conn, empty))
    assert categories and all(v is None for v in categories.values())


def test_buildings_get_no_counts_and_the_root_table_covers_every_top_area(conn, small_k):
    building = find_unit(conn, conn.execute("SELECT code FROM building ORDER BY code LIMIT 1").fetchone()[0])
    with pytest.raises(ValueError, match="basic grid"):
        areas.key_persons_by_category(conn, building)
    assert areas.child_key_persons(conn, building) == {}
    root = root_unit(conn)
    assert set(areas.child_key_persons(conn, root)) == set(children_codes(conn, root))


def busy_community(conn, k: int) -> tuple[str, dict[str, int]]:
    """A community shown in its township whose three or more grids each hold at least k
    persons, with those counts."""
    rows = conn.execute(PERSONS_WITH_AREAS).fetchall()
    per_community: dict = {}
    for grid, community, *_above, persons in rows:
        per_community.setdefault(community, {})[grid] = persons
    for community, grids in sorted(per_community.items()):
        unit = find_unit(conn, community)
        if len(grids) >= 3 and min(grids.values()) >= k + 1:
            parent = find_unit(conn, unit.parent_code)
            if areas.child_key_persons(conn, parent).get(community) is not None:
                return community, grids
    pytest.fail("no community with three grids of at least k + 1 persons each, shown in its township")


def leave_persons(conn, grid: str, keep: int) -> None:
    """Deactivate the grid's active key persons but `keep`; forget the remembered counts."""
    conn.execute(
        """UPDATE sensitive.key_person SET active = false WHERE pseudonym IN (
               SELECT k.pseudonym FROM sensitive.key_person k
               JOIN building_assignment b ON b.building_id = k.building_id
               JOIN grid_current g ON g.id = b.grid_id
               WHERE g.code = %s AND k.active ORDER BY k.pseudonym OFFSET %s)""",
        [grid, keep],
    )
    areas.forget_key_persons()


# -- what the pages show ----------------------------------------------------------------------


def test_a_building_profile_shows_a_note_and_no_key_person_numbers():
    from dashboard.components import profile

    section = profile.key_persons_not_per_building("zh")
    words = str(section.to_plotly_json())
    assert "楼栋不显示重点人群人数" in words and section.id == "key-person-counts"
    assert "Key persons are not shown per building" in str(profile.key_persons_not_per_building("en").children)


def test_a_hidden_grid_category_reads_as_hidden_not_as_fewer_than_k():
    from dashboard.components import profile

    section = str(profile.key_person_counts({"drug": None, "elderly": 14}, {"drug": "涉毒"}, "en").to_plotly_json())
    assert "hidden" in section and "14" in section and "None" not in section


def test_the_preview_shows_the_grids_published_key_person_counts_only():
    from dashboard.components.boundaries.review import impact_view
    from geo.boundaries.impact import NEW

    move = {"from_code": "A", "from_name": "甲", "to_code": "B", "to_name": "乙", "buildings": 2,
            "households": 40, "cases_12m": 3, "building_ids": [1, 2]}  # fmt: skip
    moves = [
        {**move, "from_key_persons": None, "to_key_persons": 15},
        {**move, "from_key_persons": 0, "to_key_persons": NEW},
    ]
    result = {"moves": moves, "risk": [], "seconds": 0.1}
    words = str([c.to_plotly_json() for c in impact_view(result, "en")])
    assert "hidden → 15" in words and "0 → new grid" in words
    cells = [row.children[-1].children for row in impact_view(result, "zh")[1].children[1].children]
    assert cells == ["不显示 → 15", "0 → 新网格"]
