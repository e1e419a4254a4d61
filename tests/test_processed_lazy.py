"""Processed data read lazily: the same tables, columns and rows as reading every file whole.

A folder opened by ``load_processed`` reads a table only when asked, only the columns kept and
only the rows passing the filters (pushed into the Parquet scan); ``cohort.select`` on it
gives the same selection as on the frames in memory, and one opened folder keeps reading the
version it was opened on when the ETL publishes another or scoring replaces a file.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from rehab_eval import cohort
from rehab_eval.errors import ConfigError, InputError
from rehab_eval.etl.processed import (
    Processed,
    distinct,
    load_processed,
    restrict,
    table,
    table_columns,
    tables,
)
from rehab_eval.recidivism import followup

NAMES = ("clients", "enrollments", "assessments", "contacts", "urine_tests", "events", "rejects")


def _frames(seed: int = 3, n: int = 60) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"c{i:03d}" for i in range(n)]
    places = ["Bapas X", "bapas  x", "Lapas Y", None]
    clients = pd.DataFrame(
        {
            "client_id": ids,
            "sex": rng.choice(["male", "female"], n),
            "birth_date": pd.to_datetime("1980-01-01")
            + pd.to_timedelta(rng.integers(0, 9000, n), unit="D"),
            "facility": rng.choice(np.array(places, dtype=object), n),
            "facility_type": "lapas",
            "province": rng.choice(["Sumatera Selatan", "sumatera  selatan", "Jawa Tengah"], n),
            "release_date": pd.to_datetime("2022-01-01")
            + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
        }
    )
    m = 2 * n
    enrollments = pd.DataFrame(
        {
            "client_id": rng.choice(ids, m),
            "program": rng.choice(["ibm", "pascarehabilitasi", "rehabilitasi_sosial"], m),
            "facility": rng.choice(np.array(places, dtype=object), m),
            "level": rng.choice(["rendah", "sedang", "tinggi"], m),
            "cohort": rng.choice(["Angkatan 1", "angkatan  1", "Angkatan 2", None], m),
            "start_date": pd.to_datetime("2021-06-01")
            + pd.to_timedelta(rng.integers(0, 900, m), unit="D"),
            "end_date": pd.to_datetime("2024-01-01"),
            "status": rng.choice(["completed", "active", "dropped_out", None], m),
        }
    )
    enrollments.loc[::7, "start_date"] = pd.NaT
    events = pd.DataFrame(
        {
            "client_id": rng.choice(ids, m),
            "date": pd.to_datetime("2022-01-01") + pd.to_timedelta(rng.integers(0, 1200, m), "D"),
            "kind": rng.choice(["rearrest", "reconviction", "death", "transfer"], m),
        }
    )
    assessments = pd.DataFrame(
        {
            "client_id": rng.choice(ids, m),
            "instrument": rng.choice(["whoqol_bref", "urica"], m),
            "timepoint": rng.choice(["pre", "post", "m1"], m),
            "date": pd.to_datetime("2022-03-01"),
            "q1": rng.integers(1, 6, m).astype(float),
        }
    )
    scores = assessments.drop(columns="q1").assign(
        instrument=lambda f: f["instrument"].astype("category"),
        physical_0_100=rng.uniform(0, 100, m),
    )
    empty = {"client_id": pd.Series([], dtype="object")}
    return {
        "clients": clients,
        "enrollments": enrollments,
        "assessments": assessments,
        "contacts": pd.DataFrame({**empty, "date": pd.Series([], dtype="datetime64[ns]")}),
        "urine_tests": pd.DataFrame(
            {
                "client_id": ids[:3],
                "date": pd.to_datetime(["2023-01-05"] * 3),
                "result": ["negative", "positive", "refused"],
            }
        ),  # fmt: skip
        "events": events,
        "rejects": pd.DataFrame({"source_file": ["a.csv"], "reason": ["bad date"]}),
        "scores": scores,
    }


def _write(folder, frames) -> None:
    folder.mkdir(parents=True)
    for name, frame in frames.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False, row_group_size=25)
    (folder / "manifest.json").write_text(json.dumps({"run_time": "t"}), "utf-8")


@pytest.fixture()
def folder(tmp_path):
    frames = _frames()
    _write(tmp_path / ".out.versions" / "v1", frames)
    os.symlink(".out.versions/v1", tmp_path / "out")
    return tmp_path / "out", frames


def test_every_table_reads_as_the_whole_file(folder):
    path, frames = folder
    lazy = load_processed(path)
    assert lazy.path == path.resolve()
    assert set(tables(lazy)) == set(frames)
    for name in frames:
        expected = pd.read_parquet(path / f"{name}.parquet")
        pd.testing.assert_frame_equal(getattr(lazy, name), expected)
        pd.testing.assert_frame_equal(tables(lazy)[name], expected)
    assert table_columns(lazy, "enrollments") == list(frames["enrollments"].columns)
    assert table_columns(lazy, "nothing") is None


FILTERS = [
    [("program", "==", "ibm")],
    [("program", "in", ["ibm", "pascarehabilitasi"]), ("level", "!=", "tinggi")],
    [("start_date", ">=", pd.Timestamp("2022-03-01")), ("start_date", "<", "2023-01-01")],
    [("start_date", "<=", pd.Timestamp("2022-03-01").date())],
    [("facility", "in", ["Lapas Y", None])],
    [("facility", "not in", ["Lapas Y"])],
    [("status", "!=", "completed")],
]


@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_filters_mean_the_same_on_disk_and_in_memory(folder, filters):
    path, frames = folder
    lazy = load_processed(path)
    got = table(lazy, "enrollments", columns=["client_id"], keep=["program", "status"],
                filters=filters)  # fmt: skip
    held = table(frames, "enrollments", columns=["client_id"], keep=["program", "status"],
                 filters=filters)  # fmt: skip
    pd.testing.assert_frame_equal(got, held)
    # the meaning spelled out in pandas: a missing value fails comparisons, is "in" with None
    e = frames["enrollments"]
    keep = pd.Series(True, index=e.index)
    for column, op, value in filters:
        s = e[column]
        if op in ("in", "not in"):
            hit = s.isin([v for v in value if v is not None]) | (s.isna() & (None in value))
            keep &= hit if op == "in" else ~hit
        else:
            if column == "start_date":
                value = pd.Timestamp(value)
            keep &= {"==": s == value, "!=": s != value, "<": s < value, "<=": s <= value,
                     ">": s > value, ">=": s >= value}[op] & s.notna()  # fmt: skip
    assert got["client_id"].tolist() == e.loc[keep, "client_id"].tolist()
    assert list(got.columns) == ["client_id", "program", "status"]


def test_a_dictionary_column_filters_and_a_bad_filter_is_refused(folder):
    path, frames = folder
    lazy = load_processed(path)
    got = table(lazy, "scores", columns=["client_id"], keep=(), filters=[
        ("instrument", "==", "urica")])  # fmt: skip
    assert got["client_id"].tolist() == frames["scores"].loc[
        frames["scores"]["instrument"] == "urica", "client_id"].tolist()  # fmt: skip
    assert sorted(distinct(lazy, "scores", "instrument")) == ["urica", "whoqol_bref"]
    with pytest.raises(ConfigError, match="op one of"):
        table(lazy, "scores", filters=[("instrument", "like", "u%")])
    with pytest.raises(InputError, match="lacks column\\(s\\) nothing"):
        table(lazy, "scores", filters=[("nothing", "==", 1)])


SELECTIONS = [
    {"facility": "BAPAS X"},
    {"facility": ["lapas y", "Bapas X"], "program": "ibm"},
    {"province": "Sumatera   Selatan"},
    {"cohort": "angkatan 1", "period_start": "2022-01-01", "period_end": "2022-12-31"},
    {"province": "Jawa Tengah", "facility": "Lapas Y", "program": ["ibm", "rehabilitasi_sosial"]},
]


@pytest.mark.parametrize("where", SELECTIONS, ids=range(len(SELECTIONS)))
def test_select_on_disk_is_select_in_memory(folder, where):
    path, frames = folder
    lazy = cohort.select(load_processed(path), **where)
    held = cohort.select(frames, **where)
    assert isinstance(lazy, Processed)
    for name in frames:
        expected = held[name]
        got = getattr(lazy, name)
        key = "client_id" if "client_id" in expected.columns else "source_file"
        assert got[key].tolist() == expected[key].tolist(), name
        if name == "enrollments":
            pd.testing.assert_frame_equal(got, expected.reset_index(drop=True))
    a = followup(lazy, outcome="any", end_date="2025-06-30").table
    b = followup(held, outcome="any", end_date="2025-06-30").table
    pd.testing.assert_frame_equal(a, b)
    # a selection of a selection is the selection of both
    again = cohort.select(lazy, program="ibm")
    both = cohort.select(held, program="ibm")
    assert again.events["client_id"].tolist() == both["events"]["client_id"].tolist()


def test_one_load_reads_one_version(folder):
    path, frames = folder
    lazy = load_processed(path)
    # the ETL publishes another version, and scoring replaces a file of the first one
    newer = _frames(seed=9, n=5)
    _write(path.parent / ".out.versions" / "v2", newer)
    os.unlink(path)
    os.symlink(".out.versions/v2", path)
    old_scores = path.parent / ".out.versions" / "v1" / "scores.parquet"
    newer["scores"].to_parquet(old_scores.with_suffix(".tmp"), index=False)
    os.replace(old_scores.with_suffix(".tmp"), old_scores)
    assert lazy.clients["client_id"].tolist() == frames["clients"]["client_id"].tolist()
    assert len(lazy.scores) == len(frames["scores"])
    assert len(load_processed(path).clients) == 5


def test_restrict_reads_only_the_clients_rows(folder):
    path, frames = folder
    ids = ["c001", "c002", "zzz"]
    lazy = restrict(load_processed(path), ids)
    held = restrict(frames, ids)
    for name in frames:
        key = "client_id" if name != "rejects" else "source_file"
        assert getattr(lazy, name)[key].tolist() == held[name][key].tolist(), name
    assert "…" in repr(lazy) and "clients=60" in repr(load_processed(path))
