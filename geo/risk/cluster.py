"""The full recompute on Dask distributed: one partition per county, each read and scored on
a worker; what is fitted over the whole city is reduced on the client and broadcast
(geo/risk/model.py `compute_parts`, geo/risk/partition.py). The same code runs on a
`LocalCluster` of this machine or on a cluster of machines (`SAFETY_MAP_DASK_SCHEDULER`).

Each worker opens its own connection to the database; the partitions' data stay on the
worker that read them between steps, and only sums, p-values and the scored rows come back.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from geo.db.connection import connect, load_query
from geo.risk import partition
from geo.risk.config import RiskConfig
from geo.risk.model import Computation, compute_parts


class OnDask:
    """Runs each partition's step as a task on the cluster, where the partition is."""

    def __init__(self, client):
        self.client = client

    def map(self, function, parts: list, *args) -> list:
        return [self.client.submit(function, part, *args, pure=False) for part in parts]

    def gather(self, results: list) -> list:
        return self.client.gather(results)


@contextmanager
def dask_client(workers: int, scheduler: str | None = None, processes: bool = True) -> Iterator:
    """A client of the scheduler at `scheduler`, or of a LocalCluster of `workers` processes
    (one thread each; threads of this process with `processes` False) started and stopped here."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=":0") as local,
        Client(local) as client,
    ):
        yield client


def county_codes(conn: psycopg.Connection) -> list[str | None]:
    """The partitions of a recompute: every county with basic grids, and None for orphans."""
    return [row[0] for row in conn.execute(load_query("risk/counties"))]


def read_county(url: str, as_of: dt.date, config: RiskConfig, county: str | None) -> partition.Part:
    """On a worker: one county's partition (with its halo), read over its own connection;
    None: the grids outside any county."""
    with connect(url) as conn:
        return partition.read_part(conn, as_of, config, county, orphans=county is None)


def compute_on_dask(client, url: str, conn: psycopg.Connection, as_of: dt.date, config: RiskConfig) -> Computation:
    """The recompute of geo/risk/model.py, partitioned by county on the client's cluster."""
    counties = county_codes(conn)
    parts = [client.submit(read_county, url, as_of, config, county, pure=False) for county in counties]
    return compute_parts(OnDask(client), parts, config, as_of)
