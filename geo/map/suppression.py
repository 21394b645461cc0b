"""Small-count suppression of key-person counts, with complementary suppression, for one group
of cells and for a hierarchy of groups. Pure: no database.

A group is one table: the children of a unit (child code → count, a count of 0 being a real
cell) and the unit's total, which is the unit's own cell in its parent's table. The rules:

- primary: a cell below k is hidden;
- complementary (the total is published): while any cell is hidden, the smallest visible
  cell is hidden too, until the hidden cells are at least two, sum to at least k and at
  least two of them are above 0; when even hiding every cell does not get there, the total
  must be hidden as well (`Suppression.total_hidden`);
- no summing back (the total is not published, because the unit's cell is hidden in its
  parent's table): when the unit holds anyone, at least one hidden cell above 0 remains, so
  that the visible cells never add up to the hidden total.

Together these leave every hidden count with at least two values that agree with everything
shown, all tables of the hierarchy read at once (tests/geo/map/test_suppression.py checks it
with an integer program as the attacker).

Example:
    >>> suppress_group({"a": 3, "b": 12, "c": 40}, k=10).cells
    {'a': None, 'b': None, 'c': 40}
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Suppression:
    """What a group shows: `cells` maps each child code to its count, or None when hidden;
    `total_hidden` is True when the group's total must not be shown anywhere."""

    cells: dict[str, int | None]
    total_hidden: bool


def suppress_group(
    counts: Mapping[str, int], k: int, total_published: bool = True, forced: Iterable[str] = ()
) -> Suppression:
    """Apply the small-count rules to one group.

    Parameters
    ----------
    counts: child code → count (>= 0); every child is a cell, 0 included.
    k: the smallest count shown (>= 1).
    total_published: whether the group's total is shown (its cell visible in the parent).
    forced: child codes to hide whatever their count (children whose own totals must be
        hidden, see `unpublishable`).

    Returns a `Suppression`.

    Examples:
        >>> suppress_group({"a": 3, "b": 12, "c": 40}, k=10)
        Suppression(cells={'a': None, 'b': None, 'c': 40}, total_hidden=False)
        >>> suppress_group({"a": 0, "b": 25}, k=10)  # b alone would be total − 0
        Suppression(cells={'a': None, 'b': None}, total_hidden=True)
        >>> suppress_group({"a": 20, "b": 30}, k=10, total_published=False)  # no summing back
        Suppression(cells={'a': None, 'b': 30}, total_hidden=True)
    """
    _check(counts, k)
    forced = set(forced)
    hidden = {code for code, count in counts.items() if count < k or code in forced}
    if not total_published:
        _keep_one_positive_hidden(counts, hidden)
        return Suppression(_cells(counts, hidden), True)
    if hidden:
        _hide_until_safe(counts, hidden, k)
    failed = bool(hidden) and not _safe(counts, hidden, k)
    return Suppression(_cells(counts, hidden), failed)


def hide_small(count: int, k: int) -> int | None:
    """The count, or None when it is below k: the primary rule alone, for a count that is no
    cell of the hierarchy (a move in the boundary editor's preview).

    Example:
        >>> hide_small(3, 10), hide_small(12, 10)
        (None, 12)
    """
    return count if count >= k else None


def unpublishable(groups: Mapping[str | None, Mapping[str, int]], root: str | None, k: int) -> frozenset:
    """The codes below `root` whose total could not be shown even if their cell were visible
    (their group fails with a published total): their cells are hidden in their parents.

    `groups` maps a unit's code (None for a root above several areas) to its children's
    counts; a code without a group is a leaf. Worked bottom-up, since a child that cannot
    publish forces a hidden cell in its parent's group.

    Example:
        >>> sorted(unpublishable({"c": {"t": 25}, "t": {"x": 0, "y": 25}}, "c", k=10))
        ['t']
    """
    found: set[str] = set()
    for code in reversed(_top_down(groups, root)):
        if code != root and _fails_published(groups[code], k, found):
            found.add(code)
    return frozenset(found)


def _fails_published(counts: Mapping[str, int], k: int, forced: set[str]) -> bool:
    """`suppress_group(counts, k, True, forced).total_hidden`, without sorting: hiding more
    cells never breaks the condition, so the rule fails iff something is hidden and even
    every cell hidden would not meet it."""
    values = counts.values()
    if min(values, default=k) >= k and forced.isdisjoint(counts):
        return False
    return len(counts) < 2 or sum(values) < k or sum(count > 0 for count in values) < 2


def suppress_path(
    groups: Mapping[str | None, Mapping[str, int]], path: list, k: int, blocked: frozenset | None = None
) -> list[Suppression]:
    """The suppression of each group along `path` (codes from the root down): the root's
    total counts as published, every other group's total iff its cell was visible in its
    parent's group. `blocked` is `unpublishable(groups, path[0], k)`, when already known.

    Example:
        >>> groups = {"c": {"t1": 40, "t2": 5}, "t1": {"x": 20, "y": 20}}
        >>> [s.cells for s in suppress_path(groups, ["c", "t1"], k=10)]
        [{'t1': None, 't2': None}, {'x': None, 'y': 20}]
    """
    if blocked is None:
        blocked = unpublishable(groups, path[0], k)
    results, published = [], True
    for index, code in enumerate(path):
        result = suppress_group(groups.get(code, {}), k, published, blocked & set(groups.get(code, {})))
        results.append(result)
        if index + 1 < len(path):
            published = result.cells.get(path[index + 1]) is not None
    return results


def _check(counts: Mapping[str, int], k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    negative = [code for code, count in counts.items() if count < 0]
    if negative:
        raise ValueError(f"counts cannot be negative: {negative[:3]}")


def _safe(counts: Mapping[str, int], hidden: set[str], k: int) -> bool:
    positive = sum(1 for code in hidden if counts[code] > 0)
    return len(hidden) >= 2 and positive >= 2 and sum(counts[code] for code in hidden) >= k


def _hide_until_safe(counts: Mapping[str, int], hidden: set[str], k: int) -> None:
    for code in _smallest_first(counts, hidden):
        if _safe(counts, hidden, k):
            return
        hidden.add(code)


def _keep_one_positive_hidden(counts: Mapping[str, int], hidden: set[str]) -> None:
    if any(counts[code] > 0 for code in hidden):
        return
    positive = [code for code in _smallest_first(counts, hidden) if counts[code] > 0]
    if positive:
        hidden.add(positive[0])


def _smallest_first(counts: Mapping[str, int], hidden: set[str]) -> list[str]:
    """The visible cells in the order they are hidden: above 0 first, then smallest, then by code."""
    visible = [code for code in counts if code not in hidden]
    return sorted(visible, key=lambda code: (counts[code] <= 0, counts[code], code))


def _cells(counts: Mapping[str, int], hidden: set[str]) -> dict[str, int | None]:
    return {code: None if code in hidden else count for code, count in counts.items()}


def _top_down(groups: Mapping[str | None, Mapping[str, int]], root: str | None) -> list:
    """The codes with a group reachable from `root`, each once, parents before children
    (a cycle in imported parent links is not followed round)."""
    order, seen, stack = [], set(), [root]
    while stack:
        code = stack.pop()
        if code in seen or code not in groups:
            continue
        seen.add(code)
        order.append(code)
        stack.extend(child for child in groups[code] if child in groups)
    return order
