"""Change sections: WHOQOL-BREF paired change, reliable change (Jacobson), URICA.

The pairs behind each estimate are an operational count, shown exactly. Means, SDs,
differences, intervals, tests and effect sizes of fewer than ``stats_min`` pairs are
withheld in ``publik``. Reliable-change categories are sensitive counts, protected
against the pairs they add up to; per-person marks (Jacobson points, one line per client)
are drawn only for groups of at least ``display_min`` whose categories are all shown,
since a coloured point or a falling line is one person's category.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rehab_eval.reports.sections import reliable_change as _rc
from rehab_eval.reports.sections._model import Context, FigureOut, Section, TableOut
from rehab_eval.reports.sections._texts import say
from rehab_eval.reports.sections.reliable_change import (
    RC_KINDS,
    domain_results,
    rc_counts,
    reliable_items,
)

__all__ = ["RC_KINDS", "URICA_PRIMARY", "WHOQOL_DOMAINS", "urica_change", "whoqol_change"]

#: The WHOQOL-BREF domain columns (0–100) compared; Holm adjusts across these four.
WHOQOL_DOMAINS = ["physical_0_100", "psychological_0_100", "social_0_100", "environment_0_100"]
#: URICA change is reported on Action and Maintenance (Readiness is a baseline measure; the
#: UMBC Habits Lab and the project's scoring decision): the primary result, Holm across both.
URICA_PRIMARY = ["action", "maintenance"]
STATS = [
    "mean_pre",
    "sd_pre",
    "mean_post",
    "sd_post",
    "mean_diff",
    "ci_low",
    "ci_high",
    "p_value",
    "p_holm",
    "cohen_dz",
    "dz_ci_low",
    "dz_ci_high",
]


def _instrument(ctx: Context, name: str) -> Any:
    scores = ctx.data.scores
    return scores[scores["instrument"].astype(str) == name]


def _has_both(scores: Any, ctx: Context) -> bool:
    present = set(scores["timepoint"].astype(str)) if len(scores) else set()
    return {ctx.pre, ctx.post} <= present


def _shown_rows(ctx: Context, paired: Any) -> dict[str, dict[str, Any]]:
    """Per measure: the pairs (Shown) and every statistic (Shown), policy applied."""
    from rehab_eval.disclosure import show_count, show_statistics

    out = {}
    for row in paired.to_dict("records"):
        n = int(row["n"])
        pairs = show_count(
            n, "pairs", ctx.disclosure, group_size=ctx.flow.get("enrolled"), lang=ctx.lang
        )
        stats = show_statistics(
            {k: row[k] for k in STATS if k in row},
            n,
            ctx.disclosure,
            n_shown=pairs.value is not None,
            lang=ctx.lang,
        )
        out[row["measure"]] = {"pairs": pairs, **stats}
    return out


def _paired_table(
    ctx: Context, shown: dict[str, dict[str, Any]], key: str, with_dz: bool
) -> TableOut:
    import pandas as pd

    from rehab_eval.i18n import measure_label

    lang = ctx.lang
    rows = []
    for measure, s in shown.items():
        withheld = s["mean_pre"].value is None
        pair = partial(_pair, s, withheld)
        interval = partial(_interval, s)
        row = {
            say("chg.measure", lang): measure_label(measure, lang),
            say("chg.n_pairs", lang): s["pairs"].text,
            say("chg.before", lang): pair("mean_pre", "sd_pre"),
            say("chg.after", lang): pair("mean_post", "sd_post"),
            say("chg.diff", lang): interval("mean_diff", "ci_low", "ci_high"),
            say("chg.p_holm", lang): s["p_holm"].text.removeprefix("= "),
        }
        if with_dz:
            row[say("chg.dz", lang)] = interval("cohen_dz", "dz_ci_low", "dz_ci_high")
        rows.append(row)
    return TableOut(pd.DataFrame(rows), key)


def _pair(s: dict[str, Any], withheld: bool, a: str, b: str) -> str:
    """``"54,2 (12,1)"``: a mean and its SD, or the withheld mark."""
    return s[a].text if withheld else f"{s[a].text} ({s[b].text})"


def _interval(s: dict[str, Any], est: str, low: str, high: str) -> str:
    """``"8,3 [1,1; 15,4]"``: an estimate and its interval, or what is shown of it."""
    if s[est].value is None or s[low].value is None:
        return s[est].text
    return f"{s[est].text} [{s[low].text}; {s[high].text}]"


def _values(shown: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m: {k: s[k].value for k in STATS if k in s} for m, s in shown.items()}


def whoqol_change(ctx: Context) -> Section:
    """WHOQOL-BREF domains before/after: table, pre/post figure, effect sizes, reliable change."""
    from rehab_eval import change, plots
    from rehab_eval.disclosure import per_person_marks
    from rehab_eval.i18n import label, measure_label, t

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.whoqol", lang)
    whoqol = _instrument(ctx, "whoqol_bref")
    domains = list(WHOQOL_DOMAINS)
    paired = (
        change.paired(whoqol, domains, pre=ctx.pre, post=ctx.post)
        if _has_both(whoqol, ctx)
        else None
    )
    if paired is None or not bool((paired["n"] > 1).any()):
        return Section(
            title=title,
            no_data=say(
                "chg.no_pairs",
                lang,
                pre=label("timepoint", ctx.pre, lang),
                post=label("timepoint", ctx.post, lang),
            ),
        )
    shown = _shown_rows(ctx, paired)
    section = Section(title=title)
    section.items.append(_paired_table(ctx, shown, "whoqol_paired", with_dz=True))
    section.values["whoqol"] = _values(shown)
    section.summary["whoqol_mean_diff"] = {m: s["mean_diff"].text for m, s in shown.items()}
    # one p-value per result: the Holm-adjusted one, as in the table and the narrative
    section.summary["whoqol_p"] = {m: s["p_holm"].text.removeprefix("= ") for m, s in shown.items()}
    published = [m for m, s in shown.items() if s["mean_diff"].value is not None]
    inst = _rc.declared_instrument("whoqol_bref")
    rc = domain_results(ctx, whoqol, inst, domains)
    rc_shown = rc_counts(ctx, rc)
    if not published:
        section.items.append(
            say("chg.tiny", lang, pairs=shown[domains[0]]["pairs"].text, n=d.stats_min)
        )
    else:
        rows = paired[paired["measure"].isin(published)].reset_index(drop=True)
        top = max(published, key=lambda m: abs(shown[m]["cohen_dz"].value or 0.0))
        n_texts = {m: shown[m]["pairs"].text for m in published}
        hidden_rc = any(v.value is None for m in published for v in rc_shown[m].values())
        decision = per_person_marks("prepost", int(rows["n"].min()), d)
        mode = "lines" if decision.per_person and not hidden_rc else "means"
        fig = plots.plot_prepost(
            whoqol,
            rows,
            lang=lang,
            min_cell=ctx.min_cell,
            period=ctx.period,
            pre=ctx.pre,
            post=ctx.post,
            mode=mode,
            n_texts=n_texts,
        )
        takeaway = say(
            "chg.prepost_takeaway_holm",
            lang,
            measure=measure_label(top, lang),
            dz=shown[top]["cohen_dz"].text,
            diff=shown[top]["mean_diff"].text,
            ci=f"[{shown[top]['ci_low'].text}; {shown[top]['ci_high'].text}]",
            pairs=shown[top]["pairs"].text,
            p=shown[top]["p_holm"].text,
        )
        from rehab_eval.disclosure.values import text as dtext

        notes = say(
            "chg.prepost_notes",
            lang,
            mode=dtext(f"disclosure.mode.{mode}", lang),
            pairs=_pairs_of(n_texts),
        )
        section.items.append(
            FigureOut(fig, "whoqol_prepost", t("fig.prepost.title", lang), takeaway, notes)
        )
        section.key_points.append(takeaway)
        fig = plots.plot_effect_sizes(rows, lang=lang, min_cell=ctx.min_cell, period=ctx.period)
        fig = getattr(fig, "figure", fig)
        section.items.append(
            FigureOut(
                fig,
                "whoqol_effects",
                t("fig.forest.title", lang),
                say(
                    "chg.forest_takeaway_values",
                    lang,
                    values=", ".join(
                        f"{measure_label(m, lang)} {shown[m]['cohen_dz'].text}" for m in published
                    ),
                    pairs=_pairs_of(n_texts),
                ),
            )
        )
        section.narrative["whoqol"] = say(
            "sum.whoqol",
            lang,
            measure=measure_label(top, lang),
            diff=shown[top]["mean_diff"].text,
            p=shown[top]["p_holm"].text,
            pairs=shown[top]["pairs"].text,
        )
        section.items.extend(reliable_items(ctx, rc, rc_shown, shown, inst, published))
    return section


def urica_change(ctx: Context) -> Section:
    """URICA change: Action and Maintenance first (Holm), the stage transitions second.

    The primary result is the paired change on the Action and Maintenance subscales (the
    scoring decision: readiness is a baseline measure, change is read on A and M), with
    one p-value per subscale, Holm-adjusted across the two. The stage transitions (the
    readiness bands before × after, Stuart–Maxwell test) follow as a secondary view.
    """
    from rehab_eval import change, plots
    from rehab_eval.disclosure import show_count, show_statistics
    from rehab_eval.i18n import label, t
    from rehab_eval.privacy import SHOWN, suppression_status

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.urica", lang)
    urica = _instrument(ctx, "urica")
    paired = (
        change.paired(urica, URICA_PRIMARY, pre=ctx.pre, post=ctx.post)
        if _has_both(urica, ctx)
        else None
    )
    if paired is None or not bool((paired["n"] > 1).any()):
        return Section(
            title=title,
            no_data=say(
                "chg.no_pairs",
                lang,
                pre=label("timepoint", ctx.pre, lang),
                post=label("timepoint", ctx.post, lang),
            ),
        )
    shown = _shown_rows(ctx, paired)
    section = Section(title=title, items=[say("urica.note_primary", lang)])
    section.items.append(_paired_table(ctx, shown, "urica_paired", with_dz=False))
    section.values["urica"] = _values(shown)
    section.summary["urica_p"] = {m: s["p_holm"].text.removeprefix("= ") for m, s in shown.items()}
    if all(shown[m]["mean_diff"].value is not None for m in URICA_PRIMARY if m in shown):
        primary = say(
            "urica.primary_takeaway",
            lang,
            **{
                f"{m}_{k}": shown[m][stat].text
                for m in URICA_PRIMARY
                for k, stat in (("diff", "mean_diff"), ("p", "p_holm"))
            },
            pairs=_pairs_text(shown, lang),
        )
        section.items.append(primary)
        section.key_points.append(primary)
    else:
        pairs = shown[URICA_PRIMARY[0]]["pairs"].text
        section.items.append(say("chg.tiny", lang, pairs=pairs, n=d.stats_min))
    section.items.append(f"### {say('h.urica_stages', lang)}\n\n{say('urica.stages_note', lang)}")
    stages = change.stage_transitions(urica, pre=ctx.pre, post=ctx.post)
    n = show_count(stages.n, "pairs", d, group_size=ctx.flow.get("enrolled"), lang=lang)
    p = show_statistics(
        {"p_value": stages.p_value}, int(stages.n), d, n_shown=n.value is not None, lang=lang
    )["p_value"]
    from rehab_eval.i18n import format_period

    # the figure's default subtitle carries the test: replaced when the test is withheld
    subtitle = None if p.value is not None else f"n = {n.text} · {format_period(*ctx.period, lang)}"
    ax = plots.plot_stage_transitions(
        stages, lang=lang, min_cell=ctx.min_cell, period=ctx.period, subtitle=subtitle
    )
    frame = stages.table.copy()
    frame = frame.loc[
        [r for r in frame.index if str(r) not in {"All", "Total"}],
        [c for c in frame.columns if str(c) not in {"All", "Total"}],
    ]
    flat = frame.reset_index(drop=True)
    flat.columns = range(flat.shape[1])
    status = suppression_status(flat, list(flat.columns), min_cell=d.min_cell, total="both")
    every_cell_shown = bool((status == SHOWN).to_numpy().all()) or d.min_cell is None
    if every_cell_shown and n.value is not None:
        moved = show_count(stages.n_moved_forward, "stage_moved", d, group_size=stages.n, lang=lang)
        takeaway = say("urica.takeaway", lang, moved=moved.text, n=n.text)
    else:  # a count of movers would add hidden cells up: not stated
        takeaway = say("urica.takeaway_hidden", lang, n=n.text, min_cell=d.min_cell)
    section.items.append(
        FigureOut(ax.figure, "urica_stages", t("fig.stages.title", lang), takeaway)
    )
    section.items.append(say("urica.test", lang, p=p.text, n=n.text))
    section.values["urica_stuart_maxwell_p"] = p.value
    return section


def _pairs_text(shown: dict, lang: str) -> str:
    """The pairs behind the URICA primary result: one number, or each subscale's when they
    differ ("18 (Action) dan 19 (Maintenance)"), never a bare list."""
    texts = [shown[m]["pairs"].text for m in URICA_PRIMARY]
    if len(set(texts)) == 1:
        return texts[0]
    return say("urica.pairs_each", lang, action=texts[0], maintenance=texts[1])


def _pairs_of(n_texts: dict) -> str:
    """The pairs of the WHOQOL-BREF domains: one number, or the range "17–19" when they differ."""
    texts = list(dict.fromkeys(n_texts.values()))
    return texts[0] if len(texts) == 1 else f"{texts[0]}–{texts[-1]}"
