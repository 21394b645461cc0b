"""From raw components to a score with an interval, and from the score to a warning level.

Each component k of a unit is a count-like value y_k over its exposure e (households, at least
the configured minimum). Smoothed per household (geo/risk/smoothing.py), times e, and divided
by a typical unit's value, it becomes a ratio: 1.0 = typical. The relative risk is the
weighted mean of the ratios; the score maps it onto 0–100 as 100·(1 − 2^−risk): typical = 50, twice = 75.
The interval comes from a Gamma with the relative risk's posterior mean and variance. The score
saturates (ten times typical reads 99.9), so rankings and changes use the relative risk.

The key-population load enters banded (`band_ratio`): its ratio is replaced by the level of
its band (weights.toml, [key_population.bands]), with no variance of its own, so that the
score, its interval, the hotspot statistics and the trends of two units whose loads fall in
one band are the same. Otherwise score minus the public components would give back each
grid's weighted count of key persons (README, "Risk scores").
"""

import numpy as np
import pandas as pd
from scipy import stats

from geo.risk.config import RiskConfig
from geo.risk.smoothing import Prior, fit_prior, posterior

BANDED = "key_population"  # the one component that enters the public score banded


def to_score(relative_risk):
    """0–100: 0 = no risk, 50 = the typical level, 75 = twice it, 87.5 = three times."""
    return 100.0 * (1.0 - np.power(2.0, -np.asarray(relative_risk, float)))


def from_score(score) -> np.ndarray:
    """The relative risk a score stands for (the inverse of to_score; 100 is infinite).

    Example:
        >>> from_score([50, 75]).tolist()
        [1.0, 2.0]
    """
    with np.errstate(divide="ignore"):
        return -np.log2(1.0 - np.asarray(score, float) / 100.0)


def band_ratio(ratio, edges, values) -> np.ndarray:
    """The level of the band each ratio falls in: values[i] for edges[i-1] <= ratio < edges[i].

    Example:
        >>> band_ratio([0.1, 0.5, 1.49, 7.0], (0.5, 1.5, 3.0), (0.25, 1.0, 2.0, 4.0)).tolist()
        [0.25, 1.0, 1.0, 4.0]
    """
    return np.asarray(values, float)[np.searchsorted(np.asarray(edges, float), np.asarray(ratio, float), side="right")]


def exposure_of(households, config: RiskConfig) -> np.ndarray:
    """Households counted for rates: at least the configured minimum."""
    return np.maximum(np.asarray(households, float), config.minimum_households)


def fit_priors(raw: pd.DataFrame, exposure: np.ndarray, config: RiskConfig) -> dict[str, Prior]:
    """One Gamma prior per component, from all units of a kind."""
    return {c.name: fit_prior(raw[c.name].to_numpy(), exposure) for c in config.components}


def typical_rates(raw: pd.DataFrame, exposure: np.ndarray, config: RiskConfig) -> dict[str, float]:
    """The pooled rate per household of every component over all units: what 1.0 means."""
    return {c.name: float(raw[c.name].sum() / np.sum(exposure)) for c in config.components}


def score_units(
    raw: pd.DataFrame,
    exposure: np.ndarray,
    config: RiskConfig,
    priors: dict[str, Prior],
    references: dict[str, float],
    typical_exposure: float,
    fixed: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Relative risk, score, interval, and each component's ratio and contribution.

    A ratio compares the unit's smoothed expected value (smoothed rate x its households) with
    a typical unit's (typical rate x typical households): grids are units of equal work, one
    grid worker each, so a grid with twice the cases of a typical one is at 2.0 whatever its
    size, while a grid with few households is pulled to the typical rate before that.
    `references` are the typical rates (those of the as-of day, so that a week ago and a month
    ago are measured with the same yardstick). `fixed` gives a component's ratios outright
    (the boundary editor's preview: the key-population bands as published), in place of its
    raw values."""
    # A component that is zero everywhere (no key persons registered, say) says nothing: the
    # others share its weight, so that a typical grid stays at 1.0.
    present = [c for c in config.components if references[c.name] > 0]
    total_weight = sum(c.weight for c in present) or 1.0
    result = pd.DataFrame(index=raw.index)
    mean, variance, rate_risk = np.zeros(len(raw)), np.zeros(len(raw)), np.zeros(len(raw))
    for component in config.components:
        if component in present:
            share = component.weight / total_weight
            ratio, ratio_variance = _ratio(component.name, raw, exposure, config, priors, references, typical_exposure)
            if component.name in (fixed or {}):
                ratio = np.asarray(fixed[component.name], float)
        else:
            share, ratio, ratio_variance = 0.0, np.zeros(len(raw)), np.zeros(len(raw))
        result[f"{component.name}_ratio"] = ratio
        result[f"{component.name}_contribution"] = share * ratio
        mean += share * ratio
        variance += share**2 * ratio_variance
        rate_risk += share * ratio * typical_exposure / exposure
    low, high = _gamma_interval(mean, variance, config.interval)
    result["relative_risk"] = mean
    result["risk_low"] = low  # the interval on the relative risk: what ranks (the score saturates)
    result["risk_high"] = high
    result["rate_risk"] = rate_risk  # the same per household: what hotspots are tested on
    result["score"] = to_score(mean)
    result["score_low"] = to_score(low)
    result["score_high"] = to_score(high)
    return result


def _ratio(name, raw, exposure, config, priors, references, typical_exposure) -> tuple[np.ndarray, np.ndarray]:
    """A component's ratio to a typical unit and its variance; the key-population load as the
    level of its band, without variance (the band is all that may be read off the score)."""
    rate, rate_variance = posterior(raw[name].to_numpy(), exposure, priors[name])
    reference = references[name] * typical_exposure / exposure
    ratio, ratio_variance = rate / reference, rate_variance / reference**2
    if name == BANDED:
        edges, values = config.key_population_bands
        return band_ratio(ratio, edges, values), np.zeros(len(raw))
    return ratio, ratio_variance


def _gamma_interval(mean: np.ndarray, variance: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Central interval of a Gamma with the given mean and variance (a point where variance is 0)."""
    tail = (1 - width) / 2
    safe = (variance > 0) & (mean > 0)
    shape = np.where(safe, mean**2 / np.where(safe, variance, 1), 1)
    scale = np.where(safe, variance / np.where(safe, mean, 1), 1)
    low = np.where(safe, stats.gamma.ppf(tail, shape, scale=scale), mean)
    high = np.where(safe, stats.gamma.ppf(1 - tail, shape, scale=scale), mean)
    # A Gamma of very small shape has its upper quantile below its mean: keep the mean inside.
    return np.minimum(low, mean), np.maximum(high, mean)


def assign_levels(score, score_low, hot, thresholds: dict[str, float]) -> np.ndarray:
    """红/橙/黄/蓝 by the README's rules.

    yellow from thresholds['yellow'], orange from thresholds['orange']; red needs the score at
    thresholds['red'] and statistical support: the interval's lower end at least at the orange
    threshold, or a significant Gi* hotspot. Without support a red score stays orange."""
    score, score_low, hot = np.asarray(score), np.asarray(score_low), np.asarray(hot, bool)
    supported = (score_low >= thresholds["orange"]) | hot
    return np.select(
        [(score >= thresholds["red"]) & supported, score >= thresholds["orange"], score >= thresholds["yellow"]],
        ["red", "orange", "yellow"],
        default="blue",
    )
