"""Every report notebook rendered end to end on the synthetic demo data (papermill, HTML, deck).

The demo data are generated once per session (synthetic raw exports → ETL → scores) in a
temporary folder. The notebook checks themselves (parameters cell, no stored outputs, no
function definitions, specs matching the notebooks) are fast; the renders are marked slow.
"""

from __future__ import annotations

import ast
import json
import os
import re
import zipfile
from pathlib import Path

import nbformat
import pytest

from rehab_eval.errors import ConfigError, ReportError
from rehab_eval.reports import params, run_report

NOTEBOOKS = Path(__file__).resolve().parents[1] / "src" / "rehab_eval" / "reports" / "notebooks"
REPORTS = (
    "cohort_report",
    "recidivism_report",
    "program_overview",
    "screening_report",
    "community_report",
    "programme_effect",
)


# --------------------------------------------------------------------------- notebook files


#: Code lines a report notebook may hold: parameters, one call per section, the narrative.
LINE_BUDGET = 150


def _code_lines(cell) -> int:
    return sum(
        1 for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")
    )


@pytest.mark.parametrize("name", REPORTS)
def test_notebook_is_stored_without_outputs_and_declares_its_audience(name):
    nb = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and code.index(tagged[0]) == 0
    assert re.search(r'^audience = "publik"', tagged[0].source, flags=re.M)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", REPORTS)
def test_notebook_is_thin_within_the_line_budget(name):
    """Parameters, one call per section and the narrative: no number is formatted here."""
    nb = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert sum(_code_lines(c) for c in code) <= LINE_BUDGET
    for cell in code[1:]:
        for banned in ("format_count", "format_number", "format_percent", "privacy.", ".round("):
            assert banned not in cell.source, (banned, cell.source[:80])


@pytest.mark.parametrize("name", REPORTS)
def test_spec_declares_exactly_the_notebook_parameters(name):
    import papermill as pm

    inferred = pm.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    spec = params.load_spec(name)
    assert set(inferred) == set(spec.parameters)
    resolved = params.validate(spec, {"processed_dir": str(NOTEBOOKS)})
    for pname, info in inferred.items():
        if pname in ("processed_dir", "output_dir") or spec.parameters[pname].data_default:
            continue  # data_default: the runner takes the value from the data
        default = ast.literal_eval(info["default"])
        assert resolved[pname] == default, pname


def test_demo_plan_names_known_reports():
    from rehab_eval.reports.runs import load_plan

    entries = load_plan(NOTEBOOKS / "demo.plan.yaml")
    assert {e.report for e in entries} == set(params.available_reports())
    for entry in entries:
        params.validate(
            params.load_spec(entry.report), {**entry.params, "processed_dir": str(NOTEBOOKS)}
        )


def test_a_bad_value_names_the_parameter_before_anything_runs(tmp_path):
    with pytest.raises(ConfigError) as info:
        run_report(
            "cohort_report",
            {"processed_dir": str(tmp_path), "min_cell": "lima", "lang": "fr", "colour": "x"},
            out=tmp_path / "reports",
            notebooks_dir=NOTEBOOKS,
        )
    text = str(info.value)
    assert 'min_cell "lima"' in text and 'lang "fr"' in text and "colour" in text
    assert not (tmp_path / "reports").exists()


# --------------------------------------------------------------------------- demo renders


# the session's demo data: the `demo` fixture of tests/conftest.py


@pytest.fixture(scope="session")
def rendered(demo):
    """Every report with its defaults (the overview in English), rendered once."""
    out = demo["root"] / "reports"
    runs = {}
    for name in REPORTS:
        values = {"processed_dir": str(demo["processed"])}
        if name == "program_overview":
            values["lang"] = "en"
        runs[name] = run_report(name, values, out=out, notebooks_dir=NOTEBOOKS)
    return runs


def _html_text(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return (soup.find("main") or soup.body).get_text(" ", strip=True)


def _deck(path: Path):
    from pptx import Presentation

    return Presentation(str(path))


@pytest.mark.slow
@pytest.mark.parametrize("name", REPORTS)
def test_report_renders_html_without_code_and_with_every_figure(rendered, name):
    run = rendered[name]
    assert run.status == "ok"
    record = json.loads((run.run_dir / "publish.json").read_text())
    keys = [f["key"] for f in record["figures"]]
    assert len(keys) >= 2
    html = run.html.read_text(encoding="utf-8")
    body = html.split("<body", 1)[1]
    assert "<script" not in html and "cdnjs" not in html  # opens offline
    for marker in ("jp-InputPrompt", "jp-CodeMirrorEditor", "In&nbsp;[", "Traceback"):
        assert marker not in body
    for code in ("publish.start(", "rehab_eval.load_processed", "import pandas", "TEXT = {"):
        assert code not in html
    for key in keys:
        assert f'data-figure="{key}"' in html
        assert (run.run_dir / "figures" / f"{key}.png").stat().st_size > 10_000
        assert (run.run_dir / "figures" / f"{key}.svg").is_file()
    assert html.count("<img ") == len(keys)
    assert run.summary and run.summary["report"] == name


@pytest.mark.slow
@pytest.mark.parametrize("name", REPORTS)
def test_deck_is_16_9_with_title_figure_and_closing_slides(rendered, name):
    run = rendered[name]
    record = json.loads((run.run_dir / "publish.json").read_text())
    prs = _deck(run.deck)
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.001
    titles = [s.shapes.title.text if s.shapes.title else "" for s in prs.slides]
    english = record["lang"] == "en"
    closing = (
        ["Definitions", "Data provenance and disclosure policy"]
        if english
        else ["Definisi", "Sumber data dan kebijakan pengungkapan"]
    )
    assert titles[0] == record["title"] and titles[-1] == closing[-1]
    assert titles[-2].startswith(closing[0])  # "Definisi", or "Definisi (2/2)" when long
    if record.get("key_points"):
        assert titles[1] == ("Summary" if english else "Ringkasan")
    figures = iter(titles)  # every figure has its slide, in publishing order
    assert all(any(t == f["title"] for t in figures) for f in record["figures"])
    run_json = json.loads((run.run_dir / "run.json").read_text())
    assert run_json["status"] == "ok"
    assert run_json["input_manifest"]["sha256"]
    assert os.readlink(run.run_dir.parent / "latest") == run.run_id


@pytest.mark.slow
def test_reports_reproduce_the_synthetic_programs(rendered, demo):
    programs = {p["key"]: p for p in demo["truth"]["programs"]}
    overview = rendered["program_overview"].summary
    assert overview["clients_per_year"] == {"2021": "870", "2022": "800", "2023": "520"}
    cohort = rendered["cohort_report"].summary
    semarang_2024 = programs["semarang_2024"]["clients"] + programs["semarang_2024_nov"]["clients"]
    assert cohort["n_enrolled"] == str(semarang_2024)
    recid = rendered["recidivism_report"].summary
    assert recid["cox_exploratory"] is False
    assert set(recid["km_cumulative_incidence"]) == {"6", "12", "24"}


@pytest.mark.slow
def test_summary_slides_carry_the_trajectory_and_competing_ends_takeaways(rendered):
    """The overview's summary slide gives the WHOQOL months 1 → 6 with their means, the
    recidivism deck's the Aalen–Johansen share beside 1 − KM; each has its figure slide."""
    for name, key, words in (
        ("program_overview", "whoqol_trajectory", ("From Month 1 (n = ", "Physical")),
        ("recidivism_report", "competing", ("Aalen–Johansen", "1 − Kaplan–Meier")),
    ):
        run = rendered[name]
        record = json.loads((run.run_dir / "publish.json").read_text())
        figure = next(f for f in record["figures"] if f["key"] == key)
        assert all(w in figure["takeaway"] for w in words)
        assert re.search(r"\d+(,|\.)?\d*\s?%|\d+[,.]\d", figure["takeaway"])
        slides = list(_deck(run.deck).slides)
        summary = " ".join(s.text_frame.text for s in slides[1].shapes if s.has_text_frame)
        assert figure["takeaway"].rstrip(".") in summary
        assert any(s.shapes.title and s.shapes.title.text == figure["title"] for s in slides)


@pytest.mark.slow
def test_english_switch(rendered, demo):
    overview = rendered["program_overview"]
    html = overview.html.read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    text = _html_text(overview.html)
    assert "Program reach" in text and "Jangkauan program" not in text
    assert "2,190" in text  # English thousands separator
    cohort_text = _html_text(rendered["cohort_report"].html)
    assert "Alur klien" in cohort_text and "Client flow" not in cohort_text


@pytest.mark.slow
def test_a_cohort_of_three_shows_under_five_everywhere(demo):
    import pandas as pd

    enrollments = pd.read_parquet(demo["processed"] / "enrollments.parquet")
    starts = (
        enrollments.loc[enrollments["facility"] == "Bapas Kelas I Semarang", "start_date"]
        .sort_values()
        .reset_index(drop=True)
    )
    # the first 3 clients of the November 2024 group (5 clients)
    late = starts[starts >= "2024-11-01"].reset_index(drop=True)
    assert late[2] < late[3]
    run = run_report(
        "cohort_report",
        {
            "processed_dir": str(demo["processed"]),
            "period_start": str(late[0].date()),
            "period_end": str(late[2].date()),
        },
        out=demo["root"] / "reports-small",
        notebooks_dir=NOTEBOOKS,
    )
    counts = {k: v for k, v in run.summary.items() if k.startswith("n_")}
    assert counts and set(counts.values()) <= {"<5", "x", "0"}
    record = json.loads((run.run_dir / "publish.json").read_text())
    flow = next(f for f in record["figures"] if f["key"] == "flow")
    assert flow["takeaway"].startswith("<5 klien terdaftar")
    text = _html_text(run.html)
    assert "Laporan ini merangkum <5 klien" in text
    # no count of 1 to 4 persons anywhere in the narrative, tables, deck or summary
    deck_text = " ".join(
        shape.text_frame.text
        for slide in _deck(run.deck).slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    for where in (text, deck_text, json.dumps(run.summary, ensure_ascii=False)):
        assert not re.search(r"(?<![\d,.\-−])[1-4] (klien|dari)", where), where[:200]
    assert 'id="table-table_one"' not in run.html.read_text()  # no Table 1 of a tiny group


@pytest.mark.slow
def test_recidivism_without_a_reoffending_source_says_so_once_and_draws_no_rate(demo):
    """Bapas Semarang's exports hold programme records only: one sentence, never a 0 %."""
    run = run_report(
        "recidivism_report",
        {
            "processed_dir": str(demo["processed"]),
            "province": None,
            "facility": "Bapas Kelas I Semarang",
        },
        out=demo["root"] / "reports-no-source",
        notebooks_dir=NOTEBOOKS,
    )
    record = json.loads((run.run_dir / "publish.json").read_text())
    assert record["figures"] == []
    (no_data,) = run.summary["no_data"]
    assert no_data["text"].startswith("Belum ada data")
    text = _html_text(run.html)
    assert text.count(no_data["text"]) == 1
    assert "%" not in text.split("Glosarium")[0]
    assert run.summary["km_cumulative_incidence"] == {}


@pytest.mark.slow
def test_a_failing_run_keeps_latest(rendered, demo):
    import shutil

    good = rendered["cohort_report"]
    latest = good.run_dir.parent / "latest"
    unscored = demo["root"] / "processed-unscored"  # passes the parameter checks, fails inside
    shutil.copytree(demo["processed"], unscored, ignore=shutil.ignore_patterns("scores.parquet"))
    with pytest.raises(ReportError) as info:
        run_report(
            "cohort_report",
            {"processed_dir": str(unscored)},
            out=demo["root"] / "reports",
            notebooks_dir=NOTEBOOKS,
        )
    message = str(info.value)
    assert "\n" not in message and "scores.parquet belum ada" in message
    failed = info.value.result
    record = json.loads((failed.run_dir / "run.json").read_text())
    assert record["status"] == "failed" and record["error"]["ename"] == "InputError"
    assert "sections.cohort_context(" in record["error"]["cell_source"]
    assert failed.notebook.is_file() and not (failed.run_dir / "report.html").exists()
    assert os.readlink(latest) == good.run_id


_BASE64 = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")


def _texts_of(run_dir: Path) -> dict[str, str]:
    """Every text output of a run (HTML, JSON, notebook, SVG, the deck's XML), images removed."""
    texts = {}
    for path in run_dir.rglob("*"):
        if path.suffix in {".html", ".json", ".ipynb", ".svg"}:
            text = path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".pptx":
            with zipfile.ZipFile(path) as z:
                text = " ".join(
                    z.read(n).decode("utf-8", errors="replace")
                    for n in z.namelist()
                    if n.endswith(".xml")
                )
        else:
            continue
        texts[str(path.relative_to(run_dir))] = _BASE64.sub("", text)
    return texts


@pytest.mark.slow
def test_no_identity_in_any_output(rendered, demo):
    import pandas as pd

    identities = demo["truth"]["identities"]
    client_ids = set(pd.read_parquet(demo["processed"] / "clients.parquet")["client_id"])
    niks = set(identities["niks"])
    # names with a given name and a family name, register numbers: searched as text
    phrases = {
        str(n).strip().lower()
        for n in [*identities["register_nos"], *identities["names"]]
        if " " in str(n).strip() or "/" in str(n)
    }
    assert len(client_ids) > 1000 and len(niks) > 1000 and len(phrases) > 1000
    for run in rendered.values():
        for where, text in _texts_of(run.run_dir).items():
            assert not client_ids & set(re.findall(r"[0-9a-z]{12,}", text)), where
            assert not niks & set(re.findall(r"\d{16}", text)), where
            lowered = text.lower()
            found = [p for p in phrases if p in lowered]
            assert found == [], f"{where}: {len(found)} identifier(s) found"


@pytest.mark.slow
def test_operational_counts_of_the_semarang_cohort_are_shown_exactly(rendered, demo):
    """Enrolled, assessed before/after and completed are operational counts: exact once the
    cohort reaches min_cell (issue 12), in the summary, the flow figure and its takeaway."""
    import pandas as pd

    run = rendered["cohort_report"]
    summary = run.summary
    flow = {
        k: summary[f"n_{k}"] for k in ("enrolled", "assessed_pre", "assessed_post", "completed")
    }
    assert all(v.isdigit() for v in flow.values()), flow
    enrolled = pd.read_parquet(demo["processed"] / "enrollments.parquet")
    assert int(flow["enrolled"]) == 21
    assert summary["completed_share"].endswith("%")
    record = json.loads((run.run_dir / "publish.json").read_text())
    takeaway = next(f["takeaway"] for f in record["figures"] if f["key"] == "flow")
    assert takeaway.startswith(f"{flow['completed']} dari {flow['enrolled']} klien")
    assert enrolled["client_id"].nunique() > 21  # the report is a selection of the demo
    # the pairs behind each change estimate: a number in every row of the paired tables
    html = run.html.read_text(encoding="utf-8")
    for key in ("whoqol_paired", "urica_paired"):
        table = re.search(rf'id="table-{key}".*?</table>', html, flags=re.S).group(0)
        rows = re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>", table)
        assert rows and all(r.isdigit() for r in rows), (key, rows)


@pytest.mark.slow
def test_summary_has_machine_readable_values_beside_the_display_strings(rendered):
    cohort = rendered["cohort_report"].summary
    physical = cohort["values"]["whoqol"]["physical_0_100"]
    assert isinstance(physical["mean_diff"], float) and isinstance(physical["p_value"], float)
    assert physical["ci_low"] < physical["mean_diff"] < physical["ci_high"]
    # the display string is the same number, rounded, in Indonesian
    assert cohort["whoqol_mean_diff"]["physical_0_100"] == f"{physical['mean_diff']:.1f}".replace(
        ".", ","
    ).replace("-", "−")
    assert 0 <= cohort["values"]["urica_stuart_maxwell_p"] <= 1
    for month in cohort["values"]["urine_positive_share"].values():
        assert month is None or month["ci_low"] <= month["share"] <= month["ci_high"]
    recid = rendered["recidivism_report"].summary["values"]
    assert set(recid["km_cumulative_incidence"]) == {"6", "12", "24"}
    assert all(isinstance(h["hr"], float) for h in recid["cox"].values())
    assert set(recid["logrank_p"]) == {"level", "program", "status"}
    overview = rendered["program_overview"].summary["values"]
    share = overview["reoffended_within_window"]
    assert share["km_ci_low"] <= share["km_cum_incidence"] <= share["km_ci_high"]

    def numbers(tree):
        if isinstance(tree, dict):
            for v in tree.values():
                yield from numbers(v)
        elif isinstance(tree, list):
            for v in tree:
                yield from numbers(v)
        else:
            yield tree

    for run in rendered.values():  # no count sneaks in: floats (or null) only
        assert all(v is None or isinstance(v, float) for v in numbers(run.summary["values"]))


@pytest.mark.slow
def test_readme_python_example_runs_on_the_demo_data(demo):
    """The README's "From Python" block, run as written (only the data folder differs)."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert len(blocks) == 1
    code = blocks[0].replace('"data/processed"', repr(str(demo["processed"])))
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small-sample and data-quality notes of the demo
        # only the settled names: an old one would raise here
        warnings.filterwarnings("error", message=r".*deprecated and will be removed")
        exec(compile(code, "README.md", "exec"), namespace)
    plt.close("all")
    assert namespace["rc"].n > 0 and "ReliableChange(" in repr(namespace["rc"])
    assert namespace["fu"].unit == "months" and namespace["rates"].window_unit == "months"
    assert namespace["fit"].n > 0
