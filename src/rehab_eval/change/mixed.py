"""Linear mixed models over all timepoints (statsmodels MixedLM, REML)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from rehab_eval._deprecation import renamed
from rehab_eval.change._pairs import (
    MIN_PAIRS,
    as_list,
    check_columns,
    check_numeric,
    check_unique,
    order_timepoints,
    sample_clients,
)
from rehab_eval.errors import ConfigError, InputError, ModelWarning, SmallSampleWarning

__all__ = ["TrajectoryResult", "eb_slopes", "trajectory"]

_OPTIMIZERS = ["lbfgs", "bfgs", "powell", "nm"]


@dataclass(frozen=True, eq=False)
class TrajectoryResult:
    """A fitted trajectory of one measure over time.

    Attributes
    ----------
    measure : str
        The score column modelled.
    fixed : DataFrame
        Fixed effects: ``term``, ``estimate``, ``std_error``, ``z``, ``p_value``, ``ci_low``,
        ``ci_high`` (Wald, normal reference as in statsmodels). Terms: ``intercept`` (mean at
        the first timepoint at average covariates), ``timepoint[<code>]`` (difference from
        the first timepoint; ``shape="categorical"``) or ``time`` (slope per unit of time;
        ``shape="linear"``), then the covariates.
    means : DataFrame
        Model-based mean per timepoint at the covariate averages: ``timepoint``, ``time``
        (numeric time used), ``mean``, ``ci_low``, ``ci_high``, ``n`` (clients measured there).
    variance : DataFrame
        Variance components: ``component`` (``intercept``, ``slope``, ``intercept_slope``
        covariance, ``residual``), ``value``.
    n_clients, n_obs : int
        Clients and observations used (every available observation of every client).
    n_clients_total : int
        Clients with the measure observed; more than ``n_clients`` when the model was fitted
        on a random sample of them (``max_clients``).
    random, shape : str
        Random-effects structure and time coding used.
    converged : bool
        Whether the REML optimizer converged without warnings.
    loglik : float
        REML log-likelihood.
    notes : tuple of str
        Warnings raised during the fit, in words.
    """

    measure: str
    fixed: pd.DataFrame
    means: pd.DataFrame
    variance: pd.DataFrame
    n_clients: int
    n_obs: int
    random: str
    shape: str
    converged: bool
    loglik: float
    notes: tuple[str, ...] = field(default=())
    n_clients_total: int = 0

    @property
    def sampled(self) -> bool:
        """Whether the model was fitted on a random sample of the clients."""
        return self.n_clients_total > self.n_clients

    @property
    def summary(self) -> pd.DataFrame:
        """One-row model summary: ``measure``, ``n_clients``, ``n_obs``, ``n_timepoints``,
        ``random``, ``shape``, ``method`` (REML), ``converged``, ``loglik``,
        ``var_intercept``, ``var_residual``, ``icc`` (intercept variance share)."""
        var = dict(zip(self.variance["component"], self.variance["value"], strict=True))
        vi, vr = var.get("intercept", np.nan), var.get("residual", np.nan)
        return pd.DataFrame(
            [
                {
                    "measure": self.measure,
                    "n_clients": self.n_clients,
                    "n_obs": self.n_obs,
                    "n_timepoints": len(self.means),
                    "random": self.random,
                    "shape": self.shape,
                    "method": "REML",
                    "converged": self.converged,
                    "loglik": self.loglik,
                    "var_intercept": vi,
                    "var_residual": vr,
                    "icc": vi / (vi + vr) if vi + vr > 0 else np.nan,
                }
            ]
        )

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Trajectory of {self.measure}</b>: linear mixed model (REML), random "
            f"{self.random}, {self.n_clients} clients, {self.n_obs} observations"
            f"{'' if self.converged else ' — <b>did not converge</b>'}.</p>"
        )
        return (
            head
            + "<p>Means per timepoint</p>"
            + self.means.to_html(index=False, float_format=lambda v: f"{v:.3f}")
            + "<p>Fixed effects</p>"
            + self.fixed.to_html(index=False, float_format=lambda v: f"{v:.4g}")
        )


def trajectory(
    scores: pd.DataFrame,
    measure: str,
    *,
    client: str = "client_id",
    timepoint: str = "timepoint",
    order: Sequence[str] | dict[str, float] | None = None,
    covariates: str | Sequence[str] | None = None,
    random: Literal["intercept", "slope"] = "intercept",
    shape: Literal["categorical", "linear"] = "categorical",
    conf_level: float = 0.95,
    arm: str | None = None,
    max_clients: int | None = None,
    seed: int = 0,
    **deprecated: Any,
) -> TrajectoryResult:
    """Linear mixed model of a measure over all available timepoints.

    Parameters
    ----------
    scores : DataFrame
        Long by time: one row per client × timepoint. Every observed value is used, so
        clients missing a timepoint still contribute (missing at random assumed).
    measure : str
        Score column.
    client, timepoint : str
        Client and timepoint columns.
    order : sequence or mapping, optional
        Timepoint order (numbered 0, 1, 2, ...) or a mapping code -> numeric time (e.g.
        months). Default: canonical order of :data:`rehab_eval.vocab.TIMEPOINTS`, numbered
        0, 1, 2, ... over the codes present.
    covariates : str or sequence of str, optional
        Extra fixed effects (numeric, or categorical coded as treatment dummies).
    random : {"intercept", "slope"}
        Random intercept per client (default) or random intercept and slope on numeric time
        (unstructured 2×2 covariance).
    shape : {"categorical", "linear"}
        Time as a factor (one mean per timepoint; default) or as a linear trend.
    conf_level : float
        Level of the Wald intervals.
    arm : str, optional
        Column naming the arm of each client (e.g. programme vs comparison). Adds the arm
        (against its first level, sorted) and the arm × time interaction: with
        ``shape="linear"`` the term ``<arm>[<level>]:time`` is the difference in slope per
        unit of time between the arms; with ``shape="categorical"`` the terms
        ``<arm>[<level>]:timepoint[<code>]`` are the differences between the arms in the
        change from the first timepoint to ``<code>`` (difference in differences), each one
        estimate with its interval. ``means`` stays at the arm average.
    max_clients : int, optional
        Fit on a simple random sample (without replacement) of this many clients when more
        have the measure observed; None (default) fits on every client. The REML fit costs
        time in proportion to the clients (statsmodels evaluates the likelihood client by
        client), so with a national register the sample bounds the time while the
        estimates stay unbiased: the intervals are those of the sample (wider by
        √(clients / max_clients) than a fit on all). Every observation of a sampled client
        is used, so the clients' missing-timepoint patterns are kept as they are.
    seed : int
        Seed of that sample (numpy ``default_rng``) over the sorted client identifiers: the
        same data and seed give the same sample.

    Returns
    -------
    TrajectoryResult
        ``.fixed``, ``.means``, ``.variance``, ``.summary``; see :class:`TrajectoryResult`.

    Warns
    -----
    SmallSampleWarning
        Fewer than 10 clients.
    ModelWarning
        The REML fit did not converge, or a variance lies on the boundary.

    Notes
    -----
    y_ij = x_ijᵀβ + z_ijᵀb_i + ε_ij, b_i ~ N(0, G), ε_ij ~ N(0, σ²), fitted by restricted
    maximum likelihood (statsmodels ``MixedLM``; the same model as R
    ``nlme::lme(y ~ factor(time), random = ~ 1 | id, method = "REML")`` and
    ``lme4::lmer(..., REML = TRUE)``). The covariance of β̂ is σ̂²(XᵀV̂⁻¹X)⁻¹ at the REML
    variance estimates, as lme4 ``vcov`` and nlme report it (not the fixed block of the
    inverse Hessian over all parameters, which is larger when a between-client covariate
    meets a random slope); tested against lme4 on nlme's Orthodont data. Means per timepoint
    are L·β̂ with L the design row at the covariate averages, SE √(L·Cov(β̂)·Lᵀ); intervals use
    the normal reference, which is optimistic with few clients (no Kenward–Roger
    correction is available in statsmodels).

    References
    ----------
    Laird, N. M., & Ware, J. H. (1982). Random-effects models for longitudinal data.
    Biometrics 38:963–974. Fitzmaurice, G. M., Laird, N. M., & Ware, J. H. (2011).
    Applied Longitudinal Analysis, 2nd ed. Wiley.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> s = pd.DataFrame({
    ...     "client_id": np.repeat([f"c{i}" for i in range(30)], 3),
    ...     "timepoint": ["pre", "m3", "post"] * 30,
    ...     "score": np.tile([50.0, 53.0, 56.0], 30) + rng.normal(0, 3, 90)
    ...     + np.repeat(rng.normal(0, 5, 30), 3)})
    >>> res = trajectory(s, "score")
    >>> res.means["timepoint"].tolist(), res.means["n"].tolist()
    (['pre', 'm3', 'post'], [30, 30, 30])
    """
    client, timepoint, conf_level = renamed(
        "trajectory", deprecated, client=client, timepoint=timepoint, conf_level=conf_level
    )
    from scipy import stats

    covs = as_list(covariates)
    arm_cols = [] if arm is None else [arm]
    if random not in ("intercept", "slope"):
        raise ConfigError(f"random must be 'intercept' or 'slope', got {random!r}.")
    if shape not in ("categorical", "linear"):
        raise ConfigError(f"shape must be 'categorical' or 'linear', got {shape!r}.")
    check_columns(scores, [client, timepoint, measure, *covs, *arm_cols])
    check_numeric(scores, [measure])
    check_unique(scores, [client, timepoint])
    data = scores.loc[
        :, list(dict.fromkeys([client, timepoint, measure, *covs, *arm_cols]))
    ].dropna()
    if data.empty:
        raise InputError(f"no row has {measure!r} (and the covariates) observed.")
    codes = data[timepoint].astype("string")
    times = order_timepoints(codes.unique().tolist(), order)
    if len(times) < 2:
        raise InputError(f"{measure!r} is observed at one timepoint only ({list(times)}).")
    data = data.assign(**{timepoint: codes}, _t=codes.map(times).astype(float))
    n_total = int(data[client].nunique())
    if max_clients is not None and n_total > max_clients:
        data = data[data[client].isin(sample_clients(data[client], max_clients, seed=seed))]
    data = data.sort_values([client, "_t"], kind="stable").reset_index(drop=True)
    n_clients = int(data[client].nunique())
    if n_clients < MIN_PAIRS:
        warnings.warn(
            f"trajectory({measure!r}) rests on {n_clients} clients (< {MIN_PAIRS}); "
            "variance components and Wald intervals are unreliable at this size.",
            SmallSampleWarning,
            stacklevel=2,
        )

    tp = list(times)
    if shape == "categorical":
        time_x = pd.DataFrame(
            {f"timepoint[{c}]": (data[timepoint] == c).astype(float) for c in tp[1:]}
        )
    else:
        time_x = pd.DataFrame({"time": data["_t"] - times[tp[0]]})
    cov_x = _covariate_design(data, covs)
    arm_x = _arm_design(data, arm, time_x) if arm is not None else pd.DataFrame(index=data.index)
    exog = pd.concat(
        [pd.DataFrame({"intercept": np.ones(len(data))}), time_x, arm_x, cov_x], axis=1
    )
    exog_re = (
        np.ones((len(data), 1))
        if random == "intercept"
        else np.column_stack([np.ones(len(data)), data["_t"].to_numpy() - times[tp[0]]])
    )
    fit, notes = _fit(data[measure].to_numpy(float), exog, data[client].to_numpy(), exog_re)

    beta = np.asarray(fit.fe_params)
    cov = _fixed_cov(exog.to_numpy(float), exog_re, data[client].to_numpy(), fit)
    se = np.sqrt(np.diag(cov))
    z = stats.norm.ppf(0.5 + conf_level / 2)
    zval = beta / se
    fixed = pd.DataFrame(
        {
            "term": list(exog.columns),
            "estimate": beta,
            "std_error": se,
            "z": zval,
            "p_value": 2 * stats.norm.sf(np.abs(zval)),
            "ci_low": beta - z * se,
            "ci_high": beta + z * se,
        }
    )
    cov_means = cov_x.mean().to_numpy() if cov_x.shape[1] else np.empty(0)
    n_at = data.groupby(timepoint, sort=False)[client].nunique()
    rows = []
    for i, code in enumerate(tp):
        if shape == "categorical":
            t_part = np.eye(len(tp) - 1)[i - 1] if i > 0 else np.zeros(len(tp) - 1)
        else:
            t_part = np.array([times[code] - times[tp[0]]])
        arm_part = np.empty(0)
        if arm is not None:
            a_mean = arm_x.iloc[:, : arm_x.shape[1] // (1 + len(t_part))].mean().to_numpy()
            arm_part = np.concatenate([a_mean, np.outer(a_mean, t_part).ravel()])
        L = np.concatenate([[1.0], t_part, arm_part, cov_means])
        m, s = float(L @ beta), float(np.sqrt(L @ cov @ L))
        rows.append(
            {
                "timepoint": code,
                "time": times[code],
                "mean": m,
                "ci_low": m - z * s,
                "ci_high": m + z * s,
                "n": int(n_at.get(code, 0)),
            }
        )
    cov_re = np.asarray(fit.cov_re)
    var_rows = [("intercept", float(cov_re[0, 0]))]
    if random == "slope":
        var_rows += [("slope", float(cov_re[1, 1])), ("intercept_slope", float(cov_re[0, 1]))]
    var_rows.append(("residual", float(fit.scale)))
    return TrajectoryResult(
        measure=measure,
        fixed=fixed,
        means=pd.DataFrame(rows),
        variance=pd.DataFrame(var_rows, columns=["component", "value"]),
        n_clients=n_clients,
        n_obs=len(data),
        random=random,
        shape=shape,
        converged=bool(fit.converged) and not notes,
        loglik=float(fit.llf),
        notes=tuple(notes),
        n_clients_total=n_total,
    )


def _fixed_cov(x: np.ndarray, z: np.ndarray, groups: np.ndarray, fit) -> np.ndarray:
    """σ²(XᵀV̂⁻¹X)⁻¹ at the REML variance estimates, as lme4 ``vcov`` and nlme report it.

    Rows must be sorted by client. V_i = Z_i G Z_iᵀ + σ²I; by Woodbury,
    X_iᵀV_i⁻¹X_i = σ⁻²[X_iᵀX_i − A_i (σ²I + G B_i)⁻¹ G A_iᵀ] with A_i = X_iᵀZ_i, B_i = Z_iᵀZ_i,
    which needs no inverse of G (a variance on the boundary is fine).
    """
    g_mat = np.atleast_2d(np.asarray(fit.cov_re, dtype=float))
    s2 = float(fit.scale)
    q = z.shape[1]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    a = np.add.reduceat(x[:, :, None] * z[:, None, :], starts, axis=0)  # (m, p, q)
    b = np.add.reduceat(z[:, :, None] * z[:, None, :], starts, axis=0)  # (m, q, q)
    m_mat = s2 * np.eye(q) + np.einsum("ij,mjk->mik", g_mat, b)
    rhs = np.einsum("ij,mpj->mip", g_mat, a)  # G A_iᵀ, (m, q, p)
    solved = np.linalg.solve(m_mat, rhs)
    xtvx = (x.T @ x - np.einsum("mpq,mqr->pr", a, solved)) / s2
    try:
        return np.linalg.inv(xtvx)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(xtvx)


def _arm_design(data: pd.DataFrame, arm: str, time_x: pd.DataFrame) -> pd.DataFrame:
    """Arm dummies (first sorted level as reference), then each dummy × each time column."""
    levels = sorted(data[arm].astype("string").unique().tolist())
    if len(levels) < 2:
        raise InputError(
            f"arm column {arm!r} holds one arm only ({levels}); a between-arm contrast needs two."
        )
    values = data[arm].astype("string")
    main = pd.DataFrame(
        {f"{arm}[{lev}]": (values == lev).to_numpy(float) for lev in levels[1:]},
        index=data.index,
    )
    inter = {
        f"{m}:{tc}": main[m].to_numpy() * time_x[tc].to_numpy()
        for m in main.columns
        for tc in time_x.columns
    }
    return pd.concat([main, pd.DataFrame(inter, index=data.index)], axis=1)


def _covariate_design(data: pd.DataFrame, covs: list[str]) -> pd.DataFrame:
    parts = []
    for c in covs:
        col = data[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            parts.append(pd.DataFrame({c: col.astype(float)}))
        else:
            dummies = pd.get_dummies(col.astype("string"), prefix=c, prefix_sep="[", dtype=float)
            dummies.columns = [f"{name}]" for name in dummies.columns]
            parts.append(dummies.iloc[:, 1:])
    if not parts:
        return pd.DataFrame(index=data.index)
    return pd.concat(parts, axis=1)


def _fit(y: np.ndarray, exog: pd.DataFrame, groups: np.ndarray, exog_re: np.ndarray):
    """REML fit; statsmodels' convergence warnings come back as words and a ModelWarning."""
    from statsmodels.regression.mixed_linear_model import MixedLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    model = MixedLM(y, exog, groups, exog_re=exog_re)
    fit, caught, failures = None, [], []
    for method in _OPTIMIZERS:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always", ConvergenceWarning)
            warnings.simplefilter("always", RuntimeWarning)
            try:
                attempt = model.fit(reml=True, method=method)
            except (np.linalg.LinAlgError, ValueError) as exc:
                failures.append(f"{method}: {exc}")
                continue
        fit, caught = attempt, record
        if attempt.converged:
            break
    if fit is None:
        raise InputError(
            "the mixed model could not be fitted by any optimizer "
            f"({'; '.join(failures)}); check for a constant measure or too few clients."
        )
    notes = list(
        dict.fromkeys(
            str(w.message).splitlines()[0]
            for w in caught
            if issubclass(w.category, ConvergenceWarning | RuntimeWarning)
        )
    )
    if not fit.converged:
        notes.insert(0, "REML optimizer did not converge")
    cov_re = np.atleast_2d(np.asarray(fit.cov_re, dtype=float))
    total = float(np.trace(cov_re) + fit.scale)
    if np.any(np.diag(cov_re) <= 1e-6 * total):
        notes.append("a random-effect variance is estimated at zero (boundary fit)")
    elif cov_re.shape[0] > 1:
        sd = np.sqrt(np.diag(cov_re))
        corr = cov_re / np.outer(sd, sd)
        if np.any(np.abs(corr[np.triu_indices_from(corr, 1)]) > 0.999):
            notes.append("random intercept and slope are perfectly correlated (singular fit)")
    notes = [note.rstrip(".") for note in notes]
    if notes:
        warnings.warn(
            f"mixed model: {'; '.join(notes)}. Treat variance components and intervals with "
            "caution (a variance at zero often means too few clients or timepoints).",
            ModelWarning,
            stacklevel=3,
        )
    return fit, notes


def eb_slopes(data: pd.DataFrame, measure: str, *, id: str, tcol: str) -> tuple[pd.DataFrame, dict]:
    """Empirical-Bayes slopes of ``measure ~ t + (t | id)`` (REML).

    Returns
    -------
    (slopes, info)
        ``slopes`` indexed by client: ``eb_slope`` (conditional mode of the random slope) and
        ``eb_sd`` (its conditional SD, Var(b | y) = G − G·Zᵀ·V⁻¹·Z·G at the REML estimates, as
        lme4 ``ranef(condVar = TRUE)``); ``info`` holds ``fixed_slope``, ``cov_re``,
        ``residual_var``, ``converged``.
    """
    t = data[tcol].to_numpy(float)
    t = t - t.min()
    exog = pd.DataFrame({"intercept": np.ones(len(data)), "time": t})
    exog_re = exog.to_numpy()
    fit, notes = _fit(data[measure].to_numpy(float), exog, data[id].to_numpy(), exog_re)
    re = fit.random_effects
    cov = fit.random_effects_cov
    labels = list(re)
    slope = np.array([np.asarray(re[g])[1] for g in labels])
    sd = np.array([np.sqrt(np.asarray(cov[g])[1, 1]) for g in labels])
    slopes = pd.DataFrame({"eb_slope": slope, "eb_sd": sd}, index=pd.Index(labels, name=id))
    info = {
        "fixed_slope": float(np.asarray(fit.fe_params)[1]),
        "cov_re": np.asarray(fit.cov_re).tolist(),
        "residual_var": float(fit.scale),
        "converged": bool(fit.converged) and not notes,
    }
    return slopes, info
