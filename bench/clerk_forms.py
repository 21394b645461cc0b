"""Clerks' forms of the demo's standard addresses, written from Chinese address conventions
(issue 21), independently of the demo's own variant generator (data/demo/clerk.py).

Each family rewrites a standard address by a hand-written rule: KEEPING and RURAL_KEEPING keep
every piece of information a person needs (they must match the right building), DESTROYING
changes or drops a part that matters, or leaves it truly ambiguous (review is right, a wrong
building never is). Used by tests/geo/geocode/test_clerk_forms.py and the geocode benchmark.
"""

import re

from geo.geocode.matcher import match_addresses

# 安澜市北关区锦绣路79号融城华庭28栋: areas, road, house number, estate, building.
URBAN = re.compile(r"^(?P<areas>.+?区)(?P<road>.+?(?:大道|路|街))(?P<number>\d+)号(?P<estate>\D+?)(?P<building>\d+)栋$")
# 安澜市永宁县严庄镇前汤营村六组19号: areas down to the village, group, house number.
RURAL = re.compile(r"^(?P<areas>.+?村)(?P<group>[一二三四五六七八九十]+)组(?P<number>\d+)号$")


def _u(a: dict, number=None, building=None, road=None, sep="", tail="2单元302室") -> str:
    """An urban address from its parts, with `sep` between the parts and `tail` after them."""
    road = a["road"] if road is None else road
    number = a["number"] + "号" if number is None else number
    building = a["building"] + "栋" if building is None else building
    return sep.join(part for part in (road + number, a["estate"], building) if part) + tail


# Forms that keep every piece of information a person needs (family → rule).
KEEPING = {
    "building 号 in an estate": lambda a: _u(a, building=a["building"] + "号"),
    "building 号, estate only": lambda a: a["estate"] + a["building"] + "号2单元302室",
    "building 号楼": lambda a: _u(a, building=a["building"] + "号楼"),
    "building 幢": lambda a: _u(a, building=a["building"] + "幢"),
    "building 座": lambda a: _u(a, building=a["building"] + "座"),
    "building #": lambda a: _u(a, building=a["building"] + "#"),
    "compound 号院": lambda a: _u(a, number=a["number"] + "号院"),
    "unit-room 3栋2-302": lambda a: _u(a, tail="2-302"),
    "unit-room 3号2-302": lambda a: _u(a, building=a["building"] + "号", tail="2-302"),
    "3-2-302": lambda a: _u(a, building="", tail=f"{a['building']}-2-302"),
    "3-2-302室": lambda a: _u(a, building="", tail=f"{a['building']}-2-302室"),
    "room 302房": lambda a: _u(a, tail="2单元302房"),
    "room 302号": lambda a: _u(a, tail="2单元302号"),
    "room 302 bare": lambda a: _u(a, tail="2单元302"),
    "room without unit 302室": lambda a: _u(a, tail="302室"),
    "room without unit 302房": lambda a: _u(a, tail="302房"),
    "separator ，": lambda a: _u(a, sep="，", tail="，2单元，302室"),
    "separator 、": lambda a: _u(a, sep="、", tail="、2单元302室"),
    "separator ·": lambda a: _u(a, sep="·", tail="·2单元·302室"),
    "separator ' - '": lambda a: _u(a, sep=" - ", tail=" - 2单元 - 302室"),
    "separator spaces": lambda a: _u(a, sep=" ", tail=" 2单元 302室"),
    "separator spaces inside": lambda a: _u(a, number=f" {a['number']} 号 ", building=f"{a['building']} 栋 "),
    "separator ' - ' and 3号": lambda a: _u(a, sep=" - ", building=a["building"] + "号", tail=" - 2-302"),
}
RURAL_KEEPING = {
    "rural separator spaces": lambda a: f"{a['areas']} {a['group']}组 {a['number']}号",
    "rural separator ，": lambda a: f"{a['areas']}，{a['group']}组，{a['number']}号",
    "rural separator ' - '": lambda a: f"{a['areas']} - {a['group']}组 - {a['number']}号",
}
# Forms that destroy information, or leave it truly ambiguous.
DESTROYING = {
    "another building number": lambda a: _u(a, building=f"{int(a['building']) + 700}栋"),
    "another building 号": lambda a: _u(a, building=f"{int(a['building']) + 700}号"),
    "another road": lambda a: _u(a, road="幸福大街"),
    "another real road": lambda a: _u(a, road="解放路" if a["road"] == "人民路" else "人民路"),
    "another real road, 3号": lambda a: _u(
        a, road="解放路" if a["road"] == "人民路" else "人民路", building=a["building"] + "号"
    ),
    "building left out": lambda a: _u(a, building=""),
    "building left out, 2-302": lambda a: _u(a, building="", tail="2-302"),
    "ambiguous 12号3号 (no estate)": lambda a: a["road"] + a["number"] + "号" + a["building"] + "号2单元302室",
    "qualified number 甲12号": lambda a: _u(a, building="", number="甲" + a["number"] + "号"),
}


def sample_buildings(conn, pattern: re.Pattern, count: int) -> list[tuple[int, dict]]:
    """Up to `count` buildings spread over the city whose standard address `pattern` reads: (id, parts)."""
    rows = conn.execute("SELECT id, standard_address FROM building ORDER BY id").fetchall()
    parsed = [(i, pattern.match(text)) for i, text in rows]
    picked = [(i, m.groupdict()) for i, m in parsed if m]
    return picked[:: max(1, len(picked) // count)][:count]


def tally(conn, buildings, families) -> dict[str, tuple[int, int, int]]:
    """Per family: (right, wrong, review) of the matcher's top-1 on each building's variant."""
    texts = [(name, b, rule(a)) for name, rule in families.items() for b, a in buildings]
    matches = match_addresses(conn, [text for _, _, text in texts])
    counts = {name: [0, 0, 0] for name in families}
    for (name, truth, _), match in zip(texts, matches):
        counts[name][0 if match.building_id == truth else 1 if match.matched else 2] += 1
    return {name: tuple(found) for name, found in counts.items()}
