-- Fuzzy candidates by trigram similarity (pg_trgm; a GiST index orders by distance): the
-- nearest texts overall, plus the nearest among buildings with the same numbers, which a
-- plain similarity ranking can bury under the neighbours of a large estate. The index
-- returns equally distant texts in no fixed order, so a wider inner set is cut down by
-- (distance, building_id): the same query gets the same candidates every time.
SELECT q.query, c.building_id, c.fuzzy_text, c.numbers, c.areas, b.standard_address
FROM unnest(%(query)s::int[], %(text)s::text[], %(numbers)s::text[]) AS q(query, text, numbers)
CROSS JOIN LATERAL (
    (SELECT * FROM (
        SELECT building_id, fuzzy_text, numbers, areas, fuzzy_text <-> q.text AS distance
        FROM geocode.address_entry ORDER BY fuzzy_text <-> q.text LIMIT 60) nearest
     ORDER BY distance, building_id LIMIT 10)
    UNION
    (SELECT * FROM (
        SELECT building_id, fuzzy_text, numbers, areas, fuzzy_text <-> q.text AS distance
        FROM geocode.address_entry WHERE numbers = q.numbers AND q.numbers <> ''
        ORDER BY fuzzy_text <-> q.text LIMIT 200) same_numbers
     ORDER BY distance, building_id LIMIT 50)
) c
JOIN building b ON b.id = c.building_id
