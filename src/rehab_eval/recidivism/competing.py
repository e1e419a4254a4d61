"""Cumulative incidence under competing risks (Aalen–Johansen estimator)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval._deprecation import renamed
from rehab_eval.errors import ConfigError, InputError
from rehab_eval.recidivism._input import group_labels, require_columns, z_value
from rehab_eval.recidivism.results import FollowUp, as_table
from rehab_eval.vocab import COMPETING_EVENT_KINDS

__all__ = ["cumulative_incidence"]


def _kinds(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def cumulative_incidence(
    frame: pd.DataFrame | FollowUp,
    *,
    duration: str = "duration",
    event_kind: str = "event_kind",
    event_of_interest: str | Sequence[str],
    competing: str | Sequence[str] = COMPETING_EVENT_KINDS,
    by: str | None = None,
    times: Sequence[float] | None = None,
    conf_level: float = 0.95,
    conf_type: str = "log-log",
    **deprecated: Any,
) -> pd.DataFrame:
    """Cumulative incidence of one kind of event when other kinds compete (Aalen–Johansen).

    Parameters
    ----------
    frame
        One row per client, e.g. from :func:`followup` (its ``event_kind`` column says what
        ended follow-up).
    duration, event_kind
        Follow-up time and the column naming what ended it.
    event_of_interest
        Kind(s) counted as the event, e.g. ``"rearrest"`` or the three offence kinds.
    competing
        Kind(s) that end follow-up and preclude the event (default: death, transfer, loss to
        supervision). Any other kind (``end_of_study`` ...) is censoring.
    by
        Optional grouping column.
    times
        Evaluate at these times (step function); otherwise at every time with an event of
        interest or a competing event.
    conf_level
        Level of the pointwise limits.
    conf_type
        Scale of the pointwise limits: ``"log-log"`` (default; log(-log F), always inside
        (0, 1)) or ``"log"`` (F exp(± z se / F), upper limit capped at 1; R's default for
        multi-state ``survfit``).

    Returns
    -------
    pandas.DataFrame
        - ``group``, ``time``, ``at_risk`` (follow-up >= time).
        - ``events`` -- events of interest in (previous row's time, time].
        - ``competing_events`` -- competing events in (previous row's time, time].
        - ``cum_incidence`` -- F(t), the probability of the event of interest by t.
        - ``std_err`` -- delta-method standard error of F (Collett 2015, p. 411).
        - ``ci_low``, ``ci_high`` -- limits on the ``conf_type`` scale (equal to F while F
          is 0 or 1).

    Notes
    -----
    F(t) = sum over t_i <= t of S(t_{i-1}) d1_i / n_i, where S is the Kaplan–Meier
    survival from any event (interest or competing), d1_i the events of interest and n_i the
    number at risk. 1 - KM treating competing events as censoring overstates the risk; F
    does not. Var F(t) = sum_i { [F(t) - F(t_i)]^2 d_i / (n_i (n_i - d_i)) + S(t_{i-1})^2
    d1_i (n_i - d1_i) / n_i^3 - 2 [F(t) - F(t_i)] S(t_{i-1}) d1_i / n_i^2 }, d_i all events
    (as SAS PROC LIFETEST and lifelines' AalenJohansenFitter). The estimate and its
    standard error equal R's ``survfit(Surv(time, factor(status)) ~ 1)`` (``std.err`` of the
    state probability). R's limits are on the log scale by default, so ``conf_type="log"``
    reproduces them; the default here is log-log, as for :func:`kaplan_meier`.

    References
    ----------
    Aalen, O. O., & Johansen, S. (1978). An empirical transition matrix for non-homogeneous
    Markov chains based on censored observations. *Scand J Statist*, 5, 141–150.
    Collett, D. (2015). *Modelling Survival Data in Medical Research* (3rd ed.), 12.2.
    Putter, H., Fiocco, M., & Geskus, R. B. (2007). Tutorial in biostatistics: competing
    risks and multi-state models. *Stat Med*, 26, 2389–2430.
    """
    (conf_level,) = renamed("cumulative_incidence", deprecated, conf_level=conf_level)
    if conf_type not in ("log-log", "log"):
        raise ConfigError(
            f"cumulative_incidence: conf_type {conf_type!r}; choose 'log-log' or 'log'."
        )
    interest, comp = _kinds(event_of_interest), _kinds(competing)
    if set(interest) & set(comp):
        raise ConfigError(
            f"cumulative_incidence: {sorted(set(interest) & set(comp))} is both the event of "
            "interest and competing; list each kind once."
        )
    frame = as_table(frame)
    require_columns(frame, [duration, event_kind], "cumulative_incidence")
    t = pd.to_numeric(frame[duration], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(t) | (t < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"cumulative_incidence: column {duration!r} row {frame.index[i]!r} has value "
            f"{frame[duration].iloc[i]!r}; durations must be numbers >= 0."
        )
    kind = frame[event_kind].astype(object).to_numpy()
    is1 = np.isin(kind, interest).astype(float)
    is2 = np.isin(kind, comp).astype(float)
    z = z_value(conf_level)
    codes, groups = group_labels(frame, by, "cumulative_incidence")
    req = None if times is None else np.sort(np.asarray(list(times), dtype=float))
    parts = []
    for gi, g in enumerate(groups):
        m = codes == gi
        tg = t[m]
        times_u, inv = np.unique(tg, return_inverse=True)
        d1 = np.bincount(inv, weights=is1[m], minlength=len(times_u))
        d2 = np.bincount(inv, weights=is2[m], minlength=len(times_u))
        leave = np.bincount(inv, minlength=len(times_u))
        n = len(tg) - np.r_[0, np.cumsum(leave)[:-1]]
        d = d1 + d2
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.cumprod(1 - d / n)
            s_lag = np.r_[1.0, s[:-1]]
            f = np.cumsum(s_lag * d1 / n)
            a = np.where(n > d, d / (n * (n - d)), 0.0)
            b = s_lag**2 * d1 * (n - d1) / n**3
            c = s_lag * d1 / n**2
        # sum_i a_i (F - F_i)^2 + b_i - 2 c_i (F - F_i), by cumulative sums
        ca, caf, caff = np.cumsum(a), np.cumsum(a * f), np.cumsum(a * f * f)
        cc, ccf = np.cumsum(c), np.cumsum(c * f)
        var = f * f * ca - 2 * f * caf + caff + np.cumsum(b) - 2 * (f * cc - ccf)
        var = np.maximum(var, 0.0)
        if req is not None:
            keep_t = req[req <= times_u[-1]] if len(times_u) else req[:0]
            idx = np.searchsorted(times_u, keep_t, "right") - 1
            cd1, cd2 = np.r_[0, np.cumsum(d1)], np.r_[0, np.cumsum(d2)]
            upto = idx + 1
            prev = np.r_[0, upto[:-1]]
            at = np.searchsorted(times_u, keep_t, "left")
            rows = {
                "time": keep_t,
                "at_risk": np.where(at < len(n), n[np.minimum(at, len(n) - 1)], 0),
                "events": cd1[upto] - cd1[prev],
                "competing_events": cd2[upto] - cd2[prev],
                "cum_incidence": np.where(idx >= 0, f[np.maximum(idx, 0)], 0.0),
                "var": np.where(idx >= 0, var[np.maximum(idx, 0)], 0.0),
            }
        else:
            keep = d > 0
            cd1, cd2 = np.cumsum(d1)[keep], np.cumsum(d2)[keep]
            rows = {
                "time": times_u[keep],
                "at_risk": n[keep],
                "events": np.diff(np.r_[0, cd1]),
                "competing_events": np.diff(np.r_[0, cd2]),
                "cum_incidence": f[keep],
                "var": var[keep],
            }
        fv, se = rows["cum_incidence"], np.sqrt(rows.pop("var"))
        with np.errstate(divide="ignore", invalid="ignore"):
            ok = (fv > 0) & (fv < 1)
            ff = np.where(ok, fv, 0.5)
            lt = np.log(-np.log(ff))
            st = se / (ff * np.abs(np.log(ff)))
            if conf_type == "log-log":
                lo = np.where(ok, np.exp(-np.exp(lt + z * st)), fv)
                hi = np.where(ok, np.exp(-np.exp(lt - z * st)), fv)
            else:
                lo = np.where(ok, ff * np.exp(-z * se / ff), fv)
                hi = np.where(ok, np.minimum(ff * np.exp(z * se / ff), 1.0), fv)
        parts.append(
            pd.DataFrame(
                {
                    "group": g,
                    **{k: v for k, v in rows.items()},
                    "std_err": se,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            ).astype({"at_risk": np.int64, "events": np.int64, "competing_events": np.int64})
        )
    out = pd.concat(parts, ignore_index=True)
    return out
