"""A city's code scheme (code_scheme.toml, or the file SAFETY_MAP_CODE_SCHEME names): what a
code of an area, grid or micro-grid looks like and which parent it names.

A code is an identifier first (`identifier_problem`): any trimmed text without control
characters, at most CODE_MAX characters. The scheme only derives what a file leaves out (a
level, a parent) and says which codes are off the city's numbering (a warning, never a
refusal). Imports and the boundary editor read it alike, so the command line and the
dashboard agree.

Example (the default scheme):
    >>> scheme = load_scheme()
    >>> scheme.grid_parent("4118020010010102"), scheme.grid_community("4118020010010102")
    ('4118020010010100', '411802001001')
"""

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo.errors import UserError
from geo.settings import get_settings

DEFAULT_PATH = Path(__file__).with_name("code_scheme.toml")
CODE_MAX = 64  # longer is not a code but a pasted cell
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def identifier_problem(code) -> str | None:
    """Why `code` (already trimmed) cannot be a code at all: empty, too long, control characters."""
    if not isinstance(code, str) or not code:
        return "empty"
    if len(code) > CODE_MAX:
        return f"longer than {CODE_MAX} characters"
    if CONTROL.search(code):
        return "holds control characters (a tab or line break)"
    return None


@dataclass(frozen=True)
class CodeScheme:
    """The lengths of area codes per level, the grid digits per level below 1, the micro-grid
    digits, and the characters codes are made of."""

    characters: str
    area_lengths: tuple[int, ...]
    area_significant: tuple[int, ...]
    grid_digits: tuple[int, ...]
    micro_digits: int
    origin: str

    @property
    def community_length(self) -> int:
        return self.area_lengths[-1]

    @property
    def grid_length(self) -> int:
        return self.community_length + sum(self.grid_digits)

    @property
    def micro_length(self) -> int:
        return self.grid_length + self.micro_digits

    @property
    def grid_levels(self) -> int:
        return 1 + len(self.grid_digits)

    def _made_of(self, code: str, length: int) -> bool:
        return len(code) == length and re.fullmatch(f"[{self.characters}]*", code) is not None

    # --- areas ---------------------------------------------------------------------------

    def area_fits(self, code: str, level: int) -> bool:
        """Whether `code` is a level-`level` area code of the scheme."""
        return self._made_of(code, self.area_lengths[level - 1])

    def area_level(self, code: str) -> int | None:
        """The level of an area code (the shallowest whose length it has and whose own part it
        fills: 411800 is the city, 411802 a district), or None when it fits no level."""
        for level, (length, own) in enumerate(zip(self.area_lengths, self.area_significant), 1):
            if self._made_of(code, length) and set(code[own:]) <= {"0"}:
                return level
        return None

    def area_parent(self, code: str, level: int) -> str | None:
        """The parent's code as the scheme derives it (None at level 1 or for a code off the scheme)."""
        if level == 1 or not self.area_fits(code, level):
            return None
        own, length = self.area_significant[level - 2], self.area_lengths[level - 2]
        return code[:own].ljust(length, "0")

    # --- grids ---------------------------------------------------------------------------

    def grid_fits(self, code: str) -> bool:
        """Whether `code` is a grid code of the scheme (length and characters)."""
        return self._made_of(code, self.grid_length)

    def _grid_parts(self, code: str) -> list[str]:
        start, parts = self.community_length, []
        for digits in self.grid_digits:
            parts.append(code[start : start + digits])
            start += digits
        return parts

    def grid_level(self, code: str) -> int | None:
        """The level a grid code names (1 + the levels filled in), or None when it is off the
        scheme (a filled level after an empty one)."""
        if not self.grid_fits(code):
            return None
        filled = [set(part) != {"0"} for part in self._grid_parts(code)]
        depth = filled.index(False) if False in filled else len(filled)
        return None if any(filled[depth:]) else 1 + depth

    def grid_parent(self, code: str) -> str | None:
        """The parent grid's code the scheme derives (its level's part zeroed), or None."""
        level = self.grid_level(code)
        if level is None or level == 1:
            return None
        start = self.community_length + sum(self.grid_digits[: level - 2])
        return code[:start] + "0" * (self.grid_length - start)

    def grid_community(self, code: str) -> str | None:
        """The community code a grid code starts with, or None for a code off the scheme."""
        return code[: self.community_length] if self.grid_fits(code) else None

    def child_grid_codes(self, community: str, parent: str | None, level: int):
        """The scheme's codes for a new grid at `level` (2 or deeper), in order: the community's
        code (level 2) or the parent's own part (deeper), the level's number, zeros after. Under
        a parent whose code is off the scheme the whole parent code is the prefix."""
        if not 2 <= level <= self.grid_levels:
            raise UserError(
                f"the code scheme ({self.origin}) numbers grids down to level {self.grid_levels}, not {level}",
                zh=f"编码方案只编到第 {self.grid_levels} 级网格，无法为第 {level} 级网格编码",
            )
        start = self.community_length + sum(self.grid_digits[: level - 2])
        if level == 2:
            prefix = community
        else:
            prefix = parent[:start] if parent and self.grid_fits(parent) else (parent or community)
        digits, rest = self.grid_digits[level - 2], sum(self.grid_digits[level - 1 :])
        return (f"{prefix}{n:0{digits}d}{'0' * rest}" for n in range(1, 10**digits))

    # --- micro-grids ---------------------------------------------------------------------

    def micro_fits(self, code: str) -> bool:
        return self._made_of(code, self.micro_length)

    def micro_grid(self, code: str) -> str | None:
        """The grid code a micro-grid code starts with, or None for a code off the scheme."""
        return code[: self.grid_length] if self.micro_fits(code) else None

    def child_micro_codes(self, grid_code: str):
        """The scheme's codes for a new micro-grid of `grid_code`, in order."""
        return (f"{grid_code}{n:0{self.micro_digits}d}" for n in range(1, 10**self.micro_digits))


def load_scheme(path: Path | None = None) -> CodeScheme:
    """The configured code scheme (`path`, else SAFETY_MAP_CODE_SCHEME, else the default); a
    mistake in the file is one UserError."""
    path = Path(path or get_settings().code_scheme or DEFAULT_PATH)
    try:
        return _read(path, path.stat().st_mtime_ns)
    except OSError as error:
        raise UserError(f"code scheme {path}: {error.strerror}") from error


@lru_cache(maxsize=4)
def _read(path: Path, _mtime_ns: int) -> CodeScheme:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return _build(raw, str(path))
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, re.error) as error:
        reason = f"missing {error}" if isinstance(error, KeyError) else str(error)
        raise UserError(f"code scheme {path}: {reason}") from error


def _build(raw: dict, origin: str) -> CodeScheme:
    areas, grids = raw["areas"], raw["grids"]
    lengths, own = tuple(map(int, areas["lengths"])), tuple(map(int, areas.get("significant", areas["lengths"])))
    digits, micro = tuple(map(int, grids["digits"])), int(raw["micro_grids"]["digits"])
    if len(lengths) != 4 or len(own) != 4:
        raise ValueError("areas.lengths and areas.significant need one entry per level (4)")
    if any(not 0 < s <= n for s, n in zip(own, lengths)):
        raise ValueError("each area's significant characters must be 1 … its length")
    if not 1 <= len(digits) <= 2 or min(digits) < 1 or micro < 1:
        raise ValueError("grids.digits needs 1 or 2 positive entries and micro_grids.digits a positive one")
    characters = str(raw.get("characters", "0-9"))
    re.compile(f"[{characters}]")
    return CodeScheme(characters, lengths, own, digits, micro, origin)
