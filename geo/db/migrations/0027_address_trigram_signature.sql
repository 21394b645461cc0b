-- The fuzzy matcher's nearest texts (geo/db/queries/geocode/match_fuzzy.sql) by a trigram
-- GiST index with 512-byte signatures instead of the default 12: Chinese addresses have many
-- distinct trigrams, which a 12-byte signature cannot tell apart, so a nearest-60 search read
-- most of the index. Measured on three demo cities (171,000 addresses): 35 ms a query with
-- the default, 3.5 ms with 512 bytes (1,024 is slower again: fewer signatures a page). The
-- same rows come back (the distance is rechecked on the rows either way).
DROP INDEX geocode.address_entry_trgm_idx;
CREATE INDEX address_entry_trgm_idx ON geocode.address_entry USING gist (fuzzy_text gist_trgm_ops (siglen = 512));
