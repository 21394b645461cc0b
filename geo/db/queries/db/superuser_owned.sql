-- What a superuser owns in this database that belongs to the project, in the order its
-- ownership is given away: the database, then schemas, relations, routines and types. Not
-- the system's schemas, nor anything an extension installed (PostGIS's tables, functions and
-- types stay the superuser's). A table's indexes, row type and owned sequences (serial,
-- identity) follow the table; an array type follows its element type.
-- Columns: step, keyword (what to ALTER), schema, name, signature (a routine's or a type's
-- quoted name with arguments, else NULL).
WITH superuser AS (
    SELECT oid FROM pg_roles WHERE rolsuper
), project_schema AS (
    SELECT n.oid, n.nspname, n.nspowner FROM pg_namespace n
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                      AND d.objid = n.oid AND d.deptype = 'e')
), installed AS (
    SELECT d.classid, d.objid FROM pg_depend d WHERE d.deptype = 'e'
)
SELECT 0 AS step, 'DATABASE' AS keyword, NULL AS schema, d.datname AS name, NULL AS signature
FROM pg_database d
WHERE d.datname = current_database() AND d.datdba IN (SELECT oid FROM superuser)
UNION ALL
SELECT 1, 'SCHEMA', NULL, s.nspname, NULL
FROM project_schema s WHERE s.nspowner IN (SELECT oid FROM superuser)
UNION ALL
SELECT 2,
       CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                      WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
       s.nspname, c.relname, NULL
FROM pg_class c JOIN project_schema s ON s.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND c.relowner IN (SELECT oid FROM superuser)
  AND NOT EXISTS (SELECT FROM installed i WHERE i.classid = 'pg_class'::regclass AND i.objid = c.oid)
  AND NOT (c.relkind = 'S' AND EXISTS (
        SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
UNION ALL
SELECT 3, 'ROUTINE', s.nspname, p.proname, p.oid::regprocedure::text
FROM pg_proc p JOIN project_schema s ON s.oid = p.pronamespace
WHERE p.proowner IN (SELECT oid FROM superuser)
  AND NOT EXISTS (SELECT FROM installed i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid)
UNION ALL
SELECT 4, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, s.nspname, t.typname, t.oid::regtype::text
FROM pg_type t JOIN project_schema s ON s.oid = t.typnamespace
WHERE t.typowner IN (SELECT oid FROM superuser)
  AND NOT EXISTS (SELECT FROM installed i WHERE i.classid = 'pg_type'::regclass AND i.objid = t.oid)
  AND (t.typtype IN ('e', 'd', 'r')
       OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
ORDER BY step, schema, name, signature
