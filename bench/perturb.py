"""Addresses spoilt on purpose, with the truth known, to measure the matcher's precision.

`slip_one_character` keeps the information (a person still reads it right);
`partial_or_contradictory` drops or changes a part, where the honest answer is the building
if what is left still names it, else the review queue, but never another building.
"""

import re

import numpy as np

from geo.geocode.address import estate_core

SLIPS = {"城": "成", "华": "化", "锦": "金", "园": "圆", "庭": "亭", "湾": "弯", "苑": "院", "景": "京", "庄": "桩"}
BUILDINGS_WITH_PARTS = """
SELECT id, road, house_number, estate, building_no FROM building
WHERE road IS NOT NULL AND building_no IS NOT NULL ORDER BY id"""


def slip_one_character(text: str, rng: np.random.Generator) -> str:
    """One character of a name replaced by a look-alike or sound-alike, as clerks slip."""
    spots = [i for i, ch in enumerate(text) if ch in SLIPS]
    if not spots:
        return text
    i = spots[int(rng.integers(len(spots)))]
    return text[:i] + SLIPS[text[i]] + text[i + 1 :]


def partial_or_contradictory(conn, count: int, rng: np.random.Generator) -> list[tuple[int, str, str]]:
    """(building id, kind, text) for `count` urban buildings, four texts each: the estate
    without its suffix, the house number off by one, another road, the road without number."""
    rows = conn.execute(BUILDINGS_WITH_PARTS).fetchall()
    picked = [rows[i] for i in rng.choice(len(rows), size=min(count, len(rows)), replace=False)]
    roads = sorted({row[1] for row in rows})
    texts = []
    for building_id, road, number, estate, building_no in picked:
        house = int(re.sub(r"\D", "", number) or 0)
        other_road = roads[int(rng.integers(len(roads)))]
        texts += [
            (building_id, "estate stem", estate_core(estate) + building_no),
            (building_id, "number off by one", f"{road}{house + 1}号{estate}{building_no}"),
            (building_id, "another road", f"{other_road}{estate}{building_no}"),
            (building_id, "road without number", f"{road}{estate}{building_no}"),
        ]
    return texts
