"""Dates and NIKs read in bulk are read exactly as the one-by-one rules read them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab_eval.etl.fastdates import bulk_dates
from rehab_eval.etl.parse import _MONTHS, parse_date_text, parse_dates

_NUM = st.integers(0, 40).map(str) | st.integers(0, 9).map(lambda n: f"0{n}")
_YEAR = st.sampled_from(
    ["1699", "1700", "1900", "2000", "2024", "2200", "2201", "0000", "24", "99", "31", "30"]
)
_SEP = st.sampled_from(["-", "/", ".", " ", "--", ""])
_WORD = st.sampled_from([*list(_MONTHS)[:12], "JANUARI", "Agust", "Nopember", "Foo", "Mei."])
_TEXT = st.one_of(
    st.builds(lambda y, s1, a, s2, b: f"{y}{s1}{a}{s2}{b}", _YEAR, _SEP, _NUM, _SEP, _NUM),
    st.builds(lambda a, s1, b, s2, y: f"{a}{s1}{b}{s2}{y}", _NUM, _SEP, _NUM, _SEP, _YEAR),
    st.builds(lambda a, s1, w, s2, y: f"{a}{s1}{w}{s2}{y}", _NUM, _SEP, _WORD, _SEP, _YEAR),
    st.text(alphabet=st.sampled_from(list("0123456789-/. abJ٣")), max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(_TEXT, min_size=40, max_size=80, unique=True),
    month_first=st.booleans(),
    pivot=st.sampled_from([0, 26, 30, 99]),
)
def test_bulk_dates_equal_one_by_one(texts, month_first, pivot):
    got, done = bulk_dates(
        np.array(texts, dtype=object), _MONTHS, month_first=month_first, pivot=pivot
    )
    for text, d, ok in zip(texts, got, done, strict=True):
        if ok:
            want = parse_date_text(text, month_first=month_first, pivot=pivot)
            assert want is not None and np.datetime64(want, "ns") == d, text


def test_common_spellings_are_read_in_bulk():
    texts = [f"{d}/11/2024" for d in range(1, 31)] + ["2024-02-29", "24 Januari 2025", "7-Nov-24"]
    got, done = bulk_dates(np.array(texts, dtype=object), _MONTHS, month_first=False, pivot=30)
    assert done.all()
    assert str(got[-1])[:10] == "2024-11-07" and str(got[-2])[:10] == "2025-01-24"
    bad = ["31/11/2024", "2023-02-29", "Kamis 7/11/2024", "45000", "7/13/2024"] + texts
    got, done = bulk_dates(np.array(bad, dtype=object), _MONTHS, month_first=False, pivot=30)
    assert not done[:5].any()


def test_parse_dates_same_with_bulk_reading():
    texts = [f"{d}/{m}/20{y:02d}" for d in (1, 9, 31) for m in (2, 11) for y in (1, 24)]
    texts += ["", " ", "Kamis (7/11/2024)", "30 Februari 2025", "hari ini", "45123"] * 3
    values = pd.Series(texts, dtype=object)
    parsed, bad = parse_dates(values)
    for text, p, b in zip(texts, parsed, bad, strict=True):
        want = parse_date_text(text)
        assert (pd.isna(p) and want is None) or p == pd.Timestamp(want)
        assert b == (want is None and text.strip() != "")
    arrow, arrow_bad = parse_dates(values.astype("string[pyarrow]"))
    assert arrow.equals(parsed) and arrow_bad.equals(bad)


_NIK = st.one_of(
    st.builds(
        lambda head, day, month, yy, tail: f"{head}{day:02d}{month:02d}{yy:02d}{tail}",
        st.sampled_from(["337401", "160515", "000000"]),
        st.integers(0, 72),
        st.integers(0, 13),
        st.integers(0, 99),
        st.sampled_from(["0001", "9999", "001", "00011"]),
    ),
    st.sampled_from(
        ["", " ", "3.37401E+15", "3374010000000000.0", "'3374011201900001", "33 74 01"]
    ),
    st.text(alphabet=st.sampled_from(list("0123456789 .-'٣")), max_size=18),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_NIK, max_size=40))
def test_nik_column_checked_in_bulk_as_check_niks(values):
    from rehab_eval.etl.identity import check_niks
    from rehab_eval.etl.sheet_ids import check_nik_column

    want_clean, want_problem = check_niks(pd.Series(values, dtype=object))
    for col in (pd.Series(values, dtype=object), pd.Series(values, dtype="string[pyarrow]")):
        clean, problem = check_nik_column(col)
        assert clean.tolist() == want_clean.tolist()
        assert problem.tolist() == want_problem.tolist()
