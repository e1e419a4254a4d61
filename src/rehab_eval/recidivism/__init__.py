"""Recidivism and relapse over follow-up time: follow-up construction, Kaplan–Meier,
log-rank, Cox regression, competing risks and rates at fixed windows."""

from rehab_eval.recidivism.competing import cumulative_incidence
from rehab_eval.recidivism.cox import CoxResult, concordance, cox, proportional_hazards
from rehab_eval.recidivism.followup import OUTCOMES, followup
from rehab_eval.recidivism.km import kaplan_meier, logrank, median_survival, rmst
from rehab_eval.recidivism.rates import rates_at
from rehab_eval.recidivism.results import FollowUp, KaplanMeier, RatesAt

__all__ = [
    "OUTCOMES",
    "CoxResult",
    "FollowUp",
    "KaplanMeier",
    "RatesAt",
    "concordance",
    "cox",
    "cumulative_incidence",
    "followup",
    "kaplan_meier",
    "logrank",
    "median_survival",
    "proportional_hazards",
    "rates_at",
    "rmst",
]
