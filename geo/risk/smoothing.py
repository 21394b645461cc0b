"""Empirical-Bayes smoothing of rates per household (Poisson counts with a Gamma prior).

A grid's rate is y / e (count over exposure). With few households, one case moves it a lot;
the posterior mean (alpha + y) / (beta + e) pulls it towards the city's rate, the more the
smaller e is. The prior's moments are estimated from all units (Marshall 1991), the same
estimator as esda.smoothing.Empirical_Bayes, whose point estimates the tests compare with ours.
Unlike esda, the posterior also gives a variance, from which the score's interval is made.
"""

from dataclasses import dataclass

import numpy as np

# A between-unit variance of exactly zero would make the prior infinitely sure; this floor
# (relative to the squared mean) keeps it finite: shrinkage is then nearly, not fully, total.
MIN_RELATIVE_VARIANCE = 1e-4


@dataclass(frozen=True)
class Prior:
    """Gamma(alpha, beta) on a rate per household, one for all units (floats) or one per unit
    (arrays); beta = 0 stands for "no events anywhere": every rate is 0."""

    alpha: float | np.ndarray
    beta: float | np.ndarray


def rate_moments(counts: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """The sums a prior is fitted from: [units, sum of counts, sum of exposures, sum of
    count^2 / exposure]. Sums of parts add up to the sums of the whole: a prior fitted over
    all counties of a city is fitted from their moments added together (geo/risk/partition.py)."""
    counts, exposure = np.asarray(counts, float), np.asarray(exposure, float)
    return np.array([len(counts), counts.sum(), exposure.sum(), (counts * counts / exposure).sum()])


def fit_prior(counts: np.ndarray, exposure: np.ndarray) -> Prior:
    """Method-of-moments Gamma prior from all units' counts and exposures (Marshall 1991)."""
    return prior_from_moments(rate_moments(counts, exposure))


def prior_from_moments(moments: np.ndarray) -> Prior:
    """Marshall's prior from `rate_moments` (of all units, or summed over parts): the mean rate
    m = sum y / sum e, the variance sum e (y/e - m)^2 / sum e - m / mean e, where
    sum e (y/e - m)^2 = sum y^2/e - 2 m sum y + m^2 sum e."""
    units, total, exposure, squares = (float(value) for value in moments)
    mean = total / exposure if exposure > 0 else 0.0
    if mean <= 0:
        return Prior(0.0, 0.0)  # nothing happened anywhere: every rate is 0
    spread = squares - 2 * mean * total + mean * mean * exposure
    variance = spread / exposure - mean / (exposure / units)
    variance = max(variance, MIN_RELATIVE_VARIANCE * mean**2)
    return Prior(alpha=mean**2 / variance, beta=mean / variance)


def posterior(counts: np.ndarray, exposure: np.ndarray, prior: Prior) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and variance of each unit's rate per household."""
    counts, exposure = np.asarray(counts, float), np.asarray(exposure, float)
    known = np.asarray(prior.beta) > 0
    shape, rate = prior.alpha + counts, prior.beta + exposure
    return np.where(known, shape / rate, 0.0), np.where(known, shape / rate**2, 0.0)
