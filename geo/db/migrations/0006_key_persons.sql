-- Key populations (重点人群): sensitive personal information, kept in their own schema.
-- No names: a pseudonymous id links to the registry held elsewhere.
CREATE TABLE sensitive.key_person_category (
    code    text PRIMARY KEY,
    kind    text NOT NULL CHECK (kind IN ('supervision', 'care')),
    name_zh text NOT NULL,
    name_en text NOT NULL
);
INSERT INTO sensitive.key_person_category (code, kind, name_zh, name_en) VALUES
    ('community_correction', 'supervision', '社区矫正对象',       'Community correction'),
    ('released_person',      'supervision', '刑满释放人员',       'Released person'),
    ('severe_mental',        'care',        '严重精神障碍患者',   'Severe mental disorder'),
    ('drug_rehabilitation',  'supervision', '社区戒毒康复人员',   'Drug rehabilitation'),
    ('left_behind_child',    'care',        '留守儿童',           'Left-behind child'),
    ('elderly_alone',        'care',        '独居老人',           'Elderly living alone');

CREATE TABLE sensitive.key_person (
    id            bigserial PRIMARY KEY,
    pseudonym     text NOT NULL UNIQUE,
    category_code text NOT NULL REFERENCES sensitive.key_person_category (code),
    building_id   integer NOT NULL REFERENCES public.building (id),
    unit_id       integer REFERENCES public.building_unit (id),
    care_level    text NOT NULL CHECK (care_level IN ('high', 'medium', 'low')),
    registered_on date NOT NULL,
    active        boolean NOT NULL DEFAULT true
);
CREATE INDEX key_person_building_idx ON sensitive.key_person (building_id);
