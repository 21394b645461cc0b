"""A quick estimate of basic grids' scores and levels with the last run's yardstick: what the
boundary editor's impact preview shows for grids as a draft would redraw them.

The raw case components are read fresh (from the placements as they stand in the caller's
transaction), then scored with the last run's priors and typical rates, exactly as a refresh
scores a changed grid. Hotspot status is not recomputed (it needs every grid of the city): a
red level therefore needs the interval's support alone, so the estimate errs towards orange.

The key-population load is not read from the draft at all: each grid keeps the band its code
was published with in the last run (a new code the typical band). A preview could otherwise
be differenced: moving one building and watching a level flip at a band's edge would tell
whether it houses key persons. Nor does anything here read the sensitive schema, so the
estimate is the same whatever the viewer's row-level scope.
"""

import numpy as np
import pandas as pd

from geo.risk import inputs
from geo.risk.config import parse_config
from geo.risk.score import BANDED, assign_levels, band_ratio, exposure_of, score_units
from geo.risk.smoothing import Prior

LAST_RUN = "SELECT as_of, config, typical FROM risk_run ORDER BY as_of DESC, id DESC LIMIT 1"
# One stored grid row of that day: the priors are those of all grids (one Gamma per component).
PRIOR_ROW = "SELECT components FROM risk_score WHERE as_of = %s AND kind = 'grid' LIMIT 1"
# The published bands (the key-population ratio as it entered the score) of the given codes.
PUBLISHED_BANDS = """
SELECT code, (components -> 'key_population' ->> 'ratio')::float8
FROM risk_score WHERE as_of = %s AND kind = 'grid' AND code = ANY (%s)
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
    priors, references = _yardstick(config, prior_row[0], typical)
    names = [c.name for c in config.components]
    scored = score_units(
        raw[names].astype(float),
        exposure_of(raw["households"], config),
        config,
        priors,
        references,
        typical["typical_exposure"],
        fixed={BANDED: _published_bands(conn, as_of, list(raw["code"]), config)},
    )
    levels = assign_levels(scored["score"], scored["score_low"], np.zeros(len(raw), bool), config.thresholds)
    return pd.DataFrame({"grid_id": raw["grid_id"], "code": raw["code"], "score": scored["score"], "level": levels})


def _yardstick(config, components: dict, typical: dict) -> tuple[dict, dict]:
    """Priors and typical rates of the last run; the key-population load, whose ratios are
    given outright, only needs to be known present (a positive ratio) or not."""
    priors, references = {}, {}
    for component in config.components:
        name = component.name
        if name == BANDED:
            priors[name] = Prior(0.0, 0.0)
            references[name] = 1.0 if float(components.get(name, {}).get("ratio") or 0.0) > 0 else 0.0
        else:
            priors[name] = Prior(float(components[name]["alpha"]), float(components[name]["beta"]))
            references[name] = float(typical[name])
    return priors, references


def _published_bands(conn, as_of, codes: list[str], config) -> np.ndarray:
    """Each code's published key-population band; the typical band for a code not scored."""
    stored = dict(conn.execute(PUBLISHED_BANDS, [as_of, codes]).fetchall())
    edges, levels = config.key_population_bands
    typical = float(band_ratio(1.0, edges, levels))
    return np.array([typical if stored.get(code) is None else stored[code] for code in codes], float)


def last_levels(conn, codes: list[str]) -> dict[str, tuple[float, str]]:
    """code -> (score, level) of the latest stored snapshot, for the given codes."""
    rows = conn.execute(
        "SELECT code, score, level FROM risk_score WHERE as_of = (SELECT max(as_of) FROM risk_run) AND code = ANY(%s)",
        [codes],
    ).fetchall()
    return {code: (float(score), level) for code, score, level in rows}
