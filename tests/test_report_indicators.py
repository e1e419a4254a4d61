"""The indicators report: section builders on hand-made records (disclosure of the counts in
the formulas, the values kept in summary.json), and the notebook rendered on the demo data."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

import rehab_eval.indicators as ri
from rehab_eval.disclosure import resolve
from rehab_eval.reports import run_report, sections
from rehab_eval.reports.sections import Context
from rehab_eval.reports.sections.indicators import shown_rows
from test_indicators_handmade import tables
from test_notebooks import NOTEBOOKS, _deck, _html_text  # the demo fixture is in conftest

RS = "rehabilitasi_sosial"


@pytest.fixture(scope="module")
def released():
    """2021: 3 released, 1 re-offends; 2022: 12 released, 6 re-offend; 2023: 10, 3 re-offend."""
    clients, enrollments, events = [], [], []
    for year, n, reoffend in ((2021, 3, 1), (2022, 12, 6), (2023, 10, 3)):
        for i in range(n):
            c = f"c{year}_{i:02d}"
            clients.append((c, "Lapas X", "Provinsi A", f"{year}-01-01"))
            enrollments.append(
                (c, RS, "Lapas X", f"{year - 1}-02-01", f"{year - 1}-08-01", "completed")
            )
            if i < reoffend:
                events.append((c, f"{year}-06-01", "rearrest"))
    return tables(clients, enrollments, events=events)


def _context(data, audience, **extra):
    result = ri.compute_indicators(
        data,
        "ditjenpas_rehabilitasi",
        year=2023,
        end_date="2025-06-30",
        indicators=["selesai_program", "tidak_mengulangi_12"],
        lang="id",
        **extra,
    )
    return Context(data=result, disclosure=resolve(audience), lang="id", period=(2021, 2023))


def test_publik_hides_small_outcome_counts_and_keeps_denominators(released):
    ctx = _context(
        released, "publik", targets={"ditjenpas_rehabilitasi": {"tidak_mengulangi_12": {2023: 80}}}
    )
    rows = shown_rows(ctx)
    r23 = rows[("tidak_mengulangi_12", "", 2023)]
    # 7 of 10 did not re-offend: the 3 who did are a small sensitive count
    assert (r23.numerator, r23.denominator, r23.percent) == ("x", "10", "≥60%")
    assert r23.ci == "–" and r23.realisasi is None and r23.capaian is None
    assert r23.formula == "x : 10 × 100% = ≥60%" and r23.capaian_text == "x"
    assert r23.target_text == "80%"
    r22 = rows[("tidak_mengulangi_12", "", 2022)]
    assert (r22.numerator, r22.denominator, r22.percent, r22.ci) == ("6", "12", "50%", "[25%; 75%]")
    assert r22.realisasi == 50.0 and (r22.ci_low, r22.ci_high) == (25.0, 75.0)
    r21 = rows[("tidak_mengulangi_12", "", 2021)]  # a group of 3: nothing counted inside it
    assert (r21.numerator, r21.denominator, r21.percent) == ("x", "<5", "x")
    # completion is an operational count: exact once the group reaches min_cell
    done = rows[("selesai_program", "", 2022)]
    assert (done.numerator, done.denominator, done.percent) == ("10", "10", "100%")  # started 2022


def test_no_count_of_one_to_four_people_with_an_outcome_in_any_publik_table(released):
    ctx = _context(released, "publik")
    table = sections.lakip_section(ctx)
    previous = sections.previous_years_section(ctx)
    frames = [*table.tables().values(), *previous.tables().values()]
    # programme starts from 2020, releases from 2021: every year present gets its table
    assert {k for s in (table, previous) for k in s.tables()} == {
        f"lakip_{y}" for y in range(2020, 2024)
    }
    for frame in frames:
        for formula in frame["Formulasi Perhitungan"]:
            numerator = formula.split(" : ")[0]
            assert not re.fullmatch(r"[1-4]", numerator), formula
    yoy = sections.year_on_year_section(ctx)
    assert [f.key for f in yoy.figures()] == ["yoy_selesai_program", "yoy_tidak_mengulangi_12"]
    frame = yoy.tables()["year_on_year"]
    assert list(frame.columns[-5:-1]) == ["2020", "2021", "2022", "2023"]
    assert frame.iloc[1]["2023"] == "≥60% (x : 10)"


def test_internal_values_equal_the_library_and_publik_values_are_rounded_as_displayed(released):
    exact = _context(released, "internal")
    table = sections.lakip_section(exact).values["indicators"]
    lib = exact.data.table.set_index(["indicator", "year"])
    for (ind, year), r in lib.iterrows():
        got = table[ind][str(year)]
        assert got["realisasi"] == pytest.approx(r["realisasi"], abs=1e-12)
        assert got["ci_low"] == pytest.approx(r["ci_low"], abs=1e-12)
    publik = sections.lakip_section(_context(released, "publik")).values["indicators"]
    assert publik["tidak_mengulangi_12"]["2022"]["realisasi"] == round(
        lib.loc[("tidak_mengulangi_12", 2022), "realisasi"]
    )
    assert publik["tidak_mengulangi_12"]["2023"]["realisasi"] is None
    # internal shows the small counts exactly, the formula as the library writes it
    rows = shown_rows(exact)
    assert rows[("tidak_mengulangi_12", "", 2023)].formula == "7 : 10 × 100% = 70%"
    assert lib.loc[("tidak_mengulangi_12", 2023), "formula"].startswith("7 : 10 × 100%")


def test_summary_keeps_definitions_formula_and_policy(released):
    ctx = _context(released, "publik")
    closing = sections.indicators_summary(ctx, sections.lakip_section(ctx))
    assert 1 <= len(closing.key_points) <= 5
    assert any("Realisasi = pembilang : penyebut × 100%" in d for d in closing.definitions)
    assert closing.definitions[-1] == ctx.disclosure.short_form("id")
    assert any(d.startswith("Persentase warga binaan") for d in closing.definitions)


def test_example_targets_are_read_from_the_word_contoh(demo):
    ctx = sections.indicators_context(
        demo["processed"],
        indicator_set="bnn_pascarehabilitasi",
        year=2025,
        first_year=2024,
        facility="Bapas Semarang",
        targets="contoh",
    )
    t = ctx.data.table
    assert set(t["year"]) == {2024, 2025}
    got = t.set_index(["indicator", "year"])["target"]
    assert got[("tanpa_relaps", 2025)] == 50.0 and got[("kualitas_hidup_rci", 2025)] == 55.0


# --------------------------------------------------------------------------- the rendering


@pytest.mark.slow
def test_indicators_report_renders_for_bapas_semarang(demo):
    run = run_report(
        "indicators_report",
        {
            "processed_dir": str(demo["processed"]),
            "indicator_set": "bnn_pascarehabilitasi",
            "facility": "Bapas Semarang",
            "province": None,
            "year": 2025,
            "first_year": 2024,
            "targets": "contoh",
        },
        out=demo["root"] / "reports-indicators",
        notebooks_dir=NOTEBOOKS,
    )
    assert run.status == "ok"
    summary = run.summary
    assert summary["report"] == "indicators_report" and summary["years"] == ["2024", "2025"]
    # the numbers in summary.json are the library's, rounded as displayed (None where hidden)
    data = __import__("rehab_eval").load_processed(demo["processed"])
    lib = ri.compute_indicators(
        data,
        "bnn_pascarehabilitasi",
        year=2025,
        facility="Bapas Semarang",
        targets=ri.example_targets(),
    )
    values = summary["values"]["indicators"]
    checked = 0
    for r in lib.table[lib.table["year"] >= 2024].itertuples():
        key = f"{r.indicator}.{r.category}" if r.category else r.indicator
        got = values[key][str(r.year)]
        small = 0 < r.numerator < 5 or 0 < r.denominator - r.numerator < 5 or r.denominator < 5
        if small and r.indicator != "selesai_program":
            assert got["realisasi"] is None, (key, r.year)
        else:
            assert got["realisasi"] == round(r.realisasi) and got["ci_low"] == round(r.ci_low)
            checked += 1
        assert got["target"] == (None if pd.isna(r.target) else r.target)
    assert checked >= 5
    shown = summary["indicators"]["tanpa_relaps"]
    row = lib.current.set_index("indicator").loc["tanpa_relaps"]
    assert (shown["numerator"], shown["denominator"]) == (
        str(row["numerator"]),
        str(row["denominator"]),
    )
    # one slide per indicator, the LAKIP tables of both years kept for tables.xlsx
    record = json.loads((run.run_dir / "publish.json").read_text())
    assert {t["key"] for t in record["tables"]} >= {"lakip_2025", "lakip_2024", "year_on_year"}
    figures = [f["key"] for f in record["figures"]]
    assert figures == [f"yoy_{k.replace('.', '_')}" for k in values]
    titles = [s.shapes.title.text for s in _deck(run.deck).slides if s.shapes.title is not None]
    assert sum(t.startswith("Persentase") for t in titles) >= len(figures)
    text = _html_text(run.html)
    assert "Formulasi Perhitungan" in text and "Tahun sebelumnya" in text
    assert "Section(" not in text


def test_indicators_notebook_is_thin_and_matches_its_spec():
    from test_report_quality import check_thin_notebook

    check_thin_notebook("indicators_report")


def test_demo_plan_renders_both_selections_with_the_example_targets():
    from rehab_eval.reports.runs import load_plan

    entries = [
        e for e in load_plan(NOTEBOOKS / "demo.plan.yaml") if e.report == "indicators_report"
    ]
    chosen = {(e.params.get("province"), e.params.get("facility")): e.params for e in entries}
    assert set(chosen) == {("Sumsel", None), (None, "Bapas Semarang")}
    assert (
        chosen[("Sumsel", None)]["first_year"] == 2021 and chosen[("Sumsel", None)]["year"] == 2023
    )
    assert chosen[(None, "Bapas Semarang")]["first_year"] == 2024
    assert all(p["targets"] == "contoh" for p in chosen.values())


def test_a_first_year_after_the_report_year_is_refused_in_one_line(tmp_path):
    from rehab_eval.errors import ConfigError

    with pytest.raises(ConfigError, match=r"^first_year=2024 sesudah tahun laporan 2023: pilih"):
        sections.indicators_context(tmp_path, year=2023, first_year=2024)
