"""Shared checks and the covariate design of the comparison-group estimators."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError, InputError
from rehab_eval.errors import require_columns as _require_columns

__all__: list[str] = []


def as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    _require_columns(
        frame, columns, what, hint="name the treatment, outcome and covariate columns."
    )


def treatment_indicator(frame: pd.DataFrame, treatment: str, what: str) -> np.ndarray:
    """The treatment column as 0/1 int; booleans or 0/1 numbers, both groups present."""
    col = frame[treatment]
    values = pd.to_numeric(col.astype("float64") if col.dtype == bool else col, errors="coerce")
    arr = values.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isin(arr, (0.0, 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{what}: column {treatment!r} row {frame.index[i]!r} has value {col.iloc[i]!r}; "
            "the treatment must be 1/True (programme) or 0/False (comparison)."
        )
    z = arr.astype(np.int64)
    if z.min() == z.max():
        raise InputError(
            f"{what}: column {treatment!r} holds one group only; a comparison needs "
            "participants (1) and non-participants (0)."
        )
    return z


def covariate_design(
    frame: pd.DataFrame, covariates: Sequence[str], what: str, *, drop_first: bool
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Numeric design of the covariates and the terms of each covariate.

    Numeric columns enter as they are; booleans as 0/1; anything else as one 0/1 column
    per level named ``column[level]`` (all levels, or all but the first with
    ``drop_first``). Missing covariate values raise :class:`InputError` naming the row.
    """
    covariates = list(covariates)
    if not covariates:
        raise ConfigError(f"{what}: declare at least one covariate.")
    require(frame, covariates, what)
    miss = frame[covariates].isna()
    if miss.any().any():
        row, col = np.argwhere(miss.to_numpy())[0]
        raise InputError(
            f"{what}: column {covariates[col]!r} row {frame.index[row]!r} is missing; "
            f"{int(miss.any(axis=1).sum())} row(s) lack a covariate. Fill them or drop those "
            "rows before the comparison."
        )
    parts, terms = [], {}
    for c in covariates:
        s = frame[c]
        if pd.api.types.is_bool_dtype(s):
            parts.append(pd.DataFrame({c: s.astype(float).to_numpy()}, index=frame.index))
            terms[c] = [c]
        elif pd.api.types.is_numeric_dtype(s):
            parts.append(pd.DataFrame({c: s.astype(float).to_numpy()}, index=frame.index))
            terms[c] = [c]
        else:
            if isinstance(s.dtype, pd.CategoricalDtype):
                levels = [v for v in s.cat.categories if (s == v).any()]
            else:
                levels = sorted(s.astype(str).unique().tolist())
            values = s.astype(str) if not isinstance(s.dtype, pd.CategoricalDtype) else s
            use = levels[1:] if drop_first else levels
            cols = {f"{c}[{lev}]": (values == lev).to_numpy(dtype=float) for lev in use}
            if len(levels) < 2 and drop_first:
                cols = {}
            parts.append(pd.DataFrame(cols, index=frame.index))
            terms[c] = list(cols)
    return pd.concat(parts, axis=1), terms


def html_table(frame: pd.DataFrame, digits: int = 3) -> str:
    return frame.to_html(index=False, float_format=lambda v: f"{v:.{digits}f}")
