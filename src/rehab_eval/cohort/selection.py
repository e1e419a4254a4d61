"""Choosing a cohort: :func:`select` by program, facility, cohort label, province and period,
and :func:`enrollment_facility`, the one definition of "a client's facility".

Processed data read from disk (:func:`rehab_eval.load_processed`) are not read whole: the
program, cohort label, period and facility conditions are pushed into the scan of the
enrollments, the province into that of the clients, and the other tables of the selection
are read later, only the selected clients' rows (:func:`rehab_eval.etl.processed.restrict`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from rehab_eval.cohort._common import _as_list, _matches, _norm, _to_timestamp
from rehab_eval.errors import InputError
from rehab_eval.etl.processed import client_ids, distinct, restrict, table, table_columns

__all__ = ["enrollment_facility", "select"]


def _spellings(data: Any, name: str, column: str, wanted: list[str], filters: list) -> list:
    """The values of ``column`` that :func:`_matches` ``wanted`` (case and spaces ignored)."""
    keys = {_norm(w) for w in wanted}
    return [v for v in distinct(data, name, column, filters=filters) if _norm(v) in keys]


def _client_facility(data: Any, enrollments: pd.DataFrame, place: pd.Series) -> pd.Series:
    """``place`` with the client's facility where it is missing (clients.facility)."""
    lacking = enrollments.loc[place.isna().to_numpy(), "client_id"].dropna().unique()
    if not len(lacking):
        return place
    clients = table(
        data, "clients", required=False, columns=["client_id"], keep=["facility"],
        filters=[("client_id", "in", list(lacking))],
    )  # fmt: skip
    if not len(clients) or "facility" not in clients.columns:
        return place
    fallback = enrollments["client_id"].map(
        clients.drop_duplicates("client_id").set_index("client_id")["facility"]
    )
    return place.where(place.notna(), fallback.astype("object"))


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
    enrollments = table(data, "enrollments", columns=["client_id"], keep=["facility"])
    return _facility_of(data, enrollments)


def _facility_of(data: Any, enrollments: pd.DataFrame) -> pd.Series:
    place = (
        enrollments["facility"].astype("object")
        if "facility" in enrollments.columns
        else pd.Series(pd.NA, index=enrollments.index, dtype="object")
    )
    return _client_facility(data, enrollments, place).rename("facility")


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
    start = _to_timestamp(period_start, "period_start")
    end = _to_timestamp(period_end, "period_end")
    if start is not None and end is not None and end < start:
        raise InputError(f"period_end {end.date()} is before period_start {start.date()}")
    enrollments = _candidates(data, program, cohort, facility, province, start, end)
    keep = pd.Series(True, index=enrollments.index)

    wanted = _as_list(program)
    if wanted is not None:
        keep &= enrollments["program"].astype("object").isin(wanted)
    wanted = _as_list(cohort)
    if wanted is not None:
        keep &= _matches(enrollments["cohort"], wanted)
    wanted = _as_list(facility)
    if wanted is not None:
        keep &= _matches(_facility_of(data, enrollments), wanted)
    if start is not None or end is not None:
        started = pd.to_datetime(enrollments["start_date"])
        if start is not None:
            keep &= started >= start
        if end is not None:
            keep &= started <= end

    chosen = enrollments.loc[keep.to_numpy()].reset_index(drop=True)
    return restrict(data, chosen["client_id"], {"enrollments": chosen})


def _candidates(
    data: Any, program: Any, cohort: Any, facility: Any, province: Any, start: Any, end: Any
) -> pd.DataFrame:
    """The enrollments that may match: the conditions :func:`select` checks, pushed into the
    scan (facility: the enrollment's own, or none recorded), checked there again; and those
    of the clients of ``province``, pushed into the scan of both tables (a client has one row
    in the clients table)."""
    needed, pushed = ["client_id"], []
    wanted = _as_list(province)
    if wanted is not None:
        pushed.append(("client_id", "in", _province_clients(data, wanted)))
    wanted = _as_list(program)
    if wanted is not None:
        needed.append("program")
        pushed.append(("program", "in", wanted))
    if start is not None or end is not None:
        needed.append("start_date")
        pushed += [("start_date", ">=", start)] if start is not None else []
        pushed += [("start_date", "<=", end)] if end is not None else []
    wanted = _as_list(cohort)
    if wanted is not None:
        needed.append("cohort")
    present = table_columns(data, "enrollments")
    if present is None or any(c not in present for c in needed):
        return table(data, "enrollments", columns=needed)  # the one message
    if wanted is not None:
        pushed.append(("cohort", "in", _spellings(data, "enrollments", "cohort", wanted, pushed)))
    wanted = _as_list(facility)
    if wanted is not None and "facility" in present:
        own = _spellings(data, "enrollments", "facility", wanted, pushed)
        pushed.append(("facility", "in", [*own, None]))
    return table(data, "enrollments", filters=pushed)


def _province_clients(data: Any, wanted: list[str]) -> Any:
    """The ids of the clients whose province :func:`_matches` one of ``wanted``."""
    try:
        spelled = _spellings(data, "clients", "province", wanted, [])
    except InputError:
        raise InputError(
            "selecting by province needs the clients table with a 'province' column"
        ) from None
    return client_ids(data, "clients", filters=[("province", "in", spelled)])
