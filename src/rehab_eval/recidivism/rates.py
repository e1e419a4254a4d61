"""Re-offending (or relapse) at fixed windows: crude share, Kaplan–Meier risk, and rate."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError, DataQualityWarning
from rehab_eval.intervals import wilson_interval
from rehab_eval.recidivism._input import durations_events, group_labels, z_value
from rehab_eval.recidivism.followup import UNITS
from rehab_eval.recidivism.km import kaplan_meier
from rehab_eval.recidivism.results import FollowUp, RatesAt, as_table

__all__ = ["rates_at", "wilson_interval"]


def rates_at(
    frame: pd.DataFrame | FollowUp,
    windows: Sequence[float] = (6, 12, 24),
    *,
    window_unit: str = "months",
    unit: str | None = None,
    duration: str = "duration",
    event: str = "event",
    by: str | None = None,
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    **deprecated: Any,
) -> RatesAt:
    """Share, Kaplan–Meier risk and rate of the outcome within each follow-up window.

    Parameters
    ----------
    frame
        One row per client: a :class:`FollowUp` from :func:`followup` (which knows the unit
        of its durations) or a DataFrame (then say ``unit=``).
    windows
        Window lengths, in ``window_unit``.
    window_unit
        Unit of the windows: ``"days"``, ``"weeks"`` or ``"months"`` (365.25 / 12 days).
    unit
        Unit of the ``duration`` column. By default the :class:`FollowUp`'s ``unit``; a
        DataFrame without ``unit=`` is taken to be in ``window_unit``, with a
        ``DataQualityWarning``. A ``unit=`` that contradicts the FollowUp's is an error.
    duration, event, by
        Column names (``by`` optional).
    conf_type, conf_level
        Kaplan–Meier interval type (see :func:`kaplan_meier`) and confidence level.
    **deprecated
        ``duration_unit=`` (now ``unit=``) and ``confidence=`` (now ``conf_level=``), with
        a ``DeprecationWarning``; the former positional/keyword ``unit`` of the windows is
        now ``window_unit``.

    Returns
    -------
    RatesAt
        ``.table``: one row per window (× group):

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
    >>> r = rates_at(f, windows=[12], unit="months")
    >>> r.table.loc[0, ["n_full_followup", "n_events_in_window", "share"]].astype(float).tolist()
    [4.0, 2.0, 0.5]
    """
    from scipy.stats import chi2

    unit, conf_level = _deprecated(deprecated, unit, conf_level)
    if window_unit not in UNITS:
        raise ConfigError(
            f"rates_at: unknown window_unit {window_unit!r}; choose one of {tuple(UNITS)}."
        )
    w_in = np.asarray(list(windows), dtype=float)
    if w_in.size == 0 or not np.all(np.isfinite(w_in)) or np.any(w_in <= 0):
        raise ConfigError(f"rates_at: windows must be positive numbers, got {list(windows)!r}.")
    known = frame.unit if isinstance(frame, FollowUp) else None
    if known is not None and unit is not None and unit != known:
        raise ConfigError(
            f"rates_at: unit={unit!r} contradicts the follow-up, whose durations are in "
            f"{known!r}; leave unit= out."
        )
    frame_unit = unit or known
    if frame_unit is None:
        warnings.warn(
            f"rates_at: the unit of {duration!r} is not known (a DataFrame, not a FollowUp); "
            f"taking it to be {window_unit!r} like the windows. Pass unit= to say.",
            DataQualityWarning,
            stacklevel=2,
        )
        frame_unit = window_unit
    if frame_unit not in UNITS:
        raise ConfigError(f"rates_at: unknown unit {frame_unit!r}; choose one of {tuple(UNITS)}.")
    frame = as_table(frame)
    w = w_in * UNITS[window_unit] / UNITS[frame_unit]  # windows in the frame's unit
    years_per = UNITS[frame_unit] / 365.25
    z = z_value(conf_level)
    alpha = 1 - conf_level
    t, e = durations_events(frame, duration, event, "rates_at")
    codes, groups = group_labels(frame, by, "rates_at")
    km = kaplan_meier(
        frame,
        duration=duration,
        event=event,
        by=by,
        times=w,
        conf_type=conf_type,
        conf_level=conf_level,
    ).table
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
                    "unit": window_unit,
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
    return RatesAt(
        table=pd.DataFrame(rows),
        windows=tuple(float(v) for v in w_in),
        window_unit=window_unit,
        unit=frame_unit,
        conf_type=conf_type,
        conf_level=conf_level,
        by=by,
    )


def _deprecated(
    deprecated: dict[str, Any], unit: str | None, conf_level: float
) -> tuple[str | None, float]:
    """Map the old keyword names ``duration_unit=`` and ``confidence=`` to the new ones."""
    for old, new in (("duration_unit", "unit"), ("confidence", "conf_level")):
        if old not in deprecated:
            continue
        warnings.warn(
            f"rates_at(): {old}= is deprecated and will be removed in the next release; "
            f"use {new}= instead.",
            DeprecationWarning,
            stacklevel=3,
        )
        value = deprecated.pop(old)
        if new == "unit" and unit is not None:
            raise TypeError(
                "rates_at() got both duration_unit= (old name of unit=) and unit=; the unit of "
                "the windows is now window_unit=."
            )
        if new == "unit":
            unit = value
        else:
            conf_level = value
    if deprecated:
        raise TypeError(f"rates_at() got unexpected keyword argument(s) {sorted(deprecated)}")
    return unit, conf_level
