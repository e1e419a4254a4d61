"""programme_effect: the comparison-group sections (rehab_eval.effect through the publication
layer) on a small simulated comparison with a known effect, and a selection without a
comparison group. The demo render (Sumatera Selatan) is part of tests/test_notebooks.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rehab_eval.reports.sections import effect as report
from rehab_eval.reports.sections._model import Context, TableOut


def _simulated(n=1200, seed=3):
    """Participants are younger and have fewer prior offences; true log HR −0.7."""
    rng = np.random.default_rng(seed)
    age = rng.normal(35, 8, n)
    prior = rng.poisson(0.6, n)
    logit = -0.08 * (age - 35) - 0.5 * prior
    treated = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    rate = np.exp(-6.5 + 0.03 * (age - 35) + 0.4 * prior - 0.7 * treated)
    time = rng.exponential(1 / rate)
    censor = rng.uniform(200, 1500, n)
    return pd.DataFrame({
        "client_id": [f"c{i}" for i in range(n)], "treated": treated, "age_at_release": age,
        "prior_offences": prior, "duration": np.minimum(time, censor),
        "event": (time <= censor).astype(int),
        "facility": rng.choice(["Lapas A", "Lapas B", "Rutan C"], n),
    })  # fmt: skip


@pytest.fixture(scope="module")
def result():
    from rehab_eval.effect import programme_effect

    return programme_effect(
        _simulated(), covariates=("age_at_release", "prior_offences"), cluster="facility",
        tau=730.0, times=(365.0, 730.0),
    )  # fmt: skip


def _ctx(result, audience="publik", n=None):
    from rehab_eval.disclosure import resolve

    s = result.settings
    flow = {"treated": s["n_treated"], "comparison": s["n_comparison"]} if n is None else n
    return Context(data=None, disclosure=resolve(audience), period=(None, "2025-12-31"),
                   flow=flow, shown={"effect": result, "province": "Sumatera Selatan"})  # fmt: skip


def _table(section, key):
    return next(i.frame for i in section.items if isinstance(i, TableOut) and i.key == key)


def test_estimates_table_shows_the_library_result(result):
    section = report.estimates_section(_ctx(result, "internal"))
    table = _table(section, "effect_estimates")
    adjusted = result.table.query("analysis == 'adjusted' and measure == 'hazard_ratio'").iloc[0]
    expected = "{:.2f} [{:.2f}; {:.2f}]".format(
        *adjusted[["estimate", "ci_low", "ci_high"]]
    ).replace(".", ",")
    assert table.iloc[0, 2] == expected
    assert section.values["hazard_ratio"]["estimate"] == pytest.approx(adjusted["estimate"])
    rmst = result.table.query("analysis == 'adjusted' and measure == 'rmst_difference'").iloc[0]
    assert section.values["rmst_difference_months"]["estimate"] == pytest.approx(
        rmst["estimate"] / 30.4375
    )
    assert table.iloc[-1, 0].startswith("Nilai-E")
    assert f"{result.evalue['evalue']:.2f}".replace(".", ",") in table.iloc[-1, 2]
    # publik: the same numbers rounded as displayed
    public = report.estimates_section(_ctx(result)).values["hazard_ratio"]
    assert public["estimate"] == round(adjusted["estimate"], 2)


def test_the_verdict_follows_the_interval(result):
    section = report.estimates_section(_ctx(result))
    hr = result.table.query("analysis == 'adjusted' and measure == 'hazard_ratio'").iloc[0]
    assert hr["ci_high"] < 1  # the simulated programme works
    assert "peserta lebih jarang kembali melakukan pidana" in section.key_points[0]
    assert section.key_points[1].startswith("Nilai-E")


def test_rates_and_curves(result):
    section = report.curves_section(_ctx(result))
    table = _table(section, "reoffending_rates")
    assert table.iloc[:, 0].tolist() == ["12 bulan", "24 bulan"]
    risk = result.risks.set_index(["analysis", "treated", "time"])["risk"]
    adj24 = section.values["reoffending"]["adjusted_24"]
    assert adj24["participants"] == pytest.approx(round(risk[("adjusted", 1, 730.0)], 2))
    assert adj24["comparison"] == pytest.approx(round(risk[("adjusted", 0, 730.0)], 2))
    ax = section.figures()[0].fig.axes[0]
    assert len(ax.get_lines()) >= 2  # one step curve per group (and the 12/24 month guides)


def test_love_plot_has_one_row_per_term_and_readable_names(result):
    section = report.balance_section(_ctx(result))
    table = _table(section, "balance")
    assert len(table) == len(result.balance.table)
    assert set(table.iloc[:, 0]) == {"umur saat bebas", "riwayat pidana"}
    ax = section.figures()[0].fig.axes[0]
    assert len(ax.collections) == 2  # before and after
    assert "0,1" in section.key_points[0]


def test_small_groups_withhold_estimates_in_publik(result):
    ctx = _ctx(result, n={"treated": 8, "comparison": 300})
    for build in (report.curves_section, report.estimates_section):
        section = build(ctx)
        assert section.figures() == [] and "lebih kecil dari 10 orang" in section.items[0]
    assert report.estimates_section(
        _ctx(result, "internal", n={"treated": 8, "comparison": 300})
    ).values


def test_no_comparison_group_is_one_sentence_per_section(demo):
    ctx = report.effect_context(demo["processed"], province="Jawa Tengah")
    assert ctx.shown["effect"] is None
    builds = (report.design_section, report.balance_section, report.curves_section,
              report.estimates_section, report.limits_section)  # fmt: skip
    for build in builds:
        section = build(ctx)
        assert section.items == [] and section.no_data.startswith(
            "Belum ada data kelompok pembanding"
        )
    closing = report.effect_summary(ctx)
    assert closing.key_points == [report.say("none")]
