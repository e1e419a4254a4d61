"""Issue-15 fixes: lme4 fixed-effect SEs, dz_interval at any n, Hodges–Lehmann vs R, CIF limits."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rehab_eval.change.mixed import trajectory
from rehab_eval.change.prepost import dz_interval, hodges_lehmann, paired

REF = Path(__file__).parent / "results" / "change"
ORDER = {"8": 8.0, "10": 10.0, "12": 12.0, "14": 14.0}


def _orthodont() -> pd.DataFrame:
    o = pd.read_csv(REF / "orthodont.csv")
    return o.assign(tp=o["age"].astype(str))


def test_trajectory_fixed_se_match_lme4_with_random_slope_and_between_covariate():
    ref = pd.read_csv(REF / "orthodont_lme4.csv")
    ref = ref[ref["model"] == "age_sex"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = trajectory(
            _orthodont(),
            "distance",
            client="Subject",
            timepoint="tp",
            order=ORDER,
            covariates="Sex",
            random="slope",
            shape="linear",
        )
    # lme4: intercept 0.6081, age 0.0713, SexMale 0.7575 (the inverse Hessian gave 0.641, 0.831)
    np.testing.assert_allclose(res.fixed["estimate"], ref["estimate"], rtol=1e-4)
    np.testing.assert_allclose(res.fixed["std_error"], ref["se"], rtol=1e-4)


@pytest.mark.parametrize("n", [10, 1_000, 100_000])
@pytest.mark.parametrize("dz", [0.0, 0.6, -2.5])
def test_dz_interval_is_finite_and_inverts_the_noncentral_t(n, dz):
    lo, hi = dz_interval(dz, n, 0.95)
    assert np.isfinite(lo) and np.isfinite(hi) and lo < dz < hi or (dz == 0 and lo < 0 < hi)
    t_obs, df = dz * np.sqrt(n), n - 1
    for lam, target in ((lo * np.sqrt(n), 0.975), (hi * np.sqrt(n), 0.025)):
        value = stats.nct.cdf(t_obs, df, lam)
        if np.isfinite(value):
            assert value == pytest.approx(target, abs=1e-6)
    # large n: close to the normal approximation dz ± z sqrt(1/n + dz²/(2n))
    if n >= 1_000:
        half = 1.959964 * np.sqrt(1 / n + dz**2 / (2 * n))
        assert lo == pytest.approx(dz - half, abs=5e-3 * max(1, abs(dz)))
        assert hi == pytest.approx(dz + half, abs=5e-3 * max(1, abs(dz)))


def test_dz_interval_used_to_fail_at_n_10000():
    lo, hi = dz_interval(0.6, 10_000)
    assert 0.57 < lo < 0.6 < hi < 0.63


@pytest.mark.parametrize("correct", [True, False])
@pytest.mark.parametrize("case", ["exact", "ties", "large"])
def test_hodges_lehmann_matches_r_wilcox_test(case, correct):
    data = pd.read_csv(REF / "wilcoxon_hl.csv")
    ref = pd.read_csv(REF / "wilcoxon_hl_r.csv")
    r = ref[(ref["case"] == case) & (ref["correct"] == correct)].iloc[0]
    d = data.loc[data["case"] == case, "d"].to_numpy()
    est, lo, hi = hodges_lehmann(d, correction=correct)
    tol = 0 if case == "exact" else 1e-4  # R's uniroot stops within 1e-4
    assert lo == pytest.approx(r["ci_low"], abs=tol + 1e-12)
    assert hi == pytest.approx(r["ci_high"], abs=tol + 1e-12)
    # where the statistic is 0 over a stretch R stops anywhere in it (here width < 0.002)
    assert est == pytest.approx(r["estimate"], abs={"exact": 1e-12, "ties": 1e-4}.get(case, 2e-3))
    method = "exact" if case == "exact" else "approx"
    p = stats.wilcoxon(d, correction=correct, method=method).pvalue
    assert p == pytest.approx(r["p"], rel=1e-10)


def test_paired_correction_option_gives_r_default_p_and_hl_columns():
    data = pd.read_csv(REF / "wilcoxon_hl.csv")
    ref = pd.read_csv(REF / "wilcoxon_hl_r.csv")
    d = data.loc[data["case"] == "large", "d"].to_numpy()
    s = pd.DataFrame(
        {
            "client_id": np.repeat(np.arange(d.size), 2),
            "timepoint": ["pre", "post"] * d.size,
            "score": np.column_stack([np.zeros(d.size), d]).ravel(),
        }
    )
    for correct in (True, False):
        row = paired(s, "score", correction=correct).iloc[0]
        r = ref[(ref["case"] == "large") & (ref["correct"] == correct)].iloc[0]
        assert row["wilcoxon_method"] == "asymptotic"
        assert row["wilcoxon_p"] == pytest.approx(r["p"], rel=1e-10)
        assert row["hl_ci_low"] == pytest.approx(r["ci_low"], abs=1e-4)
        assert row["hl_ci_high"] == pytest.approx(r["ci_high"], abs=1e-4)


def test_cumulative_incidence_log_limits_match_r_default():
    from rehab_eval.recidivism.competing import cumulative_incidence

    rec = Path(__file__).parent / "results" / "recidivism"
    eff = Path(__file__).parent / "results" / "effect"
    data = pd.read_csv(rec / "competing.csv")
    ref = pd.read_csv(eff / "competing_cif_log.csv")
    kind = data["status"].map({0: "censored", 1: "rearrest", 2: "death"})
    out = cumulative_incidence(
        data.assign(kind=kind),
        duration="time",
        event_kind="kind",
        event_of_interest="rearrest",
        competing="death",
        times=ref["time"].tolist(),
        conf_type="log",
    )
    np.testing.assert_allclose(out["cum_incidence"], ref["cif"], atol=1e-12)
    np.testing.assert_allclose(out["std_err"], ref["std_err"], atol=1e-10)
    np.testing.assert_allclose(out["ci_low"], ref["lower"], atol=1e-10)
    np.testing.assert_allclose(out["ci_high"], ref["upper"], atol=1e-10)


def test_trajectory_arm_by_time_term_matches_lme4_interaction():
    ref = pd.read_csv(REF / "orthodont_lme4.csv")
    ref = ref[ref["model"] == "age_x_sex"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = trajectory(
            _orthodont(),
            "distance",
            client="Subject",
            timepoint="tp",
            order=ORDER,
            arm="Sex",
            random="slope",
            shape="linear",
        )
    assert res.fixed["term"].tolist() == ["intercept", "time", "Sex[Male]", "Sex[Male]:time"]
    np.testing.assert_allclose(res.fixed["estimate"], ref["estimate"], rtol=1e-4)
    np.testing.assert_allclose(res.fixed["std_error"], ref["se"], rtol=1e-4)
    row = res.fixed.set_index("term").loc["Sex[Male]:time"]
    assert row["ci_low"] < row["estimate"] < row["ci_high"]


def test_trajectory_arm_categorical_is_difference_in_differences():
    """Balanced complete data: the arm × last-timepoint term equals the raw DiD of means."""
    o = _orthodont()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = trajectory(o, "distance", client="Subject", timepoint="tp", order=ORDER, arm="Sex")
    m = o.groupby(["Sex", "age"])["distance"].mean()
    did = (m["Male", 14] - m["Male", 8]) - (m["Female", 14] - m["Female", 8])
    est = res.fixed.set_index("term").loc["Sex[Male]:timepoint[14]", "estimate"]
    assert est == pytest.approx(did, abs=1e-6)
