"""Addresses as clerks type them: the standard address with the liberties real people take.

Each variant is named, so the geocoder can later be measured per kind of mess.
"""

import re

import numpy as np

from data.demo.names import chinese_ordinal

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
BUILDING_WORDS = ["幢", "号楼", "座"]
VAGUE_PLACES = ["菜市场旁边", "老电影院附近", "汽车站对面", "桥头那边", "学校后面的巷子"]
FAKE_ROADS = ["幸福大街", "光华东路", "新民巷", "红星北街"]


def clerk_address(standard: str, unmatchable: bool, rng: np.random.Generator) -> tuple[str, str]:
    """(text, variant tags) for one standard address; `unmatchable` makes it unresolvable."""
    if unmatchable:
        return _unresolvable(standard, rng)
    text, tags = standard, []
    city_end = text.find("市") + 1
    if rng.random() < 0.45:
        text, tags = text[city_end:], tags + ["no_city"]
        if rng.random() < 0.4:
            text, tags = re.sub(r"^.{1,4}?[区县]", "", text, count=1), tags + ["no_county"]
    if rng.random() < 0.2 and "栋" in text:
        text, tags = text.replace("栋", str(rng.choice(BUILDING_WORDS))), tags + ["building_word"]
    if rng.random() < 0.3 and "栋" in standard:
        text = text + f"{rng.integers(1, 4)}单元{rng.integers(1, 8)}0{rng.integers(1, 5)}室"
        tags.append("unit_room")
    if rng.random() < 0.08:
        text, tags = (
            re.sub(r"(\d+)号", lambda m: chinese_ordinal(int(m.group(1))) + "号", text, count=1),
            tags + ["chinese_numeral"],
        )
    if rng.random() < 0.1:
        text, tags = text.translate(FULL_WIDTH), tags + ["full_width"]
    if rng.random() < 0.05:
        text, tags = text.replace("号", "號"), tags + ["traditional"]
    if rng.random() < 0.1:
        cut = int(rng.integers(1, max(2, len(text) - 1)))
        text, tags = text[:cut] + " " + text[cut:], tags + ["space"]
    return text, ",".join(tags) or "standard"


def _unresolvable(standard: str, rng) -> tuple[str, str]:
    """A landmark nobody registered, or a road that does not exist in this city."""
    if rng.random() < 0.5:
        return str(rng.choice(VAGUE_PLACES)), "vague"
    return f"{rng.choice(FAKE_ROADS)}{rng.integers(1, 400)}号", "unknown_road"
