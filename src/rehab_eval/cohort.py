"""Cohort selection, flow counts, Table 1, program dosage, urine positivity and reach.

Pure functions over the canonical tables (:data:`rehab_eval.vocab.TABLES`), as returned by
:func:`rehab_eval.load_processed`: a mapping of table name to DataFrame, or an object (such as a
dataclass) with one DataFrame attribute per table. :func:`select` returns the same kind of object;
every other function returns a new tidy DataFrame and never changes its input.

A *cohort* is a set of enrollments (program episodes) chosen by program, facility, cohort label
and start date; its clients are the clients of those enrollments. Counts here are raw: disclosure
control (``<5``) is applied where numbers are published (:mod:`rehab_eval.privacy`), except in the
``display`` column of :func:`table_one` when ``min_cell`` is given.

References
----------
Hayes-Larson E, Kezios KL, Mooney SJ, Lovasi G. Who is in this study, anyway? Guidelines for a
useful Table 1. *J Clin Epidemiol* 2019;114:125-132.

Wilson EB. Probable inference, the law of succession, and statistical inference. *J Am Stat
Assoc* 1927;22:209-212.

Schulz KF, Altman DG, Moher D, for the CONSORT Group. CONSORT 2010 statement. *BMJ*
2010;340:c332 (participant flow).
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError, InputError
from rehab_eval.intervals import wilson_interval
from rehab_eval.vocab import CONTACT_KINDS, TABLES

__all__ = [
    "FLOW_STEPS",
    "dosage",
    "flow",
    "reach",
    "select",
    "table_one",
    "urine_positivity",
    "wilson_interval",
]

FLOW_STEPS = ("enrolled", "assessed_pre", "assessed_post", "completed")

#: Average days in a month (365.25 / 12): program month m covers days [30.4375·(m−1), 30.4375·m).
DAYS_PER_MONTH = 365.25 / 12


# --------------------------------------------------------------------------- table access


def _tables(data: Any) -> dict[str, pd.DataFrame]:
    """The DataFrames held by ``data`` (a mapping or an object with table attributes)."""
    if isinstance(data, Mapping):
        return {k: v for k, v in data.items() if isinstance(v, pd.DataFrame)}
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        names = [f.name for f in dataclasses.fields(data)]
    else:
        names = [*TABLES, "scores"]
    out = {}
    for name in names:
        value = getattr(data, name, None)
        if isinstance(value, pd.DataFrame):
            out[name] = value
    return out


def _rebuild(data: Any, tables: Mapping[str, pd.DataFrame]) -> Any:
    """A new object of the kind of ``data`` holding ``tables`` instead of its own frames."""
    if isinstance(data, Mapping):
        merged = {**dict(data), **tables}
        try:
            return type(data)(merged)
        except TypeError:
            return merged
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        return dataclasses.replace(data, **tables)
    clone = copy.copy(data)
    for name, frame in tables.items():
        setattr(clone, name, frame)
    return clone


def _table(data: Any, name: str, *, required: bool = True) -> pd.DataFrame:
    tables = _tables(data)
    if name in tables:
        return tables[name]
    if required:
        raise InputError(
            f"the processed data have no {name!r} table (found: {', '.join(sorted(tables)) or 'none'});"
            " run `rehab-eval etl` first or pass the tables returned by rehab_eval.load_processed"
        )
    columns = TABLES.get(name, {"client_id": "string"})
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


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
    keys = {_norm(w) for w in wanted}
    return column.map(lambda v: pd.notna(v) and _norm(v) in keys).astype(bool)


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


# --------------------------------------------------------------------------- selection


def select(
    data: Any,
    *,
    program: str | Sequence[str] | None = None,
    facility: str | Sequence[str] | None = None,
    cohort: str | Sequence[str] | None = None,
    period_start: str | date | None = None,
    period_end: str | date | None = None,
    province: str | Sequence[str] | None = None,
) -> Any:
    """Restrict the processed tables to one cohort.

    Parameters
    ----------
    data
        The canonical tables (mapping or object with table attributes).
    program, facility, cohort, province
        A code / name or a list of them; ``None`` keeps all. Facility, cohort and province names
        are matched ignoring case and repeated spaces. ``facility`` is matched against the
        enrollment's facility (the client's facility when the enrollment has none);
        ``province`` against the client's province.
    period_start, period_end
        Keep enrollments whose ``start_date`` falls within ``[period_start, period_end]``
        (inclusive; either may be ``None``). Strings are ISO dates.

    Returns
    -------
    The same kind of object as ``data``: ``enrollments`` holds the matching enrollments, and
    every other table that has a ``client_id`` column (clients, assessments, contacts,
    urine_tests, events, scores) only the rows of the cohort's clients. Tables without
    ``client_id`` (rejects) are passed through unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> tables = {
    ...     "clients": pd.DataFrame({"client_id": ["a", "b"], "facility": ["X", "Y"]}),
    ...     "enrollments": pd.DataFrame({
    ...         "client_id": ["a", "b"], "program": ["ibm", "ibm"], "facility": ["X", "Y"],
    ...         "start_date": pd.to_datetime(["2024-02-01", "2025-02-01"])}),
    ... }
    >>> sorted(select(tables, period_start="2025-01-01")["clients"]["client_id"])
    ['b']
    """
    tables = _tables(data)
    enrollments = _table(data, "enrollments")
    _need(enrollments, "enrollments", ["client_id"])
    clients = tables.get("clients")
    keep = pd.Series(True, index=enrollments.index)

    wanted = _as_list(program)
    if wanted is not None:
        _need(enrollments, "enrollments", ["program"])
        keep &= enrollments["program"].astype("object").isin(wanted)
    wanted = _as_list(cohort)
    if wanted is not None:
        _need(enrollments, "enrollments", ["cohort"])
        keep &= _matches(enrollments["cohort"], wanted)
    wanted = _as_list(facility)
    if wanted is not None:
        place = (
            enrollments["facility"]
            if "facility" in enrollments.columns
            else pd.Series(pd.NA, index=enrollments.index, dtype="object")
        )
        if clients is not None and "facility" in clients.columns:
            fallback = enrollments["client_id"].map(
                clients.drop_duplicates("client_id").set_index("client_id")["facility"]
            )
            place = place.astype("object").where(place.notna(), fallback)
        keep &= _matches(place, wanted)
    wanted = _as_list(province)
    if wanted is not None:
        if clients is None or "province" not in clients.columns:
            raise InputError(
                "selecting by province needs the clients table with a 'province' column"
            )
        prov = enrollments["client_id"].map(
            clients.drop_duplicates("client_id").set_index("client_id")["province"]
        )
        keep &= _matches(prov, wanted)
    start = _to_timestamp(period_start, "period_start")
    end = _to_timestamp(period_end, "period_end")
    if start is not None and end is not None and end < start:
        raise InputError(f"period_end {end.date()} is before period_start {start.date()}")
    if start is not None or end is not None:
        _need(enrollments, "enrollments", ["start_date"])
        started = pd.to_datetime(enrollments["start_date"])
        if start is not None:
            keep &= started >= start
        if end is not None:
            keep &= started <= end

    chosen = enrollments.loc[keep.to_numpy()].reset_index(drop=True)
    ids = set(chosen["client_id"].dropna())
    out: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        if name == "enrollments":
            out[name] = chosen
        elif "client_id" in frame.columns:
            out[name] = frame.loc[frame["client_id"].isin(ids).to_numpy()].reset_index(drop=True)
        else:
            out[name] = frame
    return _rebuild(data, out)


# --------------------------------------------------------------------------- flow


def flow(
    data: Any,
    *,
    instrument: str | None = "whoqol_bref",
    pre: str = "pre",
    post: str = "post",
) -> pd.DataFrame:
    """Participant flow: enrolled → assessed before → assessed after → completed.

    Parameters
    ----------
    data
        Canonical tables, usually already restricted with :func:`select`.
    instrument
        Count an assessment of this instrument only (``None``: any instrument).
    pre, post
        The timepoint codes that count as "before" and "after" (e.g. ``"m1"`` / ``"m6"`` for a
        program measured at months 1 and 6).

    Returns
    -------
    DataFrame with one row per step, in the order of :data:`FLOW_STEPS`:

    - ``step``: ``enrolled``, ``assessed_pre``, ``assessed_post``, ``completed``;
    - ``n``: distinct clients at that step;
    - ``share``: ``n`` / enrolled (NaN when nobody is enrolled).

    Notes
    -----
    The steps are nested, as in a CONSORT flow diagram: *enrolled* = clients with an enrollment;
    *assessed_pre* = enrolled clients with a ``pre`` assessment; *assessed_post* = of those, the
    ones with a ``post`` assessment too (the clients a paired pre/post analysis can use);
    *completed* = enrolled clients with an enrollment of status ``completed`` (whether assessed
    or not).
    """
    enrollments = _table(data, "enrollments")
    assessments = _table(data, "assessments", required=False)
    _need(enrollments, "enrollments", ["client_id"])
    enrolled = set(enrollments["client_id"].dropna())
    if len(assessments) and instrument is not None:
        _need(assessments, "assessments", ["client_id", "instrument", "timepoint"])
        assessments = assessments.loc[
            (assessments["instrument"].astype("object") == instrument).to_numpy()
        ]
    if len(assessments):
        _need(assessments, "assessments", ["client_id", "timepoint"])
        tp = assessments["timepoint"].astype("object")
        had_pre = set(assessments.loc[(tp == pre).to_numpy(), "client_id"]) & enrolled
        had_post = set(assessments.loc[(tp == post).to_numpy(), "client_id"]) & had_pre
    else:
        had_pre, had_post = set(), set()
    if "status" in enrollments.columns:
        done = enrollments["status"].astype("object") == "completed"
        completed = set(enrollments.loc[done.to_numpy(), "client_id"].dropna())
    else:
        completed = set()
    counts = [len(enrolled), len(had_pre), len(had_post), len(completed)]
    base = counts[0]
    return pd.DataFrame(
        {
            "step": list(FLOW_STEPS),
            "n": pd.array(counts, dtype="int64"),
            "share": [c / base if base else np.nan for c in counts],
        }
    )


# --------------------------------------------------------------------------- table one


def _fmt(x: float, decimals: int, lang: str) -> str:
    from rehab_eval.i18n import format_number

    return format_number(x, decimals, lang)


def _small(n: int, min_cell: int | None) -> bool:
    return min_cell is not None and 0 < n < min_cell


def _baseline(data: Any, as_of: str | date | None) -> pd.DataFrame:
    """One row per cohort client: client attributes plus those of the first enrollment."""
    enrollments = _table(data, "enrollments")
    clients = _table(data, "clients", required=False)
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


# --------------------------------------------------------------------------- dosage


def _describe(values: np.ndarray) -> dict[str, float]:
    n = len(values)
    if n == 0:
        return dict.fromkeys(("mean", "sd", "median", "q1", "q3", "min", "max"), np.nan)
    q1, med, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    return {
        "mean": float(np.mean(values)),
        "sd": float(np.std(values, ddof=1)) if n > 1 else np.nan,
        "median": float(med),
        "q1": float(q1),
        "q3": float(q3),
        "min": float(np.min(values)),
        "max": float(np.max(values)),
    }


def dosage(
    data: Any,
    *,
    kinds: Sequence[str] | None = None,
    include_urine: bool = True,
) -> pd.DataFrame:
    """Attendance and dosage: per-client counts of each contact kind, summarised.

    Every client with an enrollment in ``data`` counts, with zero for kinds they never had.

    Parameters
    ----------
    data
        Canonical tables, usually restricted with :func:`select`.
    kinds
        Contact kinds to report (default: those of :data:`rehab_eval.vocab.CONTACT_KINDS` seen in
        the data, in that order).
    include_urine
        Add a ``urine_test`` row from the ``urine_tests`` table (a test counts as scheduled; as
        attended unless its result is ``refused``).

    Returns
    -------
    DataFrame with one row per kind:

    - ``kind``: contact kind code (``home_visit``, ``group``, ``counselling``, ``other``,
      ``urine_test``);
    - ``n_clients``: clients in the cohort (the denominator);
    - ``n_clients_any``: clients who attended at least one contact of this kind;
    - ``n_scheduled``, ``n_attended``: contacts recorded and attended (``attended`` missing counts
      as not attended);
    - ``attendance_rate``: ``n_attended / n_scheduled``;
    - ``mean``, ``sd``, ``median``, ``q1``, ``q3``, ``min``, ``max``: of the number of attended
      contacts per client (zeros included).
    """
    enrollments = _table(data, "enrollments")
    ids = pd.Index(sorted(set(enrollments["client_id"].dropna())), name="client_id")
    contacts = _table(data, "contacts", required=False)
    parts = []
    if len(contacts):
        _need(contacts, "contacts", ["client_id", "kind"])
        attended = (
            contacts["attended"].astype("boolean").fillna(False).astype(bool)
            if "attended" in contacts.columns
            else pd.Series(True, index=contacts.index)
        )
        parts.append(
            pd.DataFrame(
                {
                    "client_id": contacts["client_id"].to_numpy(),
                    "kind": contacts["kind"].astype("object").to_numpy(),
                    "attended": attended.to_numpy(),
                }
            )
        )
    if kinds is None:
        seen = set(parts[0]["kind"]) if parts else set()
        kinds = [k for k in CONTACT_KINDS if k in seen] + sorted(
            str(k) for k in seen - set(CONTACT_KINDS) if pd.notna(k)
        )
    else:
        kinds = list(kinds)
    urine = _table(data, "urine_tests", required=False)
    if include_urine:
        if len(urine):
            _need(urine, "urine_tests", ["client_id"])
            done = (
                urine["result"].astype("object") != "refused"
                if "result" in urine.columns
                else pd.Series(True, index=urine.index)
            )
            parts.append(
                pd.DataFrame(
                    {
                        "client_id": urine["client_id"].to_numpy(),
                        "kind": "urine_test",
                        "attended": done.to_numpy(dtype=bool),
                    }
                )
            )
        kinds = [*kinds, "urine_test"]
    records = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({"client_id": [], "kind": [], "attended": []})
    )
    records = records.loc[records["client_id"].isin(ids).to_numpy()]
    rows = []
    for kind in kinds:
        part = records.loc[(records["kind"] == kind).to_numpy()]
        per_client = (
            part.loc[part["attended"].to_numpy(dtype=bool)]
            .groupby("client_id")
            .size()
            .reindex(ids, fill_value=0)
        )
        n_sched, n_att = len(part), int(part["attended"].sum())
        rows.append(
            {
                "kind": kind,
                "n_clients": len(ids),
                "n_clients_any": int((per_client > 0).sum()),
                "n_scheduled": n_sched,
                "n_attended": n_att,
                "attendance_rate": n_att / n_sched if n_sched else np.nan,
                **_describe(per_client.to_numpy(dtype=float)),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "kind",
            "n_clients",
            "n_clients_any",
            "n_scheduled",
            "n_attended",
            "attendance_rate",
            "mean",
            "sd",
            "median",
            "q1",
            "q3",
            "min",
            "max",
        ],
    )
    for col in ("n_clients", "n_clients_any", "n_scheduled", "n_attended"):
        out[col] = out[col].astype("int64")
    return out


# --------------------------------------------------------------------------- urine positivity


def urine_positivity(
    data: Any,
    *,
    refused_as_positive: bool = False,
    max_month: int | None = None,
) -> pd.DataFrame:
    """Share of positive urine tests by program month, with Wilson 95 % intervals.

    A test's program month is ``floor(days since the start of the client's enrollment /
    30.4375) + 1`` (month 1 = the first 30.44 days), using the latest enrollment that started on
    or before the test. Tests before any enrollment start are left out.

    Parameters
    ----------
    data
        Canonical tables, usually restricted with :func:`select`.
    refused_as_positive
        Count a refused test as positive (a common program rule); by default refused and invalid
        tests are left out of the denominator.
    max_month
        Drop tests after this program month.

    Returns
    -------
    DataFrame with one row per program month that has tests:

    - ``month``: program month (1, 2, …);
    - ``n_tests``: tests with a usable result;
    - ``n_positive``: positive tests (and refused ones with ``refused_as_positive``);
    - ``n_clients``: distinct clients tested that month;
    - ``share``: ``n_positive / n_tests``;
    - ``ci_low``, ``ci_high``: Wilson 95 % interval of the share (tests treated as
      independent; clients tested twice in a month make it somewhat narrow).
    """
    columns = ["month", "n_tests", "n_positive", "n_clients", "share", "ci_low", "ci_high"]
    urine = _table(data, "urine_tests", required=False)
    enrollments = _table(data, "enrollments")
    if not len(urine):
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}).astype(
            {"month": "int64", "n_tests": "int64", "n_positive": "int64", "n_clients": "int64"}
        )
    _need(urine, "urine_tests", ["client_id", "date", "result"])
    _need(enrollments, "enrollments", ["client_id", "start_date"])
    result = urine["result"].astype("object")
    usable = ["negative", "positive", *(["refused"] if refused_as_positive else [])]
    tests = pd.DataFrame(
        {
            "client_id": urine["client_id"].astype("object").to_numpy(),
            "date": pd.to_datetime(urine["date"]).astype("datetime64[ns]").to_numpy(),
            "positive": result.isin(
                ["positive", "refused"] if refused_as_positive else ["positive"]
            ).to_numpy(dtype=bool),
            "usable": result.isin(usable).to_numpy(dtype=bool),
        }
    )
    tests = tests.loc[tests["usable"] & tests["date"].notna()].sort_values("date", kind="stable")
    starts = pd.DataFrame(
        {
            "client_id": enrollments["client_id"].astype("object").to_numpy(),
            "start": pd.to_datetime(enrollments["start_date"]).astype("datetime64[ns]").to_numpy(),
        }
    ).dropna()
    starts = starts.sort_values("start", kind="stable")
    joined = pd.merge_asof(
        tests, starts, left_on="date", right_on="start", by="client_id", direction="backward"
    ).dropna(subset=["start"])
    days = (joined["date"] - joined["start"]).dt.days.to_numpy()
    joined = joined.assign(month=(np.floor(days / DAYS_PER_MONTH) + 1).astype("int64"))
    if max_month is not None:
        joined = joined.loc[joined["month"] <= max_month]
    grouped = joined.groupby("month", sort=True)
    out = pd.DataFrame(
        {
            "n_tests": grouped.size(),
            "n_positive": grouped["positive"].sum(),
            "n_clients": grouped["client_id"].nunique(),
        }
    ).reset_index()
    out = out.astype({"month": "int64", "n_tests": "int64", "n_positive": "int64"})
    out["n_clients"] = out["n_clients"].astype("int64")
    low, high = wilson_interval(out["n_positive"], out["n_tests"])
    out["share"] = out["n_positive"] / out["n_tests"]
    out["ci_low"], out["ci_high"] = low, high
    return out[columns]


# --------------------------------------------------------------------------- reach


def reach(data: Any, *, by: str | None = "facility", **deprecated: Any) -> pd.DataFrame:
    """Program reach: clients enrolled per calendar year (of the enrollment start) and facility.

    Parameters
    ----------
    data
        Canonical tables (a province, a program, …; see :func:`select`).
    by
        ``"facility"``: one row per year × facility (default); None: one row per year with
        ``facility = "all"``. (``by_facility=True/False`` is the deprecated old form.)

    Returns
    -------
    DataFrame sorted by year and facility:

    - ``year``: calendar year of ``start_date``;
    - ``facility``: the enrollment's facility (the client's when the enrollment has none), or
      ``"all"``;
    - ``n_clients``: distinct clients who started an enrollment that year;
    - ``n_completed``: of those, clients with an enrollment of that year ``completed``;
    - ``completion_share``: ``n_completed / n_clients``.
    """
    if "by_facility" in deprecated:
        warnings.warn(
            "reach(): by_facility= is deprecated and will be removed in the next release; "
            'use by="facility" or by=None instead.',
            DeprecationWarning,
            stacklevel=2,
        )
        by = "facility" if deprecated.pop("by_facility") else None
    if deprecated:
        raise TypeError(f"reach() got unexpected keyword argument(s) {sorted(deprecated)}")
    if by not in ("facility", None):
        raise ConfigError(f'reach: by={by!r}; choose "facility" or None.')
    by_facility = by == "facility"
    enrollments = _table(data, "enrollments")
    clients = _table(data, "clients", required=False)
    _need(enrollments, "enrollments", ["client_id", "start_date"])
    frame = pd.DataFrame(
        {
            "client_id": enrollments["client_id"].astype("object").to_numpy(),
            "year": pd.to_datetime(enrollments["start_date"]).dt.year.to_numpy(),
            "completed": (
                enrollments["status"].astype("object") == "completed"
                if "status" in enrollments.columns
                else pd.Series(False, index=enrollments.index)
            ).to_numpy(dtype=bool),
        }
    )
    if by_facility:
        place = (
            enrollments["facility"].astype("object")
            if "facility" in enrollments.columns
            else pd.Series(pd.NA, index=enrollments.index, dtype="object")
        )
        if len(clients) and "facility" in clients.columns:
            fallback = enrollments["client_id"].map(
                clients.drop_duplicates("client_id").set_index("client_id")["facility"]
            )
            place = place.where(place.notna(), fallback)
        frame["facility"] = place.fillna("unknown").to_numpy()
    else:
        frame["facility"] = "all"
    frame = frame.dropna(subset=["year"])
    keys = ["year", "facility"]
    grouped = frame.groupby(keys, sort=True)
    out = pd.DataFrame(
        {
            "n_clients": grouped["client_id"].nunique(),
            "n_completed": frame.loc[frame["completed"]].groupby(keys)["client_id"].nunique(),
        }
    ).reset_index()
    out["n_completed"] = out["n_completed"].fillna(0).astype("int64")
    out["n_clients"] = out["n_clients"].astype("int64")
    out["year"] = out["year"].astype("int64")
    out["completion_share"] = out["n_completed"] / out["n_clients"]
    return out[["year", "facility", "n_clients", "n_completed", "completion_share"]]
