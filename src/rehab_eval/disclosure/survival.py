"""Kaplan–Meier curves and at-risk tables cut where the risk set falls under the threshold.

Each step of a Kaplan–Meier curve is one event; once few people remain at risk, a step
is one person's re-offence and its month. In ``publik`` each group's curve therefore
stops at the first time at which fewer than ``display_min`` people are at risk, and the
at-risk table agrees with it: exact numbers before that time, ``"<10"`` from it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rehab_eval.disclosure.audience import Disclosure
from rehab_eval.disclosure.values import HIDDEN, SHOWN
from rehab_eval.errors import require_columns
from rehab_eval.i18n import format_number

__all__ = ["KMCut", "at_risk_display", "truncate_km"]


@dataclass(frozen=True)
class KMCut:
    """A Kaplan–Meier table with each curve cut for publication.

    Attributes
    ----------
    table : DataFrame
        The rows of the input kept (same columns), every ``at_risk`` at least the threshold.
    cuts : DataFrame
        One row per group: ``group``, ``cut_time`` (first time with fewer at risk than the
        threshold, NaN when the curve is never cut), ``last_time`` (last time kept, NaN
        when nothing is kept).
    threshold : int
    """

    table: Any
    cuts: Any
    threshold: int

    def cut_time(self, group: Any) -> float:
        row = self.cuts.loc[self.cuts["group"] == group, "cut_time"]
        return float(row.iloc[0]) if len(row) else float("nan")


def _frame(km: Any) -> Any:
    return km.table if hasattr(km, "table") else km


def truncate_km(km: Any, disclosure: Disclosure) -> KMCut:
    """Cut each curve of a Kaplan–Meier table where the risk set falls under ``display_min``.

    Parameters
    ----------
    km : DataFrame or result with ``.table``
        The tidy table of :func:`rehab_eval.recidivism.kaplan_meier` (``group``, ``time``,
        ``at_risk``, ``events``, ``censored``, ``survival``, ``ci_low``, ``ci_high`` …).
    disclosure : Disclosure
        In ``internal`` (``display_min`` 0) nothing is cut.

    Returns
    -------
    KMCut
    """
    import numpy as np
    import pandas as pd

    frame = _frame(km)
    require_columns(frame, ["time", "at_risk"], "truncate_km", noun="Kaplan–Meier table")
    frame = frame.copy()
    if "group" not in frame.columns:
        frame.insert(0, "group", "all")
    threshold = disclosure.display_min
    kept, cuts = [], []
    for group, rows in frame.groupby("group", sort=False):
        rows = rows.sort_values("time", kind="stable")
        under = rows["at_risk"].to_numpy() < threshold
        cut = float(rows["time"].to_numpy()[under.argmax()]) if under.any() else np.nan
        keep = rows if np.isnan(cut) else rows[rows["time"] < cut]
        kept.append(keep)
        last = float(keep["time"].max()) if len(keep) else np.nan
        cuts.append({"group": group, "cut_time": cut, "last_time": last})
    table = pd.concat(kept, ignore_index=True) if kept else frame.iloc[0:0]
    return KMCut(table=table, cuts=pd.DataFrame(cuts), threshold=threshold)


def at_risk_display(at_times: Any, cut: KMCut, *, lang: str = "id") -> Any:
    """The at-risk table under a figure, consistent with the cut curves.

    Parameters
    ----------
    at_times : DataFrame or result with ``.table``
        ``kaplan_meier(..., times=[0, 3, 6, …])``: ``group``, ``time``, ``at_risk``.
    cut : KMCut
        From :func:`truncate_km` on the full table of the same fit.

    Returns
    -------
    DataFrame
        ``group``, ``time``, ``at_risk`` (display string), ``at_risk_value`` (int or None),
        ``status`` (``"shown"``/``"hidden"``). A number is shown only before the group's
        cut time and when at least the threshold; otherwise ``"<10"``.
    """
    import math

    import pandas as pd

    frame = _frame(at_times)
    require_columns(frame, ["time", "at_risk"], "at_risk_display", noun="at-risk table")
    if "group" not in frame.columns:
        frame = frame.assign(group="all")
    rows = []
    for group, time, n in zip(frame["group"], frame["time"], frame["at_risk"], strict=True):
        cut_at = cut.cut_time(group)
        before = math.isnan(cut_at) or float(time) < cut_at
        if before and n >= cut.threshold:
            rows.append((group, time, format_number(n, 0, lang), int(n), SHOWN))
        else:
            rows.append((group, time, f"<{cut.threshold}", None, HIDDEN))
    out = pd.DataFrame(rows, columns=["group", "time", "at_risk", "at_risk_value", "status"])
    out["at_risk_value"] = pd.Series([r[3] for r in rows], index=out.index, dtype=object)
    return out
