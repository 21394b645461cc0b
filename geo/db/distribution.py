"""How the schema is laid out for a distributed PostgreSQL (Citus, docs/scale.md): which
tables are sharded by county, which are copied to every node, which are still to be keyed.
tests/geo/db/test_distribution.py checks the database's catalogue against these lists."""

DISTRIBUTION_COLUMN = "county_code"

# Sharded by county_code, co-located: the column leads the primary (or unique) key.
DISTRIBUTED = (
    "public.grid",
    "public.micro_grid",
    "public.case_assignment",
    "public.building_assignment",
    "public.case_grid_day",
    "public.case_area_day",
    "public.case_fact_area_grid",
)

# Unique indexes of distributed tables still without the county (Citus refuses them): foreign
# keys and the writers' ON CONFLICT clauses name them today. The move drops them and adds the
# county to those keys and clauses.
TRANSITIONAL_UNIQUE = (
    "grid_id_key",
    "grid_current_code_idx",
    "micro_grid_id_key",
    "micro_grid_current_code_idx",
    "case_assignment_id_key",
    "building_assignment_id_key",
)

# Small, read everywhere, written rarely: a copy on every node.
REFERENCE = (
    "public.admin_area",
    "public.boundary_version",
    "public.case_category",
    "public.case_group",
    "public.case_status",
    "public.case_transition",
    "public.case_escalation_level",
    "public.case_state_clock",
    "public.case_handler",
    "public.intake_source",
    "public.working_hours",
    "public.working_day_override",
    "public.category_mapping",
    "public.spatial_ref_sys",
    "public.centre",
    "sensitive.key_person_category",
    "auth.app_user",
    "geocode.gazetteer_state",
    "basemap.road",
    "basemap.water",
    "public.risk_run",  # risk_score (to be distributed) points at it
)

# Large (they grow with cases, buildings or people) and to be distributed by county, but not
# yet keyed by it: the move's remaining work (docs/scale.md, "Not yet keyed").
PENDING = (
    "public.cases",
    "public.case_event",
    "public.case_notice",
    "public.case_attachment",
    "public.grid_visit",
    "public.building",
    "public.building_unit",
    "public.grid_staff",
    "public.key_place",
    "public.camera",
    "public.risk_score",
    "sensitive.risk_key_population",
    "sensitive.key_person",
    "geocode.address_entry",
    "geocode.address_key",
    "geocode.address_alias",
    "demo_truth.case_location",
)

# On the coordinator only: per-deployment state, sessions, logs, drafts, runs, the demo's truth.
LOCAL = (
    "public.schema_migrations",
    "public.import_log",
    "public.risk_pending",
    "public.scheduler_job",
    "public.boundary_draft",
    "public.boundary_draft_grid",
    "public.boundary_draft_micro_grid",
    "public.boundary_draft_step",
    "public.boundary_change",
    "auth.app_session",
    "auth.login_throttle",
    "audit.log",
    "audit.repeat",
    "demo_truth.hotspot",
    "demo_truth.grid_intensity",
    "demo_truth.generation",
)
