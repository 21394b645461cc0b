-- Active key persons per current basic grid and category, for the whole hierarchy at once:
-- counts only, never a person. Suppression (geo/map/suppression.py) needs every table of the
-- hierarchy, since a cell hidden in one table is a total in the next; the function counts the
-- whole database whatever the reader's jurisdiction (migration 0016), so that every viewer
-- gets the same hidden cells.
SELECT grid, category, persons FROM sensitive.key_person_counts()
