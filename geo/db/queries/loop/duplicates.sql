-- Likely duplicates of case %(id)s: the same category, at the same building or within
-- %(metres)s m, reported from %(days)s days before it to a day after, not merged themselves,
-- inside the jurisdiction; nearest first.
WITH this AS (
    SELECT c.id, c.category_code, c.reported_at, a.building_id, coalesce(a.point, c.geom) AS p
    FROM cases c LEFT JOIN case_assignment a ON a.case_id = c.id WHERE c.id = %(id)s
)
SELECT d.code, d.reported_at, d.status, s.name_zh AS status_zh, s.name_en AS status_en, d.summary,
       round(ST_Distance(coalesce(da.point, d.geom)::geography, this.p::geography))::integer AS metres,
       da.building_id IS NOT DISTINCT FROM this.building_id AND this.building_id IS NOT NULL AS same_building
FROM this
JOIN cases d ON d.category_code = this.category_code AND d.id <> this.id AND d.merged_into IS NULL
    AND d.reported_at BETWEEN this.reported_at - make_interval(days => %(days)s) AND this.reported_at + interval '1 day'
LEFT JOIN case_assignment da ON da.case_id = d.id
JOIN case_status s ON s.code = d.status
WHERE ((da.building_id = this.building_id)
       OR ST_DWithin(coalesce(da.point, d.geom)::geography, this.p::geography, %(metres)s))
  AND (%(whole)s OR coalesce(da.grid_id, da.nearest_grid_id) = ANY (%(grid_ids)s))
ORDER BY same_building DESC, metres, d.reported_at DESC
LIMIT 10
