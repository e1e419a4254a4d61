"""The analysis frame of a comparison: participants and non-participants with their follow-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.errors import InputError

__all__ = ["DEFAULT_COVARIATES", "REHAB_PROGRAMS", "comparison_cohort"]

#: Programmes whose enrollment makes a client a participant by default.
REHAB_PROGRAMS = ("rehabilitasi_sosial", "rehabilitasi_medis")
#: Covariates recorded for participants and non-participants alike (columns of the cohort).
DEFAULT_COVARIATES = ("age_at_release", "sex", "prior_offences", "facility", "release_year")


def comparison_cohort(
    data: Any,
    *,
    end_date: Any,
    programs: Sequence[str] = REHAB_PROGRAMS,
    province: str | None = None,
    outcome: str = "any",
    unit: str = "days",
) -> pd.DataFrame:
    """Participants and released non-participants, one row each, with follow-up from release.

    Parameters
    ----------
    data
        The canonical tables (:func:`rehab_eval.load_processed`), or any object with
        ``clients``, ``enrollments``, ``events`` and ``urine_tests``.
    end_date
        Data cut-off (administrative censoring).
    programs : sequence of str
        Programmes that make a participant (default: social and medical rehabilitation).
    province : str, optional
        Keep the clients of this province only.
    outcome, unit : str
        As :func:`rehab_eval.recidivism.followup` (default: the first re-offence of any
        kind, in days).

    Returns
    -------
    DataFrame
        The columns of :func:`~rehab_eval.recidivism.followup` (``client_id``, ``start`` =
        release date, ``duration``, ``event``, ``event_kind``, ``sex``, ``facility``,
        ``prior_offences``, ``age_at_start``, ``program``, ``level``, ``status``, ...) plus
        ``treated`` (1 participant, 0 comparison), ``age_at_release`` (years, float) and
        ``release_year`` (text).

    Notes
    -----
    *Canonical representation of a comparison group.* A release register of people who
    did not join the programme (for instance the Kanwil's export of drug-case inmates from
    the prison database) is read by the ETL like any clients sheet: its people become
    clients with a release date and **no enrollment**. Here a participant is a client with
    an enrollment in ``programs``; a comparison person is a client with no enrollment at
    all; clients with only other enrollments (screening, aftercare) are left out. Clients
    whose enrollment records were lost would count as comparison people, so check the
    counts against the register.
    """
    from rehab_eval.etl.processed import table
    from rehab_eval.recidivism.followup import followup

    clients = table(data, "clients", columns=["client_id"], what="comparison_cohort")
    enr = table(data, "enrollments", columns=["client_id", "program"], what="comparison_cohort")
    if province is not None:
        clients = clients[clients["province"] == province]
    ids = clients["client_id"]
    in_prog = set(enr.loc[enr["program"].isin(list(programs)), "client_id"])
    any_enr = set(enr["client_id"])
    treated = ids.isin(in_prog)
    comparison = ~ids.isin(any_enr)
    keep = set(ids[treated | comparison])
    if not (treated.any() and comparison.any()):
        raise InputError(
            f"comparison_cohort: {int(treated.sum())} participant(s) and "
            f"{int(comparison.sum())} comparison client(s) found; both groups are needed "
            "(load the release register of non-participants with the ETL)."
        )

    def sub(name: str) -> pd.DataFrame:
        t = table(data, name, columns=["client_id"], what="comparison_cohort")
        return t[t["client_id"].isin(keep)]

    part = {
        "clients": clients[clients["client_id"].isin(keep)],
        "enrollments": sub("enrollments"),
        "events": sub("events"),
        "urine_tests": sub("urine_tests"),
    }
    fu = followup(part, outcome=outcome, start="release_date", end_date=end_date, unit=unit)
    fu = fu.table.copy()
    birth = clients.set_index("client_id")["birth_date"]
    born = pd.to_datetime(fu["client_id"].map(birth))
    fu["treated"] = fu["client_id"].isin(in_prog).astype(np.int64)
    fu["age_at_release"] = ((fu["start"] - born).dt.days / 365.25).astype(float)
    fu["release_year"] = fu["start"].dt.year.astype(str)
    return fu.reset_index(drop=True)
