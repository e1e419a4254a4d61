"""Table 1: the cohort's characteristics at baseline (:func:`table_one`).

References
----------
Hayes-Larson E, Kezios KL, Mooney SJ, Lovasi G. Who is in this study, anyway? Guidelines for a
useful Table 1. *J Clin Epidemiol* 2019;114:125-132.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.cohort._common import _need, _to_timestamp
from rehab_eval.errors import InputError
from rehab_eval.etl.processed import table

__all__ = ["table_one"]


def _fmt(x: float, decimals: int, lang: str) -> str:
    from rehab_eval.i18n import format_number

    return format_number(x, decimals, lang)


def _small(n: int, min_cell: int | None) -> bool:
    return min_cell is not None and 0 < n < min_cell


def _baseline(data: Any, as_of: str | date | None) -> pd.DataFrame:
    """One row per cohort client: client attributes plus those of the first enrollment."""
    enrollments = table(data, "enrollments")
    clients = table(data, "clients", required=False)
    _need(enrollments, "enrollments", ["client_id"])
    first = enrollments
    if "start_date" in first.columns:
        first = first.sort_values("start_date", kind="stable", na_position="last")
    first = first.drop_duplicates("client_id")
    base = first.merge(
        clients.drop_duplicates("client_id"),
        on="client_id",
        how="left",
        suffixes=("", "_client"),
    )
    ref = _to_timestamp(as_of, "as_of")
    if "birth_date" in base.columns and (ref is not None or "start_date" in base.columns):
        when = (
            pd.Series(ref, index=base.index)
            if ref is not None
            else pd.to_datetime(base["start_date"])
        )
        born = pd.to_datetime(base["birth_date"])
        base = base.assign(age=(when - born).dt.days / 365.25)
    return base


_DEFAULT_VARIABLES = {
    "age": "continuous",
    "sex": "categorical",
    "level": "categorical",
    "program": "categorical",
    "status": "categorical",
    "prior_offences": "continuous",
}


def table_one(
    data: Any,
    *,
    variables: Mapping[str, str] | Sequence[str] | None = None,
    by: str | None = None,
    as_of: str | date | None = None,
    decimals: int = 1,
    lang: str = "id",
    min_cell: int | None = None,
) -> pd.DataFrame:
    """Table 1: the cohort's characteristics at baseline.

    One row per client (client attributes joined to the client's first enrollment in ``data``);
    ``age`` is age in years (days / 365.25) at the enrollment's start (or at ``as_of``).

    Parameters
    ----------
    data
        Canonical tables, usually restricted with :func:`select`.
    variables
        Mapping of column → ``"categorical"`` or ``"continuous"``, or a list of columns (kind
        inferred: numeric → continuous). Default: age, sex, level, program, status and
        prior_offences, those present.
    by
        Optional column to stratify by (e.g. ``"program"``); adds a ``group`` column.
    decimals, lang
        Rounding and number format of the ``display`` column (``id``: decimal comma).
    min_cell
        When given, the ``display`` column follows :func:`rehab_eval.privacy.suppress`: counts
        ``1 … min_cell−1`` are shown as ``<min_cell`` with no percent, and further levels of
        the same variable are shown as ``x`` (complementary suppression) where a hidden count
        could otherwise be recovered from the number of clients (levels + missing add up to it).
        Numeric columns are never rounded or suppressed.

    Returns
    -------
    DataFrame with columns

    - ``group`` (only with ``by``): the stratum;
    - ``variable``: the column summarised;
    - ``level``: the category (categorical rows), else ``None``;
    - ``statistic``: ``n_pct`` (a category), ``mean_sd``, ``median_iqr`` (continuous) or
      ``missing``;
    - ``n``: clients in the category (``n_pct``), with a value (``mean_sd``, ``median_iqr``) or
      without one (``missing``);
    - ``percent``: 100 · n / clients with a value of the variable (valid percent, as SPSS);
    - ``mean``, ``sd`` (n − 1 denominator), ``median``, ``q1``, ``q3`` (linear interpolation,
      type 7 as R's default ``quantile``);
    - ``suppressed``: True where ``display`` hides a small count;
    - ``display``: ``n (%)``, ``mean (SD)``, ``median [Q1–Q3]`` or the missing count.
    """
    base = _baseline(data, as_of)
    if variables is None:
        spec = {k: v for k, v in _DEFAULT_VARIABLES.items() if k in base.columns}
    elif isinstance(variables, Mapping):
        spec = dict(variables)
    else:
        spec = {
            v: "continuous" if v in base.columns and _is_numeric(base[v]) else "categorical"
            for v in variables
        }
    for name, kind in spec.items():
        if name not in base.columns:
            raise InputError(f"table_one: no column {name!r} in the cohort's clients/enrollments")
        if kind not in ("categorical", "continuous"):
            raise InputError(
                f"table_one: variable {name!r} has kind {kind!r}; use 'categorical' or 'continuous'"
            )
    if by is not None and by not in base.columns:
        raise InputError(f"table_one: no column {by!r} to stratify by")
    groups = (
        [(None, base)]
        if by is None
        else [(g, part) for g, part in base.groupby(base[by].astype("object"), sort=True)]
    )
    rows: list[dict[str, Any]] = []
    for group, part in groups:
        for name, kind in spec.items():
            block = (
                _continuous_rows(part[name], decimals, lang, min_cell)
                if kind == "continuous"
                else _categorical_rows(part[name], lang, min_cell)
            )
            for row in block:
                row["variable"] = name
                if by is not None:
                    row["group"] = group
                rows.append(row)
    columns = [
        "variable",
        "level",
        "statistic",
        "n",
        "percent",
        "mean",
        "sd",
        "median",
        "q1",
        "q3",
        "suppressed",
        "display",
    ]
    if by is not None:
        columns = ["group", *columns]
    out = pd.DataFrame(rows, columns=columns)
    out["n"] = out["n"].astype("int64")
    out["suppressed"] = out["suppressed"].astype(bool)
    for col in ("percent", "mean", "sd", "median", "q1", "q3"):
        out[col] = out[col].astype("float64")
    return out


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _nan_row(**kw: Any) -> dict[str, Any]:
    row = dict.fromkeys(("percent", "mean", "sd", "median", "q1", "q3"), np.nan)
    row.update(level=None, suppressed=False)
    row.update(kw)
    return row


def _continuous_rows(
    values: pd.Series, decimals: int, lang: str, min_cell: int | None
) -> list[dict[str, Any]]:
    x = pd.to_numeric(values, errors="coerce").astype("float64").dropna().to_numpy()
    n, missing = len(x), int(values.isna().sum() + (len(values) - values.isna().sum() - len(x)))
    mean = float(np.mean(x)) if n else np.nan
    sd = float(np.std(x, ddof=1)) if n > 1 else np.nan
    med, q1, q3 = (float(v) for v in np.quantile(x, [0.5, 0.25, 0.75])) if n else (np.nan,) * 3
    d = decimals
    return [
        _nan_row(
            statistic="mean_sd",
            n=n,
            mean=mean,
            sd=sd,
            display=f"{_fmt(mean, d, lang)} ({_fmt(sd, d, lang)})",
        ),
        _nan_row(
            statistic="median_iqr",
            n=n,
            median=med,
            q1=q1,
            q3=q3,
            display=f"{_fmt(med, d, lang)} [{_fmt(q1, d, lang)}–{_fmt(q3, d, lang)}]",
        ),
        _nan_row(
            statistic="missing",
            n=missing,
            suppressed=_small(missing, min_cell),
            display=f"<{min_cell}" if _small(missing, min_cell) else str(missing),
        ),
    ]


def _categorical_rows(values: pd.Series, lang: str, min_cell: int | None) -> list[dict[str, Any]]:
    from rehab_eval.privacy import PRIMARY, SHOWN, suppression_status, threshold_mark

    obj = values.astype("object")
    present = obj[obj.notna()]
    counts = present.value_counts(sort=False)
    if isinstance(values.dtype, pd.CategoricalDtype):
        order = [c for c in values.cat.categories if c in counts.index]
    else:
        order = sorted(counts.index, key=str)
    valid = int(len(present))
    missing = int(obj.isna().sum())
    ns = [int(counts[lvl]) for lvl in order] + [missing]
    # the levels and the missing count add up to the published number of clients
    status = suppression_status(pd.DataFrame({"n": ns}), ["n"], min_cell=min_cell, total="column")[
        "n"
    ].tolist()
    marks = {PRIMARY: threshold_mark(min_cell)}
    rows = []
    for i, (lvl, n, state) in enumerate(zip([*order, None], ns, status, strict=True)):
        is_missing = i == len(order)
        pct = 100.0 * n / valid if valid and not is_missing else np.nan
        if state != SHOWN:
            shown = marks.get(state, "x")
        elif is_missing:
            shown = str(n)
        else:
            shown = f"{n} ({_fmt(pct, 1, lang)}%)"
        rows.append(
            _nan_row(
                level=None if is_missing else lvl,
                statistic="missing" if is_missing else "n_pct",
                n=n,
                percent=pct,
                suppressed=state != SHOWN,
                display=shown,
            )
        )
    return rows
