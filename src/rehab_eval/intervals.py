"""Confidence intervals for proportions shared by the cohort, change and recidivism modules."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Z95", "wilson_interval"]

#: The standard normal quantile for a two-sided 95 % interval, to full precision.
Z95 = 1.959963984540054


def wilson_interval(successes: Any, trials: Any, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (vectorised; NaN where n = 0).

    Parameters
    ----------
    successes, trials
        Counts (scalars or arrays of the same shape).
    z
        Standard normal quantile of the interval (``Z95`` for 95 %).

    Returns
    -------
    (low, high)
        Arrays of lower and upper limits, clipped to [0, 1].

    Notes
    -----
    With p̂ = x/n: centre = (p̂ + z²/2n) / (1 + z²/n), half-width =
    z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22(158), 209–212. Matches
    ``statsmodels.stats.proportion.proportion_confint(method="wilson")`` and R's
    ``prop.test(correct = FALSE)$conf.int``.
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        z2 = z * z
        denom = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    empty = n <= 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)
