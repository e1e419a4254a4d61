"""Cohort figures: client flow, urine-test positivity by program month, program reach.

Each function draws what the result frame of :mod:`rehab_eval.cohort` holds and computes
nothing (no statistics): counts are written through :func:`rehab_eval.privacy.format_count`.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.i18n import format_percent, label, t
from rehab_eval.plots._frame import (
    check_columns,
    decorate,
    fit_left_margin,
    make_axes,
    number_axis,
    percent_axis,
    resolve_texts,
)
from rehab_eval.plots.style import GREY, OKABE_ITO, SUPPRESSED_FILL, slide_style
from rehab_eval.privacy import format_count, is_suppressed, suppress_nested, threshold_mark

__all__ = ["plot_flow", "plot_reach", "plot_urine_positivity"]

FLOW_STEPS = ("enrolled", "assessed_pre", "assessed_post", "completed")


def plot_flow(
    flow: Any,
    *,
    lang: str = "id",
    min_cell: int = 5,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    period: Any = None,
    ax: Any = None,
    shown: Any = None,
) -> Any:
    """Client flow: enrolled → assessed before → assessed after → completed (horizontal bars).

    Parameters
    ----------
    flow : DataFrame
        ``rehab_eval.cohort.flow(...)``: columns ``step`` (``enrolled``, ``assessed_pre``,
        ``assessed_post``, ``completed``; drawn in that order, other steps after them) and
        ``n``; ``share`` (of enrolled) when present, else ``n`` / enrolled for the labels.
    lang : {"id", "en"}
        Labels in Bahasa Indonesia (default) or English.
    min_cell : int
        Disclosure threshold: counts ``0 < n < min_cell`` are written ``<5`` and their
        percent is not shown.
    title, subtitle, source : str, optional
        Replace the default texts (subtitle: "n = … klien · period").
    period : (start, end) or str, optional
        The cohort period for the default subtitle.
    ax : Axes, optional
        Draw into this axes instead of a new slide-sized figure.
    shown : mapping of step → display text, optional
        The counts as the report publishes them (:func:`rehab_eval.disclosure.show_counts`:
        operational counts exact once the group reaches the threshold); they replace the
        nested suppression of ``min_cell``. A ``"<5"`` gets a pale bar of the threshold's
        length, an ``"x"`` no bar.

    Returns
    -------
    matplotlib.axes.Axes
        Bar labels read "35" or "30 (86%)": the count and its share of ``enrolled``. A step
        whose difference to an earlier shown step is between 1 and ``min_cell − 1`` is
        written ``x``, without bar or percent, and a note under the bars says why
        (:func:`rehab_eval.privacy.suppress_nested`).
    """
    check_columns(flow, ["step", "n"], "plot_flow")
    steps = list(flow["step"])
    order = [s for s in FLOW_STEPS if s in steps] + [s for s in steps if s not in FLOW_STEPS]
    counts = dict(zip(flow["step"], flow["n"], strict=True))
    enrolled = counts.get("enrolled")
    shares = dict(zip(flow["step"], flow["share"], strict=True)) if "share" in flow else {}
    # nested steps: a small difference between two shown steps is a small cell too
    if shown is None:
        marks = suppress_nested({s: counts[s] for s in order}, min_cell, lang=lang)
    else:
        marks = {s: str(shown.get(s, "–")) for s in order}
    with slide_style():
        fig, ax, own = make_axes(ax)
        positions = list(range(len(order)))[::-1]
        values = [float(counts[s]) for s in order]
        colors = [OKABE_ITO["green"] if s == "completed" else OKABE_ITO["blue"] for s in order]
        if shown is None:
            primary = [is_suppressed(v, min_cell) for v in values]
        else:
            primary = [marks[s].startswith("<") for s in order]
        nested = [marks[s] == "x" for s in order]
        # a primary-hidden count is drawn as a pale bar of length min_cell; a step hidden for
        # its difference to another gets no bar: a length would give the hidden number away
        lengths = [
            0.0 if x else float(min_cell) if h else v
            for v, h, x in zip(values, primary, nested, strict=True)
        ]
        shades = [SUPPRESSED_FILL if h else c for c, h in zip(colors, primary, strict=True)]
        ax.barh(positions, lengths, color=shades, height=0.62)
        ax.set_yticks(positions, [label("step", s, lang) for s in order], fontsize=20)
        top = max(values) if values else 1.0
        for y, step, length, x in zip(positions, order, lengths, nested, strict=True):
            text = marks[step]
            if (
                step != "enrolled"
                and enrolled
                and text not in ("x", threshold_mark(min_cell), "–")
                and not text.startswith("<")
                and not is_suppressed(enrolled, min_cell)
                and not str(marks.get("enrolled", "")).startswith("<")
            ):
                share = shares.get(step, float(counts[step]) / float(enrolled))
                text += f"  ({format_percent(share, 0, lang)})"
            ax.text(
                length + top * 0.015,
                y,
                text,
                va="center",
                fontsize=20,
                fontweight="bold",
                color=GREY if x else "black",
            )
        if any(nested):
            note = t("text.nested_hidden", lang, min_cell=min_cell)
            if own:
                fig.text(0.03, 0.075, note, fontsize=15, color=GREY, va="bottom")
            else:
                ax.annotate(
                    note,
                    (0, 0),
                    xycoords="axes fraction",
                    xytext=(0, -8),
                    textcoords="offset points",
                    va="top",
                    fontsize=12,
                    color=GREY,
                )
        ax.set_xlim(0, top * 1.25)
        ax.grid(False)
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        texts = resolve_texts(
            lang,
            title=title,
            subtitle=subtitle,
            source=source,
            title_key="fig.flow.title",
            n=(marks.get("enrolled") if shown is not None else None)
            or (format_count(enrolled, min_cell, lang) if enrolled is not None else None),
            period=period,
        )
        decorate(
            fig,
            ax,
            texts,
            own=own,
            left=0.27,
            bottom=0.15 if any(nested) else 0.1,
            source_offset=20,
        )
        if own:
            fit_left_margin(fig, ax, least=0.15)
    return ax


def plot_urine_positivity(
    urine: Any,
    *,
    lang: str = "id",
    min_cell: int = 5,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    period: Any = None,
    ax: Any = None,
) -> Any:
    """Share of positive urine tests by program month, with its interval band.

    Parameters
    ----------
    urine : DataFrame
        ``rehab_eval.cohort.urine_positivity(...)``: ``month`` (1, 2, …), ``n_tests``,
        ``n_positive``, ``share``, ``ci_low``, ``ci_high`` (the interval the producing
        function computed, e.g. Wilson).
    lang, min_cell, title, subtitle, source, period, ax
        As in :func:`plot_flow`. Each point is labelled with its percent; a month whose
        number of positive tests is under ``min_cell`` shows ``<5`` and no point or band
        (with the number of tests, written under the axis, the share would reveal it).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_columns(
        urine, ["month", "n_tests", "n_positive", "share", "ci_low", "ci_high"], "plot_urine"
    )
    months = [int(m) for m in urine["month"]]
    # a month whose positive count is hidden gets no point and no band: with the number of
    # tests shown under the axis, its share would give the hidden count away
    hidden = [is_suppressed(k, min_cell) for k in urine["n_positive"]]
    nan = float("nan")

    def _masked(column: str) -> list[float]:
        return [nan if h else float(v) for v, h in zip(urine[column], hidden, strict=True)]

    share, low, high = _masked("share"), _masked("ci_low"), _masked("ci_high")
    with slide_style():
        fig, ax, own = make_axes(ax)
        color = OKABE_ITO["vermillion"]
        ax.fill_between(
            months, low, high, color=color, alpha=0.18, linewidth=0, label=t("legend.ci95", lang)
        )
        ax.plot(months, share, color=color, marker="o", markersize=11)
        for m, s, k, h in zip(months, share, urine["n_positive"], hidden, strict=True):
            text = format_count(k, min_cell, lang) if h else format_percent(s, 0, lang)
            ax.annotate(
                text,
                (m, 0.0 if h else s),
                xytext=(0, 14),
                textcoords="offset points",
                ha="center",
                fontsize=17,
                fontweight="bold",
                color=GREY if h else color,
            )
        for m, n in zip(months, urine["n_tests"], strict=True):
            ax.annotate(
                format_count(n, min_cell, lang),
                (m, 0),
                xycoords=("data", "axes fraction"),
                xytext=(0, -62),
                textcoords="offset points",
                ha="center",
                fontsize=15,
                color=GREY,
            )
        ax.annotate(
            t("text.tests", lang),
            (0, 0),
            xycoords="axes fraction",
            xytext=(-12, -62),
            textcoords="offset points",
            ha="right",
            fontsize=15,
            color=GREY,
        )
        ax.set_xticks(months)
        ax.set_xlim(min(months) - 0.5, max(months) + 0.5)
        ax.set_xlabel(t("axis.program_month", lang), labelpad=4)
        ax.set_ylabel(t("axis.share_positive", lang))
        ceiling = max([v for v in high if v == v] + [0.1])
        ax.set_ylim(0, min(1.0, ceiling * 1.2))
        percent_axis(ax.yaxis, lang)
        handles, _ = ax.get_legend_handles_labels()
        if any(hidden):
            from matplotlib.lines import Line2D

            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker=f"$<{min_cell}$",
                    markersize=22,
                    color=GREY,
                    label=t("legend.hidden_positive", lang, min_cell=min_cell),
                )
            )
        ax.legend(handles=handles, loc="upper right")
        total = sum(float(v) for v in urine["n_tests"] if v == v)
        texts = resolve_texts(
            lang,
            title=title,
            subtitle=subtitle,
            source=source,
            title_key="fig.urine.title",
            n=format_count(total, min_cell, lang),
            n_key="subtitle.n_tests",
            period=period,
        )
        decorate(fig, ax, texts, own=own, bottom=0.22, left=0.11, source_offset=92)
    return ax


def plot_reach(
    reach: Any,
    *,
    lang: str = "id",
    min_cell: int = 5,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    period: Any = None,
    ax: Any = None,
) -> Any:
    """Clients reached by year and facility: bars per year, one colour per facility.

    Parameters
    ----------
    reach : DataFrame
        ``rehab_eval.cohort.reach(...)``: ``year``, ``facility``, ``n_clients``.
        With more than six facilities the bars are horizontal, one row per facility and a
        colour per year.
    lang, min_cell, title, subtitle, source, period, ax
        As in :func:`plot_flow`; the default subtitle gives n (the sum of ``n_clients``:
        a client enrolled in two years or facilities counts in each), the years and the
        number of facilities. Bar labels go through ``format_count``; the legend stands
        beside the axes.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_columns(reach, ["year", "facility", "n_clients"], "plot_reach")
    years = sorted({int(y) for y in reach["year"]})
    facilities = list(dict.fromkeys(reach["facility"]))
    cell = {
        (int(y), f): float(n)
        for y, f, n in zip(reach["year"], reach["facility"], reach["n_clients"], strict=True)
    }
    from matplotlib.patches import Patch

    handles: list[Any] = []
    horizontal = len(facilities) > 6
    outer, inner = (facilities, years) if horizontal else (years, facilities)
    with slide_style():
        fig, ax, own = make_axes(ax)
        width = 0.8 / max(len(inner), 1)
        top = max(cell.values()) if cell else 1.0
        colors = list(OKABE_ITO.values())
        for j, key in enumerate(inner):
            pos, vals = [], []
            for i, o in enumerate(outer):
                y, f = (key, o) if horizontal else (o, key)
                if (y, f) in cell:
                    pos.append(i + (j - (len(inner) - 1) / 2) * width)
                    vals.append(cell[(y, f)])
            name = t("group.all_facilities", lang) if key == "all" else str(key)
            draw = ax.barh if horizontal else ax.bar
            # hidden counts: a pale bar of length min_cell (the length must not reveal them)
            hidden = [is_suppressed(v, min_cell) for v in vals]
            color = colors[j % len(colors)]
            draw(
                pos,
                [float(min_cell) if h else v for v, h in zip(vals, hidden, strict=True)],
                width * 0.92,
                color=[SUPPRESSED_FILL if h else color for h in hidden],
            )
            handles.append(Patch(color=color, label=name))
            for p, value, h in zip(pos, vals, hidden, strict=True):
                text = format_count(value, min_cell, lang)
                v = float(min_cell) if h else value
                if horizontal:
                    ax.text(v + top * 0.01, p, text, va="center", fontsize=14)
                else:
                    ax.text(
                        p,
                        v + top * 0.015,
                        text,
                        ha="center",
                        va="bottom",
                        fontsize=20 if len(inner) <= 2 else 16 if len(inner) <= 4 else 14,
                        fontweight="bold",
                    )
        ticks = list(range(len(outer)))
        if horizontal:
            ax.set_yticks(ticks, [str(o) for o in outer], fontsize=14)
            ax.invert_yaxis()
            ax.set_xlabel(t("axis.clients", lang))
            ax.grid(axis="x")
            ax.grid(axis="y", visible=False)
            number_axis(ax.xaxis, lang)
            ax.set_xlim(0, top * 1.12)
        else:
            ax.set_xticks(ticks, [str(o) for o in outer])
            ax.set_ylabel(t("axis.clients", lang))
            number_axis(ax.yaxis, lang)
            ax.set_ylim(0, top * 1.15)
        legend = None
        if horizontal or len(inner) > 1:  # beside the axes: never over bars or their labels
            import textwrap

            for h in handles:
                h.set_label(textwrap.fill(h.get_label(), 26))
            legend = ax.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                borderaxespad=0,
                fontsize=16 if len(handles) <= 3 else 14,
                labelspacing=0.9,
            )
        extra = []
        if subtitle is None and period is None:
            extra.append(
                t("subtitle.years", lang, start=years[0], end=years[-1])
                if len(years) > 1
                else t("subtitle.year", lang, year=years[0])
            )
        if facilities != ["all"]:
            extra.append(t("subtitle.facilities", lang, n=len(facilities)))
        texts = resolve_texts(
            lang,
            title=title,
            subtitle=subtitle,
            source=source,
            title_key="fig.reach.title",
            n=format_count(sum(cell.values()), min_cell, lang) if cell else None,
            period=period,
            extra=extra,
        )
        decorate(
            fig,
            ax,
            texts,
            own=own,
            left=0.3 if horizontal else 0.1,
            right=0.97,
            bottom=0.16 if horizontal else 0.12,
            source_offset=50,
        )
        if own and horizontal:
            fit_left_margin(fig, ax, least=0.15)
        if own and legend is not None:  # make room on the right for the legend
            fig.canvas.draw()
            box = legend.get_window_extent().transformed(fig.transFigure.inverted())
            fig.subplots_adjust(right=max(0.5, 0.97 - box.width - 0.02))
    return ax
