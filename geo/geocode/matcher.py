"""Addresses → buildings: confirmed aliases, then exact keys, then fuzzy (pg_trgm), precision first.

A match is accepted only when it is unambiguous; anything else goes to the review queue with
its best three candidates, never as a guess:
- alias: a spelling a person confirmed before (confidence 0.97);
- exact: the address's normalised components equal one building's (0.9–0.99 by how many
  components were given), the areas named in it being among the building's;
- fuzzy: candidates found by trigram similarity (pg_trgm, indexed), then scored in Python
  on their names alone (road, estate, village: edit-distance similarity with rapidfuzz, as
  trigrams say little about a one-character slip in a four-character name), gated by
  numbers (house, group and building numbers that both sides give must agree; one side
  missing one costs 15 %) and by areas; accepted when the score reaches `accept_score` and
  leads the runner-up by `margin`.
A candidate carries `score` (0–1, gated) and `similarity` (of the names, ungated).
"""

import json
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from geo.db.connection import load_query
from geo.geocode.address import KIND_CONFIDENCE, Address, AreaNames, keys, normalise, parse
from geo.geocode.gazetteer import area_names, fuzzy_text, refresh_if_stale

ALIAS_CONFIDENCE = 0.97
MISSING_NUMBER_FACTOR = 0.85
FUZZY_CONFIDENCE = (0.6, 0.89)  # fuzzy matches map into this range, always below exact ones
REVIEW_CANDIDATES = 3
SURE_MATCHES = ("alias", "exact")  # what may flag a conflict with coordinates
_NUMBERED = re.compile(r"\d+(?:号|组|栋|期|单元|室|层)?")


@dataclass
class AddressMatch:
    """The outcome for one address: a building, or the candidates a person should choose from."""

    key: str
    building_id: int | None = None
    confidence: float = 0.0
    how: str = "review"  # alias | exact | fuzzy | review
    candidates: list[dict] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return self.building_id is not None

    def unmatched(self) -> "AddressMatch":
        """The same address, not matched (for a record that may take only a sure match)."""
        return AddressMatch(key=self.key, candidates=self.candidates)

    def candidates_json(self) -> str | None:
        return json.dumps(self.candidates, ensure_ascii=False) if not self.matched else None


@dataclass
class MatchSettings:
    accept_score: float = 0.55
    margin: float = 0.08


def match_addresses(conn, texts, settings: MatchSettings | None = None, fuzzy=None) -> list[AddressMatch]:
    """Match each text (None or blank → None in the result); one SQL round trip per stage.

    `fuzzy`: per text, whether fuzzy matching may be tried (default: for all).
    """
    settings = settings or MatchSettings()
    refresh_if_stale(conn)
    names = area_names(conn)
    fuzzy = [True] * len(texts) if fuzzy is None else list(fuzzy)
    wanted = [t for t in texts if t and t.strip()]
    unique = list(dict.fromkeys(wanted))
    may_fuzzy = {t for t, f in zip(texts, fuzzy) if f and t and t.strip()}
    parsed = [parse(normalise(text), names) for text in unique]
    results = [AddressMatch(key=address.key) for address in parsed]
    _by_alias(conn, parsed, results)
    _by_keys(conn, parsed, results)
    _by_similarity(conn, parsed, results, names, settings, [text in may_fuzzy for text in unique])
    by_text = dict(zip(unique, results))
    return [by_text.get(text) if text and text.strip() else None for text in texts]


def _by_alias(conn, parsed: list[Address], results: list[AddressMatch]) -> None:
    rows = conn.execute(
        "SELECT address_key, building_id FROM geocode.address_alias WHERE address_key = ANY(%s)",
        [[a.key for a in parsed]],
    ).fetchall()
    aliases = dict(rows)
    for address, result in zip(parsed, results):
        if address.key in aliases:
            result.building_id, result.confidence, result.how = aliases[address.key], ALIAS_CONFIDENCE, "alias"


def _by_keys(conn, parsed: list[Address], results: list[AddressMatch]) -> None:
    columns = {"query": [], "kind": [], "key": [], "areas": []}
    for index, (address, result) in enumerate(zip(parsed, results)):
        if result.matched:
            continue
        for kind, key in keys(address):
            for column, value in zip(columns, (index, kind, key, "|".join(address.areas))):
                columns[column].append(value)
    hits: dict[int, dict[int, set]] = {}
    for query, kind, building_id in conn.execute(load_query("match_exact"), columns).fetchall():
        hits.setdefault(query, {}).setdefault(kind, set()).add(building_id)
    for query, by_kind in hits.items():
        best_kind = min(by_kind)
        buildings = by_kind[best_kind]
        if len(buildings) == 1:
            result = results[query]
            result.building_id, result.confidence, result.how = (
                next(iter(buildings)),
                KIND_CONFIDENCE[best_kind],
                "exact",
            )


def _by_similarity(conn, parsed, results, names: AreaNames, settings: MatchSettings, allowed: list[bool]) -> None:
    todo = [i for i, result in enumerate(results) if not result.matched and allowed[i]]
    if not todo:
        return
    params = {
        "query": todo,
        "text": [fuzzy_text(parsed[i], names) for i in todo],
        "numbers": [parsed[i].numbers for i in todo],
    }
    candidates: dict[int, list[dict]] = {i: [] for i in todo}
    text_of = dict(zip(todo, params["text"]))
    for query, building_id, text, numbers, areas, address in conn.execute(load_query("match_fuzzy"), params):
        similarity = name_similarity(text_of[query], text)
        score = _gated(parsed[query], similarity, numbers, areas)
        candidates[query].append(
            {
                "building_id": building_id,
                "address": address,
                "score": round(score, 3),
                "similarity": round(similarity, 3),
            }
        )
    for query in todo:
        ranked = sorted(candidates[query], key=lambda c: (-c["score"], -c["similarity"], c["building_id"]))
        _decide(results[query], ranked, settings)


def name_similarity(query_text: str, candidate_text: str) -> float:
    """How alike the names in two fuzzy texts are (numbers removed), 0–1.

    Mostly the best alignment of the query inside the candidate (a clerk leaves parts out),
    partly the whole strings (so that a short query does not match everything it is part of).
    """
    ours, theirs = _NUMBERED.sub("", query_text), _NUMBERED.sub("", candidate_text)
    if not ours or not theirs:
        return 0.0
    return (0.6 * fuzz.partial_ratio(ours, theirs) + 0.4 * fuzz.ratio(ours, theirs)) / 100


def _gated(address: Address, similarity: float, numbers: str, areas: list[str]) -> float:
    """The similarity, zero when a number or an area contradicts the query."""
    if not set(address.areas) <= set(areas):
        return 0.0
    theirs = _numbers_by_word(numbers)
    ours = _numbers_by_word(address.numbers)
    score = similarity
    for word in set(theirs) | set(ours):
        if word in theirs and word in ours:
            if theirs[word] != ours[word]:
                return 0.0
        else:
            score *= MISSING_NUMBER_FACTOR
    return score


def _numbers_by_word(numbers: str) -> dict[str, str]:
    """'3组|12号|5栋' → {'组': '3', '号': '12', '栋': '5'}."""
    return {part[-1]: part[:-1] for part in numbers.split("|") if part}


def _decide(result: AddressMatch, ranked: list[dict], settings: MatchSettings) -> None:
    # Shown to the reviewer even when a number contradicts, as long as the names have
    # something in common.
    result.candidates = [c for c in ranked if c["similarity"] > 0][:REVIEW_CANDIDATES]
    if not result.candidates:
        return
    best = result.candidates[0]["score"]
    runner_up = result.candidates[1]["score"] if len(result.candidates) > 1 else 0.0
    if best >= settings.accept_score and best - runner_up >= settings.margin:
        low, high = FUZZY_CONFIDENCE
        result.building_id = result.candidates[0]["building_id"]
        result.confidence = round(low + (high - low) * min(1.0, best), 3)
        result.how = "fuzzy"
