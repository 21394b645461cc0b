"""The case category catalogue (migration 0019) as the importer and the commands read it.

A category cell is looked up by the codes, Chinese and English names and synonyms of the
catalogue's categories and groups, and by the mappings a city made (`python -m geo categories
map`), all in lower case after Unicode normalisation (full-width letters and spaces as ASCII).
What the catalogue does not know never loses the case: it goes into the unclassified
category of its group, or the global one, and keeps its text.
"""

import unicodedata
from dataclasses import dataclass

import psycopg

from geo.db.connection import load_query

GLOBAL_UNCLASSIFIED = "unclassified"


def normal(text) -> str:
    """A cell as stored: Unicode NFKC (full-width forms as ASCII), spaces trimmed."""
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def lookup_key(text) -> str:
    """What a cell is looked up by: normal(text) in lower case."""
    return normal(text).lower()


@dataclass(frozen=True)
class Catalogue:
    """Lookups by lower-case text: to a category code (its code, names, synonyms; only texts
    that name one category), to a category within its group ((group, text): a catalogue may
    have an 其他 in every group), to a group code, and the city's mappings; per group its
    unclassified category; per category its deadline in days."""

    categories: dict[str, str]
    in_group: dict[tuple[str, str], str]
    groups: dict[str, str]
    mappings: dict[str, str]
    unclassified: dict[str, str]
    deadline_days: dict[str, int]


@dataclass(frozen=True)
class Resolved:
    """Where a case goes: its category code, the text it keeps (None when the catalogue named
    the category itself), and whether no part of the text was known."""

    code: str
    raw: str | None
    unknown: bool


def read_catalogue(conn: psycopg.Connection) -> Catalogue:
    """The catalogue and the mappings as lookups (a few hundred rows at most)."""
    named, in_group, unclassified, days = {}, {}, {}, {}
    for code, group, zh, en, synonyms, deadline_days, is_unclassified in conn.execute(
        load_query("categories/catalogue")
    ):
        for key in {lookup_key(name) for name in (*synonyms, en, zh, code)} - {""}:
            named.setdefault(key, set()).add(code)
            in_group[group, key] = code
        days[code] = deadline_days
        if is_unclassified:
            unclassified[group] = code
    categories = {key: codes.pop() for key, codes in named.items() if len(codes) == 1}
    groups = {}
    for code, zh, en, synonyms in conn.execute(load_query("categories/groups")):
        groups |= {lookup_key(name): code for name in (*synonyms, en, zh, code) if lookup_key(name)}
    mappings = dict(conn.execute(load_query("categories/mappings")).fetchall())
    return Catalogue(categories, in_group, groups, mappings, unclassified, days)


def resolve(catalogue: Catalogue, category, group=None) -> Resolved:
    """The category of a case from its category cell (小类) and group cell (大类), either
    possibly empty.

    A category of the group cell's group named by the category cell wins, then a category
    the cell names alone (a text several groups' categories share names none), or a mapped
    text; with the category cell empty, the group cell is looked up the same way; else the
    case goes into the unclassified category of the group the group cell (or the category
    cell) names, else the global one. The text kept is the category cell's, else the group
    cell's.

    >>> resolve(catalogue, "占道经营", "矛盾纠纷")
    Resolved(code='dispute_unclassified', raw='占道经营', unknown=True)
    """
    cell = lookup_key(category) or lookup_key(group)
    raw = normal(category) or normal(group) or None
    named_group = catalogue.groups.get(lookup_key(group))
    if (named_group, cell) in catalogue.in_group:
        return Resolved(catalogue.in_group[named_group, cell], None, False)
    if cell in catalogue.categories:
        return Resolved(catalogue.categories[cell], None, False)
    if cell in catalogue.mappings:
        return Resolved(catalogue.mappings[cell], raw, False)
    group_code = named_group or catalogue.groups.get(cell)
    code = catalogue.unclassified.get(group_code) if group_code else None
    return Resolved(code or GLOBAL_UNCLASSIFIED, raw, cell not in catalogue.groups)
