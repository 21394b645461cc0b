"""The one Settings object, read from the environment (and `.env`) once.

Every field carries a help text; `tests/test_docs.py` fails when the README misses one.
"""

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration; environment variables use the prefix `SAFETY_MAP_`."""

    model_config = SettingsConfigDict(
        env_prefix="SAFETY_MAP_",
        env_file=PROJECT_ROOT / ".env",
        env_ignore_empty=True,
        extra="ignore",
    )

    database_url: str | None = Field(
        None,
        validation_alias=AliasChoices("DATABASE_URL", "SAFETY_MAP_DATABASE_URL"),
        description="PostgreSQL/PostGIS URL. When set, it is used as is and no local cluster is started.",
    )
    pg_dir: Path | None = Field(
        None,
        description="Where the local cluster lives. Default: /var/lib/safety-map/pg-<key> "
        "as root (reachable by the postgres user), else <checkout>/.pgdata; "
        "<key> is derived from the checkout path.",
    )
    pg_port: int | None = Field(
        None,
        description="Port of the local cluster. Default: derived from the checkout path, "
        "or a free port, remembered in the cluster directory.",
    )
    pg_bin: Path | None = Field(
        None, description="Directory of PostgreSQL server binaries (default: pg_config --bindir)."
    )
    db_name: str = Field("safety_map", description="Database name in the local cluster.")
    timezone: str = Field("Asia/Shanghai", description="Time zone in which times are shown.")
    dash_host: str = Field("127.0.0.1", description="Address the dashboard listens on.")
    dash_port: int = Field(8050, description="Port the dashboard listens on.")
    dash_workers: int = Field(
        max(2, min(8, 2 * (os.cpu_count() or 1))), description="gunicorn worker processes of the dashboard."
    )
    demo_scale: str = Field(
        "city", description="Scale of the demo city that `make demo` generates: small|city|province."
    )
    demo_seed: int = Field(42, description="Random seed of the demo city.")
    geocode_building_radius_m: float = Field(
        30.0, description="A point outside every footprint takes the nearest building of its grid within this distance."
    )
    geocode_conflict_m: float = Field(
        200.0, description="Coordinates and a matched address further apart than this are flagged as a conflict."
    )
    geocode_accept_score: float = Field(
        0.55, description="Fuzzy address matches scoring below this (0–1) go to the review queue."
    )
    geocode_margin: float = Field(
        0.08, description="A fuzzy match must lead the runner-up by this score, else it goes to review."
    )
    risk_config: Path | None = Field(
        None, description="The risk score configuration (weights, levels). Default: geo/risk/weights.toml."
    )
    risk_workers: int = Field(
        1,
        ge=1,
        description="Dask workers of a full risk recompute, partitioned by county (geo/risk/cluster.py); "
        "1: in the one process, without Dask. `python -m geo risk --workers N` overrides it.",
    )
    dask_scheduler: str | None = Field(
        None,
        description="Address of a Dask scheduler (tcp://host:8786) that runs the partitioned risk recompute "
        "on its cluster; unset: a LocalCluster of `risk_workers` processes on this machine.",
    )
    code_scheme: Path | None = Field(
        None,
        description="The city's code scheme for areas, grids and micro-grids (code lengths per level). "
        "Default: geo/shared/code_scheme.toml (national division codes, 16-digit grids, 19-digit micro-grids).",
    )
    basemap_url: str | None = Field(
        None,
        description="An XYZ tile URL ({z}/{x}/{y}) to use as the basemap instead of the one the server draws "
        "from its own data; only for machines with access to that tile server.",
    )
    map_cache_s: float = Field(
        30.0, description="An area's figures on the map are reused for this many seconds per worker (0: never)."
    )
    small_count_k: int = Field(
        10, description="Counts of key persons below this are suppressed in aggregated views and exports."
    )
    app_database_url: str | None = Field(
        None,
        description="How the dashboard connects: as a role that owns no table (row-level security applies). "
        "Default: the database URL with the user safety_map_app and no password; for the local cluster, "
        "the role's own password file.",
    )
    secret_key: str | None = Field(
        None,
        description="Signs the dashboard's session cookie. Default: a random key made once and kept in "
        "<checkout>/.secret_key (mode 600).",
    )
    session_hours: int = Field(12, description="A login session ends this many hours after sign-in.")
    session_idle_minutes: int = Field(
        60, description="A session unused for this many minutes ends (not for wall-screen accounts)."
    )
    wall_session_hours: int = Field(
        720, description="A wall-screen account's session lasts this many hours (it runs unattended for days)."
    )
    trusted_proxies: int = Field(
        0,
        ge=0,
        description="How many reverse proxies in front of the dashboard append the client's address to "
        "X-Forwarded-For; 0 trusts no X-Forwarded-For (the address is the connection's).",
    )
    login_rate_per_address: str = Field(
        "10 per minute",
        description="Failed sign-ins one client address may make per worker process before the form answers "
        "429 without checking a password (Flask-Limiter's notation).",
    )
    login_rate_total: str = Field(
        "60 per minute",
        description="Failed sign-ins from all addresses together per worker process before the form answers "
        "429 without checking a password (Flask-Limiter's notation).",
    )
    scheduler: bool = Field(
        True,
        description="Run the project's scheduler (escalation of overdue cases; python -m geo scheduler) beside "
        "the dashboard; false when it runs elsewhere (one per database is enough, more are harmless).",
    )
    proxy: bool = Field(
        True,
        description="Serve the dashboard behind its own nginx (Debian's package; started and stopped with it) "
        "when installed; false serves gunicorn directly.",
    )
    proxy_login_rate_per_address: str = Field(
        "60 per minute",
        description="Sign-in attempts (right or wrong) one client address may make before nginx answers 429, "
        "a window's worth at once (Flask-Limiter's notation).",
    )
    proxy_login_rate_total: str = Field(
        "120 per minute",
        description="Sign-in attempts from all addresses together before nginx answers 429.",
    )
    secure_cookies: bool = Field(
        False, description="Send the session cookie over HTTPS only; set it when the dashboard is served over HTTPS."
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide Settings, built on first use."""
    return Settings()
