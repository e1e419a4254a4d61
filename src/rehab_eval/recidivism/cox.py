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
from rehab_eval.recidivism._concordance import _concordance_sorted, _with_c, concordance
from rehab_eval.recidivism._coxfit import (
    _newton,
    _prepare,
    _quadratic,
    _score_residuals,
)
from rehab_eval.recidivism._input import durations_events, require_columns, z_value
from rehab_eval.recidivism._zph import proportional_hazards
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
    complete = np.ones(len(frame), bool)
    for c in covariates:  # column by column: no copy of the covariate columns
        complete &= frame[c].notna().to_numpy()
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
        codes, uniques = pd.factorize(s)  # missing values: -1
        uniques = list(uniques)
        seen = np.zeros(len(uniques) + 1, bool)
        seen[codes[complete]] = True
        present = [uniques[i] for i in np.flatnonzero(seen[:-1])]
        if isinstance(s.dtype, pd.CategoricalDtype):
            levels = [v for v in s.cat.categories if v in present]
        else:
            levels = sorted(present, key=lambda v: (str(type(v)), v))
        if c in reference:
            ref = reference[c]
            if ref not in levels:
                raise ConfigError(
                    f"cox: reference level {ref!r} for {c!r} not found; levels present: {levels}."
                )
            levels = [ref, *[v for v in levels if v != ref]]
        idx = []
        for lev in levels[1:]:
            hits = [i for i, u in enumerate(uniques) if u == lev]
            cols.append(np.isin(codes, hits).astype(float))
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


def _codes(columns: pd.DataFrame) -> np.ndarray:
    """One integer code per distinct combination of the values of ``columns`` (no NaN)."""
    codes = np.zeros(len(columns), np.int64)
    for c in columns.columns:
        col, uniques = pd.factorize(columns[c])
        codes = codes * len(uniques) + col
        codes = pd.factorize(codes)[0]  # keep the codes below len(columns)
    return codes


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

    @cached_property
    def concordance(self) -> float:
        """Harrell's C of the linear predictor, as R's coxph (computed on first access)."""
        s = self._sorted
        lp = s.x @ self.summary["coef"].to_numpy()
        new_stratum = np.r_[True, s.stratum[1:] != s.stratum[:-1]][: len(lp)]
        return _with_c(_concordance_sorted(s.t, s.e, lp, new_stratum))["concordance"]

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
    if not complete.all():
        x, t, e = x[complete], t[complete], e[complete]
    stratum = _codes(frame.loc[complete, strata_cols]) if strata_cols else np.zeros(len(t), int)
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
    sd = np.sqrt(np.einsum("ij,ij->j", s.x, s.x) / max(len(t), 1))  # s.x is centred
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
            codes = _codes(frame.loc[complete, [cluster]])[s.order]
            dfbeta = np.column_stack(
                [np.bincount(codes, weights=dfbeta[:, j]) for j in range(p)]
            ).reshape(-1, p)
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
    score = _quadratic(grad0, info0)
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
    )
