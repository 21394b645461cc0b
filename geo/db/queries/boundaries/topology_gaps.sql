-- Parts of a parent not covered by any child, larger than %(min_area_m2)s square metres.
WITH covered AS (
    SELECT relation, parent_code, ST_Union(child_geom) AS geom
    FROM topology_relation
    GROUP BY relation, parent_code
), parent AS (
    SELECT DISTINCT ON (relation, parent_code) relation, parent_code, parent_geom
    FROM topology_relation
)
SELECT relation, parent_code, area_m2
FROM (
    SELECT relation, parent_code, ST_Area(ST_Difference(p.parent_geom, c.geom)::geography) AS area_m2
    FROM covered c JOIN parent p USING (relation, parent_code)
) found
WHERE area_m2 > %(min_area_m2)s
ORDER BY relation, parent_code;
