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
from rehab_eval.reports.sections.change import WHOQOL_ALPHA

DOMAINS = list(WHOQOL_ALPHA)
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
        "p (uji t)",
    ):
        assert set(table[column]) == {"n<10"}
    assert all(v is None for m in publik.values["whoqol"].values() for v in m.values())
    assert publik.figures() == []  # no figure of a tiny group's means or marks
    # the twin: every statistic, exact
    assert all(isinstance(v, float) for m in internal.values["whoqol"].values() for v in m.values())
    assert {f.key for f in internal.figures()} >= {"whoqol_prepost", "whoqol_jacobson"}


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
        focus = figures["whoqol_jacobson"].title.split(": ")[-1]
        jac = _marks(figures["whoqol_jacobson"].fig)
        lines = _lines(figures["whoqol_prepost"].fig)
        if audience == "internal":
            assert (jac, lines) == (40, 40 * 4)
        else:  # a coloured point or a falling line is one person's (hidden) category
            assert jac == (40 if shown.loc[focus].all() else 0)
            assert lines == (40 * 4 if shown.to_numpy().all() else 0)
    figs = {f.key: f.fig for f in tiny["internal"].figures()}
    assert _lines(figs["whoqol_prepost"]) == 7 * 4  # the twin: one line per client and domain
    assert _marks(figs["whoqol_jacobson"]) == 7


def test_a_hidden_category_turns_the_jacobson_figure_into_bars_and_the_mean():
    result = sections.whoqol_change(_ctx(12, "publik", enrolled=30, seed=5, shift=1.0))
    rc = result.tables()["reliable_change"]
    focus_rows = rc.iloc[:, 2:].astype(str)
    hidden = focus_rows.apply(lambda r: any(not v.isdigit() for v in r), axis=1)
    assert hidden.any(), rc  # this seed has small categories
    fig = next(f.fig for f in result.figures() if f.key == "whoqol_jacobson")
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
