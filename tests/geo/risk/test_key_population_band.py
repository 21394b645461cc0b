"""The public risk score cannot be turned back into a grid's key-population load: the load
enters banded, and no explanation names it (README, "Risk scores")."""

import numpy as np
import pandas as pd

from geo.db.connection import connect
from geo.db.frames import query_frame
from geo.risk.config import DEFAULT_PATH, load_config
from geo.risk.score import score_units
from geo.risk.smoothing import fit_prior
from tests.conftest import DEMO_AS_OF

PUBLIC = ["score", "score_low", "score_high", "relative_risk", "rate_risk"]


def scored(key_population: list[float]) -> pd.DataFrame:
    """50 grids alike in everything, their key-population loads as given for the first ones."""
    config = load_config(DEFAULT_PATH)
    raw = {c.name: np.full(50, 3.0) for c in config.components}
    raw["key_population"][: len(key_population)] = key_population
    frame, exposure = pd.DataFrame(raw), np.full(50, 250.0)
    priors = {c.name: fit_prior(frame[c.name], exposure) for c in config.components}
    references = {c.name: frame[c.name].sum() / exposure.sum() for c in config.components}
    return score_units(frame, exposure, config, priors, references, typical_exposure=250.0)


def test_grids_differing_only_in_key_persons_within_a_band_score_alike():
    table = scored([3.0, 3.6, 2.4, 30.0])
    for row in (1, 2):  # within the typical band
        pd.testing.assert_series_equal(table.loc[row, PUBLIC], table.loc[0, PUBLIC], check_names=False)
    assert table.loc[3, "score"] > table.loc[0, "score"], "a grid in a higher band scores higher"


def test_score_minus_the_public_components_leaves_only_a_band(scored_demo_db):
    config = load_config()
    with connect(scored_demo_db) as conn:
        table = query_frame(conn, "SELECT * FROM risk_score WHERE as_of = %s", [DEMO_AS_OF])
    others = [c.name for c in config.components if c.name != "key_population"]
    share = config.component("key_population").weight / sum(c.weight for c in config.components)
    for risk in (table["relative_risk"].astype(float), -np.log2(1 - table["score"].astype(float) / 100)):
        rest = risk - table["components"].map(lambda parts: sum(parts[name]["contribution"] for name in others))
        levels = np.asarray(config.key_population_bands[1])
        distance = np.abs((rest / share).to_numpy()[:, None] - levels[None, :]).min(axis=1)
        assert distance.max() < 0.01, "the remainder is one of the bands' levels, nothing finer"
    assert table["kind"].eq("grid").sum() > 20
    assert not table["explanation_zh"].str.contains("重点人群").any()
    assert not table["explanation_en"].str.contains("key population", case=False).any()
