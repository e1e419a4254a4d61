"""An assessment table's item columns, left in the sheets' own arrays until the table is
written: concatenating them first would hold every answer twice at the table's peak."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rehab_eval.etl._codes import ANSWERS

__all__ = ["ItemColumns", "is_item", "split_items"]


def is_item(c: str) -> bool:
    """An item column: ``q<k>`` or ``<substance>_q<k>``."""
    return not c.startswith("_") and (
        (c.startswith("q") and c[1:].isdigit()) or ("_q" in c and c.rsplit("_q", 1)[1].isdigit())
    )


class ItemColumns:
    """Item columns of rows numbered across sheets (sheet after sheet), read by row numbers.

    A sheet without an item column gives NaN there, as a concatenation would; answers coded
    as bytes (:func:`rehab_eval.etl._codes.answer_codes`) are read back as float32.
    """

    def __init__(self, parts: list[dict[str, np.ndarray]], lengths: list[int]) -> None:
        self.parts = parts
        self.offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
        names: dict[str, None] = {}
        for p in parts:
            names.update(dict.fromkeys(p))
        self.columns = list(names)
        self._last: tuple[np.ndarray, list] | None = None

    def __contains__(self, c: object) -> bool:
        return c in self.columns

    def _groups(self, rows: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(sheet, positions in ``rows``, rows within the sheet) of each sheet ``rows`` reach;
        remembered for the last ``rows`` (each column of the same rows is read in turn)."""
        if self._last is not None and self._last[0] is rows:
            return self._last[1]
        r = np.asarray(rows, dtype=np.int64)
        sheet = np.searchsorted(self.offsets, r, side="right") - 1
        groups = []
        for k in np.flatnonzero(np.bincount(sheet, minlength=len(self.parts))):
            pos = np.flatnonzero(sheet == k)
            groups.append((int(k), pos, r[pos] - self.offsets[k]))
        self._last = (rows, groups)
        return groups

    def take(self, c: str, rows: np.ndarray) -> np.ndarray:
        """Column ``c`` in ``rows``."""
        dtype = np.result_type(
            *(np.float32 if p[c].dtype == np.uint8 else p[c].dtype for p in self.parts if c in p)
        )
        out = np.full(len(rows), np.nan, dtype=dtype)
        for k, pos, local in self._groups(rows):
            if c in self.parts[k]:
                v = self.parts[k][c][local]
                out[pos] = ANSWERS[v] if v.dtype == np.uint8 else v
        return out

    def frame(self, rows: np.ndarray) -> pd.DataFrame:
        """Every item column in ``rows``."""
        return pd.DataFrame({c: self.take(c, rows) for c in self.columns})


def split_items(frames: list[pd.DataFrame]) -> tuple[list[pd.DataFrame], ItemColumns | None]:
    """The frames without their item columns, and the item columns (None when there are none).

    ``frames`` is emptied as it goes, so that each sheet's frame is released once split.
    """
    if not any(is_item(c) for f in frames for c in f.columns):
        return frames, None
    bases, parts, lengths = [], [], []
    while frames:
        f = frames.pop(0)
        items = [c for c in f.columns if is_item(c)]
        parts.append({c: f[c].to_numpy() for c in items})
        lengths.append(len(f))
        bases.append(f[[c for c in f.columns if not is_item(c)]])
        del f
    return bases, ItemColumns(parts, lengths)
