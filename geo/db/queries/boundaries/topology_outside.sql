-- Children reaching outside their parent by more than %(min_area_m2)s square metres.
SELECT relation, parent_code, child_code, area_m2
FROM (
    SELECT relation, parent_code, child_code,
           ST_Area(ST_Difference(child_geom, parent_geom)::geography) AS area_m2
    FROM topology_relation
    WHERE NOT ST_Within(child_geom, parent_geom)
) found
WHERE area_m2 > %(min_area_m2)s
ORDER BY relation, parent_code, child_code;
