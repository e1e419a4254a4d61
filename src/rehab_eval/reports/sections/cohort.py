"""Cohort report: selection and policy (:func:`cohort_context`), title and intro, client
flow, attendance and dosage, and the closing summary with its key points.

Flow steps (enrolled, assessed before/after, completed) and contacts/tests are operational
counts: exact once the cohort reaches ``min_cell``, in both audiences; in a cohort under
``min_cell`` the size reads ``"<5"`` and nothing inside it is counted.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.reports.sections import _sink
from rehab_eval.reports.sections._model import (
    Context,
    FigureOut,
    Section,
    TableOut,
    select_or_refuse,
    timepoints,
)
from rehab_eval.reports.sections._texts import say

__all__ = [
    "cohort_context",
    "cohort_summary",
    "dosage_section",
    "flow_section",
    "open_cohort_report",
]

FLOW_KINDS = {
    "enrolled": "enrolled",
    "assessed_pre": "assessed_pre",
    "assessed_post": "assessed_post",
    "completed": "completed",
}


def cohort_context(
    processed_dir: Any,
    *,
    program: Any = None,
    facility: Any = None,
    cohort: Any = None,
    period_start: Any = None,
    period_end: Any = None,
    pre: str | None = None,
    post: str | None = None,
    audience: str | None = None,
    min_cell: int | None = None,
    lang: str = "id",
) -> Context:
    """Load and select one cohort, and resolve the disclosure policy for it.

    Raises
    ------
    ConfigError
        ``min_cell`` under the policy in ``publik`` (the policy's one-line message).
    InputError
        No client in the selection, or no scores yet.
    """
    import rehab_eval
    from rehab_eval import cohort as cohorts
    from rehab_eval.disclosure import resolve

    disclosure = resolve(audience, min_cell, lang=lang)
    chosen = select_or_refuse(
        processed_dir,
        empty="cohort.empty",
        lang=lang,
        program=program,
        facility=facility,
        cohort=cohort,
        period_start=period_start,
        period_end=period_end,
    )
    scored = timepoints(chosen)
    if scored is None:
        raise rehab_eval.InputError(say("cohort.no_scores", lang, path=processed_dir))
    if pre is None or post is None:  # run outside the runner: the first / last timepoint scored
        pre, post = pre or scored[0], post or scored[-1]
    flow = cohorts.flow(chosen, pre=pre, post=post)
    return Context(
        data=chosen,
        disclosure=disclosure,
        lang=lang,
        period=(period_start, period_end),
        pre=pre,
        post=post,
        flow={str(k): int(v) for k, v in zip(flow["step"], flow["n"], strict=True)},
    )


def _flow_shown(ctx: Context) -> dict[str, Any]:
    from rehab_eval.disclosure import show_count, show_counts

    if "flow" not in ctx.shown:
        shown = show_counts(
            ctx.flow,
            {k: FLOW_KINDS.get(k, "enrolled") for k in ctx.flow},
            ctx.disclosure,
            group_size=ctx.flow.get("enrolled"),
            lang=ctx.lang,
        )
        # the group's own size reads "<5" when small; nothing inside it is counted ("x")
        shown["enrolled"] = show_count(
            ctx.flow.get("enrolled"), "enrolled", ctx.disclosure, lang=ctx.lang
        )
        ctx.shown["flow"] = shown
    return ctx.shown["flow"]


def open_cohort_report(
    ctx: Context,
    output_dir: Any,
    *,
    facility: Any = None,
    program: Any = None,
    cohort: Any = None,
    key_points: list[str] | None = None,
) -> None:
    """Start publishing (title, subtitle, policy, key points) and print the intro paragraph.

    ``key_points`` (from :func:`cohort_summary`) go to the top of the report and to the
    deck's summary slide.
    """
    from rehab_eval.i18n import format_period, label

    lang = ctx.lang
    start, end = ctx.period
    where = ", ".join(
        x for x in (facility, label("program", program, lang) if program else None, cohort) if x
    )
    when = format_period(start, end, lang)
    subtitle = f"{where} · {when}" if where else when
    title = say("cohort.title", lang)
    _sink.start(
        output_dir,
        title=title,
        subtitle=subtitle,
        lang=lang,
        report="cohort_report",
        disclosure=ctx.disclosure,
        office=facility,
    )
    shown = _flow_shown(ctx)
    d = ctx.disclosure
    policy = say(
        "cohort.intro_tiny"
        if shown["enrolled"].value is None and d.min_cell
        else "cohort.intro_policy",
        lang,
        min_cell=d.min_cell or 1,
        mark=f"<{d.min_cell}" if d.min_cell else "–",
    )
    stamp = d.stamp(lang)
    intro = say("cohort.intro", lang, n=shown["enrolled"].text, period=when, policy=policy)
    head = f"# {title}\n\n**{subtitle}**\n\n" + (f"**{stamp}**\n\n" if stamp else "")
    _sink.markdown(head + intro)
    if key_points:
        _sink.key_points(key_points)


def flow_section(ctx: Context) -> Section:
    """Client flow: the figure, its takeaway (completion share) and the flow counts."""
    import pandas as pd

    from rehab_eval import plots
    from rehab_eval.disclosure import show_share
    from rehab_eval.i18n import t

    lang, d = ctx.lang, ctx.disclosure
    shown = _flow_shown(ctx)
    share = show_share(
        ctx.flow.get("completed"),
        ctx.flow.get("enrolled"),
        d,
        kind="completed",
        denominator_kind="enrolled",
        lang=lang,
    )
    ctx.shown["completed_share"] = share
    frame = pd.DataFrame({"step": list(ctx.flow), "n": list(ctx.flow.values())})
    fig = plots.plot_flow(
        frame,
        lang=lang,
        min_cell=ctx.min_cell,
        period=ctx.period,
        shown={k: v.text for k, v in shown.items()},
    ).figure
    if shown["enrolled"].value is None:
        takeaway = say("flow.takeaway_tiny", lang, enrolled=shown["enrolled"].text)
    else:
        takeaway = say(
            "flow.takeaway",
            lang,
            completed=shown["completed"].text,
            enrolled=shown["enrolled"].text,
            share=share.percent.text,
            pairs=shown["assessed_post"].text,
        )
    notes = say("flow.notes", lang, enrolled=shown["enrolled"].text)
    return Section(
        title=say("h.flow", lang),
        items=[FigureOut(fig, "flow", t("fig.flow.title", lang), takeaway, notes)],
        summary={f"n_{k}": v.text for k, v in shown.items()}
        | {"completed_share": share.percent.text},
        values={"completed_share": share.percent.value},
        key_points=[takeaway],
    )


def dosage_section(ctx: Context) -> Section:
    """Attendance and dosage: clients reached, contacts attended/recorded, rate, per client."""
    import pandas as pd

    from rehab_eval import cohort as cohorts
    from rehab_eval.disclosure import show_count, show_statistics
    from rehab_eval.i18n import format_percent, label

    lang, d = ctx.lang, ctx.disclosure
    dosage = cohorts.dosage(ctx.data)
    size = ctx.flow.get("enrolled")
    rows, absent = [], []
    for r in dosage.to_dict("records"):
        kind = (
            say("dose.urine_test", lang)
            if r["kind"] == "urine_test"
            else label("contact_kind", r["kind"], lang)
        )
        if not r["n_scheduled"]:  # no record of this kind: said in words, never "0 / 0"
            absent.append(kind)
            continue
        reached = show_count(r["n_clients_any"], "followed_up", d, group_size=size, lang=lang)
        attended = show_count(r["n_attended"], "contacts_attended", d, group_size=size, lang=lang)
        scheduled = show_count(r["n_scheduled"], "contacts", d, group_size=size, lang=lang)
        per_client = show_statistics(
            {"median": r["median"], "q1": r["q1"], "q3": r["q3"]}, int(r["n_clients"]), d, lang=lang
        )
        median, q1, q3 = (per_client[k] for k in ("median", "q1", "q3"))
        rate_ok = attended.value is not None and scheduled.value and r["n_scheduled"]
        rows.append(
            {
                say("dose.kind", lang): kind,
                say("dose.reached", lang): reached.text,
                say("dose.attended", lang): f"{attended.text} / {scheduled.text}",
                say("dose.rate", lang): format_percent(r["attendance_rate"], 0, lang)
                if rate_ok
                else attended.text,
                say("dose.per_client", lang): median.text
                if median.value is None
                else f"{median.text} [{q1.text}–{q3.text}]",
            }
        )
    title = say("h.dosage", lang)
    if not rows:
        return Section(title=title, no_data=say("dose.none", lang))
    items: list[Any] = [TableOut(pd.DataFrame(rows), "dosage")]
    if absent:
        items.append(say("dose.absent", lang, kinds=", ".join(absent)))
    return Section(title=title, items=items)


def cohort_summary(ctx: Context, *sections: Section) -> Section:
    """The closing summary paragraph, the key points and the definitions (policy included).

    Build it before publishing: its ``key_points`` open the report.
    """
    lang, d = ctx.lang, ctx.disclosure
    shown = _flow_shown(ctx)
    share = ctx.shown.get("completed_share")
    found = {k: v for s in sections for k, v in s.narrative.items()}
    text = say(
        "sum.text",
        lang,
        enrolled=shown["enrolled"].text,
        completed=shown["completed"].text,
        share=share.percent.text if share is not None else "–",
        whoqol=found.get("whoqol", ""),
        urine=found.get("urine", ""),
    )
    points = [p for s in sections for p in s.key_points][:5]
    definitions = [
        say(k, lang) for k in ("def.cohort", "def.whoqol", "def.urica", "def.rc", "def.month")
    ]
    definitions.append(d.short_form(lang))
    return Section(
        title=say("h.summary", lang),
        items=[text.strip()],
        key_points=points or [text.strip()],
        definitions=definitions,
    )


def publish_summary(
    ctx: Context, *, report: str, facility: Any = None, program: Any = None, cohort: Any = None
) -> None:
    """The report's identity in ``summary.json`` (report, period, facility, program, cohort)."""
    from rehab_eval.i18n import format_period

    _sink.summary(
        report=report,
        period=format_period(*ctx.period, ctx.lang),
        facility=facility,
        program=program,
        cohort=cohort,
        audience=ctx.disclosure.audience,
    )
