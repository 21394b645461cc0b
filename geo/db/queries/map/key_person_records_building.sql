-- One building by its code.
SELECT id AS building_id FROM building WHERE code = %(code)s
