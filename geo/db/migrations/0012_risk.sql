-- Risk scores (风险评分): one row per unit (basic grid or area) per as-of day, with the
-- contribution of every component, the interval, hotspot statistics, trend and explanation.
-- Computed by geo/risk/ (`python -m geo risk`); the method is in the README, "Risk scores".
CREATE TABLE risk_run (
    id          serial PRIMARY KEY,
    as_of       date NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    seconds     real NOT NULL,
    config      jsonb NOT NULL,   -- geo/risk/weights.toml as it was read
    typical     jsonb NOT NULL    -- per unit kind: each component's typical rate, typical exposure
);

CREATE TABLE risk_score (
    as_of          date NOT NULL,
    code           text NOT NULL,          -- grid code (16 digits) or area code (6–12 digits)
    kind           text NOT NULL CHECK (kind IN ('grid', 'community', 'township', 'county', 'city')),
    county_code    text,                   -- the county it lies in (NULL for counties and the city)
    run_id         integer NOT NULL REFERENCES risk_run (id) ON DELETE CASCADE,
    households     integer NOT NULL,
    exposure       real NOT NULL CHECK (exposure > 0),
    score          real NOT NULL CHECK (score BETWEEN 0 AND 100),
    score_low      real NOT NULL CHECK (score_low <= score),
    score_high     real NOT NULL CHECK (score_high >= score),
    relative_risk  real NOT NULL CHECK (relative_risk >= 0),
    level          text NOT NULL CHECK (level IN ('red', 'orange', 'yellow', 'blue')),
    components     jsonb NOT NULL,         -- {component: {raw, ratio, contribution, alpha, beta}}, see below
    facts          jsonb NOT NULL,         -- counts quoted by the explanation
    gi_z           real,                   -- grids only: Gi* z-score of the risk per household
    gi_q           double precision,       -- its Benjamini-Hochberg q-value
    hotspot        text CHECK (hotspot IN ('hot', 'cold')),
    emerging       text CHECK (emerging IN ('new', 'intensifying', 'persistent', 'diminishing', 'sporadic')),
    trend_week     real,                   -- score change in points since 7 days before
    trend_month    real,                   -- ... since trend_month_days before
    explanation_zh text NOT NULL,
    explanation_en text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (as_of, code)
);
CREATE INDEX risk_score_code_idx ON risk_score (code, as_of);

-- The key-population component's raw value (weighted key persons of the unit), prior and
-- typical rate: with them its ratio would give the weighted count of key persons of a grid,
-- so they stay in the sensitive schema; risk_score keeps its ratio and contribution only.
CREATE TABLE sensitive.risk_key_population (
    as_of   date NOT NULL,
    code    text NOT NULL,
    raw     double precision NOT NULL,
    alpha   double precision NOT NULL,
    beta    double precision NOT NULL,
    typical double precision NOT NULL,
    PRIMARY KEY (as_of, code),
    FOREIGN KEY (as_of, code) REFERENCES risk_score (as_of, code) ON DELETE CASCADE
);
CREATE INDEX risk_score_kind_idx ON risk_score (as_of, kind, level);

-- Grids whose cases changed since their score was computed: filled by triggers, emptied by
-- `python -m geo risk --pending` (and by every full run), which rescore only those grids.
CREATE TABLE risk_pending (
    grid_id   integer PRIMARY KEY,
    marked_at timestamptz NOT NULL DEFAULT now()
);

-- Statement-level, so a bulk placement of a million cases adds each grid once.
CREATE FUNCTION risk_mark_placed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO risk_pending (grid_id)
    SELECT DISTINCT grid_id FROM changed_placements WHERE grid_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER case_assignment_inserted_mark_risk
    AFTER INSERT ON case_assignment REFERENCING NEW TABLE AS changed_placements
    FOR EACH STATEMENT EXECUTE FUNCTION risk_mark_placed();
CREATE TRIGGER case_assignment_updated_mark_risk
    AFTER UPDATE ON case_assignment REFERENCING NEW TABLE AS changed_placements
    FOR EACH STATEMENT EXECUTE FUNCTION risk_mark_placed();
CREATE TRIGGER case_assignment_updated_mark_risk_old
    AFTER UPDATE ON case_assignment REFERENCING OLD TABLE AS changed_placements
    FOR EACH STATEMENT EXECUTE FUNCTION risk_mark_placed();
CREATE TRIGGER case_assignment_deleted_mark_risk
    AFTER DELETE ON case_assignment REFERENCING OLD TABLE AS changed_placements
    FOR EACH STATEMENT EXECUTE FUNCTION risk_mark_placed();

-- A case closed, escalated or re-categorised changes its grid's components too.
CREATE FUNCTION risk_mark_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO risk_pending (grid_id)
    SELECT DISTINCT a.grid_id FROM changed_cases c JOIN case_assignment a ON a.case_id = c.id
    WHERE a.grid_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER cases_updated_mark_risk
    AFTER UPDATE ON cases REFERENCING NEW TABLE AS changed_cases
    FOR EACH STATEMENT EXECUTE FUNCTION risk_mark_case_changed();
