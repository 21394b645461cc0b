"""The map's search box: a unit's code, a case number, a part of an area's or a grid's name,
a part of a standard address, or a whole address as a clerk would type it (through the
geocoder). The caller passes the jurisdiction's codes (each kind is limited within it) and
checks each find against it again (the geocoder's building is not limited in advance)."""

from dataclasses import dataclass

from geo.db.connection import load_query
from geo.geocode.matcher import match_addresses

MAX_TEXT = 100
PER_KIND = 8
GEOCODE_MIN_CHARS = 6  # shorter texts are names or fragments, not addresses to geocode
BUILDING_OF = "SELECT code, standard_address FROM building WHERE id = %s"


@dataclass(frozen=True)
class Found:
    kind: str  # area, grid, micro_grid, building, case, address (a geocoded building)
    code: str  # the unit to open on the map
    label: str


def search(conn, text: str, cases: bool, codes: list[str] | None = None) -> list[Found]:
    """What `text` names, best first: exact codes, then names, then addresses; the geocoder's
    building when no standard address contains the text. `cases`: whether case numbers may
    be searched; `codes`: the areas and grids of the user's jurisdiction (None: all)."""
    text = " ".join((text or "").split())[:MAX_TEXT]
    if not text:
        return []
    params = {"text": text, "pattern": f"%{_escaped(text)}%", "limit": PER_KIND, "cases": cases, "codes": codes}
    rows = conn.execute(load_query("search/units"), params).fetchall()
    found = [Found(kind, code, label) for _rank, kind, code, label in rows]
    if not any(f.kind == "building" for f in found) and len(text) >= GEOCODE_MIN_CHARS:
        found += _geocoded(conn, text)
    return list({(f.kind, f.code): f for f in found}.values())


def _geocoded(conn, text: str) -> list[Found]:
    match = match_addresses(conn, [text])[0]
    if match is None or not match.matched:
        return []
    code, address = conn.execute(BUILDING_OF, [match.building_id]).fetchone()
    return [Found("address", code, address)]


def _escaped(text: str) -> str:
    """The text as a LIKE pattern's literal part: its own %, _ and \\ matched as themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
