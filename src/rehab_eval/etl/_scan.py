"""Reading the tables of one ETL output folder: :class:`Snapshot`, and the row filters of
:func:`rehab_eval.etl.processed.table`, with one meaning in pandas and in Arrow.

A filter is a sequence of ``(column, op, value)`` conditions that must all hold. The same
filter is applied to a DataFrame held in memory (:func:`apply_filters`) and pushed into the
Parquet scan of a table on disk (:func:`to_expression`), with the same result: a missing
value fails every comparison, and is ``in`` the values when they hold None; dates compare as
dates.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError
from rehab_eval.etl._keys import ClientSet

Filters = Sequence[tuple[str, str, Any]]

_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
OPS = (*_COMPARE, "in", "not in")
#: A ``client_id`` ``in`` condition on more ids than this is checked as the rows are read.
MANY = 1000


def _check(filters: Filters) -> None:
    for f in filters:
        if len(f) != 3 or f[1] not in OPS:
            raise ConfigError(
                f"filter {f!r} is not (column, op, value) with op one of {', '.join(OPS)}"
            )


def _is_date(value: Any) -> bool:
    return isinstance(value, (date, np.datetime64)) and not pd.isna(value)


class _Same:
    """An array of values in a cache key: equal only to itself (and kept alive by the key)."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj


def _listed(value: Any) -> list:
    """The values of an ``in`` condition as a list (from a list, an array or an Index)."""
    if hasattr(value, "to_pylist"):  # Arrow
        return value.to_pylist()
    return list(value)


def _size(values: Any) -> int:
    try:
        return len(values)
    except TypeError:  # a generator or another iterable without a length
        return 0


def filter_key(filters: Filters) -> tuple:
    """A hashable form of ``filters`` (lists of values become tuples), for caching reads."""
    _check(filters)
    out = []
    for column, op, value in filters:
        if op in ("in", "not in"):
            value = tuple(value) if isinstance(value, (list, tuple, set)) else _Same(value)
        out.append((column, op, value))
    return tuple(out)


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of ``frame`` passing every condition, with a fresh index."""
    _check(filters)
    keep = np.ones(len(frame), dtype=bool)
    for column, op, value in filters:
        s = frame[column]
        if op in ("in", "not in"):
            values = pd.Series(_listed(value), dtype=object)
            known = values[values.notna()]
            hit = s.isin(known).to_numpy(dtype=bool)
            if len(known) < len(values):  # None among the values: a missing value is in
                hit |= s.isna().to_numpy(dtype=bool)
            keep &= hit if op == "in" else ~hit
            continue
        if _is_date(value) or (isinstance(value, str) and pd.api.types.is_datetime64_any_dtype(s)):
            s, value = pd.to_datetime(s, errors="coerce"), pd.Timestamp(value)
        hit = _COMPARE[op](s, value) & s.notna()
        keep &= hit.to_numpy(dtype=bool, na_value=False)
    return frame.loc[keep].reset_index(drop=True)


def to_expression(filters: Filters, schema: Any) -> Any:
    """``filters`` as a :mod:`pyarrow.compute` expression for ``schema`` (None: no filter)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    _check(filters)
    expr = None
    for column, op, value in filters:
        field = pc.field(column)
        kind = schema.field(column).type
        if pa.types.is_dictionary(kind):
            field, kind = field.cast(kind.value_type), kind.value_type
        if op in ("in", "not in") and not isinstance(value, pa.Array):
            value = value.to_numpy() if isinstance(value, pd.Index) else value
            value = value if isinstance(value, np.ndarray) else list(value)
        if pa.types.is_null(kind):  # a column of missing values only (an empty table)
            probe = value if op in ("in", "not in") else [value]
            kind = pa.array(probe, from_pandas=True).type
            field = field.cast(kind)
        if op in ("in", "not in"):
            if isinstance(value, pa.Array):
                values = value if value.type == kind else value.cast(kind)
            else:
                values = pa.array(value, type=kind, from_pandas=True)
            cond = field.isin(values)
            cond = ~cond if op == "not in" else cond
        else:
            if _is_date(value) or (isinstance(value, str) and pa.types.is_timestamp(kind)):
                scalar = pa.scalar(pd.Timestamp(value))
            else:
                scalar = pa.scalar(value, type=kind)
            cond = _COMPARE[op](field, scalar)
        expr = cond if expr is None else expr & cond
    return expr


def to_pandas(table: Any) -> pd.DataFrame:
    """``table`` (Arrow) as :func:`pandas.read_parquet` gives it; the ``client_id`` column,
    one distinct string per client, is made without looking for repeated strings (which
    costs more than making them, where the other text columns gain from it)."""
    if "client_id" not in table.column_names or table.num_rows < MANY:
        return table.to_pandas()
    frame = table.drop_columns(["client_id"]).to_pandas()
    ids = table.select(["client_id"]).to_pandas(deduplicate_objects=False)["client_id"]
    frame.insert(table.column_names.index("client_id"), "client_id", ids)
    return frame


class Snapshot:
    """The table files of one ETL output folder, opened once: reads come from that version
    whatever an ETL or scoring run publishes meanwhile."""

    def __init__(self, folder: Path, names: Sequence[str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.folder = folder
        self.files = {n: pa.OSFile(str(folder / f"{n}.parquet")) for n in names}
        meta = {n: pq.read_metadata(f) for n, f in self.files.items()}
        self.schemas = {n: m.schema.to_arrow_schema() for n, m in meta.items()}
        self.rows = {n: m.num_rows for n, m in meta.items()}
        self._sets: dict[int, ClientSet] = {}

    def columns(self, name: str) -> list[str]:
        return list(self.schemas[name].names)

    def _clients(self, ids: Any) -> ClientSet:
        """``ids`` as a :class:`ClientSet`, made once per selection (a few are kept)."""
        kept = self._sets.get(id(ids))
        if kept is None or kept.ids is not ids:
            kept = ClientSet(ids)
            self._sets = {**dict(list(self._sets.items())[-3:]), id(ids): kept}
        return kept

    def scan(
        self, name: str, columns: Sequence[str] | None, filters: Filters, only: pd.Index | None
    ) -> Any:
        """Table ``name`` in Arrow: ``columns`` (None: all) of the rows passing ``filters``
        (pushed into the scan) and of the clients ``only`` (when given), in file order.

        Sets of clients (``only``, and a ``client_id`` ``in`` condition on many ids) are not
        pushed into the scan, where a condition on a million ids costs more than the read:
        the rows are kept batch by batch as the file is read, the set looked up on integer
        keys when the ids are pseudonyms (:class:`ClientSet`)."""
        import pyarrow as pa
        import pyarrow.dataset as ds

        schema = self.schemas[name]
        wanted = list(schema.names) if columns is None else list(columns)
        sets = [only] if only is not None and "client_id" in schema.names else []
        pushed = []
        for f in filters:
            many = f[0] == "client_id" and f[1] == "in" and _size(f[2]) > MANY
            (sets if many else pushed).append(f[2] if many else f)
        fragment = ds.ParquetFileFormat().make_fragment(self.files[name])
        expr = to_expression(pushed, schema)
        if not sets:
            return fragment.to_table(columns=wanted, filter=expr)
        clients = [self._clients(ids) for ids in sets]
        read = wanted if "client_id" in wanted else [*wanted, "client_id"]
        batches = []
        for batch in fragment.to_batches(columns=read, filter=expr):
            ids = batch.column("client_id")
            keep = np.logical_and.reduce([c.contains(ids) for c in clients])
            batches.append(batch.filter(pa.array(keep)))
        projected = pa.schema([schema.field(c) for c in read], metadata=schema.metadata)
        return pa.Table.from_batches(batches, schema=projected).select(wanted)

    def read(
        self, name: str, columns: Sequence[str] | None, filters: Filters, only: pd.Index | None
    ) -> pd.DataFrame:
        """Table ``name``: ``columns`` (None: all) of the rows passing ``filters`` (and of the
        clients ``only``, when given), as :func:`pandas.read_parquet` gives them."""
        return to_pandas(self.scan(name, columns, filters, only))

    def values(self, name: str, column: str, filters: Filters, only: pd.Index | None) -> Any:
        """``column`` of the rows passing ``filters`` (and of the clients ``only``), in Arrow."""
        col = self.scan(name, [column], filters, only)[column]
        if hasattr(col.type, "value_type"):  # dictionary-encoded
            col = col.cast(col.type.value_type)
        return col.combine_chunks()

    def distinct(
        self, name: str, column: str, filters: Filters, only: pd.Index | None
    ) -> list[Any]:
        """The distinct values of ``column`` in those rows (missing values left out)."""
        import pyarrow.compute as pc

        return pc.unique(self.values(name, column, filters, only).drop_null()).to_pylist()


class LazyTables(Mapping):
    """The tables of a ``Processed`` by name, each read when it is looked up."""

    def __init__(self, data: Any) -> None:
        self._data = data

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._data._names():
            raise KeyError(name)
        return self._data._whole(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data._names())

    def __len__(self) -> int:
        return len(self._data._names())
