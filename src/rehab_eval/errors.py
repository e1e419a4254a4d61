"""Exception and warning hierarchy.

Every error the package raises on purpose derives from :class:`RehabEvalError`, so callers
(and the CLI) can catch the package's own errors and print one clear line instead of a
traceback. Messages name the file, row, column and value where there is one, and say what
to do about it.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataQualityWarning",
    "InputError",
    "InstrumentError",
    "ModelWarning",
    "RehabEvalError",
    "ReportError",
    "SmallSampleWarning",
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
