"""Which rows under a header hold data: empty rows, totals rows and note rows set apart.

Fast paths work on the distinct values of a column (:func:`~rehab_eval.etl.textcol.distinct`),
so a million rows cost a handful of distinct texts, and an Arrow text column is searched for
blank cells by Arrow's kernels; their equivalence with the plain definitions is tested in
``tests/test_etl_fastpaths.py`` and ``tests/test_etl_delimited.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rehab_eval.etl.read import is_note_label, is_totals_label
from rehab_eval.etl.textcol import blank_rows, distinct, map_distinct

__all__ = ["RowKinds", "row_kinds"]


def _blank(col: pd.Series) -> np.ndarray:
    """Rows whose text is empty or whitespace (``str(v).strip() == ""``)."""
    fast = blank_rows(col)
    if fast is not None:
        return fast
    codes, u = distinct(col)
    # numpy's isspace is str.isspace; its fixed-width text drops trailing NULs, so the few
    # candidates are confirmed one by one
    text = u.astype(str) if len(u) else np.zeros(0, dtype="U1")
    cand = np.flatnonzero((text == "") | np.strings.isspace(text))
    empty = np.zeros(len(u) + 1, dtype=bool)
    empty[cand] = [str(v).strip() == "" for v in u[cand]]
    empty[-1] = True
    return empty[np.where(codes >= 0, codes, len(u))]


def _label(col: pd.Series) -> np.ndarray:
    return map_distinct(col, lambda u: is_totals_label(str(u)), False, bool)


def _note_rows(
    body: pd.DataFrame, cols: list[int], id_cols: list[int], no_id: np.ndarray, empty: np.ndarray
) -> np.ndarray:
    """Note and signature rows under the data (``Keterangan: …``, ``Mengetahui, Kepala …``).

    Notes are a trailing block: among the rows after the last row whose identifier cells hold
    an identifier (a digit, and not a note label such as ``NIP. …``), the first row that opens
    a note (a note label in one of its first columns or typed into the identifier column)
    and every non-empty row after it. Only that tail is looked at, row by row: it is a few
    rows, whatever the size of the sheet.
    """
    n = len(body)
    out = np.zeros(n, dtype=bool)

    def cell(i: int, p: int) -> str:
        v = body.iat[i, p]
        return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()

    tail: list[int] = []
    for i in range(n - 1, -1, -1):
        if empty[i]:
            continue
        ids = [cell(i, p) for p in id_cols]
        if any(any(ch.isdigit() for ch in t) and not is_note_label(t) for t in ids):
            break
        tail.append(i)
    for i in reversed(tail):
        id_note = any(is_note_label(cell(i, p)) for p in id_cols)
        if (no_id[i] or id_note) and (id_note or any(is_note_label(cell(i, p)) for p in cols[:4])):
            out[[j for j in tail if j >= i]] = True
            break
    return out


@dataclass
class RowKinds:
    """Which body rows are empty, a totals row or a note/signature row (all others are data)."""

    empty: np.ndarray
    totals: np.ndarray
    notes: np.ndarray

    @property
    def data(self) -> np.ndarray:
        return ~(self.empty | self.totals | self.notes)


def _all_blank(body: pd.DataFrame, cols: list[int]) -> np.ndarray:
    """Rows blank in every column of ``cols``: narrowed column by column."""
    nrow = len(body)
    idx = np.arange(nrow)
    for p in cols:
        if not len(idx):
            break
        col = body[p]
        idx = idx[_blank(col.iloc[idx] if len(idx) < nrow else col)]
    out = np.zeros(nrow, dtype=bool)
    out[idx] = True
    return out


def row_kinds(body: pd.DataFrame, fields: Mapping[int, str]) -> RowKinds:
    """Sort the body rows: empty, totals (``Jumlah`` … without identifier), notes, data."""
    nrow = len(body)
    numbering = [p for p, f in fields.items() if f == "numbering"]
    data_cols = [p for p in range(body.shape[1]) if p not in numbering]
    empty = _all_blank(body, data_cols) if data_cols else np.ones(nrow, dtype=bool)
    id_pos = [p for p, f in fields.items() if f in ("nik", "register_no")]
    no_id = (_all_blank(body, id_pos) if id_pos else np.ones(nrow, dtype=bool)) & ~empty
    label_any = np.zeros(nrow, dtype=bool)
    cand = np.flatnonzero(no_id)
    for p in data_cols[:4] + numbering:
        if len(cand):
            label_any[cand] |= _label(body[p].iloc[cand])
    totals = label_any & no_id & ~empty
    notes = _note_rows(body, numbering + data_cols, id_pos, no_id & ~totals, empty | totals)
    return RowKinds(empty, totals, notes)
