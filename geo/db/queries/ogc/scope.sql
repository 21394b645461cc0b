-- The presented session's jurisdiction, once per statement, for the collections' sources:
-- everything, or its codes (areas and grids), its basic grids' ids and its outline.
SELECT auth.session_whole() AS whole, auth.session_codes() AS codes, auth.session_grid_ids() AS grid_ids,
       auth.session_outline() AS outline
