INSERT INTO geocode.address_alias (address_key, building_id, example_text, confirmed_by)
VALUES (%s, %s, %s, %s)
ON CONFLICT (address_key) DO UPDATE
SET building_id = EXCLUDED.building_id, example_text = EXCLUDED.example_text,
    confirmed_by = EXCLUDED.confirmed_by, confirmed_at = now()
