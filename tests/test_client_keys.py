"""Client ids as integer keys: the pseudonym ``"c" + 16 hex`` read as a number keeps the order
and the identity of the ids, other ids have no key, and sets of clients, selections and the
follow-up give the same answers through keys as through the strings."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab_eval import cohort
from rehab_eval.etl import _scan
from rehab_eval.etl._keys import ClientSet, client_codes, pseudonym_keys
from rehab_eval.etl.processed import load_processed, restrict
from rehab_eval.recidivism import followup


def _pseudonym(x: int) -> str:
    return "c" + format(x, "016x")


numbers = st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(numbers)
def test_keys_keep_the_order_and_identity_of_pseudonyms(xs):
    ids = [_pseudonym(x) for x in xs]
    keys = pseudonym_keys(pd.Series(ids, dtype=object))
    assert keys is not None and keys.dtype == np.int64
    assert np.array_equal(np.argsort(keys, kind="stable"), np.argsort(np.array(ids), kind="stable"))
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            assert (keys[i] == keys[j]) == (a == b)
    # the same keys from Arrow, also from a slice of a longer array
    sliced = pa.array(["c" + "0" * 16, *ids]).slice(1)
    assert np.array_equal(pseudonym_keys(sliced), keys)


@pytest.mark.parametrize(
    "ids",
    [
        ["c" + "0" * 16, "C" + "0" * 16],  # upper-case marker
        ["c" + "A" * 16],  # upper-case hex would make two spellings of one key
        ["c" + "0" * 15],  # too short
        ["c" + "0" * 16, None],  # a missing id
        ["c" + "g" * 16],
        ["abc"],
    ],
)
def test_other_ids_have_no_key(ids):
    assert pseudonym_keys(pd.Series(ids, dtype=object)) is None
    assert pseudonym_keys(pd.Series([1, 2])) is None


@settings(max_examples=40, deadline=None)
@given(
    numbers,
    st.lists(st.one_of(st.integers(0, 2**64 - 1), st.none(), st.just(-1)), max_size=40),
    st.booleans(),
)
def test_a_client_set_answers_as_python_sets(members, asked, with_none):
    ids = [_pseudonym(x) for x in members]
    probe = [None if x is None else ("c-x" if x == -1 else _pseudonym(x)) for x in asked]
    probe += ids[:3]
    for given_ids in (pd.Index(ids, dtype=object), [*ids, None] if with_none else ids):
        expected = set(given_ids)
        got = ClientSet(given_ids).contains(pa.array(probe, type=pa.string()))
        assert got.tolist() == [v in expected for v in probe]


def test_codes_order_any_ids_as_strings():
    a = pd.Series(["b", "a", 3], dtype=object)
    b = pd.Series(["3", "zz", "a"], dtype=object)
    ca, cb = client_codes(a, b)
    strings = ["b", "a", "3", "3", "zz", "a"]
    codes = np.concatenate([ca, cb])
    assert np.array_equal(np.argsort(codes, kind="stable"), np.argsort(strings, kind="stable"))
    assert ca[2] == cb[0] and ca[1] == cb[2]


@pytest.fixture()
def pseudonymous(tmp_path, monkeypatch):
    """Processed tables whose ids are pseudonyms, on disk, with small row groups."""
    from test_processed_lazy import _frames

    frames = _frames(seed=5, n=80)
    rng = np.random.default_rng(1)
    pseudo = {f"c{i:03d}": _pseudonym(int(x)) for i, x in enumerate(rng.integers(0, 2**63, 80))}
    for frame in frames.values():
        if "client_id" in frame.columns:
            frame["client_id"] = frame["client_id"].map(pseudo).astype(object)
    frames["clients"] = frames["clients"].sort_values("client_id").reset_index(drop=True)
    folder = tmp_path / "out"
    folder.mkdir()
    for name, frame in frames.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False, row_group_size=17)
    (folder / "manifest.json").write_text(json.dumps({"run_time": "t"}), "utf-8")
    monkeypatch.setattr(_scan, "MANY", 5)  # the province's clients are checked as rows are read
    return folder, frames


@pytest.mark.parametrize(
    "where",
    [{"province": "Sumatera Selatan"}, {"facility": "Bapas X", "program": "ibm"}, {}],
)
def test_selection_and_followup_through_keys(pseudonymous, where):
    folder, frames = pseudonymous
    lazy = cohort.select(load_processed(folder), **where)
    held = cohort.select(frames, **where)
    for name in ("clients", "enrollments", "events", "urine_tests", "scores"):
        pd.testing.assert_frame_equal(
            getattr(lazy, name), held[name].reset_index(drop=True), obj=name
        )
    for outcome in ("any", "relapse"):
        a = followup(lazy, outcome=outcome, end_date="2025-06-30").table
        b = followup(held, outcome=outcome, end_date="2025-06-30").table
        pd.testing.assert_frame_equal(a, b)
        assert a["client_id"].is_monotonic_increasing
    some = frames["clients"]["client_id"].iloc[::3].tolist()
    r = restrict(load_processed(folder), some)
    assert r.events["client_id"].tolist() == restrict(frames, some)["events"]["client_id"].tolist()
