"""Checks shared by the estimators: the duration / event / group columns of a follow-up frame."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError, DataQualityWarning, InputError
from rehab_eval.errors import require_columns as _require_columns
from rehab_eval.recidivism.results import as_table

__all__: list[str] = []


def require_columns(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    """Raise :class:`InputError` naming every column of ``columns`` missing from ``frame``."""
    _require_columns(
        frame,
        columns,
        what,
        hint="pass the names of the duration and event columns (see followup()).",
    )


def durations_events(
    frame: pd.DataFrame, duration: str, event: str, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Durations as float and events as 0/1 int, validated row by row."""
    frame = as_table(frame)
    require_columns(frame, [duration, event], what)
    t = pd.to_numeric(frame[duration], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(t) | (t < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{what}: column {duration!r} row {frame.index[i]!r} has value {frame[duration].iloc[i]!r}; "
            f"{int(bad.sum())} row(s) are missing, negative or not finite. Durations must be "
            "numbers >= 0: drop or fix those rows first."
        )
    e_raw = frame[event]
    e = pd.to_numeric(e_raw.astype("float64") if e_raw.dtype == bool else e_raw, errors="coerce")
    e = e.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isin(e, (0.0, 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{what}: column {event!r} row {frame.index[i]!r} has value {e_raw.iloc[i]!r}; "
            "events must be 0 (censored) or 1 (event), or booleans."
        )
    return t, e.astype(np.int64)


def group_labels(frame: pd.DataFrame, by: str | None, what: str) -> tuple[np.ndarray, list]:
    """Integer group code per row (-1 where ``by`` is missing) and the ordered list of groups.

    Groups are in category order for categoricals, sorted otherwise; ``["all"]`` without
    ``by``. Rows without a group are left out by the callers, with a warning here.
    """
    frame = as_table(frame)
    if by is None:
        return np.zeros(len(frame), dtype=np.int64), ["all"]
    require_columns(frame, [by], what)
    col = frame[by]
    n_missing = int(col.isna().sum())
    if n_missing:
        warnings.warn(
            f"{what}: {n_missing} row(s) have no value in {by!r} and are left out of the "
            "by-group results.",
            DataQualityWarning,
            stacklevel=3,
        )
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy().astype(np.int64)
        present = np.unique(codes[codes >= 0])
        groups = [col.cat.categories[i] for i in present]
        remap = np.full(len(col.cat.categories) + 1, -1, dtype=np.int64)
        remap[present] = np.arange(len(present))
        return remap[codes], groups
    codes, uniques = pd.factorize(col, sort=False)
    values = list(uniques)
    order = sorted(range(len(values)), key=lambda i: (str(type(values[i])), values[i]))
    remap = np.full(len(values) + 1, -1, dtype=np.int64)
    remap[order] = np.arange(len(values))
    return remap[codes], [values[i] for i in order]


def z_value(conf_level: float) -> float:
    """Two-sided normal quantile for a confidence level in (0, 1)."""
    from scipy.stats import norm

    if not 0 < conf_level < 1:
        raise ConfigError(f"conf_level must be between 0 and 1 (e.g. 0.95), got {conf_level!r}.")
    return float(norm.ppf(1 - (1 - conf_level) / 2))
