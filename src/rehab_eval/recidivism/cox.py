"""Cox proportional-hazards regression (Efron or Breslow ties), as R's ``survival::coxph``."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval._deprecation import renamed
from rehab_eval.errors import ConfigError, InputError, ModelWarning
from rehab_eval.recidivism._input import durations_events, require_columns, z_value
from rehab_eval.recidivism.results import FollowUp, as_table
from rehab_eval.results import result_repr

__all__ = ["CoxResult", "concordance", "cox", "proportional_hazards"]

TIES = ("efron", "breslow")


# ----------------------------------------------------------------------------- design
def _design(
    frame: pd.DataFrame, covariates: Sequence[str], reference: Mapping[str, Any] | None
) -> tuple[np.ndarray, list[str], list[list[int]], np.ndarray]:
    """Numeric design matrix, term names, column groups per covariate, rows kept (complete)."""
    reference = dict(reference or {})
    unknown = set(reference) - set(covariates)
    if unknown:
        raise ConfigError(f"cox: reference given for {sorted(unknown)}, which are not covariates.")
    complete = frame[list(covariates)].notna().all(axis=1).to_numpy()
    cols: list[np.ndarray] = []
    names: list[str] = []
    assign: list[list[int]] = []
    for c in covariates:
        s = frame[c]
        is_num = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if is_num and c not in reference:
            cols.append(pd.to_numeric(s).to_numpy(dtype=float, na_value=np.nan))
            names.append(c)
            assign.append([len(names) - 1])
            continue
        present = s[complete].astype(object)
        if isinstance(s.dtype, pd.CategoricalDtype):
            levels = [v for v in s.cat.categories if (present == v).any()]
        else:
            levels = sorted(present.unique().tolist(), key=lambda v: (str(type(v)), v))
        if c in reference:
            ref = reference[c]
            if ref not in levels:
                raise ConfigError(
                    f"cox: reference level {ref!r} for {c!r} not found; levels present: {levels}."
                )
            levels = [ref, *[v for v in levels if v != ref]]
        idx = []
        for lev in levels[1:]:
            cols.append((s.astype(object) == lev).to_numpy(dtype=float))
            names.append(f"{c}[{lev}]")
            idx.append(len(names) - 1)
        if not idx:
            raise InputError(
                f"cox: covariate {c!r} has a single level {levels!r} among complete rows; "
                "drop it from the covariates."
            )
        assign.append(idx)
    x = np.column_stack(cols) if cols else np.zeros((len(frame), 0))
    return x, names, assign, complete


# ----------------------------------------------------------------------------- engine
@dataclass(frozen=True)
class _Sorted:
    """Data sorted by stratum and descending time, with the (stratum, time) tie groups."""

    x: np.ndarray
    t: np.ndarray
    e: np.ndarray
    gstart: np.ndarray  # first row of each tie group (all rows)
    gfirst: np.ndarray  # per tie group: index of the first tie group of its stratum
    eg: np.ndarray  # tie groups that hold events
    ev_pos: np.ndarray  # rows that are events (grouped contiguously by tie group)
    ev_grp: np.ndarray  # per event row: index into eg
    ev_start: np.ndarray  # per event group: its first position in ev_pos
    frac: np.ndarray  # per event row: l / d (Efron) or 0 (Breslow)
    order: np.ndarray  # sorted position -> input row
    xxt: np.ndarray  # (p * p, n): products x_i x_j per row, row-major over (i, j)
    cw: np.ndarray | None = None  # case weights (sorted); None when unweighted
    gid: np.ndarray | None = None  # per row: its tie group


def _prepare(x, t, e, strata, ties, cw=None) -> _Sorted:
    order = np.lexsort((-t, strata))  # stratum, then time descending
    xs, ts, es, ss = x[order], t[order], e[order], strata[order]
    n = len(ts)
    new_stratum = np.r_[True, ss[1:] != ss[:-1]]
    new_grp = new_stratum | np.r_[True, ts[1:] != ts[:-1]]
    gstart = np.flatnonzero(new_grp)
    gid = np.cumsum(new_grp) - 1
    strat_of_grp = np.cumsum(new_stratum)[gstart] - 1
    first_grp_of_stratum = np.flatnonzero(np.r_[True, strat_of_grp[1:] != strat_of_grp[:-1]])
    gfirst = first_grp_of_stratum[strat_of_grp]
    ev_pos = np.flatnonzero(es == 1)
    eg, ev_grp = np.unique(gid[ev_pos], return_inverse=True)
    d = np.bincount(ev_grp)
    ev_start = np.r_[0, np.cumsum(d)[:-1]].astype(np.int64)
    rank_in = np.arange(len(ev_pos)) - ev_start[ev_grp]
    frac = rank_in / d[ev_grp] if ties == "efron" else np.zeros(len(ev_pos))
    p = xs.shape[1]
    xxt = np.ascontiguousarray((xs[:, :, None] * xs[:, None, :]).reshape(n, p * p).T)
    return _Sorted(
        xs,
        ts,
        es,
        gstart,
        gfirst,
        eg,
        ev_pos,
        ev_grp,
        ev_start,
        frac,
        order,
        xxt,
        None if cw is None else cw[order],
        gid,
    )


def _risk(g: np.ndarray, s: _Sorted) -> np.ndarray:
    """Risk-set sums of the event groups from per-tie-group sums (time descending)."""
    cum = np.cumsum(g, axis=0)
    before = s.gfirst[s.eg] - 1
    base = cum[np.maximum(before, 0)]
    base[before < 0] = 0.0
    return cum[s.eg] - base


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
    ew, ewx = w[s.ev_pos], wx[s.ev_pos]
    d0 = np.add.reduceat(ew, s.ev_start)
    d1 = np.add.reduceat(ewx, s.ev_start, axis=0)
    g, f = s.ev_grp, s.frac
    den = s0[g] - f * d0[g]
    mean = (s1[g] - f[:, None] * d1[g]) / den[:, None]
    k = {"eta": eta, "c": c, "den": den, "mean": mean}
    if s.cw is not None:
        # each of the d Efron terms of a tie group counts with the mean weight of its events
        ew = np.add.reduceat(s.cw[s.ev_pos], s.ev_start) / np.diff(np.r_[s.ev_start, len(g)])
        k["ew"] = ew[g]
    if second:
        p = s.x.shape[1]
        wxx = s.xxt * w  # (p * p, n)
        g2 = np.add.reduceat(wxx, s.gstart, axis=1).T.reshape(-1, p, p)
        k["s2"] = _risk(g2, s)
        d2 = np.add.reduceat(wxx[:, s.ev_pos], s.ev_start, axis=1)
        k["d2"] = d2.T.reshape(-1, p, p)
        if s.cw is None:
            k["a"] = np.bincount(g, weights=1 / den, minlength=len(s.eg))
            k["b"] = np.bincount(g, weights=f / den, minlength=len(s.eg))
        else:
            k["a"] = np.bincount(g, weights=k["ew"] / den, minlength=len(s.eg))
            k["b"] = np.bincount(g, weights=k["ew"] * f / den, minlength=len(s.eg))
    return k


def _info(k: dict[str, Any], s: _Sorted, gw: np.ndarray | None = None) -> np.ndarray:
    """Sum over event rows of gw * (weighted covariance of x in the Efron risk set)."""
    a, b, mean = k["a"], k["b"], k["mean"]
    mw = mean
    if "ew" in k:
        mw = mean * k["ew"][:, None]
    if gw is not None:
        a, b, mw = a * gw, b * gw, mean * gw[s.ev_grp][:, None]
    return np.einsum("g,gij->ij", a, k["s2"]) - np.einsum("g,gij->ij", b, k["d2"]) - mw.T @ mean


def _loglik_grad_info(s: _Sorted, beta: np.ndarray, second: bool = True):
    k = _terms(s, beta, second)
    if s.cw is None:
        ll = float(k["eta"][s.ev_pos].sum() - (np.log(k["den"]) + k["c"]).sum())
        grad = s.x[s.ev_pos].sum(axis=0) - k["mean"].sum(axis=0)
    else:
        cw, ew = s.cw[s.ev_pos], k["ew"]
        ll = float((cw * k["eta"][s.ev_pos]).sum() - (ew * (np.log(k["den"]) + k["c"])).sum())
        grad = (cw[:, None] * s.x[s.ev_pos]).sum(axis=0) - (ew[:, None] * k["mean"]).sum(axis=0)
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
    n, p = s.x.shape
    n_grp = len(s.gstart)
    ew = k["ew"] if "ew" in k else np.ones(len(s.ev_pos))
    h = ew / k["den"]
    gg = s.eg[s.ev_grp]  # tie group of each Efron term
    mean = k["mean"]
    hx = h[:, None] * mean

    def per_group(v):
        out = np.zeros((n_grp,) + v.shape[1:])
        np.add.at(out, gg, v)
        return out

    big_h, big_hx = per_group(h), per_group(hx)
    own_h, own_hx = per_group(s.frac * h), per_group(s.frac[:, None] * hx)
    d = np.bincount(gg, minlength=n_grp).astype(float)
    xb = per_group(mean) / np.maximum(d, 1)[:, None]
    # suffix sums over tie groups within the stratum (groups at or after i: times <= t_i)
    starts = np.unique(s.gfirst)
    ends = np.r_[starts[1:], n_grp]
    last = np.repeat(ends, ends - starts)  # per group: first group of the next stratum

    def suffix(v):
        rc = np.concatenate([np.cumsum(v[::-1], axis=0)[::-1], np.zeros((1,) + v.shape[1:])])
        return rc[:-1] - rc[last]

    sh, shx = suffix(big_h), suffix(big_hx)
    gid = s.gid
    r = np.exp(k["eta"] - k["c"])
    ev = s.e.astype(float)
    hi = sh[gid] - ev * own_h[gid]
    hxi = shx[gid] - ev[:, None] * own_hx[gid]
    u = ev[:, None] * (s.x - xb[gid]) - r[:, None] * (s.x * hi[:, None] - hxi)
    return u


# ----------------------------------------------------------------------------- concordance
def _count_before_less(r: np.ndarray) -> np.ndarray:
    """For each position i, the number of positions j < i with r[j] < r[i].

    Bottom-up merge sort (O(n log n) with timsort merging the sorted runs): when two sorted
    halves merge, an element of the right half is preceded by exactly the left-half elements
    with a smaller value (equal values of the right half sort first).
    """
    n = len(r)
    out = np.zeros(n, dtype=np.int64)
    idx = np.arange(n, dtype=np.int64)
    pos = np.arange(n, dtype=np.int64)
    vals = np.asarray(r, dtype=np.int64).copy()
    big = np.int64(2 * (vals.max() + 2)) if n else np.int64(2)
    bs = 1
    while bs < n:
        parent = pos // (2 * bs)
        is_left = (pos // bs) % 2 == 0
        perm = np.argsort(parent * big + 2 * vals + is_left, kind="stable")
        newpos = np.empty(n, np.int64)
        newpos[perm] = pos
        right = ~is_left
        base = parent[right] * 2 * bs
        out[idx[right]] += (newpos[right] - base) - (pos[right] - base - bs)
        vals, idx = vals[perm], idx[perm]
        bs *= 2
    return out


def concordance(
    durations: np.ndarray, events: np.ndarray, risk: np.ndarray, strata: np.ndarray | None = None
) -> dict[str, float]:
    """Harrell's C of a risk score (higher risk, shorter time), counted as R's ``concordance``.

    A pair is comparable when the shorter time is an event; a censored time equal to an event
    time counts as longer; two events at the same time are tied on time and not used. Pairs
    are formed within strata only. C = (concordant + tied_risk / 2) / (concordant +
    discordant + tied_risk), as ``survival::concordance`` (its ``tied.x`` is our
    ``tied_risk``).

    ``durations`` and ``events`` are arrays (follow-up times, 0/1 events), not column names.
    Returns a dict with ``concordant``, ``discordant``, ``tied_risk``, ``concordance``.
    """
    time = np.asarray(durations, float)
    event = np.asarray(events, np.int64)
    risk = np.asarray(risk, float)
    strata = np.zeros(len(time), np.int64) if strata is None else np.asarray(strata)
    conc = disc = tied = 0
    for st in np.unique(strata):
        m = strata == st
        t, e, r = time[m], event[m], risk[m]
        # comparable j for event i: key_j > key_i with key = 2 rank(t) + (1 - e)
        key = 2 * np.unique(t, return_inverse=True)[1].astype(np.int64) + (1 - e)
        rr = np.unique(r, return_inverse=True)[1].astype(np.int64)
        # order by key descending, ties in key by risk descending: then the j before i with a
        # lower risk all have a larger key
        o = np.lexsort((-rr, -key))
        less = np.empty(len(t), np.int64)
        less[o] = _count_before_less(rr[o])
        ks = np.sort(key)
        total = len(key) - np.searchsorted(ks, key, "right")  # key_j > key_i
        big = np.int64(key.max() + 2)
        rk = np.sort(rr * big + key)  # same risk, larger key
        same = np.searchsorted(rk, rr * big + big, "left") - np.searchsorted(
            rk, rr * big + key, "right"
        )
        ev = e == 1
        conc += int(less[ev].sum())
        tied += int(same[ev].sum())
        disc += int((total - less - same)[ev].sum())
    denom = conc + disc + tied
    c = (conc + tied / 2) / denom if denom else np.nan
    return {"concordant": conc, "discordant": disc, "tied_risk": tied, "concordance": c}


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class CoxResult:
    """A fitted Cox model. ``summary`` (also ``table``) has one row per term; the rest are
    attributes. Its repr is one line (n, events, terms, LR test); ``covariance`` is there to
    be read, not printed."""

    summary: pd.DataFrame
    loglik: float
    loglik_null: float
    lr_statistic: float
    lr_df: int
    lr_p_value: float
    wald_statistic: float
    wald_p_value: float
    score_statistic: float
    score_p_value: float
    n: int
    events: int
    ties: str
    strata: tuple[str, ...]
    covariance: pd.DataFrame
    converged: bool
    covariates: tuple[str, ...]
    _assign: tuple[tuple[int, ...], ...] = field(repr=False)
    _sorted: Any = field(repr=False)
    _order: np.ndarray = field(repr=False)
    _stratum: np.ndarray = field(repr=False)

    @cached_property
    def concordance(self) -> float:
        """Harrell's C of the linear predictor, as R's coxph (computed on first access)."""
        s = self._sorted
        lp = s.x @ self.summary["coef"].to_numpy()
        return concordance(s.t, s.e, lp, self._stratum[self._order])["concordance"]

    _what = "Cox proportional-hazards model"
    _key_fields = ("n", "events", "covariates", "ties", "lr_statistic", "lr_df", "lr_p_value")

    @property
    def table(self) -> pd.DataFrame:
        """The per-term table (same as ``summary``)."""
        return self.summary

    def __repr__(self) -> str:
        return result_repr(self, self._what, self._key_fields)

    def _repr_html_(self) -> str:
        head = (
            f"<p>Cox model, {self.ties} ties: n = {self.n}, events = {self.events}; "
            f"LR = {self.lr_statistic:.3f} on {self.lr_df} df (p = {self.lr_p_value:.3g}); "
            f"concordance = {self.concordance:.3f}</p>"
        )
        return head + self.summary.to_html(index=False)

    def proportional_hazards(self, transform: str = "km") -> pd.DataFrame:
        """Shortcut for :func:`proportional_hazards` on this fit."""
        return proportional_hazards(self, transform=transform)


def cox(
    frame: pd.DataFrame | FollowUp,
    covariates: Sequence[str] = (),
    *,
    duration: str = "duration",
    event: str = "event",
    ties: str = "efron",
    strata: str | Sequence[str] | None = None,
    reference: Mapping[str, Any] | None = None,
    conf_level: float = 0.95,
    weights: str | None = None,
    cluster: str | None = None,
    robust: bool | None = None,
    **deprecated: Any,
) -> CoxResult:
    """Fit a Cox proportional-hazards model by Newton–Raphson on the partial likelihood.

    Parameters
    ----------
    frame
        One row per client, e.g. from :func:`followup`.
    duration, event
        Follow-up time and 0/1 event columns.
    covariates
        Columns to model. Numeric columns enter as they are; strings, categoricals and
        booleans are dummy-coded against their first level (categories order for
        categoricals, sorted order otherwise, ``False`` for booleans) unless ``reference``
        names another; dummy terms are named ``column[level]``. Rows with a missing
        covariate are dropped (R's ``na.omit``), with a :class:`DataQualityWarning`.
    ties
        ``"efron"`` (default, as R and lifelines) or ``"breslow"``.
    strata
        Column(s) defining strata with their own baseline hazard.
    reference
        ``{column: level}`` reference levels.
    conf_level
        Level of the hazard-ratio intervals.
    weights
        Column of case weights (> 0), e.g. inverse-probability weights: the partial
        likelihood is weighted as R's ``coxph(weights=)`` (Efron terms of tied events count
        with their mean weight).
    cluster
        Column of clusters (e.g. ``"facility"``): the robust variance sums the score
        residuals within each cluster first (R's ``cluster()``); implies ``robust``.
    robust
        Sandwich (Lin–Wei) variance D'D from the dfbeta residuals D, as R's
        ``coxph(robust = TRUE)``. Default: on when ``weights`` or ``cluster`` is given
        (R turns it on for ``cluster`` only; with estimated weights the model-based
        variance is wrong, so it is on here too), off otherwise.

    Returns
    -------
    CoxResult
        ``summary`` columns: ``term``, ``coef`` (log hazard ratio), ``hr`` (exp(coef)),
        ``se``, ``z`` (coef / se), ``p_value`` (two-sided Wald), ``hr_ci_low``,
        ``hr_ci_high`` (exp(coef ± z se)). Attributes: ``loglik`` (at the estimate),
        ``loglik_null``, ``lr_statistic`` = 2 (loglik - loglik_null), ``lr_df``,
        ``lr_p_value``, ``wald_statistic`` = b' I(b) b, ``wald_p_value``,
        ``score_statistic`` = U(0)' I(0)^-1 U(0), ``score_p_value``, ``concordance``
        (Harrell's C of the linear predictor, see :func:`concordance`; computed on first
        access), ``n``, ``events``,
        ``covariance`` (inverse information, or the robust variance), ``converged``.
        With a robust variance ``se``, ``z``, ``p_value``, the intervals and the Wald test
        use it, and ``summary`` gains ``se_naive`` (the model-based SE); the likelihood-
        ratio and score tests stay model-based. The concordance ignores the weights.

    Notes
    -----
    Efron's approximation for tied event times: at an event time with d events, D the tied
    set and R the risk set, the log partial likelihood gains sum_D eta_i - sum_{l=0}^{d-1}
    log(sum_R exp(eta) - (l/d) sum_D exp(eta)). The fit iterates Newton–Raphson (step
    halving when the likelihood falls) to a relative change below 1e-12, from beta = 0, as
    R. Coefficients, standard errors, the three tests and the concordance match
    ``survival::coxph`` (tested on the Rossi data to 1e-6). A :class:`ModelWarning` is
    issued with fewer than 10 events per term (Peduzzi et al. 1995) or without convergence.

    References
    ----------
    Cox, D. R. (1972). Regression models and life-tables. *JRSS B*, 34, 187–220.
    Efron, B. (1977). The efficiency of Cox's likelihood function for censored data. *JASA*,
    72, 557–565. Therneau, T. M., & Grambsch, P. M. (2000). *Modeling Survival Data:
    Extending the Cox Model*. Springer. Peduzzi, P., et al. (1995). Importance of events per
    independent variable in proportional hazards regression analysis. *J Clin Epidemiol*,
    48, 1503–1510.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.integers(0, 2, 400)
    >>> f = pd.DataFrame({"duration": rng.exponential(1 / np.exp(0.7 * x)), "event": 1, "x": x})
    >>> round(float(cox(f, covariates=["x"]).summary["hr"].iloc[0]), 1)
    2.0
    """
    (conf_level,) = renamed("cox", deprecated, conf_level=conf_level)
    from scipy.stats import chi2, norm

    if ties not in TIES:
        raise ConfigError(f"cox: ties {ties!r}; choose one of {TIES}.")
    covariates = list(covariates)
    strata_cols = [] if strata is None else ([strata] if isinstance(strata, str) else list(strata))
    frame = as_table(frame)
    extra_cols = [c for c in (weights, cluster) if c is not None]
    require_columns(frame, [duration, event, *covariates, *strata_cols, *extra_cols], "cox")
    if not covariates:
        raise ConfigError("cox: give at least one covariate.")
    t, e = durations_events(frame, duration, event, "cox")
    x, names, assign, complete = _design(frame, covariates, reference)
    if strata_cols:
        complete &= frame[strata_cols].notna().all(axis=1).to_numpy()
    if cluster is not None:
        complete &= frame[cluster].notna().to_numpy()
    cw = None
    if weights is not None:
        cw_all = pd.to_numeric(frame[weights], errors="coerce").to_numpy(float, na_value=np.nan)
        bad = ~(np.isfinite(cw_all) & (cw_all > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"cox: column {weights!r} row {frame.index[i]!r} has value "
                f"{frame[weights].iloc[i]!r}; weights must be positive numbers (drop rows "
                "with weight 0 first)."
            )
        cw = cw_all[complete]
    robust = bool(weights is not None or cluster is not None) if robust is None else robust
    if cluster is not None and not robust:
        raise ConfigError("cox: cluster needs robust=True (or leave robust unset).")
    n_drop = int((~complete).sum())
    if n_drop:
        from rehab_eval.errors import DataQualityWarning

        warnings.warn(
            f"cox: {n_drop} row(s) with a missing covariate or stratum were left out.",
            DataQualityWarning,
            stacklevel=2,
        )
    x, t, e = x[complete], t[complete], e[complete]
    if strata_cols:
        stratum = frame.loc[complete, strata_cols].astype(str).agg("\x1f".join, axis=1).to_numpy()
        stratum = np.unique(stratum, return_inverse=True)[1]
    else:
        stratum = np.zeros(len(t), np.int64)
    p = x.shape[1]
    n_events = int(e.sum())
    if n_events == 0:
        raise InputError("cox: no events among the complete rows; a Cox model cannot be fitted.")
    if n_events < 10 * p:
        warnings.warn(
            f"cox: {n_events} events for {p} term(s) ({n_events / p:.1f} per term, under 10): "
            "estimates and tests may be unreliable; use fewer covariates.",
            ModelWarning,
            stacklevel=2,
        )
    s = _prepare(x, t, e, stratum, ties, cw)
    beta, ll, info, ll0, grad0, info0, converged = _newton(s, p)
    sd = x.std(axis=0) if len(x) else np.zeros(p)
    huge = [names[j] for j in range(p) if not np.isfinite(beta[j]) or abs(beta[j]) * sd[j] > 10]
    if not converged or huge:
        warnings.warn(
            f"cox: Newton–Raphson did not converge or coefficient(s) {huge} may be infinite "
            "(a covariate separates events from non-events; hazard ratio over e^10 per "
            "standard deviation); treat the estimates with care.",
            ModelWarning,
            stacklevel=2,
        )
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(info)
    se_naive = np.sqrt(np.diag(cov))
    if robust:
        resid = _score_residuals(s, beta)
        if s.cw is not None:
            resid = resid * s.cw[:, None]
        dfbeta = resid @ cov
        if cluster is not None:
            cl = frame.loc[complete, cluster].astype(str).to_numpy()[s.order]
            codes = np.unique(cl, return_inverse=True)[1]
            summed = np.zeros((codes.max() + 1, p))
            np.add.at(summed, codes, dfbeta)
            dfbeta = summed
        cov = dfbeta.T @ dfbeta
    se = np.sqrt(np.diag(cov))
    z = beta / se
    zc = z_value(conf_level)
    with np.errstate(over="ignore"):
        summary = pd.DataFrame(
            {
                "term": names,
                "coef": beta,
                "hr": np.exp(beta),
                "se": se,
                "z": z,
                "p_value": 2 * norm.sf(np.abs(z)),
                "hr_ci_low": np.exp(beta - zc * se),
                "hr_ci_high": np.exp(beta + zc * se),
            }
        )
    if robust:
        summary["se_naive"] = se_naive
    lr = 2 * (ll - ll0)
    if robust:
        wald = float(beta @ np.linalg.pinv(cov) @ beta)
    else:
        wald = float(beta @ info @ beta)
    try:
        score = float(grad0 @ np.linalg.solve(info0, grad0))
    except np.linalg.LinAlgError:
        score = float(grad0 @ np.linalg.pinv(info0) @ grad0)
    return CoxResult(
        summary=summary,
        loglik=ll,
        loglik_null=ll0,
        lr_statistic=lr,
        lr_df=p,
        lr_p_value=float(chi2.sf(lr, p)),
        wald_statistic=wald,
        wald_p_value=float(chi2.sf(wald, p)),
        score_statistic=score,
        score_p_value=float(chi2.sf(score, p)),
        n=len(t),
        events=n_events,
        ties=ties,
        strata=tuple(strata_cols),
        covariance=pd.DataFrame(cov, index=names, columns=names),
        converged=converged,
        covariates=tuple(covariates),
        _assign=tuple(tuple(a) for a in assign),
        _sorted=s,
        _order=s.order,
        _stratum=stratum,
    )


def proportional_hazards(fit: CoxResult, transform: str = "km") -> pd.DataFrame:
    """Test of proportional hazards from scaled Schoenfeld residuals, as R's ``cox.zph``.

    Parameters
    ----------
    fit
        A :class:`CoxResult`.
    transform
        Time scale g(t) of the test: ``"km"`` (R's default: 1 - KM(t-) of the pooled data),
        ``"rank"``, ``"identity"`` or ``"log"``.

    Returns
    -------
    pandas.DataFrame
        One row per covariate and a ``GLOBAL`` row: ``term``, ``chisq``, ``df``, ``p_value``.

    Notes
    -----
    As ``cox.zph`` in survival >= 3.0 (Therneau & Grambsch 2000, ch. 6): the score test, at
    (beta_hat, gamma = 0), of adding the interactions x * (g(t) - mean of g over events) to
    the model, using the full information matrix of the augmented model (with the same
    ties handling as the fit) rather than the older Grambsch–Therneau approximation. A
    covariate with several dummy terms is tested jointly (``terms=TRUE``). Small p-values
    suggest a hazard ratio that changes with time.

    References
    ----------
    Grambsch, P. M., & Therneau, T. M. (1994). Proportional hazards tests and diagnostics
    based on weighted residuals. *Biometrika*, 81, 515–526.
    """
    from scipy.stats import chi2

    s: _Sorted = fit._sorted
    t = s.t
    if transform == "km":
        from rehab_eval.recidivism.km import _steps

        st = _steps(s.t, s.e)
        idx = np.searchsorted(st["time"], t, "left")  # times strictly before t
        ttimes = 1 - np.r_[1.0, st["surv"]][idx]
    elif transform == "rank":
        from scipy.stats import rankdata

        ttimes = rankdata(t)
    elif transform == "identity":
        ttimes = t
    elif transform == "log":
        ttimes = np.log(t)
    else:
        raise ConfigError(
            f"proportional_hazards: transform {transform!r}; choose km, rank, identity or log."
        )
    g = ttimes - ttimes[s.e == 1].mean()
    beta = fit.summary["coef"].to_numpy()
    _, _, info, k = _loglik_grad_info(s, beta)
    # g(t) is the same for every event row of a tie group
    gw = g[s.ev_pos][s.ev_start]
    resid = s.x[s.ev_pos] - k["mean"]
    p = len(beta)
    u2 = (g[s.ev_pos][:, None] * resid).sum(axis=0)
    i12 = _info(k, s, gw)
    i22 = _info(k, s, gw * gw)
    imat = np.block([[info, i12], [i12.T, i22]])
    u = np.r_[np.zeros(p), u2]
    rows = []
    for name, jj in zip(fit.covariates, fit._assign, strict=True):
        kk = np.r_[np.arange(p), np.asarray(jj) + p]
        uu = u[kk]
        stat = float(uu @ np.linalg.solve(imat[np.ix_(kk, kk)], uu))
        rows.append(
            {"term": name, "chisq": stat, "df": len(jj), "p_value": float(chi2.sf(stat, len(jj)))}
        )
    stat = float(u @ np.linalg.solve(imat, u))
    rows.append({"term": "GLOBAL", "chisq": stat, "df": p, "p_value": float(chi2.sf(stat, p))})
    return pd.DataFrame(rows)
