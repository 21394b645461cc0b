-- Pairs of siblings whose interiors overlap by more than %(min_area_m2)s square metres.
SELECT relation, parent_code, child_a, child_b, area_m2
FROM (
    SELECT a.relation, a.parent_code, a.child_code AS child_a, b.child_code AS child_b,
           ST_Area(ST_Intersection(a.child_geom, b.child_geom)::geography) AS area_m2
    FROM topology_relation a
    JOIN topology_relation b
      ON b.relation = a.relation AND b.parent_code = a.parent_code AND a.child_code < b.child_code
     AND a.child_geom && b.child_geom
    WHERE ST_Relate(a.child_geom, b.child_geom, '2********')
) found
WHERE area_m2 > %(min_area_m2)s
ORDER BY relation, parent_code, child_a, child_b;
