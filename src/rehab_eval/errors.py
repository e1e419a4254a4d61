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


class InputError(RehabEvalError, ValueError):
    """Input data or files that cannot be used as given (names file, row, column, value).

    Also a :class:`ValueError`, so ``except ValueError`` in user code catches it.
    """


class InstrumentError(RehabEvalError):
    """An unknown instrument, a refused form, or answers that violate a strict scoring rule."""


class ConfigError(RehabEvalError, ValueError):
    """Bad configuration or parameters (unknown names, bad values); also a :class:`ValueError`."""


class ReportError(RehabEvalError):
    """A report run that failed, with the failing cell where there is one.

    ``str(error)`` is the one-line message the CLI prints. The attributes let a caller react
    without parsing it.

    Attributes
    ----------
    report : str or None
        The report's name (``cohort_report`` ...).
    cell_index : int or None
        Index of the failing cell in the executed notebook (``None``: not a cell, e.g. the
        HTML export or the deck failed, or the kernel died before a cell ran).
    exception_name : str or None
        Class name of the exception raised in the notebook (``"KeyError"``).
    exception_value : str or None
        Its message (the full text, possibly several lines).
    stage : str or None
        ``"execute"``, ``"export"`` or ``"deck"``.
    result : object or None
        The failed run's :class:`~rehab_eval.reports.runner.RunResult` when a run folder was
        made.
    """

    def __init__(
        self,
        message: str,
        *,
        report: str | None = None,
        cell_index: int | None = None,
        exception_name: str | None = None,
        exception_value: str | None = None,
        stage: str | None = None,
        result: Any = None,
    ) -> None:
        super().__init__(message)
        self.report = report
        self.cell_index = cell_index
        self.exception_name = exception_name
        self.exception_value = exception_value
        self.stage = stage
        self.result = result


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
