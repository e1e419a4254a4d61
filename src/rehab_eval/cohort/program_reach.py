"""Program reach: clients enrolled per calendar year, by facility or another grouping."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from rehab_eval.cohort.selection import enrollment_facility
from rehab_eval.errors import ConfigError, InputError
from rehab_eval.etl.processed import table, tables

__all__ = ["reach"]


_DEFAULT = "facility"


def _grouping(data: Any, enrollments: pd.DataFrame, name: str) -> pd.Series:
    """Values of grouping column ``name`` per enrollment (``facility``: the enrollment's)."""
    if name == "facility":
        return enrollment_facility(data)
    if name in enrollments.columns:
        return enrollments[name].astype("object")
    clients = tables(data).get("clients")
    if clients is not None and name in clients.columns:
        return (
            enrollments["client_id"]
            .map(clients.drop_duplicates("client_id").set_index("client_id")[name])
            .astype("object")
        )
    raise InputError(
        f"reach: no column {name!r} in the enrollments or clients to group by; "
        "give by='facility', another column of those tables, or by=None"
    )


def reach(
    data: Any,
    *,
    by: str | Sequence[str] | None = _DEFAULT,
    **deprecated: Any,
) -> pd.DataFrame:
    """Program reach: clients enrolled per calendar year (of the enrollment start) and group.

    Parameters
    ----------
    data
        Canonical tables (a province, a program, …; see :func:`select`).
    by
        Grouping besides the year: ``"facility"`` (default; the enrollment's facility as
        defined by :func:`enrollment_facility`), another column of the enrollments or of the
        clients (``"program"``, ``"level"``, ``"province"``), a list of them, or ``None`` for
        one row per year with ``facility = "all"``.
    **deprecated
        ``by_facility`` (deprecated): ``True`` is ``by="facility"``, ``False`` is ``by=None``.

    Returns
    -------
    DataFrame sorted by year and group:

    - ``year``: calendar year of ``start_date``;
    - one column per grouping column of ``by`` (missing values shown as ``"unknown"``); with
      ``by=None`` a ``facility`` column holding ``"all"``;
    - ``n_clients``: distinct clients who started an enrollment that year (in that group);
    - ``n_completed``: of those, clients with an enrollment of that year ``completed``;
    - ``completion_share``: ``n_completed / n_clients``.

    Raises
    ------
    InputError
        The enrollments lack ``client_id`` or ``start_date``, or a ``by`` column is unknown.

    Warns
    -----
    DeprecationWarning
        When ``by_facility`` is given.
    """
    unknown = set(deprecated) - {"by_facility"}
    if unknown:
        raise TypeError(f"reach() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    by_facility = deprecated.get("by_facility")
    if by_facility is not None:
        warnings.warn(
            "reach(by_facility=...) is deprecated; use by='facility' or by=None",
            DeprecationWarning,
            stacklevel=2,
        )
        if by is not _DEFAULT and (by == "facility") != bool(by_facility):
            raise ConfigError("reach: give either by= or the deprecated by_facility=, not both")
        by = "facility" if by_facility else None
    groups = [] if by is None else [by] if isinstance(by, str) else list(by)
    enrollments = table(data, "enrollments", columns=["client_id", "start_date"])
    frame = pd.DataFrame(
        {
            "client_id": enrollments["client_id"].astype("object").to_numpy(),
            "year": pd.to_datetime(enrollments["start_date"]).dt.year.to_numpy(),
            "completed": (
                enrollments["status"].astype("object") == "completed"
                if "status" in enrollments.columns
                else pd.Series(False, index=enrollments.index)
            ).to_numpy(dtype=bool),
        }
    )
    if groups:
        for name in groups:
            frame[name] = _grouping(data, enrollments, name).fillna("unknown").to_numpy()
    else:
        groups = ["facility"]
        frame["facility"] = "all"
    frame = frame.dropna(subset=["year"])
    keys = ["year", *groups]
    grouped = frame.groupby(keys, sort=True)
    out = pd.DataFrame(
        {
            "n_clients": grouped["client_id"].nunique(),
            "n_completed": frame.loc[frame["completed"]].groupby(keys)["client_id"].nunique(),
        }
    ).reset_index()
    out["n_completed"] = out["n_completed"].fillna(0).astype("int64")
    out["n_clients"] = out["n_clients"].astype("int64")
    out["year"] = out["year"].astype("int64")
    out["completion_share"] = out["n_completed"] / out["n_clients"]
    return out[[*keys, "n_clients", "n_completed", "completion_share"]]
