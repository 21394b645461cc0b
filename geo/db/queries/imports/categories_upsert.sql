-- Upsert the categories of a catalogue file (rows of import_categories with a parent, their
-- group); a deadline left empty keeps the stored one (10 days for a new category), a severity
-- left empty is weights.toml's default, a clock left empty keeps the stored one (calendar for a
-- new category); the urgent level is the file's (empty: none). The days arrive as float8 (a
-- column with gaps). (code, inserted) per category written.
INSERT INTO case_category AS k (code, group_code, name_zh, name_en, deadline_days, severity, synonyms, clock,
                                urgent_level)
SELECT s.code, s.parent, s.name_zh, s.name_en, coalesce(s.deadline_days::smallint, o.deadline_days, 10), s.severity,
       s.synonyms, coalesce(s.clock, o.clock, 'calendar'), s.urgent_level
FROM import_categories s
LEFT JOIN case_category o ON o.code = s.code
WHERE s.parent IS NOT NULL
ON CONFLICT (code) DO UPDATE
SET group_code = EXCLUDED.group_code, name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en,
    deadline_days = EXCLUDED.deadline_days, severity = EXCLUDED.severity, synonyms = EXCLUDED.synonyms,
    clock = EXCLUDED.clock, urgent_level = EXCLUDED.urgent_level
WHERE (k.group_code, k.name_zh, k.name_en, k.deadline_days, k.severity, k.synonyms, k.clock, k.urgent_level)
      IS DISTINCT FROM
      (EXCLUDED.group_code, EXCLUDED.name_zh, EXCLUDED.name_en, EXCLUDED.deadline_days, EXCLUDED.severity,
       EXCLUDED.synonyms, EXCLUDED.clock, EXCLUDED.urgent_level)
RETURNING k.code, (xmax = 0) AS inserted
