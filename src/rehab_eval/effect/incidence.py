"""Cumulative incidence under competing risks with case weights (weighted Aalen–Johansen)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError, InputError
from rehab_eval.recidivism._input import group_labels, require_columns, z_value
from rehab_eval.vocab import COMPETING_EVENT_KINDS

__all__ = ["gray_test", "weighted_incidence"]


def _kinds(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _one_group(t, k1, k2, w, req):
    """F(t) and its infinitesimal-jackknife SE at the requested times for one group."""
    times, inv = np.unique(t, return_inverse=True)
    m = times.size
    n = np.bincount(inv, weights=w, minlength=m)[::-1].cumsum()[::-1]
    d1 = np.bincount(inv, weights=w * k1, minlength=m)
    d = d1 + np.bincount(inv, weights=w * k2, minlength=m)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.cumprod(1 - d / n)
        s_lag = np.r_[1.0, s[:-1]]
        h1 = d1 / n
        c = np.cumsum(np.where(d > 0, d / (n * (n - d)), 0.0))
    c_lag = np.r_[0.0, c[:-1]]
    f = np.cumsum(s_lag * h1)
    p1 = np.cumsum(s_lag * h1 * (c_lag - 1 / n))
    with np.errstate(divide="ignore", invalid="ignore"):
        jump = np.where(k1 + k2 > 0, 1 / (n[inv] - d[inv]), 0.0)
    out_f, out_se = [], []
    for tk in req:
        big_k = np.searchsorted(times, tk, "right") - 1
        if big_k < 0:
            out_f.append(0.0)
            out_se.append(0.0)
            continue
        ki = inv
        low = np.minimum(ki, big_k)
        part_a = p1[low]
        later = ki < big_k
        part_b = np.where(later, (c[ki] - jump) * (f[big_k] - f[ki]), 0.0)
        part_c = np.where((k1 > 0) & (ki <= big_k), s_lag[ki] / n[ki], 0.0)
        infl = part_a + part_b + part_c
        out_f.append(float(f[big_k]))
        out_se.append(float(np.sqrt(np.sum(w * w * infl * infl))))
    return np.array(out_f), np.array(out_se), times


def weighted_incidence(
    frame: pd.DataFrame,
    *,
    duration: str = "duration",
    event_kind: str = "event_kind",
    event_of_interest: str | Sequence[str],
    competing: str | Sequence[str] = COMPETING_EVENT_KINDS,
    by: str | None = None,
    weights: str | None = None,
    times: Sequence[float],
    conf_type: str = "log",
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Cumulative incidence of one kind of event per group, with case weights (e.g. IPW).

    Parameters
    ----------
    frame : DataFrame
        One row per person (e.g. :func:`rehab_eval.recidivism.followup`).
    duration, event_kind : str
        Follow-up time and the column naming what ended it.
    event_of_interest, competing : str or sequence of str
        Kinds counted as the event and as competing ends; anything else is censoring.
    by : str, optional
        Group column.
    weights : str, optional
        Case weights ≥ 0 (0 leaves a person out); none: every weight 1.
    times : sequence of float
        Evaluation times.
    conf_type : {"log", "log-log"}
        Scale of the limits (``"log"``: R's default for multi-state curves).
    conf_level : float

    Returns
    -------
    DataFrame
        ``group``, ``time``, ``cum_incidence``, ``std_err``, ``ci_low``, ``ci_high``.

    Notes
    -----
    F(t) = Σ_{s ≤ t} S(s−) d₁(s)/n(s) with weighted counts (Aalen–Johansen). The SE is the
    infinitesimal jackknife √Σ wᵢ² Iᵢ(t)², Iᵢ the derivative of F(t) in wᵢ, as R's
    ``survfit(Surv(time, factor(status)) ~ group, weights = w)`` reports it (tested).
    Without weights it equals the delta-method SE of
    :func:`rehab_eval.recidivism.cumulative_incidence`.
    """
    if conf_type not in ("log", "log-log"):
        raise ConfigError(f"weighted_incidence: conf_type {conf_type!r}; choose log or log-log.")
    interest, comp = _kinds(event_of_interest), _kinds(competing)
    require_columns(
        frame, [duration, event_kind, *([weights] if weights else [])], "weighted_incidence"
    )
    t = pd.to_numeric(frame[duration], errors="coerce").to_numpy(float)
    w = np.ones(len(t)) if weights is None else frame[weights].to_numpy(float)
    bad = ~np.isfinite(t) | (t < 0) | ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"weighted_incidence: row {frame.index[i]!r} has a missing or negative duration "
            "or weight; drop or fix it first."
        )
    kind = frame[event_kind].astype(object).to_numpy()
    k1 = np.isin(kind, interest).astype(float)
    k2 = np.isin(kind, comp).astype(float)
    z = z_value(conf_level)
    req = np.sort(np.asarray(list(times), float))
    codes, groups = group_labels(frame, by, "weighted_incidence")
    parts = []
    for gi, g in enumerate(groups):
        m = (codes == gi) & (w > 0)
        fv, se, seen = _one_group(t[m], k1[m], k2[m], w[m], req)
        keep = req <= seen[-1] if seen.size else np.zeros(req.size, bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            ok = (fv > 0) & (fv < 1)
            ff = np.where(ok, fv, 0.5)
            if conf_type == "log":
                lo = np.where(ok, ff * np.exp(-z * se / ff), fv)
                hi = np.where(ok, np.minimum(ff * np.exp(z * se / ff), 1.0), fv)
            else:
                st = se / (ff * np.abs(np.log(ff)))
                lo = np.where(ok, np.exp(-np.exp(np.log(-np.log(ff)) + z * st)), fv)
                hi = np.where(ok, np.exp(-np.exp(np.log(-np.log(ff)) - z * st)), fv)
        parts.append(
            pd.DataFrame(
                {"group": g, "time": req, "cum_incidence": fv, "std_err": se, "ci_low": lo,
                 "ci_high": hi}
            )[keep]
        )  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def gray_test(
    frame: pd.DataFrame,
    *,
    duration: str = "duration",
    event_kind: str = "event_kind",
    event_of_interest: str | Sequence[str],
    competing: str | Sequence[str] = COMPETING_EVENT_KINDS,
    by: str,
    strata: str | None = None,
    rho: float = 0.0,
) -> dict[str, float]:
    """Gray's K-sample test of equal cumulative incidence of one kind of event.

    Parameters
    ----------
    frame : DataFrame
        One row per person.
    duration, event_kind : str
        Follow-up time and the column naming what ended it.
    event_of_interest, competing : str or sequence of str
        Kinds counted as the event and as competing ends; anything else is censoring.
    by : str
        Group column (two or more groups).
    strata : str, optional
        Stratum column: scores and variances are summed over the strata.
    rho : float
        Power of the weight (1 − F(t−))^rho (0: the log-rank-type test).

    Returns
    -------
    dict
        ``statistic`` (chi-square), ``df`` (groups − 1), ``p_value``.

    Notes
    -----
    The score compares, at each time, the observed events of interest in a group with
    those expected from the pooled subdistribution hazard, weighted by (1 − F)^rho; the
    variance is Gray's (1988) asymptotic estimate. Equal to ``cmprsk::cuminc(...)$Tests``
    (tested on mgus2).

    References
    ----------
    Gray, R. J. (1988). A class of K-sample tests for comparing the cumulative incidence
    of a competing risk. *Ann Statist*, 16, 1141–1154.
    """
    from scipy.stats import chi2

    interest, comp = _kinds(event_of_interest), _kinds(competing)
    cols = [duration, event_kind, by, *([strata] if strata else [])]
    require_columns(frame, cols, "gray_test")
    keep = frame[cols].notna().all(axis=1).to_numpy()
    f = frame.loc[keep]
    t = pd.to_numeric(f[duration], errors="coerce").to_numpy(float)
    kind = f[event_kind].astype(object).to_numpy()
    cause = np.where(np.isin(kind, interest), 1, np.where(np.isin(kind, comp), 2, 0))
    codes, groups = group_labels(f, by, "gray_test")
    k = len(groups)
    if k < 2:
        raise InputError(f"gray_test: column {by!r} has one group only; two are needed.")
    st = np.zeros(len(t), np.int64) if strata is None else pd.factorize(f[strata])[0]
    score, var = np.zeros(k - 1), np.zeros((k - 1, k - 1))
    for s_code in np.unique(st):
        m = st == s_code
        sc, vv = _gray_stratum(t[m], cause[m], codes[m], k, rho)
        score, var = score + sc, var + vv
    stat = float(score @ np.linalg.solve(var, score))
    return {"statistic": stat, "df": k - 1, "p_value": float(chi2.sf(stat, k - 1))}


def _gray_stratum(t, cause, grp, k, rho):
    """Score (first k − 1 groups) and its variance in one stratum (Gray 1988)."""
    times, inv = np.unique(t, return_inverse=True)
    cnt = np.zeros((times.size, k, 3))
    np.add.at(cnt, (inv, grp, cause), 1.0)
    at_risk = np.bincount(grp, minlength=k).astype(float)
    km_left, cif_left = np.ones(k), np.zeros(k)
    f_left = 0.0
    c = np.zeros((k, k))
    score = np.zeros(k)
    v = np.zeros((k, k))
    v2 = np.zeros((k, k))
    v3 = np.zeros(k)
    for row in cnt:
        d1, d2 = row[:, 1], row[:, 2]
        n1, n2 = d1.sum(), d2.sum()
        if n1 or n2:
            live = at_risk > 0
            km = km_left.copy()
            cif = cif_left.copy()
            km[live] = km_left[live] * (at_risk[live] - d1[live] - d2[live]) / at_risk[live]
            cif[live] = cif_left[live] + km_left[live] * d1[live] / at_risk[live]
            h = np.where(live, at_risk / np.where(live, km_left, 1.0), 0.0)  # R_g / S_g(t−)
            tr = h.sum()
            tq = (h * (1 - cif_left)).sum()
            f_now = f_left + n1 / tr
            fb = (1 - f_left) ** rho
            a = -fb * np.outer(h, h) / tr
            a[np.diag_indices(k)] = fb * h * (1 - h / tr)
            c += a * n1 / (tr * (1 - f_left))
            score += np.where(live, fb * (d1 - n1 * h * (1 - cif_left) / tq), 0.0)
            if n1 > 0:
                safe_km = np.where(km > 0, km, 1.0)
                t4 = np.where(km > 0, 1 - (1 - f_now) / safe_km, 1.0)
                t5 = 1 - (n1 - 1) / (tr * km_left - 1) if n1 > 1 else np.ones(k)
                t3 = np.where(live, t5 * km_left * n1 / (tr * np.where(live, at_risk, 1)), 0.0)
                t1 = a - t4[None, :] * c  # (i, k)
                v3 += t4 * t4 * t3
                v2 += t1 * (t4 * t3)[None, :]
                v += (t1 * t3[None, :]) @ t1.T
            if n2 > 0:
                use = (km > 0) & (d2 > 0)
                t4 = np.where(use, (1 - f_now) / np.where(km > 0, km, 1.0), 0.0)
                with np.errstate(divide="ignore", invalid="ignore"):
                    t5 = np.where(d2 > 1, 1 - (d2 - 1) / (at_risk - 1), 1.0)
                    t3 = np.where(use, t5 * km_left**2 * d2 / at_risk**2, 0.0)
                t1 = t4[None, :] * c
                v3 += t4 * t4 * t3
                v2 -= t1 * (t4 * t3)[None, :]
                v += (t1 * t3[None, :]) @ t1.T
            f_left, cif_left, km_left = f_now, cif, km
        at_risk = at_risk - row.sum(axis=1)
    total = v + (c * v3[None, :]) @ c.T + c @ v2.T + v2 @ c.T
    return score[: k - 1], total[: k - 1, : k - 1]
