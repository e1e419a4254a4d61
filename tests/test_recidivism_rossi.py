"""rehab_eval.recidivism against R's survival package (3.5.3) on the Rossi recidivism data.

Data: Rossi, P. H., Berk, R. A., & Lenihan, K. J. (1980). *Money, Work, and Crime:
Experimental Evidence*. Academic Press — 432 men released from Maryland state prisons,
followed for 52 weeks; ``week`` of first arrest, ``arrest`` 0/1, financial aid ``fin`` and
other covariates (0/1 coding as lifelines.datasets.load_rossi; carData::Rossi in R).

Reference values: ``tests/results/recidivism/rossi_reference.R`` (run there with
``Rscript rossi_reference.R > rossi_reference.txt``), its printed output
``rossi_reference.txt`` and the CSV tables it writes. Scalars below are copied from that
output. ``aml`` is R survival's acute myelogenous leukaemia data (Miller 1997);
``competing.csv`` is seeded synthetic data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rehab_eval.recidivism import (
    cox,
    cumulative_incidence,
    kaplan_meier,
    logrank,
    median_survival,
    proportional_hazards,
    rmst,
)
from rehab_eval.recidivism.rates import wilson_interval

RESULTS = Path(__file__).parent / "results" / "recidivism"
COVS = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    d = pd.read_csv(RESULTS / "rossi.csv")
    assert d.shape == (432, 9)
    return d.assign(
        priog=pd.cut(d["prio"], [-1, 0, 2, 100], labels=["none", "low", "high"]).astype(str)
    )


@pytest.fixture(scope="module")
def fit(rossi):
    return cox(rossi, COVS, duration="week", event="arrest")


# R: coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = rossi)
R_EFRON = {
    "fin": (-0.3794221664859, 0.1913794807135),
    "age": (-0.0574377426841, 0.0219994706007),
    "race": (0.3138997878425, 0.3079927765574),
    "wexp": (-0.1497956976665, 0.2122242962486),
    "mar": (-0.4337038779373, 0.3818680576688),
    "paro": (-0.0848710825004, 0.1957566719066),
    "prio": (0.0914970809853, 0.0286485499600),
}
R_BRESLOW = {
    "fin": (-0.3790218874308, 0.1913644258598),
    "age": (-0.0572459250447, 0.0219831857251),
    "race": (0.3141297669074, 0.3080172797370),
    "wexp": (-0.1511146000560, 0.2121231608837),
    "mar": (-0.4327825737629, 0.3817949352629),
    "paro": (-0.0849828352673, 0.1957482073092),
    "prio": (0.0911115420916, 0.0286312529561),
}


def test_cox_efron_matches_r(fit):
    s = fit.summary.set_index("term")
    assert list(s.index) == COVS
    for term, (coef, se) in R_EFRON.items():
        assert s.loc[term, "coef"] == pytest.approx(coef, abs=1e-8)
        assert s.loc[term, "se"] == pytest.approx(se, abs=1e-8)
    # issue values, rounded as published
    assert round(s.loc["fin", "coef"], 5) == -0.37942
    assert round(s.loc["fin", "se"], 5) == 0.19138
    assert np.allclose(s["hr"], np.exp(s["coef"]))
    assert np.allclose(s["z"], s["coef"] / s["se"])
    assert s.loc["prio", "p_value"] == pytest.approx(0.001404, abs=2e-6)
    assert np.allclose(s["hr_ci_low"], np.exp(s["coef"] - 1.959963984540054 * s["se"]))


def test_cox_tests_and_concordance_match_r(fit):
    assert fit.loglik_null == pytest.approx(-675.380632347, abs=1e-8)
    assert fit.loglik == pytest.approx(-658.747659446, abs=1e-8)
    assert fit.lr_statistic == pytest.approx(33.2659458016, abs=1e-8)
    assert fit.lr_df == 7
    # R stops Newton-Raphson at a relative loglik change of 1e-9, we at 1e-12: the Wald
    # statistic b' I(b) b differs in the 8th significant digit.
    assert fit.wald_statistic == pytest.approx(32.1126106806, abs=1e-5)
    assert fit.score_statistic == pytest.approx(33.5286888997, abs=1e-8)
    # R: concordant 27242, discordant 15291, tied.x 49 -> 0.6403292471
    assert fit.concordance == pytest.approx(0.6403292471, abs=1e-10)
    assert (fit.n, fit.events) == (432, 114)
    assert fit.converged


def test_cox_breslow_matches_r(rossi):
    f = cox(rossi, COVS, duration="week", event="arrest", ties="breslow")
    s = f.summary.set_index("term")
    for term, (coef, se) in R_BRESLOW.items():
        assert s.loc[term, "coef"] == pytest.approx(coef, abs=1e-8)
        assert s.loc[term, "se"] == pytest.approx(se, abs=1e-8)
    assert f.loglik == pytest.approx(-659.120605677, abs=1e-8)
    assert f.score_statistic == pytest.approx(33.3828204241, abs=1e-8)


def test_cox_strata_and_factor_match_r(rossi):
    f = cox(
        rossi,
        ["fin", "age", "priog"],
        duration="week",
        event="arrest",
        strata="wexp",
        reference={"priog": "none"},
    )
    s = f.summary.set_index("term")
    r = {
        "fin": (-0.3189154438296, 0.1902733161962),
        "age": (-0.0559601192633, 0.0216304908758),
        "priog[low]": (-0.3800804883171, 0.3531575074679),
        "priog[high]": (0.2239854014244, 0.3434704437178),
    }
    assert sorted(s.index) == sorted(r)
    for term, (coef, se) in r.items():
        assert s.loc[term, "coef"] == pytest.approx(coef, abs=1e-8)
        assert s.loc[term, "se"] == pytest.approx(se, abs=1e-8)
    assert f.loglik == pytest.approx(-582.191733869, abs=1e-8)
    assert f.score_statistic == pytest.approx(20.092480422, abs=1e-8)
    assert f.concordance == pytest.approx(0.619259259259, abs=1e-10)
    zph = proportional_hazards(f).set_index("term")
    assert zph.loc["priog", "df"] == 2
    assert zph.loc["priog", "chisq"] == pytest.approx(1.8524578354376, abs=1e-7)
    assert zph.loc["age", "chisq"] == pytest.approx(11.3479422222960, abs=1e-7)
    assert zph.loc["GLOBAL", "chisq"] == pytest.approx(13.5248595882573, abs=1e-7)


def test_cox_zph_matches_r(fit):
    zph = fit.proportional_hazards().set_index("term")
    r = {
        "fin": 0.0624297513581,
        "age": 5.9739816534184,
        "race": 2.0682653874805,
        "wexp": 4.2245956334216,
        "mar": 1.0110215644358,
        "paro": 0.0183832991690,
        "prio": 0.5205842503030,
        "GLOBAL": 17.6944152544550,
    }
    for term, chisq in r.items():
        assert zph.loc[term, "chisq"] == pytest.approx(chisq, abs=1e-7)
    assert zph.loc["GLOBAL", "df"] == 7
    assert zph.loc["GLOBAL", "p_value"] == pytest.approx(0.0134275067857, abs=1e-9)


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_km_every_event_time_matches_r(rossi, conf_type):
    r = pd.read_csv(RESULTS / f"rossi_km_{conf_type}.csv")
    k = kaplan_meier(rossi, duration="week", event="arrest", by="fin", conf_type=conf_type).table
    assert list(k["group"]) == [int(s[-1]) for s in r["strata"]]
    assert np.array_equal(k["time"], r["time"])
    assert np.array_equal(k["at_risk"], r["n.risk"])
    assert np.array_equal(k["events"], r["n.event"])
    assert np.array_equal(k["censored"], r["n.censor"])
    for ours, theirs in [("survival", "surv"), ("std_err", "std.err")]:
        assert np.allclose(k[ours], r[theirs], atol=1e-12, rtol=0)
    assert np.allclose(k["ci_low"], r["lower"], atol=1e-12, rtol=0)
    assert np.allclose(k["ci_high"], r["upper"], atol=1e-12, rtol=0)


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_km_at_times_matches_r_summary_times(rossi, conf_type):
    r = pd.read_csv(RESULTS / f"rossi_km_times_{conf_type}.csv")
    k = kaplan_meier(
        rossi,
        duration="week",
        event="arrest",
        by="fin",
        times=[60, 0.5, 10, 26, 52],
        conf_type=conf_type,
    ).table
    # time 60 lies beyond follow-up: dropped, as summary(times=, extend=FALSE)
    cols = ["time", "at_risk", "events", "censored", "survival", "std_err", "ci_low", "ci_high"]
    rcols = ["time", "n.risk", "n.event", "n.censor", "surv", "std.err", "lower", "upper"]
    assert np.allclose(k[cols].to_numpy(float), r[rcols].to_numpy(float), atol=1e-12, rtol=0)
    s52 = k[k["time"] == 52].set_index("group")["survival"]
    assert s52[0] == pytest.approx(0.6944444444, abs=1e-9)
    assert s52[1] == pytest.approx(0.7777777778, abs=1e-9)


def test_km_without_by_is_group_all(rossi):
    km = kaplan_meier(rossi, duration="week", event="arrest")
    k = km.table
    assert set(k["group"]) == {"all"}
    assert list(k.columns) == [
        "group",
        "time",
        "at_risk",
        "events",
        "censored",
        "survival",
        "ci_low",
        "ci_high",
        "std_err",
    ]
    assert k["events"].sum() == 114
    assert km.conf_type == "log-log"


def test_logrank_matches_r_survdiff(rossi):
    lr = logrank(rossi, duration="week", event="arrest", by="fin")
    assert lr["statistic"].iloc[0] == pytest.approx(3.83756957655, abs=1e-9)
    assert lr["df"].iloc[0] == 1
    assert list(lr["observed"]) == [66, 48]
    assert np.allclose(lr["expected"], [55.5744427684, 58.4255572316], atol=1e-9)
    lr3 = (
        logrank(rossi, duration="week", event="arrest", by="priog")
        .set_index("group")
        .loc[["none", "low", "high"]]
    )
    assert lr3["statistic"].iloc[0] == pytest.approx(13.3189902948, abs=1e-8)
    assert lr3["df"].iloc[0] == 2
    assert np.allclose(lr3["expected"], [9.85692075447, 59.4546482142, 44.6884310313], atol=1e-9)


def test_rmst_matches_r_rmean(rossi):
    r = rmst(rossi, duration="week", event="arrest", by="priog", tau=40).set_index("group")
    ref = {"none": (35.5789473684, 1.646212634298), "low": (37.9624413146, 0.450109631521)}
    ref["high"] = (35.0883977901, 0.726484372735)
    for g, (m, se) in ref.items():
        assert r.loc[g, "rmst"] == pytest.approx(m, abs=1e-9)
        assert r.loc[g, "se"] == pytest.approx(se, abs=1e-9)


@pytest.mark.parametrize(
    ("conf_type", "maintained", "nonmaintained"),
    [
        ("log-log", (31, 13, np.nan), (23, 5, 33)),
        ("log", (31, 18, np.nan), (23, 8, np.nan)),
        ("plain", (31, 18, 48), (23, 8, 33)),
    ],
)
def test_median_matches_r_on_aml(conf_type, maintained, nonmaintained):
    aml = pd.read_csv(RESULTS / "aml.csv")
    m = median_survival(
        aml, duration="time", event="status", by="x", conf_type=conf_type
    ).set_index("group")
    for g, ref in [("Maintained", maintained), ("Nonmaintained", nonmaintained)]:
        got = m.loc[g, ["median", "ci_low", "ci_high"]].to_numpy(float)
        assert np.allclose(got, ref, equal_nan=True)
    assert m["reached"].all()


def test_median_not_reached_on_rossi(rossi):
    m = median_survival(rossi, duration="week", event="arrest", by="fin")
    assert m["median"].isna().all() and not m["reached"].any()


def test_cumulative_incidence_matches_r_aalen_johansen():
    cr = pd.read_csv(RESULTS / "competing.csv")
    r = pd.read_csv(RESULTS / "competing_aj.csv")
    ci = cumulative_incidence(
        cr, duration="time", event_kind="kind", event_of_interest="rearrest", competing="death"
    )
    ref = r.set_index("time").loc[ci["time"]]
    assert np.allclose(ci["cum_incidence"], ref["cif1"], atol=1e-12)
    assert np.array_equal(ci["at_risk"], ref["n.risk"])
    at = cumulative_incidence(
        cr,
        duration="time",
        event_kind="kind",
        event_of_interest="rearrest",
        competing="death",
        times=[5, 10, 20, 30],
    )
    assert np.allclose(
        at["cum_incidence"], [0.28, 0.406258497980, 0.575015000282, 0.675926951032], atol=1e-11
    )
    death = cumulative_incidence(
        cr,
        duration="time",
        event_kind="kind",
        event_of_interest="death",
        competing="rearrest",
        times=[30],
    )
    assert death["cum_incidence"].iloc[0] == pytest.approx(0.2167457484345, abs=1e-11)


def test_wilson_matches_r_prop_test():
    lo, hi = wilson_interval(17, 60, 1.959963984540054)
    assert (float(lo), float(hi)) == pytest.approx((0.185068284284, 0.407672851644), abs=1e-11)
    lo, hi = wilson_interval(0, 0, 1.96)
    assert np.isnan(lo) and np.isnan(hi)


@pytest.mark.parametrize(
    ("transform", "fin", "age", "global_"),
    [
        ("rank", 1.3838084514070, 0.8964214615663, 11.0251834071226),
        ("identity", 0.0089505587513, 6.6159437892942, 18.1826870391293),
        ("log", 0.1375994332571, 8.2314983419423, 17.6615705707482),
    ],
)
def test_cox_zph_other_transforms_match_r(fit, transform, fin, age, global_):
    zph = proportional_hazards(fit, transform=transform).set_index("term")
    assert zph.loc["fin", "chisq"] == pytest.approx(fin, abs=1e-7)
    assert zph.loc["age", "chisq"] == pytest.approx(age, abs=1e-7)
    assert zph.loc["GLOBAL", "chisq"] == pytest.approx(global_, abs=1e-7)


@pytest.mark.parametrize(
    ("durations", "events", "expected"),
    [
        # R: median 3.5, 0.95LCL 2, 0.95UCL NA (S is 0.5 on [3, 4): midpoint of 3 and 4)
        ([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], (3.5, 2.0, np.nan)),
        # R quantile(): 2.5, lower 1, upper NA
        ([1, 2, 3, 4], [1, 1, 1, 1], (2.5, 1.0, np.nan)),
    ],
)
def test_median_midpoint_rule_matches_r(durations, events, expected):
    f = pd.DataFrame({"duration": durations, "event": events})
    m = median_survival(f, conf_type="log").iloc[0]
    assert np.allclose(m[["median", "ci_low", "ci_high"]].to_numpy(float), expected, equal_nan=True)
