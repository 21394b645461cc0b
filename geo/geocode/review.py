"""The review queue: addresses the matcher would not guess, waiting for a person.

Confirming a building places the case there (method `manual`) and records the spelling as an
alias, so every queued case with the same normalised address, and every later one, matches
(only for a spelling that names one building: see _BUILDING).
"""

import json
import re

from geo.db.connection import load_query
from geo.errors import UserError
from geo.geocode.bulk import lock_geocoder
from geo.geocode.locate import locate
from geo.geocode.store import read_cases, replace_changed

BUILDING_EXISTS = "SELECT 1 FROM building WHERE id = %s"
SAME_SPELLING_IN_QUEUE = "a.status = 'review' AND a.address_key = %(key)s AND a.case_id <> %(case)s"
# An alias is recorded only for a spelling that names one building: a building number (栋)
# or a village house (组 and 号). '不详', '人民路', an estate with only a unit and room, or a
# villagers' group confirmed once must not send every later case spelled alike to one building.
_BUILDING = re.compile(r"\d+栋")
_VILLAGE_HOUSE = re.compile(r"\d+组\d+号")


def review_queue(conn, limit: int = 50) -> list[dict]:
    """The oldest `limit` cases waiting for review, with their top candidates."""
    rows = conn.execute(load_query("geocode/review_queue"), [limit]).fetchall()
    return [
        {"case_id": case_id, "code": code, "address": text, "address_key": key, "candidates": candidates or []}
        for case_id, code, text, key, candidates in rows
    ]


def confirm(conn, case_id: int, building_id: int, confirmed_by: str) -> dict:
    """Place a queued case on `building_id`, remember its spelling, and re-match the queue.

    Returns {'case': the case's new placement, 'also_matched': other cases now placed}.
    """
    lock_geocoder(conn)
    row = conn.execute(load_query("geocode/review_item"), [case_id]).fetchone()
    if row is None:
        raise UserError(f"case {case_id} is not in the review queue")
    if not conn.execute(BUILDING_EXISTS, [building_id]).fetchone():
        raise UserError(f"no building with id {building_id}")
    address_key, text = row
    aliased = bool(address_key and (_BUILDING.search(address_key) or _VILLAGE_HOUSE.search(address_key)))
    if aliased:
        conn.execute(load_query("geocode/alias_upsert"), [address_key, building_id, text, confirmed_by])
    placed = locate(conn, [float("nan")], [float("nan")], [None], chosen_buildings=[building_id])
    replace_changed(conn, [case_id], placed)
    same_spelling = read_cases(conn, SAME_SPELLING_IN_QUEUE, {"key": address_key, "case": case_id})
    if aliased and len(same_spelling):
        again = locate(conn, same_spelling["lon"], same_spelling["lat"], same_spelling["address"])
        replace_changed(conn, same_spelling["id"], again)
    else:
        same_spelling = same_spelling.iloc[:0]
    case = placed.iloc[0].where(placed.iloc[0].notna(), None).to_dict()
    return {
        "case": json.loads(json.dumps(case, default=str)),
        "alias_recorded": aliased,
        "also_matched": len(same_spelling),
    }
