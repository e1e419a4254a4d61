"""Cohort selection, flow counts, Table 1, program dosage, urine positivity and reach.

Pure functions over the canonical tables (:data:`rehab_eval.vocab.TABLES`), as returned by
:func:`rehab_eval.load_processed`: a :class:`~rehab_eval.etl.Processed`, a mapping of table name
to DataFrame, or an object (such as a dataclass) with one DataFrame attribute per table; they
read the tables through :func:`rehab_eval.etl.processed.table`. :func:`select` returns the same
kind of object; every other function returns a new tidy DataFrame and never changes its input.

A *cohort* is a set of enrollments (program episodes) chosen by program, facility, cohort label
and start date; its clients are the clients of those enrollments. A client's facility is the
enrollment's (:func:`enrollment_facility`). Counts here are raw: disclosure control (``<5``) is
applied where numbers are published (:mod:`rehab_eval.privacy`), except in the ``display``
column of :func:`table_one` when ``min_cell`` is given.

Modules, one job each: :mod:`.selection` (:func:`select`, :func:`enrollment_facility`),
:mod:`.participant_flow` (:func:`flow`), :mod:`.baseline` (:func:`table_one`),
:mod:`.attendance` (:func:`dosage`, :func:`urine_positivity`) and :mod:`.program_reach`
(:func:`reach`). This package only re-exports them.
"""

from __future__ import annotations

from rehab_eval.cohort._common import DAYS_PER_MONTH
from rehab_eval.cohort.attendance import dosage, urine_positivity
from rehab_eval.cohort.baseline import table_one
from rehab_eval.cohort.participant_flow import FLOW_STEPS, flow
from rehab_eval.cohort.program_reach import reach
from rehab_eval.cohort.selection import enrollment_facility, select
from rehab_eval.intervals import wilson_interval

__all__ = [
    "DAYS_PER_MONTH",
    "FLOW_STEPS",
    "dosage",
    "enrollment_facility",
    "flow",
    "reach",
    "select",
    "table_one",
    "urine_positivity",
    "wilson_interval",
]
