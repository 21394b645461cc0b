-- The fuzzy matcher asks for the texts that share at least a floor of their trigrams with the
-- clerk's (since issue #27), and ranks those few itself: a GIN index finds them from the
-- trigrams' lists, where the GiST index of 0027 walked its tree for the nearest ones and, for
-- a text like no address, read much of it. Measured on a province (568,643 addresses): a
-- text without a match 13-23 ms -> 0.1-1.3 ms, a slipped address's nearest 11 -> 4 ms; and the
-- index builds in 3 s, not 50 s, each time the gazetteer is written again. On 3,000 clerk
-- addresses of the province (2,000 of them with a character dropped or swapped) the matcher
-- took 66.5 s before this migration and 10.6 s after, with the same decision for every one.
DROP INDEX geocode.address_entry_trgm_idx;
CREATE INDEX address_entry_trgm_idx ON geocode.address_entry USING gin (fuzzy_text gin_trgm_ops);

-- The nearest estate or village names among the buildings with the same building number:
-- one GiST index on both (btree_gist), where the names' own index was read in distance order
-- and every other building number filtered away (a common number like 16 read thousands of
-- entries: 60-90 ms a query, against a few ms).
DROP INDEX geocode.address_entry_place_idx;
CREATE INDEX address_entry_building_place_idx ON geocode.address_entry USING gist (building_no, place gist_trgm_ops);
