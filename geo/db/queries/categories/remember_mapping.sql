-- Remember what a text means, for the imports to come (a text mapped again takes the new code).
INSERT INTO category_mapping (raw_key, raw, category_code, mapped_by)
VALUES (lower(%(raw)s), %(raw)s, %(code)s, %(author)s)
ON CONFLICT (raw_key) DO UPDATE
SET raw = EXCLUDED.raw, category_code = EXCLUDED.category_code, mapped_by = EXCLUDED.mapped_by, mapped_at = now()
