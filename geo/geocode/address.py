"""Chinese addresses: normalise, split into components, and derive the keys they match on.

The same functions run over the standard addresses of buildings (to build the gazetteer) and
over what a clerk typed (to look it up), so any spelling both sides normalise alike matches.

>>> normalise("澜城區人民路十二號 錦繡花園3幢2单元301")
'澜城区人民路12号锦绣花园3栋2单元301室'
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import cn2an
import opencc

_TO_SIMPLIFIED = opencc.OpenCC("t2s")

# Real addresses are short; longer text (a description pasted into the address field) is cut,
# which also bounds the regular expressions below, some of which are quadratic in the length.
MAX_CHARS = 256
# Words that follow a number in an address: Chinese numerals before them become digits.
NUMBERED_WORDS = "号楼|号院|号|栋|幢|座|单元|室|户|层|楼|组|期|排|弄|巷"
_CHINESE_NUMBER = re.compile(rf"第?([零〇一二两三四五六七八九十廿卅百千]+)(?={NUMBERED_WORDS})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ARABIC_ORDINAL = re.compile(rf"第(\d+)(?={NUMBERED_WORDS})")
_PUNCTUATION = re.compile(r"[\s,，.。、;；:：'\"“”‘’`·•/\\|_~()（）\[\]【】{}<>《》「」『』!！?？*+=^$@&%]+")
# 3号楼, 3幢, 3座, 3#, 3#楼 all name building 3 (栋).
_BUILDING_WORD = re.compile(r"(\d+)(?:号楼|幢|座|#楼|#)")
# A dash not between two digits separates parts (人民路12号 - 锦绣花园); between digits it is
# the shorthand below (3-2-301), so it stays there.
_SEPARATOR_DASH = re.compile(r"(?<!\d)[-—–]+|[-—–]+(?!\d)")
# 3-2-301: building 3, unit 2, room 301 (a common shorthand on forms), with or without a room word.
_DASHED_ROOM = re.compile(r"(\d+)[-—–](\d+)[-—–](\d+)(?:室|房|号|户)?$")
# 3栋2-301 (and 3号2-301 inside an estate): unit 2, room 301 after the building.
_UNIT_DASH_ROOM = re.compile(r"(\d+[栋号])(\d+)[-—–](\d+)(?:室|房|号|户)?$")
_COMPOUND = re.compile(r"(\d+)号院")  # 12号院 (the compound at No. 12) is No. 12
# The last number after a unit or a building is the room, whatever word (or none) follows it:
# 2单元301, 2单元301号, 3栋301房.
_ROOM_AFTER_UNIT = re.compile(r"(单元|栋)(\d+)(?:号|户|房)?$")
_ROOM_WORD = re.compile(r"(\d+)(?:户|房)$")  # 301户, 301房 are room 301 (301室)
ROAD_SUFFIXES = "大道|大街|路|街|巷|胡同|道|弄"
_ROAD_NUMBER_WITHOUT_HAO = re.compile(rf"((?:{ROAD_SUFFIXES}))(\d+)(?![\d号栋单元室组])")

_TAIL = re.compile(r"(?:(\d+)单元)?(?:(\d+)层)?(?:(\d+)室)?$")
# A house number, with the qualifiers of a number added between two others: 甲12号, 附12号
# (annexes of No. 12), 12号之一 (the first after No. 12). Each is its own number, not No. 12.
HOUSE_NUMBER = r"[甲乙丙丁附]?\d+号(?:之[一二三四五六七八九十\d]+)?"
_BODY = re.compile(
    rf"^(?P<road>.*?(?:{ROAD_SUFFIXES}))?(?P<number>{HOUSE_NUMBER})?(?P<estate>.*?)"
    rf"(?P<group>\d+组)?(?P<number2>{HOUSE_NUMBER})?(?P<building>\d+栋)?$"
)
AMBIGUOUS_NUMBERS = "{}{}: a house number then a building, or two house numbers? Not guessed."
# What ends the name of a village or community: a number after it is a house's, not a building's.
# (A 新村, "new village", is an urban estate of blocks, and its numbers are buildings.)
_NOT_AN_ESTATE = re.compile(r"(?:(?<!新)村|社区|组)$")
ESTATE_SUFFIXES = (
    "名苑",
    "雅居",
    "嘉园",
    "华庭",
    "花园",
    "小区",
    "家园",
    "公寓",
    "新村",
    "社区",
    "苑",
    "园",
    "城",
    "院",
)

# Key kinds, most specific first; the matcher trusts a lower kind more.
# An estate named without its suffix (锦绣小区 for 锦绣花园) is left to fuzzy matching, which
# weighs it against every other estate of that stem.
FULL, NO_ESTATE, ESTATE_BUILDING, ROAD_NUMBER = 1, 2, 3, 5
KIND_CONFIDENCE = {FULL: 0.99, NO_ESTATE: 0.95, ESTATE_BUILDING: 0.93, ROAD_NUMBER: 0.9}


@dataclass
class Address:
    """An address split into components; `areas` are the area names found at its start."""

    text: str
    areas: list[str] = field(default_factory=list)
    body: str = ""
    road: str = ""
    number: str = ""
    estate: str = ""
    group: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    ambiguity: str = ""  # why a part was not read (shown to the reviewer with the candidates)

    @property
    def numbers(self) -> str:
        """The numeric components that must agree for two addresses to be one place."""
        return "|".join(part for part in (self.group, self.number, self.building) if part)

    @property
    def key(self) -> str:
        """The whole address without the unit and room: what an alias is recorded under."""
        return "".join(self.areas) + self.body


def normalise(text: str) -> str:
    """One spelling per address: half-width, simplified, digits, one building word, no spaces.

    Examples: '１２號' → '12号'; '十二号' → '12号'; '3幢', '3号楼', '3座', '3#' → '3栋'; '12号院' → '12号';
    '3-2-301' → '3栋2单元301室'; '3栋2-301' → '3栋2单元301室'; '2单元301房' → '2单元301室';
    '人民路12锦绣' → '人民路12号锦绣'; '人民路12号 - 锦绣花园' → '人民路12号锦绣花园'.
    """
    text = unicodedata.normalize("NFKC", (text or "")[:MAX_CHARS])
    text = _TO_SIMPLIFIED.convert(_CONTROL.sub("", text)).lower()
    text = _SEPARATOR_DASH.sub("", _PUNCTUATION.sub("", text))
    text = _CHINESE_NUMBER.sub(_chinese_to_digits, text)
    text = _ARABIC_ORDINAL.sub(r"\1", text)
    text = _DASHED_ROOM.sub(r"\1栋\2单元\3室", text)
    text = _BUILDING_WORD.sub(r"\1栋", text)
    text = _UNIT_DASH_ROOM.sub(r"\1\2单元\3室", text)
    text = _COMPOUND.sub(r"\1号", text)
    text = _ROOM_AFTER_UNIT.sub(r"\1\2室", text)
    text = _ROOM_WORD.sub(r"\1室", text)
    return _ROAD_NUMBER_WITHOUT_HAO.sub(r"\1\2号", text)[:MAX_CHARS]


def _chinese_to_digits(match: re.Match) -> str:
    return _digits(match.group(1)) or match.group(0)


@lru_cache(maxsize=1 << 14)  # cn2an takes 80 µs a call; addresses repeat the same few numbers
def _digits(chinese: str) -> str | None:
    """十二 → '12'; None when the text is not a number after all (e.g. a lone 零)."""
    try:
        return str(cn2an.cn2an(chinese.replace("廿", "二十").replace("卅", "三十"), "smart"))
    except (ValueError, KeyError):
        return None


def parse(text: str, area_names: "AreaNames") -> Address:
    """Split a normalised address: leading area names, then road, number, estate, group,
    building, and the unit/floor/room tail."""
    address = Address(text=text)
    rest = area_names.strip_prefix(text, address.areas)
    tail = _TAIL.search(rest)
    address.unit = tail.group(1) or ""
    address.room = tail.group(3) or ""
    address.body = rest[: tail.start()]
    parts = _BODY.match(address.body)
    address.road = parts["road"] or ""
    address.number = parts["number"] or parts["number2"] or ""
    address.estate = parts["estate"] or ""
    address.group = parts["group"] or ""
    address.building = parts["building"] or ""
    if _numbers_a_building(parts):
        _read_as_building(address, parts["number2"])
    elif parts["number"] and parts["number2"] and not address.estate:
        address.ambiguity = AMBIGUOUS_NUMBERS.format(parts["number"], parts["number2"])
    return address


def _numbers_a_building(parts: re.Match) -> bool:
    """Whether a bare N号 after an estate's name is its building (锦绣花园3号 is 锦绣花园3栋).

    Not after a village or community (李楼村12号 is a house), and not without an estate
    between it and a house number: 人民路12号3号 may be a building of No. 12 or No. 3 of a
    lane, and is left for a person to read rather than guessed.
    """
    estate, number2 = parts["estate"], parts["number2"]
    return bool(
        estate
        and number2
        and number2[:-1].isdigit()
        and not parts["building"]
        and not parts["group"]
        and not _NOT_AN_ESTATE.search(estate)
    )


def _read_as_building(address: Address, number: str) -> None:
    address.building = number[:-1] + "栋"
    if address.number == number:
        address.number = ""
    address.body = address.body[: -len(number)] + address.building


def keys(address: Address) -> list[tuple[int, str]]:
    """(kind, key) pairs to look the address up by, most specific first.

    Area names are left out of the keys (but for village houses, see below): the matcher
    checks them separately, so that a clerk may omit them. Road+number without a building names an estate, not a building; it is kept
    for addresses of single buildings (village houses, institutions).
    """
    a = address
    body = a.body
    if not a.road and not a.estate and a.areas:
        # A village house (3组12号) is only an address with its village: key it with the
        # last area named, so that a lookup does not meet every 3组12号 of the province.
        body = a.areas[-1] + body
    found = [(FULL, body)] if a.body else []
    if a.road and a.number and a.building and a.estate:
        found.append((NO_ESTATE, a.road + a.number + a.building))
    if a.estate and a.building:
        found.append((ESTATE_BUILDING, a.estate + a.building))
    if a.road and a.number and not a.building and not a.ambiguity:
        found.append((ROAD_NUMBER, a.road + a.number))
    return found


def estate_core(estate: str) -> str:
    """The estate name without its generic suffix: 锦绣花园 → 锦绣 (clerks swap 花园/小区)."""
    for suffix in ESTATE_SUFFIXES:
        if estate.endswith(suffix) and len(estate) > len(suffix) + 1:
            return estate[: -len(suffix)]
    return estate


class AreaNames:
    """The names of the administrative areas of the database, to recognise address prefixes.

    Only whole names are recognised (澜城区, not 澜城), so that a road named after a district
    (澜城路) is never mistaken for it. Province names are recognised by their suffix.
    """

    _PROVINCE = re.compile(r"^.{2,7}?(?:省|自治区)")

    def __init__(self, levels: dict[str, int]):
        """`levels`: area name → level (1 city, 2 county, 3 township, 4 community)."""
        self.levels = levels
        unique = sorted((name for name in levels if name), key=len, reverse=True)
        self._prefix = re.compile("^(?:" + "|".join(map(re.escape, unique)) + ")") if unique else None

    def strip_prefix(self, text: str, found: list[str]) -> str:
        """Remove leading area names from `text`, appending each to `found`."""
        province = self._PROVINCE.match(text)
        if province:
            text = text[province.end() :]
        while self._prefix is not None:
            match = self._prefix.match(text)
            if not match:
                return text
            found.append(match.group(0))
            text = text[match.end() :]
        return text
