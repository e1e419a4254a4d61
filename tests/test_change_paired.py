"""rehab_eval.change.paired: paired t, Wilcoxon, effect sizes and adjusted p-values.

Reference values: tests/results/change/reference.R (base R t.test, wilcox.test(exact=TRUE),
uniroot on pt(ncp=) for the d_z interval, p.adjust), printed output in
reference_output.txt, values in reference_values.csv.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from rehab_eval.change import paired
from rehab_eval.change.prepost import adjust_fdr_bh, adjust_holm, dz_interval
from rehab_eval.errors import ConfigError, DataQualityWarning, InputError, SmallSampleWarning

RESULTS = Path(__file__).parent / "results" / "change"


@pytest.fixture(scope="module")
def ref() -> dict[str, float]:
    table = pd.read_csv(RESULTS / "reference_values.csv")
    return dict(zip(table["name"], table["value"].astype(float), strict=True))


def _long(wide: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    parts = []
    for code in ("pre", "post"):
        part = wide[["client_id"]].assign(timepoint=code)
        for m in measures:
            part[m] = wide[f"{m}_{code}"]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _random_scores(rng: np.random.Generator, n: int, shift: float = 3.0) -> pd.DataFrame:
    pre = rng.normal(50, 10, n)
    post = pre + rng.normal(shift, 8, n)
    ids = [f"c{i:03d}" for i in range(n)]
    return pd.DataFrame(
        {
            "client_id": ids * 2,
            "timepoint": ["pre"] * n + ["post"] * n,
            "score": np.concatenate([pre, post]),
        }
    )


def test_matches_r_reference(ref):
    wide = pd.read_csv(RESULTS / "paired_continuous.csv")
    res = paired(_long(wide, ["a", "b"]), ["a", "b"]).set_index("measure")
    for m in ("a", "b"):
        row = res.loc[m]
        assert row["n"] == 14 and row["df"] == 13 and row["n_excluded"] == 0
        for col, key, tol in [
            ("t", "t", 1e-10),
            ("p_value", "p", 1e-10),
            ("ci_low", "ci_low", 1e-10),
            ("ci_high", "ci_high", 1e-10),
            ("wilcoxon_w", "wilcoxon_w", 0),
            ("wilcoxon_p", "wilcoxon_p", 1e-12),
            ("rank_biserial", "rank_biserial", 1e-12),
            ("cohen_dz", "dz", 1e-12),
            ("dz_ci_low", "dz_ci_low", 1e-8),
            ("dz_ci_high", "dz_ci_high", 1e-8),
            ("hedges_gav", "hedges_gav", 1e-12),
            ("p_holm", None, 1e-10),
            ("p_fdr", None, 1e-10),
        ]:
            key = key or {"p_holm": f"holm_{m}", "p_fdr": f"bh_{m}"}[col]
            expected = ref[key if key.startswith(("holm", "bh")) else f"{m}_{key}"]
            assert row[col] == pytest.approx(expected, abs=tol, rel=tol), (m, col)
        assert row["wilcoxon_method"] == "exact"


@pytest.mark.parametrize("seed,n", [(1, 8), (2, 25), (3, 60), (4, 200)])
def test_matches_scipy_on_random_data(seed, n):
    rng = np.random.default_rng(seed)
    scores = _random_scores(rng, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        row = paired(scores, "score").iloc[0]
    pre = scores["score"].to_numpy()[:n]
    post = scores["score"].to_numpy()[n:]
    tt = stats.ttest_rel(post, pre)
    ci = tt.confidence_interval(0.95)
    wx = stats.wilcoxon(post - pre)
    assert row["t"] == pytest.approx(tt.statistic, rel=1e-12)
    assert row["p_value"] == pytest.approx(tt.pvalue, rel=1e-10)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-12)
    assert row["wilcoxon_w"] == pytest.approx(wx.statistic)
    assert row["wilcoxon_p"] == pytest.approx(wx.pvalue, rel=1e-12)
    assert row["wilcoxon_method"] == ("exact" if n <= 50 else "asymptotic")
    assert row["mean_pre"] == pytest.approx(pre.mean())
    assert row["sd_post"] == pytest.approx(np.std(post, ddof=1))
    assert row["cohen_dz"] == pytest.approx((post - pre).mean() / np.std(post - pre, ddof=1))


@pytest.mark.parametrize("n,method", [(12, "permutation"), (30, "asymptotic")])
def test_wilcoxon_with_ties_and_zeros_follows_scipy(n, method):
    rng = np.random.default_rng(11)
    pre = rng.integers(10, 20, n).astype(float)
    post = pre + rng.integers(-2, 5, n)
    post[0] = pre[0]  # a zero difference
    scores = pd.DataFrame(
        {
            "client_id": [f"c{i}" for i in range(n)] * 2,
            "timepoint": ["pre"] * n + ["post"] * n,
            "score": np.concatenate([pre, post]),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = paired(scores, "score").iloc[0]
        wx = stats.wilcoxon(post - pre)
    assert row["wilcoxon_method"] == method
    assert row["wilcoxon_w"] == pytest.approx(wx.statistic)
    assert row["wilcoxon_p"] == pytest.approx(wx.pvalue, rel=1e-12)


def test_incomplete_pairs_are_counted_not_used():
    rng = np.random.default_rng(5)
    scores = _random_scores(rng, 20)
    extra = pd.DataFrame(
        {"client_id": ["x1", "x2", "x3"], "timepoint": ["pre", "post", "pre"], "score": 1.0}
    )
    scores_nan = scores.copy()
    scores_nan.loc[0, "score"] = np.nan  # client c000 loses its pre value
    full = paired(pd.concat([scores_nan, extra], ignore_index=True), "score").iloc[0]
    assert full["n"] == 19
    assert full["n_excluded"] == 4
    reference = paired(scores_nan.dropna(), "score").iloc[0]
    assert full["mean_diff"] == pytest.approx(reference["mean_diff"])


def test_small_sample_warns_and_large_does_not():
    rng = np.random.default_rng(6)
    with pytest.warns(SmallSampleWarning, match="9 complete pair"):
        paired(_random_scores(rng, 9), "score")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallSampleWarning)
        paired(_random_scores(rng, 10), "score")


def test_readiness_is_flagged_as_a_baseline_measure():
    scores = _random_scores(np.random.default_rng(2), 12).rename(columns={"score": "readiness"})
    with pytest.warns(DataQualityWarning, match="baseline measure"):
        paired(scores, "readiness")


def test_small_group_warning_names_the_group():
    scores = _random_scores(np.random.default_rng(2), 24)
    scores["facility"] = np.where(scores["client_id"] < "c004", "bnnk_kecil", "bapas_besar")
    with pytest.warns(SmallSampleWarning, match="facility=bnnk_kecil"):
        paired(scores, "score", by="facility")


def test_group_without_complete_pairs_gets_a_row_with_n_zero():
    scores = _random_scores(np.random.default_rng(3), 12).assign(facility="lapas")
    lone = pd.DataFrame(
        {"client_id": ["z1"], "timepoint": ["pre"], "score": [40.0], "facility": ["rutan"]}
    )
    with pytest.warns(SmallSampleWarning):
        res = paired(pd.concat([scores, lone], ignore_index=True), "score", by="facility")
    rutan = res.set_index("facility").loc["rutan"]
    assert rutan["n"] == 0 and rutan["n_excluded"] == 1 and np.isnan(rutan["p_value"])
    assert res.set_index("facility").loc["lapas", "n"] == 12


def test_groups_equal_separate_runs_and_input_untouched():
    rng = np.random.default_rng(8)
    scores = _random_scores(rng, 40)
    scores["other"] = scores["score"] * 0.5 + rng.normal(0, 1, len(scores))
    site = {f"c{i:03d}": ("bapas_a" if i % 3 else "lapas_b") for i in range(40)}
    scores["facility"] = scores["client_id"].map(site)
    before = scores.copy()
    res = paired(scores, ["score", "other"], by="facility")
    pd.testing.assert_frame_equal(scores, before)
    assert list(res.columns[:2]) == ["facility", "measure"]
    assert len(res) == 4
    for fac, g in scores.groupby("facility"):
        alone = paired(g, ["score", "other"]).reset_index(drop=True)
        mine = res.loc[res["facility"] == fac].drop(columns="facility").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)


def test_degenerate_differences_give_nan_not_errors():
    scores = pd.DataFrame(
        {
            "client_id": list("abcdefghijkl") * 2,
            "timepoint": ["pre"] * 12 + ["post"] * 12,
            "same": [5.0] * 24,
        }
    )
    row = paired(scores, "same").iloc[0]
    assert row["mean_diff"] == 0 and row["sd_diff"] == 0
    assert np.isnan(row["t"]) and np.isnan(row["wilcoxon_p"]) and np.isnan(row["cohen_dz"])
    assert np.isnan(row["p_holm"])


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"measures": ["nope"]}, InputError, "lacks column"),
        ({"measures": "score", "post": "fu6"}, InputError, "timepoints present"),
        ({"measures": "score", "conf_level": 1.5}, ConfigError, "conf_level"),
        ({"measures": []}, ConfigError, "measures is empty"),
    ],
)
def test_bad_arguments_raise_typed_errors(kwargs, error, match):
    scores = _random_scores(np.random.default_rng(1), 12)
    with pytest.raises(error, match=match):
        paired(scores, **kwargs)


def test_duplicate_assessments_are_refused():
    scores = _random_scores(np.random.default_rng(1), 12)
    with pytest.raises(InputError, match="one assessment per client"):
        paired(pd.concat([scores, scores.iloc[:1]]), "score")


def test_several_instruments_get_a_filtering_hint():
    scores = _random_scores(np.random.default_rng(1), 12)
    both = pd.concat([scores.assign(instrument="whoqol_bref"), scores.assign(instrument="urica")])
    with pytest.raises(InputError, match="filter to one first"):
        paired(both, "score")


def test_non_numeric_measure_is_refused():
    scores = _random_scores(np.random.default_rng(1), 12).assign(score="x")
    with pytest.raises(InputError, match="must be numeric"):
        paired(scores, "score")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(0, 1, allow_nan=False), st.just(float("nan"))),
        min_size=1,
        max_size=12,
    )
)
def test_holm_and_bh_match_statsmodels(p):
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p)
    ok = ~np.isnan(p)
    holm, bh = adjust_holm(p), adjust_fdr_bh(p)
    assert np.array_equal(np.isnan(holm), ~ok) and np.array_equal(np.isnan(bh), ~ok)
    if ok.any():
        np.testing.assert_allclose(holm[ok], multipletests(p[ok], method="holm")[1], atol=1e-12)
        np.testing.assert_allclose(bh[ok], multipletests(p[ok], method="fdr_bh")[1], atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(-3, 3, allow_nan=False), st.integers(3, 400))
def test_dz_interval_inverts_the_noncentral_t(dz, n):
    lo, hi = dz_interval(dz, n, 0.95)
    assert lo < dz < hi
    t_obs = dz * np.sqrt(n)
    assert stats.nct.cdf(t_obs, n - 1, lo * np.sqrt(n)) == pytest.approx(0.975, abs=1e-7)
    assert stats.nct.cdf(t_obs, n - 1, hi * np.sqrt(n)) == pytest.approx(0.025, abs=1e-7)
    mlo, mhi = dz_interval(-dz, n, 0.95)
    assert (mlo, mhi) == pytest.approx((-hi, -lo), abs=1e-7)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(10, 40))
def test_swapping_pre_and_post_mirrors_every_signed_statistic(seed, n):
    scores = _random_scores(np.random.default_rng(seed), n)
    forward = paired(scores, "score").iloc[0]
    backward = paired(scores, "score", pre="post", post="pre").iloc[0]
    for col in ("mean_diff", "t", "cohen_dz", "rank_biserial", "hedges_gav"):
        assert backward[col] == pytest.approx(-forward[col], abs=1e-12)
    assert backward["ci_low"] == pytest.approx(-forward["ci_high"], abs=1e-9)
    assert backward["dz_ci_low"] == pytest.approx(-forward["dz_ci_high"], abs=1e-7)
    for col in ("p_value", "wilcoxon_p", "wilcoxon_w", "sd_diff"):
        assert backward[col] == pytest.approx(forward[col], rel=1e-12)
