-- The foreign keys and exclusion constraints of a table: checked row by row while a bulk load
-- runs, or once for all rows when added again after it.
SELECT conname AS name, pg_get_constraintdef(oid) AS definition
FROM pg_constraint
WHERE conrelid = %(table)s::regclass AND contype IN ('f', 'x')
ORDER BY conname
