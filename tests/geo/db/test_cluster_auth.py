"""The project's cluster asks every connection for a password: another OS user, or anyone
without the role's secret, is refused; each role (superuser, owner, dashboard) has its secret
in its own 0600 file; a cluster that an earlier version created without passwords, or without
the owner role, is converted on its next start."""

import os
import shutil
import stat
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from geo.db import cluster_auth
from geo.db.cluster import APP_ROLE, LOGIN_ROLES, OWNER_ROLE, SERVER_USER, LocalCluster, find_bin_dir
from geo.db.connection import admin_url, app_database_url
from geo.settings import get_settings

pytestmark = pytest.mark.skipif(
    bool(get_settings().database_url), reason="DATABASE_URL is set: the local cluster is not used"
)
# What `psql -w` or libpq says when the server asks a password the client does not have.
REFUSALS = ("no password supplied", "password authentication failed")


@pytest.fixture(scope="module")
def local_cluster(server_url) -> LocalCluster:
    """The running cluster of this checkout (server_url has started it)."""
    return LocalCluster.from_settings(get_settings())


def _without_secret(url: str, user: str, tmp_path: Path) -> str:
    """`url` as `user`, naming an empty password file and carrying no password."""
    empty = tmp_path / "empty.pgpass"
    cluster_auth.write_private(empty, "")
    params = {**conninfo_to_dict(url), "user": user, "passfile": str(empty)}
    params.pop("password", None)
    return make_conninfo(**params)


def _refusal(url: str) -> str:
    """The server's refusal of a connection to `url` ('' when it lets the client in)."""
    try:
        with psycopg.connect(url, connect_timeout=10):
            return ""
    except psycopg.OperationalError as error:
        return str(error)


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another OS user needs root")
def test_another_os_user_is_refused_and_cannot_read_the_secrets(local_cluster):
    psql = str(local_cluster.bin_dir / "psql")
    for role in LOGIN_ROLES:
        asked = subprocess.run(
            ["runuser", "-u", "nobody", "--", psql, "-w", "-h", "127.0.0.1", "-p", str(local_cluster.port),
             "-U", role, "-d", "postgres", "-Atc", "SELECT 1"],
            capture_output=True, text=True, cwd="/", timeout=60,
        )  # fmt: skip
        assert asked.returncode != 0 and any(word in asked.stderr for word in REFUSALS), (role, asked)
    for role in LOGIN_ROLES:
        peek = subprocess.run(
            ["runuser", "-u", "nobody", "--", "cat", str(cluster_auth.passfile(local_cluster.home, role))],
            capture_output=True, text=True, cwd="/", timeout=60,
        )  # fmt: skip
        assert peek.returncode != 0 and peek.stdout == ""


def test_every_role_is_refused_without_its_secret(server_url, tmp_path):
    for role in LOGIN_ROLES:
        assert any(word in _refusal(_without_secret(server_url, role, tmp_path)) for word in REFUSALS), role
    # Another role's file does not let a role in.
    for url, other in ((app_database_url(server_url), server_url), (server_url, admin_url(server_url))):
        params = {**conninfo_to_dict(url), "passfile": conninfo_to_dict(other)["passfile"]}
        assert any(word in _refusal(make_conninfo(**params)) for word in REFUSALS)


def test_with_its_secret_each_role_connects_and_the_url_does_not_carry_it(local_cluster, server_url):
    urls = {SERVER_USER: admin_url(server_url), OWNER_ROLE: server_url, APP_ROLE: app_database_url(server_url)}
    assert set(urls) == set(LOGIN_ROLES)
    for role, url in urls.items():
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_user").fetchone()[0] == role
        assert cluster_auth.password(local_cluster.home, role) not in url


def test_the_secrets_are_distinct_and_readable_by_their_owner_only(local_cluster):
    folder = cluster_auth.secrets_dir(local_cluster.home)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert folder.stat().st_uid == os.geteuid()
    for role in LOGIN_ROLES:
        path = cluster_auth.passfile(local_cluster.home, role)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, role
        assert path.stat().st_uid == os.geteuid()
    passwords = {cluster_auth.password(local_cluster.home, role) for role in LOGIN_ROLES}
    assert len(passwords) == len(LOGIN_ROLES) and all(len(secret) >= 40 for secret in passwords)


def test_the_server_asks_a_password_of_every_connection(local_cluster, server_url):
    with psycopg.connect(admin_url(server_url)) as conn:
        methods = {row[0] for row in conn.execute("SELECT auth_method FROM pg_hba_file_rules")}
        stored = conn.execute(
            "SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY(%s)", [list(LOGIN_ROLES)]
        ).fetchall()
    assert methods == {"scram-sha-256"}
    assert {name for name, _ in stored} == set(LOGIN_ROLES)
    assert all(verifier.startswith("SCRAM-SHA-256$") for _, verifier in stored)


def test_a_cluster_of_an_earlier_version_gets_passwords_on_start(tmp_path):
    # Under /var/tmp: as root the server runs as `postgres`, which cannot enter pytest's tmp_path.
    home = Path("/var/tmp") / f"safety-map-test-{uuid.uuid4().hex[:8]}"
    old = LocalCluster(home=home, bin_dir=find_bin_dir())
    try:
        _start_as_an_earlier_version_did(old)
        open_url = make_conninfo(host="127.0.0.1", port=str(old.port), user=SERVER_USER, dbname="postgres")
        assert _refusal(open_url) == ""  # anyone got in
        old.start()
        assert _eventually_refused(_without_secret(open_url, SERVER_USER, tmp_path))
        assert any(word in _refusal(_without_secret(open_url, APP_ROLE, tmp_path)) for word in REFUSALS)
        with psycopg.connect(app_database_url(old.url("postgres"))) as app:
            assert app.execute("SELECT current_user").fetchone()[0] == APP_ROLE
        with psycopg.connect(old.url("postgres", OWNER_ROLE)) as owner:  # the owner, new, has its secret
            assert owner.execute("SELECT current_user").fetchone()[0] == OWNER_ROLE
        with psycopg.connect(old.url("postgres")) as admin:
            powers = "SELECT rolsuper OR rolcreaterole OR rolbypassrls FROM pg_roles WHERE rolname = %s"
            assert admin.execute(powers, [APP_ROLE]).fetchone() == (False,)
            assert admin.execute(powers, [OWNER_ROLE]).fetchone() == (False,)
    finally:
        old.destroy()
        shutil.rmtree(home, ignore_errors=True)


def _start_as_an_earlier_version_did(cluster: LocalCluster) -> None:
    """initdb with trust for every connection, as before, and the app role without password."""
    cluster.home.mkdir(parents=True)
    cluster._ensure_home()
    cluster._run(["initdb", "-D", str(cluster.data_dir), "-U", SERVER_USER, "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8"])  # fmt: skip
    cluster._pg_ctl_start()
    cluster._wait_until_ready()
    with psycopg.connect(host="127.0.0.1", port=cluster.port, user=SERVER_USER, dbname="postgres") as conn:
        conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN")


def _eventually_refused(url: str, seconds: float = 10) -> bool:
    """The server reloads its configuration asynchronously after a signal: wait for it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(word in _refusal(url) for word in REFUSALS):
            return True
        time.sleep(0.1)
    return False
