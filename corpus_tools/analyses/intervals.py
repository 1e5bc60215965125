"""Confidence intervals for shares (Wilson) and counts (exact Poisson), used by every trend.

The quantiles come from ``scipy.special``, the functions behind ``scipy.stats.norm.ppf`` and
``scipy.stats.chi2.ppf``: importing ``scipy.stats`` takes 0.7 s, more than a trend or a KWIC call.
"""
from __future__ import annotations

import numpy as np
from scipy import special


def _z(ci: float) -> float:
    return float(special.ndtri(0.5 + ci / 2))


def wilson_interval(k, n, ci: float = 0.95):
    """Wilson score interval of a proportion k/n (NaN where n == 0)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = _z(ci)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    low, high = centre - half, centre + half
    bad = n <= 0
    return np.where(bad, np.nan, np.clip(low, 0, 1)), np.where(bad, np.nan, np.clip(high, 0, 1))


def poisson_interval(k, ci: float = 0.95):
    """Exact (Garwood) Poisson interval of a count k, from chi-square quantiles.

    ``chi2.ppf(q, 2k) / 2`` is the inverse regularised incomplete gamma function ``gammaincinv(k, q)``.
    """
    k = np.asarray(k, dtype=float)
    alpha = 1 - ci
    low = np.where(k > 0, special.gammaincinv(np.maximum(k, 1e-300), alpha / 2), 0.0)
    high = special.gammaincinv(k + 1, 1 - alpha / 2)
    return low, high
