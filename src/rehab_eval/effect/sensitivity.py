"""Sensitivity to unmeasured confounding: the E-value."""

from __future__ import annotations

import numpy as np

from rehab_eval.errors import ConfigError

__all__ = ["evalue"]


def _e(rr: float) -> float:
    rr = 1 / rr if rr < 1 else rr
    return float(rr + np.sqrt(rr * (rr - 1)))


def evalue(
    hr: float,
    ci_low: float | None = None,
    ci_high: float | None = None,
    *,
    rare: bool = True,
) -> dict[str, float]:
    """E-value of a hazard ratio and of its confidence limit closest to 1.

    Parameters
    ----------
    hr : float
        Estimated hazard ratio (programme vs comparison).
    ci_low, ci_high : float, optional
        Its confidence limits.
    rare : bool
        Outcome rare (under ~15% by the end of follow-up): the hazard ratio approximates a
        risk ratio. Otherwise it is first converted, RR ≈ (1 − 0.5^√HR)/(1 − 0.5^√(1/HR))
        (VanderWeele 2017).

    Returns
    -------
    dict
        ``rr`` (risk-ratio scale used), ``evalue`` (for the estimate), ``evalue_ci`` (for
        the limit closest to 1; 1 when the interval contains 1; NaN without limits).

    Notes
    -----
    E = RR + √(RR(RR − 1)) for RR ≥ 1 (RR replaced by 1/RR below 1): the minimum strength
    of association, on the risk-ratio scale, that an unmeasured confounder would need with
    both programme entry and re-offending, beyond the measured covariates, to explain the
    estimate away. A large E-value means only a strong hidden confounder could do it; it
    does not prove there is none.

    References
    ----------
    VanderWeele, T. J., & Ding, P. (2017). Sensitivity analysis in observational research:
    introducing the E-value. *Ann Intern Med*, 167, 268–274.
    VanderWeele, T. J. (2017). On a square-root transformation of the odds ratio for a
    common outcome. *Epidemiology*, 28, e58–e60.

    Examples
    --------
    >>> round(evalue(3.9, 1.8, 8.7)["evalue"], 2), round(evalue(3.9, 1.8, 8.7)["evalue_ci"], 2)
    (7.26, 3.0)
    """
    values = [v for v in (hr, ci_low, ci_high) if v is not None]
    if any(not np.isfinite(v) or v <= 0 for v in values):
        raise ConfigError(f"evalue: hazard ratios must be positive numbers, got {values}.")

    def to_rr(h: float) -> float:
        if rare:
            return float(h)
        return float((1 - 0.5 ** np.sqrt(h)) / (1 - 0.5 ** np.sqrt(1 / h)))

    rr = to_rr(hr)
    out = {"rr": rr, "evalue": _e(rr), "evalue_ci": float("nan")}
    if ci_low is not None and ci_high is not None:
        lo, hi = to_rr(ci_low), to_rr(ci_high)
        if lo <= 1 <= hi:
            out["evalue_ci"] = 1.0
        else:
            out["evalue_ci"] = _e(lo if rr > 1 else hi)
    return out
