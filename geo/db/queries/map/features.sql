-- Rows (code, name, kind, geom) as one GeoJSON FeatureCollection, each geometry simplified
-- to %(tolerance)s degrees (about a pixel at the zoom that shows the whole unit) and written
-- with 5 decimals (about 1 m): the browser gets no more detail than it can draw.
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, %(tolerance)s), 5)::json,
        'properties', json_build_object('code', code, 'name', name, 'kind', kind)
    ) ORDER BY code), '[]'::json))
FROM ({children}) child
