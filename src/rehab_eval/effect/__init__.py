"""Comparison-group evaluation: did the programme change re-offending?

Propensity scores on declared covariates, inverse-probability weights or matching, balance
diagnostics, weighted survival curves, a weighted Cox model with robust (cluster) variance,
restricted-mean differences and the E-value, gathered by :func:`programme_effect`.
"""

from rehab_eval.effect.balance import Balance, balance
from rehab_eval.effect.cohort import DEFAULT_COVARIATES, REHAB_PROGRAMS, comparison_cohort
from rehab_eval.effect.curves import rmst_difference, weighted_km
from rehab_eval.effect.estimate import ProgrammeEffect, programme_effect
from rehab_eval.effect.finegray import fine_gray
from rehab_eval.effect.incidence import gray_test, weighted_incidence
from rehab_eval.effect.propensity import PropensityScores, propensity
from rehab_eval.effect.sensitivity import evalue
from rehab_eval.effect.weights import Weights, effective_size, ipw, match_nearest

__all__ = [
    "DEFAULT_COVARIATES",
    "REHAB_PROGRAMS",
    "Balance",
    "ProgrammeEffect",
    "PropensityScores",
    "Weights",
    "balance",
    "comparison_cohort",
    "effective_size",
    "evalue",
    "fine_gray",
    "gray_test",
    "ipw",
    "match_nearest",
    "programme_effect",
    "propensity",
    "rmst_difference",
    "weighted_incidence",
    "weighted_km",
]
