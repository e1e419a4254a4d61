"""The error hierarchy: ValueError compatibility, ReportError's fields, one-line CLI output."""

from __future__ import annotations

import pytest

from rehab_eval import cli
from rehab_eval.errors import (
    ConfigError,
    InputError,
    InstrumentError,
    RehabEvalError,
    ReportError,
)


@pytest.mark.parametrize("cls", [InputError, ConfigError])
def test_input_and_config_errors_are_value_errors(cls):
    with pytest.raises(ValueError, match="bad value"):
        raise cls("bad value")
    assert issubclass(cls, RehabEvalError)


def test_other_errors_are_not_value_errors():
    assert not issubclass(ReportError, ValueError)
    assert not issubclass(InstrumentError, ValueError)


def test_report_error_carries_the_failing_cell():
    error = ReportError(
        "cohort_report failed in cell 7: KeyError: 'x'",
        report="cohort_report",
        cell_index=7,
        exception_name="KeyError",
        exception_value="'x'",
        stage="execute",
    )
    assert str(error) == "cohort_report failed in cell 7: KeyError: 'x'"
    assert (error.report, error.cell_index, error.exception_name, error.exception_value) == (
        "cohort_report",
        7,
        "KeyError",
        "'x'",
    )
    assert error.result is None
    bare = ReportError("publish.figure: bad key")
    assert bare.report is None and bare.cell_index is None and bare.exception_name is None


@pytest.mark.parametrize(
    ("error", "code", "expected"),
    [
        (
            InputError("clients.xlsx, baris 4, kolom 'tgl_lahir': '31/02/1990'\nperbaiki tanggal"),
            2,
            "rehab-eval: galat: clients.xlsx, baris 4, kolom 'tgl_lahir': '31/02/1990' / "
            "perbaiki tanggal",
        ),
        (
            ReportError("cohort_report failed in cell 3:\n  KeyError", report="cohort_report"),
            1,
            "rehab-eval: cohort_report failed in cell 3: / KeyError",
        ),
        (ConfigError(""), 2, "rehab-eval: galat: galat tanpa keterangan; jalankan ulang dengan parameter yang sama dan laporkan bila berulang"),
    ],
)
def test_the_cli_prints_one_line(monkeypatch, capsys, error, code, expected):
    def failing(args):
        raise error

    monkeypatch.setattr(cli, "_cmd_score", failing)
    assert cli.main(["score", "--processed", "nowhere"]) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == expected + "\n"


def test_cli_usage_errors_are_config_errors(capsys):
    assert cli.main(["report"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rehab-eval: galat: sebut nama laporan")
