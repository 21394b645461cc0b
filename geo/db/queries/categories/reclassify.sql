-- Put the stored cases that came with the text %(raw)s (any case) in the category %(code)s;
-- their placements follow (0014's trigger), their grids are marked for rescoring (0012's).
UPDATE cases SET category_code = %(code)s
WHERE lower(category_raw) = lower(%(raw)s) AND category_raw IS NOT NULL AND category_code <> %(code)s
