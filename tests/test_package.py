"""The package skeleton: version, lazy imports, the CLI's start-up path and error hierarchy."""

from __future__ import annotations

import subprocess
import sys

import pytest

import rehab_eval
from rehab_eval import errors, vocab
from rehab_eval.cli import build_parser, main


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout


def test_version_is_exposed_and_matches_metadata():
    from importlib.metadata import version

    assert rehab_eval.__version__ == version("rehab_eval")


def test_import_does_not_load_heavy_libraries():
    loaded = _run(
        "import sys, rehab_eval, rehab_eval.cli; "
        "print(','.join(m for m in ('pandas','numpy','scipy','statsmodels','matplotlib',"
        "'papermill','pyarrow') if m in sys.modules))"
    ).strip()
    assert loaded == ""


def test_lazy_reexports_resolve_and_unknown_names_raise():
    assert set(rehab_eval.__all__) >= {"score", "load_processed", "RehabEvalError"}
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        rehab_eval.nope  # noqa: B018


def test_error_hierarchy():
    for cls in (errors.InputError, errors.InstrumentError, errors.ConfigError, errors.ReportError):
        assert issubclass(cls, errors.RehabEvalError)
    assert issubclass(errors.SmallSampleWarning, UserWarning)


def test_cli_version_and_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert rehab_eval.__version__ in capsys.readouterr().out
    help_text = build_parser().format_help()
    for command in ("synth", "etl", "score", "report", "demo"):
        assert command in help_text


def test_console_script_answers_help():
    out = subprocess.run(
        [sys.executable, "-m", "rehab_eval", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "rehab-eval" in out


def test_cli_turns_package_errors_into_one_line_and_exit_2(tmp_path, capsys):
    status = main(["etl", "--raw", str(tmp_path / "missing"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "Traceback" not in err


def test_timepoints_are_ordered_and_codes_unique():
    assert vocab.timepoint_rank("pre") < vocab.timepoint_rank("m3") < vocab.timepoint_rank("post")
    assert vocab.timepoint_rank("post") < vocab.timepoint_rank("fu12")
    for codes in (vocab.PROGRAMS, vocab.EVENT_KINDS, vocab.TIMEPOINTS, vocab.SUBSTANCES):
        assert len(set(codes)) == len(codes)
    assert set(vocab.TABLES) == {
        "clients",
        "enrollments",
        "assessments",
        "contacts",
        "urine_tests",
        "events",
        "rejects",
    }


def test_submodules_load_on_attribute_access():
    import rehab_eval as pkg

    assert callable(pkg.change.paired)
    assert callable(pkg.recidivism.kaplan_meier)
    assert callable(pkg.score) and callable(pkg.reliability)
