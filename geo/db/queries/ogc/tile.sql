-- One Mapbox Vector Tile of a collection (its source query, as the OGC items take it) for the
-- presented session: the features meeting tile z/x/y, clipped and quantised to its 4096-unit
-- grid by ST_AsMVTGeom (which also drops what is smaller than a unit at that zoom), with the
-- source's properties and the latest risk level and relative risk of a grid or an area.
WITH scope AS MATERIALIZED ({scope}),
tile AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS box),
features AS ({source}),
latest AS (SELECT max(as_of) AS as_of FROM risk_score),
drawn AS (
    -- Simplified to a unit of the tile's grid (its width / 4096) before it is clipped.
    SELECT ST_AsMVTGeom(ST_Simplify(ST_Transform(f.geom, 3857), (ST_XMax(tile.box) - ST_XMin(tile.box)) / 4096, true),
                        tile.box, 4096, 64, true) AS geom,
           f.properties || jsonb_strip_nulls(jsonb_build_object('risk_level', r.level, 'relative_risk', r.relative_risk))
               AS properties
    FROM features f CROSS JOIN tile
    LEFT JOIN risk_score r ON r.code = f.fid AND r.as_of = (SELECT as_of FROM latest)
    WHERE f.geom && ST_Transform(tile.box, 4326)
)
SELECT ST_AsMVT(drawn, %(layer)s, 4096, 'geom') FROM drawn WHERE geom IS NOT NULL
