"""Re-offending (or relapse) at fixed windows: crude share, Kaplan–Meier risk, and rate."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError, DataQualityWarning
from rehab_eval.intervals import wilson_interval
from rehab_eval.recidivism._input import durations_events, group_labels, z_value
from rehab_eval.recidivism.followup import UNITS
from rehab_eval.recidivism.km import kaplan_meier

__all__ = ["rates_at", "wilson_interval"]


def rates_at(
    frame: pd.DataFrame,
    windows: Sequence[float] = (6, 12, 24),
    unit: str = "months",
    *,
    duration: str = "duration",
    event: str = "event",
    by: str | None = None,
    conf_type: str = "log-log",
    confidence: float = 0.95,
    duration_unit: str | None = None,
) -> pd.DataFrame:
    """Share, Kaplan–Meier risk and rate of the outcome within each follow-up window.

    Parameters
    ----------
    frame
        One row per client, e.g. from :func:`followup`. Its durations are taken to be in
        ``frame.attrs["unit"]`` when set (as :func:`followup` does), else in ``unit``.
    windows
        Window lengths, in ``unit``.
    unit
        ``"days"``, ``"weeks"`` or ``"months"`` (365.25 / 12 days).
    duration, event, by
        Column names (``by`` optional).
    conf_type, confidence
        Kaplan–Meier interval type (see :func:`kaplan_meier`) and confidence level.
    duration_unit
        Unit of the ``duration`` column. By default ``frame.attrs["unit"]`` (set by
        :func:`followup`); a frame without it (built by hand, or after ``pd.concat``, which
        drops ``attrs``) is taken to be in ``unit``, with a ``DataQualityWarning``.

    Returns
    -------
    pandas.DataFrame
        One row per window (× group):

        - ``group`` (``"all"`` without ``by``), ``window``, ``unit``, ``n`` (clients).
        - ``n_full_followup`` -- clients whose outcome is known at the window's end: an event
          within the window, or follow-up at least the window's length.
        - ``n_events_in_window`` -- events within the window (duration <= window).
        - ``share``, ``share_ci_low``, ``share_ci_high`` -- n_events_in_window /
          n_full_followup with its Wilson score interval (NaN when nobody qualifies).
        - ``km_cum_incidence``, ``km_ci_low``, ``km_ci_high`` -- 1 - S(window) from
          Kaplan–Meier, with 1 minus the limits of S (NaN beyond the longest follow-up).
        - ``person_years`` -- follow-up within the window, in years of 365.25 days.
        - ``events`` -- events within the window (as ``n_events_in_window``).
        - ``rate_per_100py``, ``rate_ci_low``, ``rate_ci_high`` -- events per 100
          person-years with the exact Poisson (Garwood) interval.

    Notes
    -----
    The crude share drops clients censored before the window's end (biased when censoring
    is informative and wasteful otherwise); the Kaplan–Meier risk uses them up to their
    censoring; the rate assumes a constant hazard within the window. Report the share only
    beside its denominator. Wilson: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n).
    Garwood: [chi2_{a/2}(2k) / 2, chi2_{1-a/2}(2k + 2) / 2] / PY.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA*, 22, 209–212. Garwood, F. (1936). Fiducial limits for the Poisson
    distribution. *Biometrika*, 28, 437–442. Ulm, K. (1990). A simple method to calculate
    the confidence interval of a standardized mortality ratio. *Am J Epidemiol*, 131,
    373–375.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"duration": [2.0, 5.0, 8.0, 13.0, 30.0], "event": [1, 0, 1, 1, 0]})
    >>> r = rates_at(f, windows=[12], duration_unit="months")
    >>> r.loc[0, ["n_full_followup", "n_events_in_window", "share"]].astype(float).tolist()
    [4.0, 2.0, 0.5]
    """
    from scipy.stats import chi2

    if unit not in UNITS:
        raise ConfigError(f"rates_at: unknown unit {unit!r}; choose one of {tuple(UNITS)}.")
    w_in = np.asarray(list(windows), dtype=float)
    if w_in.size == 0 or not np.all(np.isfinite(w_in)) or np.any(w_in <= 0):
        raise ConfigError(f"rates_at: windows must be positive numbers, got {list(windows)!r}.")
    frame_unit = duration_unit or frame.attrs.get("unit")
    if frame_unit is None:
        warnings.warn(
            f"rates_at: the unit of {duration!r} is not recorded (frame.attrs['unit']); "
            f"taking it to be {unit!r} like the windows. Pass duration_unit= to say.",
            DataQualityWarning,
            stacklevel=2,
        )
        frame_unit = unit
    if frame_unit not in UNITS:
        raise ConfigError(f"rates_at: frame.attrs['unit'] is {frame_unit!r}, not a known unit.")
    w = w_in * UNITS[unit] / UNITS[frame_unit]  # windows in the frame's unit
    years_per = UNITS[frame_unit] / 365.25
    z = z_value(confidence)
    alpha = 1 - confidence
    t, e = durations_events(frame, duration, event, "rates_at")
    codes, groups = group_labels(frame, by, "rates_at")
    km = kaplan_meier(
        frame, duration, event, by=by, times=w, conf_type=conf_type, confidence=confidence
    )
    rows = []
    for gi, g in enumerate(groups):
        m = codes == gi
        tg, eg = t[m], e[m]
        kg = km[km["group"] == g].set_index("time")
        for wi, wu in zip(w_in, w, strict=True):
            ev_in = (eg == 1) & (tg <= wu)
            full = ev_in | (tg >= wu)
            k, nf = int(ev_in.sum()), int(full.sum())
            lo, hi = wilson_interval(k, nf, z)
            py = float(np.minimum(tg, wu).sum() * years_per)
            if wu in kg.index:
                s, s_lo, s_hi = kg.loc[wu, ["survival", "ci_low", "ci_high"]].astype(float)
            else:
                s = s_lo = s_hi = np.nan
            r_lo = chi2.ppf(alpha / 2, 2 * k) / 2 if k > 0 else 0.0
            r_hi = chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = 100 / py if py > 0 else np.nan
            rows.append(
                {
                    "group": g,
                    "window": float(wi),
                    "unit": unit,
                    "n": int(m.sum()),
                    "n_full_followup": nf,
                    "n_events_in_window": k,
                    "share": k / nf if nf else np.nan,
                    "share_ci_low": float(lo),
                    "share_ci_high": float(hi),
                    "km_cum_incidence": 1 - s,
                    "km_ci_low": 1 - s_hi,
                    "km_ci_high": 1 - s_lo,
                    "person_years": py,
                    "events": k,
                    "rate_per_100py": k * scale,
                    "rate_ci_low": r_lo * scale,
                    "rate_ci_high": r_hi * scale,
                }
            )
    return pd.DataFrame(rows)
