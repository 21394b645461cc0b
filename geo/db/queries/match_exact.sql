-- Exact matches: each query key against the gazetteer keys, where the areas the clerk named
-- (if any) are among the areas around the building.
SELECT q.query, greatest(q.kind, k.kind) AS kind, k.building_id
FROM unnest(%(query)s::int[], %(kind)s::int[], %(key)s::text[], %(areas)s::text[])
     AS q(query, kind, key, areas)
JOIN geocode.address_key k ON k.key = q.key
JOIN geocode.address_entry e ON e.building_id = k.building_id
WHERE e.areas @> string_to_array(q.areas, '|')
