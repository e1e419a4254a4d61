"""Performance indicators (LAKIP / LKjIP) computed from the records, declared as data.

:mod:`.declaration` reads the indicator sets (``declarations/*.toml``), :mod:`.selections`
interprets their selection vocabulary, :mod:`.scope` chooses the facility / Kanwil and the
years, :mod:`.compute` builds the table (realisasi, Wilson interval, target, capaian,
formula) for a selection and year, :mod:`.targets` reads the office's targets,
:mod:`.display` formats the table for people, :mod:`.excel` writes it as offices paste it
into their report and :mod:`.figure` draws one indicator year on year. This package only
re-exports them.
"""

from __future__ import annotations

from rehab_eval.indicators.compute import (
    Indicators,
    compute_indicators,
    percent_text,
    year_on_year,
)
from rehab_eval.indicators.declaration import Indicator, IndicatorSet, list_sets, load_set
from rehab_eval.indicators.display import display_table, display_year_on_year, example_targets
from rehab_eval.indicators.excel import write_excel
from rehab_eval.indicators.figure import plot_year_on_year
from rehab_eval.indicators.targets import Targets, capaian, load_targets

__all__ = [
    "Indicator",
    "IndicatorSet",
    "Indicators",
    "Targets",
    "capaian",
    "compute_indicators",
    "display_table",
    "display_year_on_year",
    "example_targets",
    "list_sets",
    "load_set",
    "load_targets",
    "percent_text",
    "plot_year_on_year",
    "write_excel",
    "year_on_year",
]
