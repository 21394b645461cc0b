-- After a catalogue import: the unclassified cases whose text the catalogue now knows follow
-- it, as an import of the same file would place them now. A text that names a category puts
-- the case there (the text is dropped, as for any case whose file named its category); a text
-- that names a group moves a case of no known group into that group's unclassified category
-- (keeping the text). Letter case is ignored; a text two categories share goes to the first
-- code. Returns the number of cases moved.
WITH names AS (
    SELECT DISTINCT ON (key) key, code, kind
    FROM (
        SELECT lower(name) AS key, k.code, 0 AS kind
        FROM case_category k, unnest(k.synonyms || ARRAY[k.name_zh, k.name_en, k.code]) AS name
        UNION ALL
        SELECT lower(name), u.code, 1
        FROM case_group g
        JOIN case_category u ON u.group_code = g.code AND u.unclassified,
             unnest(g.synonyms || ARRAY[g.name_zh, g.name_en, g.code]) AS name
    ) n
    ORDER BY key, kind, code
),
moved AS (
    UPDATE cases c
    SET category_code = n.code, category_raw = CASE WHEN n.kind = 0 THEN NULL ELSE c.category_raw END
    FROM case_category u, names n
    WHERE u.code = c.category_code AND u.unclassified AND c.category_raw IS NOT NULL
      AND n.key = lower(c.category_raw) AND n.code <> c.category_code
      AND (n.kind = 0 OR c.category_code = 'unclassified')
    RETURNING c.id
)
SELECT count(*) FROM moved
