"""Synthetic data with known truth, lifelines as an independent oracle, and property tests.

lifelines is a test-only dependency here (never imported by the package).
"""

from __future__ import annotations

import doctest
import importlib
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab_eval.errors import ConfigError, DataQualityWarning, InputError, ModelWarning
from rehab_eval.recidivism import (
    concordance,
    cox,
    cumulative_incidence,
    kaplan_meier,
    logrank,
    rates_at,
)

TRUE_BETA = np.array([0.7, -0.4])


def _cohort(n: int, seed: int, ties: bool = False) -> pd.DataFrame:
    """Exponential event times with hazard 0.05 exp(0.7 x - 0.4 z), uniform censoring."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, n)
    z = rng.normal(size=n)
    t_event = rng.exponential(1 / (0.05 * np.exp(TRUE_BETA[0] * x + TRUE_BETA[1] * z)))
    t_cens = rng.uniform(0, 40, n)
    t = np.minimum(t_event, t_cens)
    if ties:
        t = np.ceil(t)
    level = np.array(["rendah", "sedang", "tinggi"])[rng.integers(0, 3, n)]
    return pd.DataFrame(
        {"duration": t, "event": (t_event <= t_cens).astype(int), "x": x, "z": z, "level": level}
    )


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return _cohort(3000, seed=11)


def test_cox_recovers_known_hazard_ratio(cohort):
    fit = cox(cohort, covariates=["x", "z"])
    s = fit.summary.set_index("term")
    est, se = s["coef"].to_numpy(), s["se"].to_numpy()
    assert np.all(np.abs(est - TRUE_BETA) < 3 * se)
    assert np.all((s["hr_ci_low"] < np.exp(TRUE_BETA)) & (np.exp(TRUE_BETA) < s["hr_ci_high"]))
    assert fit.lr_p_value < 1e-10


@pytest.mark.parametrize("ties", [False, True])
def test_cox_matches_lifelines(ties):
    from lifelines import CoxPHFitter

    d = _cohort(800, seed=5, ties=ties)
    fit = cox(d, covariates=["x", "z", "level"])
    ll = CoxPHFitter().fit(
        pd.get_dummies(d, columns=["level"], drop_first=True, dtype=float),
        "duration",
        "event",
    )
    ref = ll.summary.rename(
        index={"level_sedang": "level[sedang]", "level_tinggi": "level[tinggi]"}
    )
    s = fit.summary.set_index("term").loc[ref.index]
    assert np.allclose(s["coef"], ref["coef"], atol=1e-6)
    assert np.allclose(s["se"], ref["se(coef)"], atol=1e-6)
    assert fit.loglik == pytest.approx(ll.log_likelihood_, abs=1e-6)
    assert fit.concordance == pytest.approx(ll.concordance_index_, abs=1e-9)
    assert fit.lr_statistic == pytest.approx(
        ll.log_likelihood_ratio_test().test_statistic, abs=1e-5
    )


def test_cox_strata_match_lifelines():
    from lifelines import CoxPHFitter

    d = _cohort(600, seed=8, ties=True)
    fit = cox(d, covariates=["x", "z"], strata="level")
    ll = CoxPHFitter().fit(d, "duration", "event", strata=["level"])
    s = fit.summary.set_index("term").loc[["x", "z"]]
    assert np.allclose(s["coef"], ll.params_.loc[["x", "z"]], atol=1e-6)
    assert np.allclose(s["se"], ll.standard_errors_.loc[["x", "z"]], atol=1e-6)


def test_km_and_logrank_match_lifelines(cohort):
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    km = kaplan_meier(cohort, by="level", conf_type="log-log").table
    for g, part in km.groupby("group"):
        sub = cohort[cohort["level"] == g]
        f = KaplanMeierFitter().fit(sub["duration"], sub["event"])
        sf = f.survival_function_.iloc[:, 0].loc[part["time"]]
        ci = f.confidence_interval_.loc[part["time"]]
        assert np.allclose(part["survival"], sf, atol=1e-12)
        assert np.allclose(part["ci_low"], ci.iloc[:, 0], atol=1e-9)
        assert np.allclose(part["ci_high"], ci.iloc[:, 1], atol=1e-9)
    lr = logrank(cohort, by="level")
    ref = multivariate_logrank_test(cohort["duration"], cohort["level"], cohort["event"])
    assert lr["statistic"].iloc[0] == pytest.approx(ref.test_statistic, rel=1e-9)
    assert lr["df"].iloc[0] == 2
    assert lr["observed"].sum() == cohort["event"].sum()
    assert lr["expected"].sum() == pytest.approx(cohort["event"].sum())


def _competing(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t1 = rng.exponential(1 / 0.04, n)  # re-offending
    t2 = rng.exponential(1 / 0.01, n)  # death / transfer
    c = rng.uniform(0, 60, n)
    t = np.minimum.reduce([t1, t2, c])
    kind = np.where(t == t1, "rearrest", np.where(t == t2, "death", "end_of_study"))
    return pd.DataFrame({"duration": t, "event_kind": kind})


def test_cumulative_incidence_known_truth_and_lifelines():
    from lifelines import AalenJohansenFitter

    d = _competing(4000, seed=3)
    tt = np.array([5.0, 10.0, 20.0, 40.0])
    ci = cumulative_incidence(d, event_of_interest="rearrest", competing="death", times=tt)
    truth = 0.04 / 0.05 * (1 - np.exp(-0.05 * tt))
    assert np.all(np.abs(ci["cum_incidence"] - truth) < 3 * ci["std_err"])
    naive = (
        1
        - kaplan_meier(d.assign(event=(d["event_kind"] == "rearrest").astype(int)), times=tt)
        .table["survival"]
        .to_numpy()
    )
    assert np.all(naive > ci["cum_incidence"].to_numpy())  # 1 - KM overstates the risk

    small = _competing(300, seed=4)
    small = small.assign(
        code=small["event_kind"].map({"end_of_study": 0, "rearrest": 1, "death": 2})
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        aj = AalenJohansenFitter(calculate_variance=True).fit(
            small["duration"], small["code"], event_of_interest=1
        )
    ours = cumulative_incidence(small, event_of_interest="rearrest", competing="death")
    ref_f = aj.cumulative_density_.iloc[:, 0].loc[ours["time"]]
    assert np.allclose(ours["cum_incidence"], ref_f, atol=1e-12)
    assert np.allclose(ours["std_err"] ** 2, aj.variance_.loc[ours["time"]], atol=1e-14)
    ref_ci = aj.confidence_interval_.loc[ours["time"]].to_numpy()
    ok = (ours["cum_incidence"] > 0).to_numpy()
    # lifelines 0.30 labels its two limits the other way round; compare as (min, max)
    assert np.allclose(ours.loc[ok, "ci_low"], ref_ci[ok].min(axis=1), atol=1e-9)
    assert np.allclose(ours.loc[ok, "ci_high"], ref_ci[ok].max(axis=1), atol=1e-9)


def test_rates_at_worked_example_and_r_poisson():
    # 17 events of 100 days each and one long censored follow-up: 23.5 person-years in all
    py_days = 23.5 * 365.25
    f = pd.DataFrame(
        {"duration": [100.0] * 17 + [py_days - 1700.0], "event": [1] * 17 + [0], "g": "a"}
    )
    r = rates_at(f, windows=[py_days - 1700.0], window_unit="days", unit="days")
    row = r.table.iloc[0]
    assert row["person_years"] == pytest.approx(23.5)
    assert row["events"] == 17
    assert row["rate_per_100py"] == pytest.approx(100 * 17 / 23.5)
    # R: poisson.test(17, 23.5)$conf.int
    assert row["rate_ci_low"] == pytest.approx(100 * 0.421409637005, abs=1e-9)
    assert row["rate_ci_high"] == pytest.approx(100 * 1.158240290039, abs=1e-9)
    assert (row["n_full_followup"], row["n_events_in_window"], row["share"]) == (18, 17, 17 / 18)
    # no events: R poisson.test(0, 23.5) upper limit 0.156973593792
    r0 = rates_at(
        f.assign(event=0), windows=[py_days - 1700.0], window_unit="days", unit="days"
    ).table.iloc[0]
    assert r0["rate_ci_low"] == 0
    assert r0["rate_ci_high"] == pytest.approx(100 * 0.156973593792, abs=1e-9)


def test_rates_at_windows_units_and_km(cohort):
    d = cohort.assign(duration=cohort["duration"] * 365.25 / 12)  # months -> days
    r = rates_at(d, windows=(6, 12, 24), window_unit="months", unit="days", by="level").table
    assert list(r.columns) == [
        "group",
        "window",
        "unit",
        "n",
        "n_full_followup",
        "n_events_in_window",
        "share",
        "share_ci_low",
        "share_ci_high",
        "km_cum_incidence",
        "km_ci_low",
        "km_ci_high",
        "person_years",
        "events",
        "rate_per_100py",
        "rate_ci_low",
        "rate_ci_high",
    ]
    assert len(r) == 9
    km = kaplan_meier(cohort, by="level", times=[6, 12, 24]).table
    assert np.allclose(r["km_cum_incidence"], 1 - km["survival"])
    assert np.allclose(r["km_ci_low"], 1 - km["ci_high"])
    one = r[(r["group"] == "rendah") & (r["window"] == 12)].iloc[0]
    sub = cohort[cohort["level"] == "rendah"]
    ev = (sub["event"] == 1) & (sub["duration"] <= 12)
    assert one["n_events_in_window"] == ev.sum()
    assert one["n_full_followup"] == (ev | (sub["duration"] >= 12)).sum()
    assert one["person_years"] == pytest.approx(np.minimum(sub["duration"], 12).sum() / 12)
    assert (r["share_ci_low"] <= r["share"]).all() and (r["share"] <= r["share_ci_high"]).all()
    # a window beyond the longest follow-up has no KM estimate
    far = rates_at(cohort, windows=[1000], window_unit="months", unit="months").table
    assert np.isnan(far["km_cum_incidence"].iloc[0])


def _brute_concordance(t, e, r):
    conc = disc = tied = 0
    for i in range(len(t)):
        if not e[i]:
            continue
        for j in range(len(t)):
            if t[j] > t[i] or (t[j] == t[i] and not e[j]):
                conc += r[i] > r[j]
                disc += r[i] < r[j]
                tied += r[i] == r[j]
    return conc, disc, tied


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.booleans(), st.integers(-3, 3)), min_size=1, max_size=40
    )
)
def test_concordance_counts_equal_brute_force(rows):
    t = np.array([r[0] for r in rows], float)
    e = np.array([r[1] for r in rows], int)
    r = np.array([r[2] for r in rows], float)
    c = concordance(t, e, r)
    assert (c["concordant"], c["discordant"], c["tied_risk"]) == _brute_concordance(t, e, r)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 20), st.booleans()), min_size=1, max_size=60),
    st.sampled_from(["log", "log-log", "plain"]),
)
def test_km_is_a_valid_survival_curve(rows, conf_type):
    f = pd.DataFrame(rows, columns=["duration", "event"])
    km = kaplan_meier(f, conf_type=conf_type).table
    s = km["survival"].to_numpy()
    assert np.all(np.diff(s) <= 1e-15) and np.all((s >= 0) & (s <= 1))
    ok = km["ci_low"].notna()
    assert np.all(km.loc[ok, "ci_low"] <= km.loc[ok, "survival"] + 1e-12)
    assert np.all(km.loc[ok, "survival"] <= km.loc[ok, "ci_high"] + 1e-12)
    assert km["events"].sum() == f["event"].sum()
    allt = kaplan_meier(f, all_times=True).table
    assert allt["events"].sum() + allt["censored"].sum() == len(f)


def test_cox_invariant_to_monotone_time_and_covariate_shift(cohort):
    base = cox(cohort, covariates=["x", "z"]).summary
    moved = cohort.assign(duration=np.log1p(cohort["duration"]) * 3, z=cohort["z"] + 10)
    other = cox(moved, covariates=["x", "z"]).summary
    assert np.allclose(base[["coef", "se"]], other[["coef", "se"]], atol=1e-9)


def test_reference_level_and_boolean_terms(cohort):
    d = cohort.assign(completion=cohort["x"] == 1)
    a = cox(d, covariates=["completion", "level"]).summary.set_index("term")
    assert list(a.index) == ["completion[True]", "level[sedang]", "level[tinggi]"]
    b = cox(d, covariates=["completion", "level"], reference={"level": "tinggi"})
    b = b.summary.set_index("term")
    assert list(b.index) == ["completion[True]", "level[rendah]", "level[sedang]"]
    assert b.loc["level[rendah]", "coef"] == pytest.approx(
        -a.loc["level[tinggi]", "coef"], abs=1e-9
    )
    assert b.loc["completion[True]", "coef"] == pytest.approx(
        a.loc["completion[True]", "coef"], abs=1e-9
    )


def test_warnings_and_errors(cohort):
    few = cohort.head(60)
    with pytest.warns(ModelWarning, match="per term"):
        cox(few, covariates=["x", "z", "level"])
    sep = pd.DataFrame({"duration": np.arange(1.0, 41), "event": 1, "x": [1] * 20 + [0] * 20})
    sep.loc[sep["x"] == 0, "event"] = 0
    with pytest.warns(ModelWarning, match="infinite"):
        cox(sep, covariates=["x"])
    with pytest.warns(DataQualityWarning, match="level"):
        kaplan_meier(cohort.assign(level=cohort["level"].where(cohort.index % 7 > 0)), by="level")
    with pytest.raises(InputError, match="duration"):
        kaplan_meier(cohort.assign(duration=-cohort["duration"]))
    with pytest.raises(InputError, match="0 .censored. or 1"):
        logrank(cohort.assign(event=2), by="level")
    with pytest.raises(InputError, match="not found"):
        cox(cohort, covariates=["nope"])
    with pytest.raises(ConfigError, match="conf_type"):
        kaplan_meier(cohort, conf_type="logit")
    with pytest.raises(ConfigError, match="reference"):
        cox(cohort, covariates=["level"], reference={"level": "berat"})
    with pytest.raises(ConfigError, match="windows"):
        rates_at(cohort, windows=[0])
    with pytest.raises(ConfigError, match="both"):
        cumulative_incidence(
            cohort.assign(event_kind="death"), event_of_interest="death", competing="death"
        )


def test_inputs_not_mutated(cohort):
    before = cohort.copy()
    kaplan_meier(cohort, by="level", times=[5, 10])
    cox(cohort, covariates=["x", "level"], strata=None)
    rates_at(cohort, unit="months")
    pd.testing.assert_frame_equal(cohort, before)


@pytest.mark.parametrize("name", ["followup", "km", "cox", "competing", "rates"])
def test_docstring_examples_run(name):
    module = importlib.import_module(f"rehab_eval.recidivism.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def _naive_efron_loglik(t, e, x, strata, beta):
    """Efron (1977) log partial likelihood by direct loops, for checking the vectorized one."""
    eta = x @ beta
    ll = 0.0
    for s in np.unique(strata):
        m = strata == s
        ts, es, etas = t[m], e[m], eta[m]
        for u in np.unique(ts[es == 1]):
            dead = (ts == u) & (es == 1)
            risk = ts >= u
            d = dead.sum()
            r0 = np.exp(etas[risk]).sum()
            d0 = np.exp(etas[dead]).sum()
            ll += etas[dead].sum() - sum(np.log(r0 - k / d * d0) for k in range(d))
    return ll


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([1, 2, 3]))
def test_efron_loglik_gradient_and_information_against_direct_loops(seed, n_strata):
    from rehab_eval.recidivism._coxfit import _loglik_grad_info, _prepare

    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 40))
    t = rng.integers(1, 6, n).astype(float)  # many ties
    e = rng.integers(0, 2, n)
    e[0] = 1
    x = rng.normal(size=(n, 2))
    strata = rng.integers(0, n_strata, n)
    beta = rng.normal(scale=0.5, size=2)
    s = _prepare(x, t, e, strata, "efron")
    ll, grad, info, _ = _loglik_grad_info(s, beta)
    assert ll == pytest.approx(_naive_efron_loglik(t, e, x, strata, beta), abs=1e-9)
    h = 1e-5
    for j in range(2):
        step = np.eye(2)[j] * h
        up, g_up, _, _ = _loglik_grad_info(s, beta + step)
        dn, g_dn, _, _ = _loglik_grad_info(s, beta - step)
        assert grad[j] == pytest.approx((up - dn) / (2 * h), abs=1e-6)
        assert np.allclose(-info[:, j], (g_up - g_dn) / (2 * h), atol=1e-6)


def test_rates_at_warns_when_the_duration_unit_is_unknown():
    f = pd.DataFrame({"duration": [30.0, 400.0], "event": [1, 0]})
    with pytest.warns(DataQualityWarning, match="unit="):
        guessed = rates_at(f, windows=[12]).table
    recorded = rates_at(f, windows=[12], unit="days").table
    # 30 days is within 12 months; read as months it would not be
    assert recorded.loc[0, "n_events_in_window"] == 1
    assert guessed.loc[0, "n_events_in_window"] == 0


def test_rates_at_takes_the_unit_from_the_follow_up_and_keeps_old_names_deprecated():
    from rehab_eval.recidivism import FollowUp

    f = pd.DataFrame({"duration": [30.0, 400.0], "event": [1, 0], "event_kind": "x"})
    fu = FollowUp(
        table=f,
        outcome="any",
        start="release_date",
        unit="days",
        end_date=pd.Timestamp("2024-01-01").date(),
        n_clients=2,
        n_excluded_no_start=0,
        n_excluded_start_after_end=0,
        n_excluded_other_program=0,
        n_outcome_before_start_ignored=0,
        n_censored_competing=0,
    )
    r = rates_at(fu, windows=[12])
    assert (r.unit, r.window_unit) == ("days", "months")
    assert r.table.loc[0, "n_events_in_window"] == 1  # 30 days lie within 12 months
    with pytest.raises(ConfigError, match="contradicts"):
        rates_at(fu, windows=[12], unit="months")
    with pytest.warns(DeprecationWarning) as caught:
        old = rates_at(f, windows=[12], duration_unit="days", confidence=0.9)
    assert sorted(str(w.message).split("(): ")[1].split("=")[0] for w in caught) == [
        "confidence",
        "duration_unit",
    ]
    assert old.conf_level == 0.9 and old.unit == "days"
    pd.testing.assert_frame_equal(
        old.table, rates_at(f, windows=[12], unit="days", conf_level=0.9).table
    )
    assert "covariance" not in repr(r) and "RatesAt" in repr(r)
