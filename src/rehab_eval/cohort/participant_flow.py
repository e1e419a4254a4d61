"""Participant flow (CONSORT-style): enrolled → assessed before → assessed after → completed.

References
----------
Schulz KF, Altman DG, Moher D, for the CONSORT Group. CONSORT 2010 statement. *BMJ*
2010;340:c332 (participant flow).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.cohort._common import _need
from rehab_eval.etl.processed import table, table_columns

__all__ = ["FLOW_STEPS", "flow"]

FLOW_STEPS = ("enrolled", "assessed_pre", "assessed_post", "completed")


def _assessed(data: Any, instrument: str | None, pre: str, post: str) -> pd.DataFrame:
    """The assessments at ``pre`` or ``post`` (of ``instrument``): only the columns used."""
    present = table_columns(data, "assessments") or []
    filters: list = [("timepoint", "in", [pre, post])] if "timepoint" in present else []
    if instrument is not None and "instrument" in present:
        filters.append(("instrument", "==", instrument))
    return table(
        data, "assessments", required=False, keep=["client_id", "instrument", "timepoint"],
        filters=filters,
    )  # fmt: skip


def flow(
    data: Any,
    *,
    instrument: str | None = "whoqol_bref",
    pre: str = "pre",
    post: str = "post",
) -> pd.DataFrame:
    """Participant flow: enrolled → assessed before → assessed after → completed.

    Parameters
    ----------
    data
        Canonical tables, usually already restricted with :func:`select`.
    instrument
        Count an assessment of this instrument only (``None``: any instrument).
    pre, post
        The timepoint codes that count as "before" and "after" (e.g. ``"m1"`` / ``"m6"`` for a
        program measured at months 1 and 6).

    Returns
    -------
    DataFrame with one row per step, in the order of :data:`FLOW_STEPS`:

    - ``step``: ``enrolled``, ``assessed_pre``, ``assessed_post``, ``completed``;
    - ``n``: distinct clients at that step;
    - ``share``: ``n`` / enrolled (NaN when nobody is enrolled).

    Notes
    -----
    The steps are nested, as in a CONSORT flow diagram: *enrolled* = clients with an enrollment;
    *assessed_pre* = enrolled clients with a ``pre`` assessment; *assessed_post* = of those, the
    ones with a ``post`` assessment too (the clients a paired pre/post analysis can use);
    *completed* = enrolled clients with an enrollment of status ``completed`` (whether assessed
    or not).
    """
    enrollments = table(data, "enrollments")
    assessments = _assessed(data, instrument, pre, post)
    _need(enrollments, "enrollments", ["client_id"])
    enrolled = set(enrollments["client_id"].dropna())
    if len(assessments) and instrument is not None:
        _need(assessments, "assessments", ["client_id", "instrument", "timepoint"])
        assessments = assessments.loc[
            (assessments["instrument"].astype("object") == instrument).to_numpy()
        ]
    if len(assessments):
        _need(assessments, "assessments", ["client_id", "timepoint"])
        tp = assessments["timepoint"].astype("object")
        had_pre = set(assessments.loc[(tp == pre).to_numpy(), "client_id"]) & enrolled
        had_post = set(assessments.loc[(tp == post).to_numpy(), "client_id"]) & had_pre
    else:
        had_pre, had_post = set(), set()
    if "status" in enrollments.columns:
        done = enrollments["status"].astype("object") == "completed"
        completed = set(enrollments.loc[done.to_numpy(), "client_id"].dropna())
    else:
        completed = set()
    counts = [len(enrolled), len(had_pre), len(had_post), len(completed)]
    base = counts[0]
    return pd.DataFrame(
        {
            "step": list(FLOW_STEPS),
            "n": pd.array(counts, dtype="int64"),
            "share": [c / base if base else np.nan for c in counts],
        }
    )
