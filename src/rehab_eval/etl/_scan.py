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
from collections.abc import Sequence
from pathlib import Path
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError

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


def _check(filters: Filters) -> None:
    for f in filters:
        if len(f) != 3 or f[1] not in OPS:
            raise ConfigError(
                f"filter {f!r} is not (column, op, value) with op one of {', '.join(OPS)}"
            )


def _is_date(value: Any) -> bool:
    return isinstance(value, (date, np.datetime64)) and not pd.isna(value)


def filter_key(filters: Filters) -> tuple:
    """A hashable form of ``filters`` (lists of values become tuples), for caching reads."""
    _check(filters)
    out = []
    for column, op, value in filters:
        if op in ("in", "not in"):
            value = tuple(value)
        out.append((column, op, value))
    return tuple(out)


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of ``frame`` passing every condition, with a fresh index."""
    _check(filters)
    keep = np.ones(len(frame), dtype=bool)
    for column, op, value in filters:
        s = frame[column]
        if op in ("in", "not in"):
            values = list(value)
            known = [v for v in values if not pd.isna(v)]
            hit = s.isin(known).to_numpy(dtype=bool)
            if len(known) < len(values):  # None among the values: a missing value is in
                hit |= s.isna().to_numpy(dtype=bool)
            keep &= hit if op == "in" else ~hit
            continue
        if _is_date(value):
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
        if op in ("in", "not in"):
            values = pa.array(list(value), type=kind, from_pandas=True)
            cond = field.isin(values)
            cond = ~cond if op == "not in" else cond
        else:
            if _is_date(value):
                value = pd.Timestamp(value)
            scalar = pa.scalar(value, type=kind) if not _is_date(value) else pa.scalar(value)
            cond = _COMPARE[op](field, scalar)
        expr = cond if expr is None else expr & cond
    return expr


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

    def columns(self, name: str) -> list[str]:
        return list(self.schemas[name].names)

    def _expression(self, name: str, filters: Filters, only: pd.Index | None) -> Any:
        import pyarrow.compute as pc

        expr = to_expression(filters, self.schemas[name])
        if only is not None and "client_id" in self.schemas[name].names:
            among = pc.field("client_id").isin(only.to_numpy())
            expr = among if expr is None else expr & among
        return expr

    def read(
        self, name: str, columns: Sequence[str] | None, filters: Filters, only: pd.Index | None
    ) -> pd.DataFrame:
        """Table ``name``: ``columns`` (None: all) of the rows passing ``filters`` (and of the
        clients ``only``, when given), as :func:`pandas.read_parquet` gives them."""
        return pd.read_parquet(
            self.files[name],
            columns=None if columns is None else list(columns),
            filters=self._expression(name, filters, only),
        )

    def distinct(
        self, name: str, column: str, filters: Filters, only: pd.Index | None
    ) -> list[Any]:
        """The distinct values of ``column`` in those rows (missing values left out)."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        expr = self._expression(name, filters, only)
        col = pq.read_table(self.files[name], columns=[column], filters=expr)[column]
        if hasattr(col.type, "value_type"):  # dictionary-encoded
            col = col.cast(col.type.value_type)
        return pc.unique(col.drop_null()).to_pylist()
