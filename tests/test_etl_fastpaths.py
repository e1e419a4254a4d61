"""Vectorised fast paths of the ETL agree with the plain definitions they replace."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import warnings

import numpy as np
import pandas as pd
import pytest

from rehab_eval.errors import DataQualityWarning
from rehab_eval.etl.assemble import _sort_key
from rehab_eval.etl.identity import _hmac_sha256, nik_attributes, nik_birth_date, nik_sex
from rehab_eval.etl.schemas import id_digits, validate_table

HEX = list("0123456789abcdef")


def _ids(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.array(["c" + "".join(rng.choice(HEX, 16)) for _ in range(n)], dtype=object)


def test_sort_key_orders_like_the_text():
    ids = _ids(np.random.default_rng(11), 3000)
    ids = np.concatenate([ids, ids[:50], ["c0000000000000000", "cffffffffffffffff"]])
    key = _sort_key(ids)
    assert key.dtype == np.uint64
    assert int(key[-1]) == 2**64 - 1 and int(key[-2]) == 0
    text_order = np.argsort(ids.astype("U17"), kind="stable")
    assert (np.argsort(key, kind="stable") == text_order).all()


@pytest.mark.parametrize(
    "bad",
    [
        "c0123456789abcdeF",  # upper case
        "d0123456789abcdef",  # prefix
        "c0123456789abcde",  # short
        "c0123456789abcdef0",  # long
        "c0123456789abcdeé",  # not ASCII
        "c0123456789abcd\x00f",  # NUL inside
        None,
    ],
)
def test_id_digits_rejects_what_the_schema_rejects(bad):
    good = "c0123456789abcdef"
    assert id_digits(np.array([good], dtype=object)) is not None
    assert id_digits(np.array([good, bad], dtype=object)) is None
    # a malformed id keeps the text sort
    assert _sort_key(np.array([good, bad], dtype=object)).dtype == object


def test_validate_sets_a_failing_value_missing_in_every_row():
    frame = pd.DataFrame(
        {
            "client_id": ["c0123456789abcdef"] * 5,
            "instrument": ["urica", "bogus", "bogus", "urica", "bogus"],
            "timepoint": ["pre", "post", "pre", "xx", "pre"],
            "date": pd.to_datetime(["2024-01-01"] * 5),
            "q1": [1.0, 2.0, np.nan, 3.0, 4.0],
        }
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = validate_table("assessments", frame)
    msgs = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    assert msgs and msgs[0].startswith("assessments: 4 value(s) failed")
    assert out["instrument"].tolist() == ["urica", None, None, "urica", None]
    assert out["timepoint"].tolist() == ["pre", "post", "pre", None, "pre"]
    assert frame["instrument"].tolist()[1] == "bogus"  # input untouched


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"y" * 65, b"z" * 200, "kunci é".encode()])
def test_hmac_with_precomputed_pads_is_hmac(key):
    digest = _hmac_sha256(key)
    for msg in [b"", b"nik:3374014501900001", "reg:Lapas é|12".encode()]:
        assert digest(msg) == hmac.new(key, msg, hashlib.sha256).hexdigest()


def test_nik_attributes_agree_with_the_scalar_functions():
    rng = np.random.default_rng(5)
    niks = ["".join(rng.choice(list("0123456789"), 16)) for _ in range(3000)]
    niks += ["3374014501900001", "3374015501900001", "3374017102250001", "337401450190000"]
    niks += ["33740145019000012", "3374014501900a01", "\uff13374014501900001", "", None]
    as_of = dt.date(2025, 12, 31)
    got = nik_attributes(pd.Series(niks, dtype=object), as_of=as_of)
    for i, nik in enumerate(niks):
        text = "" if nik is None else nik
        ok = len(text) == 16 and text.isascii() and text.isdigit()
        birth = nik_birth_date(text, as_of=as_of) if ok else None
        exp_birth = pd.Timestamp(birth) if birth is not None else pd.NaT
        got_birth = got["birth_date"].iloc[i]
        assert (pd.isna(got_birth) and pd.isna(exp_birth)) or got_birth == exp_birth, nik
        assert got["sex"].iloc[i] == (nik_sex(text) if birth is not None else None), nik


def test_blank_cells_are_those_that_strip_to_nothing():
    from rehab_eval.etl.rows import _blank

    vals = ["", " ", "\t", "a", " a ", "\x00", "\x00\x00", " \x00", "\u3000", "\u200b", "x\x00"]
    vals += ["  ", "\x1c", None, np.nan]
    col = pd.Series(vals * 3, dtype=object)
    expected = [v is None or isinstance(v, float) or str(v).strip() == "" for v in vals * 3]
    assert _blank(col).tolist() == expected
    assert _blank(pd.Series([], dtype=object)).tolist() == []


def _plain_row_kinds(rows: list[list[str]], fields: dict[int, str]):
    """The definitions row_kinds implements, on every row (notes: the rows from the first
    note opener after the last row holding an identifier)."""
    from rehab_eval.etl.read import is_note_label, is_totals_label

    numbering = [p for p, f in fields.items() if f == "numbering"]
    data_cols = [p for p in range(len(rows[0])) if p not in numbering]
    ids = [p for p, f in fields.items() if f in ("nik", "register_no")]
    empty, totals, id_like, opens = [], [], [], []
    for r in rows:
        e = all(not str(r[p]).strip() for p in data_cols)
        no_id = all(not str(r[p]).strip() for p in ids) and not e
        t = no_id and any(is_totals_label(str(r[p])) for p in data_cols[:4] + numbering)
        id_note = any(is_note_label(str(r[p]).strip()) for p in ids)
        id_like.append(
            any(
                any(ch.isdigit() for ch in str(r[p])) and not is_note_label(str(r[p]).strip())
                for p in ids
            )
        )
        first_cols = (numbering + data_cols)[:4]
        opens.append(
            (no_id or id_note)
            and (id_note or any(is_note_label(str(r[p]).strip()) for p in first_cols))
        )
        empty.append(e)
        totals.append(t)
    last_id = max(
        [
            i
            for i, (x, e, t) in enumerate(zip(id_like, empty, totals, strict=True))
            if x and not (e or t)
        ],
        default=-1,
    )
    start = next(
        (i for i in range(last_id + 1, len(rows)) if opens[i] and not (empty[i] or totals[i])),
        len(rows),
    )
    notes = [i >= start and not (empty[i] or totals[i]) for i in range(len(rows))]
    return empty, totals, notes


def test_row_kinds_agree_with_the_row_by_row_definition():
    from rehab_eval.etl.rows import row_kinds

    pool = ["", " ", "Budi", "3374014501900001", "PB.01/2024", "Jumlah", "Keterangan: x",
            "Mengetahui,", "Drs. Pejabat", "NIP. 1970", "Semarang, 1 Mei 2024", "4"]  # fmt: skip
    rng = np.random.default_rng(5)
    fields = {0: "numbering", 1: "nik", 2: "name", 3: "date"}
    for _ in range(200):
        rows = [list(rng.choice(pool, 4)) for _ in range(int(rng.integers(1, 12)))]
        kinds = row_kinds(pd.DataFrame(rows, dtype=object), fields)
        empty, totals, notes = _plain_row_kinds(rows, fields)
        assert kinds.empty.tolist() == empty, rows
        assert kinds.totals.tolist() == totals, rows
        assert kinds.notes.tolist() == notes, rows
