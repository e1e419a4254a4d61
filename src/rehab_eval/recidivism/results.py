"""Result objects of the recidivism analyses: follow-up, Kaplan–Meier and rates at windows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rehab_eval.results import Result, to_frame

__all__ = ["FollowUp", "KaplanMeier", "RatesAt", "as_table"]


def as_table(frame: Any) -> pd.DataFrame:
    """The tidy table of a result object, or ``frame`` itself when it is a DataFrame."""
    return frame.table if isinstance(frame, Result) else frame


@dataclass(frozen=True, eq=False, repr=False)
class FollowUp(Result):
    """Follow-up per client and how it was built (returned by :func:`followup`).

    Attributes
    ----------
    table : DataFrame
        One row per included client (columns listed in :func:`followup`).
    outcome : str
        The outcome followed (``"rearrest"``, ``"any"``, ``"relapse"`` ...).
    start : str
        Start of follow-up: ``"release_date"``, ``"program_start"`` or ``"program_end"``.
    unit : str
        Unit of the ``duration`` column (``"days"``, ``"weeks"``, ``"months"``).
    end_date : datetime.date
        Date of administrative censoring.
    n_clients : int
        Clients in the clients table (before any exclusion).
    n_excluded_no_start, n_excluded_start_after_end, n_excluded_other_program : int
        Clients excluded: no start date; start after ``end_date``; no enrollment in the
        program asked for.
    n_outcome_before_start_ignored : int
        Outcome records on or before a client's start (ignored).
    n_censored_competing : int
        Clients censored by a competing end (death, transfer, loss to supervision).
    """

    table: pd.DataFrame
    outcome: str
    start: str
    unit: str
    end_date: dt.date
    n_clients: int
    n_excluded_no_start: int
    n_excluded_start_after_end: int
    n_excluded_other_program: int
    n_outcome_before_start_ignored: int
    n_censored_competing: int

    _what = "follow-up per client"
    _key_fields = ("outcome", "start", "unit", "end_date", "n_included", "n_events")

    def assign(self, **columns: Any) -> FollowUp:
        """A copy with columns added to (or replaced in) the table, as ``DataFrame.assign``.

        The definitions and counts stay attached, so the result still knows its unit:
        ``rates_at(fu.assign(release_year=fu.table["start"].dt.year), by="release_year")``.
        Rows cannot be added or dropped this way.
        """
        table = self.table.assign(**columns)
        if len(table) != len(self.table):  # pragma: no cover - assign keeps the rows
            raise ValueError("FollowUp.assign changed the number of rows.")
        return dataclasses.replace(self, table=table)

    @property
    def n_included(self) -> int:
        """Clients followed up (rows of ``table``)."""
        return len(self.table)

    @property
    def n_events(self) -> int:
        """Clients whose follow-up ended with the outcome."""
        return int(self.table["event"].sum())

    @property
    def n_censored_end_of_study(self) -> int:
        """Clients still without the outcome at ``end_date``."""
        return int((self.table["event_kind"] == "end_of_study").sum())

    @property
    def exclusions(self) -> dict[str, int]:
        """Clients excluded, by reason: ``no_start``, ``start_after_end``, ``other_program``."""
        return {
            "no_start": self.n_excluded_no_start,
            "start_after_end": self.n_excluded_start_after_end,
            "other_program": self.n_excluded_other_program,
        }

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``outcome``, ``start``, ``unit``, ``end_date``, ``n_clients``,
        ``n_included``, the ``n_excluded_*`` counts, ``n_outcome_before_start_ignored``,
        ``n_events``, ``n_censored_competing``, ``n_censored_end_of_study``."""
        return to_frame(
            {
                "outcome": self.outcome,
                "start": self.start,
                "unit": self.unit,
                "end_date": self.end_date,
                "n_clients": self.n_clients,
                "n_included": self.n_included,
                "n_excluded_no_start": self.n_excluded_no_start,
                "n_excluded_start_after_end": self.n_excluded_start_after_end,
                "n_excluded_other_program": self.n_excluded_other_program,
                "n_outcome_before_start_ignored": self.n_outcome_before_start_ignored,
                "n_events": self.n_events,
                "n_censored_competing": self.n_censored_competing,
                "n_censored_end_of_study": self.n_censored_end_of_study,
            }
        )


@dataclass(frozen=True, eq=False, repr=False)
class KaplanMeier(Result):
    """Kaplan–Meier estimates (returned by :func:`kaplan_meier`).

    Attributes
    ----------
    table : DataFrame
        ``group``, ``time``, ``at_risk``, ``events``, ``censored``, ``survival``, ``ci_low``,
        ``ci_high``, ``std_err`` (see :func:`kaplan_meier`).
    sizes : dict
        Clients per group (group label as text -> n), the n at time 0.
    conf_type : str
        Interval type (``"log-log"``, ``"log"``, ``"plain"``).
    conf_level : float
        Confidence level of the pointwise limits.
    by : str or None
        The grouping column (None: one group, ``"all"``).
    unit : str or None
        Unit of the time axis when known (from a :class:`FollowUp`), else None.
    """

    table: pd.DataFrame
    sizes: dict[str, int]
    conf_type: str
    conf_level: float
    by: str | None = None
    unit: str | None = None

    _what = "Kaplan–Meier survival"
    _key_fields = ("n", "groups", "conf_type", "conf_level", "unit")

    @property
    def n(self) -> int:
        """Clients in all groups."""
        return int(sum(self.sizes.values()))

    @property
    def groups(self) -> tuple[str, ...]:
        """Group labels in order."""
        return tuple(self.sizes)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per group: ``group``, ``n``, ``events`` (events in the table's rows)."""
        events = self.table.groupby(self.table["group"].astype(str), sort=False)["events"].sum()
        return pd.DataFrame(
            {
                "group": list(self.sizes),
                "n": list(self.sizes.values()),
                "events": [int(events.get(g, 0)) for g in self.sizes],
            }
        )


@dataclass(frozen=True, eq=False, repr=False)
class RatesAt(Result):
    """Share, Kaplan–Meier risk and rate of the outcome per window (from :func:`rates_at`).

    Attributes
    ----------
    table : DataFrame
        One row per window (× group); columns listed in :func:`rates_at`.
    windows : tuple of float
        Window lengths, in ``window_unit``.
    window_unit : str
        Unit of the windows (``"days"``, ``"weeks"``, ``"months"``).
    unit : str
        Unit of the follow-up durations the rates were computed from.
    conf_type : str
        Kaplan–Meier interval type.
    conf_level : float
        Confidence level of every interval.
    by : str or None
        The grouping column.
    """

    table: pd.DataFrame
    windows: tuple[float, ...]
    window_unit: str
    unit: str
    conf_type: str
    conf_level: float
    by: str | None = None

    _what = "outcome within follow-up windows"
    _key_fields = ("windows", "window_unit", "unit", "by", "conf_level")

    @property
    def summary(self) -> pd.DataFrame:
        """Per window (× group): ``group``, ``window``, ``n``, ``n_full_followup``,
        ``share``, ``km_cum_incidence``, ``rate_per_100py``."""
        cols = ["group", "window", "n", "n_full_followup", "share", "km_cum_incidence"]
        return self.table[[*cols, "rate_per_100py"]].copy()
