"""Honest failure records in reports and the one scheduled command (`rehab-eval run`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rehab_eval.cli import main
from rehab_eval.errors import ReportError
from rehab_eval.reports import run_report

ROOT = Path(__file__).parent
KEY = "scheduled-tests-7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder as cron sees it: raw exports, notebooks, a plan, run from its root."""
    monkeypatch.setenv("REHAB_EVAL_SECRET", KEY)
    shutil.copytree(ROOT / "fixtures" / "etl", tmp_path / "exports")
    shutil.copytree(ROOT / "fixtures" / "notebooks", tmp_path / "notebooks")
    (tmp_path / "monthly.plan.yaml").write_text(
        "- report: tiny_report\n  params: {n_clients: 9}\n", "utf-8"
    )
    (tmp_path / "monthly.yaml").write_text(
        "etl:\n  raw: exports\n  out: data/processed\n  as_of: 2025-06-30\n"
        "reports:\n  plan: monthly.plan.yaml\n  out: reports\n",
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


# 7. honest failure records --------------------------------------------------------------


def test_run_json_first_says_running_and_a_full_disk_is_one_line(project, monkeypatch, capsys):
    from rehab_eval.reports import execute

    (project / "processed").mkdir()
    (project / "processed" / "manifest.json").write_text("{}\n")
    seen = {}

    def disk_full(notebook, executed, injected, **kwargs):
        record = json.loads((executed.parent / "run.json").read_text())
        seen.update(record)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(execute, "execute_notebook", disk_full)
    with pytest.raises(ReportError) as info:
        run_report("tiny_report", {"processed_dir": "processed"}, out="reports")
    assert seen["status"] == "running" and seen["finished_at"] is None
    message = str(info.value)
    assert "\n" not in message and "No space left" in message and "Traceback" not in message
    run_dir = next((project / "reports" / "tiny_report").glob("2*"))
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "failed" and record["error"]["stage"] == "execute"
    assert not (project / "reports" / "tiny_report" / "latest").exists()
    # through the command line: one line on stderr, a non-zero exit
    capsys.readouterr()
    assert main(["report", "tiny_report", "-p", "processed_dir", "processed"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "galat berkas" in err[0]


# 8. one scheduled command ---------------------------------------------------------------


def test_run_plan_does_etl_score_reports_with_one_line_each(project, capsys):
    assert main(["run", "--plan", "monthly.yaml"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["etl", "score", "reports"]
    assert all("selesai" in line for line in lines)
    assert (project / "data" / "processed" / "scores.parquet").is_file()
    latest = project / "reports" / "tiny_report" / "latest"
    assert (latest / "report.html").is_file()
    # 7. run.json and the published notebook name no absolute path inside the project
    text = (latest / "run.json").read_text()
    record = json.loads(text)
    assert str(project) not in text and record["status"] == "ok"
    assert record["input_manifest"]["path"].startswith("data/")
    assert str(project) not in (latest / "notebook.ipynb").read_text()
    assert str(project) not in (latest / "report.html").read_text()


def test_run_plan_stops_at_the_first_failure_with_an_exit_cron_mails(project, capsys):
    (project / "etl_only.yaml").write_text(
        "etl:\n  raw: exports\n  as_of: 2025-06-30\nreports:\n  skip: true\n", "utf-8"
    )
    assert main(["run", "--plan", "etl_only.yaml"]) == 0
    assert (project / "data" / "processed" / "scores.parquet").is_file()
    shutil.rmtree(project / "exports")
    (project / "exports").mkdir()
    (project / "exports" / "rekap.csv").write_text("Kolom A,Kolom B\n1,2\n", "utf-8")
    capsys.readouterr()
    assert main(["run", "--plan", "monthly.yaml"]) == 2
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("etl: GAGAL") and "--allow-shrink" in lines[0]
    assert not (project / "reports").exists()  # nothing ran after the refused ETL
    (project / "broken.yaml").write_text("etl:\n  rawx: exports\n", "utf-8")
    assert main(["run", "--plan", "broken.yaml"]) == 2
    assert "rawx" in capsys.readouterr().out


def test_the_shipped_example_plan_is_valid():
    from rehab_eval.schedule import load_schedule

    cfg = load_schedule(ROOT.parent / "monthly.yaml")
    assert cfg["etl"]["out"].name == "processed"
    assert cfg["reports"]["plan"].name == "monthly.plan.yaml"
