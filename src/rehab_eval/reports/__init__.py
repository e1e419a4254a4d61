"""Parameterized reports: papermill runner, HTML export, deck, run records, plans.

``run_report`` / ``run_plan`` render reports; notebooks publish through
``from rehab_eval.reports import publish``.
"""

from rehab_eval.reports import publish
from rehab_eval.reports.params import available_reports
from rehab_eval.reports.runner import PlanFailure, PlanResult, RunResult, run_plan, run_report

__all__ = [
    "PlanFailure",
    "PlanResult",
    "RunResult",
    "available_reports",
    "publish",
    "run_plan",
    "run_report",
]
