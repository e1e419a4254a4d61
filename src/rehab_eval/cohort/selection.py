"""Choosing a cohort: :func:`select` by program, facility, cohort label, province and period,
and :func:`enrollment_facility`, the one definition of "a client's facility".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from rehab_eval.cohort._common import _as_list, _matches, _need, _to_timestamp
from rehab_eval.errors import InputError
from rehab_eval.etl.processed import replace_tables, table, tables

__all__ = ["enrollment_facility", "select"]


def enrollment_facility(data: Any) -> pd.Series:
    """The facility of each enrollment: its own ``facility``, else its client's.

    This is the one definition of "a client's facility" used by :func:`select` and
    :func:`rehab_eval.cohort.reach`: the facility recorded on the enrollment (the office that
    ran that program episode); when the enrollment has none, the facility on the client's
    record (``clients.facility``); missing when neither is known.

    Parameters
    ----------
    data
        The processed data (:class:`rehab_eval.etl.Processed`, a mapping of tables, or an
        object with table attributes); needs ``enrollments`` (``client_id``), uses ``clients``
        when present.

    Returns
    -------
    Series
        Named ``facility``, dtype object, aligned with ``enrollments``' index (one value per
        enrollment row, in order).

    Examples
    --------
    >>> import pandas as pd
    >>> tables = {
    ...     "clients": pd.DataFrame({"client_id": ["a", "b"], "facility": ["X", "Y"]}),
    ...     "enrollments": pd.DataFrame({"client_id": ["a", "b"], "facility": ["Z", None]}),
    ... }
    >>> enrollment_facility(tables).tolist()
    ['Z', 'Y']
    """
    enrollments = table(data, "enrollments", columns=["client_id"])
    place = (
        enrollments["facility"].astype("object")
        if "facility" in enrollments.columns
        else pd.Series(pd.NA, index=enrollments.index, dtype="object")
    )
    clients = tables(data).get("clients")
    if clients is not None and len(clients) and "facility" in clients.columns:
        fallback = enrollments["client_id"].map(
            clients.drop_duplicates("client_id").set_index("client_id")["facility"]
        )
        place = place.where(place.notna(), fallback.astype("object"))
    return place.rename("facility")


def select(
    data: Any,
    *,
    program: str | Sequence[str] | None = None,
    facility: str | Sequence[str] | None = None,
    cohort: str | Sequence[str] | None = None,
    period_start: str | date | None = None,
    period_end: str | date | None = None,
    province: str | Sequence[str] | None = None,
) -> Any:
    """Restrict the processed tables to one cohort.

    Parameters
    ----------
    data
        The canonical tables (mapping or object with table attributes).
    program, facility, cohort, province
        A code / name or a list of them; ``None`` keeps all. Facility, cohort and province names
        are matched ignoring case and repeated spaces. ``facility`` is matched against
        :func:`enrollment_facility` (the enrollment's facility, else the client's);
        ``province`` against the client's province.
    period_start, period_end
        Keep enrollments whose ``start_date`` falls within ``[period_start, period_end]``
        (inclusive; either may be ``None``). Strings are ISO dates.

    Returns
    -------
    The same kind of object as ``data``: ``enrollments`` holds the matching enrollments, and
    every other table that has a ``client_id`` column (clients, assessments, contacts,
    urine_tests, events, scores) only the rows of the cohort's clients. Tables without
    ``client_id`` (rejects) are passed through unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> tables = {
    ...     "clients": pd.DataFrame({"client_id": ["a", "b"], "facility": ["X", "Y"]}),
    ...     "enrollments": pd.DataFrame({
    ...         "client_id": ["a", "b"], "program": ["ibm", "ibm"], "facility": ["X", "Y"],
    ...         "start_date": pd.to_datetime(["2024-02-01", "2025-02-01"])}),
    ... }
    >>> sorted(select(tables, period_start="2025-01-01")["clients"]["client_id"])
    ['b']
    """
    found = tables(data)
    enrollments = table(data, "enrollments", columns=["client_id"])
    clients = found.get("clients")
    keep = pd.Series(True, index=enrollments.index)

    wanted = _as_list(program)
    if wanted is not None:
        _need(enrollments, "enrollments", ["program"])
        keep &= enrollments["program"].astype("object").isin(wanted)
    wanted = _as_list(cohort)
    if wanted is not None:
        _need(enrollments, "enrollments", ["cohort"])
        keep &= _matches(enrollments["cohort"], wanted)
    wanted = _as_list(facility)
    if wanted is not None:
        keep &= _matches(enrollment_facility(data), wanted)
    wanted = _as_list(province)
    if wanted is not None:
        if clients is None or "province" not in clients.columns:
            raise InputError(
                "selecting by province needs the clients table with a 'province' column"
            )
        prov = enrollments["client_id"].map(
            clients.drop_duplicates("client_id").set_index("client_id")["province"]
        )
        keep &= _matches(prov, wanted)
    start = _to_timestamp(period_start, "period_start")
    end = _to_timestamp(period_end, "period_end")
    if start is not None and end is not None and end < start:
        raise InputError(f"period_end {end.date()} is before period_start {start.date()}")
    if start is not None or end is not None:
        _need(enrollments, "enrollments", ["start_date"])
        started = pd.to_datetime(enrollments["start_date"])
        if start is not None:
            keep &= started >= start
        if end is not None:
            keep &= started <= end

    chosen = enrollments.loc[keep.to_numpy()].reset_index(drop=True)
    ids = set(chosen["client_id"].dropna())
    out: dict[str, pd.DataFrame] = {}
    for name, frame in found.items():
        if name == "enrollments":
            out[name] = chosen
        elif "client_id" in frame.columns:
            out[name] = frame.loc[frame["client_id"].isin(ids).to_numpy()].reset_index(drop=True)
        else:
            out[name] = frame
    return replace_tables(data, out)
