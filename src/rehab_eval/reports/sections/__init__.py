"""The publication layer: section builders with the disclosure policy already applied.

Each builder takes analysis results, a :class:`rehab_eval.disclosure.Disclosure` and
``lang``, and returns a :class:`Section`: display-ready tables, figures with their
takeaways and notes, narrative sentences, ``summary.json`` strings and display-rounded
``values``. :meth:`Section.publish` sends it through :mod:`rehab_eval.reports.publish`.
Every number a report prints passes through here; the notebooks never suppress, round or
format a number themselves.
"""

from rehab_eval.reports.sections._model import Context, FigureOut, Section, TableOut
from rehab_eval.reports.sections._texts import say
from rehab_eval.reports.sections.change import urica_change, whoqol_change
from rehab_eval.reports.sections.cohort import (
    cohort_context,
    cohort_summary,
    dosage_section,
    flow_section,
    open_cohort_report,
    publish_summary,
)
from rehab_eval.reports.sections.table_one import table_one_section
from rehab_eval.reports.sections.urine import urine_section

__all__ = [
    "Context",
    "FigureOut",
    "Section",
    "TableOut",
    "cohort_context",
    "cohort_summary",
    "dosage_section",
    "flow_section",
    "open_cohort_report",
    "publish_summary",
    "say",
    "table_one_section",
    "urica_change",
    "urine_section",
    "whoqol_change",
]
