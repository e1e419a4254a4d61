"""Synthetic exports → ETL, checked against the generator's ``truth.json``.

Every planted defect must land in rejects with the right reason, row and column; the
per-sheet counts must reconcile with the generator's; nothing identifying may reach any
output, the progress lines, the warnings or the log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import warnings

import pandas as pd
import pytest

from rehab_eval.etl import load_processed, run_etl
from rehab_eval.synth import generate_synthetic


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    generate_synthetic(root / "raw", seed=7, scale=1)
    truth = json.loads((root / "truth.json").read_text("utf-8"))
    lines: list[str] = []
    handler_records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            handler_records.append(self.format(record))

    h = Keep(level=logging.DEBUG)
    logger = logging.getLogger("rehab_eval")
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(h)
    try:
        with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            mp.setenv(
                "REHAB_EVAL_SECRET",
                "test-secret-synth-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8",
            )
            result = run_etl(
                root / "raw",
                root / "out",
                as_of=dt.date.fromisoformat(truth["cutoff_date"]),
                progress=lines.append,
            )
    finally:
        logger.removeHandler(h)
        logger.setLevel(old_level)
    log = "\n".join(lines + handler_records + [str(w.message) for w in caught])
    log += "\n" + result.summary()
    return root, truth, result, log


def test_every_planted_defect_is_rejected_with_its_reason(run):
    root, truth, _, _ = run
    rej = pd.read_parquet(root / "out" / "rejects.parquet")
    got = {
        (f, s, int(r), why): col
        for f, s, r, col, why in zip(
            rej.source_file, rej.sheet, rej.source_row, rej.column, rej.reason, strict=True
        )
    }
    expected = [d for d in truth["defects"] if d["reason"] is not None]
    assert expected, "the generator planted no defects"
    missing = [
        d for d in expected if (d["file"], d["sheet"], d["source_row"], d["reason"]) not in got
    ]
    assert not missing
    wrong_column = [
        d
        for d in expected
        if d["column"] and got[(d["file"], d["sheet"], d["source_row"], d["reason"])] != d["column"]
    ]
    assert not wrong_column
    # nothing rejected that was not planted
    planted = {(d["file"], d["sheet"], d["source_row"], d["reason"]) for d in expected}
    assert set(got) == planted


def test_counts_reconcile_file_by_file(run):
    _, truth, result, _ = run
    files = {f["path"]: f for f in result.manifest["files"]}
    assert set(files) == set(truth["files"])
    for path, tf in truth["files"].items():
        mf = files[path]
        assert mf["status"] == "read"
        sheets = {s["sheet"]: s for s in mf["sheets"]}
        assert set(sheets) == set(tf["sheets"])
        for name, ts in tf["sheets"].items():
            s = sheets[name]
            where = (path, name)
            assert s["table"] == ts["table"], where
            assert s["header_row"] == ts["header_row"], where
            assert s["rows_read"] == ts["data_rows"], where
            assert s["rows_empty"] == ts["empty_rows"], where
            assert s["rows_totals"] == ts["totals_rows"], where
            assert s["numbering_column"] == ts["numbering_column"], where
            dups = sum(
                1
                for d in truth["defects"]
                if d["file"] == path and d["sheet"] == name and d["reason"] is None
            )
            assert s["rows_duplicate"] == dups, where
            whole = {
                d["source_row"]
                for d in truth["defects"]
                if d["file"] == path
                and d["sheet"] == name
                and d["reason"]
                not in (None, "out of range", "unparseable value", "unparseable date")
            }
            assert s["rows_rejected"] >= len(whole), where
            assert s["rows_read"] == s["rows_accepted"] + s["rows_rejected"] + s["rows_duplicate"]


def test_tables_hold_every_accepted_row(run):
    root, _, result, _ = run
    p = load_processed(root / "out")
    totals: dict[str, int] = {}
    for f in result.manifest["files"]:
        for s in f["sheets"]:
            if s["table"]:
                totals[s["table"]] = totals.get(s["table"], 0) + s["rows_accepted"]
    for table, n in totals.items():
        frame = getattr(p, table)
        if table == "clients":
            assert len(frame) >= n  # plus clients seen only in other tables
        else:
            assert len(frame) == n, table
    assert p.clients["client_id"].is_unique
    assert set(p.assessments["client_id"]) <= set(p.clients["client_id"])
    assert result.unknown_facilities == []


def test_no_identifier_reaches_any_output_or_log(run):
    root, truth, _, log = run
    ids = truth["identities"]
    texts = [log]
    for path in sorted((root / "out").iterdir()):
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            texts.append(" ".join(frame.columns))
            texts.append(frame.astype(str).to_csv(index=False))
        else:
            texts.append(path.read_text("utf-8-sig"))
    blob = "\n".join(texts)
    tokens = set(re.findall(r"[^\s,;\"'|]+", blob))
    digits = set(re.findall(r"\d{6,}", blob))
    words = re.findall(r"[A-Za-z']+", blob)
    pairs = {" ".join(p) for p in zip(words, words[1:], strict=False)}
    assert not [n for n in ids["niks"] if n in digits or n in tokens]
    assert not [r for r in ids["register_nos"] if r in tokens]
    # full names (given + family name); a single given name is also an ordinary word
    assert not [n for n in ids["names"] if " " in n and n in pairs]
    # and the masked form really is masked
    assert not any(len(t) == 16 and t.isdigit() for t in tokens)


def test_same_input_and_key_give_identical_parquet(run, tmp_path, monkeypatch):
    root, truth, _, _ = run
    monkeypatch.setenv(
        "REHAB_EVAL_SECRET", "test-secret-synth-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8"
    )
    run_etl(root / "raw", tmp_path / "again", as_of=dt.date.fromisoformat(truth["cutoff_date"]))
    for path in sorted((root / "out").glob("*.parquet")):
        assert path.read_bytes() == (tmp_path / "again" / path.name).read_bytes(), path.name
    a = json.loads((root / "out" / "manifest.json").read_text("utf-8"))
    b = json.loads((tmp_path / "again" / "manifest.json").read_text("utf-8"))
    a.pop("run_time"), b.pop("run_time")
    assert a == b


def test_comparison_register_recovers_the_planted_programme_effect(run):
    """The non-participant register comes through the ETL; the weighted comparison recovers
    the planted effect on the participants while the unadjusted one does not."""
    from rehab_eval.effect import comparison_cohort, programme_effect

    root, truth, _, _ = run
    planted = truth["effects"]["sumsel_programme_effect"]
    p = load_processed(root / "out")
    cohort = comparison_cohort(p, end_date=truth["cutoff_date"], province="Sumatera Selatan")
    n_register = sum(planted["register_clients"].values())
    assert int((cohort["treated"] == 1).sum()) == planted["att"]["n_participants_released"]
    # the register, plus the few participants whose enrollment rows were never exported
    assert n_register <= int((cohort["treated"] == 0).sum()) <= n_register + 9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = programme_effect(cohort, cluster="facility")
    t = res.table.set_index(["analysis", "measure", "time"]).sort_index()
    for measure, tau, key in (
        ("rmst_difference", 730.0, "rmst_difference_days_730"),
        ("risk_difference", 730.0, "risk_difference_730"),
    ):
        true = planted["att"][key]
        adj, raw = t.loc[("adjusted", measure, tau)], t.loc[("unadjusted", measure, tau)]
        assert adj["ci_low"] <= true <= adj["ci_high"], (measure, adj.to_dict(), true)
        assert not raw["ci_low"] <= true <= raw["ci_high"], (measure, raw.to_dict(), true)
    assert res.balance.summary["max_abs_smd_before"].iloc[0] > 0.5
    assert res.balance.summary["max_abs_smd_after"].iloc[0] < 0.1
    hr = t.loc[("adjusted", "hazard_ratio")].iloc[0]
    assert hr["ci_high"] < t.loc[("unadjusted", "hazard_ratio")].iloc[0]["estimate"]
    assert res.evalue["evalue"] > 1
