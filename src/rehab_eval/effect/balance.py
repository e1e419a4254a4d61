"""Covariate balance between participants and comparison people, before and after weighting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rehab_eval.effect._design import covariate_design, html_table, require, treatment_indicator
from rehab_eval.effect.weights import effective_size

__all__ = ["Balance", "balance"]

#: |SMD| under which a covariate is usually called balanced (Austin 2009).
SMD_THRESHOLD = 0.1


@dataclass(frozen=True, eq=False)
class Balance:
    """Standardised mean differences per covariate term.

    Attributes
    ----------
    table : DataFrame
        One row per term (numeric covariate, or one level of a categorical one):
        ``covariate``, ``term``, ``mean_treated``, ``mean_control`` (unweighted),
        ``smd_before``, ``mean_treated_w``, ``mean_control_w``, ``smd_after`` (weighted;
        NaN without weights), ``var_ratio_before``, ``var_ratio_after`` (treated / control
        variance).
    ess : DataFrame
        ``treated`` (0/1), ``n``, ``ess_before`` (= n), ``ess_after`` (Kish).
    threshold : float
        The |SMD| line drawn in the love plot (0.1).
    """

    table: pd.DataFrame
    ess: pd.DataFrame
    threshold: float = SMD_THRESHOLD

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``n_terms``, ``max_abs_smd_before``, ``max_abs_smd_after``,
        ``n_imbalanced_before``, ``n_imbalanced_after`` (|SMD| ≥ threshold)."""
        b, a = self.table["smd_before"].abs(), self.table["smd_after"].abs()
        return pd.DataFrame(
            [
                {
                    "n_terms": len(self.table),
                    "max_abs_smd_before": float(b.max()),
                    "max_abs_smd_after": float(a.max()) if a.notna().any() else np.nan,
                    "n_imbalanced_before": int((b >= self.threshold).sum()),
                    "n_imbalanced_after": int((a >= self.threshold).sum()),
                }
            ]
        )

    def __repr__(self) -> str:
        s = self.summary.iloc[0].to_dict()
        return (
            f"Balance({s['n_terms']} terms; max |SMD| {s['max_abs_smd_before']:.3f} before, "
            f"{s['max_abs_smd_after']:.3f} after)"
        )

    def _repr_html_(self) -> str:
        return f"<p><b>Balance</b>: {self!r}</p>" + html_table(self.table)


def _wmean_var(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sw = w.sum()
    m = (w[:, None] * x).sum(axis=0) / sw
    v = (w[:, None] * (x - m) ** 2).sum(axis=0) / sw
    return m, v


def balance(
    frame: pd.DataFrame,
    *,
    treatment: str,
    covariates: Sequence[str],
    weights: str | None = None,
) -> Balance:
    """Standardised mean differences of the covariates before and after weighting.

    Parameters
    ----------
    frame : DataFrame
        One row per person.
    treatment : str
        0/1 (or boolean) programme column.
    covariates : sequence of str
        Covariates to check (categorical ones give one row per level).
    weights : str, optional
        Column of analysis weights (IPW or matching; 0 = left out).

    Returns
    -------
    Balance
        See :class:`Balance`.

    Notes
    -----
    SMD = (m₁ − m₀) / √((s₁² + s₀²)/2) with the variances of the unweighted groups in the
    denominator both before and after weighting, so the two columns differ only through
    the means (Austin & Stuart 2015). A 0/1 term is treated like any numeric one, which
    gives the usual p(1 − p) variances.

    References
    ----------
    Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline
    covariates between treatment groups in propensity-score matched samples. *Stat Med*,
    28, 3083–3107. Austin, P. C., & Stuart, E. A. (2015). Moving towards best practice
    when using inverse probability of treatment weighting (IPTW). *Stat Med*, 34,
    3661–3679.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"treated": [1, 1, 0, 0], "age": [20.0, 30.0, 30.0, 40.0]})
    >>> balance(f, treatment="treated", covariates=["age"]).table["smd_before"].round(3).tolist()
    [-2.0]
    """
    require(frame, [treatment, *([weights] if weights else [])], "balance")
    z = treatment_indicator(frame, treatment, "balance")
    x_df, terms = covariate_design(frame, covariates, "balance", drop_first=False)
    x = x_df.to_numpy(float)
    covariate_of = {term: c for c, ts in terms.items() for term in ts}
    ones = np.ones(len(z))
    m1, v1 = _wmean_var(x[z == 1], ones[z == 1])
    m0, v0 = _wmean_var(x[z == 0], ones[z == 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt((v1 + v0) / 2)
        smd_b = np.where(sd > 0, (m1 - m0) / sd, 0.0)
        vr_b = v1 / v0
    nan = np.full(len(m1), np.nan)
    mw1 = mw0 = smd_a = vr_a = nan
    w = None
    if weights is not None:
        w = pd.to_numeric(frame[weights], errors="coerce").to_numpy(float)
        if np.any(~np.isfinite(w) | (w < 0)):
            from rehab_eval.errors import InputError

            i = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
            raise InputError(
                f"balance: column {weights!r} row {frame.index[i]!r} has value "
                f"{frame[weights].iloc[i]!r}; weights must be numbers >= 0."
            )
        mw1, vw1 = _wmean_var(x[z == 1], w[z == 1])
        mw0, vw0 = _wmean_var(x[z == 0], w[z == 0])
        with np.errstate(divide="ignore", invalid="ignore"):
            smd_a = np.where(sd > 0, (mw1 - mw0) / sd, 0.0)
            vr_a = vw1 / vw0
    table = pd.DataFrame(
        {
            "covariate": [covariate_of[c] for c in x_df.columns],
            "term": list(x_df.columns),
            "mean_treated": m1,
            "mean_control": m0,
            "smd_before": smd_b,
            "mean_treated_w": mw1,
            "mean_control_w": mw0,
            "smd_after": smd_a,
            "var_ratio_before": vr_b,
            "var_ratio_after": vr_a,
        }
    )
    ess = pd.DataFrame(
        [
            {
                "treated": g,
                "n": int((z == g).sum()),
                "ess_before": float((z == g).sum()),
                "ess_after": effective_size(w[z == g]) if w is not None else np.nan,
            }
            for g in (1, 0)
        ]
    )
    return Balance(table=table, ess=ess)
