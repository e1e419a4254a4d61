"""Slide-ready figures (rehab_eval.plots) on small hand-built result frames.

The frames carry exactly the columns of the result contract (change.paired,
change.reliable_change, change.stage_transitions, recidivism.kaplan_meier / rates_at,
cohort.flow / urine_positivity / reach), each with a count of 3 somewhere, which must be
drawn as "<5".
"""

from __future__ import annotations

import copy
import dataclasses
import re
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from rehab_eval import plots
from rehab_eval.change import ReliableChange
from rehab_eval.errors import InputError
from rehab_eval.i18n import t
from rehab_eval.plots.survival import at_risk_at

MEASURES = ["physical_0_100", "psychological_0_100", "social_0_100", "environment_0_100"]
STAGES = ["precontemplation", "contemplation", "preparation_action"]
PERIOD = ("2025-01-06", "2025-06-30")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _frames() -> dict:
    rng = np.random.default_rng(20250106)
    ids = [f"SMG-{i:04d}" for i in range(20)]
    pre = pd.DataFrame(
        {"client_id": ids, "timepoint": "pre"}
        | {m: rng.normal(50, 12, len(ids)).clip(0, 100) for m in MEASURES}
    )
    post = pre.assign(timepoint="post")
    for m in MEASURES:
        post[m] = (pre[m] + rng.normal(6, 8, len(ids))).clip(0, 100)
    scores = pd.concat([pre, post], ignore_index=True)
    paired = pd.DataFrame(
        {
            "measure": MEASURES,
            "n": [20, 20, 3, 20],
            "n_excluded": [0, 0, 17, 0],
            "mean_pre": [50.0, 48.0, 55.0, 52.0],
            "sd_pre": [12.0, 11.0, 13.0, 10.0],
            "mean_post": [56.0, 53.0, 57.0, 58.0],
            "sd_post": [11.0, 12.0, 12.0, 9.0],
            "mean_diff": [6.0, 5.0, 2.0, 6.0],
            "sd_diff": [8.0, 8.0, 8.0, 8.0],
            "ci_low": [2.3, 1.2, -17.9, 2.3],
            "ci_high": [9.7, 8.8, 21.9, 9.7],
            "t": [3.35, 2.8, 0.43, 3.35],
            "df": [19, 19, 2, 19],
            "p_value": [0.003, 0.011, 0.71, 0.003],
            "wilcoxon_w": [30.0, 40.0, 2.0, 30.0],
            "wilcoxon_p": [0.004, 0.02, 1.0, 0.004],
            "wilcoxon_method": ["exact"] * 4,
            "rank_biserial": [0.7, 0.6, 0.3, 0.7],
            "cohen_dz": [0.75, 0.62, 0.25, 0.75],
            "dz_ci_low": [0.24, 0.14, -0.9, 0.24],
            "dz_ci_high": [1.24, 1.09, 1.37, 1.24],
            "hedges_gav": [0.5, 0.42, 0.15, 0.6],
            "p_holm": [0.012, 0.022, 0.71, 0.012],
            "p_fdr": [0.006, 0.015, 0.71, 0.006],
        }
    )
    rc = pd.DataFrame({"client_id": ids, "pre": pre[MEASURES[0]], "post": post[MEASURES[0]]})
    rc["diff"] = rc["post"] - rc["pre"]
    rc["rci"] = rc["diff"] / 5.0
    category = ["improved"] * 6 + ["unchanged"] * 9 + ["deteriorated"] * 3 + ["recovered"] * 2
    rc["category"] = pd.Categorical(
        category,
        categories=["recovered", "improved", "unchanged", "deteriorated", "harmed"],
        ordered=True,
    )
    rc["reliable"] = rc["category"] != "unchanged"
    rc = ReliableChange(
        table=rc,
        measure="physical_0_100",
        method="jt",
        n=len(rc),
        n_excluded=0,
        reliability=0.8,
        reliability_source="test",
        sd_pre=12.0,
        sd_pre_source="given",
        m_pre=50.0,
        se_measurement=5.0 / 2**0.5,
        s_diff=5.0,
        crit=1.96,
        higher_is_better=True,
        cutoff_type="c",
        cutoff=58.5,
    )
    table = pd.DataFrame(
        [[3, 6, 2], [1, 8, 7], [0, 2, 6]],
        index=pd.Index(STAGES, name="pre"),
        columns=pd.Index(STAGES, name="post"),
    )
    transitions = SimpleNamespace(table=table, statistic=4.21, df=2, p_value=0.122, n=35)
    km_rows = []
    for group, at_risk in (("rendah", [40, 38, 30, 25]), ("tinggi", [12, 9, 3, 3])):
        survival = 1.0
        for k, (time, n) in enumerate(zip([3.0, 6.0, 12.0, 18.0], at_risk, strict=True)):
            events = 1 if k % 2 == 0 else 0
            survival *= 1 - events / n
            km_rows.append(
                {
                    "group": group,
                    "time": time,
                    "at_risk": n,
                    "events": events,
                    "censored": 1,
                    "survival": survival,
                    "ci_low": max(survival - 0.15, 0.0),
                    "ci_high": min(survival + 0.08, 1.0),
                }
            )
    km = pd.DataFrame(km_rows)
    rates = pd.DataFrame(
        {
            "window": [6, 12, 24, 6, 12, 24],
            "unit": "months",
            "group": ["rendah"] * 3 + ["tinggi"] * 3,
            "n": [40] * 3 + [12] * 3,
            "events": [3, 6, 9, 5, 6, 7],
            "km_risk": [0.075, 0.15, 0.24, 0.42, 0.5, 0.6],
            "km_ci_low": [0.02, 0.07, 0.13, 0.19, 0.25, 0.33],
            "km_ci_high": [0.2, 0.29, 0.4, 0.68, 0.75, 0.82],
        }
    )
    flow = pd.DataFrame(
        {
            "step": ["enrolled", "assessed_pre", "assessed_post", "completed"],
            "n": [35, 33, 29, 3],
            "share": [1.0, 33 / 35, 29 / 35, 3 / 35],
        }
    )
    urine = pd.DataFrame(
        {
            "month": [1, 2, 3, 4, 5, 6],
            "n_tests": [35, 34, 32, 30, 29, 3],
            "n_positive": [9, 6, 5, 3, 0, 0],
        }
    )
    urine["share"] = urine["n_positive"] / urine["n_tests"]
    urine["ci_low"] = urine["share"] * 0.5
    urine["ci_high"] = (urine["share"] * 1.6 + 0.05).clip(upper=1.0)
    reach = pd.DataFrame(
        {
            "year": [2021, 2022, 2023, 2021, 2022, 2023],
            "facility": ["Sumatera Selatan"] * 3 + ["Lapas Narkotika Muara Beliti"] * 3,
            "n_clients": [870, 800, 520, 40, 25, 3],
            "n_completed": [600, 560, 400, 30, 20, 3],
        }
    )
    return {
        "scores": scores,
        "paired": paired,
        "rc": rc,
        "transitions": transitions,
        "km": km,
        "rates": rates,
        "flow": flow,
        "urine": urine,
        "reach": reach,
    }


# name → (call, title key, a label that must appear in id, the same in en)
CASES = {
    "flow": (
        lambda f, **kw: plots.plot_flow(f["flow"], period=PERIOD, **kw),
        "fig.flow.title",
        "Menyelesaikan program",
        "Completed",
    ),
    "prepost": (
        lambda f, **kw: plots.plot_prepost(f["scores"], f["paired"], period=PERIOD, **kw),
        "fig.prepost.title",
        "Psikologis",
        "Psychological",
    ),
    "effect_sizes": (
        lambda f, **kw: plots.plot_effect_sizes(f["paired"], **kw),
        "fig.forest.title",
        "Lingkungan (n = 20)",
        "Environment (n = 20)",
    ),
    "jacobson": (
        lambda f, **kw: plots.plot_jacobson(f["rc"], **kw),
        "fig.jacobson.title",
        "Memburuk (n < 5)",
        "Deteriorated (n < 5)",
    ),
    "stages": (
        lambda f, **kw: plots.plot_stage_transitions(f["transitions"], **kw),
        "fig.stages.title",
        "Prakontemplasi",
        "Precontemplation",
    ),
    "urine": (
        lambda f, **kw: plots.plot_urine_positivity(f["urine"], period=PERIOD, **kw),
        "fig.urine.title",
        "Bulan program",
        "Program month",
    ),
    "km": (
        lambda f, **kw: plots.plot_km(f["km"], **kw),
        "fig.km.title",
        "Jumlah berisiko",
        "Number at risk",
    ),
    "rates": (
        lambda f, **kw: plots.plot_rates_at(f["rates"], **kw),
        "fig.rates.title",
        "12 bulan",
        "12 months",
    ),
    "reach": (
        lambda f, **kw: plots.plot_reach(f["reach"], **kw),
        "fig.reach.title",
        "Jumlah klien",
        "Number of clients",
    ),
}


def _texts(fig: Figure, ticks: bool = True) -> list[str]:
    fig.canvas.draw()
    skip = set()
    if not ticks:
        for ax in fig.axes:
            skip |= {id(x) for x in ax.get_xticklabels() + ax.get_yticklabels()}
    return [
        x.get_text()
        for x in fig.findobj(Text)
        if x.get_text() and x.get_visible() and id(x) not in skip
    ]


def _figure(result) -> Figure:
    return result if isinstance(result, Figure) else result.figure


def _snapshot(frames: dict) -> dict:
    out = {}
    for key, value in frames.items():
        if isinstance(value, pd.DataFrame):
            out[key] = (value.copy(deep=True), copy.deepcopy(value.attrs))
        else:
            out[key] = (value.table.copy(deep=True), None)
    return out


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", list(CASES))
def test_every_figure_renders_with_its_texts_in_both_languages(name, lang):
    call, title_key, label_id, label_en = CASES[name]
    frames = _frames()
    before = _snapshot(frames)
    rc_before = matplotlib.rcParams.copy()

    result = call(frames, lang=lang)

    assert isinstance(result, Figure if name == "prepost" else Axes)
    fig = _figure(result)
    texts = _texts(fig)
    joined = "\n".join(texts)
    # title (default from the i18n table), subtitle, source line
    assert any(x.startswith(t(title_key, lang)) for x in texts), texts
    assert any(x.startswith("Sumber: " if lang == "id" else "Source: ") for x in texts)
    subtitle = [x for x in texts if x.startswith(("n = ", "n: ")) or "2025" in x or "20" in x]
    assert subtitle, texts
    # labels in the chosen language, not the other
    assert (label_id if lang == "id" else label_en) in joined
    assert (label_en if lang == "id" else label_id) not in joined
    assert ("Sumber" in joined) == (lang == "id")
    # a count of 3 is drawn as <5, never as 3
    assert re.search(r"<\s?5", joined), joined
    annotations = _texts(fig, ticks=False)
    assert not any(re.fullmatch(r"3|3 +\(\d+%\)", x) for x in annotations), annotations
    # slide size, style applied only in a context
    assert tuple(np.round(fig.get_size_inches(), 2)) == (13.33, 7.5)
    assert matplotlib.rcParams == rc_before
    # inputs untouched, no identifier drawn
    for key, (frame, attrs) in before.items():
        now = frames[key] if isinstance(frames[key], pd.DataFrame) else frames[key].table
        pd.testing.assert_frame_equal(now, frame)
        if attrs is not None:
            assert frames[key].attrs == attrs
    assert "SMG-" not in joined


def test_indonesian_numbers_use_the_decimal_comma():
    frames = _frames()
    id_texts = _texts(plots.plot_prepost(frames["scores"], frames["paired"], period=PERIOD))
    en_texts = _texts(plots.plot_prepost(frames["scores"], frames["paired"], lang="en"))
    assert "Perubahan +6,0" in id_texts and "IK 95% [2,3; 9,7]" in id_texts
    assert "Change +6.0" in en_texts and "95% CI [2.3; 9.7]" in en_texts
    assert "n ≤ 20 klien · 6 Januari – 30 Juni 2025" in id_texts  # n varies by measure
    assert "n < 5" in id_texts  # the social panel rests on 3 pairs
    forest = _texts(_figure(plots.plot_effect_sizes(frames["paired"])))
    assert "0,75 [0,24; 1,24]" in forest
    dates = _texts(_figure(plots.plot_flow(frames["flow"], period=PERIOD)))
    assert "n = 35 klien · 6 Januari – 30 Juni 2025" in dates


def test_titles_subtitles_and_sources_can_be_replaced():
    frames = _frames()
    ax = plots.plot_flow(
        frames["flow"],
        title="Semarang 2025",
        subtitle="Kohort pascarehabilitasi",
        source="SIRENA, ekspor Juli 2025",
    )
    texts = _texts(ax.figure)
    assert "Semarang 2025" in texts
    assert "Kohort pascarehabilitasi" in texts
    assert "Sumber: SIRENA, ekspor Juli 2025" in texts


def test_drawing_into_a_given_axes_returns_it_with_its_texts():
    frames = _frames()
    fig, (left, right) = plt.subplots(1, 2)
    assert plots.plot_km(frames["km"], ax=left) is left
    assert plots.plot_flow(frames["flow"], ax=right, lang="en") is right
    texts = _texts(fig)
    assert t("fig.km.title") in texts and t("fig.flow.title", "en") in texts
    assert "Sumber: data program, diolah dengan rehab_eval" in texts


def test_km_at_risk_table_reads_the_at_risk_column():
    km = _frames()["km"]
    high = km[km["group"] == "tinggi"]
    assert at_risk_at(high, [0, 3, 6, 9, 12, 18, 20]) == [12, 12, 9, 3, 3, 3, 2]
    ax = plots.plot_km(km, times=[0, 6, 12, 18])
    texts = _texts(ax.figure)
    # rendah row 40, 38, 30, 25; tinggi row 12, 9, <5, <5
    for value in ("40", "38", "30", "25", "12", "9"):
        assert value in texts
    assert texts.count("<5") == 2
    assert "n: Rendah 40, Tinggi 12" in " ".join(texts)


def test_hidden_counts_do_not_show_through_bar_lengths():
    reach = _frames()["reach"]
    ax = plots.plot_reach(reach, min_cell=5)
    heights = sorted(round(p.get_height()) for p in ax.patches if p.get_height() > 0)
    assert 3 not in heights and 5 in heights  # the 3 is drawn at the threshold, labelled <5
    flow = _frames()["flow"]
    ax = plots.plot_flow(flow)
    widths = sorted(round(p.get_width()) for p in ax.patches)
    # 33 = 35 − 2 is hidden as "x" (the 2 who were not assessed would follow): no bar
    assert widths == [0, 5, 29, 35]


def test_suppression_threshold_is_a_parameter():
    frames = _frames()
    texts = _texts(plots.plot_flow(frames["flow"], min_cell=30).figure)
    assert "<30" in texts and "x" in texts and "35" in texts  # 35 − 33 = 2 < 30: hidden
    texts = _texts(plots.plot_flow(frames["flow"], min_cell=2).figure)
    assert "33  (94%)" in texts and "<2" not in texts
    texts = _texts(plots.plot_flow(frames["flow"], min_cell=1).figure)
    assert "3  (9%)" in texts


def test_slide_style_is_a_context_and_sets_the_slide_look():
    before = matplotlib.rcParams.copy()
    with plots.slide_style():
        assert tuple(matplotlib.rcParams["figure.figsize"]) == (13.333, 7.5)
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["axes.spines.right"] is False
        assert matplotlib.rcParams["font.size"] >= 18
        assert matplotlib.rcParams["axes.labelsize"] >= 18
        colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        assert [c.upper().lstrip("#") for c in colors[:4]] == [
            "0072B2",
            "E69F00",
            "009E73",
            "D55E00",
        ]  # Okabe–Ito
        assert matplotlib.rcParams["svg.fonttype"] == "none"
    assert matplotlib.rcParams == before


def test_title_is_slide_sized_and_fits_the_slide():
    fig = plots.plot_prepost(_frames()["scores"], _frames()["paired"])
    fig.canvas.draw()
    title = next(x for x in fig.texts if x.get_text() == t("fig.prepost.title"))
    assert 20 <= title.get_fontsize() <= 28
    assert title.get_window_extent().x1 <= fig.bbox.width


def test_a_figure_saves_as_png(tmp_path):
    ax = plots.plot_urine_positivity(_frames()["urine"])
    path = tmp_path / "urine.png"
    ax.figure.savefig(path, dpi=40)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_columns_and_wrong_inputs_are_named():
    frames = _frames()
    with pytest.raises(InputError, match=r"plot_flow: the result frame lacks column\(s\) \['n'\]"):
        plots.plot_flow(frames["flow"].drop(columns="n"))
    with pytest.raises(InputError, match="ReliableChange"):
        plots.plot_jacobson(frames["rc"].table)
    with pytest.raises(InputError, match="several rows per measure"):
        plots.plot_prepost(frames["scores"], pd.concat([frames["paired"]] * 2))
    with pytest.raises(InputError, match="estimate='cohen_d'"):
        plots.plot_effect_sizes(frames["paired"], estimate="cohen_d")
    with pytest.raises(InputError, match="no estimate columns found"):
        plots.plot_rates_at(frames["rates"].drop(columns="km_risk"))


def test_legend_colours_match_the_bars():
    ax = plots.plot_reach(_frames()["reach"])
    legend = ax.get_legend()
    colours = {tuple(h.get_facecolor()) for h in legend.legend_handles}
    assert len(colours) == 2
    ax = plots.plot_rates_at(_frames()["rates"], lang="en")
    labels = [x.get_text() for x in ax.get_legend().get_texts()]
    assert labels == ["Low", "High"]
    assert len({tuple(h.get_facecolor()) for h in ax.get_legend().legend_handles}) == 2


def test_rates_hide_small_event_counts_without_a_bar():
    rates = _frames()["rates"]
    ax = plots.plot_rates_at(rates)
    bars = [p for p in ax.patches if p.get_height() > 0]
    assert len(bars) == 5  # the 6-month bar of "rendah" (3 events) is not drawn
    texts = _texts(ax.figure, ticks=False)
    assert "<5" in texts and "7,5%" not in texts
    assert "n: Rendah 40, Tinggi 12" in " ".join(texts)


def test_km_prints_an_exact_at_risk_table_when_given():
    km = _frames()["km"]
    table = pd.DataFrame(
        {
            "group": ["rendah"] * 3 + ["tinggi"] * 3,
            "time": [0.0, 6.0, 12.0] * 2,
            "at_risk": [41, 36, 29, 13, 8, 4],
        }
    )
    ax = plots.plot_km(km, at_risk=table, lang="en")
    texts = _texts(ax.figure, ticks=False)
    for value in ("41", "36", "29", "13", "8"):
        assert value in texts
    assert texts.count("<5") == 1
    assert [x.get_text() for x in ax.get_xticklabels()] == ["0", "6", "12"]
    assert "n: Low 41, High 13" in texts


def test_urine_months_with_few_positives_show_no_point():
    urine = _frames()["urine"]
    ax = plots.plot_urine_positivity(urine, lang="en", period=PERIOD)
    line = ax.get_lines()[0]
    ys = np.asarray(line.get_ydata(), dtype=float)
    # month 4 has 3 positives: no point there (its share 3/30 would give the count away)
    assert np.isnan(ys[3]) and not np.isnan(ys[0])
    texts = _texts(ax.figure, ticks=False)
    assert "Fewer than 5 positive tests (not shown)" in texts
    assert "163 urine tests · 6 January – 30 June 2025" in texts


def test_prepost_draws_into_given_panels():
    frames = _frames()
    fig, panels = plt.subplots(1, 4)
    assert plots.plot_prepost(frames["scores"], frames["paired"], ax=panels) is fig
    texts = _texts(fig)
    assert t("fig.prepost.title") in texts and "Fisik" in texts
    # each panel holds one faint line per client with both values (20 here)
    assert len(panels[0].collections[0].get_segments()) == 20


def test_many_facilities_and_grouped_effect_sizes_fit_the_slide():
    facilities = [f"Lapas Narkotika Kelas IIA Kota {k}" for k in "ABCDEFGH"]
    reach = pd.DataFrame(
        {"year": [2022, 2023] * 8, "facility": np.repeat(facilities, 2), "n_clients": 40}
    )
    ax = plots.plot_reach(reach, lang="en")
    fig = ax.figure
    fig.canvas.draw()
    assert [x.get_text() for x in ax.get_yticklabels()] == facilities  # horizontal bars
    left_edge = min(x.get_window_extent().x0 for x in ax.get_yticklabels())
    assert left_edge >= 0  # the long names are not cut off
    paired = _frames()["paired"].assign(level="tinggi")
    ax = plots.plot_effect_sizes(paired, by="level")
    ax.figure.canvas.draw()
    labels = [x.get_text() for x in ax.get_yticklabels()]
    assert labels[0] == "Fisik\nTinggi (n = 20)" and labels[2] == "Hubungan sosial\nTinggi (n < 5)"
    assert min(x.get_window_extent().x0 for x in ax.get_yticklabels()) >= 0


def test_svg_saved_inside_the_style_is_byte_identical(tmp_path):
    outputs = []
    for _ in range(2):
        ax = plots.plot_flow(_frames()["flow"])
        with plots.slide_style():
            ax.figure.savefig(tmp_path / "flow.svg", metadata={"Date": None})
        outputs.append((tmp_path / "flow.svg").read_bytes())
        plt.close(ax.figure)
    assert outputs[0] == outputs[1]
    assert b"Alur klien program" in outputs[0]  # svg.fonttype none: text stays text


def test_flow_hides_small_differences_between_steps_in_both_languages():
    """Semarang 2024 demo cohort: 21 enrolled, 19 / 17 / 19 at the later steps (min_cell 5)."""
    flow = pd.DataFrame(
        {
            "step": ["enrolled", "assessed_pre", "assessed_post", "completed"],
            "n": [21, 19, 17, 19],
        }
    )
    for lang in ("id", "en"):
        texts = _texts(_figure(plots.plot_flow(flow, lang=lang, period=PERIOD)), ticks=False)
        assert not any(n in x for x in texts for n in ("19", "17", "90%", "81%"))
        assert texts.count("x") == 3
        assert t("text.nested_hidden", lang, min_cell=5) in texts
        plt.close("all")
    assert "selisih kecil" in t("text.nested_hidden", "id", min_cell=5)
    assert "small difference" in t("text.nested_hidden", "en", min_cell=5)


FACILITIES = [
    "Lapas Kelas I Palembang",
    "Lapas Narkotika Kelas IIA Muara Beliti",
    "Lapas Narkotika Kelas IIA Palembang",
    "Lapas Perempuan Kelas IIA Palembang",
    "Rutan Kelas I Palembang",
]


def _facility_rates(windows: list[int]) -> pd.DataFrame:
    rows = []
    for w in windows:
        for k, f in enumerate(FACILITIES):
            share = 0.04 * w / 6 + 0.01 * k
            rows.append(
                {
                    "window": w,
                    "unit": "months",
                    "group": f,
                    "n": 300 + 10 * k,
                    "events": 3 if (k == 3 and w == windows[0]) else 40,
                    "km_cum_incidence": share,
                    "km_ci_low": share - 0.03,
                    "km_ci_high": share + 0.05,
                }
            )
    return pd.DataFrame(rows)


def _boxes(fig: Figure, artists) -> list:
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in artists]


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("lang", ["id", "en"])
def test_rates_with_five_facilities_in_one_window_are_named_bars_without_legend(lang):
    ax = plots.plot_rates_at(_facility_rates([12]), by="group", lang=lang, period=PERIOD)
    fig = ax.figure
    fig.canvas.draw()
    assert ax.get_legend() is None
    ticks = [x.get_text() for x in ax.get_yticklabels()]
    assert [x.split("\n")[0] for x in ticks] == FACILITIES  # full names on the category axis
    assert ticks[0].endswith("(n = 300)")
    assert all(p.get_width() >= 0 and p.get_height() < 1 for p in ax.patches)  # horizontal
    assert all(b.x0 >= 0 for b in _boxes(fig, ax.get_yticklabels()))  # names inside the figure
    _labels_clear_of_error_bars(ax)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_rates_with_five_facilities_and_three_windows_keep_the_legend_off_the_bars(lang):
    ax = plots.plot_rates_at(_facility_rates([6, 12, 24]), by="group", lang=lang)
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    axes = ax.get_window_extent(fig.canvas.get_renderer())
    assert legend.x0 >= axes.x1 and legend.x1 <= fig.bbox.x1  # beside the axes, inside the figure
    _labels_clear_of_error_bars(ax)


def _labels_clear_of_error_bars(ax) -> None:
    from matplotlib.collections import LineCollection

    fig = ax.figure
    labels = [x for x in ax.texts if x.get_text().endswith("%") and x.get_text()[0].isdigit()]
    assert len(labels) >= 4
    bars = [c for c in ax.collections if isinstance(c, LineCollection)]
    caps = [line for line in ax.lines if len(line.get_xdata()) >= 1]
    label_boxes = _boxes(fig, labels)
    for box in _boxes(fig, bars + caps) + _boxes(fig, ax.patches):
        assert not any(_overlap(box, lb) for lb in label_boxes)
    for i, a in enumerate(label_boxes):
        assert not any(_overlap(a, b) for b in label_boxes[i + 1 :])
    plt.close(fig)


def test_default_titles_say_what_is_drawn():
    one = _facility_rates([12])
    assert _figure(plots.plot_rates_at(one, by="group")).texts[0].get_text() == (
        "Residivisme pada 12 bulan"
    )
    two = _facility_rates([6, 24])
    fig = _figure(plots.plot_rates_at(two, by="group", lang="en"))
    assert fig.texts[0].get_text() == "Re-offending at 6 and 24 months"
    rc = _frames()["rc"]
    assert "bermakna klinis" in _figure(plots.plot_jacobson(rc)).texts[0].get_text()
    rc = dataclasses.replace(rc, cutoff=None)  # no norms: no claim of clinical significance
    assert (
        _figure(plots.plot_jacobson(rc, lang="en"))
        .texts[0]
        .get_text()
        .startswith("Reliable change")
    )
    plt.close("all")


def test_rates_draw_a_limit_rounded_past_its_estimate_as_a_zero_whisker():
    # national scale: the interval is narrower than the rounding of its limits
    rates = _frames()["rates"].copy()
    rates.loc[2, "km_ci_low"] = rates.loc[2, "km_risk"] + 1e-12
    rates.loc[1, "km_ci_high"] = rates.loc[1, "km_risk"] - 1e-12
    ax = plots.plot_rates_at(rates)
    assert len([p for p in ax.patches if p.get_height() > 0]) == 5
