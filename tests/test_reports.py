"""Report machinery without a kernel: parameter specs, run records, latest pointer, plans,
publish, HTML stripping and the deck."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from rehab_eval.errors import ConfigError, ReportError
from rehab_eval.reports import deck, export, params, publish, runs

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


# --------------------------------------------------------------------------- parameter specs


def test_every_packaged_report_has_a_spec_with_the_common_parameters():
    names = params.available_reports()
    assert names == [
        "cohort_report",
        "community_report",
        "data_quality",
        "indicators_report",
        "program_overview",
        "programme_effect",
        "recidivism_report",
        "screening_report",
    ]
    for name in names:
        spec = params.load_spec(name)
        assert spec.notebook == f"{name}.ipynb"
        for common in ("processed_dir", "output_dir", "lang", "audience", "min_cell"):
            assert common in spec.parameters, (name, common)
        if name not in ("data_quality", "indicators_report"):  # no enrollment period
            assert "period_start" in spec.parameters, name
        assert spec.parameters["lang"].default == "id"
        assert spec.parameters["min_cell"].default is None  # the policy's threshold (issue 12)
        assert spec.parameters["audience"].default == "publik"
        assert spec.title_for("en") and spec.title_for("id") != spec.title_for("en")


def test_unknown_report_lists_the_known_ones():
    with pytest.raises(
        ConfigError, match=r'laporan "cohort" tidak dikenal \(maksud Anda cohort_report\?\)'
    ):
        params.load_spec("cohort")


def test_a_spec_beside_the_notebooks_wins():
    spec = params.load_spec("tiny_report", FIXTURES)
    assert spec.name == "tiny_report" and "n_clients" in spec.parameters


@pytest.fixture()
def spec():
    return params.load_spec("tiny_report", FIXTURES)


def test_strings_are_coerced_by_declared_type(spec, tmp_path):
    out = params.validate(
        spec,
        {"processed_dir": str(tmp_path), "n_clients": "35", "fail": "ya", "sleep": "0,5"},
    )
    assert out == {
        "processed_dir": str(tmp_path.resolve()),
        "lang": "id",
        "min_cell": 5,
        "audience": "publik",
        "n_clients": 35,
        "fail": True,
        "sleep": 0.5,
    }


def test_relative_paths_are_made_absolute_against_the_callers_directory(spec, tmp_path):
    (tmp_path / "proc").mkdir()
    out = params.validate(spec, {"processed_dir": "proc"}, base_dir=tmp_path)
    assert out["processed_dir"] == str((tmp_path / "proc").resolve())


def test_all_problems_are_reported_in_one_line(spec, tmp_path):
    with pytest.raises(ConfigError) as info:
        params.validate(
            spec,
            {
                "processed_dir": str(tmp_path / "missing"),
                "n_clients": "many",
                "lang": "fr",
                "colour": "red",
                "min_cell": "0",
            },
        )
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith("tiny_report: ")
    for part in (
        "parameter colour tidak dikenal",
        'n_clients "many": harus bilangan bulat',
        'lang "fr": pilih salah satu dari id, en',
        'min_cell "0": paling kecil 1',
        "processed_dir ",
        "file atau folder tidak ada",
        "daftar parameter: rehab-eval report tiny_report --help",
    ):
        assert part in text
    # no Python syntax: no key=value, no repr quotes, no None
    assert "=" not in text and "'" not in text and "None" not in text


def test_messages_follow_the_report_language_and_guess_a_misspelt_name(spec, tmp_path):
    with pytest.raises(ConfigError) as info:
        params.validate(spec, {"processed_dir": str(tmp_path), "lang": "en", "min_cel": "3"})
    text = str(info.value)
    assert "unknown parameter min_cel (did you mean min_cell?)" in text
    assert text.endswith("list of parameters: rehab-eval report tiny_report --help")


def test_output_dir_is_reserved_for_the_runner(spec, tmp_path):
    with pytest.raises(ConfigError, match="output_dir diisi sendiri oleh perender laporan"):
        params.validate(spec, {"processed_dir": str(tmp_path), "output_dir": "x"})


def test_dates_nullables_order_and_lists():
    spec = params.load_spec("recidivism_report")
    base = {"processed_dir": "."}
    out = params.validate(
        spec,
        {**base, "period_start": date(2024, 1, 1), "period_end": "2024-06-30", "windows": "6, 12"},
    )
    assert out["period_start"] == "2024-01-01" and out["period_end"] == "2024-06-30"
    assert out["windows"] == [6, 12]
    assert out["facility"] is None and out["program"] is None
    out = params.validate(spec, {**base, "facility": "", "program": "none", "windows": [24]})
    assert out["facility"] is None and out["program"] is None and out["windows"] == [24]
    with pytest.raises(ConfigError, match="period_end 2023-01-01 lebih awal dari period_start"):
        params.validate(spec, {**base, "period_start": "2024-01-01", "period_end": "2023-01-01"})
    with pytest.raises(ConfigError, match='period_start "01/02/2024": harus tanggal'):
        params.validate(spec, {**base, "period_start": "01/02/2024"})
    with pytest.raises(ConfigError, match='windows "6,x"'):
        params.validate(spec, {**base, "windows": "6,x"})


def test_params_file_is_overridden_by_params(spec, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(f"processed_dir: {tmp_path}\nn_clients: 3\nlang: en\n", encoding="utf-8")
    out = params.validate(spec, {"n_clients": "4"}, params_file=path)
    assert (out["n_clients"], out["lang"]) == (4, "en")
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="harus berisi pasangan nama: nilai"):
        params.validate(spec, {}, params_file=path)
    with pytest.raises(ConfigError, match="file parameter nope.yaml tidak ada"):
        params.validate(spec, {}, params_file=tmp_path / "nope.yaml")


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=100))
def test_int_round_trip_through_text(n):
    spec = params.load_spec("cohort_report")
    pspec = spec.parameters["min_cell"]
    assert params._coerce(pspec, str(n), Path.cwd()) == n


@settings(max_examples=50, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))
def test_date_round_trip_through_text(day):
    pspec = params.ParamSpec(name="d", type="date")
    assert params._coerce(pspec, day.isoformat(), Path.cwd()) == day.isoformat()


# --------------------------------------------------------------------------- runs


def test_run_ids_sort_by_time_and_are_unique():
    from datetime import UTC, datetime

    a = runs.new_run_id(datetime(2025, 3, 1, 6, 0, tzinfo=UTC))
    b = runs.new_run_id(datetime(2025, 3, 1, 6, 0, 1, tzinfo=UTC))
    assert re.fullmatch(r"20250301T060000Z-[0-9a-f]{6}", a)
    assert a < b
    assert len({runs.new_run_id() for _ in range(50)}) == 50


def test_write_json_is_atomic_and_handles_numpy(tmp_path):
    import numpy as np

    path = runs.write_json(tmp_path / "x" / "run.json", {"n": np.int64(3), "d": date(2025, 1, 2)})
    assert json.loads(path.read_text()) == {"n": 3, "d": "2025-01-02"}
    assert [p.name for p in path.parent.iterdir()] == ["run.json"]


def test_git_commit_is_none_outside_a_repository(tmp_path):
    assert runs.git_commit(tmp_path) is None
    here = runs.git_commit(Path(__file__).parent)
    assert here is None or re.fullmatch(r"[0-9a-f]{40}", here)


def test_sha256_file(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_bytes(b"abc")
    assert runs.sha256_file(path) == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert runs.sha256_file(tmp_path / "none.json") is None


def _run(report_dir: Path, name: str, text: str) -> Path:
    run = report_dir / name
    run.mkdir(parents=True)
    (run / "report.html").write_text(text)
    return run


def test_latest_is_a_relative_symlink_swapped_atomically(tmp_path):
    first = _run(tmp_path, "r1", "one")
    latest = runs.point_latest(tmp_path, first)
    assert latest.is_symlink() and os.readlink(latest) == "r1"
    second = _run(tmp_path, "r2", "two")
    runs.point_latest(tmp_path, second)
    assert (latest / "report.html").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "r1", "r2"]


def test_latest_falls_back_to_a_copy_without_symlinks(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("symlinks not supported here")

    monkeypatch.setattr(os, "symlink", refuse)
    first = _run(tmp_path, "r1", "one")
    latest = runs.point_latest(tmp_path, first)
    assert latest.is_dir() and not latest.is_symlink()
    assert (latest / "report.html").read_text() == "one"
    runs.point_latest(tmp_path, _run(tmp_path, "r2", "two"))
    assert (latest / "report.html").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "r1", "r2"]
    monkeypatch.undo()
    # symlinks work again: a copied latest is replaced by a link
    runs.point_latest(tmp_path, _run(tmp_path, "r3", "three"))
    assert latest.is_symlink() and (latest / "report.html").read_text() == "three"


def test_load_plan(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(
        "- report: cohort_report\n"
        "  params: {facility: Bapas Kelas I Semarang, period_start: 2024-01-01}\n"
        "- report: program_overview\n"
        "  label: overview-sumsel\n"
        "  params_file: overview.yaml\n",
        encoding="utf-8",
    )
    entries = runs.load_plan(path)
    assert [e.report for e in entries] == ["cohort_report", "program_overview"]
    assert entries[0].params["facility"] == "Bapas Kelas I Semarang"
    assert entries[1].params_file == tmp_path / "overview.yaml"
    assert [e.index for e in entries] == [1, 2]
    assert [e.label for e in entries] == [None, "overview-sumsel"]
    path.write_text("reports:\n  - report: x\n", encoding="utf-8")
    assert runs.load_plan(path)[0].report == "x"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected a list"),
        ("- params: {}\n", "entry 1 needs 'report: NAME'"),
        ("- report: a\n- report: b\n  param: {}\n", "entry 2 has unknown key\\(s\\) param"),
        ("- report: a\n  params: [1]\n", "'params' must be a mapping"),
        ("- report: [\n", "not valid YAML"),
    ],
)
def test_bad_plans_are_refused_before_anything_runs(tmp_path, text, message):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        runs.load_plan(path)


def test_missing_plan(tmp_path):
    with pytest.raises(ConfigError, match="plan file 'nope.yaml' not found"):
        runs.load_plan(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------- publish


@pytest.fixture()
def displayed(monkeypatch):
    shown = []
    monkeypatch.setattr(publish, "_display", shown.append)
    return shown


def _figure(width=13.333, height=7.5):
    fig, ax = plt.subplots(figsize=(width, height))
    ax.plot([0, 1], [1, 0])
    ax.set_title("Uji")
    return fig


def test_publish_saves_png_200dpi_svg_and_records_for_the_deck(tmp_path, displayed):
    from PIL import Image

    publish.start(tmp_path, title="Laporan", subtitle="Semarang, 2024", lang="id", report="x")
    assert (
        publish.figure(_figure(), "flow", title="Alur klien", takeaway="35 klien terdaftar") is None
    )
    assert publish.state()["figures"] == [
        {
            "key": "flow",
            "title": "Alur klien",
            "takeaway": "35 klien terdaftar",
            "notes": None,
            "section": None,
            "png": "figures/flow.png",
            "svg": "figures/flow.svg",
            "slide_png": "figures/flow_slide.png",
        }
    ]
    with Image.open(tmp_path / "figures" / "flow.png") as img:
        assert img.size == (int(13.333 * 200), 1500)
        assert img.info["dpi"] == pytest.approx((200, 200), abs=0.1)
    assert (tmp_path / "figures" / "flow.svg").read_text().lstrip().startswith("<?xml")
    html = displayed[0].data
    assert 'data-figure="flow"' in html and 'alt="Alur klien"' in html
    assert displayed[1].data == "*35 klien terdaftar*"
    # re-publishing a key replaces it; figures are closed
    publish.figure(_figure(), "flow", title="Alur", takeaway="t")
    assert plt.get_fignums() == []
    record = json.loads((tmp_path / "publish.json").read_text())
    assert [f["title"] for f in record["figures"]] == ["Alur"]
    assert record["title"] == "Laporan" and record["subtitle"] == "Semarang, 2024"


def test_publish_png_is_deterministic(tmp_path, displayed):
    publish.start(tmp_path, title="t")
    publish.figure(_figure(), "a", title="a", takeaway="")
    first = (tmp_path / "figures" / "a.png").read_bytes()
    svg = (tmp_path / "figures" / "a.svg").read_bytes()
    publish.figure(_figure(), "a", title="a", takeaway="")
    assert (tmp_path / "figures" / "a.png").read_bytes() == first
    assert (tmp_path / "figures" / "a.svg").read_bytes() == svg


def test_publish_without_output_dir_only_displays(displayed):
    publish.start(None, title="t")
    publish.figure(_figure(), "a", title="a", takeaway="x")
    assert "data:image/png;base64," in displayed[0].data
    assert publish.state()["figures"] == []
    publish.summary(n="12")
    assert publish.state()["summary"] == {"n": "12"}


def test_publish_summary_merges_and_is_json(tmp_path, displayed):
    import numpy as np

    publish.start(tmp_path, title="t")
    publish.summary(n_enrolled="35", share=np.float64(0.5))
    publish.summary(completed="<5", nested={"a": np.int64(2), "b": float("nan")})
    data = json.loads((tmp_path / "summary.json").read_text())
    assert data == {
        "n_enrolled": "35",
        "share": 0.5,
        "completed": "<5",
        "nested": {"a": 2, "b": None},
    }
    # a new start clears the old summary
    publish.start(tmp_path, title="t")
    assert not (tmp_path / "summary.json").exists()


def test_publish_values_are_floats_beside_the_display_strings(tmp_path, displayed):
    import numpy as np

    publish.start(tmp_path, title="t")
    publish.summary(whoqol_mean_diff={"physical_0_100": "8,3"}, n_enrolled="21")
    publish.values(
        whoqol={"physical_0_100": {"mean_diff": np.float64(8.25), "p_value": 0.026}},
        hidden_share=None,
    )
    publish.values(stuart_maxwell_p=float("nan"), ci=[0.1, np.float32(0.5)])
    publish.summary(n_completed="x")  # a later summary keeps the values
    data = json.loads((tmp_path / "summary.json").read_text())
    assert data["whoqol_mean_diff"] == {"physical_0_100": "8,3"}
    assert data["n_completed"] == "x" and data["n_enrolled"] == "21"
    assert data["values"] == {
        "whoqol": {"physical_0_100": {"mean_diff": 8.25, "p_value": 0.026}},
        "hidden_share": None,
        "stuart_maxwell_p": None,
        "ci": [0.1, 0.5],
    }
    # counts are not accepted as values: they stay disclosure-controlled text
    for bad in (3, np.int64(3), True, "8,3"):
        with pytest.raises(ReportError, match="give floats only"):
            publish.values(n=bad)
    with pytest.raises(ReportError, match="identifier column\\(s\\) client_id"):
        publish.values(x={"client_id": 1.0})


def test_publish_refuses_identifiers_and_bad_keys(tmp_path, displayed):
    publish.start(tmp_path, title="t")
    with pytest.raises(ReportError, match="identifier column\\(s\\) client_id"):
        publish.table(pd.DataFrame({"client_id": ["x"], "n": [1]}), "t")
    with pytest.raises(ReportError, match="identifier column\\(s\\) NIK"):
        publish.summary(NIK="3374")
    with pytest.raises(ReportError, match="key 'Flow chart'"):
        publish.figure(_figure(), "Flow chart", title="x", takeaway="y")
    plt.close("all")
    with pytest.raises(ReportError, match="has a object"):
        publish.summary(thing=object())


def test_publish_table_has_no_index(displayed):
    publish.table(
        pd.DataFrame({"langkah": ["terdaftar"], "n": ["<5"]}, index=[7]), "flow", caption="Alur"
    )
    html = displayed[-1].data
    assert 'id="table-flow"' in html and "&lt;5" in html
    assert "<th></th>" not in html and ">7<" not in html
    assert displayed[0].data == "**Alur**"


def test_publish_definitions(tmp_path, displayed):
    publish.start(tmp_path, title="t")
    publish.definitions(["Residivisme: ..."])
    publish.definitions({"Klien": "orang dalam program"})
    assert publish.state()["definitions"] == ["Residivisme: ...", "Klien: orang dalam program"]


# --------------------------------------------------------------------------- export


def test_strip_for_report_drops_code_noise_and_tagged_cells():
    nb = new_notebook()
    params_cell = new_code_cell("x = 1")
    params_cell.metadata["tags"] = ["parameters"]
    hidden = new_code_cell(
        "print('setup')", outputs=[new_output("stream", name="stdout", text="s")]
    )
    hidden.metadata["tags"] = ["remove-cell"]
    noisy = new_code_cell(
        "f()",
        outputs=[
            new_output("stream", name="stderr", text="DataQualityWarning: ..."),
            new_output("display_data", data={"text/markdown": "**12** klien"}),
        ],
    )
    silent = new_code_cell("import pandas", outputs=[])
    stray = new_code_cell(
        "section.publish()",
        outputs=[
            new_output("execute_result", data={"text/plain": "Section(title='Alur')"}),
            new_output("execute_result", data={"text/html": "<b>5</b>", "text/plain": "5"}),
        ],
    )
    nb.cells = [new_markdown_cell("# Judul"), params_cell, hidden, noisy, silent, stray]
    out = export.strip_for_report(nb)
    assert [c.cell_type for c in out.cells] == ["markdown", "code", "code"]
    assert [o["output_type"] for o in out.cells[1].outputs] == ["display_data"]
    # a repr returned by a cell's last line is dropped; a rich result is kept
    assert [set(o["data"]) for o in out.cells[2].outputs] == [{"text/html", "text/plain"}]
    assert len(nb.cells) == 6  # input untouched


def test_export_html_has_no_code_and_sets_the_language(tmp_path):
    nb = new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        new_markdown_cell("# Laporan"),
        new_code_cell(
            "secret_code_marker = 1\nprint('hasil')",
            outputs=[new_output("stream", name="stdout", text="hasil 12\n")],
            execution_count=1,
        ),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    html = export.export_html(path, tmp_path / "report.html", lang="id", title="Laporan uji")
    text = html.read_text(encoding="utf-8")
    assert '<html lang="id">' in text
    assert "<title>Laporan uji</title>" in text
    assert "hasil 12" in text
    assert "secret_code_marker" not in text
    assert "In&nbsp;[1]" not in text and "In [1]" not in text
    head = text.split("</head>", 1)[0]
    assert "table.rehab-table" in head  # the report style is in the page
    assert "<script" not in text and "cdnjs" not in text  # self-contained, opens offline


# --------------------------------------------------------------------------- deck


def test_deck_is_16_9_with_title_figure_definitions_and_provenance_slides(tmp_path, displayed):
    from pptx import Presentation
    from pptx.util import Inches

    publish.start(tmp_path, title="Laporan kohort", subtitle="Bapas Kelas I Semarang, 2024")
    publish.figure(_figure(), "flow", title="Alur klien", takeaway="31 dari 35 klien selesai")
    publish.figure(_figure(8, 6), "km", title="Kaplan–Meier", takeaway="sedikit kejadian")
    publish.definitions(["Residivisme: putusan baru dalam 24 bulan"])
    path = deck.build_deck(
        tmp_path,
        provenance={"run id": "20250301T060000Z-abcdef", "rehab_eval": "0.1.0"},
        today=date(2025, 1, 24),
    )
    prs = Presentation(str(path))
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.001
    slides = list(prs.slides)
    assert len(slides) == 5  # no key points: no summary slide
    texts = [[s.text_frame.text for s in sl.shapes if s.has_text_frame] for sl in slides]
    assert texts[0][0] == "Laporan kohort"
    assert "Bapas Kelas I Semarang, 2024" in texts[0][1] and "24 Januari 2025" in texts[0][1]
    assert texts[1] == ["Alur klien", "31 dari 35 klien selesai."]
    assert texts[2] == ["Kaplan–Meier", "Sedikit kejadian."]  # the takeaway as a sentence
    assert texts[3] == ["Definisi", "Residivisme: putusan baru dalam 24 bulan"]
    assert texts[4][0] == "Sumber data dan kebijakan pengungkapan"
    assert "run id: 20250301T060000Z-abcdef" in texts[4][1]
    for slide in slides[1:3]:
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) == 1
        pic = pictures[0]
        assert pic.left >= 0 and pic.left + pic.width <= prs.slide_width
        assert pic.top + pic.height <= prs.slide_height
        assert "run 20250301T060000Z-abcdef" in slide.notes_slide.notes_text_frame.text


def test_deck_in_english_without_a_record(tmp_path):
    from pptx import Presentation

    path = deck.build_deck(tmp_path, title="Cohort report", lang="en", today=date(2025, 1, 24))
    slides = list(Presentation(str(path)).slides)
    assert len(slides) == 2
    assert slides[1].shapes.title.text == "Data provenance and disclosure policy"


# --------------------------------------------------------------------------- workbook


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("1.234", "id", (1234, "#,##0")),
        ("8,3", "id", (8.3, "#,##0.0")),
        ("45,2 %", "id", (0.452, "0.0%")),
        ("−2,50", "id", (-2.5, "#,##0.00")),
        ("2024", "id", (2024, "0")),
        ("1,234", "en", (1234, "#,##0")),
        ("45.2%", "en", (0.452, "0.0%")),
        ("<5", "id", None),
        ("x", "id", None),
        ("8,3 [1,1; 15,4]", "id", None),
        ("1.5", "id", None),  # not a number in Indonesian notation: kept as written
    ],
)
def test_workbook_reads_display_numbers_in_the_report_language(text, lang, expected):
    from rehab_eval.reports.workbook import display_number

    found = display_number(text, lang)
    if expected is None:
        assert found is None
    else:
        assert found[0] == pytest.approx(expected[0]) and found[1] == expected[1]


def test_workbook_sheet_names_are_valid_and_unique():
    from rehab_eval.reports.workbook import sheet_name

    taken = ["Daftar isi"]
    for caption in ["Tabel 1: karakteristik [publik]", "Tabel 1: karakteristik [publik]", "x" * 40]:
        taken.append(sheet_name(caption, taken))
    assert taken[1:] == [
        "Tabel 1 karakteristik publik",
        "Tabel 1 karakteristik publik 2",
        "x" * 31,
    ]
    assert all(len(n) <= 31 for n in taken)


def test_glossary_has_the_same_terms_in_both_languages():
    indonesian, english = export.glossary("id"), export.glossary("en")
    assert len(indonesian) == len(english) >= 12
    terms_id = [t for t, _ in indonesian]
    terms_en = [t for t, _ in english]
    for term in ("d_z (Cohen)", "IK 95 %", "Holm", "Kaplan–Meier", "Kejadian bersaing"):
        assert term in terms_id
    for term in ("d_z (Cohen)", "95% CI", "Holm", "Kaplan–Meier", "Competing events"):
        assert term in terms_en
    assert all(definition.endswith(".") for _, definition in indonesian + english)


def test_arrange_without_a_title_cell_writes_the_records_title(tmp_path):
    body = (
        '<html><head></head><body><main><div class="jp-Cell jp-CodeCell"><p>isi</p></div>'
        "</main></body></html>"
    )
    record = {
        "title": "Laporan <uji>",
        "subtitle": "Semarang",
        "key_points": ["Satu."],
        "sections": [{"id": "sec-a", "title": "A", "no_data": []}],
        "disclosure": {"stamp": "TERBATAS", "closing_line": "Kebijakan v1"},
    }
    html = export.arrange(body, record, "id")
    assert html.index("<h1>Laporan &lt;uji&gt;</h1>") < html.index('id="ringkasan"')
    assert html.index('id="ringkasan"') < html.index("<p>isi</p>") < html.index('id="glosarium"')
    assert html.index('id="glosarium"') < html.index("</main>")
    assert '<div class="rehab-stamp" role="note">TERBATAS</div>' in html
    assert '<p class="rehab-policy">Kebijakan v1</p>' in html


def test_workbook_names_uncaptioned_tables_after_their_section(tmp_path, displayed):
    from openpyxl import load_workbook

    from rehab_eval.reports.workbook import export_tables

    publish.start(tmp_path, title="t", lang="id")
    publish.section("Kualitas hidup (WHOQOL-BREF)")
    publish.table(pd.DataFrame({"facility": ["A"], "n": ["1.234"]}), "paired")
    publish.table(pd.DataFrame({"Ukuran": ["Fisik"], "Persen": ["45,2 %"]}), "rc")
    book = load_workbook(export_tables(tmp_path))
    assert book.sheetnames == [
        "Daftar isi",
        "Kualitas hidup (WHOQOL-BREF)",
        "Kualitas hidup (WHOQOL-BREF) 2",
    ]
    first, second = book["Kualitas hidup (WHOQOL-BREF)"], book["Kualitas hidup (WHOQOL-BREF) 2"]
    assert [c.value for c in first[2]] == ["Fasilitas", "n"]  # a code name gets its label
    assert (first["B3"].value, first["B3"].number_format) == (1234, "#,##0")
    assert (second["B3"].value, second["B3"].number_format) == (pytest.approx(0.452), "0.0%")
    assert export_tables(tmp_path / "nothing") is None
