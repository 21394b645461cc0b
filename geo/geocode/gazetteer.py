"""The address gazetteer: the keys and texts of every building's standard address.

Rebuilt from `building` whenever a trigger has marked it stale (buildings or areas changed),
inside the caller's transaction, so a geocoder never matches against an outdated list.
"""

import numpy as np
import pandas as pd
import shapely

from geo.db.connection import load_query
from geo.db.copy import copy_rows
from geo.geocode.address import Address, AreaNames, keys
from geo.geocode.parsing import parse_all
from geo.geocode.points import NONE, covering

CITY_AND_COUNTY_LEVELS = (1, 2)


def area_names(conn) -> AreaNames:
    """The names of all administrative areas, for recognising address prefixes."""
    return AreaNames(dict(conn.execute(AREA_LEVELS).fetchall()))


def fuzzy_text(address: Address, names: AreaNames) -> str:
    """What fuzzy matching compares: the address without city and county names (which a
    clerk often omits), keeping township and community names (which rural addresses need)."""
    kept = [area for area in address.areas if names.levels.get(area, 9) not in CITY_AND_COUNTY_LEVELS]
    return "".join(kept) + address.body


STALE = "SELECT stale FROM geocode.gazetteer_state"
STALE_LOCKED = STALE + " FOR UPDATE"
MARK_FRESH = "UPDATE geocode.gazetteer_state SET stale = false"
AREA_LEVELS = "SELECT name, min(level) FROM admin_area GROUP BY name"
TABLES = ["geocode.address_entry", "geocode.address_key"]
CLEAR = ("DELETE FROM geocode.address_key", "DELETE FROM geocode.address_entry")
ENTRY_COLUMNS = ["building_id", "fuzzy_text", "numbers", "areas", "road", "number", "place", "grp", "building_no"]


def entry_place(address: Address, names: AreaNames) -> str:
    """The estate of a building's address; for a village house (no road, no estate) its village."""
    if address.estate or address.road:
        return address.estate
    villages = [area for area in address.areas if names.levels.get(area) == 4]
    return villages[-1] if villages else ""


def refresh_if_stale(conn) -> bool:
    """Rebuild the gazetteer when buildings or areas changed since the last build; True if rebuilt.

    The state row is locked only when a rebuild is due (and read again under the lock, in
    case another session rebuilt meanwhile), so lookups never queue behind each other.
    """
    if not conn.execute(STALE).fetchone()[0]:
        return False
    if not conn.execute(STALE_LOCKED).fetchone()[0]:
        return False
    rebuild(conn)
    return True


def _areas_around(conn, rows) -> list[list[str]]:
    """Per building (id, address, x, y), the area names of the community covering its point:
    on a shared edge the lowest code's. Tested in memory, each community prepared once (at
    province scale 3.2 s, against 20 s for a covers test in SQL per building)."""
    communities = conn.execute(load_query("geocode/gazetteer_communities")).fetchall()
    outlines = shapely.from_wkb([row[0] for row in communities])
    x, y = np.array([row[2] for row in rows], dtype=float), np.array([row[3] for row in rows], dtype=float)
    points = shapely.points(x, y)
    located = np.isfinite(x) & np.isfinite(y)  # an empty footprint has no point (NaN)
    community = covering(outlines, points, located, rank=np.arange(len(communities)))
    return [communities[index][1] if index != NONE else [] for index in community]


def rebuild(conn) -> int:
    """Recompute every key and fuzzy text from the buildings; return the number of buildings."""
    names = area_names(conn)
    rows = conn.execute(load_query("geocode/gazetteer_buildings")).fetchall()
    entries, key_rows = [], []
    parsed = parse_all([row[1] for row in rows], names)
    around = _areas_around(conn, rows)
    for (building_id, *_), areas, address in zip(rows, around, parsed):
        all_areas = sorted(set(areas) | set(address.areas))
        entries.append(
            (building_id, fuzzy_text(address, names), address.numbers, all_areas)
            + (address.road, address.number, entry_place(address, names), address.group, address.building)
        )
        key_rows += [(key, kind, building_id) for kind, key in dict.fromkeys(keys(address))]
    for statement in CLEAR:
        conn.execute(statement)
    copy_rows(conn, "geocode.address_entry", ENTRY_COLUMNS, pd.DataFrame(entries, columns=ENTRY_COLUMNS))
    # A building yields a key once, with the most specific kind it has for that text.
    keys_frame = pd.DataFrame(key_rows, columns=["key", "kind", "building_id"])
    keys_frame = keys_frame.sort_values("kind").drop_duplicates(["key", "building_id"])
    copy_rows(conn, "geocode.address_key", list(keys_frame.columns), keys_frame)
    conn.execute(MARK_FRESH)
    return len(rows)
