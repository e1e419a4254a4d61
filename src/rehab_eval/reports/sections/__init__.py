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
from rehab_eval.reports.sections.competing import competing_section
from rehab_eval.reports.sections.cox import cox_section
from rehab_eval.reports.sections.facility_change import whoqol_by_facility
from rehab_eval.reports.sections.indicators import (
    indicators_context,
    indicators_summary,
    lakip_section,
    open_indicators_report,
    previous_years_section,
    year_on_year_section,
)
from rehab_eval.reports.sections.overview import (
    completion_section,
    open_overview_report,
    overview_context,
    overview_inputs,
    overview_summary,
    reach_section,
    reoffending_section,
)
from rehab_eval.reports.sections.quality import (
    fix_workbooks_section,
    open_quality_report,
    quality_context,
    quality_facilities_section,
    quality_files_section,
    quality_reasons_section,
    quality_summary,
    quality_trend_section,
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
    "competing_section",
    "completion_section",
    "cox_section",
    "dosage_section",
    "fix_workbooks_section",
    "flow_section",
    "followup_section",
    "indicators_context",
    "indicators_summary",
    "km_section",
    "lakip_section",
    "open_cohort_report",
    "open_indicators_report",
    "open_overview_report",
    "open_quality_report",
    "open_recidivism_report",
    "overview_context",
    "overview_inputs",
    "overview_summary",
    "previous_years_section",
    "publish_summary",
    "quality_context",
    "quality_facilities_section",
    "quality_files_section",
    "quality_reasons_section",
    "quality_summary",
    "quality_trend_section",
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
    "year_on_year_section",
]
