"""Program overview: reach, completion, WHOQOL-BREF change and re-offending per facility.

Clients, completed clients and pairs are operational counts: exact once a facility-year has
``min_cell`` clients, in both audiences, so the completion of a 63-client facility is shown
(a group under ``min_cell`` reads ``"<5"`` and nothing is counted inside it). Re-offending
events are sensitive: protected across facilities, release years and the whole with
``sections._rates.protect_rates``; a share is published only where
its events are shown. A selection without any re-offending record gets one sentence.
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
    timepoints,
)
from rehab_eval.reports.sections._texts import say
from rehab_eval.reports.sections.trajectories import (
    trajectory_definition,
    whoqol_trajectory_section,
)

__all__ = [
    "Overview",
    "completion_section",
    "grouped_facilities",
    "open_overview_report",
    "overview_context",
    "overview_inputs",
    "overview_summary",
    "reach_section",
    "reoffending_section",
    "whoqol_trajectory_section",
]


@dataclass(frozen=True)
class Overview:
    """The inputs of a program overview.

    Attributes
    ----------
    chosen : object
        The selected tables.
    reach : DataFrame
        ``year``, ``facility`` (the ``max_facilities`` largest by name, the rest grouped),
        ``n_clients``, ``n_completed``.
    top : list of str
        The facilities shown by name.
    followup : FollowUp or None
        From release, in months (None without a re-offending record).
    outcome : str
    window : int
    end_date : Timestamp
    """

    chosen: Any
    reach: Any
    top: list[str]
    followup: Any
    outcome: str
    window: int
    end_date: Any


def grouped_facilities(facility: Any, top: list[str], lang: str) -> Any:
    """Facility names, those outside ``top`` grouped as "Fasilitas lain" / "Other facilities"."""
    return facility.where(facility.isin(top), say("ov.other", lang))


def overview_context(
    processed_dir: Any,
    *,
    province: Any = None,
    program: Any = None,
    facility: Any = None,
    cohort: Any = None,
    period_start: Any = None,
    period_end: Any = None,
    pre: str | None = None,
    post: str | None = None,
    outcome: str = "any",
    window: int = 12,
    end_date: Any = None,
    max_facilities: int = 12,
    audience: str | None = None,
    min_cell: int | None = None,
    lang: str = "id",
) -> Context:
    """Load and select the clients, group the facilities, follow them up from release.

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
    return overview_inputs(
        chosen,
        pre=pre,
        post=post,
        outcome=outcome,
        window=window,
        end_date=end_date,
        max_facilities=max_facilities,
        disclosure=disclosure,
        period=(period_start, period_end),
        lang=lang,
    )


def overview_inputs(
    chosen: Any,
    *,
    pre: str | None = None,
    post: str | None = None,
    outcome: str = "any",
    window: int = 12,
    end_date: Any = None,
    max_facilities: int = 12,
    disclosure: Any,
    period: Any = (None, None),
    lang: str = "id",
) -> Context:
    """The overview's :class:`Context` from selected tables: facilities grouped (the
    ``max_facilities`` largest by name), follow-up from release when a source exists."""
    import pandas as pd

    from rehab_eval import cohort as cohorts
    from rehab_eval import recidivism
    from rehab_eval.reports.sections._rates import has_source

    reach = cohorts.reach(chosen, by="facility")
    top = list(reach.groupby("facility")["n_clients"].sum().nlargest(max_facilities).index)
    reach = (
        reach.assign(facility=grouped_facilities(reach["facility"], top, lang))
        .groupby(["year", "facility"], as_index=False)[["n_clients", "n_completed"]]
        .sum()
    )
    end = pd.Timestamp(end_date) if end_date else latest_event(chosen)
    fu = None
    if has_source(chosen, outcome) and not pd.isna(end):
        fu = recidivism.followup(
            chosen, outcome=outcome, start="release_date", end_date=end, unit="months"
        )
        fu = fu.assign(
            facility=grouped_facilities(fu.table["facility"], top, lang),
            release_year=fu.table["start"].dt.year.astype(str),
        )
    if pre is None or post is None:
        first, last = timepoints(chosen) or ("pre", "post")
        pre, post = pre or first, post or last
    chosen = _whoqol_only(chosen)
    return Context(
        data=Overview(chosen, reach, top, fu, outcome, int(window), end),
        disclosure=disclosure,
        lang=lang,
        period=tuple(period),
        pre=pre,
        post=post,
        flow={"enrolled": int(chosen.enrollments["client_id"].nunique())},
    )


def _whoqol_only(chosen: Any) -> Any:
    """The selection with only the WHOQOL-BREF domain scores (the sections' only scores)."""
    from rehab_eval.etl.processed import replace_tables, table, table_columns
    from rehab_eval.reports.sections import facility_change, trajectories

    if table_columns(chosen, "scores") is None:
        return chosen
    scores = table(
        chosen, "scores", columns=["client_id", "instrument", "timepoint"],
        keep=[*facility_change.DOMAINS, *trajectories.DOMAINS],
        filters=[("instrument", "==", "whoqol_bref")],
    )  # fmt: skip
    return replace_tables(chosen, {"scores": scores})


def _per_year(ctx: Context) -> Any:
    from rehab_eval.disclosure import show_count

    if "per_year" not in ctx.shown:
        per_year = ctx.data.reach.groupby("year")["n_clients"].sum()
        ctx.shown["per_year"] = {
            str(y): show_count(n, "enrolled", ctx.disclosure, lang=ctx.lang)
            for y, n in per_year.items()
        }
    return ctx.shown["per_year"]


def open_overview_report(
    ctx: Context,
    output_dir: Any,
    *,
    province: Any = None,
    facility: Any = None,
    program: Any = None,
    cohort: Any = None,
    key_points: list[str] | None = None,
) -> None:
    """Start publishing (title, subtitle, policy, key points) and print the intro."""
    from rehab_eval.disclosure import show_count
    from rehab_eval.i18n import format_period, label

    lang, d = ctx.lang, ctx.disclosure
    where = ", ".join(
        str(x)
        for x in (province, facility, label("program", program, lang) if program else None, cohort)
        if x
    )
    period = format_period(*ctx.period, lang)
    subtitle = " · ".join(x for x in (where, period) if x)
    title = say("ov.title", lang)
    _sink.start(
        output_dir,
        title=title,
        subtitle=subtitle,
        lang=lang,
        report="program_overview",
        disclosure=d,
        office=facility or province,
    )
    stamp = d.stamp(lang)
    intro = say(
        "ov.intro",
        lang,
        n=show_count(ctx.flow["enrolled"], "enrolled", d, lang=lang).text,
        facilities=ctx.data.reach["facility"].nunique(),
        period=period,
    )
    head = f"# {title}\n\n**{subtitle}**\n\n" + (f"**{stamp}**\n\n" if stamp else "")
    _sink.markdown(head + intro)
    if key_points:
        _sink.key_points(key_points)


def reach_section(ctx: Context) -> Section:
    """Clients reached per year and facility (operational counts)."""
    from rehab_eval import plots
    from rehab_eval.i18n import t

    lang = ctx.lang
    years = ", ".join(f"{y}: {n.text}" for y, n in _per_year(ctx).items())
    takeaway = say("ov.reach_takeaway", lang, years=years)
    fig = plots.plot_reach(ctx.data.reach, lang=lang, min_cell=ctx.min_cell, period=ctx.period)
    return Section(
        title=say("ov.h.reach", lang),
        items=[FigureOut(fig, "reach", t("fig.reach.title", lang), takeaway)],
        summary={"clients_per_year": {y: n.text for y, n in _per_year(ctx).items()}},
    )  # no key point: the summary's first sentence says the same


def completion_section(ctx: Context) -> Section:
    """Clients and completed clients per facility and year, with the completion share."""
    import pandas as pd

    from rehab_eval.disclosure import show_count, show_share

    lang, d, reach = ctx.lang, ctx.disclosure, ctx.data.reach
    rows = []
    for r in reach.to_dict("records"):
        clients = show_count(r["n_clients"], "enrolled", d, lang=lang)
        completed = show_count(
            r["n_completed"], "completed", d, group_size=r["n_clients"], lang=lang
        )
        share = show_share(
            r["n_completed"],
            r["n_clients"],
            d,
            kind="completed",
            denominator_kind="enrolled",
            lang=lang,
        )
        rows.append(
            {
                say("ov.facility", lang): r["facility"],
                say("ov.year", lang): str(r["year"]),
                say("ov.clients", lang): clients.text,
                say("ov.completed", lang): completed.text,
                say("ov.share", lang): share.percent.text,
            }
        )
    total = show_share(
        int(reach["n_completed"].sum()),
        int(reach["n_clients"].sum()),
        d,
        kind="completed",
        denominator_kind="enrolled",
        lang=lang,
    )
    ctx.shown["completed_share"] = total
    return Section(
        title=say("ov.h.completion", lang),
        items=[TableOut(pd.DataFrame(rows), "completion")],
        summary={"completed_share": total.percent.text},
        values={"completed_share": total.percent.value},
    )


def reoffending_section(ctx: Context) -> Section:
    """Re-offending within the window per facility and per release year, events protected."""
    import pandas as pd

    from rehab_eval import plots, recidivism
    from rehab_eval.i18n import format_date, format_period
    from rehab_eval.reports.sections._rates import estimate_texts, no_source, protect_rates

    lang, d, o = ctx.lang, ctx.disclosure, ctx.data
    title = say("ov.h.reoffend", lang)
    outcome = say(f"recid.outcome.{o.outcome}", lang)
    if o.followup is None or not o.followup.n_included:
        return Section(title=title, no_data=no_source(o.outcome, lang))
    fu, window = o.followup, [o.window]
    by_fac = recidivism.rates_at(fu, window, window_unit="months", by="facility")
    by_year = recidivism.rates_at(fu, window, window_unit="months", by="release_year").table
    overall = recidivism.rates_at(fu, window, window_unit="months").table
    shown = protect_rates(ctx, overall, {"facility": by_fac.table, "release_year": by_year})
    drawn = by_fac.table.copy()
    texts = {}
    for i, r in enumerate(by_fac.table.to_dict("records")):
        s = shown[("facility", r["group"], r["window"])]
        texts[r["group"]] = estimate_texts(r, s, d, lang)
        if s["events"].value is None and d.min_cell:  # no bar for a hidden count
            drawn.loc[drawn.index[i], "events"] = 1
    total = shown[("all", "all", o.window)]
    all_texts = estimate_texts(overall.iloc[0].to_dict(), total, d, lang)
    plot_title = say("ov.rates_title", lang, window=o.window)
    fig = plots.plot_rates_at(
        drawn,
        lang=lang,
        min_cell=ctx.min_cell,
        by="group",
        title=plot_title,
        subtitle=say(
            "ov.rates_subtitle",
            lang,
            n=total["n"].text,
            period=format_period(*ctx.period, lang),
            end=format_date(o.end_date, lang),
        ),
    )
    exact = [t["km_share"] for t in texts.values() if t["values"] is not None]
    values = [t["values"]["km_cum_incidence"] for t in texts.values() if t["values"] is not None]
    if exact:
        low = exact[values.index(min(values))]
        high = exact[values.index(max(values))]
        key = "ov.rates_takeaway" if len(exact) > 1 else "ov.rates_takeaway_one"
        takeaway = say(key, lang, window=o.window, low=low, high=high)
    else:
        takeaway = say("ov.rates_takeaway_hidden", lang, window=o.window)
    section = Section(
        title=title,
        items=[
            say(
                "ov.reoffend_note",
                lang,
                outcome=outcome,
                window=o.window,
                end=format_date(o.end_date, lang),
            ),
            FigureOut(fig, "reoffending_by_facility", plot_title, takeaway),
        ],
        key_points=[takeaway],
    )
    for name, frame, key, head in (
        ("facility", by_fac.table, "reoffending_facility", say("ov.facility", lang)),
        ("release_year", by_year, "reoffending_year", say("ov.release_year", lang)),
    ):
        rows = []
        for r in frame.to_dict("records"):
            s = shown[(name, r["group"], r["window"])]
            rows.append(
                {
                    head: r["group"],
                    say("ov.clients", lang): s["n"].text,
                    say("recid.events", lang): s["events"].text,
                    say("recid.km", lang): estimate_texts(r, s, d, lang)["km"],
                }
            )
        section.items.append(TableOut(pd.DataFrame(rows), key))
    share = all_texts.get("km_share", all_texts["km"])
    section.summary["reoffended_within_window"] = {"window_months": o.window, "share": share}
    section.values["reoffended_within_window"] = all_texts["values"]
    section.narrative["reoffend"] = say("ov.summary_reoffend", lang, window=o.window, share=share)
    return section


def overview_summary(ctx: Context, *sections: Section, province: Any = None) -> Section:
    """The closing paragraph, key points, definitions and the report's identity strings.

    Pass the sections in publishing order (reach, completion, WHOQOL change, trajectories,
    re-offending): their takeaways follow the paragraph on the summary slide; the trajectory's
    definition joins the others when its figure is drawn.
    """
    from rehab_eval.i18n import format_period

    lang, d = ctx.lang, ctx.disclosure
    from rehab_eval.disclosure import show_count

    share = ctx.shown.get("completed_share")
    found = {k: v for s in sections for k, v in s.narrative.items()}
    years = ", ".join(f"{y}: {n.text}" for y, n in _per_year(ctx).items())
    n = show_count(ctx.flow["enrolled"], "enrolled", d, lang=lang).text
    text = say(
        "ov.summary",
        lang,
        n=n,
        years=years,
        completed_share=share.percent.text if share is not None else "–",
        reoffend=found.get("reoffend", ""),
    ).strip()
    drawn = any("whoqol_trajectory" in s.values for s in sections)
    keys = ("reach", "completed", "whoqol", *(["trajectory"] if drawn else []), "recid")
    definitions = [
        trajectory_definition(lang) if k == "trajectory" else say(f"ov.def.{k}", lang) for k in keys
    ]
    definitions.append(d.short_form(lang))
    # the takeaways of the sections (WHOQOL change, trajectories, re-offending), four at most
    points = [p for s in sections for p in s.key_points][:4]
    return Section(
        title=say("h.summary", lang),
        items=[text],
        key_points=[text, *points],
        definitions=definitions,
        summary={
            "report": "program_overview",
            "period": format_period(*ctx.period, lang),
            "province": province,
            "n_clients": n,
            "facilities": int(ctx.data.reach["facility"].nunique()),
            "audience": d.audience,
        },
    )
