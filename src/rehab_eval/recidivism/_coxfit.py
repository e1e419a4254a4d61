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
import scipy.sparse as sp

__all__: list[str] = []


@dataclass(frozen=True)
class _Sorted:
    """Data sorted by stratum and descending time, with the (stratum, time) tie groups."""

    x: np.ndarray  # covariates, sorted, centred (column means), column-major
    xc: np.ndarray  # the same, row-major (for the sparse products)
    t: np.ndarray
    e: np.ndarray
    stratum: np.ndarray  # per row: stratum code
    order: np.ndarray  # sorted position -> input row
    gstart: np.ndarray  # first row of each tie group (all rows)
    gid: np.ndarray  # per row: its tie group
    gfirst: np.ndarray  # per tie group: index of the first tie group of its stratum
    gnext: np.ndarray  # per tie group: index of the first tie group of the next stratum
    eg: np.ndarray  # tie groups that hold events
    ev_pos: np.ndarray  # rows that are events (grouped contiguously by tie group)
    ev_grp: np.ndarray  # per event row (Efron term): index into eg
    ev_start: np.ndarray  # per event group: its first position in ev_pos
    frac: np.ndarray  # per event row: l / d (Efron) or 0 (Breslow)
    sum_x_ev: np.ndarray  # sum of (case weight x) x over the event rows
    rows: np.ndarray  # 0 .. n - 1 (column indices of the per-group sparse sums)
    gptr: np.ndarray  # tie group boundaries (sparse row pointers)
    eptr: np.ndarray  # event group boundaries in ev_pos (sparse row pointers)
    cw: np.ndarray | None = None  # case weights (sorted); None when unweighted
    ew: np.ndarray | None = None  # per Efron term: mean case weight of its tied events


def _sort_order(t: np.ndarray, strata: np.ndarray) -> np.ndarray:
    """Positions sorted by stratum, then time descending (order within ties is free)."""
    order = np.argsort(-t)
    if len(strata) and strata.min() != strata.max():
        order = order[np.argsort(strata[order], kind="stable")]
    return order


def _prepare(x, t, e, strata, ties, cw=None) -> _Sorted:
    """Sort once per fit and index the tie groups and event rows."""
    strata = np.asarray(strata)
    order = _sort_order(t, strata)
    xs = np.asfortranarray(np.take(np.asarray(x, float), order, axis=0))
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
    gfirst = first_grp_of_stratum[strat_of_grp]
    gnext = np.r_[first_grp_of_stratum[1:], len(gstart)][strat_of_grp]
    ev_pos = np.flatnonzero(es == 1)
    gev = gid[ev_pos]  # non-decreasing
    first = np.r_[True, gev[1:] != gev[:-1]] if len(gev) else np.zeros(0, bool)
    ev_start = np.flatnonzero(first)
    eg, ev_grp = gev[ev_start], np.cumsum(first) - 1
    d = np.diff(np.r_[ev_start, len(gev)])
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
        xc=np.ascontiguousarray(xs),
        t=ts,
        e=es,
        stratum=ss,
        order=order,
        gstart=gstart,
        gid=gid,
        gfirst=gfirst,
        gnext=gnext,
        eg=eg,
        ev_pos=ev_pos,
        ev_grp=ev_grp,
        ev_start=ev_start,
        frac=frac,
        sum_x_ev=sum_x_ev,
        rows=np.arange(n),
        gptr=np.r_[gstart, n],
        eptr=np.r_[ev_start, len(ev_pos)],
        cw=cws,
        ew=ew,
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


def _segment_sums(s: _Sorted, w: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per tie group and per event group: sums of w and of w x (sparse products: one pass
    over x, no n x p temporary)."""
    n, p = s.x.shape
    g = sp.csr_matrix((w, s.rows, s.gptr), shape=(len(s.gstart), n))
    ew = w[s.ev_pos]
    d = sp.csr_matrix((ew, s.ev_pos, s.eptr), shape=(len(s.eg), n))
    return np.add.reduceat(w, s.gstart), g @ s.xc, np.add.reduceat(ew, s.ev_start), d @ s.xc, ew


def _terms(s: _Sorted, beta: np.ndarray, second: bool = True) -> dict[str, Any]:
    """Partial-likelihood pieces at ``beta``: per Efron term (event row) and per event group.

    Term j of event group g (l-th of its d tied events, f_j = l / d for Efron, 0 for
    Breslow) has the denominator den_j = S0_g - f_j D0_g and the mean (S1_g - f_j D1_g) /
    den_j, with S the risk-set and D the tied-event sums of w and w x. Sums over the terms
    of a group are kept as per-group scalars times S1_g and D1_g.
    """
    eta = s.x @ beta
    c = eta.max() if len(eta) else 0.0
    w = np.exp(eta - c)
    if s.cw is not None:  # case weights: risk sums of weight x exp(eta), as coxfit6.c
        w = w * s.cw
    g0, g1, d0, d1, w_ev = _segment_sums(s, w)
    s0, s1 = _risk(g0, s), _risk(g1, s)
    g, f = s.ev_grp, s.frac
    den = s0[g] - f * d0[g]
    tw = s.ew / den if s.ew is not None else 1 / den  # term weight / denominator
    n_eg = len(s.eg)
    k = {"eta": eta, "c": c, "den": den, "s1": s1, "d1": d1, "w": w, "w_ev": w_ev}
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
    a_g over the event groups at which row i is at risk: one Gram product, no p x p matrix
    per row or per time. The mean products are per-group quadratic forms in S1 and D1.
    """
    a, b, c0, c1, c2 = k["a"], k["b"], k["c0"], k["c1"], k["c2"]
    if gw is not None:
        a, b, c0, c1, c2 = a * gw, b * gw, c0 * gw, c1 * gw, c2 * gw
    v = _at_risk_sum(a, s) * k["w"]
    v[s.ev_pos] -= k["w_ev"] * b[s.ev_grp]
    second = s.x.T @ (s.x * v[:, None])
    s1, d1 = k["s1"], k["d1"]
    cross = s1.T @ (d1 * c1[:, None])
    means = s1.T @ (s1 * c0[:, None]) - cross - cross.T + d1.T @ (d1 * c2[:, None])
    out = second - means
    return (out + out.T) / 2


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
    r = np.exp(k["eta"] - k["c"])
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
