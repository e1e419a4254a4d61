"""Reliable change (Jacobson & Truax 1991) of the WHOQOL-BREF domains, policy applied.

r_xx and the population norms come from the instrument declaration
(:attr:`rehab_eval.instruments.Instrument.published_reliability`, ``norms``), never from
code. Each domain gets its own Jacobson figure (one per slide): the clinical cut-off and the
"recovered"/"harmed" categories appear where norms are declared; otherwise the note says
that no norms are declared. Category counts are protected against the pairs they add up to;
a domain's figure draws one point per person only when the policy allows per-person marks
for its pairs and every category of that domain is shown (aggregate mode otherwise).
"""

from __future__ import annotations

from typing import Any

from rehab_eval.reports.sections._model import Context, FigureOut, TableOut
from rehab_eval.reports.sections._texts import in_words, say

__all__ = ["RC_KINDS", "declared_instrument", "domain_results", "rc_counts", "reliable_items"]

#: Policy count kind of each reliable-change category.
RC_KINDS = {
    "recovered": "clinically_significant",
    "improved": "reliable_improvement",
    "unchanged": "reliable_no_change",
    "deteriorated": "reliable_deterioration",
    "harmed": "clinically_significant",
}
ORDER = ["recovered", "improved", "unchanged", "deteriorated", "harmed"]


def declared_instrument(name: str) -> Any:
    """The instrument declaration (a seam for tests that declare norms)."""
    from rehab_eval.instruments import get_instrument

    return get_instrument(name)


def domain_results(ctx: Context, scores: Any, inst: Any, measures: list[str]) -> dict[str, Any]:
    """Per measure with a declared reliability: its ReliableChange (cut-off c with norms)."""
    from rehab_eval import change

    rel = inst.published_reliability
    out = {}
    for m in measures:
        r = inst.reliability_of(m)
        if r is None:
            continue
        norms = inst.norms_of(m)
        kw: dict[str, Any] = {"cutoff": None}
        if norms is not None:
            kw = {
                "cutoff": "c",
                "functional_mean": norms.functional_mean,
                "functional_sd": norms.functional_sd,
                "clinical_mean": norms.clinical_mean,
                "clinical_sd": norms.clinical_sd,
                "norms_source": norms.source,
            }
        out[m] = change.reliable_change(
            scores,
            m,
            reliability=r,
            pre=ctx.pre,
            post=ctx.post,
            reliability_source=rel.source,
            **kw,
        )
    return out


def rc_counts(ctx: Context, rc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per measure: category → Shown, protected against the pairs (published)."""
    from rehab_eval import change
    from rehab_eval.disclosure import show_counts

    out = {}
    for measure, result in rc.items():
        cats = change.summarize_categories(result)
        counts = {str(c): int(n) for c, n in zip(cats["category"], cats["n"], strict=True)}
        total = int(cats["n_total"].iloc[0]) if len(cats) else 0
        kinds = {c: RC_KINDS.get(c, "reliable_no_change") for c in counts}
        out[measure] = show_counts(
            {"pairs": total, **counts},
            {"pairs": "pairs", **kinds},
            ctx.disclosure,
            relations=[("pairs", list(counts))],
            group_size=ctx.flow.get("enrolled"),
            lang=ctx.lang,
        )
    return out


def _note(lang: str, inst: Any, rc: dict[str, Any]) -> str:
    """The method, the declared r_xx with their source, and which norms are declared."""
    from rehab_eval.i18n import format_number, measure_label

    rel = inst.published_reliability
    alphas = "; ".join(
        f"{measure_label(m, lang)} {format_number(r.reliability, 2, lang)}" for m, r in rc.items()
    )
    text = say("rc.note_declared", lang, alphas=alphas, source=rel.source)
    with_norms = [m for m, r in rc.items() if r.cutoff is not None]
    without = [m for m in rc if m not in with_norms]
    if with_norms:
        sources = "; ".join(dict.fromkeys(str(rc[m].norms_source) for m in with_norms))
        names = ", ".join(measure_label(m, lang) for m in with_norms)
        text += " " + say("rc.norms", lang, measures=names, source=sources)
    if without:
        names = ", ".join(measure_label(m, lang) for m in without)
        text += " " + say("rc.no_norms", lang, measures=names)
    return text


def reliable_items(
    ctx: Context, rc: dict[str, Any], rc_shown: dict, shown: dict, inst: Any, published: list
) -> list[Any]:
    """The reliable-change table of every domain and one Jacobson figure per published domain."""
    import pandas as pd

    from rehab_eval.i18n import label, measure_label

    lang = ctx.lang
    present = [c for c in ORDER if any(c in s for s in rc_shown.values())]
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
        f"### {say('h.rc', lang)}\n\n{_note(lang, inst, rc)}",
        TableOut(table, "reliable_change"),
    ]
    for m in published:
        if m in rc:
            items.append(_figure(ctx, m, rc[m], rc_shown[m], shown[m]))
    return items


def figure_key(measure: str) -> str:
    """``whoqol_jacobson_physical`` for ``physical_0_100``."""
    return f"whoqol_jacobson_{measure.split('_')[0]}"


def _figure(ctx: Context, m: str, result: Any, counts: dict, shown: dict) -> FigureOut:
    from rehab_eval import plots
    from rehab_eval.disclosure import per_person_marks
    from rehab_eval.disclosure.values import text as dtext
    from rehab_eval.i18n import format_number, measure_label, t

    lang, d = ctx.lang, ctx.disclosure
    pairs = int(len(result.table.dropna(subset=["pre", "post"])))
    decision = per_person_marks("jacobson", pairs, d)
    all_shown = all(v.value is not None for v in counts.values())
    mode = "points" if decision.per_person and all_shown else "aggregate"
    aggregate = None
    if shown["mean_pre"].value is not None:
        aggregate = {"mean_pre": shown["mean_pre"].value, "mean_post": shown["mean_post"].value}
    ax = plots.plot_jacobson(
        result,
        lang=lang,
        min_cell=ctx.min_cell,
        period=ctx.period,
        mode=mode,
        counts={k: v.text for k, v in counts.items() if k != "pairs"},
        n_text=counts["pairs"].text,
        aggregate=aggregate,
    )

    def n(cat: str) -> str:  # read aloud: "kurang dari 5", never "x" in a sentence
        return in_words(counts[cat].text, lang) if cat in counts else "0"

    has_cutoff = result.cutoff is not None
    takeaway = say(
        "rc.takeaway_cutoff" if has_cutoff else "rc.takeaway",
        lang,
        measure=measure_label(m, lang),
        improved=n("improved"),
        recovered=n("recovered"),
        deteriorated=n("deteriorated"),
        pairs=counts["pairs"].text,
    )
    notes = say(
        "rc.notes", lang, mode=dtext(f"disclosure.mode.{mode}", lang), pairs=counts["pairs"].text
    )
    if has_cutoff:
        notes += " " + say(
            "rc.notes_cutoff",
            lang,
            cutoff=format_number(float(result.cutoff), 1, lang),
            source=result.norms_source,
        )
    else:
        notes += " " + say("rc.notes_no_norms", lang)
    title_key = "fig.jacobson.title" if has_cutoff else "fig.jacobson.title_reliable"
    return FigureOut(
        ax.figure,
        figure_key(m),
        f"{t(title_key, lang)}: {measure_label(m, lang)}",
        takeaway,
        notes,
    )
