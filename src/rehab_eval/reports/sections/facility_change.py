"""Program overview: WHOQOL-BREF change overall (forest plot) and per facility.

The pairs are an operational count (exact once at least ``min_cell``); the change, its
interval and d_z of fewer than ``stats_min`` pairs are withheld in ``publik``.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.reports.sections._model import Context, FigureOut, Section, TableOut
from rehab_eval.reports.sections._texts import say
from rehab_eval.reports.sections.overview import grouped_facilities

__all__ = ["whoqol_by_facility"]

DOMAINS = ["physical_0_100", "psychological_0_100", "social_0_100", "environment_0_100"]


def whoqol_by_facility(ctx: Context) -> Section:
    """WHOQOL-BREF change overall (forest plot) and per facility (pairs, change, interval)."""
    import pandas as pd

    from rehab_eval import change, plots
    from rehab_eval.disclosure import show_count, show_statistics
    from rehab_eval.i18n import label, measure_label, t

    lang, d, chosen = ctx.lang, ctx.disclosure, ctx.data.chosen
    title = say("h.whoqol", lang)
    scores = chosen.scores
    no_pairs = Section(
        title=title,
        no_data=say(
            "chg.no_pairs",
            lang,
            pre=label("timepoint", ctx.pre, lang),
            post=label("timepoint", ctx.post, lang),
        ),
    )
    if scores is None:
        return no_pairs
    facility_of = chosen.enrollments.drop_duplicates("client_id").set_index("client_id")["facility"]
    whoqol = scores[scores["instrument"].astype(str) == "whoqol_bref"]
    whoqol = whoqol.assign(
        facility=grouped_facilities(whoqol["client_id"].map(facility_of), ctx.data.top, lang)
    )
    present = set(whoqol["timepoint"].astype(str))
    if not {ctx.pre, ctx.post} <= present:
        return no_pairs
    overall = change.paired(whoqol, DOMAINS, pre=ctx.pre, post=ctx.post)
    if not bool((overall["n"] > 1).any()):
        return no_pairs

    def shown_row(r: dict) -> dict[str, Any]:
        pairs = show_count(r["n"], "pairs", d, lang=lang)
        stats = show_statistics(
            {
                k: r[k]
                for k in (
                    "mean_diff",
                    "ci_low",
                    "ci_high",
                    "cohen_dz",
                    "dz_ci_low",
                    "dz_ci_high",
                    "p_value",
                )
            },
            int(r["n"]),
            d,
            n_shown=pairs.value is not None,
            lang=lang,
        )
        return {"pairs": pairs, **stats}

    overall_shown = {r["measure"]: shown_row(r) for r in overall.to_dict("records")}
    section = Section(title=title)
    published = [m for m, s in overall_shown.items() if s["cohen_dz"].value is not None]
    if published:
        rows = overall[overall["measure"].isin(published)]
        fig = plots.plot_effect_sizes(rows, lang=lang, min_cell=ctx.min_cell, period=ctx.period)
        best = max(published, key=lambda m: abs(overall_shown[m]["cohen_dz"].value))
        takeaway = say(
            "ov.forest_takeaway",
            lang,
            measure=measure_label(best, lang),
            dz=overall_shown[best]["cohen_dz"].text,
        )
        section.items.append(
            FigureOut(
                getattr(fig, "figure", fig), "whoqol_effects", t("fig.forest.title", lang), takeaway
            )
        )
        section.key_points.append(takeaway)
    section.items.append(
        say(
            "ov.whoqol_note",
            lang,
            pre=label("timepoint", ctx.pre, lang),
            post=label("timepoint", ctx.post, lang),
        )
    )
    by_facility = change.paired(whoqol, DOMAINS, pre=ctx.pre, post=ctx.post, by="facility")
    table = []
    for r in by_facility.to_dict("records"):
        s = shown_row(r)
        diff = s["mean_diff"].text
        if s["mean_diff"].value is not None and s["ci_low"].value is not None:
            diff = f"{diff} [{s['ci_low'].text}; {s['ci_high'].text}]"
        table.append(
            {
                say("ov.facility", lang): r["facility"],
                say("ov.measure", lang): measure_label(r["measure"], lang),
                say("ov.pairs", lang): s["pairs"].text,
                say("ov.diff", lang): diff,
            }
        )
    section.items.append(TableOut(pd.DataFrame(table), "whoqol_by_facility"))
    keys = ("mean_diff", "ci_low", "ci_high", "p_value", "cohen_dz", "dz_ci_low", "dz_ci_high")
    section.values["whoqol"] = {m: {k: s[k].value for k in keys} for m, s in overall_shown.items()}
    return section
