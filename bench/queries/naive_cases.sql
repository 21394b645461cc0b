-- A copy of the benchmark cases as the schema kept them before placements had a table of
-- their own: full rows with every index of `cases`, plus grid_id and its index.
CREATE TABLE naive_cases (LIKE cases INCLUDING ALL, grid_id integer);
INSERT INTO naive_cases SELECT *, NULL FROM cases WHERE id >= %(first)s;
CREATE INDEX ON naive_cases (grid_id);
ANALYZE naive_cases
