"""Section builders of the cohort report: flow, intro and the publik/internal rules on counts."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

from rehab_eval.disclosure import resolve
from rehab_eval.errors import ConfigError
from rehab_eval.reports import sections

SEMARANG_2024 = {"enrolled": 21, "assessed_pre": 19, "assessed_post": 17, "completed": 19}


def _ctx(flow, audience="publik"):
    return sections.Context(
        data=None,
        disclosure=resolve(audience),
        flow=dict(flow),
        period=("2024-01-01", "2024-12-31"),
    )


def _bar_texts(fig):
    return [t.get_text().strip() for ax in fig.axes for t in ax.texts]


def test_operational_counts_of_a_cohort_of_21_are_shown_exactly():
    """The rakor deck's main figure: 19 of 21 completed, though 2 did not (not sensitive)."""
    flow = sections.flow_section(_ctx(SEMARANG_2024))
    assert {k: flow.summary[f"n_{k}"] for k in SEMARANG_2024} == {
        k: str(v) for k, v in SEMARANG_2024.items()
    }
    assert flow.summary["completed_share"] == "90%"
    assert flow.values["completed_share"] == 0.9  # rounded as displayed
    figure = flow.figures()[0]
    assert figure.takeaway.startswith("19 dari 21 klien menyelesaikan program (90%)")
    assert "17 punya penilaian" in figure.takeaway
    texts = _bar_texts(figure.fig)
    assert {"21", "19  (90%)", "17  (81%)"} <= set(texts)
    assert "n = 21" in figure.notes


@pytest.mark.parametrize("size", [1, 2, 4])
def test_a_cohort_under_min_cell_counts_nothing_inside_it(size):
    flow = {
        "enrolled": size,
        "assessed_pre": size,
        "assessed_post": max(size - 1, 0),
        "completed": size,
    }
    publik = sections.flow_section(_ctx(flow))
    assert publik.summary["n_enrolled"] == "<5"
    assert {publik.summary[f"n_{k}"] for k in ("assessed_pre", "assessed_post", "completed")} <= {
        "x",
        "0",
    }
    assert publik.values["completed_share"] is None
    assert not any(t[:1].isdigit() and t != "0" for t in _bar_texts(publik.figures()[0].fig))
    internal = sections.flow_section(_ctx(flow, "internal"))  # the twin: exact
    assert internal.summary["n_enrolled"] == str(size)
    assert internal.summary["n_completed"] == str(size)


def test_the_intro_of_an_internal_report_carries_the_stamp():
    from rehab_eval.reports import publish

    for audience, stamped in (("publik", False), ("internal", True)):
        ctx = _ctx(SEMARANG_2024, audience)
        sections.open_cohort_report(ctx, None, facility="Bapas Kelas I Semarang")
        record = publish.state()
        assert record["disclosure"]["record"]["audience"] == audience
        assert ("TERBATAS" in str(record["disclosure"])) is stamped


def test_a_publik_threshold_under_the_policy_is_refused_in_one_line():
    with pytest.raises(ConfigError) as info:
        sections.cohort_context("nowhere", audience="publik", min_cell=2)
    message = str(info.value)
    assert "\n" not in message and "audience: internal" in message and "min_cell=2" in message
    assert resolve("internal", 2).min_cell == 2  # the twin: allowed, and applied


def test_texts_exist_in_both_languages():
    from rehab_eval.reports.sections._texts import _texts

    for key, entry in _texts().items():
        assert set(entry) == {"id", "en"} and entry["id"] and entry["en"], key


def _dosage_ctx(urine: bool):
    import pandas as pd

    ids = [f"K{i:02d}" for i in range(12)]
    data = {
        "enrollments": pd.DataFrame({"client_id": ids, "program": "pascarehabilitasi"}),
        "contacts": pd.DataFrame(
            {"client_id": ids * 2, "kind": "home_visit", "attended": [True] * 20 + [False] * 4}
        ),
    }
    if urine:
        data["urine_tests"] = pd.DataFrame({"client_id": ids, "result": "negative"})
    ctx = _ctx({"enrolled": 12})
    ctx.data = data
    return ctx


def test_a_cohort_without_urine_tests_says_so_and_tables_no_zero_row():
    """No data is not zero: the dosage table has no "0 / 0" urine row, a sentence says it."""
    from rehab_eval.reports.sections._texts import say

    without = sections.dosage_section(_dosage_ctx(urine=False))
    table = without.tables()["dosage"]
    assert list(table.iloc[:, 0]) == ["Kunjungan rumah"]
    assert list(table.iloc[:, 2]) == ["20 / 24"]
    assert not any("0 / 0" in str(v) for v in table.to_numpy().ravel())
    assert say("dose.absent", "id", kinds="Tes urine") in without.items
    with_urine = sections.dosage_section(_dosage_ctx(urine=True))
    assert list(with_urine.tables()["dosage"].iloc[:, 2]) == ["20 / 24", "12 / 12"]
    assert not [i for i in with_urine.items if isinstance(i, str)]


def test_section_publish_returns_nothing(monkeypatch):
    """A notebook cell ending with ``section.publish()`` shows only what the sink displayed."""
    from rehab_eval.reports import publish

    monkeypatch.setattr(publish, "_display", lambda obj: None)
    section = sections.dosage_section(_dosage_ctx(urine=True))
    assert section.publish() is None
    assert sections.open_cohort_report(_ctx(SEMARANG_2024), None) is None


def test_counts_in_sentences_are_read_aloud_not_marked():
    from rehab_eval.reports.sections._texts import in_words

    assert in_words("<5", "id") == "kurang dari 5" and in_words("<10", "en") == "fewer than 10"
    assert in_words("x", "id") == "sejumlah yang disembunyikan"
    assert in_words("x", "en") == "a hidden number"
    assert in_words("17", "id") == "17" and in_words("1.899", "id") == "1.899"
