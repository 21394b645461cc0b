"""The review queue: addresses the matcher would not guess, waiting for a person.

Confirming a building places the case there (method `manual`) and records the spelling as an
alias, so every queued case with the same normalised address, and every later one, matches.
"""

import json

from geo.errors import UserError
from geo.geocode.bulk import LOCK_KEY
from geo.geocode.locate import locate
from geo.geocode.store import read_cases, replace_changed

QUEUE = """
SELECT a.case_id, c.code, c.address_text, a.address_key, a.candidates
FROM case_assignment a JOIN cases c ON c.id = a.case_id
WHERE a.status = 'review'
ORDER BY a.case_id
LIMIT %s"""
ALIAS_UPSERT = """
INSERT INTO geocode.address_alias (address_key, building_id, example_text, confirmed_by)
VALUES (%s, %s, %s, %s)
ON CONFLICT (address_key) DO UPDATE
SET building_id = EXCLUDED.building_id, example_text = EXCLUDED.example_text,
    confirmed_by = EXCLUDED.confirmed_by, confirmed_at = now()"""


def review_queue(conn, limit: int = 50) -> list[dict]:
    """The oldest `limit` cases waiting for review, with their top candidates."""
    rows = conn.execute(QUEUE, [limit]).fetchall()
    return [
        {"case_id": case_id, "code": code, "address": text, "address_key": key, "candidates": candidates or []}
        for case_id, code, text, key, candidates in rows
    ]


def confirm(conn, case_id: int, building_id: int, confirmed_by: str) -> dict:
    """Place a queued case on `building_id`, remember its spelling, and re-match the queue.

    Returns {'case': the case's new placement, 'also_matched': other cases now placed}.
    """
    conn.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    row = conn.execute(
        "SELECT a.address_key, c.address_text FROM case_assignment a JOIN cases c ON c.id = a.case_id "
        "WHERE a.case_id = %s AND a.status = 'review'",
        [case_id],
    ).fetchone()
    if row is None:
        raise UserError(f"case {case_id} is not in the review queue")
    if not conn.execute("SELECT 1 FROM building WHERE id = %s", [building_id]).fetchone():
        raise UserError(f"no building with id {building_id}")
    address_key, text = row
    conn.execute(ALIAS_UPSERT, [address_key, building_id, text, confirmed_by])
    placed = locate(conn, [float("nan")], [float("nan")], [None], chosen_buildings=[building_id])
    replace_changed(conn, [case_id], placed)
    same_spelling = read_cases(
        conn,
        "a.status = 'review' AND a.address_key = %(key)s AND a.case_id <> %(case)s",
        {"key": address_key, "case": case_id},
    )
    if len(same_spelling):
        again = locate(conn, same_spelling["lon"], same_spelling["lat"], same_spelling["address"])
        replace_changed(conn, same_spelling["id"], again)
    case = placed.iloc[0].where(placed.iloc[0].notna(), None).to_dict()
    return {"case": json.loads(json.dumps(case, default=str)), "also_matched": len(same_spelling)}
