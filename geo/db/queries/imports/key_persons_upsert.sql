-- Upsert the checked key persons (temp table import_key_persons) keyed on their pseudonym;
-- the unit is looked up by number in the person's building. Returns id and whether it is new.
INSERT INTO sensitive.key_person AS k (pseudonym, category_code, building_id, unit_id, care_level,
                                       registered_on, active)
SELECT s.pseudonym, s.category_code, s.building_id, u.id, s.care_level, s.registered_on, s.active
FROM import_key_persons s
LEFT JOIN building_unit u ON u.building_id = s.building_id AND u.unit_no = s.unit_no
ON CONFLICT (pseudonym) DO UPDATE
SET category_code = EXCLUDED.category_code, building_id = EXCLUDED.building_id,
    unit_id = EXCLUDED.unit_id, care_level = EXCLUDED.care_level,
    registered_on = EXCLUDED.registered_on, active = EXCLUDED.active
WHERE (k.category_code, k.building_id, k.unit_id, k.care_level, k.registered_on, k.active)
      IS DISTINCT FROM
      (EXCLUDED.category_code, EXCLUDED.building_id, EXCLUDED.unit_id, EXCLUDED.care_level,
       EXCLUDED.registered_on, EXCLUDED.active)
RETURNING k.id, (xmax = 0) AS inserted;
