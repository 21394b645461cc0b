-- Which of the given names are a road or an estate/village of some building.
SELECT name FROM unnest(%s::text[]) AS n(name)
WHERE EXISTS (SELECT 1 FROM geocode.address_entry WHERE place = n.name)
   OR EXISTS (SELECT 1 FROM geocode.address_entry WHERE road = n.name)
