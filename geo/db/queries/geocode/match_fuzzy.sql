-- Fuzzy candidates (pg_trgm): the nearest texts overall among those that share at least
-- `pg_trgm.similarity_threshold` of their trigrams (the matcher sets it), found by a GIN
-- trigram index and then ranked (migration 0030); the nearest among buildings with the same
-- numbers, which a plain ranking can bury under the neighbours of a large estate; and the
-- nearest estate or village names among buildings with the same building number (when the
-- clerk left the house number out), by the GiST index of (building number, name). A GiST
-- index returns equally distant rows in no fixed order, so each wider inner set is cut down
-- by (distance, building_id): the same query gets the same candidates every time.
SELECT q.query, c.building_id, c.road, c.number, c.place, c.grp, c.building_no, c.areas, b.standard_address
FROM unnest(%(query)s::int[], %(text)s::text[], %(numbers)s::text[], %(place)s::text[], %(building)s::text[])
     AS q(query, text, numbers, place, building)
CROSS JOIN LATERAL (
    (SELECT building_id, road, number, place, grp, building_no, areas
     FROM geocode.address_entry WHERE fuzzy_text %% q.text
     ORDER BY fuzzy_text <-> q.text, building_id LIMIT 10)
    UNION
    (SELECT building_id, road, number, place, grp, building_no, areas FROM (
        SELECT *, fuzzy_text <-> q.text AS distance
        FROM geocode.address_entry WHERE numbers = q.numbers AND q.numbers <> ''
        ORDER BY fuzzy_text <-> q.text LIMIT 200) same_numbers
     ORDER BY distance, building_id LIMIT 50)
    UNION
    (SELECT building_id, road, number, place, grp, building_no, areas FROM (
        SELECT *, place <-> q.place AS distance
        FROM geocode.address_entry WHERE building_no = q.building AND q.building <> '' AND q.place <> ''
        ORDER BY place <-> q.place LIMIT 200) same_building_number
     ORDER BY distance, building_id LIMIT 30)
) c
JOIN building b ON b.id = c.building_id
