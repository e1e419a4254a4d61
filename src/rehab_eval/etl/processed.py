"""``load_processed``: the canonical tables of one ETL output folder, and the one accessor.

Every analysis takes "the processed data": a :class:`Processed` (what :func:`load_processed`
returns), a mapping of table name to DataFrame, or any object with one DataFrame attribute per
table. :func:`table` (also :meth:`Processed.table`) is the one way the analyses read a table
from any of these, with one error message when a table or a column is missing;
:func:`tables` lists them all and :func:`replace_tables` makes a new object of the same kind
holding other frames (what :func:`rehab_eval.cohort.select` returns).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from rehab_eval.errors import InputError

__all__ = ["Processed", "load_processed", "replace_tables", "table", "tables"]

TABLE_NAMES = ("clients", "enrollments", "assessments", "contacts", "urine_tests", "events")


def tables(data: Any) -> dict[str, pd.DataFrame]:
    """The DataFrames held by ``data``, by table name.

    ``data`` is a :class:`Processed`, a mapping of name to DataFrame, a dataclass or any object
    with one DataFrame attribute per canonical table (plus ``rejects`` and ``scores``).
    Entries that are not DataFrames (``path``, ``manifest``, a missing ``scores``) are left out.
    """
    if isinstance(data, Mapping):
        return {k: v for k, v in data.items() if isinstance(v, pd.DataFrame)}
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        names = [f.name for f in dataclasses.fields(data)]
    else:
        names = [*TABLE_NAMES, "rejects", "scores"]
    out = {}
    for name in names:
        value = getattr(data, name, None)
        if isinstance(value, pd.DataFrame):
            out[name] = value
    return out


def table(
    data: Any,
    name: str,
    *,
    required: bool = True,
    columns: Sequence[str] = (),
    what: str | None = None,
) -> pd.DataFrame:
    """Table ``name`` of the processed data ``data`` (see :func:`tables` for what ``data`` may be).

    Parameters
    ----------
    data
        The processed data.
    name
        Table name (``clients``, ``enrollments``, ``scores`` ...).
    required
        When the table is absent: raise (default), or return an empty frame with the
        canonical columns of :data:`rehab_eval.vocab.TABLES`.
    columns
        Columns the caller needs; a present table lacking any of them is refused.
    what
        The caller's name for the messages (``"followup"``).

    Returns
    -------
    DataFrame
        The table itself (not a copy; callers never change it).

    Raises
    ------
    InputError
        The table is required and absent, or it lacks one of ``columns``.
    """
    prefix = f"{what}: " if what else ""
    found = tables(data)
    frame = found.get(name)
    if frame is None:
        if required:
            raise InputError(
                f"{prefix}the processed data have no {name!r} table "
                f"(found: {', '.join(sorted(found)) or 'none'}); run `rehab-eval etl` first "
                "or pass the tables returned by rehab_eval.load_processed"
            )
        from rehab_eval.vocab import TABLES

        layout = TABLES.get(name, {"client_id": "string"})
        return pd.DataFrame({c: pd.Series(dtype="object") for c in layout})
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{prefix}table {name!r} lacks column(s) {', '.join(missing)}; "
            "expected the canonical layout of rehab_eval.vocab.TABLES"
        )
    return frame


def replace_tables(data: Any, frames: Mapping[str, pd.DataFrame]) -> Any:
    """A new object of the kind of ``data`` holding ``frames`` instead of its own tables."""
    if isinstance(data, Mapping):
        merged = {**dict(data), **frames}
        try:
            return type(data)(merged)
        except TypeError:
            return merged
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        return dataclasses.replace(data, **frames)
    clone = copy.copy(data)
    for name, frame in frames.items():
        setattr(clone, name, frame)
    return clone


@dataclass(frozen=True)
class Processed:
    """Canonical tables (one attribute each), ``rejects``, ``manifest`` and optional ``scores``."""

    path: Path
    clients: pd.DataFrame
    enrollments: pd.DataFrame
    assessments: pd.DataFrame
    contacts: pd.DataFrame
    urine_tests: pd.DataFrame
    events: pd.DataFrame
    rejects: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    scores: pd.DataFrame | None = None

    def __repr__(self) -> str:
        parts = [f"{t}={len(getattr(self, t))}" for t in (*TABLE_NAMES, "rejects")]
        if self.scores is not None:
            parts.append(f"scores={len(self.scores)}")
        run = self.manifest.get("run_time", "?")
        return f"Processed({self.path}, run {run}: " + ", ".join(parts) + ")"

    def table(
        self,
        name: str,
        *,
        required: bool = True,
        columns: Sequence[str] = (),
        what: str | None = None,
    ) -> pd.DataFrame:
        """Table ``name``, checked for ``columns`` (see the module function :func:`table`)."""
        return table(self, name, required=required, columns=columns, what=what)


def load_processed(path: str | Path = "data/processed") -> Processed:
    """Load the output of :func:`rehab_eval.run_etl` (and ``scores.parquet`` when present).

    Raises
    ------
    InputError
        The folder or one of its tables is missing (run ``rehab-eval etl`` first).
    """
    p = Path(path)
    if p.is_symlink():  # a versioned output: read the one version it points at now
        p = p.resolve()
    if not (p / "manifest.json").is_file():
        raise InputError(
            f"{p} holds no ETL output (manifest.json missing); run `rehab-eval etl` first"
        )
    frames = {}
    for name in (*TABLE_NAMES, "rejects"):
        f = p / f"{name}.parquet"
        if not f.is_file():
            raise InputError(f"{f} is missing; run `rehab-eval etl` again")
        frames[name] = pd.read_parquet(f)
    scores = pd.read_parquet(p / "scores.parquet") if (p / "scores.parquet").is_file() else None
    manifest = json.loads((p / "manifest.json").read_text("utf-8"))
    return Processed(path=p, manifest=manifest, scores=scores, **frames)
