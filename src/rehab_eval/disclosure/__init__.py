"""Disclosure by construction: the declared policy and the publication primitives.

``policy.toml`` declares what a report may publish for each audience (``POLICY.md``
explains it in Bahasa Indonesia and English); :func:`resolve` turns a report's
``audience`` and ``min_cell`` into a :class:`Disclosure` that every primitive takes.
"""

from rehab_eval.disclosure.audience import Disclosure, resolve
from rehab_eval.disclosure.cells import feasible_range, protect_cells
from rehab_eval.disclosure.counts import Share, show_count, show_counts, show_share
from rehab_eval.disclosure.policy import (
    AUDIENCES,
    Policy,
    default_policy,
    load_policy,
    merge_stricter,
)
from rehab_eval.disclosure.stats import (
    MarkDecision,
    age_band,
    describe,
    per_person_marks,
    show_age,
    show_statistics,
)
from rehab_eval.disclosure.survival import KMCut, at_risk_display, truncate_km
from rehab_eval.disclosure.tables import ShownTable, show_table
from rehab_eval.disclosure.values import Shown, policy_document, summary_values, text

__all__ = [
    "AUDIENCES",
    "Disclosure",
    "KMCut",
    "MarkDecision",
    "Policy",
    "Share",
    "Shown",
    "ShownTable",
    "age_band",
    "at_risk_display",
    "default_policy",
    "describe",
    "feasible_range",
    "load_policy",
    "merge_stricter",
    "per_person_marks",
    "policy_document",
    "protect_cells",
    "resolve",
    "show_age",
    "show_count",
    "show_counts",
    "show_share",
    "show_statistics",
    "show_table",
    "summary_values",
    "text",
    "truncate_km",
]
