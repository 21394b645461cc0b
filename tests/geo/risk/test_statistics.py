"""The risk statistics on small cases with known answers: Gi* and FDR on a toy lattice,
empirical-Bayes smoothing, the score scale, the level rules and emerging-hotspot classes."""

import numpy as np
import pandas as pd
import pytest
from esda.smoothing import Empirical_Bayes
from scipy import stats

from geo.errors import UserError
from geo.risk.config import DEFAULT_PATH, load_config
from geo.risk.hotspots import _classify, adjacency, gi_star
from geo.risk.score import assign_levels, score_units, to_score
from geo.risk.smoothing import fit_prior, posterior


def lattice_pairs(size: int) -> np.ndarray:
    """Queen contiguity of a size x size lattice of squares, each pair once."""
    pairs = []
    for row in range(size):
        for col in range(size):
            for d_row, d_col in ((0, 1), (1, -1), (1, 0), (1, 1)):
                r, c = row + d_row, col + d_col
                if 0 <= r < size and 0 <= c < size:
                    pairs.append((row * size + col, r * size + c))
    return np.array(pairs)


def getis_ord_star(values: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Gi* z-scores by the textbook formula (Getis & Ord 1995, binary weights with self)."""
    n = len(values)
    weights = np.eye(n)
    weights[pairs[:, 0], pairs[:, 1]] = weights[pairs[:, 1], pairs[:, 0]] = 1
    mean, spread = values.mean(), np.sqrt((values**2).mean() - values.mean() ** 2)
    w_sum, w_square = weights.sum(axis=1), (weights**2).sum(axis=1)
    numerator = weights @ values - mean * w_sum
    return numerator / (spread * np.sqrt((n * w_square - w_sum**2) / (n - 1)))


def test_gi_star_on_a_lattice_agrees_with_the_formula_and_flags_the_planted_cluster():
    rng = np.random.default_rng(3)
    values = rng.poisson(5, 49).astype(float)
    values[[0, 1, 7, 8]] += 25  # a hot corner
    pairs = lattice_pairs(7)
    result = gi_star(values, adjacency(49, pairs), 0.05)
    expected_z = getis_ord_star(values, pairs)
    np.testing.assert_allclose(result["z"], expected_z, rtol=1e-9)
    expected_q = stats.false_discovery_control(2 * stats.norm.sf(np.abs(expected_z)))
    np.testing.assert_allclose(result["q"], expected_q, rtol=1e-9)
    hot = set(np.flatnonzero(result["hotspot"] == "hot"))
    assert {0, 1, 7, 8} <= hot
    assert hot == set(np.flatnonzero((expected_q <= 0.05) & (expected_z > 0)))


def test_gi_star_without_variation_flags_nothing():
    result = gi_star(np.full(9, 2.0), adjacency(9, lattice_pairs(3)), 0.05)
    assert not any(result["hotspot"])


def test_fdr_keeps_false_hotspots_rare_on_random_values():
    rng = np.random.default_rng(11)
    flagged = [
        np.mean(gi_star(rng.poisson(4, 400).astype(float), adjacency(400, lattice_pairs(20)), 0.05)["hotspot"] == "hot")
        for _ in range(20)
    ]
    assert np.mean(flagged) <= 0.05


def test_smoothing_agrees_with_esda_empirical_bayes():
    rng = np.random.default_rng(5)
    exposure = rng.integers(20, 400, 60).astype(float)
    counts = rng.poisson(exposure * rng.gamma(4, 0.02, 60)).astype(float)
    ours, _ = posterior(counts, exposure, fit_prior(counts, exposure))
    np.testing.assert_allclose(ours, Empirical_Bayes(counts, exposure).r.ravel(), rtol=1e-9)


def test_smoothing_pulls_small_grids_towards_the_mean_more_than_large_ones():
    exposure = np.array([10.0, 1000.0] + [200.0] * 40)
    counts = np.array([3.0, 300.0] + [10.0, 30.0] * 20)  # both first units at 0.3 a household
    prior = fit_prior(counts, exposure)
    city_rate = counts.sum() / exposure.sum()
    smoothed, variance = posterior(counts, exposure, prior)
    assert city_rate < smoothed[0] < smoothed[1] < 0.3  # the small one is pulled further
    assert variance[0] > variance[1]  # and it is less certain


def test_one_case_does_not_make_a_tiny_grid_red():
    config = load_config(DEFAULT_PATH)
    raw = {c.name: np.full(101, 2.0) for c in config.components}
    raw = {name: values * np.r_[20 / 250, np.ones(100)] for name, values in raw.items()}  # same rates
    raw["case_intensity"][0] = 2.0 * 20 / 250 + 1  # one more case than typical in a 20-household grid
    exposure = np.array([20.0] + [250.0] * 100)
    frame = pd.DataFrame(raw)
    priors = {c.name: fit_prior(frame[c.name], exposure) for c in config.components}
    references = {c.name: frame[c.name].sum() / exposure.sum() for c in config.components}
    scored = score_units(frame, exposure, config, priors, references, typical_exposure=250.0)
    level = assign_levels(scored["score"], scored["score_low"], np.zeros(101, bool), config.thresholds)
    assert level[0] != "red"
    assert scored["score_low"][0] < scored["score"][0] < scored["score_high"][0]


def test_score_scale():
    assert to_score(0) == 0
    assert to_score(1) == pytest.approx(50)
    assert to_score(2) == pytest.approx(75)
    assert to_score(3) == pytest.approx(87.5)


@pytest.mark.parametrize(
    ("score", "low", "hot", "level"),
    [
        (40, 30, False, "blue"),
        (58, 40, False, "yellow"),
        (67, 50, False, "orange"),
        (80, 70, False, "red"),  # supported by its interval
        (80, 60, True, "red"),  # supported by a hotspot
        (80, 60, False, "orange"),  # a red score without support stays orange
        (74.9, 74, True, "orange"),
    ],
)
def test_levels_follow_the_written_rules(score, low, hot, level):
    thresholds = {"yellow": 58, "orange": 67, "red": 75}
    assert assign_levels([score], [low], [hot], thresholds)[0] == level


@pytest.mark.parametrize(
    ("pattern", "z", "expected"),
    [
        ("000000000011", None, "new"),
        ("000000000001", None, "new"),
        ("001100000011", None, "sporadic"),
        ("111111111111", [3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9], "intensifying"),
        ("111111111111", [9, 8, 7, 7, 6, 6, 5, 5, 4, 4, 3, 3], "diminishing"),
        ("111111111111", [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6], "persistent"),
        ("011111111111", [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6], "persistent"),
    ],
)
def test_emerging_classes(pattern, z, expected):
    hot = np.array([c == "1" for c in pattern])
    z = np.array(z if z is not None else np.where(hot, 3.0, 0.0), float)
    assert _classify(hot, z, 0.05) == expected


def test_a_broken_configuration_is_one_clear_error(tmp_path):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    cases = {
        "weight = 0.60": ("weight = -1", "weight = -1"),
        "yellow = 58": ("yellow = 90", "levels must rise"),
        "[components.key_population]": ("[components.crime_rate]", "unknown component crime_rate"),
        "half_life_days = 90": ('half_life_days = "ninety"', "half_life_days = 'ninety'"),
        "[severity]": ("[severity", "risk configuration"),
    }
    for original, (broken, message) in cases.items():
        assert original in text
        path = tmp_path / "weights.toml"
        path.write_text(text.replace(original, broken, 1), encoding="utf-8")
        with pytest.raises(UserError, match=message.replace("(", r"\(").replace("[", r"\[")):
            load_config(path)


def test_a_grid_without_neighbours_is_never_a_hotspot():
    values = np.r_[50.0, np.random.default_rng(2).poisson(4, 48).astype(float)]
    pairs = lattice_pairs(7)
    pairs = pairs[(pairs != 0).all(axis=1)]  # unit 0 stands alone
    result = gi_star(values, adjacency(49, pairs), 0.05)
    assert result["z"][0] == 0 and result["hotspot"][0] is None


def typical_scores(raw: dict, exposure: np.ndarray):
    config = load_config(DEFAULT_PATH)
    frame = pd.DataFrame(raw)
    priors = {c.name: fit_prior(frame[c.name], exposure) for c in config.components}
    references = {c.name: frame[c.name].sum() / exposure.sum() for c in config.components}
    return score_units(frame, exposure, config, priors, references, typical_exposure=float(np.median(exposure)))


def test_a_component_absent_everywhere_leaves_a_typical_grid_at_50():
    config = load_config(DEFAULT_PATH)
    raw = {c.name: np.full(50, 3.0) for c in config.components}
    raw["key_population"] = np.zeros(50)  # no key persons registered in this city
    scored = typical_scores(raw, np.full(50, 200.0))
    np.testing.assert_allclose(scored["relative_risk"], 1.0)
    np.testing.assert_allclose(scored["score"], 50.0)
    assert (scored["key_population_contribution"] == 0).all()


def test_a_rare_component_keeps_the_score_inside_its_interval():
    config = load_config(DEFAULT_PATH)
    raw = {c.name: np.full(500, 2.0) for c in config.components}
    raw["overdue"] = np.r_[40.0, np.zeros(499)]  # every overdue case of the city in one grid
    scored = typical_scores(raw, np.full(500, 200.0))
    assert (scored["score_low"] <= scored["score"]).all() and (scored["score"] <= scored["score_high"]).all()
