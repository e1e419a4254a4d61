"""``load_processed``: the canonical tables of one ETL output folder, for notebooks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from rehab_eval.errors import InputError

__all__ = ["Processed", "load_processed"]

TABLE_NAMES = ("clients", "enrollments", "assessments", "contacts", "urine_tests", "events")


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
