-- What the demo generator planted, so later features can be validated against it.
CREATE TABLE demo_truth.hotspot (
    id         serial PRIMARY KEY,
    centre     geometry(Point, 4326) NOT NULL,
    radius_m   real NOT NULL,
    log_uplift real NOT NULL,
    category   text REFERENCES case_category (code)
);

-- The true expected number of cases per year of each basic grid.
CREATE TABLE demo_truth.grid_intensity (
    grid_code           text PRIMARY KEY,
    cases_per_year      double precision NOT NULL,
    cases_per_household double precision
);

-- Where each case really happened and how its address text was spelled.
CREATE TABLE demo_truth.case_location (
    case_id          bigint PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    building_id      integer REFERENCES building (id),
    grid_code        text NOT NULL,
    true_geom        geometry(Point, 4326) NOT NULL,
    address_variant  text NOT NULL,
    address_matchable boolean NOT NULL
);

CREATE TABLE demo_truth.generation (
    id           serial PRIMARY KEY,
    scale        text NOT NULL,
    seed         integer NOT NULL,
    as_of        date NOT NULL,
    seconds      real NOT NULL,
    generated_at timestamptz NOT NULL DEFAULT now()
);
