"""Compact in-memory forms of the extracted rows: NIKs and pseudonyms as integers, text as codes.

A run holds every extracted row until its tables are assembled, so what a row costs in memory
decides how large a run fits. Between extraction and writing:

* a NIK (16 digits) is an ``int64`` (its digits read as a number; -1 when there is none): the
  number gives the digits back, leading zeros included, since every NIK has 16;
* a pseudonym (``c`` + 16 hex digits, the first 64 bits of an HMAC) is a ``uint64``, ordered
  as its text; it becomes text again only for writing;
* a text column whose values repeat (codes, facilities, reasons) is a pandas categorical;
  other text (register numbers) is kept as it came.

Nothing here changes a value: the canonical tables are written exactly as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

__all__ = [
    "ANSWERS",
    "NO_ANSWER",
    "NO_NIK",
    "answer_codes",
    "compact_frame",
    "concat_frames",
    "id_text",
    "nik_codes",
    "nik_text",
    "text_values",
]

NO_NIK = -1
_POW10 = 10 ** np.arange(15, -1, -1, dtype=np.int64)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def nik_codes(values) -> np.ndarray:
    """NIKs (16-digit text, or "" / missing for none) as ``int64``; :data:`NO_NIK` for none.

    Already coded values are returned as they are.

    Raises
    ------
    ValueError
        A value is neither empty nor 16 ASCII digits (extraction only passes clean NIKs on).
    """
    if isinstance(values, pd.Series | pd.Index):
        if values.dtype == np.int64:
            return values.to_numpy()
        values = text_values(pd.Series(values))
    arr = np.asarray(values)
    if arr.dtype == np.int64:
        return arr
    arr = arr.astype(object)
    out = np.full(len(arr), NO_NIK, dtype=np.int64)
    has = np.flatnonzero(pd.notna(arr) & (arr != ""))
    if not len(has):
        return out
    try:
        b = arr[has].astype("S17")
    except UnicodeEncodeError:
        raise ValueError("a NIK that is not 16 digits reached assembly") from None
    raw = b.view(np.uint8).reshape(-1, 17)
    d = raw[:, :16].astype(np.int64) - 48
    if b.dtype.itemsize != 17 or (raw[:, 16] != 0).any() or ((d < 0) | (d > 9)).any():
        raise ValueError("a NIK that is not 16 digits reached assembly")
    out[has] = d @ _POW10
    return out


def nik_text(codes: np.ndarray) -> np.ndarray:
    """The NIK text of coded NIKs ("" for :data:`NO_NIK`), as an object array."""
    codes = np.asarray(codes, dtype=np.int64)
    out = np.full(len(codes), "", dtype=object)
    has = codes != NO_NIK
    if has.any():
        d = (codes[has, None] // _POW10) % 10
        txt = (d.astype(np.uint8) + 48).view("S16").ravel()
        out[has] = txt.astype("U16").astype(object)
    return out


def id_text(codes: np.ndarray) -> np.ndarray:
    """Pseudonyms ``c`` + 16 lower-case hex digits of ``uint64`` codes (object array).

    Each distinct pseudonym is one string object, shared by the rows that hold it.
    """
    codes = np.asarray(codes, dtype=np.uint64)
    if not len(codes):
        return np.zeros(0, dtype=object)
    pos, uniq = pd.factorize(codes, sort=False)
    b = np.ascontiguousarray(uniq.astype(">u8")).view(np.uint8).reshape(-1, 8)
    chars = np.empty((len(uniq), 17), dtype=np.uint8)
    chars[:, 0] = ord("c")
    chars[:, 1::2] = _HEX[b >> 4]
    chars[:, 2::2] = _HEX[b & 15]
    text = chars.view("S17").ravel().astype("U17").astype(object)
    return text[pos]


def text_values(col: pd.Series) -> np.ndarray:
    """A column's values as an object array (categorical and Arrow text alike; their missing
    values as None)."""
    if col.dtype != object and pd.api.types.is_string_dtype(col.dtype):
        return col.to_numpy(dtype=object, na_value=None)
    return _as_object(col).to_numpy(dtype=object)


def _compact_column(col: pd.Series) -> pd.Series:
    """A repeating text column as a categorical; anything else unchanged.

    Only a column whose missing values are None is converted (a categorical has one missing
    value, given back as None).
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col
    if not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
        return col
    arr = text_values(col)
    if not len(arr):
        return col
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    if len(uniques) * 2 > len(arr) + 16:
        return col
    if pd.api.types.infer_dtype(uniques, skipna=True) not in ("string", "empty"):
        return col
    if (codes < 0).any() and not all(v is None for v in arr[codes < 0]):
        return col  # missing as NaN (or mixed): kept as it is
    return pd.Series(
        pd.Categorical.from_codes(codes, pd.Index(uniques, dtype=object)),
        index=col.index,
        name=col.name,
    )


def _arrow_text(col: pd.Series) -> pd.Series:
    """Text (None when missing) as Arrow strings: no Python object per row."""
    if col.dtype != object or pd.api.types.infer_dtype(col, skipna=True) not in ("string", "empty"):
        return col
    if col.isna().any() and not all(v is None for v in col[col.isna()]):
        return col
    return col.astype("string[pyarrow]")


#: An answer coded as one byte: its value 0…254, or this for a missing answer.
NO_ANSWER = 255
#: Byte → answer (float32; NaN for :data:`NO_ANSWER`).
ANSWERS = np.append(np.arange(255, dtype=np.float32), np.float32(np.nan))


def answer_codes(v: np.ndarray) -> np.ndarray | None:
    """Answers (floats) as bytes when every one is a whole number 0…254 or missing, so that
    :data:`ANSWERS` gives each back exactly; else None."""
    v = np.asarray(v)
    if v.dtype.kind != "f":
        return None
    nan = np.isnan(v)
    w = np.where(nan, 0, v)
    if not ((w >= 0) & (w <= 254) & (w == np.floor(w)) & ~np.signbit(w)).all():
        return None
    return np.where(nan, NO_ANSWER, w).astype(np.uint8)


def compact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with NIKs coded (``_nik``), answers as bytes (:func:`answer_codes`),
    repeating text columns as categoricals and register numbers as Arrow strings."""
    from rehab_eval.etl.items import is_item

    cols = {}
    for c in frame.columns:
        if c == "_nik":
            cols[c] = nik_codes(frame[c])
        elif is_item(c) and (b := answer_codes(frame[c].to_numpy())) is not None:
            cols[c] = b
        else:
            cols[c] = _compact_column(frame[c])
            if c == "_reg":
                cols[c] = _arrow_text(cols[c])
    return pd.DataFrame(cols, index=frame.index)


def _as_object(col: pd.Series) -> pd.Series:
    """A categorical column back in object form (None where missing); others unchanged."""
    if not isinstance(col.dtype, pd.CategoricalDtype):
        return col
    arr = col.to_numpy(dtype=object)
    arr[col.cat.codes.to_numpy() < 0] = None
    return pd.Series(arr, index=col.index, name=col.name, dtype=object)


def concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(frames, ignore_index=True)``, but a column categorical in every frame stays
    categorical (its categories the union in order of appearance) instead of becoming text."""
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    names: list[str] = []
    for f in frames:
        names += [c for c in f.columns if c not in names]
    cat = [
        c
        for c in names
        if all(c in f.columns and isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames)
    ]
    rest = pd.concat(
        [
            pd.DataFrame({c: _as_object(f[c]) for c in f.columns if c not in cat}, index=f.index)
            for f in frames
        ],
        ignore_index=True,
    )
    for c in cat:
        rest[c] = pd.Series(union_categoricals([f[c] for f in frames], sort_categories=False))
    return rest[names]
