-- After a catalogue import: the unclassified cases whose text the catalogue now knows follow
-- it, as an import of the same file would place them now. A text that names a category puts
-- the case there (the text is dropped, as for any case whose file named its category): the
-- category of the case's own group by that text first, else the one category the text names
-- (a text categories of several groups share, an 其他 in each, names none); a text that names
-- a group moves a case of no known group into that group's unclassified category (keeping the
-- text). Letter case is ignored. Returns the number of cases moved.
WITH names AS (
    SELECT key, code, group_code, kind, count(*) OVER (PARTITION BY key, kind) AS owners
    FROM (
        SELECT lower(name) AS key, k.code, k.group_code, 0 AS kind
        FROM case_category k, unnest(k.synonyms || ARRAY[k.name_zh, k.name_en, k.code]) AS name
        UNION
        SELECT lower(name), u.code, g.code, 1
        FROM case_group g
        JOIN case_category u ON u.group_code = g.code AND u.unclassified,
             unnest(g.synonyms || ARRAY[g.name_zh, g.name_en, g.code]) AS name
    ) n
),
target AS (
    SELECT DISTINCT ON (c.id) c.id, n.code, n.kind
    FROM cases c
    JOIN case_category u ON u.code = c.category_code AND u.unclassified
    JOIN names n ON n.key = lower(c.category_raw)
    WHERE c.category_raw IS NOT NULL
      AND (n.kind = 1 OR n.group_code = u.group_code OR n.owners = 1)
    ORDER BY c.id, n.kind, n.group_code = u.group_code DESC, n.code
),
moved AS (
    UPDATE cases c
    SET category_code = t.code, category_raw = CASE WHEN t.kind = 0 THEN NULL ELSE c.category_raw END
    FROM target t
    WHERE t.id = c.id AND t.code <> c.category_code
      AND (t.kind = 0 OR c.category_code = 'unclassified')
    RETURNING c.id
)
SELECT count(*) FROM moved
