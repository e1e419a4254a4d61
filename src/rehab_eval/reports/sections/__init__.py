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
from rehab_eval.reports.sections.cox import cox_section
from rehab_eval.reports.sections.facility_change import whoqol_by_facility
from rehab_eval.reports.sections.overview import (
    completion_section,
    open_overview_report,
    overview_context,
    overview_inputs,
    overview_summary,
    reach_section,
    reoffending_section,
)
from rehab_eval.reports.sections.recidivism import (
    followup_section,
    km_section,
    open_recidivism_report,
    rates_section,
    recidivism_context,
    recidivism_inputs,
    recidivism_summary,
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
    "completion_section",
    "cox_section",
    "dosage_section",
    "flow_section",
    "followup_section",
    "km_section",
    "open_cohort_report",
    "open_overview_report",
    "open_recidivism_report",
    "overview_context",
    "overview_inputs",
    "overview_summary",
    "publish_summary",
    "rates_section",
    "reach_section",
    "recidivism_context",
    "recidivism_inputs",
    "recidivism_summary",
    "reoffending_section",
    "say",
    "table_one_section",
    "urica_change",
    "urine_section",
    "whoqol_by_facility",
    "whoqol_change",
]
