"""Risk snapshots in the database: a full run computes one as-of day and replaces its rows;
rows are written and read back here (geo/risk/refresh.py rescores a few of them)."""

import datetime as dt
import json
import time
from collections.abc import Iterable

import numpy as np
import orjson
import pandas as pd
import psycopg

from geo.db.connection import export_snapshot, load_query
from geo.db.copy import copy_frames, copy_rows
from geo.db.frames import query_frame
from geo.risk import inputs
from geo.risk.config import RiskConfig
from geo.risk.explain import explained_chunks
from geo.risk.model import FACT_COLUMNS, compute

STORED_COLUMNS = [
    "as_of", "code", "kind", "county_code", "run_id", "households", "exposure", "score", "score_low", "score_high",
    "relative_risk", "level", "components", "facts", "gi_z", "gi_q", "hotspot", "emerging",
    "trend_week", "trend_month", "explanation_zh", "explanation_en",
    "risk_low", "risk_high", "risk_trend_week", "risk_trend_month",
]  # fmt: skip
COMPONENT_PARTS = ("raw", "ratio", "contribution", "alpha", "beta")  # stored per component
SENSITIVE = "key_population"
SENSITIVE_PARTS = ("raw", "alpha", "beta", "typical")  # in sensitive.risk_key_population


def run_full(conn: psycopg.Connection, as_of: dt.date, config: RiskConfig, computer=compute) -> dict:
    """Compute every grid and area as of `as_of` and replace that day's snapshot, atomically.
    `computer(conn, as_of, config, snapshot)`: this process's `compute`, or the
    county-partitioned one on Dask (geo/risk/cluster.py), which reads what is committed."""
    started = time.perf_counter()
    outermost = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    with conn.transaction():
        # Before this run writes anything, so that a second connection can read with it. Not
        # inside a caller's transaction: it may have written, and a savepoint cannot export.
        snapshot = export_snapshot(conn) if outermost else None
        # The newest snapshot (today's) is the one kept up to date: a run of it settles the marks
        # (those made while it runs stay); a run of an earlier day leaves them.
        conn.execute("DELETE FROM risk_pending WHERE NOT EXISTS (SELECT 1 FROM risk_run WHERE as_of > %s)", [as_of])
        computation = computer(conn, as_of, config, snapshot)
        table = computation.units
        # Its id first (the scores refer to it), its seconds once they are stored.
        run_id = conn.execute(
            "INSERT INTO risk_run (as_of, seconds, config, typical) VALUES (%s, 0, %s, %s) RETURNING id",
            [as_of, json.dumps(config.source), json.dumps(_public(computation.references))],
        ).fetchone()[0]
        table[f"{SENSITIVE}_typical"] = [computation.references[kind][SENSITIVE] for kind in table["kind"]]
        conn.execute("DELETE FROM risk_score WHERE as_of = %s", [as_of])
        names = inputs.read_category_names(conn)
        write_chunks(conn, explained_chunks(table, config, names), as_of, run_id, config)
        seconds = time.perf_counter() - started
        conn.execute("UPDATE risk_run SET seconds = %s WHERE id = %s", [seconds, run_id])
    return summary(table, as_of, seconds)


def summary(table: pd.DataFrame, as_of: dt.date, seconds: float) -> dict:
    """Counts per level and hotspots of the grids, for the command's output."""
    grids = table[table["kind"] == "grid"]
    return {
        "as_of": as_of.isoformat(),
        "grids": int(len(grids)),
        "areas": int(len(table) - len(grids)),
        "levels": {level: int((grids["level"] == level).sum()) for level in ("red", "orange", "yellow", "blue")},
        "hotspots": int((grids["hotspot"] == "hot").sum()),
        "emerging": {k: int(v) for k, v in grids["emerging"].dropna().value_counts().items()},
        "seconds": round(seconds, 2),
    }


def write_rows(conn, table: pd.DataFrame, as_of: dt.date, run_id: int, config: RiskConfig) -> None:
    """Store explained rows of a model table (and their key-population parts)."""
    write_chunks(conn, [table], as_of, run_id, config)


def write_chunks(conn, chunks: Iterable[pd.DataFrame], as_of: dt.date, run_id: int, config: RiskConfig) -> None:
    """`write_rows` of a table in slices, in one COPY: each slice is stored while the next is
    made (a generator's)."""
    sensitive = []  # each slice's key-population parts, gathered as the slices go by

    def stored(chunk: pd.DataFrame) -> pd.DataFrame:
        rows = _stored(chunk, as_of, run_id, config)
        sensitive.append(rows[["as_of", "code"]].assign(**{p: rows[f"{SENSITIVE}_{p}"] for p in SENSITIVE_PARTS}))
        return rows

    copy_frames(conn, "risk_score", STORED_COLUMNS, (stored(chunk) for chunk in chunks))
    if sensitive:
        copy_rows(conn, "sensitive.risk_key_population", ["as_of", "code", *SENSITIVE_PARTS], pd.concat(sensitive))


def _stored(table: pd.DataFrame, as_of: dt.date, run_id: int, config: RiskConfig) -> pd.DataFrame:
    """The rows as risk_score stores them: components and facts as JSON (a number that is not
    finite stops the run: JSON has none, and orjson would write null)."""
    parts = {c.name: _parts(c.name) for c in config.components}
    numbers = table[[f"{name}_{part}" for name, names in parts.items() for part in names]].to_numpy(float)
    if not np.isfinite(numbers).all():
        raise ValueError("a risk component is not a finite number")
    rows = table.assign(as_of=as_of, run_id=run_id, county_code=table["county"])
    rows["components"] = _json_objects(
        {name: {part: table[f"{name}_{part}"].tolist() for part in names} for name, names in parts.items()}, len(table)
    )
    facts = {fact: table[fact].astype(int).tolist() for fact in FACT_COLUMNS}
    rows["facts"] = _json_objects({**facts, "top_categories": table["top_categories"].tolist()}, len(table))
    rows["households"] = rows["households"].astype(int)
    return rows


def _json_objects(columns: dict, length: int) -> list[str]:
    """Row i's JSON object from lists of values: {key: values[i]}, nested one level deep
    where a value is itself such a dict."""

    def value(values, i):
        return {key: inner[i] for key, inner in values.items()} if isinstance(values, dict) else values[i]

    return [
        orjson.dumps(
            {key: value(values, i) for key, values in columns.items()}, option=orjson.OPT_SERIALIZE_NUMPY
        ).decode()
        for i in range(length)
    ]


def _parts(component: str) -> tuple[str, ...]:
    """What the public table keeps of a component: all of it, but of the key-population load
    only the ratio and contribution (its raw value and prior would give the weighted count of
    key persons of a grid; they stay in the sensitive schema)."""
    return ("ratio", "contribution") if component == SENSITIVE else COMPONENT_PARTS


def _public(references: dict) -> dict:
    return {kind: {k: v for k, v in values.items() if k != SENSITIVE} for kind, values in references.items()}


def read_snapshot(conn, as_of: dt.date, config: RiskConfig, counties: list[str], codes: list[str]) -> pd.DataFrame:
    """Stored rows of a day, back in the model's table shape: every unit of the given counties
    (its grids, communities, townships), the units with the given codes, all counties and the
    city, which is what rescoring a few grids touches or compares with."""
    params = {"as_of": as_of, "counties": counties, "codes": codes}
    return _unpack(query_frame(conn, load_query("risk/snapshot"), params), config)


def _unpack(stored: pd.DataFrame, config: RiskConfig) -> pd.DataFrame:
    for name in [c.name for c in config.components]:
        for part in _parts(name):
            stored[f"{name}_{part}"] = [c[name][part] for c in stored["components"]]
    for fact in FACT_COLUMNS:
        stored[fact] = [f[fact] for f in stored["facts"]]
    stored["top_categories"] = [f["top_categories"] for f in stored["facts"]]
    stored["exposure"] = stored["exposure"].astype(float)
    numbers = ["score", "score_low", "score_high", "relative_risk", "gi_z", "gi_q", "trend_week", "trend_month"]
    numbers += ["risk_low", "risk_high", "risk_trend_week", "risk_trend_month"]
    return stored.astype({column: float for column in numbers})
