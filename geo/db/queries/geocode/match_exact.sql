-- Exact matches: each query key against the gazetteer keys, with the components of each
-- building found, for the matcher to check that nothing else the clerk gave contradicts it.
SELECT q.query, greatest(q.kind, k.kind) AS kind, k.building_id,
       e.road, e.number, e.place, e.grp, e.building_no, e.areas
FROM unnest(%(query)s::int[], %(kind)s::int[], %(key)s::text[]) AS q(query, kind, key)
JOIN geocode.address_key k ON k.key = q.key
JOIN geocode.address_entry e ON e.building_id = k.building_id
