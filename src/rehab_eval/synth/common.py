"""Pieces shared by the program builders: the build result, date conversions, the random streams."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.synth.sheets import RawFile

__all__ = ["ProgramBuild", "days", "stream", "to_datetimes"]

# One integer per program: its random stream is default_rng([seed, key, ...]), so adding a
# program or changing the provincial scale never changes the records of another program.
STREAM_KEYS = {"semarang": 1, "rejosari": 2, "banjarnegara": 3, "sumsel": 4}


def stream(seed: int, program: str, *more: int) -> np.random.Generator:
    """The random stream of one program (and optionally one year of it)."""
    return np.random.default_rng([seed, STREAM_KEYS[program], *more])


@dataclass
class ProgramBuild:
    """What a program builder returns: raw files and its part of ``truth.json``."""

    files: list[RawFile]
    programs: list[dict[str, Any]]
    effects: dict[str, Any]
    niks: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    register_nos: list[str] = field(default_factory=list)
    facility_variants: dict[str, str] = field(default_factory=dict)


def days(start: str, offsets: np.ndarray) -> np.ndarray:
    """``start`` (ISO date) plus integer day offsets, as datetime64[D]."""
    return np.datetime64(start, "D") + np.asarray(offsets).astype("timedelta64[D]")


def to_datetimes(dates: np.ndarray) -> list[Any]:
    """datetime64[D] → ``datetime.datetime`` (real Excel dates), ``None`` for NaT."""
    out: list[Any] = []
    for d in np.asarray(dates, dtype="datetime64[D]"):
        out.append(None if np.isnat(d) else dt.datetime.fromisoformat(str(d)))
    return out


def iso(d: Any) -> str:
    return str(np.datetime64(d, "D"))


def frame(columns: list[str], data: dict[str, Any]) -> pd.DataFrame:
    """An object-dtype frame with ``columns`` in order (raw headers as written)."""
    return pd.DataFrame({c: pd.Series(list(data[c]), dtype=object) for c in columns})
