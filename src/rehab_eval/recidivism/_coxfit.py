"""Numerical core of the Cox fit: partial likelihood, score, information, score residuals.

Rows are sorted by stratum, descending time and, within a time, events first, so the risk
set of a time is a prefix of its stratum and the tied events of a time are one contiguous
segment. Every per-row sum is a segment sum: one sparse product over the segments (the
events and the censorings of each (stratum, time) tie group) gives the tie-group and tied-
event sums of w and w x at once; risk-set sums are cumulative sums over the tie groups.
The information matrix never forms per-row or per-time p x p products: the sum over event
times of a_g * (risk-set second moment at g) equals X' diag(w * A) X, with A constant on a
segment (the sum of a_g over the event times at which its rows are at risk), so it is one
weighted Gram product (BLAS), the Efron correction included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rehab_eval.recidivism._sort import radix_order, time_ranks

__all__: list[str] = []


@dataclass(frozen=True)
class _Sorted:
    """Data sorted by stratum, descending time and events first, with its segments."""

    x: np.ndarray  # covariates, sorted, centred (column means), row-major
    t: np.ndarray
    e: np.ndarray
    stratum: np.ndarray  # per row: stratum code
    order: np.ndarray  # sorted position -> input row
    gstart: np.ndarray  # first row of each tie group (all rows)
    gid: np.ndarray  # per row: its tie group
    gnext: np.ndarray  # per tie group: index of the first tie group of the next stratum
    gfirst_eg: np.ndarray  # per event group: first tie group of its stratum
    eg: np.ndarray  # tie groups that hold events
    ev_pos: np.ndarray  # rows that are events (grouped contiguously by tie group)
    ev_grp: np.ndarray  # per event row (Efron term): index into eg
    ev_start: np.ndarray  # per event group: its first position in ev_pos
    frac: np.ndarray  # per event row: l / d (Efron) or 0 (Breslow)
    sum_x_ev: np.ndarray  # sum of (case weight x) x over the event rows
    sstart: np.ndarray  # first row of each segment
    seg_len: np.ndarray  # rows per segment
    seg_grp: np.ndarray  # per segment: its tie group
    grp_seg: np.ndarray  # per tie group: its first segment
    ev_seg: np.ndarray  # per event group: its segment of events
    cw: np.ndarray | None = None  # case weights (sorted); None when unweighted
    ew: np.ndarray | None = None  # per Efron term: mean case weight of its tied events


def _sort_order(t: np.ndarray, strata: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Positions sorted by stratum, time descending, then events first."""
    codes, m = time_ranks(t)
    key = (m - 1 - codes) * 2 + (1 - e)
    if len(strata) and strata.min() != strata.max():
        scodes = pd.factorize(strata, sort=True)[0]
        key += scodes * (2 * m)
    return radix_order(key)


def _prepare(x, t, e, strata, ties, cw=None) -> _Sorted:
    """Sort once per fit and index the tie groups, segments and event rows."""
    strata = np.asarray(strata)
    e = np.asarray(e).astype(np.int64, copy=False)
    order = _sort_order(t, strata, e)
    xs = np.take(np.asarray(x, float), order, axis=0)  # row-major: products read rows
    if len(xs):
        xs -= xs.mean(axis=0)  # the partial likelihood is invariant to shifts of x
    ts, es, ss = t[order], e[order], strata[order]
    n = len(ts)
    new_stratum = np.r_[True, ss[1:] != ss[:-1]]
    new_grp = new_stratum | np.r_[True, ts[1:] != ts[:-1]]
    gstart = np.flatnonzero(new_grp)
    gid = np.cumsum(new_grp) - 1
    strat_of_grp = np.cumsum(new_stratum)[gstart] - 1
    first_grp_of_stratum = np.flatnonzero(np.r_[True, strat_of_grp[1:] != strat_of_grp[:-1]])
    gnext = np.r_[first_grp_of_stratum[1:], len(gstart)][strat_of_grp]
    # segments: the events, then the censorings, of each tie group
    new_seg = new_grp | np.r_[True, es[1:] != es[:-1]]
    sstart = np.flatnonzero(new_seg)
    seg_grp = gid[sstart]
    seg_len = np.diff(np.r_[sstart, n])
    seg_ev = es[sstart] == 1
    grp_seg = np.flatnonzero(np.r_[True, seg_grp[1:] != seg_grp[:-1]])
    ev_seg = np.flatnonzero(seg_ev)
    eg = seg_grp[ev_seg]
    d = seg_len[ev_seg]
    ev_pos = np.flatnonzero(es == 1)
    ev_start = np.r_[0, np.cumsum(d)[:-1]] if len(d) else np.zeros(0, np.int64)
    ev_grp = np.repeat(np.arange(len(eg)), d)
    rank_in = np.arange(len(ev_pos)) - ev_start[ev_grp]
    frac = rank_in / d[ev_grp] if ties == "efron" else np.zeros(len(ev_pos))
    cws = ew = None
    if cw is None:
        sum_x_ev = xs[ev_pos].sum(axis=0)
    else:
        cws = cw[order]
        cw_ev = cws[ev_pos]
        sum_x_ev = cw_ev @ xs[ev_pos]
        # each of the d Efron terms of a tie group counts with the mean weight of its events
        ew = (np.add.reduceat(cw_ev, ev_start) / d)[ev_grp] if len(ev_pos) else cw_ev
    return _Sorted(
        x=xs,
        t=ts,
        e=es,
        stratum=ss,
        order=order,
        gstart=gstart,
        gid=gid,
        gnext=gnext,
        gfirst_eg=first_grp_of_stratum[strat_of_grp][eg],
        eg=eg,
        ev_pos=ev_pos,
        ev_grp=ev_grp,
        ev_start=ev_start,
        frac=frac,
        sum_x_ev=sum_x_ev,
        sstart=sstart,
        seg_len=seg_len,
        seg_grp=seg_grp,
        grp_seg=grp_seg,
        ev_seg=ev_seg,
        cw=cws,
        ew=ew,
    )


def _risk(g: np.ndarray, s: _Sorted) -> np.ndarray:
    """Risk-set sums of the event groups from per-tie-group sums (time descending)."""
    cum = np.cumsum(g, axis=0)
    before = s.gfirst_eg - 1
    base = cum[np.maximum(before, 0)]
    base[before < 0] = 0.0
    return cum[s.eg] - base


def _segment_sums(s: _Sorted, w: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per tie group and per event group: sums of w and of w x (one sparse product over the
    segments, reading x once, no n x p temporary)."""
    n, n_seg = len(w), len(s.sstart)
    idx = np.int32 if n < 2**31 else np.int64
    rows = np.arange(n, dtype=idx)
    m = sp.csr_matrix((w, rows, np.r_[s.sstart, n].astype(idx)), shape=(n_seg, n))
    seg1 = m @ s.x
    seg0 = np.add.reduceat(w, s.sstart) if n else np.zeros(0)
    g0 = np.add.reduceat(seg0, s.grp_seg)
    g1 = np.add.reduceat(seg1, s.grp_seg, axis=0)
    return g0, g1, seg0[s.ev_seg], seg1[s.ev_seg], w[s.ev_pos]


def _terms(s: _Sorted, beta: np.ndarray, second: bool = True) -> dict[str, Any]:
    """Partial-likelihood pieces at ``beta``: per Efron term (event row) and per event group.

    Term j of event group g (l-th of its d tied events, f_j = l / d for Efron, 0 for
    Breslow) has the denominator den_j = S0_g - f_j D0_g and the mean (S1_g - f_j D1_g) /
    den_j, with S the risk-set and D the tied-event sums of w and w x. Sums over the terms
    of a group are kept as per-group scalars times S1_g and D1_g.
    """
    w = s.x @ beta  # eta, then exp(eta - c) in place
    c = w.max() if len(w) else 0.0
    w -= c
    np.exp(w, out=w)
    if s.cw is not None:  # case weights: risk sums of weight x exp(eta), as coxfit6.c
        w *= s.cw
    g0, g1, d0, d1, w_ev = _segment_sums(s, w)
    s0, s1 = _risk(g0, s), _risk(g1, s)
    g, f = s.ev_grp, s.frac
    den = s0[g] - f * d0[g]
    tw = s.ew / den if s.ew is not None else 1 / den  # term weight / denominator
    n_eg = len(s.eg)
    k = {"c": c, "den": den, "s1": s1, "d1": d1, "w": w, "w_ev": w_ev}
    k["a"] = np.bincount(g, weights=tw, minlength=n_eg)
    k["b"] = np.bincount(g, weights=f * tw, minlength=n_eg)
    if second:
        tw2 = tw / den
        k["c0"] = np.bincount(g, weights=tw2, minlength=n_eg)
        k["c1"] = np.bincount(g, weights=f * tw2, minlength=n_eg)
        k["c2"] = np.bincount(g, weights=f * f * tw2, minlength=n_eg)
    return k


def _term_means(k: dict[str, Any], s: _Sorted) -> np.ndarray:
    """Per Efron term: the weighted mean of x over its risk set."""
    g, f = s.ev_grp, s.frac
    return (k["s1"][g] - f[:, None] * k["d1"][g]) / k["den"][:, None]


def _info(k: dict[str, Any], s: _Sorted, gw: np.ndarray | None = None) -> np.ndarray:
    """Sum over Efron terms of gw * (weighted covariance of x in the Efron risk set).

    Term j of group g adds ew_j [(S2_g - f_j D2_g) / den_j - m_j m_j'], with S2 and D2 the
    risk-set and tied-event sums of w x x' and m_j its mean. Summed over the terms, the
    second moments are X' diag(v) X with v_i = w_i (A_i - delta_i b_g(i)), A_i the sum of
    a_g over the event groups at which row i is at risk: constant on a segment, so v is
    w times a per-segment factor, and one Gram product, no p x p matrix per row or per
    time. The mean products are per-group quadratic forms in S1 and D1.
    """
    a, b, c0, c1, c2 = k["a"], k["b"], k["c0"], k["c1"], k["c2"]
    if gw is not None:
        a, b, c0, c1, c2 = a * gw, b * gw, c0 * gw, c1 * gw, c2 * gw
    n_grp = len(s.gstart)
    per_grp = np.zeros(n_grp + 1)
    per_grp[s.eg] = a
    rc = np.cumsum(per_grp[::-1])[::-1]  # suffix sums over all groups, rc[n_grp] = 0
    per_seg = (rc[:-1] - rc[s.gnext])[s.seg_grp]
    per_seg[s.ev_seg] -= b
    v = np.repeat(per_seg, s.seg_len)
    v *= k["w"]
    second = _weighted_gram(s.x, v)
    s1, d1 = k["s1"], k["d1"]
    cross = s1.T @ (d1 * c1[:, None])
    means = s1.T @ (s1 * c0[:, None]) - cross - cross.T + d1.T @ (d1 * c2[:, None])
    out = second - means
    return (out + out.T) / 2


def _weighted_gram(x: np.ndarray, v: np.ndarray, chunk: int = 32768) -> np.ndarray:
    """x' diag(v) x, in blocks of rows: a small buffer that stays in cache, no n x p array."""
    n, p = x.shape
    out = np.zeros((p, p))
    buf = np.empty((min(chunk, n), p))
    for i in range(0, n, chunk):
        xb = x[i : i + chunk]
        vb = buf[: len(xb)]
        np.multiply(xb, v[i : i + chunk, None], out=vb)
        out += xb.T @ vb
    return out


def _loglik_grad_info(s: _Sorted, beta: np.ndarray, second: bool = True):
    k = _terms(s, beta, second)
    ew = 1.0 if s.ew is None else s.ew
    ll = float(s.sum_x_ev @ beta - (ew * (np.log(k["den"]) + k["c"])).sum())
    grad = s.sum_x_ev - (k["a"] @ k["s1"] - k["b"] @ k["d1"])
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
    h = (1.0 if s.ew is None else s.ew) / k["den"]
    mean = _term_means(k, s)
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
    r = k["w"] if s.cw is None else k["w"] / s.cw  # exp(eta - c)
    ev = s.e.astype(float)
    hi = sh[gid] - ev * own_h[gid]
    hxi = shx[gid] - ev[:, None] * own_hx[gid]
    return ev[:, None] * (s.x - xb[gid]) - r[:, None] * (s.x * hi[:, None] - hxi)


def _quadratic(u: np.ndarray, m: np.ndarray) -> float:
    """u' m^-1 u, with the pseudo-inverse when m is singular (e.g. a constant covariate)."""
    try:
        return float(u @ np.linalg.solve(m, u))
    except np.linalg.LinAlgError:
        return float(u @ np.linalg.pinv(m) @ u)
