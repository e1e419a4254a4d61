"""Numerical core of the Cox fit: partial likelihood, score, information, score residuals.

Rows are sorted by stratum and descending time, so the risk set of a time is a prefix of its
stratum. Risk-set sums of exp(eta) and x exp(eta) are cumulative sums over the (stratum,
time) tie groups. The information matrix never forms per-row or per-time p x p products:
sum over event times of a_g * (risk-set second moment at g) equals X' diag(w * A) X, with A_i
the sum of a_g over the event times at which row i is at risk (a suffix sum per stratum), so
it is one weighted Gram product (BLAS), as is the Efron correction over the event rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__: list[str] = []


@dataclass(frozen=True)
class _Sorted:
    """Data sorted by stratum and descending time, with the (stratum, time) tie groups."""

    x: np.ndarray  # covariates, sorted and centred (column means over all rows)
    t: np.ndarray
    e: np.ndarray
    gstart: np.ndarray  # first row of each tie group (all rows)
    gfirst: np.ndarray  # per tie group: index of the first tie group of its stratum
    gnext: np.ndarray  # per tie group: index of the first tie group of the next stratum
    eg: np.ndarray  # tie groups that hold events
    ev_pos: np.ndarray  # rows that are events (grouped contiguously by tie group)
    ev_grp: np.ndarray  # per event row: index into eg
    ev_start: np.ndarray  # per event group: its first position in ev_pos
    frac: np.ndarray  # per event row: l / d (Efron) or 0 (Breslow)
    order: np.ndarray  # sorted position -> input row
    xev: np.ndarray  # x of the event rows
    cw: np.ndarray | None = None  # case weights (sorted); None when unweighted
    gid: np.ndarray | None = None  # per row: its tie group
    stratum: np.ndarray | None = None  # per row: stratum code (sorted)


def _prepare(x, t, e, strata, ties, cw=None) -> _Sorted:
    """Sort once per fit and index the tie groups and event rows."""
    strata = np.asarray(strata)
    if len(strata) and strata.min() == strata.max():
        order = np.argsort(-t, kind="stable")
    else:
        order = np.lexsort((-t, strata))  # stratum, then time descending
    xs = np.asarray(x, float)[order]
    if len(xs):
        xs = xs - xs.mean(axis=0)  # the partial likelihood is invariant to shifts of x
    ts, es, ss = t[order], e[order], strata[order]
    new_stratum = np.r_[True, ss[1:] != ss[:-1]]
    new_grp = new_stratum | np.r_[True, ts[1:] != ts[:-1]]
    gstart = np.flatnonzero(new_grp)
    gid = np.cumsum(new_grp) - 1
    strat_of_grp = np.cumsum(new_stratum)[gstart] - 1
    first_grp_of_stratum = np.flatnonzero(np.r_[True, strat_of_grp[1:] != strat_of_grp[:-1]])
    gfirst = first_grp_of_stratum[strat_of_grp]
    gnext = np.r_[first_grp_of_stratum[1:], len(gstart)][strat_of_grp]
    ev_pos = np.flatnonzero(es == 1)
    eg, ev_grp = np.unique(gid[ev_pos], return_inverse=True)
    d = np.bincount(ev_grp)
    ev_start = np.r_[0, np.cumsum(d)[:-1]].astype(np.int64)
    rank_in = np.arange(len(ev_pos)) - ev_start[ev_grp]
    frac = rank_in / d[ev_grp] if ties == "efron" else np.zeros(len(ev_pos))
    return _Sorted(
        x=xs,
        t=ts,
        e=es,
        gstart=gstart,
        gfirst=gfirst,
        gnext=gnext,
        eg=eg,
        ev_pos=ev_pos,
        ev_grp=ev_grp,
        ev_start=ev_start,
        frac=frac,
        order=order,
        xev=xs[ev_pos],
        cw=None if cw is None else cw[order],
        gid=gid,
        stratum=ss,
    )


def _risk(g: np.ndarray, s: _Sorted) -> np.ndarray:
    """Risk-set sums of the event groups from per-tie-group sums (time descending)."""
    cum = np.cumsum(g, axis=0)
    before = s.gfirst[s.eg] - 1
    base = cum[np.maximum(before, 0)]
    base[before < 0] = 0.0
    return cum[s.eg] - base


def _at_risk_sum(a: np.ndarray, s: _Sorted) -> np.ndarray:
    """Per row: the sum of ``a`` (one value per event group) over the event groups at which
    the row is at risk, i.e. its own tie group and the later ones of its stratum."""
    n_grp = len(s.gstart)
    per_grp = np.zeros(n_grp + 1)
    per_grp[s.eg] = a
    rc = np.cumsum(per_grp[::-1])[::-1]  # suffix sums over all groups, rc[n_grp] = 0
    return (rc[:-1] - rc[s.gnext])[s.gid]


def _terms(s: _Sorted, beta: np.ndarray, second: bool = True) -> dict[str, Any]:
    """Partial-likelihood pieces at ``beta``: per event row and per event tie group."""
    eta = s.x @ beta
    c = eta.max() if len(eta) else 0.0
    w = np.exp(eta - c)
    if s.cw is not None:  # case weights: risk sums of weight x exp(eta), as coxfit6.c
        w = w * s.cw
    wx = w[:, None] * s.x
    s0 = _risk(np.add.reduceat(w, s.gstart), s)
    s1 = _risk(np.add.reduceat(wx, s.gstart, axis=0), s)
    ew = w[s.ev_pos]
    d0 = np.add.reduceat(ew, s.ev_start)
    d1 = np.add.reduceat(ew[:, None] * s.xev, s.ev_start, axis=0)
    g, f = s.ev_grp, s.frac
    den = s0[g] - f * d0[g]
    mean = (s1[g] - f[:, None] * d1[g]) / den[:, None]
    k = {"eta": eta, "c": c, "den": den, "mean": mean, "w": w, "wx": wx, "w_ev": ew}
    if s.cw is not None:
        # each of the d Efron terms of a tie group counts with the mean weight of its events
        mw = np.add.reduceat(s.cw[s.ev_pos], s.ev_start) / np.diff(np.r_[s.ev_start, len(g)])
        k["ew"] = mw[g]
    if second:
        tw = k["ew"] / den if "ew" in k else 1 / den
        k["a"] = np.bincount(g, weights=tw, minlength=len(s.eg))
        k["b"] = np.bincount(g, weights=f * tw, minlength=len(s.eg))
    return k


def _info(k: dict[str, Any], s: _Sorted, gw: np.ndarray | None = None) -> np.ndarray:
    """Sum over Efron terms of gw * (weighted covariance of x in the Efron risk set).

    Each term j of event group g adds (S2_g - f_j D2_g) / den_j - mean_j mean_j', with S2
    the risk-set and D2 the tied-events sum of w x x'. Summed, the S2 parts are
    X' diag(w A) X (A: per row, the a_g of the groups it is at risk in) and the D2 parts
    X_ev' diag(w b_g) X_ev: two Gram products instead of p x p matrices per time.
    """
    a, b, mean = k["a"], k["b"], k["mean"]
    mw = mean * k["ew"][:, None] if "ew" in k else mean
    if gw is not None:
        a, b, mw = a * gw, b * gw, mw * gw[s.ev_grp][:, None]
    risk_part = s.x.T @ (k["wx"] * _at_risk_sum(a, s)[:, None])
    tied_part = s.xev.T @ (s.xev * (k["w_ev"] * b[s.ev_grp])[:, None])
    out = risk_part - tied_part - mw.T @ mean
    return (out + out.T) / 2


def _loglik_grad_info(s: _Sorted, beta: np.ndarray, second: bool = True):
    k = _terms(s, beta, second)
    if s.cw is None:
        ll = float(k["eta"][s.ev_pos].sum() - (np.log(k["den"]) + k["c"]).sum())
        grad = s.xev.sum(axis=0) - k["mean"].sum(axis=0)
    else:
        cw, ew = s.cw[s.ev_pos], k["ew"]
        ll = float((cw * k["eta"][s.ev_pos]).sum() - (ew * (np.log(k["den"]) + k["c"])).sum())
        grad = (cw[:, None] * s.xev).sum(axis=0) - (ew[:, None] * k["mean"]).sum(axis=0)
    info = _info(k, s) if second else None
    return ll, grad, info, k


def _newton(s: _Sorted, p: int, max_iter: int = 50, tol: float = 1e-12):
    beta = np.zeros(p)
    ll, grad, info, _ = _loglik_grad_info(s, beta)
    ll0, grad0, info0 = ll, grad, info
    converged = p == 0
    for _ in range(max_iter):
        if p == 0:
            break
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(info, grad, rcond=None)[0]
        new = beta + step
        ll_new, g_new, i_new, _ = _loglik_grad_info(s, new)
        halvings = 0
        while (not np.isfinite(ll_new) or ll_new < ll - 1e-10) and halvings < 30:
            step /= 2
            new = beta + step
            ll_new, g_new, i_new, _ = _loglik_grad_info(s, new)
            halvings += 1
        done = abs(ll_new - ll) <= tol * max(1.0, abs(ll_new)) and np.max(np.abs(step)) < 1e-8
        beta, ll, grad, info = new, ll_new, g_new, i_new
        if done:
            converged = True
            break
    return beta, ll, info, ll0, grad0, info0, converged


def _score_residuals(s: _Sorted, beta: np.ndarray) -> np.ndarray:
    """Per-row score residuals (sorted order, per unit case weight), as R's coxscore2.

    U_i = δ_i (x_i − x̄ᵢ) − r_i Σ_j c_ij h_j (x_i − x̄_j) over the Efron terms j of the event
    times at which i is at risk, with h_j = (mean event weight) / denominator_j, x̄ the
    risk-set means and c_ij = 1 − l/d for the l-th term of i's own tied events, else 1.
    Their (weighted) sum is the score vector.
    """
    k = _terms(s, beta, second=False)
    n_grp = len(s.gstart)
    ew = k["ew"] if "ew" in k else np.ones(len(s.ev_pos))
    h = ew / k["den"]
    mean = k["mean"]
    hx = h[:, None] * mean

    def per_group(v):  # Efron terms are contiguous per event group
        out = np.zeros((n_grp,) + v.shape[1:])
        out[s.eg] = np.add.reduceat(v, s.ev_start, axis=0)
        return out

    big_h, big_hx = per_group(h), per_group(hx)
    own_h, own_hx = per_group(s.frac * h), per_group(s.frac[:, None] * hx)
    d = np.zeros(n_grp)
    d[s.eg] = np.diff(np.r_[s.ev_start, len(s.ev_pos)])
    xb = per_group(mean) / np.maximum(d, 1)[:, None]

    def suffix(v):  # over tie groups within the stratum (groups at or after i: times <= t_i)
        rc = np.concatenate([np.cumsum(v[::-1], axis=0)[::-1], np.zeros((1,) + v.shape[1:])])
        return rc[:-1] - rc[s.gnext]

    sh, shx = suffix(big_h), suffix(big_hx)
    gid = s.gid
    r = np.exp(k["eta"] - k["c"])
    ev = s.e.astype(float)
    hi = sh[gid] - ev * own_h[gid]
    hxi = shx[gid] - ev[:, None] * own_hx[gid]
    return ev[:, None] * (s.x - xb[gid]) - r[:, None] * (s.x * hi[:, None] - hxi)
