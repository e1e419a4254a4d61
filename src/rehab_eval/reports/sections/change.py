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

from rehab_eval.reports.sections._model import Context, FigureOut, Section, TableOut
from rehab_eval.reports.sections._texts import say

__all__ = ["RC_KINDS", "WHOQOL_ALPHA", "URICA_SCALES", "urica_change", "whoqol_change"]

# Cronbach's alpha of the WHOQOL-BREF domains in the WHO field trial (Skevington, Lotfy &
# O'Connell 2004, Qual Life Res 13:299-310, Table 3): the reliability of the RCI.
WHOQOL_ALPHA = {
    "physical_0_100": 0.82,
    "psychological_0_100": 0.81,
    "social_0_100": 0.68,
    "environment_0_100": 0.80,
}
# Readiness is a baseline measure, not a change measure: change on the four subscales only.
URICA_SCALES = ["precontemplation", "contemplation", "action", "maintenance"]

#: Policy count kind of each reliable-change category.
RC_KINDS = {
    "recovered": "clinically_significant",
    "improved": "reliable_improvement",
    "unchanged": "reliable_no_change",
    "deteriorated": "reliable_deterioration",
    "harmed": "clinically_significant",
}
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
            say("chg.p", lang): s["p_value"].text.removeprefix("= "),
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


def _rc_counts(ctx: Context, rc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per measure: category → Shown, protected against the pairs (published)."""
    from rehab_eval import change
    from rehab_eval.disclosure import show_counts

    out = {}
    for measure, result in rc.items():
        cats = change.summarize_categories(result)
        counts = {str(c): int(n) for c, n in zip(cats["category"], cats["n"], strict=True)}
        total = int(cats["n_total"].iloc[0]) if len(cats) else 0
        kinds = {c: RC_KINDS.get(c, "reliable_no_change") for c in counts}
        shown = show_counts(
            {"pairs": total, **counts},
            {"pairs": "pairs", **kinds},
            ctx.disclosure,
            relations=[("pairs", list(counts))],
            group_size=ctx.flow.get("enrolled"),
            lang=ctx.lang,
        )
        out[measure] = shown
    return out


def whoqol_change(ctx: Context) -> Section:
    """WHOQOL-BREF domains before/after: table, pre/post figure, effect sizes, reliable change."""
    from rehab_eval import change, plots
    from rehab_eval.disclosure import per_person_marks
    from rehab_eval.i18n import label, measure_label, t

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.whoqol", lang)
    whoqol = _instrument(ctx, "whoqol_bref")
    domains = list(WHOQOL_ALPHA)
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
    section.summary["whoqol_p"] = {
        m: s["p_value"].text.removeprefix("= ") for m, s in shown.items()
    }
    published = [m for m, s in shown.items() if s["mean_diff"].value is not None]
    rc = {
        m: change.reliable_change(
            whoqol,
            m,
            reliability=WHOQOL_ALPHA[m],
            pre=ctx.pre,
            post=ctx.post,
            reliability_source="Skevington et al. 2004, Table 3",
        )
        for m in domains
    }
    rc_shown = _rc_counts(ctx, rc)
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
            "chg.prepost_takeaway",
            lang,
            measure=measure_label(top, lang),
            dz=shown[top]["cohen_dz"].text,
            diff=shown[top]["mean_diff"].text,
            ci=f"[{shown[top]['ci_low'].text}; {shown[top]['ci_high'].text}]",
            pairs=shown[top]["pairs"].text,
        )
        from rehab_eval.disclosure.values import text as dtext

        notes = say(
            "chg.prepost_notes",
            lang,
            mode=dtext(f"disclosure.mode.{mode}", lang),
            pairs=", ".join(dict.fromkeys(n_texts.values())),
        )
        section.items.append(
            FigureOut(fig, "whoqol_prepost", t("fig.prepost.title", lang), takeaway, notes)
        )
        section.key_points.append(takeaway)
        fig = plots.plot_effect_sizes(rows, lang=lang, min_cell=ctx.min_cell, period=ctx.period)
        fig = getattr(fig, "figure", fig)
        section.items.append(
            FigureOut(
                fig, "whoqol_effects", t("fig.forest.title", lang), say("chg.forest_takeaway", lang)
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
        section.items.extend(_reliable(ctx, rc, rc_shown, shown, top))
    return section


def _reliable(ctx: Context, rc: dict, rc_shown: dict, shown: dict, focus: str) -> list[Any]:
    import pandas as pd

    from rehab_eval import plots
    from rehab_eval.disclosure import per_person_marks
    from rehab_eval.disclosure.values import text as dtext
    from rehab_eval.i18n import label, measure_label, t

    lang, d = ctx.lang, ctx.disclosure
    order = ["recovered", "improved", "unchanged", "deteriorated", "harmed"]
    present = [c for c in order if any(c in s for s in rc_shown.values())]
    table = pd.DataFrame(
        [
            {
                say("chg.measure", lang): measure_label(m, lang),
                say("chg.n_pairs", lang): s["pairs"].text,
                **{label("rc", c, lang): s[c].text if c in s else "–" for c in present},
            }
            for m, s in rc_shown.items()
        ]
    )
    items: list[Any] = [
        f"### {say('h.rc', lang)}\n\n{say('rc.note', lang)}",
        TableOut(table, "reliable_change"),
    ]
    counts = rc_shown[focus]
    pairs = int(len(rc[focus].table.dropna(subset=["pre", "post"])))
    decision = per_person_marks("jacobson", pairs, d)
    all_shown = all(v.value is not None for v in counts.values())
    mode = "points" if decision.per_person and all_shown else "aggregate"
    aggregate = None
    if shown[focus]["mean_pre"].value is not None:
        aggregate = {
            "mean_pre": shown[focus]["mean_pre"].value,
            "mean_post": shown[focus]["mean_post"].value,
        }
    ax = plots.plot_jacobson(
        rc[focus],
        lang=lang,
        min_cell=ctx.min_cell,
        period=ctx.period,
        mode=mode,
        counts={k: v.text for k, v in counts.items() if k != "pairs"},
        n_text=counts["pairs"].text,
        aggregate=aggregate,
    )
    takeaway = say(
        "rc.takeaway",
        lang,
        measure=measure_label(focus, lang),
        improved=counts["improved"].text if "improved" in counts else "0",
        deteriorated=counts["deteriorated"].text if "deteriorated" in counts else "0",
        pairs=counts["pairs"].text,
    )
    notes = say(
        "rc.notes", lang, mode=dtext(f"disclosure.mode.{mode}", lang), pairs=counts["pairs"].text
    )
    items.append(
        FigureOut(
            ax.figure,
            "whoqol_jacobson",
            f"{t('fig.jacobson.title_reliable', lang)}: {measure_label(focus, lang)}",
            takeaway,
            notes,
        )
    )
    return items


def urica_change(ctx: Context) -> Section:
    """URICA subscales before/after and the stage transitions, policy applied."""
    from rehab_eval import change, plots
    from rehab_eval.disclosure import show_count, show_statistics
    from rehab_eval.i18n import label, t
    from rehab_eval.privacy import SHOWN, suppression_status

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.urica", lang)
    urica = _instrument(ctx, "urica")
    paired = (
        change.paired(urica, URICA_SCALES, pre=ctx.pre, post=ctx.post)
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
    section = Section(title=title, items=[say("urica.note", lang)])
    section.items.append(_paired_table(ctx, shown, "urica_paired", with_dz=False))
    section.values["urica"] = _values(shown)
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
