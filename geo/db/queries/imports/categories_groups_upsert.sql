-- Upsert the groups of a catalogue file (rows of import_categories without a parent);
-- (code, inserted) per group written, identical ones left alone.
INSERT INTO case_group AS g (code, name_zh, name_en, synonyms)
SELECT code, name_zh, name_en, synonyms FROM import_categories WHERE parent IS NULL
ON CONFLICT (code) DO UPDATE
SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, synonyms = EXCLUDED.synonyms
WHERE (g.name_zh, g.name_en, g.synonyms) IS DISTINCT FROM (EXCLUDED.name_zh, EXCLUDED.name_en, EXCLUDED.synonyms)
RETURNING g.code, (xmax = 0) AS inserted
