"""Canonical table schemas (pandera) and the dtype coercion applied before writing.

Logical types come from :data:`rehab_eval.vocab.TABLES`: ``category`` columns hold one of the
vocabulary codes (object dtype, None when missing), ``string`` free text (object), ``date``
``datetime64[ns]`` at day precision, ``Int64`` and ``boolean`` the pandas nullable types;
assessment item columns are float64 (NaN = missing).

References
----------
pandera ``DataFrameSchema.validate(lazy=True)``: every failure collected in ``failure_cases``.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd

from rehab_eval import vocab
from rehab_eval.errors import DataQualityWarning

__all__ = ["coerce_columns", "coerce_table", "schema_for", "validate_table"]

_CODES = {
    ("clients", "sex"): vocab.SEXES,
    ("clients", "facility_type"): vocab.FACILITY_TYPES,
    ("enrollments", "program"): vocab.PROGRAMS,
    ("enrollments", "level"): vocab.LEVELS,
    ("enrollments", "status"): vocab.STATUSES,
    ("assessments", "instrument"): vocab.INSTRUMENTS,
    ("assessments", "timepoint"): vocab.TIMEPOINTS,
    ("contacts", "kind"): vocab.CONTACT_KINDS,
    ("urine_tests", "result"): vocab.URINE_RESULTS,
    ("events", "kind"): vocab.EVENT_KINDS,
}


def _coerce(kind: str, v) -> object:
    if kind in ("string", "category"):
        arr = np.asarray(v, dtype=object)
        na = pd.isna(arr)
        return np.where(na, None, arr) if na.any() else arr
    if kind == "date":
        arr = np.asarray(v)
        if arr.dtype == "datetime64[ns]":
            return arr
        return pd.to_datetime(pd.Series(v)).astype("datetime64[ns]").dt.normalize().to_numpy()
    if kind == "Int64":
        return pd.array(pd.Series(v, dtype=object).where(pd.notna(v), None), dtype="Int64")
    if kind == "boolean":
        return pd.array(pd.Series(v, dtype=object).where(pd.notna(v), None), dtype="boolean")
    arr = np.asarray(v)
    return (
        arr
        if arr.dtype == np.float64
        else pd.to_numeric(pd.Series(arr), errors="coerce").to_numpy(dtype="float64")
    )


def coerce_columns(table: str, columns: dict) -> dict:
    """Canonical dtypes for a dict of column arrays (arrays already right are not copied)."""
    spec = vocab.TABLES[table]
    return {c: _coerce(spec.get(c, "float"), v) for c, v in columns.items()}


def coerce_table(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A new frame with the canonical dtypes of ``table`` (items float64)."""
    cols = coerce_columns(table, {c: frame[c].to_numpy() for c in frame.columns})
    return pd.DataFrame(cols, index=frame.index)


def schema_for(table: str, columns: list[str]):
    """The pandera schema of one canonical table (item columns: finite answers, nullable)."""
    os.environ.setdefault("DISABLE_PANDERA_IMPORT_WARNING", "True")
    import pandera.pandas as pa

    spec = vocab.TABLES[table]
    cols = {}
    for c in columns:
        kind = spec.get(c, "float")
        checks = []
        if (table, c) in _CODES:
            checks.append(pa.Check.isin(list(_CODES[(table, c)])))
        if c == "client_id":
            checks.append(pa.Check.str_matches(r"^c[0-9a-f]{16}$"))
        dtype = {
            "string": object,
            "category": object,
            "date": "datetime64[ns]",
            "Int64": "Int64",
            "boolean": "boolean",
        }.get(kind, "float64")
        nullable = c not in ("client_id",) and not (table == "rejects" and c == "reason")
        cols[c] = pa.Column(dtype, checks=checks, nullable=nullable)
    return pa.DataFrameSchema(cols, strict=True, ordered=True)


def _check_items(table: str, frame: pd.DataFrame) -> list[str]:
    """Item columns: float64 answers in 0…8 (the union of every instrument's answer set).

    Checked with numpy rather than one pandera column each: the per-item allowed sets were
    already applied while parsing, and 30+ pandera columns of a million rows cost seconds.
    """
    bad = []
    for c in frame.columns:
        if c in vocab.TABLES[table]:
            continue
        v = frame[c].to_numpy()
        if v.dtype not in (np.float32, np.float64) or bool(((v < 0) | (v > 8)).any()):
            bad.append(c)
    return bad


_NIBBLE = np.full(256, 255, dtype=np.uint8)  # hex digit byte → its value; 255: not one
_NIBBLE[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint8)


def id_digits(values: np.ndarray) -> np.ndarray | None:
    """The 16 hex digits of ``c`` + 16 lower-case hex pseudonyms as values 0…15 (n × 16).

    None when any value is not such a string: the schema's ``str_matches(r"^c[0-9a-f]{16}$")``
    and non-null checks, done with numpy instead of one regex per client.
    """
    if not len(values):
        return np.zeros((0, 16), dtype=np.uint8)
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        return None
    try:
        b = values.astype("S18")  # one byte more than an id: a longer value shows
    except UnicodeEncodeError:
        return None
    if b.dtype.itemsize != 18:
        return None
    raw = b.view(np.uint8).reshape(-1, 18)
    if not ((raw[:, 0] == ord("c")).all() and (raw[:, 17] == 0).all()):
        return None
    nib = _NIBBLE[raw[:, 1:17]]
    return None if (nib == 255).any() else nib


def _ids_ok(values: np.ndarray) -> bool:
    """True when every value is a ``c`` + 16 lower-case hex digits string (see id_digits)."""
    return id_digits(values) is not None


def _distinct_rows(
    frame: pd.DataFrame, settled: frozenset[str] = frozenset()
) -> tuple[pd.DataFrame, dict, dict]:
    """A frame holding each column's distinct values (missing included), and the way back.

    Column ``c`` of the result holds the rows ``pos[c]`` of ``frame[c]`` (the first row of
    each distinct value), padded to a common length by repeating its first row; ``codes[c]``
    gives every row of ``frame`` the number of its distinct value. A ``settled`` column (one
    already checked) is represented by its first row. Every check of the
    canonical schemas (dtype, nullable, ``isin``, ``str_matches``) depends on the value
    alone, so a value fails in ``frame`` exactly when it fails here.
    """
    codes: dict[str, np.ndarray] = {}
    pos: dict[str, np.ndarray] = {}
    for c in frame.columns:
        if c in settled:  # already checked: one value stands for the column
            codes[c] = np.zeros(len(frame), dtype=np.intp)
            pos[c] = np.zeros(min(len(frame), 1), dtype=np.intp)
            continue
        k, _ = pd.factorize(frame[c], use_na_sentinel=False)
        codes[c] = k
        pos[c] = np.flatnonzero(~pd.Series(k).duplicated().to_numpy())
    length = max((len(p) for p in pos.values()), default=0)
    rep = {}
    for c, p in pos.items():
        p = np.concatenate([p, np.full(length - len(p), p[0] if len(p) else 0, dtype=p.dtype)])
        pos[c] = p
        rep[c] = frame[c].iloc[p].reset_index(drop=True)
    return pd.DataFrame(rep), pos, codes


def validate_table(table: str, frame: pd.DataFrame, *, coerce: bool = True) -> pd.DataFrame:
    """Coerce and validate lazily; a failing cell becomes missing with a DataQualityWarning.

    The ETL maps every value to a canonical code before this point, so a failure here means a
    vocabulary gap: it is reported, never silently kept. The pandera schema runs on the
    distinct values of each column (a million rows hold a few thousand), and a failing value
    is set missing in every row that holds it.
    """
    import pandera.errors

    out = coerce_table(table, frame) if coerce else frame
    bad_items = _check_items(table, out)
    if bad_items:
        warnings.warn(
            f"{table}: item columns {bad_items} hold values outside 0…8",
            DataQualityWarning,
            stacklevel=2,
        )
    canonical = [c for c in out.columns if c in vocab.TABLES[table]]
    schema = schema_for(table, canonical)
    # pseudonyms are all distinct: checked here with numpy instead of one regex per client
    settled = frozenset(
        c for c in ("client_id",) if c in canonical and _ids_ok(out[c].to_numpy(dtype=object))
    )
    rep, pos, codes = _distinct_rows(out[canonical], settled)
    try:
        schema.validate(rep, lazy=True)
        return out
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    # rows of ``out`` that hold a failing value, per column
    failing: dict[str, np.ndarray] = {}
    for col, idx in zip(cases["column"], cases["index"], strict=True):
        if col not in pos or idx is None or pd.isna(idx):
            continue
        hit = codes[col] == codes[col][pos[col][int(idx)]]
        failing[col] = failing[col] | hit if col in failing else hit
    n_cells = sum(int(m.sum()) for m in failing.values())
    warnings.warn(
        f"{table}: {n_cells} value(s) failed the canonical schema and were set missing "
        f"(columns {sorted(set(cases['column'].dropna().astype(str)))})",
        DataQualityWarning,
        stacklevel=2,
    )
    fixed = out.copy()  # a fresh frame: the caller's is not touched
    for col, hit in failing.items():
        if col != "client_id":
            fixed.loc[fixed.index[hit], col] = None if fixed[col].dtype == object else np.nan
    return fixed
