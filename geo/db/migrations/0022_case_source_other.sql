-- Another city's export names its channels in its own words (微信, 市长信箱, 媒体曝光 …): a case
-- whose source the importer does not know is kept as 'other' with the text it came with
-- (source_raw), instead of being rejected for it (issue 21: nothing is lost for an unknown value).
ALTER TABLE cases DROP CONSTRAINT cases_source_check;
ALTER TABLE cases
    ADD CONSTRAINT cases_source_check CHECK (source IN (
        'grid_worker', 'hotline_12345', 'police_110', 'walk_in', 'online', 'other')),
    ADD COLUMN source_raw text;
