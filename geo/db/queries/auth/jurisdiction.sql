-- What a jurisdiction holds: %(code)s is an admin area or a basic grid. One row per code
-- inside it (the area itself, the areas below it, their current basic grids), with the grid's
-- id for grids. The same function gives the row-level-security policies their scope
-- (migration 0017).
SELECT code, grid_id FROM auth.jurisdiction(%(code)s)
