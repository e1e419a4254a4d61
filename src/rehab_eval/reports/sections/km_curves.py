"""Kaplan–Meier curves of the recidivism report, one figure per grouping.

Each curve stops where fewer than ``display_min`` clients remain at risk
(:func:`rehab_eval.disclosure.truncate_km`). The takeaway reads the curves at the latest
report window they still reach (the share not re-offended per group, as drawn) beside the
log-rank p-value, for groups of at least ``stats_min`` clients.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.reports.sections._model import Context, FigureOut, Section
from rehab_eval.reports.sections._texts import say

__all__ = ["KM_GROUPS", "km_section"]

KM_GROUPS = ("level", "program", "status")
#: The windows (months) a takeaway may read the curves at, latest first.
READ_AT = (24, 12, 6)


def _survival_at(table: Any, group: Any, time: float) -> float:
    """S(time) of one group: the survival after the last step at or before ``time``."""
    rows = table[(table["group"] == group) & (table["time"] <= time)]
    return 1.0 if rows.empty else float(rows.sort_values("time")["survival"].iloc[-1])


def _read_curves(
    km: Any, cut: Any, sizes: dict, ends: dict, ctx: Context
) -> tuple[int, list[str]] | None:
    """(window, ["Rendah 80%", …]) at the latest window every drawn curve reaches (its
    longest follow-up ``ends[group]``, before its cut), or None."""
    import math

    from rehab_eval.disclosure.values import round_for_display
    from rehab_eval.i18n import format_percent
    from rehab_eval.plots._frame import group_label

    d, lang = ctx.disclosure, ctx.lang
    table = km.table
    groups = [
        g for g in dict.fromkeys(table["group"]) if sizes.get(str(g), 0) >= (d.stats_min or 1)
    ]
    if not groups:
        return None
    for window in READ_AT:
        reach = []
        for g in groups:
            end = float(ends.get(g, 0.0))
            cut_at = cut.cut_time(g) if cut is not None else math.nan
            reach.append(end >= window and (math.isnan(cut_at) or cut_at > window))
        if all(reach):
            digits = d.precision("survival")
            texts = [
                f"{group_label(g, lang)} "
                f"{format_percent(round_for_display(_survival_at(table, g, window), 'survival', d), digits, lang)}"
                for g in groups
            ]
            return window, texts
    return None


def km_section(ctx: Context, *, by: tuple[str, ...] = KM_GROUPS) -> Section:
    """Kaplan–Meier curves by each grouping, cut where fewer than ``display_min`` are at risk;
    the takeaway gives the share not re-offended per group and the log-rank p-value."""
    from rehab_eval import plots, recidivism
    from rehab_eval.disclosure import truncate_km
    from rehab_eval.disclosure.values import round_for_display
    from rehab_eval.i18n import format_p
    from rehab_eval.reports.sections.recidivism import _observed

    lang, fu, d = ctx.lang, ctx.data.followup, ctx.disclosure
    if not ctx.data.has_source or not fu.n_included:
        return Section()
    ticks = list(range(0, int(fu.table["duration"].max()) + 1, 6))
    section = Section(title=say("recid.h.km", lang))
    logrank_p: dict[str, Any] = {}
    time_label = say(f"recid.axis.{ctx.data.start}", lang)
    for group in by:
        groups = fu.table[group].dropna().nunique()
        if groups == 0:
            continue
        km = recidivism.kaplan_meier(fu, by=group)
        at_risk = recidivism.kaplan_meier(fu, by=group, times=ticks)
        cut = truncate_km(km, d)
        name = say(f"recid.by.{group}", lang)
        sizes = dict(getattr(km, "sizes", None) or {}) or {
            str(g): float(n) for g, n in km.table.groupby("group")["at_risk"].max().items()
        }
        ends = fu.table.groupby(group)["duration"].max().to_dict()
        read = _read_curves(km, cut, sizes, ends, ctx)
        if groups > 1:
            p = float(recidivism.logrank(fu, by=group)["p_value"].iloc[0])
            logrank_p[group] = round_for_display(p, "p_value", d)
            takeaway = say("recid.km_takeaway", lang, by=name, p=format_p(p, lang))
            if read is not None:
                takeaway = say(
                    "recid.km_takeaway_read",
                    lang,
                    window=read[0],
                    shares=", ".join(read[1]),
                    by=name,
                    p=format_p(p, lang),
                )
        else:
            logrank_p[group] = None
            takeaway = say("recid.km_takeaway_single", lang, by=name)
        title = say("recid.km_title", lang, by=name)
        fig = plots.plot_km(
            km,
            at_risk=at_risk,
            times=ticks,
            cut=cut,
            lang=lang,
            min_cell=ctx.min_cell,
            title=title,
            period=_observed(ctx),
            time_label=time_label,
        )
        notes = say("recid.km_notes", lang, display_min=d.display_min or 1)
        section.items.append(FigureOut(fig, f"km_{group}", title, takeaway, notes))
        if group == by[0] and read is not None and groups > 1:
            section.key_points.append(takeaway)
    section.values["logrank_p"] = logrank_p
    return section
