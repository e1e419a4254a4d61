"""Community programme report (Intervensi Berbasis Masyarakat, IBM): reach, sessions and
attendance over time, counselling dosage, and outcomes where instruments exist.

Clients enrolled, sessions recorded and attended, and clients reached are operational
counts: exact once the group reaches ``min_cell`` (a group below it reads ``"<5"`` and
nothing inside it is counted). Outcomes reuse the cohort sections (WHOQOL-BREF, URICA,
urine tests) with their own policy; a selection without any instrument gets one sentence
saying so, never a 0 %.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.reports.sections import _sink
from rehab_eval.reports.sections._model import Context, FigureOut, Section, TableOut
from rehab_eval.reports.sections._texts import speaker

__all__ = [
    "community_context",
    "counselling_section",
    "community_summary",
    "open_community_report",
    "outcome_sections",
    "reach_section",
    "sessions_section",
]

STATUSES = ("completed", "active", "dropped_out", "transferred")


say = speaker("community.toml")


def community_context(processed_dir: Any, **selection: Any) -> Context:
    """The selection and policy (:func:`rehab_eval.reports.sections.cohort_context`), with an
    open period taken from the first and last programme start of the selection."""
    import rehab_eval
    from rehab_eval.reports.sections import cohort_context

    if selection.get("period_start") is None or selection.get("period_end") is None:
        from rehab_eval import cohort as cohorts

        keys = ("program", "facility", "cohort", "period_start", "period_end")
        data = rehab_eval.load_processed(processed_dir)
        starts = (
            cohorts.select(data, **{k: selection.get(k) for k in keys})
            .enrollments["start_date"]
            .dropna()
        )
        if len(starts):
            selection["period_start"] = (
                selection.get("period_start") or starts.min().date().isoformat()
            )
            selection["period_end"] = selection.get("period_end") or starts.max().date().isoformat()
    return cohort_context(processed_dir, **selection)


def _tiny(ctx: Context) -> bool:
    m = ctx.disclosure.min_cell
    return bool(m) and 0 < ctx.flow.get("enrolled", 0) < m


def _enrolled(ctx: Context) -> Any:
    from rehab_eval.disclosure import show_count

    return show_count(ctx.flow.get("enrolled"), "enrolled", ctx.disclosure, lang=ctx.lang)


def open_community_report(
    ctx: Context, output_dir: Any, *, facility: Any = None, program: Any = None,
    cohort: Any = None, key_points: list[str] | None = None,
) -> None:  # fmt: skip
    """Start publishing (title, subtitle, policy, key points) and write the intro paragraph."""
    from rehab_eval.i18n import format_period, label

    lang, d = ctx.lang, ctx.disclosure
    when = format_period(*ctx.period, lang)
    where = ", ".join(
        x for x in (facility, label("program", program, lang) if program else None, cohort) if x
    )
    subtitle = f"{where} · {when}" if where else when
    title = say("title", lang)
    _sink.start(output_dir, title=title, subtitle=subtitle, lang=lang, report="community_report",
                disclosure=d, office=facility)  # fmt: skip
    n = _enrolled(ctx)
    policy = say("tiny" if _tiny(ctx) else "policy", lang, min_cell=d.min_cell or 1)
    stamp = d.stamp(lang)
    intro = say("intro", lang, n=n.text, period=when, policy=policy)
    _sink.markdown(
        f"# {title}\n\n**{subtitle}**\n\n" + (f"**{stamp}**\n\n" if stamp else "") + intro
    )
    if key_points:
        _sink.key_points(key_points)
    _sink.summary(report="community_report", period=when, facility=facility, program=program,
                  cohort=cohort, audience=d.audience, n_enrolled=n.text)  # fmt: skip


def _month_label(period: Any, lang: str, short: bool = False) -> str:
    """``Januari 2025`` (``Jan 2025`` when short: the first three letters are the usual
    abbreviation in both languages)."""
    from rehab_eval.i18n import format_date

    month, year = format_date(period.to_timestamp().date(), lang).split(" ")[1:]
    return f"{month[:3]} {year}" if short else f"{month} {year}"


def _frame(fig: Any, ctx: Context, key: str) -> None:
    from rehab_eval.i18n import format_period
    from rehab_eval.plots._frame import FrameText, decorate

    sub = say(
        "fig.sub", ctx.lang, n=_enrolled(ctx).text, period=format_period(*ctx.period, ctx.lang)
    )
    decorate(fig, None, FrameText(say(key, ctx.lang), sub, say("fig.source", ctx.lang)), own=True)


def reach_section(ctx: Context) -> Section:
    """Clients by month of programme start (figure) and by status (table)."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from rehab_eval.disclosure import show_counts
    from rehab_eval.i18n import label
    from rehab_eval.plots._frame import number_axis
    from rehab_eval.plots.style import OKABE_ITO, slide_style

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.reach", lang)
    if _tiny(ctx):
        return Section(title=title, items=[say("tiny", lang, min_cell=d.min_cell)])
    enrollments = ctx.data.enrollments.drop_duplicates("client_id")
    size = ctx.flow["enrolled"]
    status = enrollments["status"].astype("string").fillna("active").value_counts()
    codes = [s for s in STATUSES if s in status.index or s != "transferred"]
    counts = {s: int(status.get(s, 0)) for s in codes}
    shown = show_counts(counts, dict(zip(codes, codes, strict=True)), d, group_size=size, lang=lang)
    table = pd.DataFrame({say("col.status", lang): [label("status", s, lang) for s in codes],
                          say("col.n", lang): [shown[s].text for s in codes]})  # fmt: skip
    months = enrollments["start_date"].dt.to_period("M")
    per_month = months.value_counts().sort_index()
    every = pd.period_range(per_month.index.min(), per_month.index.max(), freq="M")
    per_month = per_month.reindex(every, fill_value=0)
    with slide_style():
        fig, ax = plt.subplots()
        names = [_month_label(p, lang, short=True) for p in per_month.index]
        ax.bar(range(len(names)), per_month.to_numpy(), 0.6, color=OKABE_ITO["blue"])
        top = max(int(per_month.max()), 1)
        for i, v in enumerate(per_month.to_numpy()):
            ax.text(
                i,
                v + top * 0.02,
                str(int(v)),
                ha="center",
                va="bottom",
                fontsize=20,
                fontweight="bold",
            )
        ax.set_xticks(range(len(names)), names)
        ax.set_ylabel(say("axis.clients", lang))
        ax.set_ylim(0, top * 1.2)
        number_axis(ax.yaxis, lang)
        _frame(fig, ctx, "fig.reach")
    first, last = (_month_label(p, lang) for p in (per_month.index[0], per_month.index[-1]))
    takeaway = say("reach.takeaway", lang, n=_enrolled(ctx).text, first=first, last=last,
                   completed=shown["completed"].text, active=shown["active"].text,
                   dropped=shown["dropped_out"].text)  # fmt: skip
    return Section(
        title=title,
        items=[
            FigureOut(
                fig,
                "reach_by_month",
                say("fig.reach", lang),
                takeaway,
                say("reach.notes", lang, n=_enrolled(ctx).text),
            ),
            TableOut(table, "status"),
        ],  # fmt: skip
        summary={f"n_{s}": shown[s].text for s in codes},
        narrative={"completed": shown["completed"].text},
        key_points=[takeaway],
    )


def sessions_section(ctx: Context) -> Section:
    """Sessions recorded and attended per month, the attendance rate and clients attending."""
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from rehab_eval.disclosure import show_count
    from rehab_eval.disclosure.values import round_for_display
    from rehab_eval.i18n import format_percent
    from rehab_eval.plots._frame import number_axis
    from rehab_eval.plots.style import FAINT, OKABE_ITO, slide_style

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.sessions", lang)
    contacts = getattr(ctx.data, "contacts", None)
    if contacts is None or not len(contacts):
        return Section(title=title, no_data=say("no_contacts", lang))
    if _tiny(ctx):
        return Section(title=title, items=[say("tiny", lang, min_cell=d.min_cell)])
    size = ctx.flow["enrolled"]
    attended = contacts["attended"].fillna(False).astype(bool)
    month = contacts["date"].dt.to_period("M")
    grouped = pd.DataFrame({"month": month, "attended": attended, "client": contacts["client_id"]})
    per = grouped.groupby("month").agg(
        recorded=("attended", "size"), attended=("attended", "sum"),
        clients=("client", lambda c: c[grouped.loc[c.index, "attended"]].nunique()),
    )  # fmt: skip
    every = pd.period_range(per.index.min(), per.index.max(), freq="M")
    per = per.reindex(every, fill_value=0)
    digits = d.precision("percent")

    def count(n: Any, kind: str) -> Any:
        return show_count(int(n), kind, d, group_size=size, lang=lang)

    rows = []
    for p, r in per.iterrows():
        rate = format_percent(r["attended"] / r["recorded"], digits, lang) if r["recorded"] else "–"
        rows.append({say("col.month", lang): _month_label(p, lang),
                     say("col.recorded", lang): count(r["recorded"], "contacts").text,
                     say("col.attended", lang): count(r["attended"], "contacts_attended").text,
                     say("col.rate", lang): rate,
                     say("col.clients", lang): count(r["clients"], "followed_up").text})  # fmt: skip
    names = [_month_label(p, lang, short=True) for p in per.index]
    with slide_style():
        fig, ax = plt.subplots()
        x = np.arange(len(names))
        ax.bar(x - 0.2, per["recorded"], 0.4, color=FAINT, label=say("legend.recorded", lang))
        ax.bar(
            x + 0.2,
            per["attended"],
            0.4,
            color=OKABE_ITO["blue"],
            label=say("legend.attended", lang),
        )
        top = max(int(per["recorded"].max()), 1)
        for i, r in enumerate(per.itertuples()):
            if r.recorded:
                ax.text(i + 0.2, r.attended + top * 0.02, format_percent(r.attended / r.recorded, digits, lang),
                        ha="center", va="bottom", fontsize=16, fontweight="bold")  # fmt: skip
        ax.set_xticks(x, names)
        ax.set_ylabel(say("axis.sessions", lang))
        ax.set_ylim(0, top * 1.25)
        number_axis(ax.yaxis, lang)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=16)
        _frame(fig, ctx, "fig.sessions")
        fig.subplots_adjust(right=0.84)
    total_rec, total_att = int(per["recorded"].sum()), int(per["attended"].sum())
    rate = total_att / total_rec
    rates = per["attended"] / per["recorded"].where(per["recorded"] > 0)
    takeaway = say("sessions.takeaway", lang, attended=count(total_att, "contacts_attended").text,
                   recorded=count(total_rec, "contacts").text,
                   rate=format_percent(rate, digits, lang), low=format_percent(np.nanmin(rates), digits, lang),
                   high=format_percent(np.nanmax(rates), digits, lang))  # fmt: skip
    return Section(
        title=title,
        items=[
            FigureOut(
                fig,
                "sessions_by_month",
                say("fig.sessions", lang),
                takeaway,
                say("sessions.notes", lang, n=_enrolled(ctx).text),
            ),
            TableOut(pd.DataFrame(rows), "sessions_by_month"),
        ],  # fmt: skip
        summary={
            "sessions_recorded": count(total_rec, "contacts").text,
            "sessions_attended": count(total_att, "contacts_attended").text,
            "attendance_rate": format_percent(rate, digits, lang),
        },  # fmt: skip
        values={"attendance_rate": round_for_display(rate, "percent", d)},
        narrative={"sessions": takeaway},
        key_points=[takeaway],
    )


def counselling_section(ctx: Context) -> Section:
    """Per service kind (counselling first): clients served, sessions attended of recorded,
    attendance, and sessions attended per client (median [IQR]); kinds without any record
    (urine tests in a programme that takes none) are left out, not shown as 0."""
    import pandas as pd

    from rehab_eval import cohort as cohorts
    from rehab_eval.disclosure import show_count, show_statistics
    from rehab_eval.i18n import format_percent, label

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.counselling", lang)
    if _tiny(ctx):
        return Section(title=title, items=[say("tiny", lang, min_cell=d.min_cell)])
    dosage = cohorts.dosage(ctx.data)
    dosage = dosage[dosage["n_scheduled"] > 0]
    if not len(dosage):
        return Section(title=title, no_data=say("no_contacts", lang))
    size = ctx.flow.get("enrolled")
    rows = []
    for r in dosage.to_dict("records"):
        reached = show_count(r["n_clients_any"], "followed_up", d, group_size=size, lang=lang)
        attended = show_count(r["n_attended"], "contacts_attended", d, group_size=size, lang=lang)
        recorded = show_count(r["n_scheduled"], "contacts", d, group_size=size, lang=lang)
        stats = show_statistics(
            {k: r[k] for k in ("median", "q1", "q3")}, int(r["n_clients"]), d, lang=lang
        )
        rows.append({
            say("col.kind", lang): say("urine_test", lang) if r["kind"] == "urine_test" else label("contact_kind", r["kind"], lang),
            say("col.reached", lang): reached.text,
            say("col.att_rec", lang): f"{attended.text} / {recorded.text}",
            say("col.rate", lang): format_percent(r["attendance_rate"], d.precision("percent"), lang),
            say("col.per_client", lang): stats["median"].text if stats["median"].value is None
            else f"{stats['median'].text} [{stats['q1'].text}–{stats['q3'].text}]",
        })  # fmt: skip
    return Section(title=title, items=[TableOut(pd.DataFrame(rows), "services_per_client")])


def outcome_sections(ctx: Context) -> list[Section]:
    """WHOQOL-BREF and URICA change where the selection has instrument data; else one
    section with one sentence saying there is none."""
    from rehab_eval.reports.sections import urica_change, whoqol_change

    scores = ctx.data.scores
    measured = (
        scores is not None and scores["instrument"].astype(str).isin(["whoqol_bref", "urica"]).any()
    )
    if not measured:
        return [Section(title=say("h.outcomes", ctx.lang), no_data=say("no_instruments", ctx.lang))]
    return [whoqol_change(ctx), urica_change(ctx)]


def community_summary(ctx: Context, *sections: Section) -> Section:
    """The closing paragraph, the key points and the definitions (policy included)."""
    lang, d = ctx.lang, ctx.disclosure
    found = {k: v for s in sections for k, v in s.narrative.items()}
    text = say("sum.text", lang, n=_enrolled(ctx).text, completed=found.get("completed", "–"),
               sessions=found.get("sessions", say("no_contacts", lang)))  # fmt: skip
    if _tiny(ctx):
        text = say("tiny", lang, min_cell=d.min_cell)
    nodata = [s.no_data for s in sections if s.no_data]
    points = [p for s in sections for p in s.key_points][:4] + nodata[:1]
    definitions = [say("def.ibm", lang), say("def.attendance", lang), d.short_form(lang)]
    return Section(title=say("h.summary", lang), items=[" ".join([text, *nodata])],
                   key_points=points or [text], definitions=definitions)  # fmt: skip
