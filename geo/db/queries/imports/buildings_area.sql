-- The area whose cases may move after a building import: old and new footprints of the
-- buildings written (%(ids)s), widened by the radius within which a case takes the nearest
-- building (30 m ≈ 0.0003°; 0.0005° to be generous).
SELECT ST_AsText(ST_Buffer(ST_Union(geom), 0.0005))
FROM (SELECT footprint AS geom FROM building WHERE id = ANY(%(ids)s)
      UNION ALL
      SELECT bb.footprint FROM building_before bb JOIN building b USING (code)
      WHERE b.id = ANY(%(ids)s)) shapes;
