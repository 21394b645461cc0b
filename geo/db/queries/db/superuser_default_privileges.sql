-- The default privileges a superuser set for objects it creates (migration 0016: the
-- dashboard's role gets rights on every new table of `public`), one row per grant to another
-- role. Once the owner creates the tables, they must be the owner's default privileges.
-- `schema` is NULL for a default of the whole database; `grantee` NULL means PUBLIC.
SELECT r.rolname AS superuser,
       n.nspname AS schema,
       CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS'
                            WHEN 'T' THEN 'TYPES' WHEN 'n' THEN 'SCHEMAS' END AS objects,
       a.privilege_type AS privilege,
       g.rolname AS grantee,
       a.is_grantable AS grantable
FROM pg_default_acl d
JOIN pg_roles r ON r.oid = d.defaclrole AND r.rolsuper
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL aclexplode(d.defaclacl) a
LEFT JOIN pg_roles g ON g.oid = a.grantee
WHERE a.grantee <> d.defaclrole
ORDER BY 1, 2, 3, 4, 5
