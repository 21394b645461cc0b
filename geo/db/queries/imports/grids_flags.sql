-- What an imported grid file left to fix, counted over its grids (now current): a community
-- or parent grid that is not there, regular grids of one level overlapping by > 1 m², and
-- parents named by its grids that are marked basic (a file of parents alone marks them
-- basic; the file of their children does not change that on its own).
SELECT count(*) FILTER (WHERE g.community_id IS NULL),
       count(*) FILTER (WHERE g.parent_code IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM grid_current p WHERE p.code = g.parent_code)),
       count(*) FILTER (WHERE g.kind = 'regular' AND EXISTS (
           SELECT 1 FROM grid_current o
           WHERE o.code <> g.code AND o.level = g.level AND o.kind = 'regular'
             AND ST_Relate(o.geom, g.geom, '2********')
             AND ST_Area(ST_Intersection(o.geom, g.geom)::geography) > 1)),
       (SELECT count(*) FROM grid_current p
        WHERE p.is_basic AND p.code IN (SELECT parent_code FROM import_grids))
FROM grid_current g JOIN import_grids s USING (code);
