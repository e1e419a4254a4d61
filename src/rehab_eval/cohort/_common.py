"""Helpers shared by the cohort modules: names, dates and column checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

from rehab_eval.errors import InputError

#: Average days in a month (365.25 / 12): program month m covers days [30.4375·(m−1), 30.4375·m).
DAYS_PER_MONTH = 365.25 / 12


def _need(frame: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"table {table!r} lacks column(s) {', '.join(missing)}; "
            "expected the canonical layout of rehab_eval.vocab.TABLES"
        )


def _as_list(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return list(value)


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def _matches(column: pd.Series, wanted: list[str]) -> pd.Series:
    """Whether each value is one of ``wanted``, ignoring case and repeated spaces (each
    distinct value is normalised once)."""
    keys = {_norm(w) for w in wanted}
    values = column.astype("object")
    hits = [v for v in pd.unique(values.dropna()) if _norm(v) in keys]
    return (values.isin(hits) & values.notna()).astype(bool)


def _to_timestamp(value: str | date | datetime | None, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        if isinstance(value, str):
            value = date.fromisoformat(value.strip())
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{name}={value!r} is not a date; give it as YYYY-MM-DD") from exc
    if pd.isna(stamp):
        return None
    return stamp.normalize()
