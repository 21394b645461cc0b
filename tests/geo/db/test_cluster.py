"""The project-managed cluster: idempotent start/stop, UTF-8, its own port and directory."""

import os
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest

from geo.db.cluster import LocalCluster, find_bin_dir
from geo.settings import get_settings

pytestmark = pytest.mark.skipif(
    bool(get_settings().database_url), reason="DATABASE_URL is set: the local cluster is not used"
)


@pytest.fixture
def cluster():
    # Under /var/tmp, not pytest's tmp_path: as root the server runs as `postgres`,
    # which cannot enter the 0700 directories pytest creates.
    home = Path("/var/tmp") / f"safety-map-test-{uuid.uuid4().hex[:8]}"
    instance = LocalCluster(home=home, bin_dir=find_bin_dir())
    yield instance
    instance.destroy()
    shutil.rmtree(home, ignore_errors=True)


def test_start_and_stop_are_idempotent(cluster):
    cluster.start()
    cluster.start()
    assert cluster.is_running()
    status = cluster.status()
    assert status["running"] and status["initialised"]
    assert cluster.stop() is True
    assert cluster.stop() is False
    assert not cluster.is_running()
    cluster.start()  # restarts an existing, stopped cluster
    assert cluster.is_running()


def test_port_is_remembered_and_differs_from_other_clusters(cluster):
    port = cluster.port
    assert (cluster.home / "port").read_text().strip() == str(port)
    again = LocalCluster(home=cluster.home, bin_dir=cluster.bin_dir)
    assert again.port == port
    main = LocalCluster.from_settings(get_settings())
    if main.is_running():
        assert main.port != port


def test_cluster_is_utf8_and_runs_as_postgres_when_root(cluster):
    cluster.start()
    with psycopg.connect(cluster.url("postgres")) as conn:
        encoding = conn.execute("SHOW server_encoding").fetchone()[0]
        ctype = conn.execute("SHOW lc_ctype").fetchone()[0]
    assert encoding == "UTF8"
    assert "UTF-8" in ctype
    if os.geteuid() == 0:
        owner = (cluster.data_dir / "PG_VERSION").stat().st_uid
        import pwd

        assert pwd.getpwuid(owner).pw_name == "postgres"
