-- The case categories become a catalogue the city owns (issue 21): groups (大类) and their
-- categories (小类) with names, synonyms, a handling deadline and a severity, loaded and
-- edited with `python -m geo import FILE --layer categories`. The twelve categories of 0005
-- and their four groups are the default catalogue.
--
-- Nothing is lost for a category the catalogue does not know: the case goes into the
-- "unclassified" category of its group (<group>_unclassified), or into the category
-- 'unclassified' of the group 'unclassified' when its group is unknown too, and keeps the
-- text as the file had it (cases.category_raw). `python -m geo categories map RAW CODE`
-- reclassifies such cases and remembers the mapping (category_mapping) for later imports.

CREATE TABLE case_group (
    code     text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_.-]{1,60}$'),
    name_zh  text NOT NULL,
    name_en  text NOT NULL,
    synonyms text[] NOT NULL DEFAULT '{}'
);
INSERT INTO case_group (code, name_zh, name_en, synonyms) VALUES
    ('dispute',         '矛盾纠纷', 'Disputes',        '{纠纷类,矛盾纠纷类,纠纷}'),
    ('safety_hazard',   '安全隐患', 'Safety hazards',  '{隐患类,安全隐患类,隐患}'),
    ('public_order',    '治安问题', 'Public order',    '{社会治安,治安类,治安}'),
    ('service_request', '民生服务', 'Public services', '{服务类,民生诉求,便民服务类}'),
    ('unclassified',    '未分类',   'Unclassified',    '{}');

ALTER TABLE case_category DROP CONSTRAINT case_category_group_code_check;
ALTER TABLE case_category
    ADD CONSTRAINT case_category_code_check CHECK (code ~ '^[A-Za-z0-9_.-]{1,60}$'),
    ADD CONSTRAINT case_category_group_fkey FOREIGN KEY (group_code) REFERENCES case_group (code),
    -- How much one case counts in a grid's case intensity; NULL: geo/risk/weights.toml's default.
    -- A category named in weights.toml's [severity] takes the number written there.
    ADD COLUMN severity double precision CHECK (severity >= 0),
    ADD COLUMN synonyms text[] NOT NULL DEFAULT '{}',
    ADD COLUMN unclassified boolean NOT NULL
        GENERATED ALWAYS AS (code = group_code || '_unclassified' OR code = 'unclassified') STORED,
    ADD CONSTRAINT case_category_global_unclassified CHECK (code <> 'unclassified' OR group_code = 'unclassified');
CREATE UNIQUE INDEX case_category_one_unclassified_idx ON case_category (group_code) WHERE unclassified;

UPDATE case_category k SET severity = s.severity, synonyms = s.synonyms
FROM (VALUES
    ('dispute_marriage_family', 1.0, '{婚姻家庭,家庭纠纷,婚姻纠纷,婚恋家庭纠纷}'::text[]),
    ('dispute_neighbour',       1.0, '{邻里矛盾,邻里关系纠纷}'),
    ('dispute_land',            1.2, '{土地权属纠纷,山林土地纠纷,宅基地纠纷}'),
    ('dispute_labour_wages',    1.2, '{劳动争议,劳动纠纷,劳动保障纠纷,拖欠工资}'),
    ('dispute_property',        1.0, '{物业纠纷,房产纠纷,物业管理纠纷,房屋租赁纠纷}'),
    ('dispute_consumer',        0.6, '{消费维权,消费者权益纠纷}'),
    ('dispute_traffic',         0.8, '{交通事故纠纷,道路交通纠纷}'),
    ('hazard_fire',             2.0, '{消防隐患,火灾隐患}'),
    ('hazard_building',         1.5, '{房屋安全隐患,建筑安全隐患,危房}'),
    ('hazard_production',       1.5, '{生产安全隐患,安全生产}'),
    ('public_order',            1.5, '{治安隐患,治安乱点整治}'),
    ('service_request',         0.3, '{咨询求助,群众诉求}')
) AS s (code, severity, synonyms)
WHERE k.code = s.code;

INSERT INTO case_category (code, group_code, name_zh, name_en, deadline_days, synonyms) VALUES
    ('dispute_unclassified',         'dispute',         '其他纠纷',     'Other dispute (unclassified)',        15,
     '{其他矛盾纠纷,未分类纠纷}'),
    ('safety_hazard_unclassified',   'safety_hazard',   '其他安全隐患', 'Other safety hazard (unclassified)',   5,
     '{其他隐患,未分类隐患}'),
    ('public_order_unclassified',    'public_order',    '其他治安问题', 'Other public-order case (unclassified)', 7,
     '{其他治安}'),
    ('service_request_unclassified', 'service_request', '其他民生服务', 'Other service request (unclassified)', 10,
     '{其他服务诉求}'),
    ('unclassified',                 'unclassified',    '未分类事件',   'Unclassified',                        10,
     '{}');

-- The category text as the file had it, kept when the catalogue did not know it (the case went
-- into an unclassified category) or knew it only through a mapping; NULL otherwise.
ALTER TABLE cases ADD COLUMN category_raw text;
CREATE INDEX cases_category_raw_idx ON cases (lower(category_raw)) WHERE category_raw IS NOT NULL;

-- What a city said an unknown text means (`python -m geo categories map`), by the text in
-- lower case: later imports put such a case in the category at once.
CREATE TABLE category_mapping (
    raw_key       text PRIMARY KEY,
    raw           text NOT NULL,
    category_code text NOT NULL REFERENCES case_category (code) ON UPDATE CASCADE,
    mapped_by     text NOT NULL,
    mapped_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (raw_key = lower(raw))
);

-- The flagged cases: those in an unclassified category, with the text they came with.
CREATE VIEW case_unclassified AS
SELECT c.id, c.code, c.category_code, k.group_code, c.category_raw
FROM cases c JOIN case_category k ON k.code = c.category_code
WHERE k.unclassified;

-- The dashboard reads the catalogue; only the command line (the owner) changes it.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON case_group, case_category, category_mapping FROM safety_map_app;
GRANT SELECT ON case_group, case_category, category_mapping, case_unclassified TO safety_map_app;
