"""Grid and micro-grid codes (科学编码): whether one follows the city's code scheme, and the
next free one.

The scheme is the city's (geo/shared/code_scheme.py, SAFETY_MAP_CODE_SCHEME); by default a
grid code has 16 digits: the community's 12, then two for the level-2 grid and two for the
level-3 grid ('00' where the level is not reached): 4118020010010000 is the community's grid,
…0100 its first sub-area, …0102 that sub-area's second grid. A micro-grid code is its grid's
code and three digits. A grid imported with a code off the scheme keeps it; its new children
take their parent's whole code as the prefix. A code once used (by any version, here or
elsewhere) is never handed out again, so that a code always names one piece of ground in
the history.
"""

from geo.boundaries.draft import Draft
from geo.errors import UserError
from geo.shared.code_scheme import identifier_problem, load_scheme


def code_problem(draft: Draft, code: str, level: int, parent_code: str | None) -> str | None:
    """Why `code` is not a grid code of this draft at `level` by the scheme (None when it is):
    'format' (not a code at all), 'prefix' (a code of the scheme's form for another
    community), 'level' (off the scheme, or not naming its level or parent)."""
    if identifier_problem(code):
        return "format"
    scheme = load_scheme()
    if not scheme.grid_fits(code):
        return "level"
    if scheme.grid_community(code) != draft.community.code:
        return "prefix"
    if scheme.grid_level(code) != level:
        return "level"
    if level > 2 and parent_code and scheme.grid_fits(parent_code) and scheme.grid_parent(code) != parent_code:
        return "level"
    return None


def recode_problem(draft: Draft, code) -> tuple[str, str] | None:
    """Why a planner cannot give a grid `code` (en, zh), None when it can: it must be a code,
    and a code of the scheme's form must be this community's."""
    if not isinstance(code, str) or identifier_problem(code):
        return "a grid code is a text of 1–64 characters without control characters", "网格编码应为 1–64 个字符的文本"
    if load_scheme().grid_fits(code) and not code.startswith(draft.community.code):
        return (
            f"a grid code of this community starts with {draft.community.code}",
            f"本社区的网格编码应以 {draft.community.code} 开头",
        )
    return None


def next_grid_code(draft: Draft, parent_code: str, level: int) -> str:
    """The first code at `level` under `parent_code`, by the city's code scheme, that no grid
    of the draft holds and that was never used elsewhere."""
    if level < 2:
        raise UserError("only grids of level 2 or 3 can be added to a community", zh="只能新增二级或三级网格")
    used = set(draft.grids) | draft.used_codes
    for code in load_scheme().child_grid_codes(draft.community.code, parent_code, level):
        if code not in used:
            return code
    raise UserError(f"no free grid code left under {parent_code}", zh=f"{parent_code} 下已无可用网格编码")


def next_micro_code(draft: Draft, grid_code: str) -> str:
    """The first micro-grid code under `grid_code` that is free in the draft and was never used."""
    used = set(draft.micro_grids) | draft.used_codes
    for code in load_scheme().child_micro_codes(grid_code):
        if code not in used:
            return code
    raise UserError(f"no free micro-grid code left under {grid_code}", zh=f"{grid_code} 下已无可用微网格编码")
