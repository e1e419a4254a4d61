"""Programme effect report: participants against a weighted comparison group of released
non-participants (:func:`rehab_eval.effect.programme_effect`).

Sections: who was compared with whom, balance before and after weighting (love plot),
weighted re-offending curves and rates at 12 and 24 months, the adjusted hazard ratio and
RMST difference with their intervals, the E-value, and what an observational comparison
can and cannot show. Group sizes are operational counts; re-offences are sensitive counts
(policy kind ``reoffence``); estimates of a group under ``stats_min`` are withheld in
``publik``; curves are drawn only while at least ``display_min`` people are at risk.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.reports.sections import _sink
from rehab_eval.reports.sections._model import (
    Context,
    FigureOut,
    Section,
    TableOut,
    latest_event,
)
from rehab_eval.reports.sections._texts import _texts, speaker

__all__ = [
    "balance_section",
    "curves_section",
    "design_section",
    "effect_context",
    "effect_summary",
    "estimates_section",
    "limits_section",
    "open_effect_report",
]

DAYS_PER_MONTH = 30.4375
GROUP_COLORS = {1: "#0072B2", 0: "#999999"}


say = speaker("effect.toml")


def effect_context(
    processed_dir: Any,
    *,
    province: Any = None,
    end_date: Any = None,
    period_start: Any = None,
    period_end: Any = None,
    outcome: str = "any",
    method: str = "ipw",
    estimand: str = "ATT",
    audience: str | None = None,
    min_cell: int | None = None,
    lang: str = "id",
) -> Context:
    """Load the data, build the comparison cohort and estimate the programme effect.

    ``ctx.shown["effect"]`` holds the :class:`rehab_eval.effect.ProgrammeEffect`, or None
    when the selection has no comparison group (every section then says so).
    """
    import rehab_eval
    from rehab_eval import effect
    from rehab_eval.disclosure import resolve

    disclosure = resolve(audience, min_cell, lang=lang)
    data = rehab_eval.load_processed(processed_dir)
    if end_date is None:  # the latest event of all the data
        end_date = latest_event(data).date().isoformat()
    try:
        frame = effect.comparison_cohort(
            _province_only(data, province), end_date=end_date, province=province, outcome=outcome
        )
    except rehab_eval.InputError:
        frame = None
    if frame is not None and (period_start or period_end):  # release dates within the period
        import pandas as pd

        low = pd.Timestamp(period_start) if period_start else frame["start"].min()
        high = pd.Timestamp(period_end) if period_end else frame["start"].max()
        frame = frame[frame["start"].between(low, high)].reset_index(drop=True)
        if frame["treated"].nunique() < 2:
            frame = None
    result = None
    if frame is not None:
        result = effect.programme_effect(
            frame, method=method, estimand=estimand, cluster="facility",
            tau=730.0, times=(365.0, 730.0),
        )  # fmt: skip
    return Context(
        data=frame, disclosure=disclosure, lang=lang, period=(None, end_date),
        flow={"treated": result.settings["n_treated"] if result else 0,
              "comparison": result.settings["n_comparison"] if result else 0},
        shown={"effect": result, "province": province},
    )  # fmt: skip


def _province_only(data: Any, province: Any) -> Any:
    """The data of the province's clients only (the province filter pushed into the scan)."""
    from rehab_eval.etl.processed import restrict, table

    if province is None:
        return data
    clients = table(data, "clients", columns=["province"], filters=[("province", "==", province)])
    return restrict(data, clients["client_id"], {"clients": clients})


def _counts(ctx: Context) -> dict[str, Any]:
    from rehab_eval.disclosure import show_count

    return {g: show_count(ctx.flow[k], "enrolled", ctx.disclosure, lang=ctx.lang)
            for g, k in ((1, "treated"), (0, "comparison"))}  # fmt: skip


def _small(ctx: Context) -> bool:
    d = ctx.disclosure
    return d.public and min(ctx.flow.values()) < d.stats_min


def _num(value: float, what: str, ctx: Context) -> str:
    from rehab_eval.i18n import format_number

    digits = 0 if what == "count" else ctx.disclosure.precision(what)
    return format_number(value, digits, ctx.lang)


def _covariates(ctx: Context) -> str:
    names = ctx.shown["effect"].settings["covariates"]
    return ", ".join(_cov_name(c, ctx.lang) for c in names)


def _cov_name(covariate: str, lang: str) -> str:
    """A covariate's name in words where ``effect.toml`` has one, else its column name."""
    key = f"cov.{covariate}"
    return say(key, lang) if key in _texts("effect.toml") else covariate


def open_effect_report(
    ctx: Context, output_dir: Any, *, key_points: list[str] | None = None
) -> None:
    """Start publishing (title, subtitle, policy, key points) and write the intro paragraph."""
    from rehab_eval.i18n import format_date

    lang, d = ctx.lang, ctx.disclosure
    province = ctx.shown["province"]
    end = format_date(ctx.period[1], lang)
    subtitle = " · ".join(x for x in (province, f"{'s.d.' if lang == 'id' else 'to'} {end}") if x)
    title = say("title", lang)
    office = f"Kanwil {province}" if province else None
    _sink.start(output_dir, title=title, subtitle=subtitle, lang=lang, report="programme_effect",
                disclosure=d, office=office)  # fmt: skip
    counts = _counts(ctx)
    policy = say("policy", lang, min_cell=d.min_cell or 1, display_min=d.display_min)
    intro = (say("none", lang) if ctx.shown["effect"] is None else
             say("intro", lang, treated=counts[1].text, comparison=counts[0].text, end_date=end, policy=policy))  # fmt: skip
    stamp = d.stamp(lang)
    _sink.markdown(
        f"# {title}\n\n**{subtitle}**\n\n" + (f"**{stamp}**\n\n" if stamp else "") + intro
    )
    if key_points:
        _sink.key_points(key_points)
    _sink.summary(report="programme_effect", province=province, end_date=str(ctx.period[1]),
                  audience=d.audience, n_treated=counts[1].text, n_comparison=counts[0].text)  # fmt: skip


def design_section(ctx: Context) -> Section:
    """The two groups: people, re-offenders, effective sample size after weighting, method."""
    import pandas as pd

    from rehab_eval.disclosure import show_count

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.design", lang)
    eff = ctx.shown["effect"]
    if eff is None:
        return Section(title=title, no_data=say("none", lang))
    s = eff.settings
    counts = _counts(ctx)
    ess = eff.balance.ess.set_index("treated")["ess_after"]
    rows = []
    for g, events in ((1, s["events_treated"]), (0, s["events_comparison"])):
        n = ctx.flow["treated" if g else "comparison"]
        rows.append({say("col.group", lang): say(f"group.{g}", lang), say("col.n", lang): counts[g].text,
                     say("col.events", lang): show_count(events, "reoffence", d, group_size=n, lang=lang).text,
                     say("col.ess", lang): _num(ess.loc[g], "count", ctx) if not _small(ctx) else f"n<{d.stats_min}"})  # fmt: skip
    from rehab_eval.effect import REHAB_PROGRAMS
    from rehab_eval.i18n import label

    text = say("design.text", lang, programs=", ".join(label("program", p, lang) for p in REHAB_PROGRAMS),
               covariates=_covariates(ctx), method=say(f"method.{s['method']}", lang),
               estimand=say(f"estimand.{s['estimand']}", lang))  # fmt: skip
    return Section(title=title, items=[text, TableOut(pd.DataFrame(rows), "groups")])


def _term_label(ctx: Context, covariate: str, term: str) -> str:
    name = _cov_name(covariate, ctx.lang)
    level = str(term)
    for prefix in (covariate, f"{covariate}[", f"{covariate}_", "[T.", "T."):
        level = level.removeprefix(prefix)
    level = level.strip("[]=_ :")
    if covariate == "sex" and level:
        from rehab_eval.i18n import label

        level = label("sex", level, ctx.lang)
    return name if not level or level == covariate else f"{name}: {level}"


def balance_section(ctx: Context) -> Section:
    """Love plot (SMD before and after weighting per covariate term) and its table."""
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from rehab_eval.plots._frame import FrameText, decorate, fit_left_margin, number_axis
    from rehab_eval.plots.style import slide_style

    lang = ctx.lang
    title = say("h.balance", lang)
    eff = ctx.shown["effect"]
    if eff is None:
        return Section(title=title, no_data=say("none", lang))
    table = eff.balance.table
    names = [_term_label(ctx, c, t) for c, t in zip(table["covariate"], table["term"], strict=True)]
    order = np.argsort(-table["smd_before"].abs().to_numpy())
    counts = _counts(ctx)
    with slide_style():
        fig, ax = plt.subplots()
        y = np.arange(len(order))
        ax.scatter(
            table["smd_before"].to_numpy()[order],
            y,
            s=90,
            color="#999999",
            label=say("legend.before", lang),
            zorder=3,
        )
        ax.scatter(
            table["smd_after"].to_numpy()[order],
            y,
            s=90,
            color="#0072B2",
            label=say("legend.after", lang),
            zorder=4,
        )
        for x in (-eff.balance.threshold, eff.balance.threshold):
            ax.axvline(x, color="#D55E00", lw=1.5, ls="--")
        ax.axvline(0, color="#333333", lw=1)
        ax.set_yticks(y, [names[i] for i in order], fontsize=15 if len(order) > 10 else 17)
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(say("axis.smd", lang))
        number_axis(ax.xaxis, lang, 1)
        # above the axes, never over a point
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, fontsize=15, frameon=False)
        sub = say("fig.sub", lang, treated=counts[1].text, comparison=counts[0].text)
        decorate(
            fig, ax, FrameText(say("fig.balance", lang), sub, say("fig.source", lang)), own=True
        )
        fit_left_margin(fig, ax, most=0.5)
    summary = eff.balance.summary.iloc[0]
    takeaway = say("balance.takeaway", lang, after=_num(summary["max_abs_smd_after"], "effect_size", ctx),
                   before=_num(summary["max_abs_smd_before"], "effect_size", ctx),
                   imbalanced=int(summary["n_imbalanced_after"]))  # fmt: skip
    shown = pd.DataFrame({say("col.covariate", lang): [names[i] for i in order],
                          say("col.smd_before", lang): [_num(v, "effect_size", ctx) for v in table["smd_before"].to_numpy()[order]],
                          say("col.smd_after", lang): [_num(v, "effect_size", ctx) for v in table["smd_after"].to_numpy()[order]]})  # fmt: skip
    return Section(
        title=title,
        items=[
            FigureOut(
                fig, "love_plot", say("fig.balance", lang), takeaway, say("balance.notes", lang)
            ),
            TableOut(shown, "balance"),
        ],  # fmt: skip
        key_points=[takeaway],
    )


def _risk_text(ctx: Context, risk: float) -> str:
    from rehab_eval.i18n import format_percent

    return format_percent(risk, ctx.disclosure.precision("percent"), ctx.lang)


def curves_section(ctx: Context) -> Section:
    """Weighted cumulative re-offending per group, and the rates at 12 and 24 months."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from rehab_eval.plots._frame import FrameText, decorate, percent_axis
    from rehab_eval.plots.style import slide_style

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.curves", lang)
    eff = ctx.shown["effect"]
    if eff is None:
        return Section(title=title, no_data=say("none", lang))
    if _small(ctx):
        return Section(title=title, items=[say("small", lang, stats_min=d.stats_min)])
    curves = eff.curves[eff.curves["analysis"] == "adjusted"]
    counts = _counts(ctx)
    with slide_style():
        fig, ax = plt.subplots()
        for g in (1, 0):
            c = curves[(curves["group"] == g) & (curves["n_at_risk"] >= d.display_min)]
            months = pd.concat([pd.Series([0.0]), c["time"] / DAYS_PER_MONTH])
            risk = pd.concat([pd.Series([0.0]), 1 - c["survival"]])
            ax.step(
                months,
                risk,
                where="post",
                color=GROUP_COLORS[g],
                lw=3,
                label=say(f"group.{g}", lang),
            )
            ax.fill_between(c["time"] / DAYS_PER_MONTH, 1 - c["ci_high"], 1 - c["ci_low"], step="post",
                            color=GROUP_COLORS[g], alpha=0.15, lw=0)  # fmt: skip
        for t in eff.settings["times"]:
            ax.axvline(t / DAYS_PER_MONTH, color="#BBBBBB", lw=1, ls=":")
        ax.set_xlabel(say("axis.months", lang))
        ax.set_ylabel(say("axis.risk", lang))
        ax.set_xlim(0, None)
        ax.set_ylim(0, None)
        percent_axis(ax.yaxis, lang)
        ax.legend(loc="upper left", fontsize=16)
        sub = say("fig.sub", lang, treated=counts[1].text, comparison=counts[0].text)
        decorate(
            fig, ax, FrameText(say("fig.curves", lang), sub, say("fig.source", lang)), own=True
        )
    risks = eff.risks.set_index(["analysis", "treated", "time"])
    rows, values = [], {}
    for t in eff.settings["times"]:
        months = round(t / DAYS_PER_MONTH)
        row = {say("col.time", lang): f"{months} {'bulan' if lang == 'id' else 'months'}"}
        for analysis in ("unadjusted", "adjusted"):
            r1, r0 = risks.loc[(analysis, 1, t)], risks.loc[(analysis, 0, t)]
            row[say(f"col.{analysis}", lang)] = " / ".join(
                f"{_risk_text(ctx, r['risk'])} [{_risk_text(ctx, r['ci_low'])}; {_risk_text(ctx, r['ci_high'])}]" for r in (r1, r0)
            )  # fmt: skip
            values[f"{analysis}_{months}"] = {
                g: _rounded(ctx, r["risk"], "percent")
                for g, r in (("participants", r1), ("comparison", r0))
            }
        rows.append(row)
    last = eff.settings["times"][-1]
    takeaway = say("curves.takeaway", lang, t=round(last / DAYS_PER_MONTH),
                   risk1=_risk_text(ctx, risks.loc[("adjusted", 1, last), "risk"]),
                   risk0=_risk_text(ctx, risks.loc[("adjusted", 0, last), "risk"]))  # fmt: skip
    table = pd.DataFrame(rows)
    return Section(
        title=title,
        items=[
            FigureOut(
                fig,
                "reoffending_curves",
                say("fig.curves", lang),
                takeaway,
                say("curves.notes", lang, display_min=d.display_min),
            ),
            TableOut(table, "reoffending_rates", caption=say("measure.risk", lang, t="12 / 24")),
        ],  # fmt: skip
        values={"reoffending": values},
        key_points=[takeaway],
    )


def _rounded(ctx: Context, value: float, what: str) -> float | None:
    from rehab_eval.disclosure.values import round_for_display

    return round_for_display(value, what, ctx.disclosure)


def estimates_section(ctx: Context) -> Section:
    """Hazard ratio, RMST difference and risk differences (unadjusted and adjusted), E-value."""
    import pandas as pd

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.estimates", lang)
    eff = ctx.shown["effect"]
    if eff is None:
        return Section(title=title, no_data=say("none", lang))
    if _small(ctx):
        return Section(title=title, items=[say("small", lang, stats_min=d.stats_min)])
    t = eff.table.set_index(["analysis", "measure", "time"]).sort_index()
    tau = eff.settings["tau"]

    def cell(
        analysis: str, measure: str, time: float, scale: float = 1.0, what: str = "effect_size"
    ) -> str:
        r = t.loc[(analysis, measure, time)]
        est, low, high = (_num(r[k] * scale, what, ctx) for k in ("estimate", "ci_low", "ci_high"))
        return f"{est} [{low}; {high}]"

    nan = float("nan")
    rows = [(say("measure.hazard_ratio", lang), "hazard_ratio", nan, 1.0, "effect_size"),
            (say("measure.rmst_difference", lang, tau=round(tau / DAYS_PER_MONTH)), "rmst_difference", tau, 1 / DAYS_PER_MONTH, "score")]  # fmt: skip
    for time in eff.settings["times"]:
        rows.append(
            (
                say("measure.risk_difference", lang, t=round(time / DAYS_PER_MONTH)),
                "risk_difference",
                time,
                100.0,
                "score",
            )
        )
    index = t.index.to_frame(index=False)
    out = []
    for name, measure, time, scale, what in rows:
        key = time if time == time else index.loc[index["measure"] == measure, "time"].iloc[0]
        out.append({say("col.measure", lang): name,
                    **{say(f"col.{a}", lang): cell(a, measure, key, scale, what) for a in ("unadjusted", "adjusted")}})  # fmt: skip
    ev = eff.evalue
    out.append({say("col.measure", lang): say("measure.evalue", lang), say("col.unadjusted", lang): "–",
                say("col.adjusted", lang): f"{_num(ev['evalue'], 'effect_size', ctx)}; {_num(ev['evalue_ci'], 'effect_size', ctx)}"})  # fmt: skip
    hr = t.loc[("adjusted", "hazard_ratio")].iloc[0]
    verdict = "lower" if hr["ci_high"] < 1 else "higher" if hr["ci_low"] > 1 else "none"
    takeaway = say("estimates.takeaway", lang, hr=_num(hr["estimate"], "effect_size", ctx),
                   low=_num(hr["ci_low"], "effect_size", ctx), high=_num(hr["ci_high"], "effect_size", ctx),
                   verdict=say(f"verdict.{verdict}", lang))  # fmt: skip
    evalue_text = say("estimates.evalue", lang, evalue=_num(ev["evalue"], "effect_size", ctx),
                      evalue_ci=_num(ev["evalue_ci"], "effect_size", ctx))  # fmt: skip
    rmst = t.loc[("adjusted", "rmst_difference", tau)]
    values = {
        "hazard_ratio": {
            k: _rounded(ctx, hr[k], "effect_size") for k in ("estimate", "ci_low", "ci_high")
        },
        "rmst_difference_months": {
            k: _rounded(ctx, rmst[k] / DAYS_PER_MONTH, "score")
            for k in ("estimate", "ci_low", "ci_high")
        },
        "risk_difference_pp": {
            f"{a}_{round(time / DAYS_PER_MONTH)}": {
                k: _rounded(ctx, t.loc[(a, "risk_difference", time), k] * 100, "score")
                for k in ("estimate", "ci_low", "ci_high")
            }
            for a in ("unadjusted", "adjusted")
            for time in eff.settings["times"]
        },
        "evalue": _rounded(ctx, ev["evalue"], "effect_size"),
        "evalue_ci": _rounded(ctx, ev["evalue_ci"], "effect_size"),
    }
    return Section(
        title=title,
        items=[TableOut(pd.DataFrame(out), "effect_estimates"), f"{takeaway} {evalue_text}"],
        summary={
            "hazard_ratio": f"{_num(hr['estimate'], 'effect_size', ctx)} [{_num(hr['ci_low'], 'effect_size', ctx)}; {_num(hr['ci_high'], 'effect_size', ctx)}]",
            "evalue": _num(ev["evalue"], "effect_size", ctx),
        },  # fmt: skip
        values=values,
        narrative={"estimate": takeaway},
        key_points=[takeaway, evalue_text],
    )


def limits_section(ctx: Context) -> Section:
    """Plain sentences on what an observational comparison can and cannot show."""
    title = say("h.limits", ctx.lang)
    if ctx.shown["effect"] is None:
        return Section(title=title, no_data=say("none", ctx.lang))
    return Section(title=title, items=[say("limits.text", ctx.lang, covariates=_covariates(ctx))])


def effect_summary(ctx: Context, *sections: Section) -> Section:
    """The closing paragraph, the key points and the definitions (policy included)."""
    lang, d = ctx.lang, ctx.disclosure
    definitions = [
        say("def.ipw", lang),
        say("def.hr", lang),
        say("def.evalue", lang),
        d.short_form(lang),
    ]
    if ctx.shown["effect"] is None:
        return Section(title=say("h.summary", lang), items=[say("none", lang)],
                       key_points=[say("none", lang)], definitions=definitions)  # fmt: skip
    points = [p for s in sections for p in s.key_points][:5]
    found = {k: v for s in sections for k, v in s.narrative.items()}
    text = found.get("estimate") or (
        points[0] if points else say("small", lang, stats_min=d.stats_min)
    )
    return Section(title=say("h.summary", lang), items=[text], key_points=points or [text],
                   definitions=definitions)  # fmt: skip
