"""Recidivism report: follow-up, Kaplan–Meier curves by group, rates at windows, Cox model.

Clients followed up and excluded are operational counts (exact); re-offending events and
censored clients are sensitive: under ``min_cell`` they read ``"<5"``, protected against the
totals, the other groups and the other windows of the same table (events by 12 months minus
events by 6 months is a count too). A rate, a cumulative incidence or a share is published
only where its events are shown exactly; curves stop where fewer than ``display_min`` remain
at risk. A selection without any record of the outcome (no re-offending register, e.g. a
Bapas whose data hold only programme records) gets one sentence, never a 0 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rehab_eval.reports.sections import _sink
from rehab_eval.reports.sections._model import (
    Context,
    FigureOut,
    Section,
    TableOut,
    latest_event,
    select_or_refuse,
)
from rehab_eval.reports.sections._rates import estimate_texts, has_source, no_source, protect_rates
from rehab_eval.reports.sections._texts import say
from rehab_eval.reports.sections.competing import competing_section
from rehab_eval.reports.sections.km_curves import km_section

__all__ = [
    "Recidivism",
    "competing_section",
    "followup_section",
    "km_section",
    "open_recidivism_report",
    "rates_section",
    "recidivism_context",
    "recidivism_inputs",
    "recidivism_summary",
]


@dataclass(frozen=True)
class Recidivism:
    """The inputs of a recidivism report: the selection and its follow-up.

    Attributes
    ----------
    chosen : object
        The selected tables (``rehab_eval.cohort.select``).
    followup : FollowUp
        ``rehab_eval.recidivism.followup`` of the selection (months).
    outcome, start : str
    end_date : Timestamp
    has_source : bool
        Whether the selection holds any record of the outcome at all.
    """

    chosen: Any
    followup: Any
    outcome: str
    start: str
    end_date: Any
    has_source: bool


def recidivism_context(
    processed_dir: Any,
    *,
    province: Any = None,
    program: Any = None,
    facility: Any = None,
    cohort: Any = None,
    period_start: Any = None,
    period_end: Any = None,
    outcome: str = "any",
    start: str = "release_date",
    end_date: Any = None,
    audience: str | None = None,
    min_cell: int | None = None,
    lang: str = "id",
) -> Context:
    """Load and select the clients, follow them up, and resolve the disclosure policy.

    Raises
    ------
    ConfigError
        ``min_cell`` under the policy in ``publik``.
    InputError
        No client in the selection.
    """
    from rehab_eval.disclosure import resolve

    disclosure = resolve(audience, min_cell, lang=lang)
    chosen = select_or_refuse(
        processed_dir,
        empty="recid.empty",
        lang=lang,
        province=province,
        program=program,
        facility=facility,
        cohort=cohort,
        period_start=period_start,
        period_end=period_end,
    )
    return recidivism_inputs(
        chosen,
        outcome=outcome,
        start=start,
        end_date=end_date,
        program=program,
        disclosure=disclosure,
        period=(period_start, period_end),
        lang=lang,
    )


def recidivism_inputs(
    chosen: Any,
    *,
    outcome: str = "any",
    start: str = "release_date",
    end_date: Any = None,
    program: Any = None,
    disclosure: Any,
    period: Any = (None, None),
    lang: str = "id",
) -> Context:
    """The report's :class:`Context` from selected tables (``clients``, ``enrollments``,
    ``events``, ``urine_tests``): the follow-up in months and whether a source exists.

    ``end_date`` None: the latest event date (else the end of ``period``, else today).
    """
    import pandas as pd

    from rehab_eval import recidivism

    end = pd.Timestamp(end_date) if end_date else latest_event(chosen)
    if pd.isna(end):
        end = pd.Timestamp(period[1] or pd.Timestamp.today().normalize())
    source = has_source(chosen, outcome)  # reads the events whole: the follow-up reuses them
    fu = recidivism.followup(
        chosen, outcome=outcome, start=start, end_date=end, unit="months", program=program
    )
    return Context(
        data=Recidivism(chosen, fu, outcome, start, end, source),
        disclosure=disclosure,
        lang=lang,
        period=tuple(period),
    )


def _observed(ctx: Context) -> str | None:
    from rehab_eval.i18n import format_period

    fu = ctx.data.followup
    if not fu.n_included:
        return None
    period = format_period(fu.table["start"].min(), ctx.data.end_date, ctx.lang)
    return say("recid.observed", ctx.lang, period=period)


def open_recidivism_report(
    ctx: Context,
    output_dir: Any,
    *,
    province: Any = None,
    facility: Any = None,
    program: Any = None,
    cohort: Any = None,
    key_points: list[str] | None = None,
) -> None:
    """Start publishing (title, subtitle, policy, key points) and print the definition."""
    from rehab_eval.i18n import format_date, format_period, label

    lang, r = ctx.lang, ctx.data
    where = ", ".join(
        str(x)
        for x in (province, facility, label("program", program, lang) if program else None, cohort)
        if x
    )
    start, end = ctx.period
    period = format_period(start, end, lang) if start and end else None
    span = f"{say(f'recid.start.{r.start}', lang)} → {format_date(r.end_date, lang)}"
    subtitle = " · ".join(x for x in (where, period, span) if x)
    title = say("recid.title", lang)
    _sink.start(
        output_dir,
        title=title,
        subtitle=subtitle,
        lang=lang,
        report="recidivism_report",
        disclosure=ctx.disclosure,
        office=facility,
    )
    stamp = ctx.disclosure.stamp(lang)
    definition = say(
        "recid.definition",
        lang,
        outcome=say(f"recid.outcome.{r.outcome}", lang),
        start=say(f"recid.start.{r.start}", lang),
        end=format_date(r.end_date, lang),
    )
    head = f"# {title}\n\n**{subtitle}**\n\n" + (f"**{stamp}**\n\n" if stamp else "")
    _sink.markdown(head + definition)
    if key_points:
        _sink.key_points(key_points)


def _followup_counts(ctx: Context) -> dict[str, Any]:
    from rehab_eval.disclosure import show_count, show_counts

    if "followup" not in ctx.shown:
        fu, d = ctx.data.followup, ctx.disclosure
        counts = {
            "included": fu.n_included,
            "events": fu.n_events,
            "competing": fu.n_censored_competing,
            "end_of_study": fu.n_censored_end_of_study,
        }
        kinds = {
            "included": "followed_up",
            "events": "reoffence",
            "competing": "censored",
            "end_of_study": "censored",
        }
        shown = show_counts(
            counts,
            kinds,
            d,
            relations=[("included", ["events", "competing", "end_of_study"])],
            group_size=fu.n_included,
            lang=ctx.lang,
        )
        shown["included"] = show_count(fu.n_included, "followed_up", d, lang=ctx.lang)
        excluded = fu.n_excluded_no_start + fu.n_excluded_start_after_end
        shown["excluded"] = show_count(excluded, "followed_up", d, lang=ctx.lang)
        ctx.shown["followup"] = shown
    return ctx.shown["followup"]


def followup_section(ctx: Context) -> Section:
    """Clients followed up, events, censored and excluded, and the median follow-up."""
    import pandas as pd

    from rehab_eval import recidivism
    from rehab_eval.disclosure import show_statistics

    lang, fu = ctx.lang, ctx.data.followup
    title = say("recid.h.followup", lang)
    if not ctx.data.has_source:
        return Section(
            title=title,
            no_data=no_source(ctx.data.outcome, lang),
        )
    shown = _followup_counts(ctx)
    median_text = "–"
    if fu.n_included:
        # median follow-up by reverse Kaplan–Meier: censoring is the event (Schemper & Smith 1996)
        reverse = recidivism.median_survival(
            fu.table.assign(censored=1 - fu.table["event"]), event="censored"
        ).iloc[0]
        s = show_statistics(
            {
                "median": reverse["median"],
                "ci_low": reverse["ci_low"],
                "ci_high": reverse["ci_high"],
            },
            int(fu.n_included),
            ctx.disclosure,
            n_shown=shown["included"].value is not None,
            lang=lang,
        )
        median_text = s["median"].text
        if s["median"].value is not None and s["ci_low"].value is not None:
            median_text += f" [{s['ci_low'].text}; {s['ci_high'].text}]"
    keys = ["included", "events", "competing", "end_of_study", "excluded"]
    frame = pd.DataFrame(
        {
            say("recid.item", lang): [say(f"recid.row.{k}", lang) for k in [*keys, "median"]],
            say("recid.value", lang): [shown[k].text for k in keys] + [median_text],
        }
    )
    return Section(
        title=title,
        items=[TableOut(frame, "followup")],
        summary={"n_included": shown["included"].text, "n_events": shown["events"].text},
    )


def rates_section(ctx: Context, windows: Any = (6, 12, 24)) -> Section:
    """Re-offending by the windows (KM cumulative incidence, rate), by risk level and overall."""
    import pandas as pd

    from rehab_eval import plots, recidivism
    from rehab_eval.i18n import format_number, label

    lang, fu, d = ctx.lang, ctx.data.followup, ctx.disclosure
    if not ctx.data.has_source or not fu.n_included:
        return Section()
    windows = [int(w) for w in windows]
    by_level = recidivism.rates_at(fu, windows, window_unit="months", by="level")
    rates = by_level.table
    overall = recidivism.rates_at(fu, windows, window_unit="months").table
    shown = protect_rates(ctx, overall, {"level": rates})
    rows, drawn = [], rates.copy()
    for i, row in enumerate(rates.to_dict("records")):
        s = shown[("level", row["group"], row["window"])]
        est = estimate_texts(row, s, d, lang)
        if s["events"].value is None and d.min_cell:  # the plot draws no bar for a hidden count
            drawn.loc[drawn.index[i], "events"] = 1
        rows.append(
            {
                say("recid.window", lang): format_number(row["window"], 0, lang),
                say("recid.group", lang): label("level", row["group"], lang),
                say("recid.n", lang): s["n"].text,
                say("recid.events", lang): s["events"].text,
                say("recid.km", lang): est["km"],
                say("recid.rate", lang): est["rate"],
            }
        )
    windows_text = ", ".join(str(w) for w in windows)
    title = say("recid.rates_title", lang, windows=windows_text)
    fig = plots.plot_rates_at(
        drawn,
        lang=lang,
        min_cell=ctx.min_cell,
        title=title,
        period=_observed(ctx),
    )
    totals = {
        int(r["window"]): estimate_texts(r, shown[("all", "all", r["window"])], d, lang)
        for r in overall.to_dict("records")
    }
    last = windows[-1]
    if "km_share" in totals[last]:
        share = totals[last]["km_share"]
        takeaway = say("recid.rates_takeaway", lang, window=last, share=share)
    else:  # the events are hidden: the sentence says how few, not a share
        events = shown[("all", "all", last)]["events"].text
        takeaway = say("recid.rates_takeaway_hidden", lang, window=last, events=events)
    section = Section(
        title=say("recid.h.rates", lang, windows=windows_text),
        items=[
            FigureOut(fig, "rates_at", title, takeaway, say("recid.rates_notes", lang)),
            TableOut(pd.DataFrame(rows), "rates"),
        ],
        summary={
            "km_cumulative_incidence": {
                str(w): t.get("km_share", t["km"]) for w, t in totals.items()
            }
        },
        values={"km_cumulative_incidence": {str(w): t["values"] for w, t in totals.items()}},
        key_points=[takeaway],
    )
    n_all = shown[("all", "all", windows[0])]
    section.narrative["rates"] = " ".join(
        say("recid.summary_rate", lang, window=w, share=t["km"]) for w, t in totals.items()
    )
    section.narrative["n"] = n_all["n"].text
    return section


def recidivism_summary(ctx: Context, *sections: Section) -> Section:
    """The closing paragraph, key points, definitions and the report's identity strings.

    Build it before publishing: its ``key_points`` open the report (the paragraph, then the
    takeaways of the Kaplan–Meier curves, the competing ends and the Cox model, in the order
    the sections are given).
    """
    from rehab_eval.i18n import format_date

    lang, r, d = ctx.lang, ctx.data, ctx.disclosure
    outcome = say(f"recid.outcome.{r.outcome}", lang)
    identity = {
        "report": "recidivism_report",
        "outcome": r.outcome,
        "start": r.start,
        "end_date": str(r.end_date.date()),
        "audience": d.audience,
    }
    definitions = [
        say(
            k,
            lang,
            outcome=outcome,
            start=say(f"recid.start.{r.start}", lang),
            end=format_date(r.end_date, lang),
        )
        for k in ("recid.def.outcome", "recid.def.km", "recid.def.rate", "recid.def.cox")
    ]
    if any("aalen_johansen" in s.values for s in sections):
        definitions.append(say("recid.def.aj", lang))
    definitions.append(d.short_form(lang))
    if not r.has_source:  # the follow-up section's one sentence says it all
        return Section(
            definitions=definitions,
            summary=identity | {"km_cumulative_incidence": {}, "cox_exploratory": True},
        )
    shown = _followup_counts(ctx)
    found = {k: v for s in sections for k, v in s.narrative.items()}
    text = say(
        "recid.summary",
        lang,
        n=shown["included"].text,
        events=shown["events"].text,
        outcome_short=outcome.split(" (")[0],
        rates=found.get("rates", ""),
    ).strip()
    # the paragraph already gives the rates: the other sections' takeaways follow it
    points = [p for s in sections if "rates" not in s.narrative for p in s.key_points][:4]
    return Section(
        title=say("h.summary", lang),
        items=[text],
        key_points=[text, *points],
        definitions=definitions,
        summary=identity,
    )
