"""Pre/post change statistics: paired tests, effect sizes, reliable change, mixed models.

Scores come long by time (one row per client × timepoint, the measures as columns, as the
scoring step writes them); every function returns a new tidy DataFrame or a frozen result.
"""

from __future__ import annotations

from rehab_eval.change._pairs import sample_clients
from rehab_eval.change.mixed import TrajectoryResult, trajectory
from rehab_eval.change.prepost import paired
from rehab_eval.change.reliable import cutoff_value, reliable_change, summarize_categories
from rehab_eval.change.results import ReliableChange
from rehab_eval.change.stages import StageTransitions, stage_transitions

__all__ = [
    "ReliableChange",
    "StageTransitions",
    "TrajectoryResult",
    "cutoff_value",
    "paired",
    "reliable_change",
    "sample_clients",
    "stage_transitions",
    "summarize_categories",
    "trajectory",
]
