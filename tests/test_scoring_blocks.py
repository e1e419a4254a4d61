"""Scoring in row blocks and the int8 answer codes: the same result however a table is cut."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab_eval.errors import InstrumentError
from rehab_eval.instruments import blocks, get_instrument
from rehab_eval.instruments.codes import clean_codes, item_keys
from rehab_eval.scoring import score

pytestmark = pytest.mark.filterwarnings("ignore::rehab_eval.errors.DataQualityWarning")

NAN = float("nan")
#: answers of every kind: allowed, missing, out of range, fractions, infinities, values
#: that wrap around in a narrow integer type (259 = 256 + 3, 2**32 + 3)
ODD = [NAN, -1.0, 0.5, 2.5, 7.0, 1e300, np.inf, -np.inf, 259.0, 2.0**32 + 3, -0.0, 300.0]


def _messy(instrument: str, n: int, seed: int) -> pd.DataFrame:
    inst = get_instrument(instrument)
    rng = np.random.default_rng(seed)
    cols = {}
    for c in inst.item_columns:
        allowed = np.array(inst.allowed[c.rsplit("_", 1)[-1]])
        x = allowed[rng.integers(0, len(allowed), n)].astype(float)
        odd = rng.random(n) < 0.15
        x[odd] = rng.choice(ODD, int(odd.sum()))
        cols[c] = x
    return pd.DataFrame(cols, index=pd.RangeIndex(100, 100 + n))


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(["whoqol_bref", "urica", "assist"]),
    st.integers(0, 60),
    st.integers(1, 17),
    st.integers(0, 2**16),
)
def test_scores_do_not_depend_on_the_block_size(instrument, n, rows, seed):
    frame = _messy(instrument, n, seed)
    whole = score(frame, instrument)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(blocks, "BLOCK_ROWS", rows)
        cut = score(frame, instrument)
    pd.testing.assert_frame_equal(whole, cut, check_exact=True)


def test_block_counts_are_summed_and_warned_once_in_column_order(monkeypatch):
    frame = _messy("assist", 50, seed=3)
    with pytest.warns() as whole:
        score(frame, "assist")
    monkeypatch.setattr(blocks, "BLOCK_ROWS", 7)
    with pytest.warns() as cut:
        score(frame, "assist")
    assert [str(w.message) for w in cut] == [str(w.message) for w in whole]
    assert len(cut) == 2  # out of range, then answers overruled by skip logic


def test_strict_names_the_first_bad_column_even_when_a_later_block_holds_it(monkeypatch):
    frame = pd.DataFrame({f"q{i}": [3.0] * 40 for i in range(1, 27)})
    frame.loc[35, "q2"] = 9.0  # block 4 of 4
    frame.loc[3, "q20"] = 0.5  # block 1, a later column
    monkeypatch.setattr(blocks, "BLOCK_ROWS", 10)
    with pytest.raises(InstrumentError, match=r"column 'q2': 1 answer.*row\(s\) 35.*9\.0"):
        score(frame, "whoqol_bref", strict=True)


def test_codes_are_the_allowed_answers_reversed_and_zero_where_not_answered():
    inst = get_instrument("whoqol_bref")
    x = np.array([1.0, 5.0, 3.0, NAN, 0.0, 6.0, 2.5, 261.0, -0.0, np.inf])
    floats = {c: (x, None) for c in inst.item_columns}
    cleaned = clean_codes(floats, item_keys(inst))
    ok = [True, True, True, False, False, False, False, False, False, False]
    assert cleaned.answered["q1"].tolist() == ok
    assert cleaned.codes["q1"].tolist() == [1, 5, 3, 0, 0, 0, 0, 0, 0, 0]
    assert cleaned.codes["q3"].tolist() == [5, 1, 3, 0, 0, 0, 0, 0, 0, 0]  # 6 − x
    assert cleaned.codes["q1"].dtype == np.int8
    assert cleaned.out_of_range["q1"] == 6  # NaN is missing, not out of range
    pre = clean_codes(floats, item_keys(inst, prereversed=True))
    assert pre.codes["q3"].tolist() == [1, 5, 3, 0, 0, 0, 0, 0, 0, 0]


def test_gaps_in_an_answer_set_are_out_of_range():
    inst = get_instrument("assist")
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    floats = {c: (x, None) for c in inst.item_columns}
    cleaned = clean_codes(floats, item_keys(inst))
    for item in ("q1", "q2", "q5", "q7"):
        allowed = set(inst.allowed[item])
        assert cleaned.answered[f"alcohol_{item}"].tolist() == [v in allowed for v in x]


def test_an_answer_set_that_is_not_small_whole_numbers_is_refused():
    import dataclasses
    from types import MappingProxyType

    inst = get_instrument("urica")
    half = dataclasses.replace(
        inst, allowed=MappingProxyType({**inst.allowed, "q1": (1.0, 1.5, 2.0)})
    )
    with pytest.raises(InstrumentError, match="'q1' must be whole numbers from -128 to 127"):
        score(pd.DataFrame({c: [1.0] for c in inst.item_columns}), half)
