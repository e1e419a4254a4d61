"""The log-rank test of equal survival across groups, as R's ``survdiff``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rehab_eval.recidivism._input import durations_events, group_labels, require_columns
from rehab_eval.recidivism._sort import time_ranks
from rehab_eval.recidivism.results import FollowUp, as_table

__all__ = ["logrank"]


def logrank(
    frame: pd.DataFrame | FollowUp,
    *,
    duration: str = "duration",
    event: str = "event",
    by: str,
    strata: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Log-rank test of equal survival across the groups of ``by`` (R's ``survdiff``, rho = 0).

    Returns
    -------
    pandas.DataFrame
        One row per group:

        - ``group``, ``n``.
        - ``observed`` -- events in the group.
        - ``expected`` -- sum over event times of d_i n_gi / n_i.
        - ``o_minus_e_sq_over_e`` -- (O - E)^2 / E, as survdiff prints.
        - ``statistic``, ``df``, ``p_value`` -- the overall chi-square test (same on every row).

    With ``strata`` (column or columns, e.g. facility and release year) the test is
    stratified: observed, expected and variance are summed over the strata, each with its
    own risk sets, as ``survdiff(Surv(t, e) ~ group + strata(s))``. Rows without a stratum
    are left out.

    Notes
    -----
    statistic = (O - E)' V^- (O - E) over the first k - 1 groups, with the hypergeometric
    variance V_gh = sum d_i (n_i - d_i) / (n_i - 1) * n_gi / n_i (delta_gh - n_hi / n_i);
    df = k - 1. Matches ``survival::survdiff``.

    References
    ----------
    Mantel, N. (1966). Evaluation of survival data and two new rank order statistics.
    *Cancer Chemotherapy Reports*, 50, 163–170. Peto, R., & Peto, J. (1972). Asymptotically
    efficient rank invariant test procedures. *JRSS A*, 135, 185–207.
    """
    from scipy.stats import chi2

    frame = as_table(frame)
    t, e = durations_events(frame, duration, event, "logrank")
    codes, groups = group_labels(frame, by, "logrank")
    keep = codes >= 0
    k = len(groups)
    if strata is not None:
        cols = [strata] if isinstance(strata, str) else list(strata)
        require_columns(frame, cols, "logrank")
        keep &= frame[cols].notna().all(axis=1).to_numpy()
        scode = frame.loc[keep, cols].groupby(cols, sort=True, observed=True).ngroup()
        scode = scode.to_numpy()
        t, e, gidx = t[keep], e[keep], codes[keep]
        obs, exp, v = np.zeros(k), np.zeros(k), np.zeros((k, k))
        for sc in np.unique(scode):
            m = scode == sc
            o_s, e_s, v_s = _logrank_parts(t[m], e[m], gidx[m], k)
            obs, exp, v = obs + o_s, exp + e_s, v + v_s
    else:
        if not keep.all():
            t, e, codes = t[keep], e[keep], codes[keep]
        gidx = codes
        obs, exp, v = _logrank_parts(t, e, gidx, k)
    diff = obs - exp
    if k < 2:
        stat, df = np.nan, 0
    else:
        vv = v[: k - 1, : k - 1]
        stat = float(diff[: k - 1] @ np.linalg.pinv(vv) @ diff[: k - 1])
        df = int(np.linalg.matrix_rank(vv))
    p_value = float(chi2.sf(stat, df)) if df > 0 else np.nan
    counts = np.bincount(gidx, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        oe = diff**2 / exp
    return pd.DataFrame(
        {
            "group": groups,
            "n": counts.astype(np.int64),
            "observed": obs,
            "expected": exp,
            "o_minus_e_sq_over_e": oe,
            "statistic": stat,
            "df": df,
            "p_value": p_value,
        }
    )


def _logrank_parts(t: np.ndarray, e: np.ndarray, gidx: np.ndarray, k: int):
    """Observed and expected events per group and their hypergeometric covariance."""
    inv, m = time_ranks(t)
    # per time x group: events and number leaving
    cell = inv * k + gidx
    d_tg = np.bincount(cell, weights=e, minlength=m * k).reshape(m, k)
    out_tg = np.bincount(cell, minlength=m * k).reshape(m, k).astype(float)
    n_tg = np.cumsum(out_tg[::-1], axis=0)[::-1]  # at risk: time >= t
    d = d_tg.sum(axis=1)
    n = n_tg.sum(axis=1)
    ev = d > 0
    d, n, d_tg, n_tg = d[ev], n[ev], d_tg[ev], n_tg[ev]
    obs = d_tg.sum(axis=0)
    exp = (d[:, None] * n_tg / n[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    p = n_tg / n[:, None]
    v = np.einsum("t,tg,gh->gh", w, p, np.eye(k)) - np.einsum("t,tg,th->gh", w, p, p)
    return obs, exp, v
