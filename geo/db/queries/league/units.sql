-- The units a league table ranks (%(codes)s: the children of one unit, areas or basic grids)
-- with what the case facts do not hold: name, households, the current basic grids at red and
-- orange in the latest risk scores, the unit's own level, and its outline for a small map
-- (simplified to about a hundredth of its extent; SVG path data, y pointing down).
WITH latest AS (SELECT max(as_of) AS as_of FROM risk_score),
grids AS (  -- each unit's current basic grids: an area's, or a grid itself
    SELECT a.code, g.code AS grid_code, g.households
    FROM admin_area a
    JOIN case_fact_area_grid l ON l.area_id = a.id
    JOIN grid_current g ON g.id = l.grid_id AND g.is_basic
    WHERE a.code = ANY (%(codes)s)
    UNION ALL
    SELECT g.code, g.code, g.households FROM grid_current g WHERE g.code = ANY (%(codes)s) AND g.is_basic
),
counted AS (
    SELECT x.code, sum(x.households)::bigint AS households,
           count(*) FILTER (WHERE r.level = 'red') AS red,
           count(*) FILTER (WHERE r.level = 'orange') AS orange
    FROM grids x
    LEFT JOIN risk_score r ON r.as_of = (SELECT as_of FROM latest) AND r.code = x.grid_code AND r.kind = 'grid'
    GROUP BY x.code
),
shapes AS (
    SELECT code, name, geom, true AS is_area FROM admin_area WHERE code = ANY (%(codes)s)
    UNION ALL
    SELECT code, name, geom, false FROM grid_current WHERE code = ANY (%(codes)s) AND is_basic
)
SELECT s.code, s.name, s.is_area, coalesce(c.households, 0) AS households, coalesce(c.red, 0) AS red,
       coalesce(c.orange, 0) AS orange, r.level,
       ST_AsSVG(ST_SimplifyPreserveTopology(s.geom, e.size / 100), 0, 6) AS outline,
       ST_XMin(s.geom) AS west, ST_YMax(s.geom) AS north, e.width, e.height
FROM shapes s
CROSS JOIN LATERAL (
    SELECT ST_XMax(s.geom) - ST_XMin(s.geom) AS width, ST_YMax(s.geom) - ST_YMin(s.geom) AS height,
           greatest(ST_XMax(s.geom) - ST_XMin(s.geom), ST_YMax(s.geom) - ST_YMin(s.geom)) AS size
) e
LEFT JOIN counted c ON c.code = s.code
LEFT JOIN risk_score r ON r.as_of = (SELECT as_of FROM latest) AND r.code = s.code
