"""The boundary editor under a city's own code scheme (issue 21): new grids and micro-grids take
codes of the configured scheme, and grids imported with codes off the scheme keep working."""

import pytest

from geo.boundaries import edits, store
from geo.boundaries.validate import validate
from geo.errors import UserError
from geo.settings import get_settings
from tests.geo.boundaries.test_edits import edit
from tests.geo.other_city import SCHEME_18, SOUTH, WEST, areas_file, cell, run_import, write_csv

C = "330102001002"  # the other city's community numbered with 18-digit grid codes


@pytest.fixture
def scheme_18(tmp_path, monkeypatch) -> dict:
    """The 18-digit scheme (community 12 + 3 + 3, micro-grids + 3) for this process and its imports."""
    path = tmp_path / "scheme.toml"
    path.write_text(SCHEME_18, encoding="utf-8")
    monkeypatch.setenv("SAFETY_MAP_CODE_SCHEME", str(path))
    get_settings.cache_clear()
    yield {"SAFETY_MAP_CODE_SCHEME": str(path)}
    get_settings.cache_clear()


def load_other_city(url: str, tmp_path, env: dict) -> None:
    """The other city's areas; 18-digit grids (and a micro-grid each) in community C, and in
    community 330102001001 grids of 15 characters tied by parent columns."""
    assert run_import(url, areas_file(tmp_path), "areas", env)["rejected"] == 0
    rows = [[C + "000000", "一级", cell(1)], [C + "001000", "片区", cell(1)],
            [C + "001001", "一号", cell(1, (0, 0, 0.5, 1))], [C + "001002", "二号", cell(1, (0.5, 0, 1, 1))]]  # fmt: skip
    assert run_import(url, write_csv(tmp_path / "g18.csv", ["网格编码", "网格名称", "WKT"], rows), "grids", env)[
        "inserted"] == 4  # fmt: skip
    micro = [[C + "001001001", cell(1, (0, 0, 0.5, 1))], [C + "001002001", cell(1, (0.5, 0, 1, 1))]]
    assert run_import(url, write_csv(tmp_path / "m18.csv", ["微网格编码", "WKT"], micro), "micro-grids", env)[
        "inserted"] == 2  # fmt: skip
    top, other = "330102001001000", "330102001001-E"
    rows = [[top, "一级", "", "330102001001", cell(0)],
            [other, "东", top, "330102001001", cell(0, (0.5, 0, 1, 1))],
            ["330102001001-W", "西", top, "330102001001", cell(0, (0, 0, 0.5, 1))]]  # fmt: skip
    header = ["网格编码", "网格名称", "上级网格编码", "社区编码", "WKT"]
    assert run_import(url, write_csv(tmp_path / "g15.csv", header, rows), "grids", env)["warnings"] == 3


def test_a_split_under_an_18_digit_scheme_proposes_codes_of_that_scheme(conn, city_db, tmp_path, scheme_18):
    load_other_city(city_db, tmp_path, scheme_18)
    draft = store.open_draft(conn, C, "测试规划员")
    line = [(WEST + 0.0201, SOUTH + 0.01), (WEST + 0.0299, SOUTH + 0.01)]
    after, new_code = edit(conn, draft, "split", edits.split_grid, C + "001001", line)
    assert new_code == C + "001003"
    assert after.grids[new_code].parent_code == C + "001000"
    micro = {m.code for m in after.micro_grids_of(new_code)} | {m.code for m in after.micro_grids_of(C + "001001")}
    assert C + "001001002" in micro or C + "001003001" in micro, micro
    assert all(len(code) == 21 and code[:18] in (new_code, C + "001001") for code in micro)
    assert not [p for p in validate(after) if p.rule.startswith("code")]


def test_grids_with_codes_off_the_scheme_keep_working_in_the_editor(conn, city_db, tmp_path, scheme_18):
    load_other_city(city_db, tmp_path, scheme_18)
    draft = store.open_draft(conn, "330102001001", "测试规划员")
    line = [(WEST + 0.0101, SOUTH + 0.01), (WEST + 0.0199, SOUTH + 0.01)]
    after, new_code = edit(conn, draft, "split", edits.split_grid, "330102001001-E", line)
    assert new_code == "330102001001001000"  # a level-2 grid of the scheme under the community
    problems = validate(after)
    assert not [p for p in problems if p.blocks], problems
    assert {p.codes[0] for p in problems if p.rule == "code_pattern"} == {"330102001001000", "330102001001-E",
                                                                         "330102001001-W"}  # fmt: skip
    after, _ = edit(conn, after, "recode", edits.recode_grid, "330102001001-W", "WEST-9")
    assert "WEST-9" in after.grids and after.grids["WEST-9"].parent_code == "330102001001000"


def test_a_recode_to_a_code_another_community_holds_is_refused_at_once(conn, city_db, tmp_path, scheme_18):
    load_other_city(city_db, tmp_path, scheme_18)
    west = store.open_draft(conn, "330102001001", "测试规划员")
    with pytest.raises(UserError, match=f"code {C}001002001 is already in use"):  # a micro-grid of C
        edit(conn, west, "recode", edits.recode_grid, "330102001001-W", C + "001002001")
    assert "330102001001-W" in store.load_draft(conn, west.id).grids, "nothing was stored"
    store.discard(conn, west.id)
    draft_c = store.open_draft(conn, C, "测试规划员")
    with pytest.raises(UserError, match="code 330102001001-E is already in use"):  # off the scheme, elsewhere
        edit(conn, draft_c, "recode", edits.recode_grid, C + "001001", "330102001001-E")
