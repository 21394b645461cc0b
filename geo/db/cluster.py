"""Start and stop a project-managed local PostgreSQL/PostGIS cluster.

Used when `DATABASE_URL` is unset. The cluster is keyed by the checkout path, so two clones
on one machine get two clusters on two ports. PostgreSQL refuses to run as root, so as root
the server runs as the `postgres` system user with its directory under /var/lib, which that
user can reach (a checkout under /root is not). Every connection needs a password
(geo/db/cluster_auth.py): the URLs this module gives name the role's password file. Three
roles log in: the superuser, the owner of the project's objects, and the dashboard's role.
"""

import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg

from geo.db import cluster_auth
from geo.db.ownership import grant_parameters
from geo.errors import UserError
from geo.settings import PROJECT_ROOT, Settings

# The server's superuser: creates databases, roles and extensions, converts earlier versions'
# databases (geo/db/ownership.py), nothing else.
SERVER_USER = "postgres"
# The role that owns the project's schemas, tables and functions (so SECURITY DEFINER functions
# run as it) and that migrations, imports and the command line connect as: no superuser, no
# role or database creation, no row-security bypass.
OWNER_ROLE = "safety_map_owner"
# The role the dashboard connects as (its grants: migration 0016). The cluster creates it with
# its password, so that it can log in from the first migration on.
APP_ROLE = "safety_map_app"
# The roles that log in, each with its own password file.
LOGIN_ROLES = (SERVER_USER, OWNER_ROLE, APP_ROLE)
ROOT_CLUSTER_BASE = Path("/var/lib/safety-map")
PORT_RANGE_START = 20000
PORT_RANGE_SIZE = 20000
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class LocalCluster:
    """A local cluster: its directory, port and binaries.

    Parameters
    ----------
    home : directory holding `data/` (PGDATA), `port` and `server.log`.
    bin_dir : directory of `initdb`, `pg_ctl`, `pg_isready`.
    fixed_port : port from the settings, or None to derive and remember one.

    Example
    -------
    >>> cluster = LocalCluster.from_settings(get_settings())
    >>> cluster.start()  # idempotent
    """

    home: Path
    bin_dir: Path
    fixed_port: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "LocalCluster":
        """Build the cluster description for this checkout."""
        home = settings.pg_dir or default_cluster_home()
        return cls(home=home, bin_dir=settings.pg_bin or find_bin_dir(), fixed_port=settings.pg_port)

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"

    @property
    def port(self) -> int:
        """The port: fixed by settings, else remembered, else derived and remembered."""
        if self.fixed_port:
            return self.fixed_port
        port_file = self.home / "port"
        if port_file.exists():
            return int(port_file.read_text().strip())
        port = _choose_port(checkout_key())
        self.home.mkdir(parents=True, exist_ok=True)
        port_file.write_text(f"{port}\n")
        return port

    def url(self, dbname: str, role: str = SERVER_USER) -> str:
        """Connection URL for database `dbname` in this cluster, as `role`: it names the
        role's password file, never the password."""
        passfile = quote(str(cluster_auth.passfile(self.home, role)), safe="/")
        return f"postgresql://{role}@127.0.0.1:{self.port}/{dbname}?passfile={passfile}"

    def is_running(self) -> bool:
        """True when the server of this directory is up and accepting connections."""
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        result = self._run(["pg_ctl", "status", "-D", str(self.data_dir)], check=False)
        return result.returncode == 0 and self._accepts_connections()

    def start(self) -> str:
        """Create the cluster when missing, start it when stopped, require passwords (converting
        a cluster of an earlier version that asked none); return the server URL."""
        self._ensure_home()
        # Several processes may start it at once (the test workers of a fresh clone): one
        # creates and starts it, the others find it running.
        with cluster_auth.locked(self.home):
            if not (self.data_dir / "PG_VERSION").exists():
                self._initdb()
            if not self.is_running():
                self._pg_ctl_start()
                self._wait_until_ready()
            self._require_passwords()
        return self.url("postgres")

    def stop(self) -> bool:
        """Stop the server when it runs; return whether it was running."""
        if not self.is_running():
            return False
        self._run(["pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w"])
        return True

    def destroy(self) -> None:
        """Stop the server and delete the whole cluster directory."""
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def status(self) -> dict:
        """A small report: directory, port, running or not."""
        return {
            "data_dir": str(self.data_dir),
            "port": self.port,
            "running": self.is_running(),
            "initialised": (self.data_dir / "PG_VERSION").exists(),
        }

    def _ensure_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        _ = self.port  # decide and remember the port before the server needs it
        if _running_as_root():
            user = pwd.getpwnam(SERVER_USER)
            os.chown(self.home, user.pw_uid, user.pw_gid)
            self.home.chmod(0o700)

    def _initdb(self) -> None:
        # An explicit UTF-8 locale: under C, pg_trgm treats Chinese characters as separators.
        # The superuser's password goes in through a file the server's user can read, removed after.
        pwfile = self.home / "initdb-password"
        cluster_auth.write_private(pwfile, cluster_auth.password(self.home, SERVER_USER) + "\n")
        self._give_to_server_user(pwfile)
        try:
            self._run(
                [
                    "initdb",
                    "-D",
                    str(self.data_dir),
                    "-U",
                    SERVER_USER,
                    f"--pwfile={pwfile}",
                    "--auth-local=scram-sha-256",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def _require_passwords(self) -> None:
        """Give every login role its password and make the server ask for it (idempotent; under
        start()'s lock)."""
        if cluster_auth.is_secured(self.home, self.data_dir, LOGIN_ROLES):
            return
        passwords = {role: cluster_auth.password(self.home, role) for role in LOGIN_ROLES}
        # A cluster of an earlier version lets the superuser in without its password yet.
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            for role, secret in passwords.items():
                cluster_auth.set_login_password(conn, role, secret, plain=role != SERVER_USER)
            grant_parameters(conn, OWNER_ROLE)  # here under the lock, not by each database's first user
            hba = self.data_dir / "pg_hba.conf"
            cluster_auth.write_private(hba, cluster_auth.HBA_CONF)
            self._give_to_server_user(hba)
            conn.execute("SELECT pg_reload_conf()")

    def _give_to_server_user(self, path: Path) -> None:
        if _running_as_root():
            user = pwd.getpwnam(SERVER_USER)
            os.chown(path, user.pw_uid, user.pw_gid)

    def _pg_ctl_start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.home} -c shared_buffers={_shared_buffers_mb()}MB"
        )
        self._run(
            [
                "pg_ctl",
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                options,
                "-w",
                "-t",
                str(START_TIMEOUT_S),
            ],
            check=False,
        )

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._accepts_connections():
                return
            time.sleep(0.2)
        raise UserError(
            f"PostgreSQL did not accept connections on port {self.port} within "
            f"{START_TIMEOUT_S} s; see {self.log_file}: {_tail(self.log_file)}"
        )

    def _accepts_connections(self) -> bool:
        result = subprocess.run(
            [str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
            check=False,
        )
        return result.returncode == 0

    def _run(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / argv[0]), *argv[1:]]
        if _running_as_root():
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False, cwd="/")
        if check and result.returncode != 0:
            message = (result.stderr or result.stdout).strip().splitlines()
            raise UserError(f"{argv[0]} failed: {message[-1] if message else result.returncode}")
        return result


def checkout_key() -> str:
    """A short stable key of this checkout's path, so clones do not collide."""
    return hashlib.sha256(str(PROJECT_ROOT).encode()).hexdigest()[:10]


def default_cluster_home() -> Path:
    """Where the local cluster of this checkout lives by default."""
    if _running_as_root():
        return ROOT_CLUSTER_BASE / f"pg-{checkout_key()}"
    return PROJECT_ROOT / ".pgdata"


def find_bin_dir() -> Path:
    """Directory of the PostgreSQL server binaries, from `pg_config --bindir`."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if shutil.which("pg_config"):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if bindir.returncode == 0 and (Path(bindir.stdout.strip()) / "initdb").exists():
            return Path(bindir.stdout.strip())
    if candidates:
        return candidates[0].parent
    raise UserError(
        "PostgreSQL server binaries not found: install postgresql-15-postgis-3 "
        "(make does it when run as root) or set DATABASE_URL"
    )


def _choose_port(key: str) -> int:
    preferred = PORT_RANGE_START + int(key, 16) % PORT_RANGE_SIZE
    if _port_is_free(preferred):
        return preferred
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _tail(path: Path, lines: int = 3) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _shared_buffers_mb() -> int:
    """A quarter of the machine's memory, between PostgreSQL's default 128 MB and 2 GB: with
    the default, a province's cases (400 MB with their placements) are read through the
    operating system's cache and a county's map view took 4x longer (measured 74 against 19 ms)."""
    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return max(128, min(2048, total_mb // 4))
