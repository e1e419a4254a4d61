"""Weighted and stratified survival methods against R survival 3.5.3 (tests/results/effect)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rehab_eval.effect import evalue, rmst_difference, weighted_km
from rehab_eval.recidivism import kaplan_meier
from rehab_eval.recidivism.cox import cox
from rehab_eval.recidivism.km import logrank

REF = Path(__file__).parent / "results" / "effect"
COVS = ["fin", "age", "prio"]
CASES = {
    "w_efron": {"weights": "w", "robust": True},
    "w_breslow": {"weights": "w", "robust": True, "ties": "breslow"},
    "w_cluster": {"weights": "w", "cluster": "cl"},
    "cluster": {"cluster": "cl"},
    "robust": {"robust": True},
    "w_strata_cluster": {"weights": "w", "cluster": "cl", "strata": "wexp"},
}


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    return pd.read_csv(REF / "rossi_weighted.csv")


@pytest.mark.parametrize("case", list(CASES))
def test_weighted_cox_with_robust_and_cluster_variance_matches_r(rossi, case):
    ref = pd.read_csv(REF / "cox_weighted.csv")
    ref = ref[ref["case"] == case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cox(rossi, COVS, duration="week", event="arrest", **CASES[case])
    s = fit.summary
    np.testing.assert_allclose(s["coef"], ref["coef"], atol=1e-7)
    np.testing.assert_allclose(s["se"], ref["se"], atol=1e-7)
    np.testing.assert_allclose(s["se_naive"], ref["se_naive"], atol=1e-7)
    assert fit.covariance.shape == (3, 3)


def test_unweighted_cox_has_no_robust_column(rossi):
    s = cox(rossi, COVS, duration="week", event="arrest").summary
    assert "se_naive" not in s.columns


def test_cox_rejects_non_positive_weights(rossi):
    from rehab_eval.errors import InputError

    bad = rossi.assign(w=rossi["w"].where(rossi.index != 7, 0.0))
    with pytest.raises(InputError, match="row 7"):
        cox(bad, COVS, duration="week", event="arrest", weights="w")


@pytest.mark.parametrize(("case", "strata"), [("wexp", "wexp"), ("wexp_mar", ["wexp", "mar"])])
def test_stratified_logrank_matches_survdiff(rossi, case, strata):
    ref = pd.read_csv(REF / "logrank_strata.csv").set_index("case").loc[case]
    out = logrank(rossi, duration="week", event="arrest", by="fin", strata=strata)
    assert out["statistic"].iloc[0] == pytest.approx(ref["chisq"], abs=1e-9)
    assert out["observed"].iloc[0] == ref["obs0"]
    assert out["expected"].iloc[0] == pytest.approx(ref["exp0"], abs=1e-9)


def test_rmst_difference_matches_r(rossi):
    ref = pd.read_csv(REF / "rmst.csv")
    plain = rmst_difference(rossi, duration="week", event="arrest", by="fin", tau=40)
    r0 = ref[ref["case"] == "plain"]
    np.testing.assert_allclose(plain["estimate"].iloc[:2], r0["rmst"], atol=1e-9)
    np.testing.assert_allclose(plain["se"].iloc[:2], r0["se"], atol=1e-9)
    diff = plain.set_index("quantity").loc["difference"]
    assert diff["estimate"] == pytest.approx(r0["rmst"].iloc[1] - r0["rmst"].iloc[0], abs=1e-9)
    assert diff["se"] == pytest.approx(np.hypot(*r0["se"]), abs=1e-9)
    ratio = plain.set_index("quantity").loc["ratio"]
    assert ratio["estimate"] == pytest.approx(r0["rmst"].iloc[1] / r0["rmst"].iloc[0])
    assert ratio["ci_low"] < ratio["estimate"] < ratio["ci_high"]
    # weighted: estimates as survfit(weights=), SE from survfit's influence matrix
    ij = pd.read_csv(REF / "rmst_weighted_ij.csv")
    wtd = rmst_difference(rossi, duration="week", event="arrest", by="fin", tau=40, weights="w")
    np.testing.assert_allclose(wtd["estimate"].iloc[:2], ij["rmst"], atol=1e-9)
    np.testing.assert_allclose(wtd["se"].iloc[:2], ij["se"], atol=1e-9)


def test_weighted_km_matches_r_robust_variance(rossi):
    ref = pd.read_csv(REF / "km_weighted.csv")
    km = weighted_km(
        rossi, duration="week", event="arrest", by="fin", weights="w", times=[10, 20, 30, 40, 52]
    )
    np.testing.assert_allclose(km["survival"], ref["surv"], atol=1e-12)
    np.testing.assert_allclose(km["std_err"], ref["std_err"], atol=1e-10)
    np.testing.assert_allclose(km["at_risk"], ref["n_risk"], atol=1e-9)


def test_weighted_km_without_weights_is_kaplan_meier(rossi):
    a = weighted_km(rossi, duration="week", event="arrest", by="fin")
    b = kaplan_meier(rossi, duration="week", event="arrest", by="fin").table
    for col in ("survival", "std_err", "ci_low", "ci_high"):
        np.testing.assert_allclose(a[col], b[col], atol=1e-12)


def test_unit_weights_give_unweighted_estimates(rossi):
    one = rossi.assign(w=1.0)
    a = cox(one, COVS, duration="week", event="arrest", weights="w", robust=False).summary
    b = cox(rossi, COVS, duration="week", event="arrest").summary
    np.testing.assert_allclose(a["coef"], b["coef"], atol=1e-12)
    np.testing.assert_allclose(a["se"], b["se"], atol=1e-12)


def test_evalue_matches_vanderweele_ding_example():
    # VanderWeele & Ding (2017): RR 3.9 (1.8, 8.7) -> E-values 7.26 and 3.0
    e = evalue(3.9, 1.8, 8.7)
    assert e["evalue"] == pytest.approx(7.26, abs=0.005)
    assert e["evalue_ci"] == pytest.approx(3.0, abs=0.005)
    assert evalue(0.5, 0.3, 1.2)["evalue_ci"] == 1.0
    assert evalue(0.5)["evalue"] == pytest.approx(2 + np.sqrt(2))
    assert evalue(0.5, rare=False)["rr"] == pytest.approx(
        (1 - 0.5 ** np.sqrt(0.5)) / (1 - 0.5 ** np.sqrt(2))
    )


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_fine_gray_matches_r_finegray_coxph(ties):
    from rehab_eval.effect import fine_gray

    d = pd.read_csv(REF / "mgus2.csv")
    d["kind"] = d["event"].map({0: "end_of_study", 1: "progression", 2: "death"})
    ref = pd.read_csv(REF / "finegray_mgus2.csv")
    ref = ref[ref["ties"] == ties]
    out = fine_gray(
        d,
        duration="etime",
        event_kind="kind",
        event_of_interest="progression",
        competing="death",
        covariates=["male", "age"],
        ties=ties,
    )
    np.testing.assert_allclose(out["coef"], ref["coef"], atol=1e-7)
    np.testing.assert_allclose(out["se"], ref["se"], atol=1e-7)
    np.testing.assert_allclose(out["se_naive"], ref["se_naive"], atol=1e-7)
    assert out["events"].iloc[0] == int((d["event"] == 1).sum())


def test_fine_gray_without_competing_events_is_cox(rossi):
    """No competing end: the subdistribution hazard is the ordinary hazard."""
    from rehab_eval.effect import fine_gray

    f = rossi.assign(kind=np.where(rossi["arrest"] == 1, "rearrest", "end_of_study"))
    fg = fine_gray(
        f, duration="week", event_kind="kind", event_of_interest="rearrest", covariates=COVS
    )
    cx = cox(rossi, COVS, duration="week", event="arrest", robust=True).summary
    np.testing.assert_allclose(fg["coef"], cx["coef"], atol=1e-9)
    np.testing.assert_allclose(fg["se"], cx["se"], atol=1e-9)


def test_weighted_incidence_matches_r_multistate_survfit():
    from rehab_eval.effect import weighted_incidence
    from rehab_eval.recidivism import cumulative_incidence

    c = pd.read_csv(REF / "competing_weighted.csv")
    c["kind"] = c["status"].map({0: "end_of_study", 1: "rearrest", 2: "death"})
    ref = pd.read_csv(REF / "competing_weighted_cif.csv")
    kw = {"duration": "time", "event_kind": "kind", "event_of_interest": "rearrest",
          "competing": "death", "by": "grp", "times": [5, 10, 20, 30]}  # fmt: skip
    out = weighted_incidence(c, weights="w", **kw)
    np.testing.assert_allclose(out["cum_incidence"], ref["cif"], atol=1e-12)
    np.testing.assert_allclose(out["std_err"], ref["std_err"], atol=1e-12)
    np.testing.assert_allclose(out["ci_low"], ref["lower"], atol=1e-12)
    np.testing.assert_allclose(out["ci_high"], ref["upper"], atol=1e-12)
    # without weights: the estimate and SE of cumulative_incidence
    plain = weighted_incidence(c, conf_type="log-log", **kw)
    aj = cumulative_incidence(
        c, duration="time", event_kind="kind", event_of_interest="rearrest", competing="death", by="grp",
        times=[5, 10, 20, 30],
    )  # fmt: skip
    for col in ("cum_incidence", "std_err", "ci_low", "ci_high"):
        np.testing.assert_allclose(plain[col], aj[col], atol=1e-12)


@pytest.mark.parametrize("case", ["male", "agegrp", "male_strata_agegrp"])
@pytest.mark.parametrize("cause", [1, 2])
def test_gray_test_matches_cmprsk_cuminc(case, cause):
    from rehab_eval.effect import gray_test

    d = pd.read_csv(REF / "mgus2.csv")
    d["kind"] = d["event"].map({0: "end_of_study", 1: "progression", 2: "death"})
    d["agegrp"] = pd.cut(d["age"], [0, 60, 75, np.inf], labels=["a", "b", "c"])
    ref = pd.read_csv(REF / "gray_mgus2.csv")
    r = ref[(ref["case"] == case) & (ref["cause"] == cause)].iloc[0]
    kinds = ["progression", "death"]
    out = gray_test(
        d,
        duration="etime",
        event_kind="kind",
        event_of_interest=kinds[cause - 1],
        competing=kinds[2 - cause],
        by="agegrp" if case == "agegrp" else "male",
        strata="agegrp" if case == "male_strata_agegrp" else None,
    )
    assert out["statistic"] == pytest.approx(r["stat"], rel=1e-10)
    assert out["df"] == r["df"]
