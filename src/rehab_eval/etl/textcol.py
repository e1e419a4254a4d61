"""Text columns of a read sheet, held as Python objects or as Arrow strings.

A delimited file read by pyarrow keeps its cells as Arrow strings (pandas ``string[pyarrow]``):
one buffer per column instead of a Python object per cell. The parsers work on the distinct
values of a column; :func:`distinct` gives them (and each row's code) for either kind of
column without turning every cell into a Python string: Arrow's hash kernel for Arrow
strings, ``pandas.factorize`` otherwise. Both list the distinct values in the order they are
first seen and give ``-1`` to a missing cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["distinct", "is_arrow_text", "map_distinct", "objects"]


def is_arrow_text(values: object) -> bool:
    """Whether ``values`` (a Series or array) holds Arrow-backed text."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    return isinstance(dtype, pd.ArrowDtype) and dtype.kind in ("U", "O")


def distinct(values: pd.Series | pd.Index | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's code (``-1`` where missing) and the distinct values, first seen first.

    The distinct values come back as an object array of the cells' own values (``str`` for
    text), so that a parser sees exactly what ``pandas.factorize`` would have given it.
    """
    if is_arrow_text(values):
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = values.array if isinstance(values, pd.Series | pd.Index) else values
        chunked = arr.__arrow_array__()
        if not isinstance(chunked, pa.ChunkedArray):
            chunked = pa.chunked_array([chunked])
        if chunked.num_chunks == 0 or len(chunked) == 0:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=object)
        enc = pc.dictionary_encode(chunked).combine_chunks()
        codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
        uniques = enc.dictionary.to_numpy(zero_copy_only=False).astype(object, copy=False)
        return codes, uniques
    codes, uniques = pd.factorize(values, sort=False)
    return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object)


def map_distinct(values, fn, fill: object = None, dtype=object) -> np.ndarray:
    """``fn`` applied to each distinct value of ``values`` once; an array per row (``fill``
    where the cell is missing)."""
    codes, uniques = distinct(values)
    mapped = np.array([fn(u) for u in uniques] + [fill], dtype=dtype)
    return mapped[np.where(codes >= 0, codes, len(uniques))]


def objects(values: pd.Series) -> np.ndarray:
    """The cells as an object array (Arrow strings become ``str``; missing stays missing)."""
    if is_arrow_text(values):
        return values.to_numpy(dtype=object, na_value=None)
    return values.to_numpy(dtype=object)
