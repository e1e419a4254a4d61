"""Shared behaviour of the result objects returned by the analyses.

An analysis that has more to say than one tidy table returns a frozen dataclass instead of
putting the extra state into the attrs dict of a DataFrame (which pandas drops in
``concat``, ``merge`` and many other operations). Each result has

- ``.table`` -- the tidy DataFrame (its column names are part of the API),
- ``.summary`` -- a small DataFrame: by default one row of the result's scalar fields,
- a short ``repr`` (what it is, n and the key fields; never a matrix dump) and an HTML repr
  for Jupyter.

Subclasses are ``@dataclass(frozen=True, eq=False, repr=False)`` classes that inherit
:class:`Result` and set ``_what`` (a phrase naming the analysis) and ``_key_fields`` (the
fields shown in the repr).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import html
import math
from typing import Any, ClassVar

__all__ = ["Result", "result_html", "result_repr", "to_frame"]

_SCALARS = (str, int, float, bool, _dt.date)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.6g}"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, tuple) and all(isinstance(v, _SCALARS) for v in value):
        return "(" + ", ".join(_short(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _scalar_fields(obj: Any) -> dict[str, Any]:
    """The public fields of a dataclass whose values are scalars (or None)."""
    out = {}
    for f in dataclasses.fields(obj):
        if f.name.startswith("_") or f.name == "table":
            continue
        value = getattr(obj, f.name)
        if value is None or isinstance(value, _SCALARS):
            out[f.name] = value
    return out


def _shape(obj: Any) -> str:
    table = getattr(obj, "table", None)
    shape = getattr(table, "shape", None)
    return "" if shape is None else f"table={shape[0]}×{shape[1]}"


def result_repr(obj: Any, what: str, keys: tuple[str, ...]) -> str:
    """``Name(what: key=value, ..., table=rows×cols)``, one line."""
    parts = [f"{k}={_short(getattr(obj, k))}" for k in keys]
    shape = _shape(obj)
    if shape:
        parts.append(shape)
    return f"{type(obj).__name__}({what}: {', '.join(parts)})"


def result_html(obj: Any, what: str, keys: tuple[str, ...], max_rows: int = 10) -> str:
    """A heading with the key fields, the summary and the head of the table, as HTML."""
    parts = ", ".join(f"{k} = {html.escape(_short(getattr(obj, k)))}" for k in keys)
    out = f"<p><b>{html.escape(type(obj).__name__)}</b> ({html.escape(what)}): {parts}</p>"
    summary = getattr(obj, "summary", None)
    table = getattr(obj, "table", None)
    if summary is not None and summary is not table:
        out += summary.to_html(index=False, max_rows=max_rows)
    if table is not None:
        out += f"<p>table ({len(table)} rows)</p>" + table.to_html(index=False, max_rows=max_rows)
    return out


def to_frame(fields: dict[str, Any]):
    """One-row DataFrame of ``fields``."""
    import pandas as pd

    return pd.DataFrame([fields])


class Result:
    """Mixin for frozen result dataclasses: ``summary``, ``__repr__`` and ``_repr_html_``.

    A subclass declares a ``table`` field (the tidy DataFrame) and overrides ``summary``
    when one row of its scalar fields is not the most useful summary.
    """

    _what: ClassVar[str] = "result"
    _key_fields: ClassVar[tuple[str, ...]] = ()

    @property
    def summary(self):
        """One row: the result's scalar fields (counts, units, settings)."""
        return to_frame(_scalar_fields(self))

    def __repr__(self) -> str:
        return result_repr(self, self._what, self._key_fields)

    def _repr_html_(self) -> str:
        return result_html(self, self._what, self._key_fields)
