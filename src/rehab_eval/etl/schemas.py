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

__all__ = ["coerce_table", "schema_for", "validate_table"]

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


def coerce_table(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with the canonical dtypes of ``table`` (items float64)."""
    spec = vocab.TABLES[table]
    out = {}
    for c in frame.columns:
        kind = spec.get(c, "float")
        v = frame[c]
        if kind in ("string", "category"):
            s = v.astype(object)
            out[c] = s.where(s.notna(), None)
        elif kind == "date":
            out[c] = pd.to_datetime(v).astype("datetime64[ns]").dt.normalize()
        elif kind == "Int64":
            out[c] = pd.array(v, dtype="Int64") if len(v) else pd.array([], dtype="Int64")
        elif kind == "boolean":
            out[c] = pd.array(v.astype(object).where(v.notna(), None), dtype="boolean")
        else:
            out[c] = pd.to_numeric(v, errors="coerce").astype("float64")
    return pd.DataFrame(out, index=frame.index)


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
        if kind == "float":
            checks.append(pa.Check.in_range(0, 8))
        cols[c] = pa.Column(dtype, checks=checks, nullable=nullable)
    return pa.DataFrameSchema(cols, strict=True, ordered=True)


def validate_table(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce and validate lazily; a failing cell becomes missing with a DataQualityWarning.

    The ETL maps every value to a canonical code before this point, so a failure here means a
    vocabulary gap: it is reported, never silently kept.
    """
    import pandera.errors

    out = coerce_table(table, frame)
    schema = schema_for(table, list(out.columns))
    try:
        return schema.validate(out, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        warnings.warn(
            f"{table}: {len(cases)} value(s) failed the canonical schema and were set missing "
            f"(columns {sorted(set(cases['column'].dropna().astype(str)))})",
            DataQualityWarning,
            stacklevel=2,
        )
        fixed = out.copy()
        for col, idx in zip(cases["column"], cases["index"], strict=True):
            if col in fixed.columns and idx is not None and not pd.isna(idx) and col != "client_id":
                fixed.loc[idx, col] = None if fixed[col].dtype == object else np.nan
        return fixed
