"""Statistics beside counts, tiny groups, ages, per-person marks (rehab_eval.disclosure.stats).

The solve-back attack: a reader who sees a change estimate's mean difference, d_z and
its t interval knows h·d_z/md = t₀.₉₇₅,ₙ₋₁/√n (h the half-width), a function of n alone.
The tests run that attack on values rounded as displayed: it finds the hidden n, so
rounding alone does not protect, and it fails once the interval is withheld.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from rehab_eval.change import paired
from rehab_eval.disclosure import (
    age_band,
    describe,
    per_person_marks,
    resolve,
    show_age,
    show_statistics,
    summary_values,
)
from rehab_eval.disclosure.stats import N_FREE
from rehab_eval.errors import ConfigError

PUBLIK = resolve()
INTERNAL = resolve("internal")


def _paired_row(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    pre = rng.normal(55, 12, n).round(1)
    post = (pre + rng.normal(6, 9, n)).round(1)
    scores = pd.DataFrame(
        {
            "client_id": np.repeat([f"c{i}" for i in range(n)], 2),
            "timepoint": ["pre", "post"] * n,
            "score": np.column_stack([pre, post]).ravel(),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = paired(scores, "score")
    table = getattr(result, "table", result)
    return table.iloc[0].to_dict()


def _candidates(published: dict, n_range=range(2, 201)) -> list[int]:
    """Every n consistent with the published (rounded) md, d_z and, if given, the t interval."""
    half_step = {"score": 0.05, "effect_size": 0.005}
    md = published["mean_diff"]
    dz = published["cohen_dz"]
    md_lo, md_hi = md - half_step["score"], md + half_step["score"]
    dz_lo, dz_hi = dz - half_step["effect_size"], dz + half_step["effect_size"]
    # sd = md / dz over the rounding boxes (md, dz > 0 here)
    sd_lo, sd_hi = md_lo / dz_hi, md_hi / dz_lo
    out = []
    for n in n_range:
        if published.get("ci_low") is None:
            out.append(n)
            continue
        half = (published["ci_high"] - published["ci_low"]) / 2
        factor = sps.t.ppf(0.975, n - 1) / math.sqrt(n)
        lo, hi = (half - half_step["score"]) / factor, (half + half_step["score"]) / factor
        if lo <= sd_hi and sd_lo <= hi:
            out.append(n)
    return out


@pytest.mark.parametrize(("n", "seed"), [(12, 1), (14, 2), (17, 3), (21, 4)])
def test_solve_back_attack_finds_n_from_rounded_values_with_the_interval(n, seed):
    row = _paired_row(n, seed)
    shown = show_statistics(row, n, PUBLIK)  # n shown: everything at display precision
    published = summary_values(shown)
    assert published["mean_diff"] == round(row["mean_diff"], 1)
    assert published["cohen_dz"] == round(row["cohen_dz"], 2)
    found = _candidates(published)
    assert n in found and len(found) <= 3  # the rounded interval gives n away (± 1)


@pytest.mark.parametrize(("n", "seed"), [(12, 1), (14, 2), (17, 3), (21, 4)])
def test_solve_back_attack_fails_when_n_is_hidden(n, seed):
    row = _paired_row(n, seed)
    shown = show_statistics(row, n, PUBLIK, n_shown=False)
    published = summary_values(shown)
    withheld = {k for k, v in published.items() if v is None}
    assert withheld == {k for k in shown if k not in N_FREE}
    for key in ("ci_low", "ci_high", "dz_ci_low", "dz_ci_high", "t", "p_value", "hedges_gav"):
        assert published[key] is None and shown[key].text == "x"
    # what is left is d_z at display precision, consistent with every n
    assert {k for k, v in published.items() if v is not None} == {"cohen_dz"}
    assert published["cohen_dz"] == round(row["cohen_dz"], 2)
    # even a reader who knew the mean difference could not solve n from it
    assert _candidates(published | {"mean_diff": round(row["mean_diff"], 1)}) == list(range(2, 201))


def test_weighted_mean_attack_needs_the_means_withheld():
    # parent of 33 (shown), group A of 12 (shown), group B of 21 hidden as "x"
    rng = np.random.default_rng(5)
    a, b = rng.normal(50, 10, 12), rng.normal(60, 10, 21)
    m_all, m_a, m_b = (round(float(np.mean(v)), 1) for v in (np.concatenate([a, b]), a, b))
    solved = 12 * (m_a - m_all) / (m_all - m_b)
    assert round(solved) == 21  # rounded means give the hidden n away
    shown = show_statistics({"mean": float(np.mean(b))}, 21, PUBLIK, n_shown=False)
    assert shown["mean"].value is None and shown["mean"].text == "x"


def test_internal_twin_shows_every_statistic_exactly():
    row = _paired_row(12, 1)
    shown = show_statistics(row, 12, INTERNAL, n_shown=False)
    assert shown["ci_low"].value == pytest.approx(row["ci_low"])
    assert shown["p_value"].text.startswith(("= ", "< "))
    assert shown["cohen_dz"].text == f"{row['cohen_dz']:.2f}".replace(".", ",")


def test_statistics_of_tiny_groups_are_not_published():
    row = _paired_row(12, 1)
    for n in (1, 2, 5, 9):
        shown = show_statistics(row, n, PUBLIK)
        assert all(v.value is None and v.text == "n<10" for v in shown.values())
        assert show_statistics(row, n, INTERNAL)["mean_diff"].value == pytest.approx(
            row["mean_diff"]
        )
    assert show_statistics(row, 10, PUBLIK)["mean_diff"].value == round(row["mean_diff"], 1)
    assert show_statistics(row, 12, PUBLIK, lang="en")["p_value"].text.startswith(("= 0.", "< 0."))


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_describe_a_tiny_group(n):
    ages = [23.7, 41.2, 35.0, 29.9, 52.4, 30.1, 44.4, 38.8, 27.5][:n]
    out = describe(ages, PUBLIK)
    assert out["n"].text == ("<5" if n < 5 else str(n))
    for key in ("mean", "median", "sd", "iqr", "min", "max"):
        assert out[key].value is None
    exact = describe(ages, INTERNAL)
    assert exact["n"].text == str(n) and exact["max"].value == max(ages)


def test_describe_a_group_at_the_threshold():
    values = np.arange(10, dtype=float) * 1.55
    out = describe(values, PUBLIK, lang="en")
    assert out["n"].text == "10"
    assert out["mean"].text == "7.0" and out["mean"].value == 7.0
    assert out["max"].value == 14.0  # 13.95 at one decimal, half to even
    assert out["sd"].value == round(float(values.std(ddof=1)), 1)


def test_ages_as_whole_years_or_bands():
    assert show_age(34.99, PUBLIK).text == "34" and show_age(34.99, PUBLIK).value == 34
    assert show_age(34.99, PUBLIK, band=True).text == "25–34 th"
    assert show_age(17.2, PUBLIK, band=True, lang="en").text == "<18 y"
    assert show_age(61, PUBLIK, band=True).text == "55+ th"
    assert show_age(None, PUBLIK).text == "–"
    assert [age_band(a, [18, 25], "en") for a in (18, 24.9, 25)] == ["18–24 y", "18–24 y", "25+ y"]


@pytest.mark.parametrize(
    ("figure", "size", "audience", "mode"),
    [
        ("jacobson", 9, "publik", "aggregate"),
        ("jacobson", 10, "publik", "points"),
        ("jacobson", 1, "internal", "points"),
        ("prepost", 4, "publik", "means"),
        ("prepost", 21, "publik", "lines"),
        ("km", 8, "publik", "cut"),
    ],
)
def test_per_person_marks(figure, size, audience, mode):
    decision = per_person_marks(figure, size, resolve(audience))
    assert decision.mode == mode
    assert decision.per_person == (mode in ("points", "lines", "steps"))
    assert decision.label("id") and decision.label("en")


def test_per_person_marks_follow_a_stricter_threshold_and_refuse_unknown_figures():
    assert per_person_marks("jacobson", 15, resolve(display_min=20)).mode == "aggregate"
    with pytest.raises(ConfigError, match="figure='scatter'"):
        per_person_marks("scatter", 30, PUBLIK)


def test_summary_values_are_what_the_report_displays():
    row = _paired_row(21, 4)
    shown = {"change": show_statistics(row, 21, PUBLIK), "n": describe([1.0] * 21, PUBLIK)["n"]}
    values = summary_values(shown)
    assert values["n"] == 21
    for key, item in shown["change"].items():
        text = item.text.replace(",", ".").replace("−", "-")
        if key.startswith("p_") or key == "wilcoxon_p":
            continue
        assert values["change"][key] == pytest.approx(float(text))
