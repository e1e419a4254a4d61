"""Re-offending with competing ends: Aalen–Johansen cumulative incidence beside 1 − KM.

Death, transfer and loss to supervision end follow-up and preclude re-offending: 1 − KM
treats them as censored and so overstates the share re-offending. Events are protected as in
the rates section (the same counts, :func:`~rehab_eval.reports.sections._rates.protect_rates`);
an estimate is drawn and written only where its events are shown exactly.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.reports.sections._model import Context, FigureOut, Section, TableOut
from rehab_eval.reports.sections._rates import protect_rates
from rehab_eval.reports.sections._texts import say

__all__ = ["competing_section"]


def _aalen_johansen(ctx: Context, times: list[int]) -> Any:
    """Cumulative incidence of the outcome with the other ends competing, by ``times``."""
    import numpy as np

    from rehab_eval import recidivism

    table = ctx.data.followup.table
    ended = table.assign(ended=np.where(table["event"] == 1, "outcome", table["event_kind"]))
    return recidivism.cumulative_incidence(
        ended, event_kind="ended", event_of_interest="outcome", times=times
    ).set_index("time")


def competing_section(ctx: Context, times: Any = (6, 12, 24)) -> Section:
    """Cumulative incidence with competing ends (Aalen–Johansen) beside 1 − Kaplan–Meier:
    a figure (both estimates at each window), its takeaway as a key point, the table and the
    definition; one sentence when no client had a competing end."""
    import pandas as pd

    from rehab_eval import plots, recidivism
    from rehab_eval.disclosure.values import round_for_display
    from rehab_eval.i18n import format_ci, format_number, format_percent
    from rehab_eval.reports.sections.recidivism import _followup_counts, _observed
    from rehab_eval.vocab import COMPETING_EVENT_KINDS

    lang, fu, d = ctx.lang, ctx.data.followup, ctx.disclosure
    if not ctx.data.has_source or not fu.n_included:
        return Section()
    title = say("recid.h.competing", lang)
    if not fu.table["event_kind"].isin(COMPETING_EVENT_KINDS).any():
        return Section(title=title, no_data=say("recid.competing_none", lang))
    times = [int(w) for w in times]
    aj = _aalen_johansen(ctx, times)
    overall = recidivism.rates_at(fu, times, window_unit="months").table
    shown = protect_rates(ctx, overall, {})
    digits = d.precision("survival")

    def pct(value: float, low: float, high: float) -> str:
        if value != value:
            return "–"
        return f"{format_percent(value, digits, lang)} {format_ci(low * 100, high * 100, digits, lang)}"

    methods = {"aj": say("recid.method.aj", lang), "km": say("recid.method.km", lang)}
    rows, values, drawn = [], {}, []
    for r in overall.to_dict("records"):
        w = int(r["window"])
        s = shown[("all", "all", r["window"])]
        a = aj.loc[float(w)]
        exact = s["events"].value is not None
        mark = s["events"].text
        rows.append(
            {
                say("recid.window", lang): format_number(w, 0, lang),
                say("recid.events", lang): s["events"].text,
                say("recid.aj", lang): pct(a["cum_incidence"], a["ci_low"], a["ci_high"])
                if exact
                else mark,
                say("recid.km", lang): pct(r["km_cum_incidence"], r["km_ci_low"], r["km_ci_high"])
                if exact
                else mark,
            }
        )
        values[str(w)] = (
            {
                "aalen_johansen": round_for_display(a["cum_incidence"], "survival", d),
                "one_minus_km": round_for_display(r["km_cum_incidence"], "survival", d),
            }
            if exact
            else None
        )
        # a window whose events are hidden draws no bar (the plot hides a count under min_cell)
        events = int(r["events"]) if exact else (1 if d.min_cell else int(r["events"]))
        for key, (est, lo, hi) in {
            "aj": (a["cum_incidence"], a["ci_low"], a["ci_high"]),
            "km": (r["km_cum_incidence"], r["km_ci_low"], r["km_ci_high"]),
        }.items():
            drawn.append(
                {
                    "group": methods[key],
                    "window": w,
                    "unit": "months",
                    "n": r["n"],
                    "events": events,
                    "cum_incidence": est,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    fig_title = say("recid.competing_title", lang)
    fig = plots.plot_rates_at(
        pd.DataFrame(drawn),
        lang=lang,
        min_cell=ctx.min_cell,
        title=fig_title,
        subtitle=say(
            "recid.competing_subtitle",
            lang,
            n=shown[("all", "all", overall["window"].iloc[0])]["n"].text,
            ended=_followup_counts(ctx)["competing"].text,
        ),
        period=_observed(ctx),
    )
    takeaway = _takeaway(ctx, times, values, shown, overall)
    return Section(
        title=title,
        items=[
            say("recid.competing_note", lang),
            FigureOut(fig, "competing", fig_title, takeaway, say("recid.competing_note", lang)),
            TableOut(pd.DataFrame(rows), "competing"),
        ],
        values={"aalen_johansen": values},
        key_points=[takeaway],
    )


def _takeaway(ctx: Context, times: list[int], values: dict, shown: dict, overall: Any) -> str:
    """The last window whose events are shown: both estimates; else how few events there are."""
    from rehab_eval.i18n import format_percent

    lang, d = ctx.lang, ctx.disclosure
    digits = d.precision("survival")
    exact = [w for w in times if values[str(w)] is not None]
    if not exact:
        last = overall["window"].iloc[-1]
        events = shown[("all", "all", last)]["events"].text
        return say("recid.competing_takeaway_hidden", lang, window=int(last), events=events)
    w = exact[-1]
    return say(
        "recid.competing_takeaway",
        lang,
        window=w,
        aj=format_percent(values[str(w)]["aalen_johansen"], digits, lang),
        km=format_percent(values[str(w)]["one_minus_km"], digits, lang),
    )
