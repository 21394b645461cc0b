-- Benchmark points arrive in a temp table (id, code, geom); the constant columns are added here.
INSERT INTO cases (id, code, geom, source, category_code, summary, reported_at, status, deadline)
SELECT id, code, geom, 'grid_worker', 'service_request', '基准测试', '2026-11-01 10:00+08', 'accepted', '2026-11-11 10:00+08'
FROM bench_points
;
-- The points came with their own ids: move the id sequence past them, or the next suite's
-- cases (the import benchmark's) collide with them.
SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))
