"""Recidivism report: the Cox model of time to re-offending and its proportional-hazards check.

Fitted only when the events exceed the model terms, and labelled exploratory under
``min_events_per_term`` events per term (Peduzzi et al. 1996). The events count is sensitive
(``"<5"`` in ``publik``); hazard ratios are rounded as displayed in ``summary.json``.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.reports.sections._model import Context, Section, TableOut
from rehab_eval.reports.sections._texts import say

__all__ = ["COVARIATES", "cox_section"]

COVARIATES = ["level", "age_at_start", "prior_offences", "completion"]


def _n_terms(fu: Any) -> int:
    table = fu.table
    return sum(
        max(table[c].dropna().nunique() - 1, 1)
        if table[c].dtype == object or table[c].dtype == bool
        else 1
        for c in COVARIATES
    )


def cox_section(ctx: Context, *, min_events_per_term: int = 10) -> Section:
    """The Cox model (exploratory under ``min_events_per_term``) and its PH check."""
    import pandas as pd

    from rehab_eval import recidivism
    from rehab_eval.disclosure import show_count
    from rehab_eval.disclosure.values import round_for_display
    from rehab_eval.i18n import format_ci, format_number, format_p, label

    lang, fu, d = ctx.lang, ctx.data.followup, ctx.disclosure
    if not ctx.data.has_source or not fu.n_included:
        return Section()
    events = show_count(fu.n_events, "reoffence", d, group_size=fu.n_included, lang=lang)
    if fu.n_events <= _n_terms(fu):
        return Section(
            title=say("recid.h.cox", lang),
            items=[say("recid.cox_skipped", lang, events=events.text)],
            summary={"cox_hazard_ratios": {}, "cox_exploratory": True},
            values={"cox": {}},
        )
    fit = recidivism.cox(fu, covariates=COVARIATES)
    summary = fit.summary
    epv = fit.events / len(summary)
    exploratory = epv < min_events_per_term
    note = say(
        "recid.cox_exploratory" if exploratory else "recid.cox_ok",
        lang,
        events=events.text,
        terms=len(summary),
        epv=format_number(epv, 1, lang),
        min_epv=min_events_per_term,
        c=format_number(fit.concordance, 2, lang),
    )
    digits = d.precision("effect_size")

    def term_name(term: str) -> str:
        base, sep, level = term.partition("[")
        name = say(f"recid.term.{base}", lang) if base in COVARIATES else base
        if not sep:
            return name
        level = level.rstrip("]")
        value = {"True": say("recid.yes", lang), "False": say("recid.no", lang)}.get(level)
        return f"{name}: {value or label(base, level, lang)}"

    cox_table = pd.DataFrame(
        {
            say("recid.term", lang): [term_name(t) for t in summary["term"]],
            say("recid.hr", lang): [
                f"{format_number(h, digits, lang)} {format_ci(a, b, digits, lang)}"
                for h, a, b in zip(
                    summary["hr"], summary["hr_ci_low"], summary["hr_ci_high"], strict=True
                )
            ],
            "p": [format_p(p, lang).removeprefix("= ") for p in summary["p_value"]],
        }
    )
    ph = recidivism.proportional_hazards(fit)
    ph_table = pd.DataFrame(
        {
            say("recid.term", lang): [
                "Global" if t == "GLOBAL" else term_name(t) for t in ph["term"]
            ],
            "χ²": [format_number(x, 2, lang) for x in ph["chisq"]],
            "df": [format_number(x, 0, lang) for x in ph["df"]],
            "p": [format_p(p, lang).removeprefix("= ") for p in ph["p_value"]],
        }
    )
    kinds = {"hr": "effect_size", "hr_ci_low": "effect_size", "hr_ci_high": "effect_size"}
    return Section(
        title=say("recid.h.cox" if exploratory else "recid.h.cox_ok", lang),
        items=[
            note,
            TableOut(cox_table, "cox"),
            f"### {say('recid.h.ph', lang)}\n\n{say('recid.ph_note', lang)}",
            TableOut(ph_table, "proportional_hazards"),
        ],
        summary={
            "cox_hazard_ratios": {
                t: format_number(h, digits, lang)
                for t, h in zip(summary["term"], summary["hr"], strict=True)
            },
            "cox_exploratory": bool(exploratory),
        },
        values={
            "cox": {
                r["term"]: {
                    k: round_for_display(r[k], kinds.get(k, "p_value"), d)
                    for k in (*kinds, "p_value")
                }
                for r in summary.to_dict("records")
            }
        },
    )
