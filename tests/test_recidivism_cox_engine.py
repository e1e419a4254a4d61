"""The Cox engine (recidivism/_coxfit.py, _concordance.py) against direct computations and
lifelines, with tied times, tied risks, strata and case weights.

lifelines is a test-only dependency here (never imported by the package).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rehab_eval.recidivism import concordance, cox, proportional_hazards


def _pairwise_concordance(t, e, r, strata):
    """Harrell's counts over all ordered pairs at once (O(n^2) memory; small n only)."""
    same = strata[:, None] == strata[None, :]
    comparable = (e[:, None] == 1) & same
    comparable &= (t[None, :] > t[:, None]) | ((t[None, :] == t[:, None]) & (e[None, :] == 0))
    conc = int((comparable & (r[:, None] > r[None, :])).sum())
    disc = int((comparable & (r[:, None] < r[None, :])).sum())
    tied = int((comparable & (r[:, None] == r[None, :])).sum())
    return conc, disc, tied


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_concordance_equals_all_pairs_with_ties_and_strata(seed):
    rng = np.random.default_rng(seed)
    n = 1500
    t = rng.integers(1, 40, n).astype(float)  # heavily tied times
    e = rng.integers(0, 2, n)
    r = np.round(rng.normal(size=n), 1)  # tied risks
    strata = rng.choice(np.array(["a", "b", "c"]), n)
    c = concordance(t, e, r, strata)
    assert (c["concordant"], c["discordant"], c["tied_risk"]) == _pairwise_concordance(
        t, e, r, strata
    )
    flat = concordance(t, e, r)
    assert (flat["concordant"], flat["discordant"], flat["tied_risk"]) == _pairwise_concordance(
        t, e, r, np.zeros(n)
    )
    from lifelines.utils import concordance_index

    # lifelines scores a survival prediction: higher = longer, so the risk is negated
    assert flat["concordance"] == pytest.approx(concordance_index(t, -r, e), abs=1e-12)


def _frame(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    x[:, 0] = rng.integers(0, 2, n)
    t_event = rng.exponential(1 / (0.05 * np.exp(x @ np.array([0.6, -0.3, 0.2]))))
    t = np.ceil(np.minimum(t_event, rng.uniform(5, 40, n)))  # whole days: many ties
    return pd.DataFrame(
        {
            "duration": t,
            "event": (t_event <= t).astype(int),
            "x1": x[:, 0],
            "x2": x[:, 1],
            "x3": x[:, 2],
            "level": rng.choice(["rendah", "sedang", "tinggi"], n),
            "w": rng.uniform(0.5, 2.0, n),
        }
    )


@pytest.mark.parametrize(("weighted", "strata"), [(True, False), (True, True), (False, True)])
def test_cox_efron_matches_lifelines_with_weights_strata_and_ties(weighted, strata):
    from lifelines import CoxPHFitter

    d = _frame(1200, seed=4)
    covs = ["x1", "x2", "x3"]
    fit = cox(
        d,
        covs,
        weights="w" if weighted else None,
        strata="level" if strata else None,
        robust=False,
    )
    cols = [
        *covs,
        "duration",
        "event",
        *(["w"] if weighted else []),
        *(["level"] if strata else []),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ll = CoxPHFitter().fit(
            d[cols],
            "duration",
            "event",
            weights_col="w" if weighted else None,
            strata=["level"] if strata else None,
        )
    s = fit.summary.set_index("term")
    assert np.allclose(s.loc[covs, "coef"], ll.params_.loc[covs], atol=1e-7)
    assert fit.loglik == pytest.approx(ll.log_likelihood_, abs=1e-7)
    if not weighted:
        assert np.allclose(s.loc[covs, "se"], ll.standard_errors_.loc[covs], atol=1e-7)


def _naive_loglik(t, e, x, cw, beta, gamma, gt):
    """Weighted Efron log partial likelihood by loops, with the time-varying covariate
    x * g(t) of the proportional-hazards test (coefficient gamma), as R's coxph weights."""
    ll = 0.0
    for u in np.unique(t[e == 1]):
        lin = x @ beta + (x @ gamma) * gt[u]
        dead = (t == u) & (e == 1)
        risk = t >= u
        d = dead.sum()
        r0 = (cw * np.exp(lin))[risk].sum()
        d0 = (cw * np.exp(lin))[dead].sum()
        mean_w = cw[dead].mean()
        ll += (cw * lin)[dead].sum() - mean_w * sum(np.log(r0 - k / d * d0) for k in range(d))
    return ll


def test_weighted_proportional_hazards_is_the_score_test_of_the_time_interaction():
    d = _frame(80, seed=9)
    covs = ["x1", "x2"]
    fit = cox(d, covs, weights="w", robust=False)
    zph = proportional_hazards(fit, transform="identity").set_index("term")
    t, e = d["duration"].to_numpy(), d["event"].to_numpy()
    x, cw = d[covs].to_numpy(), d["w"].to_numpy()
    gt = {u: u - t[e == 1].mean() for u in np.unique(t)}
    beta = fit.summary["coef"].to_numpy()
    theta0 = np.r_[beta, 0.0, 0.0]

    def f(theta):
        return _naive_loglik(t, e, x, cw, theta[:2], theta[2:], gt)

    h = 1e-4
    eye = np.eye(4) * h
    grad = np.array([(f(theta0 + eye[i]) - f(theta0 - eye[i])) / (2 * h) for i in range(4)])
    hess = np.array(
        [
            [
                (
                    f(theta0 + eye[i] + eye[j])
                    - f(theta0 + eye[i] - eye[j])
                    - f(theta0 - eye[i] + eye[j])
                    + f(theta0 - eye[i] - eye[j])
                )
                / (4 * h * h)
                for j in range(4)
            ]
            for i in range(4)
        ]
    )
    assert np.allclose(grad[:2], 0, atol=1e-6)  # the fit is at the maximum
    stat = float(grad @ np.linalg.solve(-hess, grad))
    assert zph.loc["GLOBAL", "chisq"] == pytest.approx(stat, rel=1e-5)
