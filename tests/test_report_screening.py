"""screening_report: the ASSIST sections with the disclosure policy, and the render of a
selection without any ASSIST form (every section says so in one sentence, nothing drawn).

The default render (Rutan Kelas IIB Banjarnegara) is part of tests/test_notebooks.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from rehab_eval.reports.sections import screening as report
from rehab_eval.reports.sections._model import Context, TableOut

NOTEBOOKS = Path(__file__).resolve().parents[1] / "src" / "rehab_eval" / "reports" / "notebooks"
FACILITY = "Rutan Kelas IIB Banjarnegara"


@pytest.fixture(scope="module")
def contexts(demo):
    return {
        audience: report.screening_context(
            demo["processed"], facility=FACILITY, program="asesmen", audience=audience
        )
        for audience in ("publik", "internal")
    }


def _table(section, key):
    return next(i.frame for i in section.items if isinstance(i, TableOut) and i.key == key)


def test_overall_levels_match_the_scored_forms(contexts, demo):
    scores = pd.read_parquet(demo["processed"] / "scores.parquet")
    enrollments = pd.read_parquet(demo["processed"] / "enrollments.parquet")
    ids = set(enrollments.loc[enrollments["facility"] == FACILITY, "client_id"])
    levels = scores[(scores["instrument"] == "assist") & scores["client_id"].isin(ids)]["level"]
    expected = levels.value_counts()
    section = report.level_section(contexts["internal"])
    table = _table(section, "follow_up")
    counts = [int(v.split(" ")[0]) for v in table.iloc[:, 1]]
    assert counts == [int(expected.get(lv, 0)) for lv in ("rendah", "sedang", "tinggi")]
    assert table.iloc[2, 2].startswith("Intervensi singkat dan rujukan")
    figure = section.figures()[0]
    assert figure.key == "risk_level" and "tinggi" in figure.takeaway
    assert sum(section.values["risk_level_share"].values()) == pytest.approx(1.0)


def test_substance_counts_under_min_cell_are_hidden_in_publik(contexts):
    publik = _table(report.substance_section(contexts["publik"]), "risk_substance")
    internal = _table(report.substance_section(contexts["internal"]), "risk_substance")
    assert publik.shape == internal.shape
    cells = publik.iloc[:, 1:].to_numpy().ravel().tolist()
    exact = internal.iloc[:, 1:].to_numpy().ravel().tolist()
    assert "<5" in cells  # the demo has substances with 1–4 clients at a level
    for shown, value in zip(cells, exact, strict=True):
        n = int(value.split(" ")[0])
        if 0 < n < 5:
            assert shown == "<5"
        if shown not in ("<5", "x"):
            assert shown == value
    # no count of 1–4 anywhere in the public table
    assert not any(re.fullmatch(r"[1-4] \(.*\)", c) for c in cells)


def test_substance_figure_draws_only_fully_shown_substances(contexts):
    section = report.substance_section(contexts["publik"])
    fig = section.figures()[0].fig
    ax = fig.axes[0]
    hidden_rows = [t for t in ax.texts if t.get_text() == "angka kecil disembunyikan"]
    table = _table(section, "risk_substance")
    with_hidden = sum(
        any(c in ("<5", "x") for c in row[1:]) for row in table.itertuples(index=False)
    )
    assert len(hidden_rows) == with_hidden > 0
    assert "selain tembakau" in section.figures()[0].takeaway


def _changes_context(audience="publik"):
    from rehab_eval import screening
    from rehab_eval.disclosure import resolve

    rows = []
    for i in range(12):
        for date, level in (
            ("2024-01-05", "tinggi"),
            ("2024-07-01", "sedang" if i < 9 else "tinggi"),
        ):
            row = {
                f"{s}_{k}": v
                for s in screening.substances()
                for k, v in (("ssi", 0.0), ("risk", "low"))
            }
            rows.append({**row, "client_id": f"c{i}", "instrument": "assist", "timepoint": "pre",
                         "date": pd.Timestamp(date), "level": level})  # fmt: skip
    scores = pd.DataFrame(rows)
    return Context(
        data=None,
        disclosure=resolve(audience),
        flow={"enrolled": 12, "screened": 12},
        shown={"levels": screening.risk_levels(scores), "changes": screening.level_changes(scores)},
    )


def test_change_between_screenings_is_counted_and_protected():
    section = report.change_section(_changes_context("internal"))
    text = section.items[0]
    assert text.startswith("12 klien diskrining lebih dari sekali") and "turun pada 9" in text
    assert "tetap pada 3" in text and "naik pada 0" in text
    public = report.change_section(_changes_context("publik"))
    assert "tetap pada <5" in public.items[0] and "turun pada x" in public.items[0]
    grid = _table(public, "risk_change")
    assert grid.iloc[2].tolist()[1:] == ["0", "x", "<5"]  # tinggi → rendah, sedang, tinggi


def test_no_repeat_and_no_assist_are_one_sentence_each():
    ctx = _changes_context()
    ctx.shown["changes"] = ctx.shown["changes"].__class__(
        table=pd.DataFrame(), directions=pd.DataFrame(), n_repeated=0, median_days=float("nan")
    )
    section = report.change_section(ctx)
    assert section.items == [] and section.no_data.startswith("Belum ada skrining ulang")
    ctx.shown.update(levels=None, changes=None)
    for build in (report.level_section, report.substance_section, report.change_section):
        section = build(ctx)
        assert (
            section.items == []
            and section.no_data == "Belum ada data skrining ASSIST untuk pilihan ini."
        )


@pytest.mark.slow
def test_a_selection_without_assist_renders_with_the_no_data_sentence(demo):
    from rehab_eval.reports import run_report

    run = run_report(
        "screening_report",
        {
            "processed_dir": str(demo["processed"]),
            "facility": "Kelurahan Rejosari",
            "program": "ibm",
        },
        out=demo["root"] / "reports-screening",
        notebooks_dir=NOTEBOOKS,
    )
    assert run.status == "ok"
    record = json.loads((run.run_dir / "publish.json").read_text())
    assert record["figures"] == []
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(run.html.read_text(encoding="utf-8"), "html.parser")
    text = (soup.find("main") or soup.body).get_text(" ", strip=True)
    assert text.count("Belum ada data skrining ASSIST untuk pilihan ini.") >= 3
    body = text.rsplit("Glosarium", 1)[0]  # the glossary explains "IK 95 %" and the like
    assert "%" not in body  # no share drawn or written for absent data
    assert run.summary["n_screened"] == "0"
