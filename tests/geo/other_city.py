"""Another city than the demo's, written by hand (issue 21): 江北市 330100 › 江北区 330102 ›
城东街道 330102001 › three communities, one with a code of letters; its grid files are
written by the tests that use them. Squares of 0.02° side, far from the demo city."""

import csv
import json

from tests.test_cli import run_geo

WEST, SOUTH = 121.50, 31.90
COMMUNITIES = {"330102001001": 0, "330102001002": 1, "JB-C3": 2}  # code → column of 0.02° squares
SCHEME_18 = """
[areas]
lengths = [6, 6, 9, 12]
significant = [4, 6, 9, 12]
[grids]
digits = [3, 3]
[micro_grids]
digits = 3
"""


def square(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"


def cell(column: int, part: tuple[float, float, float, float] = (0, 0, 1, 1)) -> str:
    """A part (fractions x0, y0, x1, y1) of the community square in `column`."""
    x, size = WEST + 0.02 * column, 0.02
    return square(x + part[0] * size, SOUTH + part[1] * size, x + part[2] * size, SOUTH + part[3] * size)


def write_csv(path, header: list[str], rows: list[list]) -> str:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def areas_file(tmp_path) -> str:
    whole = square(WEST, SOUTH, WEST + 0.06, SOUTH + 0.02)
    rows = [["330100", "江北市", "", "", whole], ["330102", "江北区", "", "", whole],
            ["330102001", "城东街道", "", "", whole]]  # fmt: skip
    rows += [[code, f"社区{code}", "4", "330102001", cell(column)] for code, column in COMMUNITIES.items()]
    return write_csv(tmp_path / "areas.csv", ["区划代码", "名称", "级别", "上级编码", "WKT"], rows)


def run_import(url: str, path, layer: str, env: dict) -> dict:
    """`geo import --json` with the code scheme `env` names; the summary."""
    result = run_geo("import", str(path), "--layer", layer, "--json", database_url=url, env_extra=env, in_process=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
