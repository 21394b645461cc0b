-- Buildings in the import's field names (no history: --as-of does not apply).
SELECT b.code, b.standard_address, b.micro_grid_code, b.kind, b.road, b.house_number, b.estate,
       b.building_no, b.floors, b.unit_count, b.households, ST_AsBinary(b.footprint) AS geom
FROM building b
WHERE %(county)s::text IS NULL OR ST_Covers((SELECT geom FROM admin_area WHERE code = %(county)s),
                                            ST_PointOnSurface(b.footprint))
ORDER BY b.code
