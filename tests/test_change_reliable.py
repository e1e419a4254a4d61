"""rehab_eval.change.reliable_change and summarize_categories.

Reference values: tests/results/change/reference.R (base R and nlme), whose printed output is
reference_output.txt; the claus_2020 HAMD counts are also the snapshot values of R
clinicalsignificance (cs_distribution / cs_combined, tests/testthat/_snaps), and R1/R2 are its
test vectors (test-calc_rci.R, test-calc_cutoff.R).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab_eval.change import cutoff_value, reliable_change, summarize_categories
from rehab_eval.errors import ConfigError, DataQualityWarning, InputError, SmallSampleWarning

RESULTS = Path(__file__).parent / "results" / "change"


@pytest.fixture(scope="module")
def ref() -> dict[str, float]:
    table = pd.read_csv(RESULTS / "reference_values.csv")
    return dict(zip(table["name"], table["value"].astype(float), strict=True))


@pytest.fixture(scope="module")
def hamd() -> pd.DataFrame:
    wide = pd.read_csv(RESULTS / "claus_2020_hamd.csv")
    ids = wide["id"].astype(str)
    return pd.DataFrame(
        {
            "client_id": pd.concat([ids, ids], ignore_index=True),
            "timepoint": ["pre"] * len(wide) + ["post"] * len(wide),
            "hamd": pd.concat([wide["pre"], wide["post"]], ignore_index=True).astype(float),
        }
    )


def _pairs(pre, post) -> pd.DataFrame:
    n = len(pre)
    return pd.DataFrame(
        {
            "client_id": [f"c{i:02d}" for i in range(n)] * 2,
            "timepoint": ["pre"] * n + ["post"] * n,
            "score": np.concatenate([np.asarray(pre, float), np.asarray(post, float)]),
        }
    )


def _counts(rc) -> dict[str, int]:
    return {k: int(v) for k, v in rc.table["category"].value_counts(sort=False).items()}


def test_r1_jacobson_truax_vector(ref):
    changes = [-8, -4, 0, 4, 8]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        rc = reliable_change(
            _pairs([20] * 5, [20 + c for c in changes]), "score", reliability=0.8, sd_pre=5
        )
    expected = [ref[f"r1_rci_{c:+d}"] for c in changes]
    np.testing.assert_allclose(rc.table["rci"], expected, atol=1e-12)
    np.testing.assert_allclose(
        rc.table["rci"], [-2.529822, -1.264911, 0, 1.264911, 2.529822], atol=1e-6
    )
    assert rc.s_diff == pytest.approx(3.1622777, abs=1e-7)
    assert rc.se_measurement == pytest.approx(2.2360680, abs=1e-7)
    assert rc.sd_pre_source == "given"
    assert list(rc.table["category"]) == [
        "deteriorated",
        "unchanged",
        "unchanged",
        "unchanged",
        "improved",
    ]


@pytest.mark.parametrize("kind", ["a", "b", "c"])
@pytest.mark.parametrize("higher", [True, False])
def test_r2_cutoffs(ref, kind, higher):
    value = cutoff_value(
        kind,
        clinical_mean=40,
        clinical_sd=7.5,
        functional_mean=60,
        functional_sd=7.5,
        higher_is_better=higher,
    )
    assert value == pytest.approx(ref[f"r2_cut_{kind}_{'higher' if higher else 'lower'}"])


def test_cutoff_b_uses_the_functional_sd(ref):
    b = cutoff_value("b", clinical_mean=40, clinical_sd=10, functional_mean=60, functional_sd=5)
    assert b == ref["b_unequal_sd_higher"] == 50


def test_claus_hamd_jacobson_truax(ref, hamd):
    rc = reliable_change(hamd, "hamd", reliability=0.8, higher_is_better=False, cutoff=None)
    assert len(rc.table) == 40 and rc.n == 40 and rc.n_excluded == 0
    assert _counts(rc) == {"improved": 29, "unchanged": 10, "deteriorated": 1}
    assert rc.m_pre == pytest.approx(24.85)
    assert rc.sd_pre == pytest.approx(ref["claus_sd_pre"], abs=1e-12)
    assert rc.s_diff == pytest.approx(ref["claus_s_diff"], abs=1e-12)
    assert rc.s_diff == pytest.approx(2.1124782, abs=1e-7)
    by_id = rc.table.set_index("client_id")
    for cid in (1, 2, 5, 13, 24, 43):
        assert by_id.loc[str(cid), "rci"] == pytest.approx(ref[f"claus_jt_rci_id{cid}"], abs=1e-12)
    assert by_id.loc["13", "category"] == "deteriorated" and by_id.loc["13", "reliable"]
    assert by_id.loc["2", "category"] == "unchanged" and not by_id.loc["2", "reliable"]
    assert by_id.loc["1", "diff"] == -12


def test_claus_hamd_combined_with_cutoff_c(ref, hamd):
    rc = reliable_change(
        hamd,
        "hamd",
        reliability=0.8,
        higher_is_better=False,
        functional_mean=8,
        functional_sd=8,
        cutoff="c",
        reliability_source="Claus et al. 2024 example",
        norms_source="Claus et al. 2024 example",
    )
    assert rc.cutoff == pytest.approx(19.886998, abs=1e-6)
    assert rc.cutoff == pytest.approx(ref["claus_cutoff_c"], abs=1e-12)
    assert _counts(rc) == {
        "recovered": 26,
        "improved": 3,
        "unchanged": 10,
        "deteriorated": 1,
        "harmed": 0,
    }
    by_id = rc.table.set_index("client_id")["category"]
    assert by_id["1"] == "recovered" and by_id["24"] == "recovered"
    assert by_id["5"] == "improved" and by_id["13"] == "deteriorated"
    assert by_id["2"] == "unchanged" and by_id["43"] == "unchanged"
    assert rc.reliability_source == "Claus et al. 2024 example"
    assert rc.cutoff_type == "c" and rc.clinical_mean == pytest.approx(24.85)


@pytest.mark.parametrize("method,counts", [("gln", (29, 10, 1)), ("ha", (32, 7, 1))])
def test_claus_hamd_other_methods(ref, hamd, method, counts):
    rc = reliable_change(
        hamd, "hamd", reliability=0.8, higher_is_better=False, cutoff=None, method=method
    )
    assert _counts(rc) == dict(zip(["improved", "unchanged", "deteriorated"], counts, strict=True))
    for k, v in zip(["improved", "unchanged", "deteriorated"], counts, strict=True):
        assert ref[f"claus_{method}_{k}"] == v
    assert rc.table.loc[0, "rci"] == pytest.approx(ref[f"claus_{method}_rci_id1"], abs=1e-12)
    if method == "ha":
        assert rc.r_dd == pytest.approx(ref["claus_ha_r_dd"], abs=1e-12)
        assert rc.crit == 1.65


def test_r5_whoqol_worked_example():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        rc = reliable_change(
            _pairs([40, 40, 60], [62.5, 55, 40]), "score", reliability=0.8, sd_pre=15, cutoff=None
        )
    np.testing.assert_allclose(rc.table["rci"], [2.3717, 1.5811, -2.1082], atol=1e-4)
    assert rc.s_diff == pytest.approx(9.486833, abs=1e-6)
    assert list(rc.table["category"]) == ["improved", "unchanged", "deteriorated"]


def test_strict_inequality_at_exactly_the_critical_value():
    # S_diff = 10·√2·√(1 − 0.5) = 10, so a change of 19.6 gives RCI = 1.96 exactly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        rc = reliable_change(
            _pairs([50, 50, 50], [69.6, 69.7, 30.3]),
            "score",
            reliability=0.5,
            sd_pre=10,
            cutoff=None,
        )
    assert rc.table.loc[0, "rci"] == pytest.approx(1.96, abs=1e-12)
    assert list(rc.table["category"]) == ["unchanged", "improved", "deteriorated"]
    assert list(rc.table["reliable"]) == [False, True, True]


def test_harmed_needs_functional_pre_and_clinical_post():
    # higher is better; cut-off a = M0 + 2·SD0 given explicitly as clinical norms 40 ± 10 → 60.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        rc = reliable_change(
            _pairs([45, 45, 70, 70], [75, 58, 40, 65]),
            "score",
            reliability=0.8,
            sd_pre=5,
            cutoff="a",
            clinical_mean=40,
            clinical_sd=10,
        )
    assert rc.cutoff == 60
    assert list(rc.table["category"]) == ["recovered", "improved", "harmed", "unchanged"]


def test_without_norms_cutoff_c_is_not_applied(hamd):
    rc = reliable_change(hamd, "hamd", reliability=0.8, higher_is_better=False)
    assert list(rc.table["category"].cat.categories) == ["improved", "unchanged", "deteriorated"]
    assert rc.cutoff is None


def test_incomplete_clients_are_excluded_and_counted(hamd):
    extra = pd.DataFrame(
        {
            "client_id": ["4", "17", "27"],
            "timepoint": ["pre", "post", "pre"],
            "hamd": [20.0, 10.0, np.nan],
        }
    )
    rc = reliable_change(
        pd.concat([hamd, extra], ignore_index=True),
        "hamd",
        reliability=0.8,
        higher_is_better=False,
    )
    assert len(rc.table) == 40 and rc.n_excluded == 3
    assert _counts(rc) == {"improved": 29, "unchanged": 10, "deteriorated": 1}


def test_summarize_categories_wilson_matches_r(ref, hamd):
    rc = reliable_change(hamd, "hamd", reliability=0.8, higher_is_better=False)
    summary = summarize_categories(rc).set_index("category")
    assert list(summary.index) == ["improved", "unchanged", "deteriorated"]
    assert summary["n"].tolist() == [29, 10, 1] and (summary["n_total"] == 40).all()
    assert summary.loc["improved", "proportion"] == pytest.approx(29 / 40)
    assert summary.loc["improved", "ci_low"] == pytest.approx(
        ref["claus_jt_improved_wilson_low"], abs=1e-12
    )
    assert summary.loc["improved", "ci_high"] == pytest.approx(
        ref["claus_jt_improved_wilson_high"], abs=1e-12
    )


def test_summarize_categories_by_group_against_statsmodels(hamd):
    from statsmodels.stats.proportion import proportion_confint

    rc = reliable_change(
        hamd, "hamd", reliability=0.8, higher_is_better=False, functional_mean=8, functional_sd=8
    )
    rc = rc.table.assign(site=np.where(rc.table.index % 2 == 0, "bnnp", "bapas"))
    out = summarize_categories(rc, by="site")
    assert len(out) == 10  # every category listed for each site, empty ones too
    for _, row in out.iterrows():
        lo, hi = proportion_confint(row["n"], row["n_total"], method="wilson")
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), abs=1e-12)
    assert out.groupby("site")["n"].sum().tolist() == [20, 20]


def test_hlm_matches_nlme_empirical_bayes_slopes():
    sim = pd.read_csv(RESULTS / "sim_long.csv")
    expected = pd.read_csv(RESULTS / "hlm_slopes.csv").set_index("client_id")
    rc = reliable_change(sim, "y", reliability=0.8, method="hlm", cutoff=None)
    assert len(rc.table) == sim["client_id"].nunique()
    got = rc.table.set_index("client_id")["rci"]
    want = (expected["eb_slope"] / expected["eb_sd"]).reindex(got.index)
    np.testing.assert_allclose(got, want, atol=2e-3)
    first = sim.sort_values("t").groupby("client_id")["y"].first()
    assert rc.table.set_index("client_id")["pre"].equals(first.reindex(got.index))
    assert rc.fixed_slope == pytest.approx(2.33894988187703, abs=1e-3)


def test_hlm_needs_three_timepoints(hamd):
    with pytest.raises(InputError, match="three or more timepoints"):
        reliable_change(hamd, "hamd", reliability=0.8, method="hlm")


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"reliability": 1.2}, "strictly between 0 and 1"),
        ({"reliability": 0.8, "functional_mean": 8}, "both functional_mean"),
        ({"reliability": 0.8, "method": "en"}, "method must be"),
        ({"reliability": 0.8, "cutoff": "d"}, "cutoff must be"),
        ({"reliability": 0.8, "sd_pre": -1.0}, "sd_pre must be positive"),
    ],
)
def test_bad_parameters_raise_config_error(hamd, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        reliable_change(hamd, "hamd", **kwargs)


def test_small_sample_warning_and_input_not_mutated(hamd):
    few = hamd[hamd["client_id"].isin(["1", "2", "3", "5"])].copy()
    before = few.copy()
    with pytest.warns(SmallSampleWarning, match="4 complete pair"):
        reliable_change(few, "hamd", reliability=0.8, higher_is_better=False)
    pd.testing.assert_frame_equal(few, before)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.floats(0.5, 0.95),
    st.floats(-50, 50),
    st.sampled_from(["jt", "gln", "ha"]),
)
def test_rci_is_shift_invariant_and_categories_follow_it(seed, r, shift, method):
    rng = np.random.default_rng(seed)
    pre = rng.normal(50, 10, 30)
    post = pre + rng.normal(2, 8, 30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # HA: r_dd <= 0 at low r_xx
        base = reliable_change(
            _pairs(pre, post), "score", reliability=r, method=method, cutoff=None
        )
        moved = reliable_change(
            _pairs(pre + shift, post + shift), "score", reliability=r, method=method, cutoff=None
        )
        lower = reliable_change(
            _pairs(pre, post),
            "score",
            reliability=r,
            method=method,
            cutoff=None,
            higher_is_better=False,
        )
    np.testing.assert_allclose(moved.table["rci"], base.table["rci"], atol=1e-9)
    crit = base.crit
    expect = np.where(
        base.table["rci"] > crit,
        "improved",
        np.where(base.table["rci"] < -crit, "deteriorated", "unchanged"),
    )
    expect = [None if np.isnan(v) else c for v, c in zip(base.table["rci"], expect, strict=True)]
    assert [None if pd.isna(c) else c for c in base.table["category"]] == expect
    # lower-is-better flips improved and deteriorated, nothing else
    swap = {
        "improved": "deteriorated",
        "deteriorated": "improved",
        "unchanged": "unchanged",
        None: None,
    }
    assert [None if pd.isna(c) else c for c in lower.table["category"]] == [swap[c] for c in expect]


def test_hageman_arrindell_with_unreliable_differences_warns_and_leaves_category_missing():
    rng = np.random.default_rng(4)
    pre = rng.normal(50, 10, 30)
    post = pre + rng.normal(0, 0.5, 30)  # almost no individual differences in change
    with pytest.warns(DataQualityWarning, match="r_dd"):
        rc = reliable_change(_pairs(pre, post), "score", reliability=0.6, method="ha", cutoff=None)
    assert rc.table["rci"].isna().all() and rc.table["category"].isna().all()
    assert summarize_categories(rc)["n_total"].eq(0).all()
