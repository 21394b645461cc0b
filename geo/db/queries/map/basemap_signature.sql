-- What the basemap is drawn from, summed up: when any of it changes, so does this text, and
-- tiles drawn before are not reused.
SELECT concat_ws(':',
    (SELECT count(*) || '/' || coalesce(max(id), 0) FROM basemap.road),
    (SELECT count(*) || '/' || coalesce(max(id), 0) FROM basemap.water),
    (SELECT count(*) || '/' || coalesce(max(id), 0) FROM building),
    (SELECT count(*) || '/' || coalesce(max(id), 0) FROM admin_area WHERE level = 2))
