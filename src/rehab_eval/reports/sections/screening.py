"""Screening report (WHO ASSIST): selection, overall level with the recommended follow-up,
level per substance, change between repeated screenings, and the closing summary.

Clients screened are an operational count (exact); clients per risk level are sensitive
counts (policy kind ``risk_level``): under ``min_cell`` they read ``"<5"`` and the cells
that would give them away through the number screened are hidden (``"x"``). A bar whose
count is hidden is drawn pale at the length ``min_cell`` (its length must not tell), and a
substance with a hidden level gets no stacked bar. A section without data says so in one
sentence (:func:`rehab_eval.reports.publish.no_data`), never as 0 %.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.plots.style import LEVEL_COLORS as _STYLE_LEVELS
from rehab_eval.reports.sections import _sink
from rehab_eval.reports.sections._model import Context, FigureOut, Section, TableOut
from rehab_eval.reports.sections._texts import speaker

__all__ = [
    "LEVEL_COLORS",
    "change_section",
    "level_section",
    "open_screening_report",
    "screening_context",
    "screening_summary",
    "substance_section",
]

#: Risk levels light → dark, the colours of every other figure that shows a level (the
#: recidivism curves and rates): one meaning of a colour across the reports.
LEVEL_COLORS = dict(_STYLE_LEVELS)


say = speaker("screening.toml")


def screening_context(
    processed_dir: Any,
    *,
    program: Any = None,
    facility: Any = None,
    cohort: Any = None,
    period_start: Any = None,
    period_end: Any = None,
    audience: str | None = None,
    min_cell: int | None = None,
    lang: str = "id",
) -> Context:
    """Load and select the screened clients, and resolve the disclosure policy.

    ``ctx.data`` holds the selection, ``ctx.flow`` the clients selected (``enrolled``) and
    screened with ASSIST (``screened``), ``ctx.shown["levels"]`` the
    :class:`rehab_eval.screening.RiskLevels` (None without ASSIST forms).

    Raises
    ------
    InputError
        No client in the selection.
    """
    import rehab_eval
    from rehab_eval import cohort as cohorts
    from rehab_eval import screening
    from rehab_eval.disclosure import resolve
    from rehab_eval.i18n import format_period

    disclosure = resolve(audience, min_cell, lang=lang)
    data = rehab_eval.load_processed(processed_dir)
    chosen = cohorts.select(
        data, program=program, facility=facility, cohort=cohort,
        period_start=period_start, period_end=period_end,
    )  # fmt: skip
    enrolled = int(chosen.enrollments["client_id"].nunique())
    if enrolled == 0:
        raise rehab_eval.InputError(
            say("empty", lang, program=program, facility=facility, cohort=cohort,
                period=format_period(period_start, period_end, lang))
        )  # fmt: skip
    scores = chosen.scores
    has = scores is not None and (scores["instrument"].astype(str) == "assist").any()
    levels = screening.risk_levels(scores) if has else None
    changes = screening.level_changes(scores) if has else None
    starts = chosen.enrollments["start_date"].dropna()
    if len(starts):  # an open end of the period is the first or last start in the selection
        period_start = period_start or starts.min().date().isoformat()
        period_end = period_end or starts.max().date().isoformat()
    return Context(
        data=chosen,
        disclosure=disclosure,
        lang=lang,
        period=(period_start, period_end),
        flow={"enrolled": enrolled, "screened": levels.n_clients if levels else 0},
        shown={"levels": levels, "changes": changes},
    )


def _tiny(ctx: Context) -> bool:
    m = ctx.disclosure.min_cell
    return bool(m) and 0 < ctx.flow["screened"] < m


def _counts(ctx: Context) -> dict[str, Any]:
    """The operational counts, shown (cached)."""
    from rehab_eval.disclosure import show_count

    if "counts" not in ctx.shown:
        d, lang = ctx.disclosure, ctx.lang
        ctx.shown["counts"] = {
            "enrolled": show_count(ctx.flow["enrolled"], "enrolled", d, lang=lang),
            "screened": show_count(ctx.flow["screened"], "assessed_pre", d, lang=lang),
        }
    return ctx.shown["counts"]


def _level_table(ctx: Context, rows: Any) -> Any:
    """Counts per level of one or more substances, protected against each substance's n."""
    from rehab_eval.disclosure import show_table

    return show_table(
        rows.reset_index(drop=True), ["n"], ctx.disclosure, kinds="risk_level",
        total="column", by="substance", group_size=ctx.flow["screened"], lang=ctx.lang,
    )  # fmt: skip


def _overall_shown(ctx: Context) -> dict[str, Any]:
    """Per level: (text, value, share text) of the overall level (cached)."""
    from rehab_eval.i18n import format_percent

    if "overall" not in ctx.shown:
        overall = ctx.shown["levels"].overall()
        shown = _level_table(ctx, overall)
        out = {}
        for r, text, value in zip(
            overall.to_dict("records"), shown.table["n"], shown.values["n"], strict=True
        ):
            pct = format_percent(r["share"], ctx.disclosure.precision("percent"), ctx.lang)
            out[r["level"]] = (text, value, f"{text} ({pct})" if value is not None else text)
        ctx.shown["overall"] = out
    return ctx.shown["overall"]


def open_screening_report(
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
    _sink.start(output_dir, title=title, subtitle=subtitle, lang=lang, report="screening_report",
                disclosure=d, office=facility)  # fmt: skip
    counts = _counts(ctx)
    policy = say("tiny" if _tiny(ctx) else "policy", lang, min_cell=d.min_cell or 1)
    intro = say("intro", lang, screened=counts["screened"].text, n=counts["enrolled"].text,
                period=when, policy=policy)  # fmt: skip
    stamp = d.stamp(lang)
    _sink.markdown(
        f"# {title}\n\n**{subtitle}**\n\n" + (f"**{stamp}**\n\n" if stamp else "") + intro
    )
    if key_points:
        _sink.key_points(key_points)
    _sink.summary(report="screening_report", period=when, facility=facility, program=program,
                  cohort=cohort, audience=d.audience, n_enrolled=counts["enrolled"].text,
                  n_screened=counts["screened"].text)  # fmt: skip


def _frame_texts(ctx: Context, key: str) -> tuple[str, str, str]:
    from rehab_eval.i18n import format_period

    sub = say("fig.sub", ctx.lang, n=_counts(ctx)["screened"].text,
              period=format_period(*ctx.period, ctx.lang))  # fmt: skip
    return say(key, ctx.lang), sub, say("fig.source", ctx.lang)


def _decorate(fig: Any, texts: tuple[str, str, str], **margins: Any) -> None:
    from rehab_eval.plots._frame import FrameText, decorate

    decorate(fig, None, FrameText(*texts), own=True, **margins)


def _level_figure(ctx: Context, shown: dict[str, Any]) -> Any:
    import matplotlib.pyplot as plt

    from rehab_eval.i18n import label
    from rehab_eval.plots._frame import number_axis
    from rehab_eval.plots.style import SUPPRESSED_FILL, slide_style

    m = ctx.disclosure.min_cell or 1
    with slide_style():
        fig, ax = plt.subplots()
        levels = list(shown)
        values = [shown[lv][1] for lv in levels]
        top = max([v for v in values if v is not None] + [m])
        for i, lv in enumerate(levels):
            value = shown[lv][1]
            height = value if value is not None else m
            ax.bar(i, height, 0.6, color=LEVEL_COLORS[lv] if value is not None else SUPPRESSED_FILL)
            ax.text(
                i,
                height + top * 0.02,
                shown[lv][2],
                ha="center",
                va="bottom",
                fontsize=20,
                fontweight="bold",
            )
        ax.set_xticks(range(len(levels)), [label("level", lv, ctx.lang) for lv in levels])
        ax.set_ylabel(say("axis.clients", ctx.lang))
        ax.set_ylim(0, top * 1.2)
        number_axis(ax.yaxis, ctx.lang)
        _decorate(fig, _frame_texts(ctx, "fig.level"))
    return fig


def level_section(ctx: Context) -> Section:
    """Overall risk level: figure, and the table of the recommended follow-up per level."""
    import pandas as pd

    from rehab_eval.disclosure.values import round_for_display
    from rehab_eval.i18n import label
    from rehab_eval.screening import FOLLOW_UP

    lang = ctx.lang
    title = say("h.level", lang)
    if ctx.shown["levels"] is None:
        return Section(title=title, no_data=say("none", lang))
    if _tiny(ctx):
        return Section(title=title, items=[say("tiny", lang, min_cell=ctx.disclosure.min_cell)])
    shown = _overall_shown(ctx)
    counts = _counts(ctx)
    table = pd.DataFrame(
        {
            say("col.level", lang): [label("level", lv, lang) for lv in shown],
            say("col.n", lang): [s[2] for s in shown.values()],
            say("col.action", lang): [say(f"action.{FOLLOW_UP[lv]}", lang) for lv in shown],
        }
    )
    takeaway = say("level.takeaway", lang, high=shown["tinggi"][0], moderate=shown["sedang"][0],
                   screened=counts["screened"].text)  # fmt: skip
    overall = ctx.shown["levels"].overall()
    shares = dict(zip(overall["level"], overall["share"], strict=True))
    values = {
        "risk_level_share": {
            lv: None if s[1] is None else round_for_display(shares[lv], "percent", ctx.disclosure)
            for lv, s in shown.items()
        },
    }
    return Section(
        title=title,
        items=[
            FigureOut(
                _level_figure(ctx, shown),
                "risk_level",
                say("fig.level", lang),
                takeaway,
                say("level.notes", lang, screened=counts["screened"].text),
            ),
            TableOut(table, "follow_up"),
        ],  # fmt: skip
        summary={f"risk_level_{lv}": s[2] for lv, s in shown.items()},
        values=values,
        key_points=[takeaway],
    )


def _substance_figure(ctx: Context, rows: list[dict[str, Any]]) -> Any:
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from rehab_eval.i18n import label
    from rehab_eval.plots._frame import fit_left_margin, percent_axis
    from rehab_eval.plots.style import slide_style
    from rehab_eval.screening import LEVELS

    lang = ctx.lang
    with slide_style():
        fig, ax = plt.subplots()
        for i, r in enumerate(rows):
            if r["shares"] is None:
                ax.text(0.01, i, say("hidden_row", lang), va="center", fontsize=14, color="#555555")
                continue
            left = 0.0
            for lv in LEVELS:
                share = r["shares"][lv]
                ax.barh(i, share, 0.7, left=left, color=LEVEL_COLORS[lv])
                left += share
        ax.set_yticks(
            range(len(rows)), [label("substance", r["substance"], lang) for r in rows], fontsize=15
        )
        ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top; text-only rows included
        ax.set_xlim(0, 1)
        ax.grid(axis="y", visible=False)
        percent_axis(ax.xaxis, lang)
        ax.set_xlabel(say("axis.share", lang))
        ax.legend(handles=[Patch(color=LEVEL_COLORS[lv], label=label("level", lv, lang)) for lv in LEVELS],
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=16)  # fmt: skip
        _decorate(fig, _frame_texts(ctx, "fig.substance"), left=0.3, right=0.83)
        fit_left_margin(fig, ax)
    return fig


def substance_section(ctx: Context) -> Section:
    """Risk level per substance: the table of counts (policy applied) and a stacked-bar figure."""
    import pandas as pd

    from rehab_eval.disclosure.values import round_for_display
    from rehab_eval.i18n import format_percent, label
    from rehab_eval.screening import LEVELS, OVERALL

    lang = ctx.lang
    title = say("h.substance", lang)
    if ctx.shown["levels"] is None:
        return Section(title=title, no_data=say("none", lang))
    if _tiny(ctx):
        return Section(title=title, items=[say("tiny", lang, min_cell=ctx.disclosure.min_cell)])
    table = ctx.shown["levels"].table
    table = table[(table["substance"] != OVERALL) & (table["n_screened"] > 0)].reset_index(
        drop=True
    )
    shown = _level_table(ctx, table)
    digits = ctx.disclosure.precision("percent")
    cells: dict[str, dict[str, tuple[str, Any, float]]] = {}
    for r, text, value in zip(
        table.to_dict("records"), shown.table["n"], shown.values["n"], strict=True
    ):
        cells.setdefault(r["substance"], {})[r["level"]] = (text, value, r["share"])
    out, rows = [], []
    for substance, levels in cells.items():
        line = {say("col.substance", lang): label("substance", substance, lang)}
        for lv in LEVELS:
            text, value, share = levels[lv]
            line[label("level", lv, lang)] = (
                text if value is None else f"{text} ({format_percent(share, digits, lang)})"
            )
        out.append(line)
        every = all(levels[lv][1] is not None for lv in LEVELS)
        at_risk = sum(levels[lv][1] for lv in ("sedang", "tinggi")) if every else None
        rows.append({"substance": substance, "at_risk": at_risk,
                     "shares": {lv: levels[lv][2] for lv in LEVELS} if every else None})  # fmt: skip
    # most at risk first; substances with hidden counts last, in form order
    rows.sort(key=lambda r: (r["shares"] is None, -(r["at_risk"] or 0)))
    ranked = [
        r for r in rows if r["at_risk"] and r["substance"] != "tobacco"
    ]  # tobacco: not in the level
    if ranked:
        top = ranked[0]
        text = cells[top["substance"]]
        top_text = f"{label('substance', top['substance'], lang)} ({text['sedang'][0]} {label('level', 'sedang', lang).lower()}, {text['tinggi'][0]} {label('level', 'tinggi', lang).lower()})"
        takeaway = say("substance.takeaway", lang, top=top_text)
    else:
        takeaway = say("substance.takeaway_none", lang)
    counts = _counts(ctx)
    return Section(
        title=title,
        items=[
            FigureOut(
                _substance_figure(ctx, rows),
                "risk_substance",
                say("fig.substance", lang),
                takeaway,
                say("substance.notes", lang, screened=counts["screened"].text),
            ),
            TableOut(pd.DataFrame(out), "risk_substance"),
        ],  # fmt: skip
        summary={
            "risk_substance": {s: {lv: v[0] for lv, v in lv.items()} for s, lv in cells.items()}
        },
        values={
            "risk_substance_share": {
                s: {
                    lv: None if v[1] is None else round_for_display(v[2], "percent", ctx.disclosure)
                    for lv, v in lv.items()
                }
                for s, lv in cells.items()
            }
        },
        key_points=[takeaway],
    )


def change_section(ctx: Context) -> Section:
    """Overall level at the first and the latest screening of clients screened twice or more."""
    import pandas as pd

    from rehab_eval.disclosure import show_count, show_counts
    from rehab_eval.i18n import format_number, label
    from rehab_eval.screening import DIRECTIONS, LEVELS, OVERALL

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.change", lang)
    changes = ctx.shown["changes"]
    if changes is None:
        return Section(title=title, no_data=say("none", lang))
    if changes.n_repeated == 0:
        return Section(title=title, no_data=say("no_repeat", lang))
    cells = changes.table[changes.table["substance"] == OVERALL]
    counts: dict[Any, Any] = {
        (r["level_first"], r["level_last"]): r["n"] for r in cells.to_dict("records")
    }
    kinds = dict.fromkeys(counts, "risk_level")
    relations = [("repeated", list(counts))]
    for direction in DIRECTIONS:
        members = [
            (r["level_first"], r["level_last"])
            for r in cells.to_dict("records")
            if r["direction"] == direction
        ]
        counts[direction] = sum(counts[k] for k in members)
        kinds[direction] = "risk_level"
        relations.append((direction, members))
    counts["repeated"], kinds["repeated"] = changes.n_repeated, "assessed_post"
    relations.append(("repeated", list(DIRECTIONS)))  # what the sentence lets a reader add up
    shown = show_counts(
        counts, kinds, d, relations=relations, group_size=changes.n_repeated, lang=lang
    )
    repeated = show_count(changes.n_repeated, "assessed_post", d, lang=lang)
    grid = pd.DataFrame(
        [
            {
                say("col.first", lang): label("level", a, lang),
                **{label("level", b, lang): shown[(a, b)].text for b in LEVELS},
            }
            for a in LEVELS
        ]
    )
    days = format_number(changes.median_days, 0, lang) if repeated.value is not None else "–"
    text = say("change.text", lang, repeated=repeated.text, days=days,
               **{k: shown[k].text for k in DIRECTIONS})  # fmt: skip
    return Section(
        title=title,
        items=[text, TableOut(grid, "risk_change", caption=say("change.caption", lang))],
        summary={
            "n_rescreened": repeated.text,
            "risk_level_change": {k: shown[k].text for k in DIRECTIONS},
        },
        narrative={"change": text},
        key_points=[text],
    )


def screening_summary(ctx: Context, *sections: Section) -> Section:
    """The closing summary paragraph, the key points and the definitions (policy included)."""
    lang, d = ctx.lang, ctx.disclosure
    definitions = [say("def.assist", lang), say("def.bands", lang), d.short_form(lang)]
    if ctx.shown["levels"] is None or _tiny(ctx):
        text = (
            say("none", lang)
            if ctx.shown["levels"] is None
            else say("tiny", lang, min_cell=d.min_cell)
        )
        return Section(
            title=say("h.summary", lang), items=[text], key_points=[text], definitions=definitions
        )
    shown = _overall_shown(ctx)
    found = {k: v for s in sections for k, v in s.narrative.items()}
    change = found.get("change") or say("no_repeat", lang)
    text = say("sum.text", lang, screened=_counts(ctx)["screened"].text, high=shown["tinggi"][2],
               moderate=shown["sedang"][2], low=shown["rendah"][2], change=change)  # fmt: skip
    points = [p for s in sections for p in s.key_points][:5]
    return Section(title=say("h.summary", lang), items=[text], key_points=points or [text],
                   definitions=definitions)  # fmt: skip
