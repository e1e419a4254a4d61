"""The compact in-memory forms of the ETL (integer NIKs and pseudonyms, categorical text) give
every value back exactly, and the array joins of the register maps agree with dictionaries."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab_eval.etl._codes import (
    ANSWERS,
    NO_NIK,
    answer_codes,
    compact_frame,
    concat_frames,
    id_text,
    nik_codes,
    nik_text,
    text_values,
)
from rehab_eval.etl.identity import client_codes, client_ids
from rehab_eval.etl.items import split_items
from rehab_eval.etl.pseudonyms import Pseudonyms, register_maps

nik16 = st.text(alphabet="0123456789", min_size=16, max_size=16)


@given(st.lists(st.one_of(nik16, st.just("")), max_size=50))
def test_nik_codes_give_the_digits_back(niks):
    codes = nik_codes(pd.Series(niks, dtype=object))
    assert codes.dtype == np.int64
    assert list(nik_text(codes)) == niks
    assert ((codes == NO_NIK) == np.array([n == "" for n in niks], dtype=bool)).all()
    assert nik_codes(codes) is codes  # already coded: unchanged


@pytest.mark.parametrize("bad", ["337401450190000", "33740145019000012", "3374O14501900001"])
def test_nik_codes_refuse_what_is_not_16_digits(bad):
    with pytest.raises(ValueError):
        nik_codes(np.array(["3374014501900001", bad], dtype=object))


@given(st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=40))
def test_id_text_is_c_and_16_hex_digits(values):
    got = id_text(np.array(values, dtype=np.uint64))
    assert list(got) == [f"c{v:016x}" for v in values]


def test_client_codes_are_the_first_64_bits_of_the_hmac():
    key = b"k" * 40
    tokens = pd.Series(["nik:3374014501900001", "reg:Lapas A|12", "nik:3374014501900001", None])
    codes = client_codes(tokens, key)
    for tok, code in zip(tokens[:3], codes[:3], strict=True):
        want = hmac.new(key, tok.encode(), hashlib.sha256).hexdigest()[:16]
        assert f"{code:016x}" == want
    ids = client_ids(tokens, key)
    assert ids.iat[0] == ids.iat[2] == "c" + f"{codes[0]:016x}" and ids.iat[3] is None


@settings(max_examples=60)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "", "Lapas X"])), max_size=30),
        min_size=1,
        max_size=4,
    )
)
def test_compact_then_concat_keeps_every_value(columns):
    frames = [
        pd.DataFrame({"kind": pd.Series(c, dtype=object), "n": range(len(c))}) for c in columns
    ]
    got = concat_frames([compact_frame(f) for f in frames])
    want = pd.concat(frames, ignore_index=True)
    assert list(text_values(got["kind"])) == list(want["kind"])
    assert list(got["n"]) == list(want["n"])


def test_register_maps_and_pseudonyms_agree_with_dictionaries():
    rng = np.random.default_rng(3)
    n = 400
    niks = np.array([f"33740145019{i:05d}" for i in rng.integers(0, 60, n)], dtype=object)
    niks[rng.random(n) < 0.5] = ""
    regs = np.array([f"R{i}" for i in rng.integers(0, 80, n)], dtype=object)
    regs[rng.random(n) < 0.1] = ""
    facs = np.array(["A", "B", ""], dtype=object)[rng.integers(0, 3, n)]
    reason = np.where(rng.random(n) < 0.1, "bad", "").astype(object)
    frame = pd.DataFrame({"_nik": niks, "_reg": regs, "_fac": facs, "_reason": reason})
    maps = register_maps({"clients": [compact_frame(frame)]})
    # the dictionaries the maps replace
    pair, seen = {}, {}
    for f, r, k, why in zip(facs, regs, niks, reason, strict=True):
        if k and r and not why:
            pair.setdefault((f, r), k)
            seen.setdefault(r, set()).add(k)
    only = {r: next(iter(s)) for r, s in seen.items() if len(s) == 1}
    key = b"x" * 40
    codes, has = Pseudonyms(key).of_rows(compact_frame(frame), maps)
    for i, (f, r, k) in enumerate(zip(facs, regs, niks, strict=True)):
        hit = k or (r and (pair.get((f, r)) or only.get(r)))
        tok = f"nik:{hit}" if hit else (f"reg:{f}|{r}" if r and f else None)
        assert has[i] == (tok is not None)
        if tok is not None:
            assert codes[i] == client_codes(pd.Series([tok]), key)[0]


def test_arrow_text_and_categoricals_come_back_as_the_same_objects():
    regs = [f"R{i}" for i in range(40)] + [None]
    frame = pd.DataFrame(
        {
            "_nik": ["3374014501900001", ""] * 20 + [""],
            "_reg": pd.Series(regs, dtype=object),
            "kind": pd.array(["a", None] * 20 + ["b"], dtype="string[pyarrow]"),
        }
    )
    got = compact_frame(frame)
    assert got["_reg"].dtype == "string[pyarrow]"
    assert isinstance(got["kind"].dtype, pd.CategoricalDtype)
    assert list(text_values(got["_reg"])) == regs
    assert list(text_values(got["kind"])) == ["a", None] * 20 + ["b"]
    both = concat_frames([got, got])
    assert both["_reg"].dtype == "string[pyarrow]" and len(both) == 82
    assert list(text_values(both["kind"])) == (["a", None] * 20 + ["b"]) * 2
    assert list(nik_text(both["_nik"].to_numpy())) == list(frame["_nik"]) * 2


def test_item_columns_read_like_the_concatenation():
    rng = np.random.default_rng(8)
    frames = []
    for k, cols in enumerate([["q1", "q2"], ["q2", "q3"], ["q1"]]):
        n = int(rng.integers(1, 30))
        data = {"_row": np.arange(n) + 100 * k}
        data.update({c: rng.integers(0, 5, n).astype(np.float32) for c in cols})
        frames.append(pd.DataFrame(data))
    want = pd.concat(frames, ignore_index=True)
    bases, items = split_items(list(frames))
    assert items.columns == ["q1", "q2", "q3"]
    assert list(concat_frames(bases).columns) == ["_row"]
    rows = rng.permutation(len(want))[: len(want) // 2]
    for c in items.columns:
        np.testing.assert_array_equal(items.take(c, rows), want[c].to_numpy()[rows])
    np.testing.assert_array_equal(
        items.frame(rows).to_numpy(), want[items.columns].to_numpy()[rows]
    )


@given(st.lists(st.one_of(st.none(), st.integers(0, 254), st.floats(allow_nan=True)), max_size=30))
def test_answer_codes_give_every_answer_back_or_decline(values):
    v = np.array([np.nan if x is None else x for x in values], dtype=np.float64)
    got = answer_codes(v)
    if got is None:  # something that a byte cannot hold exactly
        ok = np.isnan(v) | ((v >= 0) & (v <= 254) & (v == np.floor(v)) & ~np.signbit(v))
        assert not ok.all()
    else:
        np.testing.assert_array_equal(ANSWERS[got], v.astype(np.float32))
        assert not np.signbit(ANSWERS[got][~np.isnan(v)]).any()


def test_answers_as_bytes_read_back_as_floats():
    f1 = pd.DataFrame({"q1": np.array([1, np.nan, 3], dtype=np.float32)})
    f2 = pd.DataFrame({"q1": np.array([0.5, 2], dtype=np.float32)})  # not whole: kept
    parts = [compact_frame(f1), compact_frame(f2)]
    assert parts[0]["q1"].dtype == np.uint8 and parts[1]["q1"].dtype == np.float32
    _, items = split_items(parts)
    got = items.take("q1", np.array([4, 0, 1, 3, 2]))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, np.array([2, 1, np.nan, 0.5, 3], dtype=np.float32))


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "category"])
def test_nik_codes_take_any_text_dtype(dtype):
    niks = pd.Series(["3374014501900001", "", None, "0074014501900001"], dtype=dtype)
    got = nik_codes(niks)
    assert list(nik_text(got)) == ["3374014501900001", "", "", "0074014501900001"]
