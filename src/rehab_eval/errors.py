"""Exception and warning hierarchy.

Every error the package raises on purpose derives from :class:`RehabEvalError`, so callers
(and the CLI) can catch the package's own errors and print one clear line instead of a
traceback. Messages name the file, row, column and value where there is one, and say what
to do about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "ConfigError",
    "DataQualityWarning",
    "InputError",
    "InstrumentError",
    "ModelWarning",
    "RehabEvalError",
    "ReportError",
    "SmallSampleWarning",
    "require_columns",
]


class RehabEvalError(Exception):
    """Base class of every error raised by rehab_eval on purpose."""


class InputError(RehabEvalError):
    """Input data or files that cannot be used as given (names file, row, column, value)."""


class InstrumentError(RehabEvalError):
    """An unknown instrument, a refused form, or answers that violate a strict scoring rule."""


class ConfigError(RehabEvalError):
    """Bad configuration or parameters (unknown names, bad values)."""


class ReportError(RehabEvalError):
    """A report run that failed (carries the failing cell where there is one)."""


class DataQualityWarning(UserWarning):
    """Data were accepted with a problem worth a look (out-of-range answers, reversal signs)."""


class SmallSampleWarning(UserWarning):
    """A statistic rests on too few observations to be trusted (e.g. under 10 complete pairs)."""


class ModelWarning(UserWarning):
    """A model fit did not converge or has too few events per term."""


def require_columns(
    frame: Any, columns: Sequence[str], what: str, *, noun: str = "frame", hint: str = ""
) -> None:
    """Raise :class:`InputError` naming every column of ``columns`` that ``frame`` lacks.

    The message reads ``"<what>: the <noun> lacks column(s) [...], not found among [...];
    <hint>"``.
    Anything without ``.columns`` (not a DataFrame) is refused the same way. Kept free of
    pandas so that this module stays on the CLI's fast start-up path.
    """
    if not hasattr(frame, "columns"):
        raise InputError(f"{what}: expected a pandas DataFrame, got {type(frame).__name__}.")
    have = list(frame.columns)
    missing = [c for c in columns if c not in have]
    if missing:
        message = f"{what}: the {noun} lacks column(s) {missing}, not found among {have}"
        raise InputError(f"{message}; {hint}" if hint else f"{message}.")
