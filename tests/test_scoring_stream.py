"""score_processed() in row batches: the same scores.parquet whatever the batch size.

The demo's scores are pinned by a content hash (column names, dtypes and every value,
hashed with pandas, so it does not depend on the pyarrow version written into the file).
The pinned value is the content the scorer gave before it read the table in batches.
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import rehab_eval.scoring.pipeline as pipeline
from rehab_eval import DataQualityWarning
from rehab_eval.scoring import score_processed

#: content of the demo's scores.parquet (synth seed 7, the conftest secret)
DEMO_SCORES = "343d4ebf711bcfe87a62c7f7074b2f5c44f0405241c634a4b130465d738f9431"


def _content_hash(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    digest.update(repr([(c, str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _scored(folder, monkeypatch, rows: int) -> pd.DataFrame:
    monkeypatch.setattr(pipeline, "_BATCH_ROWS", rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return pd.read_parquet(score_processed(folder))


@pytest.fixture
def assessments(demo, tmp_path):
    """A folder holding part of the demo's assessments.parquet, sorted by client as the ETL
    writes it: the first 40 clients and every client with a URICA or ASSIST form."""
    table = pq.read_table(demo["processed"] / "assessments.parquet")
    ids = table.column("client_id").to_numpy(zero_copy_only=False)
    instrument = table.column("instrument").to_numpy(zero_copy_only=False)
    chosen = set(ids[instrument != "whoqol_bref"]) | set(pd.unique(ids)[:40])
    rows = np.flatnonzero(np.isin(ids, list(chosen)))
    pq.write_table(table.take(rows), tmp_path / "assessments.parquet")
    return tmp_path


def test_demo_scores_content_is_pinned(demo):
    scores = pd.read_parquet(demo["processed"] / "scores.parquet")
    assert len(scores) == 6362
    assert _content_hash(scores) == DEMO_SCORES


def test_tiny_batches_give_the_whole_table_scores(assessments, monkeypatch):
    whole = _scored(assessments, monkeypatch, 10**9)
    assert pq.ParquetFile(assessments / "scores.parquet").metadata.num_row_groups == 1
    batched = _scored(assessments, monkeypatch, 7)  # clients cut across batches
    assert pq.ParquetFile(assessments / "scores.parquet").metadata.num_row_groups > 20
    assert set(whole["instrument"]) == {"whoqol_bref", "urica", "assist"}
    pd.testing.assert_frame_equal(batched, whole, check_exact=True)


def test_a_table_not_sorted_by_client_is_scored_in_one_piece(assessments, monkeypatch):
    sorted_scores = _scored(assessments, monkeypatch, 7)
    table = pq.read_table(assessments / "assessments.parquet")
    shuffled = np.random.default_rng(3).permutation(table.num_rows)
    pq.write_table(table.take(shuffled), assessments / "assessments.parquet")
    scores = _scored(assessments, monkeypatch, 7)
    assert pq.ParquetFile(assessments / "scores.parquet").metadata.num_row_groups == 1
    # rows that tie on every key keep the file order, which the shuffle changed
    keys = ["client_id", "instrument", "timepoint", "date"]
    assert not sorted_scores.duplicated(keys).any()
    pd.testing.assert_frame_equal(scores, sorted_scores, check_exact=True)


def test_a_failed_run_keeps_the_last_good_scores(assessments, monkeypatch):
    _scored(assessments, monkeypatch, 7)
    good = (assessments / "scores.parquet").read_bytes()
    calls = {"n": 0}
    score_batch = pipeline._Run.score

    def failing(self, chunk):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return score_batch(self, chunk)

    monkeypatch.setattr(pipeline._Run, "score", failing)
    with pytest.raises(OSError, match="disk full"):
        _scored(assessments, monkeypatch, 7)
    assert (assessments / "scores.parquet").read_bytes() == good
    assert sorted(p.name for p in assessments.iterdir()) == [
        "assessments.parquet",
        "scores.parquet",
    ]


def test_warnings_and_manifest_counts_are_totals_over_batches(assessments, monkeypatch):
    table = pd.read_parquet(assessments / "assessments.parquet")
    whoqol = np.flatnonzero((table["instrument"] == "whoqol_bref").to_numpy())
    table.loc[whoqol[[0, 60, 120]], "q16"] = 9.0  # in three different batches
    table.to_parquet(assessments / "assessments.parquet", index=False)
    (assessments / "manifest.json").write_text("{}")
    monkeypatch.setattr(pipeline, "_BATCH_ROWS", 7)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        score_processed(assessments)
    messages = [str(w.message) for w in caught if "outside the allowed set" in str(w.message)]
    assert messages == [
        "whoqol_bref: 3 answer(s) outside the allowed set were treated as missing (q16: 3); "
        "pass strict=True to stop on them instead"
    ]
    entry = pd.read_json(assessments / "manifest.json", typ="series")["scores"]
    assert entry["out_of_range"]["whoqol_bref"] == {"q16": 3}
    assert sum(entry["rows"].values()) == len(table)
