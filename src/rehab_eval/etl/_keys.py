"""Client ids as integers: the pseudonym ``"c" + 16 hex digits`` (:mod:`rehab_eval.etl.identity`)
read as one 64-bit number, so that sets of clients, joins and sorts run on integers rather
than on millions of Python strings.

The key keeps the order of the ids: ``key(a) < key(b)`` exactly when ``a < b`` as strings, and
equal keys mean equal ids (only lower-case hex digits are read, as the ETL writes them). Ids of
any other form (tests, hand-made tables) have no key: :func:`pseudonym_keys` returns None and
the callers take their general path, with the same result.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ClientSet", "client_codes", "pseudonym_keys", "unique_ids"]

_WIDTH = 17  # "c" + 16 hex digits
_DIGITS = b"0123456789abcdef"
_TOP = np.uint64(1 << 63)


def _arrow_strings(values: Any) -> Any:
    """``values`` as one Arrow string array, or None (not strings, or a missing value)."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    elif not isinstance(values, pa.Array):
        array = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else values
        if not isinstance(array, np.ndarray) or array.dtype != object:
            return None
        try:
            values = pa.array(array, type=pa.string(), from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            return None
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return None
    return None if values.null_count else values


def pseudonym_keys(values: Any) -> np.ndarray | None:
    """The int64 keys of client ids (an Arrow string array, a Series, an Index or an object
    array), in the order of the ids; None unless every value is a pseudonym (no missing)."""
    arr = _arrow_strings(values)
    if arr is None:
        return None
    import pyarrow as pa

    n = len(arr)
    wide = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(arr.buffers()[1], dtype=wide)[arr.offset : arr.offset + n + 1]
    if n == 0:
        return np.empty(0, dtype=np.int64)
    first = int(offsets[0])
    if int(offsets[-1]) - first != _WIDTH * n or np.any(np.diff(offsets) != _WIDTH):
        return None
    raw = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[first : first + _WIDTH * n]
    raw = raw.reshape(n, _WIDTH)
    if np.any(raw[:, 0] != ord("c")):
        return None
    digits = raw[:, 1:].tobytes()
    if digits.translate(None, _DIGITS):  # only lower-case hex: one spelling per key
        return None
    keys = np.frombuffer(bytes.fromhex(digits.decode("ascii")), dtype=">u8").astype(np.uint64)
    return (keys ^ _TOP).view(np.int64)  # order kept: the top bit flipped, read as signed


def client_codes(*columns: pd.Series) -> list[np.ndarray]:
    """int64 codes of the client ids in ``columns`` read as strings (``astype(str)``), one
    array per column: equal ids have equal codes, and codes order as the ids do."""
    keys = [pseudonym_keys(c) for c in columns]
    if all(k is not None for k in keys):
        return keys  # type: ignore[return-value]
    strings = [c.astype(str).to_numpy(dtype=object) for c in columns]
    codes, _ = pd.factorize(np.concatenate([np.empty(0, dtype=object), *strings]), sort=True)
    bounds = np.cumsum([0, *(len(s) for s in strings)])
    return [codes[a:b].astype(np.int64) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def unique_ids(values: Any) -> np.ndarray:
    """The distinct client ids among ``values`` (a Series, an Index, an array or a list),
    missing values left out, in the order they first appear (``pd.unique``)."""
    if not isinstance(values, (pd.Series, pd.Index, np.ndarray)):
        values = pd.Series(list(values), dtype="object")
    keys = pseudonym_keys(values)
    if keys is None:
        return pd.Series(values, dtype="object").dropna().unique()
    _, first = np.unique(keys, return_index=True)
    return np.asarray(values, dtype=object)[np.sort(first)]


class ClientSet:
    """A set of client ids asked about many rows at once: the sorted keys when every id is a
    pseudonym, else the ids themselves (Arrow), with the same answers.

    ``ids`` is a pandas Index, an Arrow array or a list; a missing value among them makes a
    missing id a member (the meaning of ``in`` in :func:`rehab_eval.etl.processed.table`)."""

    def __init__(self, ids: Any) -> None:
        self.ids = ids
        keys = pseudonym_keys(ids)
        if keys is not None and len(keys) > 1 and np.any(keys[1:] < keys[:-1]):
            keys = np.sort(keys)
        self.keys = keys
        self._arrow: Any = None

    def _values(self, kind: Any) -> Any:
        import pyarrow as pa

        if self._arrow is None:
            ids = self.ids
            if isinstance(ids, pa.ChunkedArray):
                ids = ids.combine_chunks()
            elif not isinstance(ids, pa.Array):
                ids = ids.to_numpy() if isinstance(ids, (pd.Index, pd.Series)) else list(ids)
                ids = pa.array(ids, from_pandas=True)
            if pa.types.is_dictionary(ids.type):
                ids = ids.cast(ids.type.value_type)
            self._arrow = ids
        return self._arrow if self._arrow.type == kind else self._arrow.cast(kind)

    def contains(self, values: Any) -> np.ndarray:
        """Whether each of ``values`` (an Arrow array of ids) is in the set."""
        import pyarrow as pa
        import pyarrow.compute as pc

        keys = pseudonym_keys(values) if self.keys is not None else None
        if keys is not None:
            if not len(self.keys):
                return np.zeros(len(keys), dtype=bool)
            at = np.searchsorted(self.keys, keys).clip(max=len(self.keys) - 1)
            return self.keys[at] == keys
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        if pa.types.is_null(values.type):
            values = values.cast(pa.string())
        hit = pc.is_in(values, value_set=self._values(values.type))
        return hit.to_numpy(zero_copy_only=False)
