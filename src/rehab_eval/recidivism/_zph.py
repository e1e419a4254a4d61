"""Test of proportional hazards of a Cox fit (R's ``cox.zph``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError
from rehab_eval.recidivism._coxfit import (
    _info,
    _loglik_grad_info,
    _quadratic,
    _Sorted,
    _term_means,
)

if TYPE_CHECKING:
    from rehab_eval.recidivism.cox import CoxResult

__all__ = ["proportional_hazards"]


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
    # weighted Schoenfeld residuals: case weight x x minus the term weight x the risk-set mean
    xw, mw = s.x[s.ev_pos], _term_means(k, s)
    if s.cw is not None:
        xw, mw = xw * s.cw[s.ev_pos][:, None], mw * s.ew[:, None]
    p = len(beta)
    u2 = (g[s.ev_pos][:, None] * (xw - mw)).sum(axis=0)
    i12 = _info(k, s, gw)
    i22 = _info(k, s, gw * gw)
    imat = np.block([[info, i12], [i12.T, i22]])
    u = np.r_[np.zeros(p), u2]
    rows = []
    for name, jj in zip(fit.covariates, fit._assign, strict=True):
        kk = np.r_[np.arange(p), np.asarray(jj) + p]
        uu = u[kk]
        stat = _quadratic(uu, imat[np.ix_(kk, kk)])
        rows.append(
            {"term": name, "chisq": stat, "df": len(jj), "p_value": float(chi2.sf(stat, len(jj)))}
        )
    stat = _quadratic(u, imat)
    rows.append({"term": "GLOBAL", "chisq": stat, "df": p, "p_value": float(chi2.sf(stat, p))})
    return pd.DataFrame(rows)
