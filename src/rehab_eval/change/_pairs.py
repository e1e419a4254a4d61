"""Checking long-by-time scores and turning them into complete pre/post pairs.

Private to :mod:`rehab_eval.change`: every public function checks its input here, so the
messages are the same everywhere.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import pandas as pd

from rehab_eval.errors import (
    ConfigError,
    DataQualityWarning,
    InputError,
    SmallSampleWarning,
    require_columns,
)
from rehab_eval.vocab import timepoint_rank

__all__ = [
    "MIN_PAIRS",
    "as_list",
    "check_columns",
    "check_numeric",
    "check_unique",
    "order_timepoints",
    "pairs",
    "pairs_of",
    "sample_clients",
    "warn_baseline_only",
    "warn_small",
]

#: Scores that are baseline descriptions, not outcomes: URICA Readiness (C + A + M − PC).
BASELINE_ONLY = {"readiness": "the URICA action and maintenance subscales"}

#: Below this many complete pairs a SmallSampleWarning is issued.
MIN_PAIRS = 10


def as_list(value: str | Sequence[str] | None) -> list[str]:
    """A column argument given as one name, a sequence of names or None, as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def sample_clients(clients: pd.Series, size: int, *, seed: int = 0) -> list:
    """A simple random sample of ``size`` distinct clients (numpy ``default_rng(seed)`` over
    the sorted identifiers, so the same clients and seed give the same sample)."""
    import numpy as np

    if size < 1:
        raise ConfigError(f"max_clients must be at least 1, got {size!r}.")
    ids = np.sort(pd.unique(clients.dropna()).astype(str))
    chosen = np.random.default_rng(seed).choice(ids.size, size=min(size, ids.size), replace=False)
    keep = set(ids[np.sort(chosen)])
    return [c for c in pd.unique(clients.dropna()) if str(c) in keep]


def check_columns(frame: pd.DataFrame, columns: Sequence[str], what: str = "scores") -> None:
    """Raise InputError naming every required column that ``frame`` lacks."""
    require_columns(
        frame,
        columns,
        what,
        hint="pass the right names (client=, timepoint=, measures) or score the assessments first.",
    )


def check_numeric(frame: pd.DataFrame, columns: Sequence[str], what: str = "scores") -> None:
    """Raise InputError when a measure column is not numeric (names the first bad value)."""
    for col in columns:
        if pd.api.types.is_bool_dtype(frame[col]) or not pd.api.types.is_numeric_dtype(frame[col]):
            converted = pd.to_numeric(frame[col], errors="coerce")
            bad = frame.index[converted.isna() & frame[col].notna()]
            example = f" e.g. row {bad[0]!r} holds {frame.at[bad[0], col]!r}" if len(bad) else ""
            raise InputError(
                f"{what} column {col!r} must be numeric (dtype {frame[col].dtype}){example}. "
                "Pass score columns, not labels."
            )


def check_unique(frame: pd.DataFrame, keys: Sequence[str], what: str = "scores") -> None:
    """Raise InputError when a client has two rows at the same timepoint (within a group)."""
    dup = frame.duplicated(list(keys), keep=False)
    if dup.any():
        rows = list(frame.index[dup][:4])
        hint = "Keep one assessment per client and timepoint (e.g. the first by date)"
        if "instrument" in frame.columns and frame["instrument"].nunique() > 1:
            codes = sorted(str(c) for c in frame["instrument"].dropna().unique())
            hint = (
                f"The rows hold several instruments {codes}: filter to one first, e.g. "
                f"scores[scores['instrument'] == {codes[-1]!r}]"
            )
        raise InputError(
            f"{what} has {int(dup.sum())} rows sharing the same {list(keys)} "
            f"(rows {rows}...). {hint} before computing change."
        )


def order_timepoints(
    codes: Sequence[str], order: Sequence[str] | dict[str, float] | None
) -> dict[str, float]:
    """Map each timepoint code present to a numeric time.

    ``order=None`` sorts the codes by :func:`rehab_eval.vocab.timepoint_rank` and numbers them
    0, 1, 2, ...; a sequence gives the order explicitly (numbered the same way); a mapping
    gives the numeric time itself (e.g. months since baseline).
    """
    present = list(dict.fromkeys(str(c) for c in codes))
    if order is None:
        unknown = [c for c in present if c not in _known()]
        if unknown:
            raise ConfigError(
                f"timepoint code(s) {unknown} are not canonical codes; pass order=[...] "
                "listing the codes in time order, or a mapping code -> time."
            )
        ranked = sorted(present, key=timepoint_rank)
        return {c: float(i) for i, c in enumerate(ranked)}
    if isinstance(order, dict):
        mapping = {str(k): float(v) for k, v in order.items()}
    else:
        mapping = {str(c): float(i) for i, c in enumerate(order)}
    missing = [c for c in present if c not in mapping]
    if missing:
        raise ConfigError(
            f"timepoint code(s) {missing} appear in the data but not in order={order!r}; "
            "add them, or drop those rows first."
        )
    return {c: mapping[c] for c in sorted(present, key=mapping.__getitem__)}


def _known() -> set[str]:
    from rehab_eval.vocab import TIMEPOINTS

    return set(TIMEPOINTS)


def pairs(
    scores: pd.DataFrame,
    measure: str,
    *,
    client: str,
    timepoint: str,
    pre: str,
    post: str,
    by: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.Series]:
    """Complete pre/post pairs of one measure.

    Returns
    -------
    (pairs, n_excluded)
        ``pairs`` has columns ``*by``, ``id``, ``pre``, ``post`` (one row per client with both
        values, sorted by group and id); ``n_excluded`` counts, per group, the clients that have
        a row at ``pre`` or ``post`` but lack one of the two values.
    """
    found = pairs_of(
        scores, [measure], client=client, timepoint=timepoint, pre=pre, post=post, by=by
    )
    return found[measure]


def pairs_of(
    scores: pd.DataFrame,
    measures: Sequence[str],
    *,
    client: str,
    timepoint: str,
    pre: str,
    post: str,
    by: Sequence[str] = (),
) -> dict[str, tuple[pd.DataFrame, pd.Series]]:
    """:func:`pairs` of several measures, the clients matched once (``{measure: (pairs,
    n_excluded)}``). The rows must be unique per group × client × timepoint
    (:func:`check_unique`)."""
    import numpy as np

    by = list(by)
    times = scores[timepoint].astype("string")
    for code in (pre, post):
        if not (times == code).any():
            seen = sorted(times.dropna().unique().tolist())
            raise InputError(
                f"no row has {timepoint}={code!r}; the timepoints present are {seen}. "
                "Pass pre=/post= with codes that occur in the data."
            )
    if pre == post:
        raise ConfigError(f"pre and post are the same timepoint {pre!r}; pass two different codes.")
    keys = [*by, client]
    rows = times.isin([pre, post]).fillna(False).to_numpy()
    sub = scores.loc[rows, list(dict.fromkeys([*keys, *measures]))]
    at_post = (times[rows] == post).to_numpy(dtype=bool)
    # one code per group × client, numbered in sorted key order (as a pivot's index)
    code = sub.groupby(keys, sort=True, observed=True, dropna=False).ngroup().to_numpy()
    _, first = np.unique(code, return_index=True)
    key_frame = sub[keys].iloc[first].reset_index(drop=True)
    out = {}
    for measure in measures:
        values = sub[measure].to_numpy(dtype=float, na_value=np.nan)
        wide = key_frame.copy()
        for name, at in (("pre", ~at_post), ("post", at_post)):
            column = np.full(first.size, np.nan)
            column[code[at]] = values[at]
            wide[name] = column
        complete = wide["pre"].notna() & wide["post"].notna()
        if by:
            excluded = (~complete).groupby([wide[b] for b in by], observed=True, dropna=False).sum()
        else:
            excluded = pd.Series([int((~complete).sum())], index=pd.Index([None]))
        out[measure] = (wide.loc[complete].reset_index(drop=True), excluded.astype(int))
    return out


def warn_small(n: int, what: str, stacklevel: int = 3) -> None:
    """SmallSampleWarning when a statistic rests on fewer than MIN_PAIRS units."""
    if n < MIN_PAIRS:
        warnings.warn(
            f"{what} rests on {n} complete pair(s) (< {MIN_PAIRS}); p-values and intervals "
            "are fragile at this size. Report n with every estimate and prefer the exact tests.",
            SmallSampleWarning,
            stacklevel=stacklevel,
        )


def warn_baseline_only(measures: Sequence[str]) -> None:
    """DataQualityWarning when a baseline-only score is analysed as change.

    The UMBC Habits Lab advises against URICA Readiness as a pre/post outcome; the project
    reports change on the action and maintenance subscales instead.
    """
    for m in measures:
        if m in BASELINE_ONLY:
            warnings.warn(
                f"{m!r} is a baseline measure (UMBC Habits Lab advises against using it for "
                f"pre/post change); report change on {BASELINE_ONLY[m]} instead.",
                DataQualityWarning,
                stacklevel=3,
            )
