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

__all__ = [
    "SPACES",
    "arrow_text",
    "blank_rows",
    "distinct",
    "squeeze_upper",
    "is_arrow_text",
    "map_distinct",
    "objects",
    "release_arrow_memory",
]


#: The characters ``str.isspace`` (and ``str.split``, ``str.strip``) take for whitespace, as an
#: RE2 character class body for Arrow's regex kernels (RE2's ``\s`` is ASCII only).
SPACES = "".join(
    f"\\x{{{c:x}}}"
    for c in (
        *range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
        0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
    )
)  # fmt: skip


def is_arrow_text(values: object) -> bool:
    """Whether ``values`` (a Series or array) holds Arrow-backed text."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    return isinstance(dtype, pd.ArrowDtype) and dtype.kind in ("U", "O")


def arrow_text(values):
    """The cells of an Arrow-backed text column as one ``pyarrow.Array`` (chunks joined:
    hashing chunk by chunk would unify a growing dictionary once per chunk)."""
    import pyarrow as pa

    arr = values.array if isinstance(values, pd.Series | pd.Index) else values
    got = arr.__arrow_array__()
    if isinstance(got, pa.ChunkedArray):
        got = got.chunk(0) if got.num_chunks == 1 else got.combine_chunks()
    return got


def distinct(values: pd.Series | pd.Index | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's code (``-1`` where missing) and the distinct values, first seen first.

    The distinct values come back as an object array of the cells' own values (``str`` for
    text), so that a parser sees exactly what ``pandas.factorize`` would have given it.
    """
    if is_arrow_text(values):
        import pyarrow.compute as pc

        arr = arrow_text(values)
        if len(arr) == 0:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=object)
        enc = pc.dictionary_encode(arr)
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


def blank_rows(values: pd.Series) -> np.ndarray | None:
    """Rows whose text is empty or whitespace (``str(v).strip() == ""``, missing included)
    for an Arrow text column, without hashing it: only a cell that is empty or starts with
    whitespace can be blank, and those few are confirmed in Python. None for other columns.
    """
    if not is_arrow_text(values):
        return None
    import pyarrow.compute as pc

    arr = arrow_text(values)
    maybe = pc.or_(
        pc.equal(pc.binary_length(arr), 0), pc.match_substring_regex(arr, f"^[{SPACES}]")
    )
    out = maybe.fill_null(True).to_numpy(zero_copy_only=False).copy()
    idx = np.flatnonzero(out)
    if len(idx):
        out[idx] = [v is None or v.strip() == "" for v in arr.take(idx).to_pylist()]
    return out


def squeeze_upper(values: pd.Series) -> np.ndarray | None:
    """``"".join(str(v).split()).upper()`` of each cell (None where missing) for an Arrow
    text column, in Arrow: whitespace removed by :data:`SPACES`, ASCII upper-cased by Arrow
    (the same as Python for ASCII), any other text by Python. None for other columns."""
    if not is_arrow_text(values):
        return None
    import pyarrow.compute as pc

    squeezed = pc.replace_substring_regex(arrow_text(values), f"[{SPACES}]+", "")
    out = pc.ascii_upper(squeezed).to_numpy(zero_copy_only=False)
    other = np.flatnonzero(
        ~pc.string_is_ascii(squeezed).fill_null(True).to_numpy(zero_copy_only=False)
    )
    if len(other):
        out = out.copy()
        out[other] = [v.upper() for v in squeezed.take(other).to_pylist()]
    return out


def release_arrow_memory() -> None:
    """Give the memory Arrow's allocator keeps after a file's cells are dropped back to the
    system, so that one large file read after another does not add up."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return
    pa.default_memory_pool().release_unused()
