"""The report runner end to end on a tiny fixture notebook (a real kernel via papermill)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from rehab_eval.cli import main
from rehab_eval.errors import ConfigError, ReportError
from rehab_eval.reports import run_plan, run_report, runs

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("runner")
    processed = root / "processed"
    processed.mkdir()
    (processed / "manifest.json").write_text('{"files": {}}\n', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def first_run(workspace):
    return run_report(
        "tiny_report",
        {"processed_dir": str(workspace / "processed"), "n_clients": "7"},
        out=workspace / "reports",
        notebooks_dir=FIXTURES,
    )


def test_a_run_writes_every_artefact(first_run, workspace):
    run_dir = first_run.run_dir
    assert first_run.status == "ok" and first_run.error is None
    assert run_dir.parent == workspace / "reports" / "tiny_report"
    for name in ("report.html", "notebook.ipynb", "summary.json", "deck.pptx", "run.json"):
        assert (run_dir / name).is_file(), name
    for key in ("counts", "bars"):
        assert (run_dir / "figures" / f"{key}.png").is_file()
        assert (run_dir / "figures" / f"{key}.svg").is_file()
    assert first_run.html == run_dir / "report.html"
    assert first_run.deck == run_dir / "deck.pptx"
    assert first_run.summary == {
        "no_data": [
            {"section": "Residivisme", "text": "Belum ada data residivisme untuk pilihan ini."}
        ],
        "n_enrolled": "7",
        "completed": "<5",
    }
    assert set(first_run.timings) >= {"validate", "execute", "export", "deck", "total"}


def test_run_json_records_provenance(first_run, workspace):
    record = json.loads((first_run.run_dir / "run.json").read_text())
    assert record["status"] == "ok"
    assert record["run_id"] == first_run.run_id
    assert record["parameters"]["n_clients"] == 7
    assert record["parameters"]["processed_dir"] == str((workspace / "processed").resolve())
    assert record["input_manifest"]["sha256"] == runs.sha256_file(
        workspace / "processed" / "manifest.json"
    )
    assert record["package_version"]
    assert record["kernel"] == "python3"
    assert "git_commit" in record
    assert "report.html" in record["outputs"]
    assert record["error"] is None


def test_the_notebook_ran_in_its_folder_with_absolute_paths(first_run):
    import nbformat

    nb = nbformat.read(str(first_run.notebook), as_version=4)
    text = "".join(
        out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
    )
    assert "cwd: notebooks" in text
    assert "processed_dir is absolute: True" in text
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "n_clients = 7" in injected[0].source


def test_html_has_no_code_and_every_figure(first_run):
    html = first_run.html.read_text(encoding="utf-8")
    assert '<html lang="id">' in html
    for code in ("publish.start", "import pandas", "time.sleep", "n_clients = 7"):
        assert code not in html
    body = html.split("<body", 1)[1]
    for marker in ("jp-InputPrompt", "jp-OutputPrompt", "jp-CodeMirrorEditor", "In&nbsp;["):
        assert marker not in body
    for key in ("counts", "bars"):
        assert f'data-figure="{key}"' in html
    assert html.count("<img ") == 2
    assert "Sebanyak <strong>7</strong> klien terdaftar." in html
    assert "&lt;5" in html


def test_deck_has_title_summary_figures_definitions_and_provenance(first_run):
    from pptx import Presentation

    prs = Presentation(str(first_run.deck))
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.001
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles == [
        "Laporan kecil",
        "Ringkasan",
        "Jumlah klien per bulan",
        "Dua batang",
        "Residivisme",
        "Definisi",
        "Sumber data dan kebijakan pengungkapan",
    ]
    assert prs.core_properties.author == "Bapas Kelas I Semarang"


def test_latest_points_at_the_last_good_run_and_survives_a_failure(first_run, workspace):
    report_dir = workspace / "reports" / "tiny_report"
    latest = report_dir / "latest"
    second = run_report(
        "tiny_report",
        {"processed_dir": str(workspace / "processed")},
        out=workspace / "reports",
        notebooks_dir=FIXTURES,
    )
    assert os.readlink(latest) == second.run_id
    with pytest.raises(ReportError) as info:
        run_report(
            "tiny_report",
            {"processed_dir": str(workspace / "processed"), "fail": "true"},
            out=workspace / "reports",
            notebooks_dir=FIXTURES,
        )
    message = str(info.value)
    assert "\n" not in message
    assert re.search(r"^tiny_report gagal di sel \d+: ValueError: planted failure ", message)
    assert "time.sleep(sleep)" not in message  # no code in the message: it is in run.json
    failed = info.value.result
    assert failed.status == "failed" and failed.html is None and failed.deck is None
    record = json.loads((failed.run_dir / "run.json").read_text())
    # the structured fields match what papermill reported and run.json records
    error = info.value
    assert (error.report, error.stage) == ("tiny_report", "execute")
    assert error.cell_index == record["error"]["cell_index"]
    assert (error.exception_name, error.exception_value) == (
        "ValueError",
        "planted failure for the runner tests",
    )
    assert record["status"] == "failed"
    assert record["error"]["ename"] == "ValueError"
    assert "time.sleep(sleep)" in record["error"]["cell_source"]
    assert record["error"]["stage"] == "execute"
    assert isinstance(record["error"]["cell_index"], int)
    assert "raise ValueError" in record["error"]["cell_source"]
    assert failed.notebook.is_file()  # the executed notebook is kept with the error
    assert "planted failure" in failed.notebook.read_text()
    assert os.readlink(latest) == second.run_id  # latest untouched


def test_bad_parameters_stop_before_anything_is_written(workspace):
    out = workspace / "reports-bad"
    with pytest.raises(ConfigError, match="report label '../x'"):
        run_report(
            "tiny_report",
            {"processed_dir": str(workspace / "processed")},
            out=out,
            notebooks_dir=FIXTURES,
            label="../x",
        )
    with pytest.raises(ConfigError, match="parameter colour tidak dikenal"):
        run_report(
            "tiny_report",
            {"processed_dir": str(workspace / "processed"), "colour": "red"},
            out=out,
            notebooks_dir=FIXTURES,
        )
    assert not out.exists()


def test_a_plan_continues_past_failures(workspace):
    plan = workspace / "plan.yaml"
    processed = workspace / "processed"
    plan.write_text(
        "- report: tiny_report\n  label: tiny-nine\n  params: {n_clients: 9}\n"
        f"- report: tiny_report\n  params: {{processed_dir: {processed}, n_clients: lots}}\n"
        f"- report: tiny_report\n  params: {{processed_dir: {processed}, fail: true}}\n"
        "- report: no_such_report\n",
        encoding="utf-8",
    )
    lines: list[str] = []
    result = run_plan(
        plan,
        out=workspace / "plan-out",
        progress=lines.append,
        notebooks_dir=FIXTURES,
        defaults={"processed_dir": str(processed), "n_clients": 1},
    )
    assert not result.ok
    assert [f.index for f in result.failures] == [2, 3, 4]
    assert 'n_clients "lots": harus bilangan bulat' in result.failures[0].reason
    assert "planted failure" in result.failures[1].reason
    assert 'laporan "no_such_report" tidak dikenal' in result.failures[2].reason
    assert [r.status for r in result.runs] == ["ok", "failed"]
    assert result.runs[0].summary["n_enrolled"] == "9"
    assert lines[0].startswith("[1/4] tiny-nine")
    assert any("GAGAL" in line for line in lines)
    assert lines[-3:] == [f"  {f}" for f in result.failures]
    # the labelled entry keeps its own folder and latest
    assert result.runs[0].run_dir.parent.name == "tiny-nine"
    assert os.readlink(workspace / "plan-out" / "tiny-nine" / "latest") == result.runs[0].run_id
    assert not (workspace / "plan-out" / "tiny_report" / "latest").exists()


def test_cli_report_exit_codes(workspace, monkeypatch, capsys):
    # the CLI finds notebooks in ./notebooks: give it the fixtures there
    cwd = workspace / "cli"
    shutil.copytree(FIXTURES, cwd / "notebooks")
    monkeypatch.chdir(cwd)
    processed = str(workspace / "processed")
    code = main(
        ["report", "tiny_report", "-p", "min_cell", "zero", "-p", "processed_dir", processed]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == (
        'rehab-eval: galat: tiny_report: min_cell "zero": harus bilangan bulat; '
        "daftar parameter: rehab-eval report tiny_report --help"
    )
    assert not (cwd / "reports").exists()
    code = main(["report", "tiny_report", "-p", "fail", "yes", "-p", "processed_dir", processed])
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and "planted failure" in err
    assert not (cwd / "reports" / "tiny_report" / "latest").exists()


def test_a_cell_over_the_timeout_fails_the_run(workspace):
    with pytest.raises(ReportError) as info:
        run_report(
            "tiny_report",
            {"processed_dir": str(workspace / "processed"), "sleep": "120"},
            out=workspace / "reports-timeout",
            notebooks_dir=FIXTURES,
            timeout=15,  # above the import cell even on a 2-core machine at load 10
        )
    message = str(info.value)
    assert "\n" not in message and "lebih dari batas 15 detik" in message
    record = json.loads((info.value.result.run_dir / "run.json").read_text())
    assert record["status"] == "failed"
    assert "time.sleep(sleep)" in (record["error"]["cell_source"] or "")


def test_notebooks_are_found_from_the_working_directory_or_the_package(tmp_path, monkeypatch):
    from rehab_eval.reports.runner import find_notebooks_dir, packaged_notebooks

    packaged = Path(__file__).resolve().parents[1] / "src" / "rehab_eval" / "reports" / "notebooks"
    assert packaged_notebooks() == packaged
    assert {"cohort_report.ipynb", "demo.plan.yaml"} <= {p.name for p in packaged.iterdir()}
    monkeypatch.chdir(tmp_path)  # no ./notebooks here: the packaged ones are used
    assert find_notebooks_dir("cohort_report") == packaged
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "cohort_report.ipynb").write_text("{}")
    assert find_notebooks_dir("cohort_report") == (tmp_path / "notebooks").resolve()
    with pytest.raises(ConfigError, match="does not exist"):
        find_notebooks_dir("cohort_report", tmp_path / "nowhere")


# --------------------------------------------------------------------------- outputs people expect


def test_run_json_records_the_published_disclosure(first_run):
    from rehab_eval import disclosure

    record = json.loads((first_run.run_dir / "run.json").read_text())
    policy = disclosure.resolve()
    assert record["disclosure"]["source"] == "publish.json"
    assert record["disclosure"]["policy"] == policy.record()["policy"]
    assert record["disclosure"]["sha256"] == policy.policy.sha256
    assert record["disclosure"]["audience"] == "publik"
    assert record["disclosure"]["closing_line"] == policy.closing_line("id")


def test_the_workbook_holds_every_published_table(first_run):
    from openpyxl import load_workbook

    run_dir = first_run.run_dir
    published = json.loads((run_dir / "publish.json").read_text())
    book = load_workbook(run_dir / "tables.xlsx")
    assert book.sheetnames == ["Daftar isi", *(t["caption"] for t in published["tables"])]
    for entry in published["tables"]:
        table = json.loads((run_dir / entry["path"]).read_text())
        sheet = book[entry["caption"]]
        assert sheet["A1"].value == entry["caption"]
        assert [c.value for c in sheet[2]] == ["langkah", "n"]
        assert sheet.freeze_panes == "A3"
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
        # the same cells as the HTML table; counts as numbers, "<5" kept as text
        assert rows == [["terdaftar", 7], ["selesai", "<5"]]
        assert table["rows"] == [["terdaftar", "7"], ["selesai", "<5"]]
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="table-flow"' in html and "<td>selesai</td>" in html


def test_the_html_opens_with_summary_and_contents_and_carries_a_glossary(first_run):
    html = (first_run.run_dir / "report.html").read_text(encoding="utf-8")
    title = html.index("<h1")
    summary = html.index('<section class="rehab-key-points" id="ringkasan">')
    contents = html.index('<nav class="rehab-contents"')
    first_section = html.index('<h2 class="rehab-section" id="sec-jumlah-klien">')
    assert title < summary < contents < first_section
    assert html.count('class="rehab-key-points"') == 1  # moved to the top, not shown twice
    assert "<li>7 klien terdaftar.</li>" in html
    assert '<a href="#sec-jumlah-klien">Jumlah klien</a>' in html
    assert '<a href="#sec-residivisme">Residivisme</a>' in html
    assert '<p class="rehab-no-data">Belum ada data residivisme untuk pilihan ini.</p>' in html
    glossary = html.index('<section class="rehab-glossary" id="glosarium">')
    assert glossary > first_section
    for term in ("d_z (Cohen)", "IK 95 %", "Holm", "RCI", "Kaplan–Meier", "Kejadian bersaing"):
        assert f"<dt>{term}" in html, term
    # print CSS: A4, a page break before each section, figures and rows never cut
    assert "@page { size: A4;" in html
    assert "h2.rehab-section, .rehab-glossary { break-before: page; }" in html
    assert "figure.rehab-figure, figure.rehab-figure img" in html and "break-inside: avoid" in html
    assert "rehab-stamp" not in html.split("</style>")[-1]  # publik: no banner


def test_internal_runs_carry_the_stamp_on_page_slides_and_sheets(workspace):
    from openpyxl import load_workbook
    from pptx import Presentation

    from rehab_eval import disclosure

    result = run_report(
        "tiny_report",
        {"processed_dir": str(workspace / "processed"), "audience": "internal", "min_cell": "1"},
        out=workspace / "internal",
        notebooks_dir=FIXTURES,
    )
    stamp = disclosure.resolve("internal").stamp("id")
    html = result.html.read_text(encoding="utf-8")
    assert f'<div class="rehab-stamp" role="note">{stamp}</div>' in html
    assert "@top-center" in html
    slides = list(Presentation(str(result.deck)).slides)
    for slide in slides:
        assert any(s.has_text_frame and s.text_frame.text == stamp for s in slide.shapes)
    book = load_workbook(result.run_dir / "tables.xlsx")
    assert all(book[name]["A1"].value == stamp for name in book.sheetnames)
    record = json.loads((result.run_dir / "run.json").read_text())
    assert record["disclosure"]["audience"] == "internal"
    assert record["disclosure"]["min_cell"] is None


def test_cli_timeout_reaches_the_runner_and_a_bad_one_is_refused(monkeypatch, capsys):
    from rehab_eval import reports

    seen = {}

    def fake_run_report(name, params, **kwargs):
        seen.update(kwargs)
        raise ConfigError("berhenti di sini")

    monkeypatch.setattr(reports, "run_report", fake_run_report)
    assert main(["report", "tiny_report", "--timeout", "1800"]) != 0
    assert seen["timeout"] == 1800
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["report", "tiny_report", "--timeout", "nol"])
    err = capsys.readouterr().err
    assert "batas waktu nol bukan bilangan detik yang positif" in err
