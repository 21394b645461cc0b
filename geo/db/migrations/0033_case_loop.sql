-- The case loop (issue 23): 受理 received → 分拨 dispatched → 办理中 in hand → 反馈 reported back
-- → 核查 verified → 结案 closed → 回访 called back, with 退回 returned, reopening, merging and
-- escalation up the levels.
--
-- * The legal moves are rows of case_transition (action, from, to, who may). case_move() is the
--   one way the dashboard's role changes a case: it refuses a move the table does not hold, a
--   role the row does not name, a case outside the presented session's jurisdiction, and a
--   stale update (the version the mover saw is not the case's: optimistic check, the error
--   says who moved it and when). The web role has no write right on cases at all.
-- * Every move is a row of case_event (who, when, from, to, note, detail) and an entry of the
--   audit log, in the move's transaction. case_event is append-only. Imports that change a
--   state (the source system is the record) add an 'import' event per changed case.
-- * Call-backs happen after closing: the case stays 结案 and carries the outcome.
--   'follow_up' (回访 before closing) stays for platforms whose exports have it.
-- * Merging a duplicate closes it with merged_into set; closed-ness stays status = 'closed'.

-- ---------------------------------------------------------------- states
UPDATE case_status SET step = step + 10 WHERE code IN ('follow_up', 'closed');
UPDATE case_status SET step = 6 WHERE code = 'follow_up';
UPDATE case_status SET step = 7 WHERE code = 'closed';
UPDATE case_status s SET name_zh = v.zh, name_en = v.en
FROM (VALUES ('accepted', '受理', 'Received'), ('dispatched', '分拨', 'Dispatched'),
             ('in_progress', '办理中', 'In hand'), ('feedback', '反馈', 'Reported back'),
             ('follow_up', '回访', 'Calling back'), ('closed', '结案', 'Closed')) AS v (code, zh, en)
WHERE s.code = v.code;
INSERT INTO case_status (code, step, name_zh, name_en) VALUES
    ('verified', 5, '核查', 'Verified'),
    ('returned', 8, '退回', 'Returned');

-- ---------------------------------------------------------------- escalation levels
-- 网格 → 村/社区 → 乡镇/街道 → 县/区 → 市. A case overdue at its level by overdue_hours goes one
-- level up (case_escalate_due); area_level is the admin_area level whose centre is notified.
CREATE TABLE case_escalation_level (
    code          text PRIMARY KEY,
    rank          smallint NOT NULL UNIQUE,
    name_zh       text NOT NULL,
    name_en       text NOT NULL,
    area_level    smallint CHECK (area_level BETWEEN 1 AND 4),  -- NULL: the grid itself
    overdue_hours numeric NOT NULL CHECK (overdue_hours >= 0)
);
INSERT INTO case_escalation_level VALUES
    ('grid',        1, '网格',      'Grid',              NULL, 24),
    ('community',   2, '村/社区',   'Community/village', 4,    48),
    ('township',    3, '乡镇/街道', 'Township/street',   3,    72),
    ('county_city', 4, '县/区',     'County/district',   2,    120),
    ('city',        5, '市',        'City',              1,    0);
ALTER TABLE cases DROP CONSTRAINT cases_escalation_level_check;
ALTER TABLE cases ADD CONSTRAINT cases_escalation_level_fkey
    FOREIGN KEY (escalation_level) REFERENCES case_escalation_level (code);

-- ---------------------------------------------------------------- clocks
-- A category's deadline runs on calendar or working time, and an urgent category goes up to
-- urgent_level as soon as it is received. Working time: working_hours (Mon-Fri by default),
-- with working_day_override for holidays and the weekends worked instead (调休).
ALTER TABLE case_category
    ADD COLUMN clock text NOT NULL DEFAULT 'calendar' CHECK (clock IN ('calendar', 'working')),
    ADD COLUMN urgent_level text REFERENCES case_escalation_level (code);
UPDATE case_category SET urgent_level = 'township' WHERE code IN ('hazard_fire', 'hazard_building');

CREATE TABLE working_hours (
    isodow    smallint PRIMARY KEY CHECK (isodow BETWEEN 1 AND 7),
    starts_at time NOT NULL,
    ends_at   time NOT NULL CHECK (ends_at > starts_at)
);
INSERT INTO working_hours SELECT d, '08:30', '17:30' FROM generate_series(1, 5) d;
CREATE TABLE working_day_override (
    day     date PRIMARY KEY,
    working boolean NOT NULL,  -- false: a holiday; true: a weekend day worked
    note    text NOT NULL DEFAULT ''
);

-- Each state may have its own clock: how long a case may stay in it (hours of the category's
-- clock). The desk shows the state's remaining time beside the case's.
CREATE TABLE case_state_clock (
    status text PRIMARY KEY REFERENCES case_status (code),
    hours  numeric NOT NULL CHECK (hours > 0)
);
INSERT INTO case_state_clock VALUES ('accepted', 2), ('dispatched', 24), ('returned', 4),
    ('feedback', 24), ('verified', 24);

-- `start` plus `hours` of working time in zone `zone` (working_hours; working_day_override
-- turns a day off or on; a weekend day worked has the hours of the first working weekday).
CREATE FUNCTION case_add_working_hours(start timestamptz, hours numeric, zone text) RETURNS timestamptz
LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, public AS $$
DECLARE
    local timestamp := start AT TIME ZONE zone;
    left_s numeric := hours * 3600;
    this_day date;
    day_start timestamp;
    day_end timestamp;
    spent numeric;
BEGIN
    FOR i IN 0..3660 LOOP  -- ten years of days at most
        this_day := local::date;
        day_start := NULL;
        IF coalesce((SELECT o.working FROM working_day_override o WHERE o.day = this_day),
                    EXISTS (SELECT FROM working_hours w WHERE w.isodow = extract(isodow FROM this_day))) THEN
            SELECT this_day + w.starts_at, this_day + w.ends_at INTO day_start, day_end
            FROM working_hours w ORDER BY w.isodow = extract(isodow FROM this_day) DESC, w.isodow LIMIT 1;
        END IF;
        IF day_start IS NOT NULL AND local < day_end THEN
            local := greatest(local, day_start);
            spent := extract(epoch FROM day_end - local);
            IF spent >= left_s THEN
                RETURN (local + make_interval(secs => left_s::double precision)) AT TIME ZONE zone;
            END IF;
            left_s := left_s - spent;
        END IF;
        local := this_day + 1;
    END LOOP;
    RAISE EXCEPTION 'no working time within ten years of %', start;
END
$$;

-- When a case's clock of `hours` started at `start` runs out, on `category`'s clock.
CREATE FUNCTION case_clock_end(category text, start timestamptz, hours numeric) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT CASE WHEN k.clock = 'working' THEN case_add_working_hours(start, hours, case_fact_zone())
                ELSE start + make_interval(secs => (hours * 3600)::double precision) END
    FROM case_category k WHERE k.code = category
$$;

-- The deadline of a case of `category` received at `received`: the catalogue's days, as
-- calendar days or as working days of the working hours' length.
CREATE FUNCTION case_deadline(category text, received timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT CASE WHEN k.clock = 'working'
                THEN case_add_working_hours(received, k.deadline_days *
                     (SELECT extract(epoch FROM min(w.ends_at - w.starts_at)) / 3600 FROM working_hours w), case_fact_zone())
                ELSE received + make_interval(days => k.deadline_days) END
    FROM case_category k WHERE k.code = category
$$;

-- ---------------------------------------------------------------- handlers
-- Where a case can be dispatched besides a grid: departments and mediation rooms.
CREATE TABLE case_handler (
    code    text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_.-]{1,60}$'),
    kind    text NOT NULL CHECK (kind IN ('department', 'mediation')),
    name_zh text NOT NULL,
    name_en text NOT NULL
);
INSERT INTO case_handler VALUES
    ('housing',       'department', '住房和城乡建设局', 'Housing and construction bureau'),
    ('urban_admin',   'department', '城市管理局',       'Urban management bureau'),
    ('market',        'department', '市场监督管理局',   'Market regulation bureau'),
    ('labour',        'department', '人力资源和社会保障局', 'Human resources and social security bureau'),
    ('fire',          'department', '消防救援大队',     'Fire and rescue brigade'),
    ('emergency',     'department', '应急管理局',       'Emergency management bureau'),
    ('police',        'department', '公安派出所',       'Police station'),
    ('natural_res',   'department', '自然资源局',       'Natural resources bureau'),
    ('people_med',    'mediation',  '人民调解委员会',   'People''s mediation committee'),
    ('admin_med',     'mediation',  '行政调解室',       'Administrative mediation room'),
    ('judicial_med',  'mediation',  '诉调对接工作室',   'Court-linked mediation room');

-- ---------------------------------------------------------------- the case's loop columns
ALTER TABLE cases
    ADD COLUMN version           integer NOT NULL DEFAULT 1,
    ADD COLUMN state_since       timestamptz,        -- NULL: since reported
    -- When this system saw it reach its level: a case imported overdue starts its level's clock
    -- at the import, so that a first import does not escalate a city's backlog at once.
    ADD COLUMN escalated_at      timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN assignee_kind     text CHECK (assignee_kind IN ('grid', 'department', 'mediation')),
    ADD COLUMN assignee          text,               -- a grid's code or a case_handler's code
    ADD COLUMN partners          text[] NOT NULL DEFAULT '{}',  -- 联办: handlers besides the lead
    ADD COLUMN mediation_outcome text CHECK (mediation_outcome IN ('success', 'failed', 'litigation', 'petition')),
    ADD COLUMN merged_into       bigint REFERENCES cases (id),
    ADD COLUMN reopened          smallint NOT NULL DEFAULT 0,
    ADD COLUMN called_back_at    timestamptz,
    ADD COLUMN satisfied         boolean,
    ADD CONSTRAINT cases_assignee_pair CHECK ((assignee_kind IS NULL) = (assignee IS NULL)),
    ADD CONSTRAINT cases_merged_closed CHECK (merged_into IS NULL OR status = 'closed'),
    ADD CONSTRAINT cases_merged_elsewhere CHECK (merged_into <> id),
    ADD CONSTRAINT cases_callback_pair CHECK ((called_back_at IS NULL) = (satisfied IS NULL));

-- A case's clocks, in seconds from now (negative: past): its deadline, the deadline's whole
-- span, and its current state's clock (case_state_clock), for the desk and the phone page.
CREATE VIEW case_clock AS
    SELECT c.id AS case_id,
           extract(epoch FROM c.deadline - now())::float8 AS deadline_left_s,
           extract(epoch FROM c.deadline - c.reported_at)::float8 AS deadline_span_s,
           extract(epoch FROM case_clock_end(c.category_code, coalesce(c.state_since, c.reported_at), sc.hours) - now())::float8
               AS state_left_s
    FROM cases c
    LEFT JOIN case_state_clock sc ON sc.status = c.status;

-- ---------------------------------------------------------------- the legal moves
CREATE TABLE case_transition (
    action      text NOT NULL,
    from_status text NOT NULL REFERENCES case_status (code),
    to_status   text NOT NULL REFERENCES case_status (code),
    roles       text[] NOT NULL,       -- the dashboard roles that may make it
    name_zh     text NOT NULL,
    name_en     text NOT NULL,
    PRIMARY KEY (action, from_status)
);
-- escalate (by hand; the scheduler escalates overdue cases) keeps the state: to_status NULL.
INSERT INTO case_transition (action, from_status, to_status, roles, name_zh, name_en)
SELECT a.action, f.status, coalesce(a.to_status, f.status), a.roles::text[], a.name_zh, a.name_en
FROM (VALUES
    ('dispatch',    '{accepted,returned}',                        'dispatched',  '{dispatcher}',             '分拨',       'Dispatch'),
    ('take',        '{dispatched}',                               'in_progress', '{dispatcher,grid_worker}', '签收',       'Take in hand'),
    ('return',      '{dispatched,in_progress}',                   'returned',    '{dispatcher,grid_worker}', '退回',       'Return'),
    ('report_back', '{in_progress}',                              'feedback',    '{dispatcher,grid_worker}', '反馈',       'Report back'),
    ('redo',        '{feedback}',                                 'in_progress', '{dispatcher}',             '核查不通过', 'Send back'),
    ('verify',      '{feedback}',                                 'verified',    '{dispatcher}',             '核查通过',   'Verify'),
    ('close',       '{verified,follow_up}',                       'closed',      '{dispatcher}',             '结案',       'Close'),
    ('call_back',   '{closed}',                                   'closed',      '{dispatcher}',             '回访',       'Call back'),
    ('reopen',      '{closed}',                                   'accepted',    '{dispatcher}',             '重新受理',   'Reopen'),
    ('merge',       '{accepted,returned,dispatched,in_progress}', 'closed',      '{dispatcher}',             '合并',       'Merge as duplicate'),
    ('escalate',    '{accepted,returned,dispatched,in_progress,feedback,verified,follow_up}',
                                                                  NULL,          '{dispatcher}',             '上报',       'Escalate')
) AS a (action, froms, to_status, roles, name_zh, name_en)
CROSS JOIN LATERAL unnest(a.froms::text[]) AS f (status);

-- ---------------------------------------------------------------- the history
CREATE TABLE case_event (
    id          bigserial PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor       text NOT NULL,
    action      text NOT NULL,     -- a case_transition action, 'receive' or 'import'
    from_status text REFERENCES case_status (code),
    to_status   text NOT NULL REFERENCES case_status (code),
    version     integer NOT NULL,  -- the case's version after the move
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX case_event_case_idx ON case_event (case_id, id);
CREATE INDEX case_event_at_idx ON case_event (at);
CREATE TRIGGER case_event_append_only BEFORE UPDATE OR DELETE ON case_event
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION audit.refuse_change();

-- The level centres told of an escalation, read by the desk and the wall of that jurisdiction.
CREATE TABLE case_notice (
    id        bigserial PRIMARY KEY,
    case_id   bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    event_id  bigint NOT NULL REFERENCES case_event (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    level     text NOT NULL REFERENCES case_escalation_level (code),
    area_code text,                -- the centre's area; NULL: the grid's own
    grid_id   integer,             -- the case's grid, for scoping
    reason    text NOT NULL CHECK (reason IN ('overdue', 'urgent', 'by_hand'))
);
CREATE INDEX case_notice_at_idx ON case_notice (at);

-- A status changed by anything but case_move (an import, the command line as the owner) is a
-- move too: the version goes up, the state's clock restarts, and an 'import' event is kept.
CREATE FUNCTION case_state_follow() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF NEW.version = OLD.version THEN
        NEW.version := OLD.version + 1;
    END IF;
    NEW.state_since := coalesce(NULLIF(NEW.state_since, OLD.state_since), now());
    RETURN NEW;
END
$$;
CREATE TRIGGER cases_state_follow BEFORE UPDATE OF status ON cases
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION case_state_follow();

CREATE FUNCTION case_state_imported() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF coalesce(current_setting('safety_map.case_move', true), '') = 'on' THEN
        RETURN NULL;  -- case_move writes its own event
    END IF;
    INSERT INTO case_event (case_id, actor, action, from_status, to_status, version)
    SELECT n.id, session_user, 'import', o.status, n.status, n.version
    FROM new_cases n JOIN old_cases o ON o.id = n.id
    WHERE o.status IS DISTINCT FROM n.status;
    RETURN NULL;
END
$$;
CREATE TRIGGER cases_state_imported AFTER UPDATE ON cases
    REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases
    FOR EACH STATEMENT EXECUTE FUNCTION case_state_imported();

-- ---------------------------------------------------------------- moving a case
-- Errors carry SQLSTATEs of their own, and a DETAIL in JSON the dashboard words in its language:
--   SMC01 stale: the case moved since the mover saw it {actor, at, action, status, version}
--   SMC02 illegal: no such move from this state {status, allowed: [actions]}
--   SMC03 refused: not the mover's role or jurisdiction {role}, or no live session {session: false}
--   SMC04 bad input: a required field missing or wrong {field}
ALTER TABLE auth.app_user DROP CONSTRAINT app_user_role_check;
ALTER TABLE auth.app_user ADD CONSTRAINT app_user_role_check CHECK (role IN
    ('wall', 'leader', 'grid_worker', 'dispatcher', 'planner', 'key_person_officer', 'admin'));

-- The admin area of `area_level` above grid `grid_ref` (its community is level 4).
CREATE FUNCTION case_area_above(grid_ref integer, area_level smallint) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    WITH RECURSIVE up (id, parent_id, level, code, depth) AS (
        SELECT a.id, a.parent_id, a.level, a.code, 0 FROM grid g JOIN admin_area a ON a.id = g.community_id
        WHERE g.id = grid_ref
        UNION ALL
        SELECT p.id, p.parent_id, p.level, p.code, up.depth + 1 FROM up JOIN admin_area p ON p.id = up.parent_id
        WHERE up.depth < 8
    )
    SELECT code FROM up WHERE level = area_level LIMIT 1
$$;

CREATE FUNCTION case_refuse(code text, message text, detail jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message, DETAIL = detail::text;
END
$$;

-- Move case `target` by `move` (a case_transition action) from the version the mover saw.
-- `detail` by action: dispatch {kind: grid|department|mediation, to: code, partners: [codes]};
-- report_back {outcome: success|failed|litigation|petition}; call_back {satisfied: bool,
-- method: phone|visit}; merge {into: case code}. return, redo and reopen need a note; reopening
-- a merged case undoes the merge (it was no duplicate after all).
-- As the dashboard's role the mover is the presented session's user; a role with the owner's
-- rights (the command line, the scheduler) names itself in `actor` and may make any move.
CREATE FUNCTION case_move(target bigint, move text, seen_version integer, note text, detail jsonb,
                          actor text DEFAULT NULL)
RETURNS TABLE (new_version integer, new_status text, event_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, auth, audit AS $$
DECLARE
    as_owner boolean := pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'public.cases'::regclass), 'USAGE');
    who text;
    who_role text;
    c cases;
    t case_transition;
    grid_ref integer;
    last case_event;
    handler text;
    partner text;
    into_case cases;
    next_level case_escalation_level;
    new_event bigint;
BEGIN
    note := coalesce(btrim(note), '');
    detail := coalesce(detail, '{}');
    IF as_owner THEN
        who := coalesce(nullif(actor, ''), session_user);
    ELSE
        SELECT u.username, u.role INTO who, who_role FROM auth.presented_user() u;
        IF who IS NULL THEN
            PERFORM case_refuse('SMC03', 'a case move needs a live session', '{"role": null, "session": false}');
        END IF;
    END IF;
    SELECT * INTO c FROM cases WHERE id = target FOR UPDATE;
    SELECT coalesce(a.grid_id, a.nearest_grid_id) INTO grid_ref FROM case_assignment a WHERE a.case_id = target;
    -- Inside the jurisdiction: placed in one of its grids, or dispatched to one of them (a case
    -- near a boundary may go to the neighbouring grid). An unplaced case belongs to the whole
    -- database's centre only. NULL counts as outside.
    IF c.id IS NULL OR NOT coalesce(as_owner OR auth.session_whole() OR grid_ref = ANY (auth.session_grid_ids())
                                    OR (c.assignee_kind = 'grid' AND c.assignee = ANY (auth.session_codes())), false) THEN
        PERFORM case_refuse('SMC04', format('no case %s in your jurisdiction', target), '{"field": "case"}');
    END IF;
    IF seen_version IS DISTINCT FROM c.version THEN
        SELECT * INTO last FROM case_event e WHERE e.case_id = target ORDER BY e.id DESC LIMIT 1;
        PERFORM case_refuse('SMC01', format('case %s was moved by %s at %s (now %s, version %s)',
                            c.code, coalesce(last.actor, '?'), last.at, c.status, c.version),
            jsonb_build_object('actor', last.actor, 'at', last.at, 'action', last.action,
                               'action_zh', coalesce((SELECT min(x.name_zh) FROM case_transition x WHERE x.action = last.action),
                                                     CASE last.action WHEN 'receive' THEN '受理' WHEN 'import' THEN '导入' END),
                               'status', c.status, 'version', c.version));
    END IF;
    SELECT * INTO t FROM case_transition x WHERE x.action = move AND x.from_status = c.status;
    IF t.action IS NULL THEN
        PERFORM case_refuse('SMC02', format('case %s is %s: %s is not a move from there', c.code, c.status, move),
            jsonb_build_object('status', c.status, 'action', move,
                'status_zh', (SELECT s.name_zh FROM case_status s WHERE s.code = c.status),
                'action_zh', (SELECT min(x.name_zh) FROM case_transition x WHERE x.action = move),
                'allowed', (SELECT coalesce(jsonb_agg(x.action ORDER BY x.action), '[]') FROM case_transition x WHERE x.from_status = c.status),
                'allowed_zh', (SELECT coalesce(jsonb_agg(x.name_zh ORDER BY x.action), '[]') FROM case_transition x WHERE x.from_status = c.status)));
    END IF;
    IF move = 'call_back' AND c.called_back_at IS NOT NULL THEN  -- once a closing; reopening clears it
        PERFORM case_refuse('SMC02', format('case %s was called back already', c.code),
            jsonb_build_object('status', c.status, 'action', move, 'status_zh', '已回访', 'action_zh', '回访',
                               'allowed', '["reopen"]'::jsonb, 'allowed_zh', '["重新受理"]'::jsonb));
    END IF;
    IF NOT as_owner AND NOT who_role = ANY (t.roles) THEN
        PERFORM case_refuse('SMC03', format('a %s may not %s a case', who_role, move), jsonb_build_object('role', who_role));
    END IF;
    -- A grid worker acts on the cases dispatched to a grid of theirs.
    IF who_role = 'grid_worker' AND NOT coalesce(c.assignee_kind = 'grid' AND c.assignee = ANY (auth.session_codes()), false) THEN
        PERFORM case_refuse('SMC03', format('case %s is not dispatched to your grid', c.code), jsonb_build_object('role', who_role));
    END IF;
    IF move IN ('return', 'redo', 'reopen') AND note = '' THEN
        PERFORM case_refuse('SMC04', format('%s needs a reason in the note', move), '{"field": "note"}');
    END IF;
    IF move = 'report_back' AND note = '' THEN
        PERFORM case_refuse('SMC04', 'a report back says what was done (the note)', '{"field": "note"}');
    END IF;
    IF move = 'report_back' AND detail ? 'outcome'
       AND NOT detail ->> 'outcome' = ANY ('{success,failed,litigation,petition}'::text[]) THEN
        PERFORM case_refuse('SMC04', 'the mediation outcome is success, failed, litigation or petition', '{"field": "outcome"}');
    END IF;
    IF move = 'call_back' AND (jsonb_typeof(detail -> 'satisfied') IS DISTINCT FROM 'boolean'
                               OR NOT coalesce(detail ->> 'method', '') = ANY ('{phone,visit}'::text[])) THEN
        PERFORM case_refuse('SMC04', 'a call-back says whether the reporter is satisfied and how (phone or visit)', '{"field": "satisfied"}');
    END IF;
    IF move = 'dispatch' THEN
        IF detail ->> 'kind' = 'grid' THEN
            SELECT g.code INTO handler FROM grid_current g
            WHERE g.code = detail ->> 'to' AND g.is_basic AND (as_owner OR auth.session_whole() OR g.id = ANY (auth.session_grid_ids()));
        ELSE
            SELECT h.code INTO handler FROM case_handler h WHERE h.code = detail ->> 'to' AND h.kind = detail ->> 'kind';
        END IF;
        IF handler IS NULL THEN
            PERFORM case_refuse('SMC04', format('no %s %s to dispatch to', coalesce(detail ->> 'kind', 'handler'), coalesce(detail ->> 'to', '')),
                                '{"field": "to"}');
        END IF;
        FOR partner IN SELECT jsonb_array_elements_text(coalesce(detail -> 'partners', '[]')) LOOP
            IF NOT EXISTS (SELECT FROM case_handler h WHERE h.code = partner) OR partner = handler THEN
                PERFORM case_refuse('SMC04', format('no department %s to handle jointly', partner), '{"field": "partners"}');
            END IF;
        END LOOP;
    END IF;
    IF move = 'merge' THEN
        SELECT x.* INTO into_case FROM cases x LEFT JOIN case_assignment a ON a.case_id = x.id
        WHERE x.code = detail ->> 'into'
          AND (as_owner OR auth.session_whole() OR coalesce(a.grid_id, a.nearest_grid_id) = ANY (auth.session_grid_ids()));
        IF into_case.id IS NULL OR into_case.id = c.id OR into_case.merged_into IS NOT NULL THEN
            PERFORM case_refuse('SMC04', format('no case %s to merge into', coalesce(detail ->> 'into', '')), '{"field": "into"}');
        END IF;
    END IF;
    IF move = 'escalate' THEN
        SELECT n.* INTO next_level FROM case_escalation_level l JOIN case_escalation_level n ON n.rank = l.rank + 1
        WHERE l.code = c.escalation_level;
        IF next_level.code IS NULL THEN
            PERFORM case_refuse('SMC02', format('case %s is at the top level already', c.code),
                                jsonb_build_object('status', c.status, 'action', move, 'status_zh', '最高层级', 'action_zh', '上报',
                                                   'allowed', '[]'::jsonb, 'allowed_zh', '[]'::jsonb));
        END IF;
    END IF;

    PERFORM set_config('safety_map.case_move', 'on', true);
    UPDATE cases x SET
        status = t.to_status,
        version = c.version + 1,
        state_since = CASE WHEN t.to_status <> c.status THEN now() ELSE x.state_since END,
        closed_at = CASE WHEN t.to_status <> 'closed' THEN NULL
                         WHEN c.status <> 'closed' THEN greatest(now(), x.reported_at) ELSE x.closed_at END,
        deadline = CASE WHEN move = 'reopen' THEN greatest(case_deadline(x.category_code, now()), x.reported_at + interval '1 second')
                        ELSE x.deadline END,
        assignee_kind = CASE WHEN move = 'dispatch' THEN detail ->> 'kind' ELSE x.assignee_kind END,
        assignee = CASE WHEN move = 'dispatch' THEN handler ELSE x.assignee END,
        partners = CASE WHEN move = 'dispatch' THEN ARRAY(SELECT jsonb_array_elements_text(coalesce(detail -> 'partners', '[]')))
                        ELSE x.partners END,
        mediation_outcome = CASE WHEN move = 'report_back' THEN detail ->> 'outcome' ELSE x.mediation_outcome END,
        merged_into = CASE WHEN move = 'merge' THEN into_case.id WHEN move = 'reopen' THEN NULL ELSE x.merged_into END,
        reopened = x.reopened + (move = 'reopen')::integer,
        called_back_at = CASE WHEN move = 'call_back' THEN now() WHEN move = 'reopen' THEN NULL ELSE x.called_back_at END,
        satisfied = CASE WHEN move = 'call_back' THEN (detail ->> 'satisfied')::boolean WHEN move = 'reopen' THEN NULL
                         ELSE x.satisfied END,
        escalation_level = CASE WHEN move = 'escalate' THEN next_level.code ELSE x.escalation_level END,
        escalated_at = CASE WHEN move = 'escalate' THEN now() ELSE x.escalated_at END
    WHERE x.id = target;
    PERFORM set_config('safety_map.case_move', '', true);

    INSERT INTO case_event (case_id, actor, action, from_status, to_status, version, note, detail)
    VALUES (target, who, move, c.status, t.to_status, c.version + 1, left(note, 2000), detail)
    RETURNING id INTO new_event;
    IF move = 'escalate' THEN
        INSERT INTO case_notice (case_id, event_id, level, area_code, grid_id, reason)
        VALUES (target, new_event, next_level.code, case_area_above(grid_ref, next_level.area_level), grid_ref, 'by_hand');
    END IF;
    PERFORM audit.add(who, 'case.' || move, c.code,
                      jsonb_build_object('from', c.status, 'to', t.to_status, 'version', c.version + 1));
    RETURN QUERY SELECT c.version + 1, t.to_status, new_event;
END
$$;

-- A new case received through the loop's own intakes (the phone page, Open311): a 'receive'
-- event, and the escalation of an urgent category at once.
CREATE FUNCTION case_received(target bigint, actor text, channel text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, audit AS $$
BEGIN
    INSERT INTO case_event (case_id, actor, action, from_status, to_status, version, detail)
    SELECT c.id, actor, 'receive', NULL, c.status, c.version, jsonb_build_object('channel', channel)
    FROM cases c WHERE c.id = target;
    PERFORM audit.add(actor, 'case.receive', (SELECT c.code FROM cases c WHERE c.id = target),
                      jsonb_build_object('channel', channel));
END
$$;

-- ---------------------------------------------------------------- escalation on its own
-- One step up for every open case overdue at its level by the level's overdue_hours (counted
-- from the later of its deadline and its arrival at the level), and straight to the
-- category's urgent_level for an urgent one below it. The row is re-checked as it is updated,
-- so two runs at once cannot escalate a case twice; the next step waits for the next level's
-- hours. Returns the cases escalated. Runs as the owner (the scheduler).
CREATE FUNCTION case_escalate_due(at timestamptz DEFAULT now()) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, public, audit AS $$
DECLARE
    moved integer;
BEGIN
    PERFORM set_config('safety_map.case_move', 'on', true);
    WITH due AS (
        SELECT c.id, c.code, c.status, c.version, c.escalation_level AS from_level,
               coalesce(u.code, n.code) AS to_level,
               CASE WHEN u.code IS NOT NULL THEN 'urgent' ELSE 'overdue' END AS reason,
               coalesce(a.grid_id, a.nearest_grid_id) AS grid_ref
        FROM cases c
        JOIN case_escalation_level l ON l.code = c.escalation_level
        JOIN case_category k ON k.code = c.category_code
        LEFT JOIN case_escalation_level u ON u.code = k.urgent_level AND u.rank > l.rank
        LEFT JOIN case_escalation_level n ON n.rank = l.rank + 1
        LEFT JOIN case_assignment a ON a.case_id = c.id
        WHERE c.status <> 'closed'
          AND (u.code IS NOT NULL
               OR (n.code IS NOT NULL AND c.deadline < at
                   AND greatest(c.deadline, c.escalated_at) + make_interval(secs => (l.overdue_hours * 3600)::double precision) < at))
    ), moved_cases AS (
        UPDATE cases x SET escalation_level = d.to_level, escalated_at = at, version = x.version + 1
        FROM due d WHERE x.id = d.id AND x.escalation_level = d.from_level AND x.status <> 'closed'
        RETURNING d.id, d.from_level, d.to_level, d.reason, d.grid_ref, x.status, x.version AS new_version
    ), events AS (
        INSERT INTO case_event (case_id, actor, action, from_status, to_status, version, detail)
        SELECT m.id, 'scheduler', 'escalate', m.status, m.status, m.new_version,
               jsonb_build_object('from_level', m.from_level, 'to_level', m.to_level, 'reason', m.reason)
        FROM moved_cases m
        RETURNING id, case_id
    ), notices AS (
        INSERT INTO case_notice (case_id, event_id, level, area_code, grid_id, reason)
        SELECT m.id, e.id, m.to_level, case_area_above(m.grid_ref, l.area_level), m.grid_ref, m.reason
        FROM moved_cases m JOIN events e ON e.case_id = m.id JOIN case_escalation_level l ON l.code = m.to_level
    )
    SELECT count(*) INTO moved FROM moved_cases;
    PERFORM set_config('safety_map.case_move', '', true);
    IF moved > 0 THEN
        PERFORM audit.add('scheduler', 'case.escalate', '', jsonb_build_object('cases', moved));
    END IF;
    RETURN moved;
END
$$;

-- ---------------------------------------------------------------- the scheduler's jobs
-- What the project's own scheduler (geo/loop/scheduler.py) ran last, so that a restart neither
-- repeats a job early nor forgets one.
CREATE TABLE scheduler_job (
    name             text PRIMARY KEY,
    every_s          integer NOT NULL CHECK (every_s > 0),
    last_started_at  timestamptz,
    last_finished_at timestamptz,
    last_result      jsonb,
    last_error       text
);
INSERT INTO scheduler_job (name, every_s) VALUES ('escalate', 60);

-- ---------------------------------------------------------------- the application's rights
-- The dashboard reads the loop and moves cases only through case_move.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON cases, case_event, case_notice, case_transition, case_status,
    case_escalation_level, case_state_clock, case_handler, working_hours, working_day_override, scheduler_job
    FROM safety_map_app;
GRANT SELECT ON case_clock, case_event, case_notice, case_transition, case_escalation_level, case_state_clock, case_handler,
    working_hours, working_day_override TO safety_map_app;
REVOKE ALL ON FUNCTION case_move(bigint, text, integer, text, jsonb, text), case_received(bigint, text, text),
    case_escalate_due(timestamptz), case_refuse(text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION case_move(bigint, text, integer, text, jsonb, text) TO safety_map_app;
