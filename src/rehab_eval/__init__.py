"""rehab_eval: outcome evaluation for drug-rehabilitation programs.

Raw program exports → canonical tables (:mod:`rehab_eval.etl`) → instrument scores
(:func:`score`) → pre/post change (:mod:`rehab_eval.change`), recidivism
(:mod:`rehab_eval.recidivism`) → parameterized reports (:mod:`rehab_eval.reports`).

The names below are re-exported lazily (PEP 562) so that ``import rehab_eval`` and the CLI
start fast: pandas, statsmodels and matplotlib load only when a function that needs them is
first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from rehab_eval._version import __version__
from rehab_eval.errors import (
    ConfigError,
    DataQualityWarning,
    InputError,
    InstrumentError,
    ModelWarning,
    RehabEvalError,
    ReportError,
    SmallSampleWarning,
)

# public name -> module that defines it
_LAZY = {
    "generate_synthetic": "rehab_eval.synth",
    "run_etl": "rehab_eval.etl",
    "load_processed": "rehab_eval.etl",
    "score": "rehab_eval.scoring",
    "reliability": "rehab_eval.scoring",
    "list_instruments": "rehab_eval.instruments",
    "get_instrument": "rehab_eval.instruments",
}

__all__ = [
    "ConfigError",
    "DataQualityWarning",
    "InputError",
    "InstrumentError",
    "ModelWarning",
    "RehabEvalError",
    "ReportError",
    "SmallSampleWarning",
    "__version__",
    "generate_synthetic",
    "get_instrument",
    "list_instruments",
    "load_processed",
    "reliability",
    "run_etl",
    "score",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from rehab_eval.etl import load_processed, run_etl
    from rehab_eval.instruments import get_instrument, list_instruments
    from rehab_eval.scoring import reliability, score
    from rehab_eval.synth import generate_synthetic


# submodules reachable as attributes without an explicit import (``rehab_eval.change.paired``)
_SUBMODULES = frozenset(
    {
        "change",
        "cohort",
        "etl",
        "i18n",
        "instruments",
        "plots",
        "privacy",
        "recidivism",
        "reports",
        "results",
        "scoring",
        "synth",
        "vocab",
    }
)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f"rehab_eval.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rehab_eval' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
