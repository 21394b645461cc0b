-- Whether the current role owns every one of the tables, named 'schema.name' (it may then
-- drop and add their indexes and constraints). Read from the catalogue by name: a role that
-- may not even use a table's schema gets false, not an error.
SELECT count(*) = cardinality(%(tables)s::text[]) AND bool_and(pg_has_role(current_user, c.relowner, 'USAGE'))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname || '.' || c.relname = ANY(%(tables)s::text[])
