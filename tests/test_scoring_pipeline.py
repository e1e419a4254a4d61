"""score_processed(): assessments.parquet → scores.parquet and the manifest entry."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from rehab_eval import DataQualityWarning, InputError, __version__, vocab
from rehab_eval.cli import main
from rehab_eval.instruments import get_instrument
from rehab_eval.scoring import score_processed

W1 = [4, 4, 4, 5, 4, 3, 4, 5, 3, 4, 5, 3, 4, 3, 4, 3, 4, 4, 5, 4, 3, 5, 4, 3, 4, 4]
U3 = [
    2,
    4,
    4,
    4,
    1,
    3,
    4,
    5,
    3,
    4,
    2,
    4,
    2,
    3,
    5,
    3,
    3,
    3,
    4,
    4,
    4,
    3,
    2,
    5,
    3,
    1,
    3,
    2,
    2,
    4,
    2,
    3,
]
ITEMS = [f"q{i}" for i in range(1, 33)] + list(get_instrument("assist").item_columns)


def _row(client, instrument, timepoint, date, answers):
    row = dict.fromkeys(ITEMS, np.nan)
    row.update(answers)
    return {
        "client_id": client,
        "instrument": instrument,
        "timepoint": timepoint,
        "date": pd.Timestamp(date),
        **row,
    }


def _assessments(rng: np.random.Generator) -> pd.DataFrame:
    whoqol = dict(zip([f"q{i}" for i in range(1, 27)], W1, strict=True))
    urica = dict(zip([f"q{i}" for i in range(1, 33)], U3, strict=True))
    assist = dict.fromkeys((f"{s}_q1" for s in vocab.SUBSTANCES), 0.0)
    assist.update(
        {
            "ats_q1": 3.0,
            "ats_q2": 6,
            "ats_q3": 6,
            "ats_q4": 6,
            "ats_q5": 7,
            "ats_q6": 6,
            "ats_q7": 6,
        }
    )
    rows = [
        _row("P-002", "whoqol_bref", "post", "2024-07-01", {**whoqol, "q16": 7.0}),
        _row("P-001", "urica", "pre", "2024-01-03", urica),
        _row("P-001", "whoqol_bref", "post", "2024-07-02", whoqol),
        _row("P-001", "assist", "pre", "2024-01-02", assist),
        _row("P-001", "whoqol_bref", "pre", "2024-01-02", {f"q{i}": 3.0 for i in range(1, 27)}),
        _row("P-002", "whoqol_bref", "pre", "2024-01-05", {}),
    ]
    frame = pd.DataFrame(rows)
    frame["instrument"] = pd.Categorical(frame["instrument"], categories=vocab.INSTRUMENTS)
    frame["timepoint"] = pd.Categorical(frame["timepoint"], categories=vocab.TIMEPOINTS)
    frame["client_id"] = frame["client_id"].astype("string")
    return frame.sample(frac=1.0, random_state=int(rng.integers(1000)))


@pytest.fixture
def processed(tmp_path):
    _assessments(np.random.default_rng(0)).to_parquet(tmp_path / "assessments.parquet")
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {"a.xlsx": {"rows": 6}}}))
    return tmp_path


def test_scores_parquet_layout_and_values(processed):
    with pytest.warns(DataQualityWarning, match="q16: 1"):
        path = score_processed(processed)
    assert path == processed / "scores.parquet"
    scores = pd.read_parquet(path)
    columns = ["client_id", "instrument", "timepoint", "date"]
    for name in vocab.INSTRUMENTS:
        columns += get_instrument(name).score_columns()
    assert list(scores.columns) == columns
    keys = scores[["client_id", "instrument", "timepoint"]].astype(str).agg("/".join, axis=1)
    assert list(keys) == [
        "P-001/whoqol_bref/pre",
        "P-001/whoqol_bref/post",
        "P-001/urica/pre",
        "P-001/assist/pre",
        "P-002/whoqol_bref/pre",
        "P-002/whoqol_bref/post",
    ]
    by = scores.set_index(keys)
    assert by.at["P-001/whoqol_bref/post", "physical_0_100"] == pytest.approx(53.571428571428571)
    assert by.at["P-001/whoqol_bref/pre", "social_0_100"] == 50.0
    assert by.at["P-002/whoqol_bref/post", "physical_0_100"] == pytest.approx(54.166666666666667)
    assert bool(by.at["P-002/whoqol_bref/pre", "valid"]) is False
    assert by.at["P-002/whoqol_bref/pre", "invalid_reason"].startswith("fewer than 21 of 26")
    assert by.at["P-001/urica/pre", "readiness"] == pytest.approx(64 / 7)
    assert by.at["P-001/urica/pre", "stage"] == "contemplation"
    assert by.at["P-001/assist/pre", "ats_ssi"] == 37
    assert by.at["P-001/assist/pre", "level"] == "tinggi"
    # columns of other instruments are null on a row
    assert pd.isna(by.at["P-001/urica/pre", "physical_0_100"])
    assert pd.isna(by.at["P-001/assist/pre", "valid"])
    assert pd.isna(by.at["P-001/whoqol_bref/pre", "level"])
    assert str(scores["valid"].dtype) == "boolean"
    assert str(scores["n_answered"].dtype) == "Int64"
    assert str(scores["stage"].dtype) == "string"
    assert list(scores["timepoint"].cat.categories) == list(vocab.TIMEPOINTS)
    assert not [p.name for p in processed.iterdir() if p.name.endswith(".tmp")]


def test_manifest_gets_a_scores_entry(processed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        score_processed(processed, prereversed=False)
    manifest = json.loads((processed / "manifest.json").read_text())
    assert manifest["files"] == {"a.xlsx": {"rows": 6}}  # other entries kept
    entry = manifest["scores"]
    assert entry["file"] == "scores.parquet"
    assert entry["rows"] == {"whoqol_bref": 4, "urica": 1, "assist": 1}
    assert entry["out_of_range"]["whoqol_bref"] == {"q16": 1}
    assert entry["profiles"]["whoqol_bref"] == "who_spss_syntax"
    assert entry["whoqol_bref_prereversed"] is False
    assert entry["package_version"] == __version__


def test_rerun_is_identical_and_works_without_manifest(processed):
    (processed / "manifest.json").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        first = pd.read_parquet(score_processed(processed))
        second = pd.read_parquet(score_processed(processed))
    pd.testing.assert_frame_equal(first, second)
    assert not (processed / "manifest.json").exists()


def test_missing_assessments_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="assessments.parquet: berkas tidak ada"):
        score_processed(tmp_path)


def test_absent_item_columns_are_missing_answers_with_a_warning(tmp_path):
    frame = _assessments(np.random.default_rng(1))
    frame = frame.loc[frame["instrument"] == "whoqol_bref"].drop(
        columns=["q26", *get_instrument("assist").item_columns]
    )
    frame.to_parquet(tmp_path / "assessments.parquet")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        scores = pd.read_parquet(score_processed(tmp_path))
    assert any("whoqol_bref has no column(s) q26" in str(w.message) for w in caught)
    assert len(scores) == 4
    assert set(scores["psychological_n_answered"].dropna()) <= {5, 0}


def test_cli_score_subcommand(processed, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        assert main(["score", "--processed", str(processed)]) == 0
    assert (processed / "scores.parquet").is_file()


def test_empty_assessments_give_an_empty_scores_table(tmp_path):
    keys = {"client_id": "string", "instrument": "string", "timepoint": "string"}
    empty = pd.DataFrame({k: pd.Series([], dtype=t) for k, t in keys.items()})
    empty.assign(date=pd.Series([], dtype="datetime64[ns]")).to_parquet(
        tmp_path / "assessments.parquet"
    )
    scores = pd.read_parquet(score_processed(tmp_path))
    assert len(scores) == 0
    assert list(scores.columns[:4]) == ["client_id", "instrument", "timepoint", "date"]
    assert len(scores.columns) == 4 + sum(
        len(get_instrument(n).score_columns()) for n in vocab.INSTRUMENTS
    )
