"""Propensity scores, IPW, matching, balance and the love plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rehab_eval.effect import balance, effective_size, ipw, match_nearest, propensity
from rehab_eval.errors import ConfigError, InputError

REF = Path(__file__).parent / "results" / "effect"
COVS = ["age", "prio", "wexp", "race"]


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    r = pd.read_csv(REF / "rossi_weighted.csv")
    # wexp and race as categories (dummy-coded against their first level, as R's factor())
    return r.assign(
        client_id=[f"r{i}" for i in range(len(r))],
        wexp=r["wexp"].astype(str),
        race=r["race"].astype(str),
    )


@pytest.fixture(scope="module")
def scores(rossi):
    return propensity(rossi, treatment="fin", covariates=COVS)


def test_propensity_matches_r_glm(scores):
    ref = pd.read_csv(REF / "propensity_glm.csv")
    np.testing.assert_allclose(scores.coefficients["coef"], ref["coef"], atol=1e-7)
    np.testing.assert_allclose(scores.coefficients["se"], ref["se"], atol=1e-7)
    fitted = pd.read_csv(REF / "propensity_fitted.csv")["ps"]
    np.testing.assert_allclose(scores.table["ps"], fitted, atol=1e-9)
    assert 0.5 <= scores.c_statistic < 1
    ov = scores.overlap.set_index("treated")
    assert ov.loc[1, "n"] + ov.loc[0, "n"] == 432


def test_ipw_att_and_ate_weights(scores):
    e = scores.table["ps"].to_numpy()
    z = scores.table["treated"].to_numpy()
    att = ipw(scores, estimand="ATT", stabilized=False).table["weight"].to_numpy()
    np.testing.assert_allclose(att[z == 1], 1.0)
    np.testing.assert_allclose(att[z == 0], e[z == 0] / (1 - e[z == 0]))
    ate = ipw(scores, estimand="ATE", stabilized=False).table["weight"].to_numpy()
    np.testing.assert_allclose(ate, np.where(z == 1, 1 / e, 1 / (1 - e)))
    st = ipw(scores, estimand="ATE").table["weight"].to_numpy()
    # stabilised: each group's weights sum to its size, proportional to the raw weights
    for g in (0, 1):
        assert st[z == g].sum() == pytest.approx((z == g).sum())
        np.testing.assert_allclose(st[z == g] / ate[z == g], st[z == g][0] / ate[z == g][0])
    trimmed = ipw(scores, trim=0.45).table
    out = (trimmed["ps"] < 0.45) | (trimmed["ps"] > 0.55)
    assert (trimmed.loc[out, "weight"] == 0).all() and (trimmed.loc[~out, "weight"] > 0).all()
    with pytest.raises(ConfigError):
        ipw(scores, estimand="ATC")


def test_ipw_balances_a_saturated_score_exactly():
    """With one categorical covariate the logistic model is saturated: ATT weights make the
    comparison group's distribution of it equal to the participants' (SMD 0)."""
    rng = np.random.default_rng(3)
    n = 600
    level = rng.choice(["rendah", "sedang", "tinggi"], n, p=[0.5, 0.3, 0.2])
    p = np.select([level == "rendah", level == "sedang"], [0.2, 0.5], 0.8)
    f = pd.DataFrame(
        {"client_id": np.arange(n), "level": level, "treated": (rng.random(n) < p).astype(int)}
    )
    ps = propensity(f, treatment="treated", covariates=["level"])
    w = ipw(ps, estimand="ATT")
    b = balance(f.assign(w=w.table["weight"]), treatment="treated", covariates=["level"],
                weights="w")  # fmt: skip
    assert b.table["smd_before"].abs().max() > 0.3
    np.testing.assert_allclose(b.table["smd_after"], 0, atol=1e-8)


def test_balance_smd_by_hand(rossi):
    b = balance(rossi, treatment="fin", covariates=["age", "race"])
    row = b.table.set_index("term").loc["age"]
    a1, a0 = rossi.loc[rossi["fin"] == 1, "age"], rossi.loc[rossi["fin"] == 0, "age"]
    pooled = np.sqrt((a1.var(ddof=0) + a0.var(ddof=0)) / 2)
    assert row["smd_before"] == pytest.approx((a1.mean() - a0.mean()) / pooled)
    assert set(b.table["term"]) == {"age", "race[0]", "race[1]"}
    assert b.table["smd_after"].isna().all()
    assert b.ess["ess_after"].isna().all()


def test_matching_with_caliper(scores):
    m = match_nearest(scores, caliper=0.2)
    t = m.table
    lp = t["logit_ps"].to_numpy()
    width = 0.2 * np.std(lp, ddof=1)
    pairs = t[t["match_id"] >= 0]
    for _mid, g in pairs.groupby("match_id"):
        assert sorted(g["treated"]) == [0, 1]
        assert abs(np.diff(g["logit_ps"].to_numpy())[0]) <= width + 1e-12
    assert (t.loc[t["match_id"] < 0, "weight"] == 0).all()
    # without replacement each comparison person serves at most once
    assert t.loc[t["treated"] == 0, "weight"].max() == 1.0
    tight = match_nearest(scores, caliper=1e-4)
    assert tight.table["weight"].gt(0).sum() < m.table["weight"].gt(0).sum()
    s = m.summary.set_index("treated")
    assert s.loc[1, "n_used"] == s.loc[0, "n_used"]


def test_effective_size():
    assert effective_size(np.ones(10)) == pytest.approx(10)
    assert effective_size(np.array([1.0, 0.0, 3.0])) == pytest.approx(16 / 10)


def test_bad_treatment_and_missing_covariates_name_the_row(rossi):
    bad = rossi.assign(fin=rossi["fin"].where(rossi.index != 5, 2))
    with pytest.raises(InputError, match="row 5"):
        propensity(bad, treatment="fin", covariates=COVS)
    miss = rossi.assign(age=rossi["age"].where(rossi.index != 9))
    with pytest.raises(InputError, match="row 9"):
        balance(miss, treatment="fin", covariates=COVS)


def test_love_plot_draws_before_and_after_in_indonesian(rossi, scores):
    import matplotlib

    matplotlib.use("Agg")
    w = ipw(scores)
    b = balance(rossi.assign(w=w.table["weight"]), treatment="fin", covariates=COVS, weights="w")
    from rehab_eval.plots.balance import plot_balance

    ax = plot_balance(b)
    labels = [x.get_text() for x in ax.get_yticklabels()]
    assert len(labels) == len(b.table)
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert "Sebelum pembobotan" in legend and "Sesudah pembobotan" in legend
    assert "Keseimbangan kovariat" in ax.figure.texts[0].get_text()
    ax_en = plot_balance(b, lang="en")
    assert "After weighting" in [x.get_text() for x in ax_en.get_legend().get_texts()]
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("name", ["propensity", "weights", "balance", "curves", "sensitivity"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    module = importlib.import_module(f"rehab_eval.effect.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(("ratio", "replace"), [(1, False), (2, False), (1, True), (3, True)])
def test_matching_equals_brute_force_greedy(ratio, replace):
    from types import SimpleNamespace

    rng = np.random.default_rng(ratio + 10 * replace)
    n = 400
    lp = rng.normal(0, 1, n)
    z = (rng.random(n) < 0.35).astype(int)
    scores = SimpleNamespace(table=pd.DataFrame({"treated": z, "ps": 0.5, "logit_ps": lp}))
    got = match_nearest(scores, caliper=0.1, ratio=ratio, replace=replace).table["weight"]
    width = 0.1 * np.std(lp, ddof=1)
    want = np.zeros(n)
    controls = np.flatnonzero(z == 0)
    available = np.ones(controls.size, bool)
    for i in np.flatnonzero(z == 1)[np.argsort(-lp[z == 1], kind="stable")]:
        dist = np.abs(lp[controls] - lp[i])
        if not replace:
            dist = np.where(available, dist, np.inf)
        pick = np.argsort(dist, kind="stable")[:ratio]
        pick = pick[dist[pick] <= width]
        if pick.size:
            want[i] = 1.0
            np.add.at(want, controls[pick], 1.0 / ratio)
            if not replace:
                available[pick] = False
    np.testing.assert_allclose(got.to_numpy(), want)
