"""reliability(): Cronbach's alpha with a Feldt interval, checked against R.

Reference values from base R 4.x (the formulas of ``psych::alpha`` and ``psych::alpha.ci``)::

    x <- matrix(c(4,5,4,3, 3,3,4,3, 5,5,5,4, 2,3,2,2, 4,4,3,4, 3,2,3,3,
                  5,4,5,5, 1,2,2,1, 4,3,4,4, 3,4,3,2, 2,2,3,3, 4,5,5,4),
                ncol = 4, byrow = TRUE)
    k <- ncol(x); n <- nrow(x)
    alpha <- k / (k - 1) * (1 - sum(apply(x, 2, var)) / var(rowSums(x)))
    df1 <- n - 1; df2 <- (n - 1) * (k - 1)
    lo <- 1 - (1 - alpha) * qf(0.975, df1, df2)
    hi <- 1 - (1 - alpha) * qf(0.025, df1, df2)
    lo90 <- 1 - (1 - alpha) * qf(0.95, df1, df2)
    hi90 <- 1 - (1 - alpha) * qf(0.05, df1, df2)
    cat(sprintf("%.12f %.12f %.12f %.12f %.12f\\n", alpha, lo, hi, lo90, hi90))
    s <- x[, 1:3]; k <- 3
    a3 <- k / (k - 1) * (1 - sum(apply(s, 2, var)) / var(rowSums(s)))
    df2 <- (n - 1) * (k - 1)
    cat(sprintf("%.12f %.12f %.12f\\n", a3, 1 - (1 - a3) * qf(0.975, df1, df2),
                1 - (1 - a3) * qf(0.025, df1, df2)))

Printed output::

    0.922217320982 0.812367573289 0.974887065390 0.837181064076 0.969571296453
    0.907749077491 0.755825448058 0.971144953785
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import rehab_eval
from rehab_eval import InstrumentError, SmallSampleWarning
from rehab_eval.instruments.consistency import cronbach_alpha
from rehab_eval.scoring import reliability

X = np.array(
    [
        [4, 5, 4, 3],
        [3, 3, 4, 3],
        [5, 5, 5, 4],
        [2, 3, 2, 2],
        [4, 4, 3, 4],
        [3, 2, 3, 3],
        [5, 4, 5, 5],
        [1, 2, 2, 1],
        [4, 3, 4, 4],
        [3, 4, 3, 2],
        [2, 2, 3, 3],
        [4, 5, 5, 4],
    ],
    dtype=float,
)
R4 = (0.922217320982, 0.812367573289, 0.974887065390)
R4_90 = (0.837181064076, 0.969571296453)
R3 = (0.907749077491, 0.755825448058, 0.971144953785)


def test_alpha_and_feldt_interval_match_r():
    alpha, low, high, n = cronbach_alpha(X)
    assert n == 12
    assert (alpha, low, high) == pytest.approx(R4, abs=1e-10)
    _, low90, high90, _ = cronbach_alpha(X, ci=0.90)
    assert (low90, high90) == pytest.approx(R4_90, abs=1e-10)


def _whoqol_with_social(social: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    n = len(social)
    frame = pd.DataFrame(
        rng.integers(1, 6, size=(n, 26)).astype(float), columns=[f"q{i}" for i in range(1, 27)]
    )
    frame[["q20", "q21", "q22"]] = social
    return frame


def test_reliability_table_for_whoqol_social_domain_matches_r():
    frame = _whoqol_with_social(X[:, :3], np.random.default_rng(3))
    table = reliability(frame, "whoqol_bref")
    assert list(table.columns) == [
        "instrument",
        "scale",
        "n_items",
        "n",
        "alpha",
        "ci_low",
        "ci_high",
        "ci_level",
    ]
    assert list(table["scale"]) == ["physical", "psychological", "social", "environment"]
    social = table.set_index("scale").loc["social"]
    assert social["n"] == 12 and social["n_items"] == 3
    assert (social["alpha"], social["ci_low"], social["ci_high"]) == pytest.approx(R3, abs=1e-10)
    assert rehab_eval.reliability is reliability


def test_reversed_items_are_reversed_before_alpha():
    rng = np.random.default_rng(11)
    latent = rng.normal(size=300)
    items = np.clip(np.rint(3 + latent[:, None] + rng.normal(scale=0.8, size=(300, 26))), 1, 5)
    frame = pd.DataFrame(items, columns=[f"q{i}" for i in range(1, 27)])
    frame[["q3", "q4", "q26"]] = 6 - frame[["q3", "q4", "q26"]]  # negatively worded, raw
    table = reliability(frame, "whoqol_bref").set_index("scale")
    physical = frame[["q3", "q4", "q10", "q15", "q16", "q17", "q18"]].to_numpy()
    physical[:, :2] = 6 - physical[:, :2]
    assert table.loc["physical", "alpha"] == pytest.approx(cronbach_alpha(physical)[0], abs=1e-12)
    assert table.loc["physical", "alpha"] > 0.8
    wrong = reliability(frame, "whoqol_bref", prereversed=True).set_index("scale")
    assert wrong.loc["physical", "alpha"] < table.loc["physical", "alpha"] - 0.2


def test_listwise_deletion_and_small_sample_warning():
    frame = _whoqol_with_social(X[:, :3], np.random.default_rng(4))
    frame.loc[[0, 1, 2, 3], "q21"] = np.nan
    with pytest.warns(SmallSampleWarning, match="social"):
        table = reliability(frame, "whoqol_bref").set_index("scale")
    assert table.loc["social", "n"] == 8
    expected = cronbach_alpha(X[4:, :3])
    assert table.loc["social", "alpha"] == pytest.approx(expected[0], abs=1e-12)


def test_urica_subscales_and_assist_refused():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        rng.integers(1, 6, size=(40, 32)).astype(float), columns=[f"q{i}" for i in range(1, 33)]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = reliability(frame, "urica")
    assert list(table["scale"]) == ["precontemplation", "contemplation", "action", "maintenance"]
    assert (table["n_items"] == 7).all() and (table["n"] == 40).all()
    assert (table["ci_low"] < table["alpha"]).all() and (table["alpha"] < table["ci_high"]).all()
    with pytest.raises(InstrumentError, match="not defined"):
        reliability(pd.DataFrame(), "assist")
