"""A quick estimate of basic grids' scores and levels with the last run's yardstick: what the
boundary editor's impact preview shows for grids as a draft would redraw them.

The raw components are read fresh (from the placements as they stand in the caller's
transaction), then scored with the last run's priors and typical rates, exactly as a refresh
scores a changed grid. Hotspot status is not recomputed (it needs every grid of the city): a
red level therefore needs the interval's support alone, so the estimate errs towards orange.
"""

import numpy as np
import pandas as pd

from geo.risk import inputs
from geo.risk.config import parse_config
from geo.risk.score import assign_levels, exposure_of, score_units
from geo.risk.smoothing import Prior
from geo.risk.store import SENSITIVE

LAST_RUN = "SELECT as_of, config, typical FROM risk_run ORDER BY as_of DESC, id DESC LIMIT 1"
# One stored grid row of that day: the priors are those of all grids (one Gamma per component).
PRIOR_ROW = """
SELECT s.components, k.alpha, k.beta, k.typical
FROM risk_score s LEFT JOIN sensitive.risk_key_population k ON k.as_of = s.as_of AND k.code = s.code
WHERE s.as_of = %s AND s.kind = 'grid' LIMIT 1
"""


def estimate_grids(conn, grid_ids: list[int]) -> pd.DataFrame:
    """(grid_id, code, score, level) of the given current basic grids; empty when no risk run
    exists yet."""
    run = conn.execute(LAST_RUN).fetchone()
    empty = pd.DataFrame(columns=["grid_id", "code", "score", "level"])
    if run is None or not grid_ids:
        return empty
    as_of, config, typical = run[0], parse_config(run[1], "of the last run"), run[2]["grid"]
    prior_row = conn.execute(PRIOR_ROW, [as_of]).fetchone()
    if prior_row is None:
        return empty
    raw = inputs.read_components(conn, as_of, config, [0], grid_ids)
    if raw.empty:
        return empty
    priors, references = _yardstick(config, prior_row, typical)
    names = [c.name for c in config.components]
    scored = score_units(
        raw[names].astype(float),
        exposure_of(raw["households"], config),
        config,
        priors,
        references,
        typical["typical_exposure"],
    )
    levels = assign_levels(scored["score"], scored["score_low"], np.zeros(len(raw), bool), config.thresholds)
    return pd.DataFrame({"grid_id": raw["grid_id"], "code": raw["code"], "score": scored["score"], "level": levels})


def _yardstick(config, prior_row, typical: dict) -> tuple[dict, dict]:
    components, alpha, beta, sensitive_typical = prior_row
    priors, references = {}, {}
    for component in config.components:
        name = component.name
        if name == SENSITIVE:
            priors[name] = Prior(float(alpha or 0.0), float(beta or 0.0))
            references[name] = float(sensitive_typical or 0.0)
        else:
            priors[name] = Prior(float(components[name]["alpha"]), float(components[name]["beta"]))
            references[name] = float(typical[name])
    return priors, references


def last_levels(conn, codes: list[str]) -> dict[str, tuple[float, str]]:
    """code -> (score, level) of the latest stored snapshot, for the given codes."""
    rows = conn.execute(
        "SELECT code, score, level FROM risk_score WHERE as_of = (SELECT max(as_of) FROM risk_run) AND code = ANY(%s)",
        [codes],
    ).fetchall()
    return {code: (float(score), level) for code, score, level in rows}
