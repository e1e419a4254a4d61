"""The two readers of delimited text (pyarrow, pandas' C parser) give the same cells, and
the text columns' distinct values are the same whether the cells are Arrow or Python text."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab_eval.errors import InputError
from rehab_eval.etl.delimited import _arrow_read, _pandas_read
from rehab_eval.etl.read import read_container
from rehab_eval.etl.textcol import (
    SPACES,
    blank_rows,
    distinct,
    is_arrow_text,
    map_distinct,
    squeeze_upper,
)

ALIASES: dict[str, str] = {}


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    return [[str(v) for v in row] for row in frame.astype(object).itertuples(index=False)]


def _both(blob: bytes, delim: str = ",", encoding: str = "utf-8", width: int | None = None):
    if width is None:
        text = blob.decode(encoding, "replace")
        width = len(next(csv.reader(io.StringIO(text, newline=""), delimiter=delim)))
    return _arrow_read(blob, 0, delim, encoding, width), _pandas_read(blob, 0, delim, encoding)


@pytest.mark.parametrize(
    "blob",
    [
        b'a,b,c\n1,"x""y",3\n',
        b'a,b,c\n1,"x"y,3\n',
        b'a,b,c\n1,x"y"z,3\n',
        b'a,b,c\n1,"dua\nbaris",3\r\n',
        b"a,b,c\r1,2,3\r",
        b"a,b,c\n 1 , 2 ,\n",
        b"a,b,c\n,,\n1,2,3",
        b'a,b,c\n1, "q",3\n1,"q" ,3\n',
        b"a,b,c\n1,NA,null\n2,nan,None\n",
        b"a,b,c\n1,2,3\n\r\n",
        b"a\n1\n\n2\n",
        b"a,b,c\n1,2,3\n\n4,5,6\n",  # a blank line: a row of empty cells in both
    ],
)
def test_arrow_reads_what_pandas_reads(blob):
    arrow, pandas = _both(blob)
    assert arrow is not None
    assert arrow[0] == pandas[0]
    assert is_arrow_text(arrow[1][0])
    assert _cells(arrow[1]) == _cells(pandas[1])


@pytest.mark.parametrize(
    "blob",
    [
        b"a,b,c\n1,2\n3,4,5\n",  # a short record: pandas pads it
        b"a,b,c\n1,2,3\nx\x00y,2,3\n",  # a NUL byte
    ],
)
def test_what_arrow_cannot_take_goes_to_pandas(blob):
    arrow, pandas = _both(blob)
    assert arrow is None
    assert len(pandas[1]) == 2 and pandas[1].notna().all().all()


def test_undefined_cp1252_byte_goes_to_pandas():
    blob = "Nama;Kota\nBudi;Bogor\x81\n".encode("latin-1")
    arrow, pandas = _both(blob, ";", "cp1252")
    assert arrow is None
    assert pandas[1].iloc[0].tolist() == ["Budi", "Bogor\ufffd"]
    ok = "Nama;Kota\nJosé;Bogor\n".encode("cp1252")
    arrow, pandas = _both(ok, ";", "cp1252")
    assert _cells(arrow[1]) == _cells(pandas[1]) == [["José", "Bogor"]]


_CELL = st.text(alphabet=st.sampled_from(list('ab ,;"\n\r\t1\u00a0é')), max_size=6)


@settings(max_examples=400, deadline=None)
@given(
    rows=st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=1, max_size=6),
    delim=st.sampled_from([",", ";", "\t"]),
    width=st.integers(1, 4),
)
def test_readers_agree_on_arbitrary_text(rows, delim, width):
    """Whenever pyarrow takes a text, it gives pandas' cells (a header row of ``width``
    names, then the cells joined with the delimiter and newlines as they come, so that
    quotes, delimiters and line breaks fall anywhere)."""
    header = delim.join(f"h{j}" for j in range(width))
    blob = "\n".join([header, *(delim.join(r) for r in rows)]).encode("utf-8")
    arrow = _arrow_read(blob, 0, delim, "utf-8", width)
    if arrow is None:
        return
    try:
        pandas = _pandas_read(blob, 0, delim, "utf-8")
    except InputError:  # pandas refuses a text pyarrow took: they disagree
        pytest.fail(f"pandas cannot read what pyarrow read: {blob!r}")
    assert arrow[0] == [str(h) for h in pandas[0]]
    assert _cells(arrow[1]) == _cells(pandas[1])


def test_a_csv_export_is_read_into_arrow_strings(tmp_path):
    path = tmp_path / "klien.csv"
    path.write_text(
        "DATA KLIEN\nNo;NIK;Nama\n1;3374011201900001;Budi\n2;3374011201900002;Siti\n",
        encoding="utf-8-sig",
    )
    (t,) = read_container(path, ALIASES)
    assert t.headers == ["No", "NIK", "Nama"] and t.header_row == 2
    assert all(is_arrow_text(t.body[j]) for j in range(3))
    assert t.body.iloc[1].tolist() == ["2", "3374011201900002", "Siti"]
    assert t.source_rows.tolist() == [3, 4]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["", " ", "a", "b ", "é", "\u3000", "A"]), max_size=30))
def test_distinct_values_same_for_arrow_and_python_text(values):
    obj = pd.Series(values, dtype=object)
    arrow = obj.astype("string[pyarrow]")
    c1, u1 = distinct(obj)
    c2, u2 = distinct(arrow)
    assert np.array_equal(c1, c2) and list(u1) == list(u2)
    assert map_distinct(arrow, str.strip).tolist() == [v.strip() for v in values]


def test_spaces_are_pythons_whitespace():
    import re
    import sys

    got = {int(h, 16) for h in re.findall(r"\\x\{([0-9a-f]+)\}", SPACES)}
    assert got == {c for c in range(sys.maxunicode + 1) if chr(c).isspace()}


_TEXT = st.text(alphabet=st.sampled_from(list("aB1 -\t\u3000\u00a0\x1cßﬁé/.")), max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, max_size=25))
def test_arrow_fast_paths_equal_python(values):
    arrow = pd.Series(values, dtype=object).astype("string[pyarrow]")
    assert blank_rows(arrow).tolist() == [v.strip() == "" for v in values]
    assert squeeze_upper(arrow).tolist() == ["".join(v.split()).upper() for v in values]
    assert blank_rows(pd.Series(values, dtype=object)) is None
