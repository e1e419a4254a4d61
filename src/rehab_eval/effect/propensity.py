"""Propensity scores: logistic regression of programme entry on declared covariates."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rehab_eval.effect._design import covariate_design, html_table, require, treatment_indicator
from rehab_eval.errors import ModelWarning

__all__ = ["PropensityScores", "propensity"]


@dataclass(frozen=True, eq=False)
class PropensityScores:
    """Fitted propensity scores.

    Attributes
    ----------
    table : DataFrame
        One row per client: ``client`` column (its name as given), ``treated`` (0/1),
        ``ps`` (fitted probability of joining the programme), ``logit_ps``.
    coefficients : DataFrame
        ``term``, ``coef`` (log odds), ``se``, ``z``, ``p_value``, ``odds_ratio``.
    overlap : DataFrame
        Per group (``treated`` 0/1): ``n``, ``ps_min``, ``ps_p05``, ``ps_median``,
        ``ps_p95``, ``ps_max``, ``n_outside`` (scores outside the common support, the range
        shared by both groups).
    covariates : tuple of str
        Declared covariates.
    c_statistic : float
        Area under the ROC curve of the scores (0.5: groups indistinguishable; near 1:
        little overlap, the comparison rests on few similar people).
    support : tuple of float
        Common support (max of the group minima, min of the group maxima).
    """

    table: pd.DataFrame
    coefficients: pd.DataFrame
    overlap: pd.DataFrame
    covariates: tuple[str, ...]
    client: str
    c_statistic: float
    support: tuple[float, float]

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``n_treated``, ``n_control``, ``c_statistic``, ``support_low``,
        ``support_high``, ``n_outside``."""
        ov = self.overlap.set_index("treated")
        return pd.DataFrame(
            [
                {
                    "n_treated": int(ov.loc[1, "n"]),
                    "n_control": int(ov.loc[0, "n"]),
                    "c_statistic": self.c_statistic,
                    "support_low": self.support[0],
                    "support_high": self.support[1],
                    "n_outside": int(ov["n_outside"].sum()),
                }
            ]
        )

    def __repr__(self) -> str:
        s = self.summary.iloc[0].to_dict()
        return (
            f"PropensityScores({s['n_treated']} treated, {s['n_control']} comparison, "
            f"c = {self.c_statistic:.3f}, {s['n_outside']} outside common support)"
        )

    def _repr_html_(self) -> str:
        return (
            f"<p><b>Propensity scores</b>: {self!r}</p>"
            + html_table(self.overlap)
            + html_table(self.coefficients)
        )


def propensity(
    frame: pd.DataFrame,
    *,
    treatment: str,
    covariates: Sequence[str],
    client: str = "client_id",
) -> PropensityScores:
    """Propensity of joining the programme from declared covariates (logistic regression).

    Parameters
    ----------
    frame : DataFrame
        One row per person, participants and non-participants.
    treatment : str
        0/1 (or boolean) column: 1 = joined the programme.
    covariates : sequence of str
        Declared confounders (e.g. age, sex, prior offences, level, offence type, facility,
        release year). Numeric columns enter linearly, others as dummies against their
        first level.
    client : str
        Identifier column carried into ``table``.

    Returns
    -------
    PropensityScores
        See :class:`PropensityScores`.

    Warns
    -----
    ModelWarning
        The fit did not converge or a covariate separates the groups (scores of 0 or 1).

    Notes
    -----
    Maximum likelihood by statsmodels ``GLM`` (binomial, logit link), the model R fits with
    ``glm(treated ~ ..., family = binomial)``. The scores are only as good as the declared
    covariates: what drove entry and is not recorded stays confounded (see
    :func:`rehab_eval.effect.evalue`).

    References
    ----------
    Rosenbaum, P. R., & Rubin, D. B. (1983). The central role of the propensity score in
    observational studies for causal effects. *Biometrika*, 70, 41–55.
    Austin, P. C. (2011). An introduction to propensity score methods for reducing the
    effects of confounding in observational studies. *Multivar Behav Res*, 46, 399–424.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame({"client_id": range(300), "age": rng.normal(35, 8, 300)})
    >>> f["treated"] = (rng.random(300) < 1 / (1 + np.exp((f["age"] - 35) / 8))).astype(int)
    >>> ps = propensity(f, treatment="treated", covariates=["age"])
    >>> ps.coefficients["term"].tolist(), bool(ps.coefficients["coef"].iloc[1] < 0)
    (['intercept', 'age'], True)
    """
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    require(frame, [treatment, client], "propensity")
    z = treatment_indicator(frame, treatment, "propensity")
    x, _ = covariate_design(frame, covariates, "propensity", drop_first=True)
    x = x.loc[:, x.std(ddof=0) > 0]
    exog = np.column_stack([np.ones(len(x)), x.to_numpy(float)])
    names = ["intercept", *x.columns]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = GLM(z, exog, family=families.Binomial()).fit()
    ps = np.asarray(fit.fittedvalues, dtype=float)
    trouble = [
        w for w in caught if issubclass(w.category, ConvergenceWarning | PerfectSeparationWarning)
    ]
    if trouble or np.any((ps < 1e-8) | (ps > 1 - 1e-8)):
        warnings.warn(
            "propensity: some scores are 0 or 1 (a covariate separates participants from "
            "non-participants); those people have no counterpart: trim or drop the covariate.",
            ModelWarning,
            stacklevel=2,
        )
    ps = np.clip(ps, 1e-12, 1 - 1e-12)
    table = pd.DataFrame(
        {
            client: frame[client].to_numpy(),
            "treated": z,
            "ps": ps,
            "logit_ps": np.log(ps / (1 - ps)),
        }
    )
    coef = np.asarray(fit.params)
    se = np.asarray(fit.bse)
    coefficients = pd.DataFrame(
        {
            "term": names,
            "coef": coef,
            "se": se,
            "z": coef / se,
            "p_value": np.asarray(fit.pvalues),
            "odds_ratio": np.exp(coef),
        }
    )
    lo = max(ps[z == 1].min(), ps[z == 0].min())
    hi = min(ps[z == 1].max(), ps[z == 0].max())
    rows = []
    for g in (0, 1):
        p = ps[z == g]
        rows.append(
            {
                "treated": g,
                "n": int(p.size),
                "ps_min": float(p.min()),
                "ps_p05": float(np.quantile(p, 0.05)),
                "ps_median": float(np.median(p)),
                "ps_p95": float(np.quantile(p, 0.95)),
                "ps_max": float(p.max()),
                "n_outside": int(((p < lo) | (p > hi)).sum()),
            }
        )
    return PropensityScores(
        table=table,
        coefficients=coefficients,
        overlap=pd.DataFrame(rows),
        covariates=tuple(covariates),
        client=client,
        c_statistic=_auc(ps, z),
        support=(float(lo), float(hi)),
    )


def _auc(score: np.ndarray, z: np.ndarray) -> float:
    """Mann–Whitney area under the ROC curve (ties count one half)."""
    from scipy.stats import rankdata

    r = rankdata(score)
    n1, n0 = int(z.sum()), int((1 - z).sum())
    return float((r[z == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))
