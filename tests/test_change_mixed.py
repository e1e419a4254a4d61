"""rehab_eval.change.trajectory (MixedLM, REML) and stage_transitions (Stuart–Maxwell).

Reference values: tests/results/change/reference.R (nlme::lme, REML; Stuart–Maxwell and
McNemar by formula, mcnemar.test, binom.test); printed output in reference_output.txt.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rehab_eval.change import stage_transitions, trajectory
from rehab_eval.change.stages import stuart_maxwell
from rehab_eval.errors import ConfigError, InputError, ModelWarning, SmallSampleWarning

RESULTS = Path(__file__).parent / "results" / "change"


@pytest.fixture(scope="module")
def ref() -> dict[str, float]:
    table = pd.read_csv(RESULTS / "reference_values.csv")
    return dict(zip(table["name"], table["value"].astype(float), strict=True))


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "sim_long.csv")


def _simulate(n: int, slope: float, seed: int, codes=("pre", "m1", "m3", "m6")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    b0 = rng.normal(0, 6, n)
    rows = [
        {
            "client_id": f"p{i:04d}",
            "timepoint": c,
            "score": 40 + slope * t + b0[i] + rng.normal(0, 4),
        }
        for i in range(n)
        for t, c in enumerate(codes)
    ]
    return pd.DataFrame(rows)


def test_random_intercept_matches_nlme(ref, sim):
    res = trajectory(sim, "y")
    fixed = res.fixed.set_index("term")
    assert list(fixed.index) == ["intercept", "timepoint[m1]", "timepoint[m3]", "timepoint[m6]"]
    for i, term in enumerate(fixed.index):
        assert fixed.loc[term, "estimate"] == pytest.approx(ref[f"ri_fixed_{i}"], abs=1e-4)
        assert fixed.loc[term, "std_error"] == pytest.approx(ref[f"ri_se_{i}"], rel=1e-3)
    var = dict(zip(res.variance["component"], res.variance["value"], strict=True))
    assert var["intercept"] == pytest.approx(ref["ri_var_intercept"], rel=1e-3)
    assert var["residual"] == pytest.approx(ref["ri_var_residual"], rel=1e-3)
    assert res.n_clients == 60 and res.n_obs == len(sim) and res.converged


def test_random_slope_matches_nlme(ref, sim):
    res = trajectory(sim, "y", random="slope", shape="linear")
    fixed = res.fixed.set_index("term")
    assert fixed.loc["time", "estimate"] == pytest.approx(ref["rs_fixed_slope"], abs=1e-4)
    assert fixed.loc["intercept", "estimate"] == pytest.approx(ref["rs_fixed_intercept"], abs=1e-4)
    assert fixed.loc["time", "std_error"] == pytest.approx(ref["rs_se_slope"], rel=1e-3)
    var = dict(zip(res.variance["component"], res.variance["value"], strict=True))
    assert var["slope"] == pytest.approx(ref["rs_var_slope"], rel=5e-3)
    assert var["intercept_slope"] == pytest.approx(ref["rs_cov"], rel=5e-3)
    assert var["residual"] == pytest.approx(ref["rs_var_residual"], rel=1e-3)


def test_means_are_the_fixed_effects_and_count_clients(sim):
    res = trajectory(sim, "y")
    beta = res.fixed.set_index("term")["estimate"]
    means = res.means.set_index("timepoint")
    assert list(means.index) == ["pre", "m1", "m3", "m6"]
    assert means.loc["pre", "mean"] == pytest.approx(beta["intercept"])
    assert means.loc["m6", "mean"] == pytest.approx(beta["intercept"] + beta["timepoint[m6]"])
    assert (
        means["n"].tolist()
        == sim.groupby("timepoint")["client_id"].nunique()[["pre", "m1", "m3", "m6"]].tolist()
    )
    assert (means["ci_low"] < means["mean"]).all() and (means["mean"] < means["ci_high"]).all()


def test_known_slope_is_recovered():
    data = _simulate(300, slope=1.5, seed=42)
    lin = trajectory(data, "score", shape="linear").fixed.set_index("term")
    assert lin.loc["time", "estimate"] == pytest.approx(1.5, abs=0.15)
    assert lin.loc["time", "ci_low"] < 1.5 < lin.loc["time", "ci_high"]
    cat = trajectory(data, "score").fixed.set_index("term")["estimate"]
    np.testing.assert_allclose(cat.iloc[1:], [1.5, 3.0, 4.5], atol=0.4)


def test_order_mapping_sets_the_time_scale():
    data = _simulate(200, slope=2.0, seed=3)
    months = {"pre": 0, "m1": 1, "m3": 3, "m6": 6}
    res = trajectory(data, "score", order=months, shape="linear")
    # the simulated slope is 2 per visit; visits at months 0,1,3,6 → a smaller slope per month
    assert res.means["time"].tolist() == [0, 1, 3, 6]
    assert 0.5 < res.fixed.set_index("term").loc["time", "estimate"] < 2.0


def test_covariates_enter_as_fixed_effects():
    data = _simulate(120, slope=1.0, seed=9)
    clients = data["client_id"].unique()
    sex = dict(
        zip(clients, np.where(np.arange(len(clients)) % 2 == 0, "male", "female"), strict=True)
    )
    data = data.assign(sex=data["client_id"].map(sex), age=data["client_id"].str[1:].astype(float))
    before = data.copy()
    res = trajectory(data, "score", covariates=["age", "sex"])
    pd.testing.assert_frame_equal(data, before)
    assert res.fixed["term"].tolist()[-2:] == ["age", "sex[male]"]


def test_small_samples_and_boundary_fits_warn():
    data = _simulate(6, slope=1.0, seed=1)
    with pytest.warns(SmallSampleWarning, match="6 clients"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)
            trajectory(data, "score")
    rng = np.random.default_rng(0)
    # every client's three scores are a permutation of -1, 0, 1: no between-client variance
    values = np.concatenate([rng.permutation([-1.0, 0.0, 1.0]) for _ in range(30)])
    flat = pd.DataFrame(
        {
            "client_id": np.repeat([f"q{i}" for i in range(30)], 3),
            "timepoint": ["pre", "mid", "post"] * 30,
            "score": values,
        }
    )
    with pytest.warns(ModelWarning, match="boundary"):
        res = trajectory(flat, "score")
    assert not res.converged and res.notes


def test_optimizer_failure_falls_back_to_the_next_optimizer():
    # lbfgs hits a singular matrix on these data; bfgs and the others fit them
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {
            "client_id": np.repeat([f"q{i}" for i in range(30)], 3),
            "timepoint": ["pre", "mid", "post"] * 30,
            "score": rng.normal(0, 1, 90),
        }
    )
    res = trajectory(data, "score")
    assert res.converged
    assert res.variance.set_index("component").loc["intercept", "value"] > 0


def test_summary_and_html(sim):
    res = trajectory(sim, "y")
    summary = res.summary
    assert summary.loc[0, "n_clients"] == 60 and summary.loc[0, "method"] == "REML"
    assert summary.loc[0, "icc"] == pytest.approx(21.4755 / (21.4755 + 8.5326), abs=1e-3)
    html = res._repr_html_()
    assert "Means per timepoint" in html and "timepoint[m6]" in html


def test_trajectory_errors(sim):
    with pytest.raises(ConfigError, match="random must be"):
        trajectory(sim, "y", random="both")
    with pytest.raises(ConfigError, match="not canonical"):
        trajectory(sim.replace({"timepoint": {"pre": "week2"}}), "y")
    with pytest.raises(ConfigError, match="not in order"):
        trajectory(sim, "y", order=["pre", "m1"])
    with pytest.raises(InputError, match="one timepoint only"):
        trajectory(sim[sim["timepoint"] == "pre"], "y")


# --- stage transitions -----------------------------------------------------------------------

STAGES = ["precontemplation", "contemplation", "preparation_action"]
TABLE = np.array([[5, 8, 4], [2, 10, 9], [1, 2, 12]])


def _stage_scores(table: np.ndarray, labels=STAGES) -> pd.DataFrame:
    rows, k = [], 0
    for i, a in enumerate(labels):
        for j, b in enumerate(labels):
            for _ in range(int(table[i, j])):
                rows += [
                    {"client_id": f"u{k}", "timepoint": "pre", "stage": a},
                    {"client_id": f"u{k}", "timepoint": "post", "stage": b},
                ]
                k += 1
    return pd.DataFrame(rows)


def test_stuart_maxwell_matches_r_and_statsmodels(ref):
    from statsmodels.stats.contingency_tables import SquareTable

    res = stage_transitions(_stage_scores(TABLE))
    assert res.statistic == pytest.approx(ref["sm_statistic"], abs=1e-10)
    assert res.df == ref["sm_df"] == 2
    assert res.p_value == pytest.approx(ref["sm_p"], abs=1e-12)
    sm = SquareTable(TABLE, shift_zeros=False).homogeneity()
    assert res.statistic == pytest.approx(sm.statistic)
    assert res.n == 53 and res.n_excluded == 0 and np.isnan(res.exact_p_value)
    assert res.table.to_numpy().tolist() == TABLE.tolist()
    assert list(res.table.index) == STAGES and res.table.index.name == "pre"
    assert res.test.loc[0, "n"] == 53
    assert res.summary["n"].sum() == 53


def test_two_stage_table_is_mcnemar_with_exact_p(ref):
    t2 = np.array([[6, 9], [2, 7]])
    res = stage_transitions(_stage_scores(t2, STAGES[:2]))
    assert res.statistic == pytest.approx(ref["mcnemar_statistic"], abs=1e-12)
    assert res.exact_p_value == pytest.approx(ref["mcnemar_exact_p"], abs=1e-12)
    assert res.df == 1


def test_stage_without_movement_is_dropped_from_the_test():
    table = np.array([[4, 0, 0], [0, 6, 5], [0, 1, 7]])
    stat, df, p, exact = stuart_maxwell(table)
    assert df == 1 and stat == pytest.approx((5 - 1) ** 2 / 6)
    assert exact == pytest.approx(0.21875)
    assert stuart_maxwell(np.diag([3, 4, 5])) == (0.0, 0, 1.0, 1.0)


def test_stage_transitions_counts_incomplete_and_warns_small():
    data = _stage_scores(np.array([[2, 1], [1, 2]]), STAGES[:2])
    data = pd.concat(
        [data, pd.DataFrame([{"client_id": "z", "timepoint": "pre", "stage": "contemplation"}])]
    )
    with pytest.warns(SmallSampleWarning, match="6 complete pair"):
        res = stage_transitions(data)
    assert res.n == 6 and res.n_excluded == 1
    # all three UMBC bands are listed, the empty one too
    assert list(res.crosstab.index) == STAGES
    assert res.table.loc["preparation_action"].sum() == 0


def test_other_stage_codes_are_kept_in_readiness_order():
    data = _stage_scores(np.array([[3, 4], [2, 5]]), ["action", "maintenance"])
    res = stage_transitions(data)
    assert list(res.table.columns) == ["action", "maintenance"] and res.n == 14


def test_moves_forward_and_back_are_the_off_diagonal_counts():
    # rows = pre, columns = post, in readiness order
    counts = np.array([[4, 3, 2], [1, 5, 6], [0, 2, 7]])
    res = stage_transitions(_stage_scores(counts, STAGES))
    assert res.n_moved_forward == 3 + 2 + 6
    assert res.n_moved_back == 1 + 0 + 2
    assert res.n_moved_forward + res.n_moved_back + int(np.trace(counts)) == res.n


def test_max_clients_fits_on_a_seeded_sample_of_whole_clients():
    from rehab_eval.change import sample_clients

    data = _simulate(80, 1.5, seed=5)
    data = data.drop(index=data.index[::7])  # some clients miss a timepoint
    res = trajectory(data, "score", max_clients=30, seed=4)
    chosen = sample_clients(data["client_id"], 30, seed=4)
    assert len(chosen) == 30 and res.sampled
    assert (res.n_clients, res.n_clients_total) == (30, 80)
    on_sample = trajectory(data[data["client_id"].isin(chosen)], "score")
    # every observation of a sampled client is kept: the same model as on the sample
    assert res.n_obs == on_sample.n_obs
    np.testing.assert_allclose(res.means["mean"], on_sample.means["mean"], rtol=1e-9)
    # reproducible whatever the row order; another seed draws other clients
    shuffled = data.sample(frac=1.0, random_state=1)
    assert set(sample_clients(shuffled["client_id"], 30, seed=4)) == set(chosen)
    assert set(sample_clients(data["client_id"], 30, seed=5)) != set(chosen)
    whole = trajectory(data, "score", max_clients=80)
    assert not whole.sampled and whole.n_clients == whole.n_clients_total == 80
