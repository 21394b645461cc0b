-- Exact matches: each query key against the gazetteer keys. Of a query's hits only those of
-- the most specific kind above `above` come back (the matcher asks again, above that kind,
-- for a query none of whose hits it could accept), each with its building's components, for
-- the matcher to check that nothing else the clerk gave contradicts it. (An estate name that
-- recurs in every city of a province hits dozens of buildings by its less specific keys.)
SELECT h.query, h.kind, h.building_id, e.road, e.number, e.place, e.grp, e.building_no, e.areas
FROM (
    SELECT q.query, greatest(q.kind, k.kind) AS kind, k.building_id,
           min(greatest(q.kind, k.kind)) OVER (PARTITION BY q.query) AS best
    FROM unnest(%(query)s::int[], %(kind)s::int[], %(key)s::text[], %(above)s::int[]) AS q(query, kind, key, above)
    JOIN geocode.address_key k ON k.key = q.key
    WHERE greatest(q.kind, k.kind) > q.above
) h
JOIN geocode.address_entry e ON e.building_id = h.building_id
WHERE h.kind = h.best
