"""Section builders of the change estimates: the policy applied to tables, figures and values.

Synthetic WHOQOL-BREF pairs (no demo data): the pairs are an operational count (exact), the
statistics of fewer than ``stats_min`` pairs are withheld in publik, and the figures draw a
mark per person only for groups of at least ``display_min`` whose reliable-change
categories are all shown. Each publik case has its internal twin.
"""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection

from rehab_eval.disclosure import resolve
from rehab_eval.reports import sections
from rehab_eval.reports.sections.change import WHOQOL_DOMAINS

DOMAINS = list(WHOQOL_DOMAINS)
JACOBSON = [f"whoqol_jacobson_{d.split('_')[0]}" for d in DOMAINS]
pytestmark = pytest.mark.filterwarnings("ignore::rehab_eval.SmallSampleWarning")


def _scores(n_pairs: int, seed: int = 1, shift: float = 6.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_pairs):
        base = rng.normal(55, 12, size=len(DOMAINS))
        post = base + rng.normal(shift, 10, size=len(DOMAINS))
        for tp, values in (("pre", base), ("post", post)):
            rows.append(
                {"client_id": f"c{i:04d}", "instrument": "whoqol_bref", "timepoint": tp}
                | dict(zip(DOMAINS, np.clip(values, 0, 100), strict=True))
            )
    frame = pd.DataFrame(rows, columns=["client_id", "instrument", "timepoint", *DOMAINS])
    return frame.astype(dict.fromkeys(DOMAINS, float))


def _ctx(
    n_pairs: int, audience: str = "publik", enrolled: int | None = None, **kw
) -> sections.Context:
    enrolled = enrolled if enrolled is not None else n_pairs + 4
    flow = {
        "enrolled": enrolled,
        "assessed_pre": n_pairs + 2,
        "assessed_post": n_pairs,
        "completed": n_pairs,
    }
    return sections.Context(
        data=SimpleNamespace(scores=_scores(n_pairs, **kw)),
        disclosure=resolve(audience),
        flow=flow,
        period=("2024-01-01", "2024-12-31"),
    )


def _marks(fig) -> int:
    """Points drawn one per person (the scatter layer, zorder 3; the group mean is zorder 4)."""
    return sum(
        len(c.get_offsets())
        for ax in fig.axes
        for c in ax.collections
        if isinstance(c, PathCollection) and c.get_zorder() == 3
    )


def _lines(fig) -> int:
    """One line per person (the faint collection under the means; not the error bars)."""
    return sum(
        len(c.get_segments())
        for ax in fig.axes
        for c in ax.collections
        if isinstance(c, LineCollection) and c.get_zorder() == 1
    )


@pytest.fixture(scope="module")
def big():
    return {a: sections.whoqol_change(_ctx(40, a, seed=3)) for a in ("publik", "internal")}


@pytest.fixture(scope="module")
def tiny():
    return {a: sections.whoqol_change(_ctx(7, a, enrolled=21)) for a in ("publik", "internal")}


def test_the_pairs_behind_each_estimate_are_shown_exactly(big, tiny):
    for result, n in ((big["publik"], "40"), (tiny["publik"], "7")):
        table = result.tables()["whoqol_paired"]
        assert set(table["n (pasangan)"]) == {n}


def test_statistics_of_fewer_pairs_than_stats_min_are_withheld_in_publik(tiny):
    publik, internal = tiny["publik"], tiny["internal"]
    table = publik.tables()["whoqol_paired"]
    for column in (
        "Sebelum, rata-rata (SD)",
        "Sesudah, rata-rata (SD)",
        "Selisih [IK 95%]",
        "p (uji t, disesuaikan Holm)",
    ):
        assert set(table[column]) == {"n<10"}
    assert all(v is None for m in publik.values["whoqol"].values() for v in m.values())
    assert publik.figures() == []  # no figure of a tiny group's means or marks
    # the twin: every statistic, exact
    assert all(isinstance(v, float) for m in internal.values["whoqol"].values() for v in m.values())
    assert {f.key for f in internal.figures()} >= {"whoqol_prepost", *JACOBSON}


def test_values_are_rounded_as_displayed_in_publik_and_exact_in_internal(big):
    publik = big["publik"].values["whoqol"]["physical_0_100"]
    internal = big["internal"].values["whoqol"]["physical_0_100"]
    assert publik["mean_diff"] == round(internal["mean_diff"], 1)
    assert publik["cohen_dz"] == round(internal["cohen_dz"], 2)
    assert internal["mean_diff"] != publik["mean_diff"]  # full precision kept only in internal
    shown = big["publik"].summary["whoqol_mean_diff"]["physical_0_100"]
    assert shown.replace(",", ".").replace("−", "-") == f"{publik['mean_diff']:.1f}"


def test_marks_per_person_only_when_the_group_and_its_categories_may_be_shown(big, tiny):
    for audience, result in big.items():
        figures = {f.key: f for f in result.figures()}
        rc = result.tables()["reliable_change"].set_index("Ukuran")
        shown = rc.drop(columns="n (pasangan)").astype(str).map(str.isdigit)
        lines = _lines(figures["whoqol_prepost"].fig)
        for key in JACOBSON:  # one figure per domain, each with its own decision
            domain = figures[key].title.split(": ")[-1]
            jac = _marks(figures[key].fig)
            if audience == "internal":
                assert jac == 40
            else:  # a coloured point is one person's (possibly hidden) category
                assert jac == (40 if shown.loc[domain].all() else 0)
        if audience == "internal":
            assert lines == 40 * 4
        else:  # a falling line is one person's (hidden) category
            assert lines == (40 * 4 if shown.to_numpy().all() else 0)
    figs = {f.key: f.fig for f in tiny["internal"].figures()}
    assert _lines(figs["whoqol_prepost"]) == 7 * 4  # the twin: one line per client and domain
    assert all(_marks(figs[key]) == 7 for key in JACOBSON)


def test_a_hidden_category_turns_the_jacobson_figure_into_bars_and_the_mean():
    result = sections.whoqol_change(_ctx(12, "publik", enrolled=30, seed=5, shift=1.0))
    rc = result.tables()["reliable_change"]
    focus_rows = rc.iloc[:, 2:].astype(str)
    hidden = focus_rows.apply(lambda r: any(not v.isdigit() for v in r), axis=1)
    assert hidden.any(), rc  # this seed has small categories
    fig = next(f.fig for f in result.figures() if f.key == JACOBSON[0])
    assert _marks(fig) == 0
    texts = [t.get_text().strip() for ax in fig.axes for t in ax.texts]
    assert any(t.startswith("<5") for t in texts)
    bars = [p for ax in fig.axes for p in ax.patches if p.get_width() > 0 and p.get_height() < 1]
    # no bar for a hidden count: its length would give it away
    assert len(bars) == sum(v.isdigit() and v != "0" for v in rc.iloc[0, 2:].astype(str))


def test_no_pairs_gives_one_no_data_sentence():
    ctx = _ctx(0)
    result = sections.whoqol_change(ctx)
    assert result.no_data and result.no_data.startswith("Belum ada data")
    assert result.items == [] and result.values == {}


# --- issue 14: declared reliabilities and norms, four Jacobson figures, Holm, URICA A/M ---


def _with(monkeypatch, reliability=None, norms=None):
    """Make the section read a modified WHOQOL-BREF declaration."""
    import dataclasses
    from types import MappingProxyType

    from rehab_eval.instruments import get_instrument
    from rehab_eval.reports.sections import reliable_change

    inst = get_instrument("whoqol_bref")
    changes = {}
    if reliability is not None:
        rel = inst.published_reliability
        values = MappingProxyType({**rel.values, **reliability})
        changes["published_reliability"] = dataclasses.replace(rel, values=values)
    if norms is not None:
        changes["norms"] = MappingProxyType(norms)
    inst = dataclasses.replace(inst, **changes)
    monkeypatch.setattr(reliable_change, "declared_instrument", lambda name: inst)
    return inst


def _note(result) -> str:
    return next(i for i in result.items if isinstance(i, str) and i.startswith("### "))


def test_reliabilities_come_from_the_declaration_with_their_source(big, monkeypatch):
    note = _note(big["publik"])
    for text in ("Fisik 0,82", "Psikologis 0,81", "sosial 0,68", "Lingkungan 0,80"):
        assert text.lower() in note.lower(), note
    assert "Skevington" in note and "Table 3" in note
    # a different declared reliability changes the published result (S_diff, hence the band)
    _with(monkeypatch, reliability={"physical": 0.5})
    result = sections.whoqol_change(_ctx(40, "internal", seed=3))
    assert "Fisik 0,50" in _note(result)
    legend = _legend(next(f.fig for f in result.figures() if f.key == JACOBSON[0]))
    assert legend != _legend(next(f.fig for f in big["internal"].figures() if f.key == JACOBSON[0]))


def _legend(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().texts]


def _cutoff_lines(fig) -> int:
    return sum(1 for ax in fig.axes for line in ax.lines if line.get_linestyle() == ":")


def test_jacobson_for_every_domain_without_norms_says_so(big):
    for result in big.values():
        figures = {f.key: f for f in result.figures()}
        assert [k for k in figures if k.startswith("whoqol_jacobson")] == JACOBSON
        titles = [figures[k].title.split(": ")[-1] for k in JACOBSON]
        assert titles == ["Fisik", "Psikologis", "Hubungan sosial", "Lingkungan"]
        for key in JACOBSON:
            assert _cutoff_lines(figures[key].fig) == 0
            assert "Belum ada norma populasi yang dideklarasikan" in figures[key].notes
            assert figures[key].title.startswith("Perubahan yang reliabel:")
        assert "Belum ada norma populasi yang dideklarasikan" in _note(result)
        assert "Pulih" not in result.tables()["reliable_change"].columns


def test_declared_norms_draw_the_cutoff_and_the_recovered_category(monkeypatch):
    from rehab_eval.change import cutoff_value
    from rehab_eval.instruments.model import Norms

    norms = {"physical_0_100": Norms(75.0, 10.0, "Norma uji", clinical_mean=45.0, clinical_sd=10.0)}
    _with(monkeypatch, norms=norms)
    result = sections.whoqol_change(_ctx(40, "internal", seed=3, shift=15.0))
    figures = {f.key: f for f in result.figures()}
    physical = figures[JACOBSON[0]]
    assert _cutoff_lines(physical.fig) == 2  # horizontal and vertical
    assert physical.title.startswith("Perubahan yang reliabel dan bermakna klinis:")
    assert "c = 60,0" in physical.notes and "Norma uji" in physical.notes  # (10·75+10·45)/20
    assert cutoff_value(
        "c", clinical_mean=45.0, clinical_sd=10.0, functional_mean=75.0, functional_sd=10.0
    ) == pytest.approx(60.0)
    assert "pulih" in physical.takeaway
    for key in JACOBSON[1:]:  # the other domains have no norms: said, not drawn
        assert _cutoff_lines(figures[key].fig) == 0
        assert "Belum ada norma" in figures[key].notes
    table = result.tables()["reliable_change"].set_index("Ukuran")
    assert table.loc["Fisik", "Pulih"].isdigit()
    assert int(table.loc["Fisik", "Pulih"]) > 0
    assert table.loc["Psikologis", "Pulih"] == "–"
    note = _note(result)
    assert "Norma uji" in note and "Belum ada norma populasi yang dideklarasikan untuk" in note


def test_one_p_value_per_result_the_holm_one_named_everywhere(big):
    from rehab_eval import change
    from rehab_eval.i18n import measure_label

    for audience in ("publik", "internal"):
        result = big[audience]
        table = result.tables()["whoqol_paired"]
        assert "p (uji t, disesuaikan Holm)" in table.columns
        assert "p (uji t)" not in table.columns
        p_table = dict(zip(table["Ukuran"], table["p (uji t, disesuaikan Holm)"], strict=True))
        summary = result.summary["whoqol_p"]
        assert {measure_label(m, "id"): p for m, p in summary.items()} == p_table
        narrative = result.narrative["whoqol"]
        top = next(name for name in p_table if name in narrative)
        assert f"p {_p_text(p_table[top])}, disesuaikan Holm" in narrative
        key_point = result.key_points[0]
        assert f"p Holm {_p_text(p_table[top])}" in key_point
    # the table's p is the Holm-adjusted one, not the raw paired-t p
    paired = change.paired(_scores(40, seed=3), DOMAINS)
    internal = big["internal"].values["whoqol"]
    for m, row in paired.set_index("measure").iterrows():
        assert internal[m]["p_holm"] == pytest.approx(row["p_holm"])
    assert (paired["p_holm"] > paired["p_value"]).any()


def _p_text(cell: str) -> str:
    return cell if cell.startswith(("<", ">")) else f"= {cell}"


def urica_stage(readiness: float) -> str:
    """The UMBC band of the project decision: PC <= 8 < C < 11 <= Prep/Action."""
    if readiness <= 8:
        return "precontemplation"
    return "contemplation" if readiness < 11 else "preparation_action"


def _urica(n_pairs: int, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_pairs):
        pc, c, a, m = rng.uniform(1.5, 4.5, size=4)
        for tp, gain in (("pre", 0.0), ("post", 0.6)):
            sub = {
                "precontemplation": pc - gain / 2,
                "contemplation": c,
                "action": min(a + gain + rng.normal(0, 0.3), 5.0),
                "maintenance": min(m + gain / 2 + rng.normal(0, 0.3), 5.0),
            }
            readiness = sub["contemplation"] + sub["action"] + sub["maintenance"]
            readiness -= sub["precontemplation"]
            rows.append(
                {"client_id": f"u{i:03d}", "instrument": "urica", "timepoint": tp}
                | sub
                | {"readiness": readiness, "stage": urica_stage(readiness)}
            )
    return pd.DataFrame(rows)


def test_urica_reports_action_and_maintenance_first_and_stages_second():
    ctx = sections.Context(
        data=SimpleNamespace(scores=_urica(40)),
        disclosure=resolve("publik"),
        flow={"enrolled": 44, "assessed_pre": 42, "assessed_post": 40, "completed": 40},
        period=("2024-01-01", "2024-12-31"),
    )
    result = sections.urica_change(ctx)
    table = result.tables()["urica_paired"]
    assert list(table["Ukuran"]) == ["Aksi", "Pemeliharaan"]  # the primary result only
    assert "p (uji t, disesuaikan Holm)" in table.columns
    texts = [i for i in result.items if isinstance(i, str)]
    primary = next(i for i in texts if i.startswith("URICA: Action"))
    stages_at = next(k for k, i in enumerate(result.items) if "Perpindahan tahap" in str(i))
    assert result.items.index(primary) < stages_at  # primary first, transitions second
    assert result.key_points == [primary]
    p = dict(zip(table["Ukuran"], table["p (uji t, disesuaikan Holm)"], strict=True))
    assert f"p Holm {_p_text(p['Aksi'])}" in primary
    assert f"p Holm {_p_text(p['Pemeliharaan'])}" in primary
    assert set(result.values["urica"]) == {"action", "maintenance"}
    assert [f.key for f in result.figures()] == ["urica_stages"]
