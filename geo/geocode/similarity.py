"""How well an address a clerk typed fits a building's standard address, part by part.

Two addresses are compared component by component, never as whole strings: a shared road
name must not make two estates look alike, nor a shared house number two roads.
- Numbers (group 组, house 号, building 栋) that both give must be equal, or the building is
  ruled out; one that only one side gives costs MISSING_NUMBER_FACTOR.
- Names (road, estate or village) are compared by edit distance (rapidfuzz), with and
  without their generic suffix (锦绣花园 ~ 锦绣小区); trigrams say little about a slip of one
  character in a four-character name.
- The area names a clerk gave (county, township, village) must all be among the building's.
- A name the clerk gave that is itself a real road or estate must be the building's own:
  绿城家园34栋 is not 绿城雅居34栋, however alike the names.
"""

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from geo.geocode.address import ROAD_SUFFIXES, Address, estate_core

MISSING_NUMBER_FACTOR = 0.85
NAMES_AGREE = 0.6  # below this, two names are different names, not one name misspelt
MISSING_NAME = 0.3  # a name the clerk gave that the building's address does not have
CONTRADICTION_FACTOR = 0.5  # a score with one name that disagrees is at most half as good
NUMBER_WORDS = {"group": "组", "number": "号", "building": "栋"}
_ROAD_ENDINGS = tuple(sorted(ROAD_SUFFIXES.split("|"), key=len, reverse=True))


@dataclass
class Parts:
    """The comparable parts of one address ('' = not given)."""

    road: str = ""
    number: str = ""
    place: str = ""  # the estate; for a village house in a building's address, its village
    group: str = ""
    building: str = ""
    areas: tuple = ()
    known: frozenset = frozenset()  # names given that are some building's road or estate

    @classmethod
    def of_query(cls, address: Address, known_names=frozenset()) -> "Parts":
        """The parts of a clerk's address; `known_names`: the real road and estate names.

        An estate written with a word after a real estate's name (星河华庭小区, 金色家园旁) is
        that estate: the rest is filler, and the name must then be the building's own.
        """
        place = address.estate
        if place and place not in known_names:
            place = next((place[:n] for n in range(len(place) - 1, 1, -1) if place[:n] in known_names), place)
        parts = cls(address.road, address.number, place, address.group, address.building, tuple(address.areas))
        parts.known = frozenset(name for name in (parts.road, parts.place) if name in known_names)
        return parts

    @classmethod
    def of_entry(cls, road, number, place, group, building, areas) -> "Parts":
        return cls(road, number, place, group, building, tuple(areas))


@lru_cache(maxsize=1 << 18)  # a bulk run compares the same few names hundreds of thousands of times
def name_agreement(ours: str, theirs: str) -> float:
    """0–1: how alike two names are, at their best with or without the generic suffix."""
    whole = fuzz.ratio(ours, theirs)
    cores = fuzz.ratio(_core(ours), _core(theirs))
    return max(whole, cores) / 100


@lru_cache(maxsize=1 << 16)
def _core(name: str) -> str:
    for ending in _ROAD_ENDINGS:
        if name.endswith(ending) and len(name) > len(ending) + 1:
            return name[: -len(ending)]
    return estate_core(name)


def consistent(query: Parts, entry: Parts) -> bool:
    """Whether nothing the clerk gave contradicts the building (for a key that left a part
    out: 人民路828号御景苑5栋 must not match 人民路828号丽都雅居5栋 by road, number and building)."""
    if not set(query.areas) <= set(entry.areas) or _other_known_name(query, entry):
        return False
    for part in NUMBER_WORDS:
        ours, theirs = getattr(query, part), getattr(entry, part)
        if ours and theirs and ours != theirs:
            return False
    for part in ("road", "place"):
        if getattr(query, part) and not getattr(entry, part):
            return False  # 人民路27号碧水嘉园 is not the lone building at 人民路27号
    return all(name_agreement(ours, theirs) >= NAMES_AGREE for ours, theirs in _names_in_both(query, entry))


def score(query: Parts, entry: Parts) -> tuple[float, float, int]:
    """(score, name similarity, numbers in agreement) of a building for a query.

    The score is 0 when an area or a number contradicts; else the mean agreement of the
    names the clerk gave, halved when one of them disagrees outright, times
    MISSING_NUMBER_FACTOR for each number only one side gives.
    """
    agreeing = 0
    factor = 1.0
    for part in NUMBER_WORDS:
        ours, theirs = getattr(query, part), getattr(entry, part)
        if ours and theirs:
            if ours != theirs:
                return 0.0, _names(query, entry), agreeing
            agreeing += 1
        elif ours or theirs:
            factor *= MISSING_NUMBER_FACTOR
    similarity = _names(query, entry)
    if not set(query.areas) <= set(entry.areas) or _other_known_name(query, entry):
        return 0.0, similarity, agreeing
    return similarity * factor, similarity, agreeing


def _names(query: Parts, entry: Parts) -> float:
    given = [(ours, getattr(entry, part)) for part, ours in (("road", query.road), ("place", query.place)) if ours]
    if not given:
        return 0.0  # numbers alone name no place
    agreements = [name_agreement(ours, theirs) if theirs else MISSING_NAME for ours, theirs in given]
    mean = sum(agreements) / len(agreements)
    return mean * (CONTRADICTION_FACTOR if min(agreements) < NAMES_AGREE else 1.0)


def _other_known_name(query: Parts, entry: Parts) -> bool:
    """Whether the clerk named a real road or estate that is not this building's."""
    return any(
        ours in query.known and theirs and ours != theirs
        for ours, theirs in ((query.road, entry.road), (query.place, entry.place))
    )


def _names_in_both(query: Parts, entry: Parts):
    for part in ("road", "place"):
        ours, theirs = getattr(query, part), getattr(entry, part)
        if ours and theirs:
            yield ours, theirs
