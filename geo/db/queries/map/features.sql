-- Rows (code, name, kind, geom) as one GeoJSON FeatureCollection, each geometry simplified
-- to %(tolerance)s degrees (about a pixel at the zoom that shows the whole unit) and written
-- with 5 decimals (about 1 m): the browser gets no more detail than it can draw. `at` is
-- where the label goes: the centre of the largest circle inside the shape, which for a
-- concave area (unlike its centroid) always lies inside it.
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'geometry', ST_AsGeoJSON(simple, 5)::json,
        'properties', json_build_object('code', code, 'name', name, 'kind', kind,
                                        'at', json_build_array(round(ST_Y(label)::numeric, 5),
                                                               round(ST_X(label)::numeric, 5)))
    ) ORDER BY code), '[]'::json))
FROM ({children}) child
CROSS JOIN LATERAL (SELECT ST_SimplifyPreserveTopology(geom, %(tolerance)s) AS simple) s
CROSS JOIN LATERAL (SELECT (ST_MaximumInscribedCircle(simple)).center AS label) l
