"""Kaplan–Meier survival, its median and restricted mean, as R's survival (the log-rank test
is in ``_logrank``, re-exported here)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval._deprecation import renamed
from rehab_eval.errors import ConfigError, DataQualityWarning
from rehab_eval.recidivism._input import durations_events, group_labels, z_value
from rehab_eval.recidivism._logrank import logrank
from rehab_eval.recidivism._sort import by_group_and_time
from rehab_eval.recidivism.results import FollowUp, KaplanMeier, as_table

__all__ = ["CONF_TYPES", "kaplan_meier", "logrank", "median_survival", "rmst"]

CONF_TYPES = ("log-log", "log", "plain")
_COLUMNS = (
    *("group", "time", "at_risk", "events", "censored", "survival"),
    *("ci_low", "ci_high", "std_err"),
)


def _steps(t: np.ndarray, e: np.ndarray) -> dict[str, np.ndarray]:
    """Product-limit estimate at every distinct time of one group (events and censorings)."""
    order = np.argsort(t)  # the order within tied times does not matter
    return _steps_sorted(t[order], e[order])


def _steps_sorted(ts: np.ndarray, es: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`_steps` of times already in ascending order."""
    first = np.flatnonzero(np.r_[True, ts[1:] != ts[:-1]]) if len(ts) else np.zeros(0, int)
    times, counts = ts[first], np.diff(np.r_[first, len(ts)])
    d = np.add.reduceat(es, first) if len(ts) else np.zeros(0, dtype=np.int64)
    n = len(ts) - first  # at risk: time >= t
    c = counts - d
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - d / n)
        # Greenwood: var(log S) = sum d / (n (n - d)); infinite once S reaches 0.
        g = np.where(d > 0, d / (n * (n - d).astype(float)), 0.0)
    g = np.where(np.isnan(g), np.inf, g)
    return {
        "time": times,
        "at_risk": n,
        "events": d,
        "censored": c,
        "surv": surv,
        "var": np.cumsum(g),
    }


def _limits(surv: np.ndarray, se: np.ndarray, z: float, conf_type: str):
    """Pointwise limits as in R's survival:::survfit_confint (std.err is the se of log S)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            lo = np.clip(surv - z * se * surv, 0, 1)
            hi = np.clip(surv + z * se * surv, 0, 1)
        elif conf_type == "log":
            lo = np.exp(np.log(surv) - z * se)
            hi = np.minimum(np.exp(np.log(surv) + z * se), 1.0)
        else:  # log-log
            xx = np.where((surv == 0) | (surv == 1), np.nan, surv)
            lo = np.where(
                surv == 0, 0.0, np.exp(-np.exp(np.log(-np.log(xx)) - z * se / np.log(xx)))
            )
            hi = np.where(
                surv == 0, 0.0, np.exp(-np.exp(np.log(-np.log(xx)) + z * se / np.log(xx)))
            )
    # Before the first event (S = 1, no variance yet) the limits are 1, as summary.survfit.
    # Once S reaches 0 the Greenwood variance is infinite: R reports NA limits there.
    start = (surv == 1) & (se == 0)
    zero = surv == 0
    lo = np.where(start, 1.0, np.where(zero, np.nan, lo))
    hi = np.where(start, 1.0, np.where(zero, np.nan, hi))
    return lo, hi


def _at_times(st: dict[str, np.ndarray], times: np.ndarray) -> dict[str, np.ndarray]:
    """The step function at requested times, with counts over (previous time, time]."""
    if len(st["time"]):
        times = times[times <= st["time"][-1]]  # R's summary(times=, extend=FALSE)
    idx = np.searchsorted(st["time"], times, side="right") - 1  # last step at or before time
    surv = np.where(idx >= 0, st["surv"][np.maximum(idx, 0)], 1.0)
    var = np.where(idx >= 0, st["var"][np.maximum(idx, 0)], 0.0)
    ncum = len(st["time"])
    at_risk = np.array(
        [
            int(st["at_risk"][k]) if k < ncum else 0
            for k in np.searchsorted(st["time"], times, "left")
        ],
        dtype=np.int64,
    )
    cum_d = np.concatenate([[0], np.cumsum(st["events"])])
    cum_c = np.concatenate([[0], np.cumsum(st["censored"])])
    upto = idx + 1
    prev = np.concatenate([[0], upto[:-1]])
    return {
        "time": times,
        "at_risk": at_risk,
        "events": cum_d[upto] - cum_d[prev],
        "censored": cum_c[upto] - cum_c[prev],
        "surv": surv,
        "var": var,
    }


def kaplan_meier(
    frame: pd.DataFrame | FollowUp,
    *,
    duration: str = "duration",
    event: str = "event",
    by: str | None = None,
    times: Sequence[float] | None = None,
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    all_times: bool = False,
    **deprecated: Any,
) -> KaplanMeier:
    """Kaplan–Meier (product-limit) survival with Greenwood pointwise confidence limits.

    Parameters
    ----------
    frame
        One row per client: a :class:`FollowUp` from :func:`followup` or a DataFrame.
    duration, event
        Column names of the follow-up time and the 0/1 event indicator.
    by
        Optional grouping column (level, program, completion, ...); rows without a value are
        left out with a :class:`DataQualityWarning`.
    times
        Evaluate the step function at these times (as R's ``summary(fit, times=)``);
        otherwise one row per distinct event time of each group.
    conf_type
        ``"log-log"`` (default here; Kalbfleisch & Prentice), ``"log"`` (R's default) or
        ``"plain"``.
    conf_level
        Confidence level of the limits.
    all_times
        Without ``times``: one row at every distinct time, censoring times included (as the
        components of R's ``survfit`` object) instead of event times only.

    Returns
    -------
    KaplanMeier
        ``.table``:

        - ``group`` -- group label (``"all"`` without ``by``).
        - ``time`` -- evaluation time.
        - ``at_risk`` -- number at risk at ``time`` (follow-up >= time).
        - ``events`` -- events in (previous row's time, time].
        - ``censored`` -- censorings in (previous row's time, time].
        - ``survival`` -- S(time).
        - ``ci_low``, ``ci_high`` -- pointwise limits (1 before the first event, NaN once S
          is 0, as R).
        - ``std_err`` -- Greenwood standard error of S, S sqrt(sum d/(n(n-d))), as R's
          ``summary.survfit`` reports it.

        Also ``sizes`` (clients per group), ``conf_type``, ``conf_level``, ``by`` and
        ``unit`` (the unit of the durations when ``frame`` is a :class:`FollowUp`).

    Notes
    -----
    S(t) = prod over event times t_i <= t of (1 - d_i / n_i). With sigma^2(t) = sum d_i /
    (n_i (n_i - d_i)) (Greenwood), the limits are, with z the normal quantile:
    ``plain`` S ± z sigma S; ``log`` S exp(± z sigma) (upper capped at 1); ``log-log``
    S^exp(± z sigma / log S). Matches ``survival::survfit(..., conf.type=)`` and its
    ``summary(times=)`` (tested against survival 3.5 to 1e-10).

    References
    ----------
    Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete
    observations. *JASA*, 53, 457–481. Greenwood, M. (1926). The natural duration of cancer.
    Kalbfleisch, J. D., & Prentice, R. L. (2002). *The Statistical Analysis of Failure Time
    Data* (2nd ed.). Therneau, T. M. (2024). *survival: A Package for Survival Analysis in
    R*.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"duration": [1, 2, 2, 3], "event": [1, 1, 0, 1]})
    >>> kaplan_meier(f).table["survival"].round(4).tolist()
    [0.75, 0.5, 0.0]
    """
    (conf_level,) = renamed("kaplan_meier", deprecated, conf_level=conf_level)
    if conf_type not in CONF_TYPES:
        raise ConfigError(f"kaplan_meier: conf_type {conf_type!r}; choose one of {CONF_TYPES}.")
    unit = frame.unit if isinstance(frame, FollowUp) else None
    frame = as_table(frame)
    z = z_value(conf_level)
    t, e = durations_events(frame, duration, event, "kaplan_meier")
    codes, groups = group_labels(frame, by, "kaplan_meier")
    req = None
    if times is not None:
        req = np.sort(np.asarray(list(times), dtype=float))
        if np.isnan(req).any():
            raise ConfigError("kaplan_meier: times must be numbers.")
    steps = []
    sizes = {}
    order, bounds = by_group_and_time(codes, t, len(groups))
    ts, es = t[order], e[order]
    for gi, g in enumerate(groups):
        rows = slice(bounds[gi], bounds[gi + 1])
        st = _steps_sorted(ts[rows], es[rows])
        sizes[str(g)] = int(bounds[gi + 1] - bounds[gi])
        if req is not None:
            st = _at_times(st, req)
        elif not all_times:
            keep = st["events"] > 0
            # censored counts cover (previous event time, this time]
            cum_c = np.cumsum(st["censored"])[keep]
            st = {k: v[keep] for k, v in st.items()}
            st["censored"] = np.diff(np.concatenate([[0], cum_c]))
        steps.append(st)
    if not steps:
        out = pd.DataFrame(columns=[*_COLUMNS[:6], "std_err", "ci_low", "ci_high"])
    else:  # one frame for all groups: the limits are elementwise
        st = {k: np.concatenate([s[k] for s in steps]) for k in steps[0]}
        se = np.sqrt(st["var"])
        with np.errstate(invalid="ignore"):
            se_s = np.where(st["surv"] == 0, np.nan, st["surv"] * se)
        lo, hi = _limits(st["surv"], se, z, conf_type)
        group = pd.Series(groups).repeat([len(s["time"]) for s in steps])
        columns = [
            group.to_numpy(),
            st["time"].astype(float),
            *(st[k].astype(np.int64) for k in ("at_risk", "events", "censored")),
            st["surv"],
            lo,
            hi,
            se_s,
        ]
        out = pd.DataFrame(dict(zip(_COLUMNS, columns, strict=True)))
    return KaplanMeier(
        table=out, sizes=sizes, conf_type=conf_type, conf_level=conf_level, by=by, unit=unit
    )


def _first_below(times: np.ndarray, values: np.ndarray, next_times: np.ndarray) -> float:
    """First time a step curve is <= 0.5, with R's midpoint rule when it sits exactly at 0.5."""
    tol = np.sqrt(np.finfo(float).eps)
    below = np.flatnonzero(values <= 0.5 + tol)
    if len(below) == 0:
        return np.nan
    i = below[0]
    if abs(values[i] - 0.5) < tol and i + 1 < len(times):
        return (times[i] + next_times[i]) / 2
    return float(times[i])


def median_survival(
    frame: pd.DataFrame | FollowUp,
    *,
    duration: str = "duration",
    event: str = "event",
    by: str | None = None,
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    **deprecated: Any,
) -> pd.DataFrame:
    """Median survival time with its confidence interval, per group.

    Returns
    -------
    pandas.DataFrame
        - ``group``, ``n``, ``events``.
        - ``median`` -- first event time with S(t) <= 0.5 (NaN when not reached).
        - ``ci_low``, ``ci_high`` -- first times at which the lower / upper pointwise limit
          falls to 0.5 or below (NaN when not reached).
        - ``reached`` -- whether the curve reached 0.5.

    Notes
    -----
    As ``print(survfit(...))`` / ``quantile.survfit``: where S is exactly 0.5 over an
    interval, the median is the midpoint of that interval (Brookmeyer & Crowley 1982 for
    the interval by inverting the pointwise limits).

    References
    ----------
    Brookmeyer, R., & Crowley, J. (1982). A confidence interval for the median survival
    time. *Biometrics*, 38, 29–41.
    """
    (conf_level,) = renamed("median_survival", deprecated, conf_level=conf_level)
    km = kaplan_meier(
        frame, duration=duration, event=event, by=by, conf_type=conf_type, conf_level=conf_level
    ).table
    with warnings.catch_warnings():  # kaplan_meier has warned about missing groups
        warnings.simplefilter("ignore", DataQualityWarning)
        codes, groups = group_labels(frame, by, "median_survival")
    _, e = durations_events(frame, duration, event, "median_survival")
    rows = []
    for gi, g in enumerate(groups):
        k = km[km["group"] == g]
        tm = k["time"].to_numpy()
        nxt = np.append(tm[1:], np.nan)
        med = _first_below(tm, k["survival"].to_numpy(), nxt)
        lo = _first_below(tm, np.nan_to_num(k["ci_low"].to_numpy(), nan=1.0), nxt)
        hi = _first_below(tm, np.nan_to_num(k["ci_high"].to_numpy(), nan=1.0), nxt)
        m = codes == gi
        rows.append(
            {
                "group": g,
                "n": int(m.sum()),
                "events": int(e[m].sum()),
                "median": med,
                "ci_low": lo,
                "ci_high": hi,
                "reached": bool(np.isfinite(med)),
            }
        )
    return pd.DataFrame(rows)


def rmst(
    frame: pd.DataFrame | FollowUp,
    *,
    duration: str = "duration",
    event: str = "event",
    tau: float,
    by: str | None = None,
    conf_level: float = 0.95,
    **deprecated: Any,
) -> pd.DataFrame:
    """Restricted mean survival time up to ``tau``: the area under the KM curve on [0, tau].

    Returns
    -------
    pandas.DataFrame
        - ``group``, ``tau``.
        - ``rmst`` -- integral of S(t) from 0 to tau.
        - ``se`` -- its standard error (R's ``print(survfit, rmean=tau)``).
        - ``ci_low``, ``ci_high`` -- ``rmst ± z se``.

    Notes
    -----
    se^2 = sum over event times t_i <= tau of A_i^2 d_i / (n_i (n_i - d_i)), where A_i is the
    area under S from t_i to tau (Klein & Moeschberger 2003, section 4.5; as
    ``survival:::survmean``).

    References
    ----------
    Royston, P., & Parmar, M. K. B. (2013). Restricted mean survival time. *BMC Med Res
    Methodol*, 13, 152.
    """
    (conf_level,) = renamed("rmst", deprecated, conf_level=conf_level)
    if not np.isfinite(tau) or tau <= 0:
        raise ConfigError(f"rmst: tau must be a positive number, got {tau!r}.")
    z = z_value(conf_level)
    t, e = durations_events(frame, duration, event, "rmst")
    codes, groups = group_labels(frame, by, "rmst")
    rows = []
    order, bounds = by_group_and_time(codes, t, len(groups))
    ts, es = t[order], e[order]
    for gi, g in enumerate(groups):
        st = _steps_sorted(ts[bounds[gi] : bounds[gi + 1]], es[bounds[gi] : bounds[gi + 1]])
        keep = (st["events"] > 0) & (st["time"] <= tau)
        et, s = st["time"][keep], st["surv"][keep]
        d, n = st["events"][keep], st["at_risk"][keep]
        # Steps: S = 1 on [0, t1), s_k on [t_k, t_{k+1}) ... up to tau.
        edges = np.concatenate([[0.0], et, [tau]])
        heights = np.concatenate([[1.0], s])
        pieces = np.diff(edges) * heights
        area = float(pieces.sum())
        tail = np.cumsum(pieces[::-1])[::-1][1:]  # area from t_i to tau
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(n > d, tail**2 * d / (n * (n - d).astype(float)), 0.0)
        se = float(np.sqrt(terms.sum()))
        rows.append(
            {
                "group": g,
                "tau": float(tau),
                "rmst": area,
                "se": se,
                "ci_low": area - z * se,
                "ci_high": area + z * se,
            }
        )
    return pd.DataFrame(rows)
