"""Grid and micro-grid codes (科学编码): what a valid one looks like and the next free one.

A grid code has 16 digits: the community's 12, then two for the level-2 grid and two for the
level-3 grid ('00' where the level is not reached): 4118020010010000 is the community's grid,
…0100 its first sub-area, …0102 that sub-area's second grid. A micro-grid code is its grid's
code and three digits. A code once used (by any version, here or elsewhere) is never handed
out again, so that a code always names one piece of ground in the history.
"""

import re

from geo.boundaries.draft import Draft
from geo.errors import UserError

GRID_CODE = re.compile(r"^[0-9]{16}$")


def code_problem(draft: Draft, code: str, level: int, parent_code: str | None) -> str | None:
    """Why `code` cannot be a grid code of this draft at `level` (None when it can): the
    format, the community's prefix, and the level's digits."""
    if not GRID_CODE.match(code or ""):
        return "format"
    if not code.startswith(draft.community.code):
        return "prefix"
    if level == 1 and code[12:] != "0000":
        return "level"
    if level == 2 and (code[12:14] == "00" or code[14:] != "00"):
        return "level"
    if level == 3 and (code[14:] == "00" or (parent_code and code[:14] != parent_code[:14])):
        return "level"
    return None


def next_grid_code(draft: Draft, parent_code: str, level: int) -> str:
    """The first code at `level` under `parent_code` that no grid of the draft holds and that
    was never used elsewhere."""
    used = set(draft.grids) | draft.used_codes
    if level == 2:
        candidates = (f"{draft.community.code}{n:02d}00" for n in range(1, 100))
    elif level == 3:
        candidates = (f"{parent_code[:14]}{n:02d}" for n in range(1, 100))
    else:
        raise UserError("only grids of level 2 or 3 can be added to a community", zh="只能新增二级或三级网格")
    for code in candidates:
        if code not in used:
            return code
    raise UserError(f"no free grid code left under {parent_code}", zh=f"{parent_code} 下已无可用网格编码")


def next_micro_code(draft: Draft, grid_code: str) -> str:
    """The first micro-grid code under `grid_code` that is free in the draft and was never used."""
    used = set(draft.micro_grids) | draft.used_codes
    for n in range(1, 1000):
        code = f"{grid_code}{n:03d}"
        if code not in used:
            return code
    raise UserError(f"no free micro-grid code left under {grid_code}", zh=f"{grid_code} 下已无可用微网格编码")
