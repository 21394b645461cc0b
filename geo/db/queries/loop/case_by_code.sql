-- A case by its code: id, status, version (the command line moves cases by code).
SELECT id, status, version FROM cases WHERE code = %(code)s
