"""Urine test results: the share of positive tests per program month, policy applied.

Tests taken are an operational count (exact); positive (and negative) tests are
sensitive: a month with fewer than ``min_cell`` positives, or fewer than ``min_cell``
negatives, shows a bound (``≤19%`` / ``≥80%``) without interval and draws no point.
"""

from __future__ import annotations

from rehab_eval.reports.sections._model import Context, FigureOut, Section
from rehab_eval.reports.sections._texts import say

__all__ = ["urine_section"]


def urine_section(ctx: Context) -> Section:
    """Positive urine tests by program month: figure, takeaway, summary strings and values."""
    from rehab_eval import cohort as cohorts
    from rehab_eval import plots
    from rehab_eval.disclosure import show_count, show_share
    from rehab_eval.i18n import t

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.urine", lang)
    urine = cohorts.urine_positivity(ctx.data)
    if not len(urine) or (d.min_cell and ctx.flow.get("enrolled", 0) < d.min_cell):
        return Section(
            title=title,
            no_data=say("urine.none", lang) if not len(urine) else None,
            items=[] if not len(urine) else [say("cohort.intro_tiny", lang, min_cell=d.min_cell)],
        )
    shares = {}
    for r in urine.to_dict("records"):
        shares[int(r["month"])] = show_share(
            r["n_positive"],
            r["n_tests"],
            d,
            kind="urine_positive",
            complement_kind="urine_negative",
            denominator_kind="tests",
            lang=lang,
        )
    exact = [s.percent.status == "shown" for s in shares.values()]
    drawn = urine.copy()
    # a month whose share is a bound or hidden draws no point (the plot hides a small count)
    drawn.loc[[not e for e in exact], "n_positive"] = 1 if d.min_cell else drawn["n_positive"]
    fig = plots.plot_urine_positivity(drawn, lang=lang, min_cell=ctx.min_cell, period=ctx.period)
    fig = getattr(fig, "figure", fig)
    months = list(shares)
    first, last = shares[months[0]], shares[months[-1]]

    def phrase(share: object, tests: object) -> str:
        return say(
            "urine.share",
            lang,
            share=share.percent.text,  # type: ignore[attr-defined]
            tests=show_count(tests, "tests", d, lang=lang).text,
        )

    first_text = phrase(first, urine["n_tests"].iloc[0])
    last_text = phrase(last, urine["n_tests"].iloc[-1])
    takeaway = say("urine.takeaway", lang, first=first_text, last=last_text, last_month=months[-1])
    section = Section(
        title=title,
        items=[
            FigureOut(
                fig,
                "urine_positivity",
                t("fig.urine.title", lang),
                takeaway,
                say("urine.notes", lang, min_cell=d.min_cell or 1),
            )
        ],
        summary={"urine_positive_first_month": first_text, "urine_positive_last_month": last_text},
        values={
            "urine_positive_share": {
                str(m): None
                if s.percent.value is None
                else {"share": s.percent.value, "ci_low": s.ci.value[0], "ci_high": s.ci.value[1]}
                for m, s in shares.items()
            }
        },
        key_points=[takeaway],
    )
    if len(months) > 1 and first.percent.value is not None and last.percent.value is not None:
        a, b = first.percent.value, last.percent.value
        direction = say("sum.down" if b < a else "sum.up" if b > a else "sum.flat", lang)
        section.narrative["urine"] = say(
            "sum.urine",
            lang,
            direction=direction,
            first=first_text,
            last=last_text,
            last_month=months[-1],
        )
    return section
