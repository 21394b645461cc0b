"""Addresses → buildings: confirmed aliases, then exact keys, then fuzzy (pg_trgm), precision first.

A match is accepted only when it is unambiguous; anything else goes to the review queue with
its best three candidates, never as a guess:
- alias: a spelling a person confirmed before (confidence 0.97);
- exact: the address's normalised components equal one building's (0.9–0.99 by how many
  components were given), and nothing else it gives contradicts that building (an area it
  names, a number, a road or estate name: see similarity.consistent; a name that is itself
  a known road or estate must be that building's exactly);
- fuzzy: candidates found by trigram similarity (pg_trgm, indexed; the nearest texts only among
  those sharing `text_floor` of their trigrams), then scored part by part
  (similarity.score); accepted when the score reaches `accept_score` and leads the runner-up
  by `margin`.
A candidate carries `score` (0–1) and `similarity` (of the names alone).
"""

import json
from dataclasses import dataclass, field

from geo.db.connection import load_query
from geo.geocode.address import KIND_CONFIDENCE, Address, AreaNames, keys
from geo.geocode.gazetteer import area_names, fuzzy_text, refresh_if_stale
from geo.geocode.parsing import parse_all
from geo.geocode.similarity import Parts, consistent, score

ALIAS_CONFIDENCE = 0.97
FUZZY_CONFIDENCE = (0.6, 0.89)  # fuzzy matches map into this range, always below exact ones
REVIEW_CANDIDATES = 3
SURE_MATCHES = ("alias", "exact")  # what may flag a conflict with coordinates
ALIASES = "SELECT address_key, building_id FROM geocode.address_alias WHERE address_key = ANY(%s)"
# pg_trgm's `%` reads it. Set for the rest of the caller's transaction (a released savepoint
# keeps it): only the matcher uses `%`, always after setting it.
TEXT_FLOOR = "SELECT set_config('pg_trgm.similarity_threshold', %s, true)"


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
    # A text sharing fewer of its trigrams with every address is no spelling of one: the
    # nearest of those are noise. With the floor a GIN index finds the candidates (migration
    # 0030); without one, the nearest texts were searched for in the whole of a GiST index
    # (80 ms a query over a province's 570,000 addresses).
    text_floor: float = 0.3


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
    parsed = parse_all(unique, names)
    results = [AddressMatch(key=address.key) for address in parsed]
    _by_alias(conn, parsed, results)
    known = known_names(conn, parsed)
    _by_keys(conn, parsed, results, known)
    _by_similarity(conn, parsed, results, names, known, settings, [text in may_fuzzy for text in unique])
    _explain_ambiguities(parsed, results)
    by_text = dict(zip(unique, results))
    return [by_text.get(text) if text and text.strip() else None for text in texts]


def _explain_ambiguities(parsed: list[Address], results: list[AddressMatch]) -> None:
    """Tell the reviewer why an address left ambiguous (人民路12号3号) was not placed."""
    for address, result in zip(parsed, results):
        if address.ambiguity and not result.matched:
            for candidate in result.candidates:
                candidate["why"] = address.ambiguity


def _by_alias(conn, parsed: list[Address], results: list[AddressMatch]) -> None:
    aliases = dict(conn.execute(ALIASES, [[a.key for a in parsed]]).fetchall())
    for address, result in zip(parsed, results):
        if address.key in aliases:
            result.building_id, result.confidence, result.how = aliases[address.key], ALIAS_CONFIDENCE, "alias"


def _by_keys(conn, parsed: list[Address], results: list[AddressMatch], known: set[str]) -> None:
    """Accept the one building that the most specific kind of key with any consistent hit
    names. Kinds are asked for most specific first, a query again only when none of the
    hits of its last kind could be accepted, so most queries take one round."""
    above = {index: 0 for index, result in enumerate(results) if not result.matched}
    queries: dict[int, Parts] = {}  # a query meets many entries: its parts are read once
    while above:
        rows = conn.execute(load_query("geocode/match_exact"), _key_columns(parsed, above)).fetchall()
        kinds, hits = {}, {}
        for query, kind, building_id, *components in rows:
            kinds[query] = kind
            if query not in queries:
                queries[query] = Parts.of_query(parsed[query], known)
            if consistent(queries[query], Parts.of_entry(*components)):
                hits.setdefault(query, set()).add(building_id)
        for query, buildings in hits.items():
            if len(buildings) == 1:
                result = results[query]
                result.building_id, result.confidence, result.how = (
                    next(iter(buildings)),
                    KIND_CONFIDENCE[kinds[query]],
                    "exact",
                )
        above = {query: kind for query, kind in kinds.items() if query not in hits}


def _key_columns(parsed: list[Address], above: dict[int, int]) -> dict[str, list]:
    """The keys of the queries in `above`, as the columns match_exact.sql unnests."""
    columns = {"query": [], "kind": [], "key": [], "above": []}
    for index, kind_above in above.items():
        for kind, key in keys(parsed[index]):
            for column, value in zip(columns, (index, kind, key, kind_above)):
                columns[column].append(value)
    return columns


def known_names(conn, parsed: list[Address]) -> set[str]:
    """The roads and estates named in the queries (and the beginnings of the estates) that are
    some building's road or estate."""
    names = {name for a in parsed for name in (a.road, a.estate) if name}
    names |= {a.estate[:n] for a in parsed for n in range(2, len(a.estate))}
    return {row[0] for row in conn.execute(load_query("geocode/known_names"), [sorted(names)]).fetchall()}


def _by_similarity(conn, parsed, results, names: AreaNames, known: set[str], settings: MatchSettings, allowed) -> None:
    todo = [i for i, result in enumerate(results) if not result.matched and allowed[i]]
    if not todo:
        return
    params = {
        "query": todo,
        "text": [fuzzy_text(parsed[i], names) for i in todo],
        "numbers": [parsed[i].numbers for i in todo],
        "place": [parsed[i].estate for i in todo],
        "building": [parsed[i].building for i in todo],
    }
    candidates: dict[int, list[dict]] = {i: [] for i in todo}
    queries = {i: Parts.of_query(parsed[i], known) for i in todo}
    with conn.transaction():
        conn.execute(TEXT_FLOOR, [str(settings.text_floor)])
        rows = conn.execute(load_query("geocode/match_fuzzy"), params).fetchall()
    for query, building_id, *components, address in rows:
        points, similarity, agreeing = score(queries[query], Parts.of_entry(*components))
        candidates[query].append(
            {
                "building_id": building_id,
                "address": address,
                "score": round(points, 3),
                "similarity": round(similarity, 3),
                "numbers_agreeing": agreeing,
            }
        )
    for query in todo:
        ranked = sorted(
            candidates[query], key=lambda c: (-c["score"], -c["numbers_agreeing"], -c["similarity"], c["building_id"])
        )
        _decide(results[query], ranked, settings)


def _decide(result: AddressMatch, ranked: list[dict], settings: MatchSettings) -> None:
    # Shown to the reviewer even when a number contradicts, as long as something agrees.
    result.candidates = [c for c in ranked if c["similarity"] > 0 or c["numbers_agreeing"]][:REVIEW_CANDIDATES]
    if not result.candidates:
        return
    best = result.candidates[0]["score"]
    runner_up = result.candidates[1]["score"] if len(result.candidates) > 1 else 0.0
    # A name alone (人民路) never names a building: a number of the address must agree.
    sure_enough = result.candidates[0]["numbers_agreeing"] > 0
    if sure_enough and best >= settings.accept_score and best - runner_up >= settings.margin:
        low, high = FUZZY_CONFIDENCE
        result.building_id = result.candidates[0]["building_id"]
        result.confidence = round(low + (high - low) * min(1.0, best), 3)
        result.how = "fuzzy"
