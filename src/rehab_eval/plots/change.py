"""Pre/post figures: domain scores before and after, effect sizes, Jacobson plot, URICA stages.

Each function draws the frames that :mod:`rehab_eval.change` returns and computes no
statistics: means, SDs, intervals, effect sizes, ``s_diff`` and the cutoff are read from
the result; counts are written through :func:`rehab_eval.privacy.format_count`.

References
----------
Jacobson, N. S. & Truax, P. (1991). Clinical significance: a statistical approach to
defining meaningful change in psychotherapy research. *Journal of Consulting and Clinical
Psychology*, 59(1), 12–19 (the pre/post scatter with identity line and reliable-change band).
"""

from __future__ import annotations

from typing import Any

from rehab_eval.errors import InputError
from rehab_eval.i18n import format_ci, format_number, format_p, label, measure_label, t
from rehab_eval.plots._frame import (
    check_columns,
    decorate,
    fit_left_margin,
    fit_width,
    group_label,
    make_axes,
    n_phrase,
    number_axis,
    resolve_texts,
)
from rehab_eval.plots.style import (
    CATEGORY_COLORS,
    FAINT,
    GREY,
    OKABE_ITO,
    SUPPRESSED_FILL,
    slide_style,
)
from rehab_eval.privacy import SHOWN, format_count, suppression_status, threshold_mark

__all__ = ["plot_effect_sizes", "plot_jacobson", "plot_prepost", "plot_stage_transitions"]

RC_ORDER = ("recovered", "improved", "unchanged", "deteriorated", "harmed")
STAGES = (
    "precontemplation",
    "contemplation",
    "preparation_action",
    "preparation",
    "action",
    "maintenance",
)

#: estimate column → (interval low, interval high) columns of the ``paired`` frame.
ESTIMATES = {
    "cohen_dz": ("dz_ci_low", "dz_ci_high"),
    "mean_diff": ("ci_low", "ci_high"),
    "hedges_gav": None,
    "rank_biserial": None,
}


def _signed(x: float, decimals: int, lang: str) -> str:
    text = format_number(x, decimals, lang)
    return ("+" + text) if x == x and x > 0 and text.strip("0,.") else text


def _n_text(values: Any, min_cell: int, lang: str) -> tuple[str, str]:
    """(n, subtitle key): one n for all rows, else the largest with "n ≤"."""
    ns = sorted({int(v) for v in values if v == v})
    if not ns:
        return "–", "subtitle.n"
    key = "subtitle.n" if len(ns) == 1 else "subtitle.n_max"
    return format_count(ns[-1], min_cell, lang), key


def _client_pairs(scores: Any, measure: str, *, id: str, time: str, pre: str, post: str) -> Any:
    """(pre, post) values of the clients with both, from a long-by-time scores frame."""
    if measure in scores.columns:
        sub = scores[[id, time, measure]]
        value = measure
    elif "measure" in scores.columns:
        value = next((c for c in ("score", "value") if c in scores.columns), None)
        if value is None:
            raise InputError("plot_prepost: scores with a 'measure' column need a 'score' column")
        sub = scores.loc[scores["measure"] == measure, [id, time, value]]
    else:
        raise InputError(
            f"plot_prepost: measure {measure!r} of the paired result is not a column of the "
            f"scores frame (columns: {list(scores.columns)}); pass the frame given to paired()"
        )
    sub = sub[sub[time].astype("object").isin([pre, post])]
    wide = sub.pivot_table(index=id, columns=time, values=value, aggfunc="first", observed=True)
    if pre not in wide.columns or post not in wide.columns:
        return wide.iloc[0:0, 0:0]
    return wide[[pre, post]].dropna()


def plot_prepost(
    scores: Any,
    paired: Any,
    *,
    lang: str = "id",
    min_cell: int = 5,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    period: Any = None,
    pre: str = "pre",
    post: str = "post",
    id: str = "client_id",
    time: str = "timepoint",
    ax: Any = None,
) -> Any:
    """Scores before and after per domain: a faint line per client, the mean ± SD, the change.

    Parameters
    ----------
    scores : DataFrame
        The long-by-time scores given to ``rehab_eval.change.paired`` (one row per client ×
        timepoint, measures as columns; a ``measure``/``score`` long layout is read too).
        Only the clients' values are drawn; no identifier is written.
    paired : DataFrame
        ``rehab_eval.change.paired(...)``, one row per measure (one panel each, in row
        order): ``measure``, ``n``, ``mean_pre``, ``sd_pre``, ``mean_post``, ``sd_post``,
        ``mean_diff``, ``ci_low``, ``ci_high``. Filter a grouped result to one group first.
    lang, min_cell, title, subtitle, source, period
        As in :func:`rehab_eval.plots.plot_flow`.
    pre, post, id, time : str
        Timepoint codes and column names, as given to ``paired``.
    ax : sequence of Axes, optional
        One axes per measure; by default a new slide-sized figure with one panel each.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel: the measure label and its n; under it "Perubahan +5,2" and the 95% CI of
        the mean change from ``paired``.
    """
    check_columns(
        paired,
        [
            "measure",
            "n",
            "mean_pre",
            "sd_pre",
            "mean_post",
            "sd_post",
            "mean_diff",
            "ci_low",
            "ci_high",
        ],
        "plot_prepost",
    )
    if paired["measure"].duplicated().any():
        raise InputError(
            "plot_prepost: the paired result has several rows per measure (grouped with by=); "
            "pass the rows of one group"
        )
    rows = list(paired.to_dict("records"))
    if not rows:
        raise InputError("plot_prepost: the paired result is empty")
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    with slide_style():
        fig, axes, own = make_axes(ax, nrows=1, ncols=len(rows), sharey=True, squeeze=False)
        axes = list(axes.flat) if hasattr(axes, "flat") else list(axes)
        if len(axes) != len(rows):
            raise InputError(f"plot_prepost: {len(rows)} measures need {len(rows)} axes")
        scale_0_100 = all(str(r["measure"]).endswith("_0_100") for r in rows)
        titles = []
        for panel, row in zip(axes, rows, strict=True):
            pairs = _client_pairs(scores, row["measure"], id=id, time=time, pre=pre, post=post)
            segments = [[(0.0, a), (1.0, b)] for a, b in pairs.to_numpy()]
            panel.add_collection(
                LineCollection(segments, colors=FAINT, linewidths=1.2, alpha=0.45, zorder=1)
            )
            panel.errorbar(
                [0, 1],
                [row["mean_pre"], row["mean_post"]],
                yerr=[row["sd_pre"], row["sd_post"]],
                color=OKABE_ITO["blue"],
                linewidth=4,
                elinewidth=3,
                capsize=9,
                capthick=3,
                marker="o",
                markersize=13,
                zorder=3,
            )
            panel.set_xlim(-0.35, 1.35)
            panel.set_xticks(
                [0, 1], [label("timepoint", pre, lang), label("timepoint", post, lang)]
            )
            titles.append(
                panel.set_title(
                    measure_label(str(row["measure"]), lang), loc="left", pad=30, fontsize=20
                )
            )
            panel.text(
                0,
                1.02,
                n_phrase(row["n"], min_cell, lang),
                transform=panel.transAxes,
                fontsize=15,
                color=GREY,
                va="bottom",
            )
            panel.annotate(
                t("text.change", lang, diff=_signed(row["mean_diff"], 1, lang)),
                (0.5, 0),
                xycoords="axes fraction",
                xytext=(0, -48),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=17,
                fontweight="bold",
            )
            panel.annotate(
                t("text.ci95", lang, ci=format_ci(row["ci_low"], row["ci_high"], 1, lang)),
                (0.5, 0),
                xycoords="axes fraction",
                xytext=(0, -74),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=15,
                color=GREY,
            )
            number_axis(panel.yaxis, lang)
        if scale_0_100:
            axes[0].set_ylim(0, 100)
            axes[0].set_ylabel(t("axis.score_0_100", lang))
        else:
            axes[0].autoscale(axis="y")
            axes[0].set_ylabel(t("axis.score", lang))
        handles = [
            Line2D([], [], color=FAINT, linewidth=1.5, label=t("legend.individual", lang)),
            Line2D(
                [],
                [],
                color=OKABE_ITO["blue"],
                linewidth=4,
                marker="o",
                markersize=11,
                label=t("legend.mean_sd", lang),
            ),
        ]
        n_text, n_key = _n_text(paired["n"], min_cell, lang)
        texts = resolve_texts(
            lang,
            title=title,
            subtitle=subtitle,
            source=source,
            title_key="fig.prepost.title",
            n=n_text,
            n_key=n_key,
            period=period,
        )
        if own:
            fig.legend(
                handles=handles,
                loc="upper right",
                bbox_to_anchor=(0.985, 0.905),
                ncols=2,
                fontsize=15,
            )
        else:
            axes[-1].legend(handles=handles, loc="lower right", fontsize=13)
        decorate(
            fig,
            axes,
            texts,
            own=own,
            top=0.7,
            bottom=0.25,
            left=0.08,
            wspace=0.12,
            source_offset=100,
        )
        for panel, heading in zip(axes, titles, strict=True):
            fit_width(fig, heading, panel.get_position().width * 1.05, smallest=13)
    return fig


def plot_effect_sizes(
    paired: Any,
    *,
    estimate: str = "cohen_dz",
    lang: str = "id",
    min_cell: int = 5,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    period: Any = None,
    by: str | None = None,
    higher_is_better: bool | None = True,
    ax: Any = None,
) -> Any:
    """Forest plot of the effect size of each measure with its interval.

    Parameters
    ----------
    paired : DataFrame
        ``rehab_eval.change.paired(...)``: ``measure``, ``n`` and the ``estimate`` column
        with, for ``cohen_dz``, ``dz_ci_low``/``dz_ci_high`` (``mean_diff``: ``ci_low``/
        ``ci_high``; ``hedges_gav`` and ``rank_biserial`` are drawn without interval).
    estimate : {"cohen_dz", "mean_diff", "hedges_gav", "rank_biserial"}
    lang, min_cell, title, subtitle, source, period, ax
        As in :func:`rehab_eval.plots.plot_flow`.
    by : str, optional
        Group column of a grouped ``paired`` result: one row per measure × group, labelled
        "measure · group".
    higher_is_better : bool or None
        Writes "← memburuk / membaik →" under the zero line (reversed when False; none when
        None).

    Returns
    -------
    matplotlib.axes.Axes
        Rows top to bottom in the frame's order; at the right of each row the estimate and
        its interval as text ("0,45 [0,10; 0,80]").
    """
    if estimate not in ESTIMATES:
        raise InputError(
            f"plot_effect_sizes: estimate={estimate!r}; use one of {', '.join(ESTIMATES)}"
        )
    interval = ESTIMATES[estimate]
    needed = ["measure", "n", estimate, *(interval or ())] + ([by] if by else [])
    check_columns(paired, needed, "plot_effect_sizes")
    rows = list(paired.to_dict("records"))
    decimals = 1 if estimate == "mean_diff" else 2
    with slide_style():
        fig, ax, own = make_axes(ax)
        ys = list(range(len(rows)))[::-1]
        names, extent = [], [1.0 if estimate != "mean_diff" else 0.0]
        for y, row in zip(ys, rows, strict=True):
            value = float(row[estimate])
            color = OKABE_ITO["blue"]
            if interval:
                low, high = float(row[interval[0]]), float(row[interval[1]])
                ax.plot([low, high], [y, y], color=color, linewidth=4, solid_capstyle="round")
                extent += [abs(low), abs(high)]
                text = (
                    f"{format_number(value, decimals, lang)} {format_ci(low, high, decimals, lang)}"
                )
            else:
                text = format_number(value, decimals, lang)
            extent.append(abs(value))
            ax.plot([value], [y], marker="D", markersize=14, color=color, zorder=3)
            ax.annotate(
                text,
                (1, y),
                xycoords=("axes fraction", "data"),
                xytext=(16, 0),
                textcoords="offset points",
                va="center",
                fontsize=17,
            )
            name = measure_label(str(row["measure"]), lang)
            if by:
                name = f"{name}\n{group_label(row[by], lang)}"
            names.append(f"{name} ({n_phrase(row['n'], min_cell, lang)})")
        ax.axvline(0, color="#333333", linewidth=1.5, zorder=0)
        limit = max(e for e in extent if e == e) * 1.15 if extent else 1.0
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_yticks(ys, names)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.spines["left"].set_visible(False)
        number_axis(ax.xaxis, lang, 1)
        ax.set_xlabel(t(f"axis.effect.{estimate}", lang))
        if higher_is_better is not None:
            worse, better = t("legend.favours_worse", lang), t("legend.favours_better", lang)
            left, right = (
                (worse, better)
                if higher_is_better
                else (better.replace("→", "←"), worse.replace("←", "→"))
            )
            for text, ha, dx in ((left, "right", -10), (right, "left", 10)):
                ax.annotate(
                    text,
                    (0, 1),
                    xycoords=("data", "axes fraction"),
                    xytext=(dx, 6),
                    textcoords="offset points",
                    ha=ha,
                    va="bottom",
                    fontsize=15,
                    color=GREY,
                )
        n_text, n_key = _n_text(paired["n"], min_cell, lang)
        texts = resolve_texts(
            lang,
            title=title,
            subtitle=subtitle,
            source=source,
            title_key="fig.forest.title",
            n=n_text,
            n_key=n_key,
            period=period,
        )
        decorate(
            fig, ax, texts, own=own, left=0.3, right=0.74, top=0.74, bottom=0.17, source_offset=70
        )
        if own:
            fit_left_margin(fig, ax, least=0.2)
    return ax


def plot_jacobson(
    rc: Any,
    *,
    lang: str = "id",
    min_cell: int = 5,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    period: Any = None,
    measure: str | None = None,
    ax: Any = None,
) -> Any:
    """Jacobson plot: post against pre, coloured by reliable-change category.

    Parameters
    ----------
    rc : DataFrame
        ``rehab_eval.change.reliable_change(...)``: one row per client with ``pre``,
        ``post`` and ``category`` (``recovered``, ``improved``, ``unchanged``,
        ``deteriorated``, ``harmed``); ``rc.attrs["s_diff"]`` (the standard error of the
        difference) and, when norms were given, ``rc.attrs["cutoff"]``.
    lang, min_cell, title, subtitle, source, period, ax
        As in :func:`rehab_eval.plots.plot_flow`. The legend gives each category's count
        through ``format_count``.
    measure : str, optional
        Measure name for the title (default ``rc.attrs.get("measure")``).

    Returns
    -------
    matplotlib.axes.Axes
        The identity line (no change), the band ``pre ± 1.96·s_diff`` inside which a change
        is not reliable (Jacobson & Truax 1991), and the cutoff as a horizontal and a
        vertical line when present. Points carry no identifier.
    """
    check_columns(rc, ["pre", "post", "category"], "plot_jacobson")
    s_diff = rc.attrs.get("s_diff")
    if s_diff is None:
        raise InputError(
            "plot_jacobson: the frame has no attrs['s_diff']; pass the frame returned by "
            "rehab_eval.change.reliable_change (copies made with some pandas operations drop "
            "attrs)"
        )
    cutoff = rc.attrs.get("cutoff")
    measure = measure or rc.attrs.get("measure")
    pre = [float(v) for v in rc["pre"]]
    post = [float(v) for v in rc["post"]]
    values = [v for v in pre + post if v == v]
    with slide_style():
        fig, ax, own = make_axes(ax)
        lo, hi = (min(values), max(values)) if values else (0.0, 100.0)
        if cutoff is not None and cutoff == cutoff:
            lo, hi = min(lo, float(cutoff)), max(hi, float(cutoff))
        if str(measure or "").endswith("_0_100") and lo >= 0 and hi <= 100:
            lo, hi = 0.0, 100.0
        else:
            pad = max((hi - lo) * 0.08, 1.0)
            lo, hi = lo - pad, hi + pad
        width = 1.96 * float(s_diff)
        xs = [lo, hi]
        ax.fill_between(
            xs,
            [x - width for x in xs],
            [x + width for x in xs],
            color="#000000",
            alpha=0.07,
            linewidth=0,
            label=t("legend.rc_band", lang, width=format_number(width, 1, lang)),
        )
        ax.plot(xs, xs, color="#333333", linewidth=1.5, label=t("legend.identity", lang))
        if cutoff is not None and cutoff == cutoff:
            c = float(cutoff)
            ax.axhline(
                c,
                color="#333333",
                linestyle=":",
                linewidth=2,
                label=t("legend.cutoff", lang, value=format_number(c, 1, lang)),
            )
            ax.axvline(c, color="#333333", linestyle=":", linewidth=2)
        categories = [str(c) for c in rc["category"]]
        present = [c for c in RC_ORDER if c in categories] + sorted(
            {c for c in categories if c not in RC_ORDER}
        )
        for cat in present:
            idx = [i for i, c in enumerate(categories) if c == cat]
            ax.scatter(
                [pre[i] for i in idx],
                [post[i] for i in idx],
                s=110,
                color=CATEGORY_COLORS.get(cat, OKABE_ITO["purple"]),
                edgecolor="white",
                linewidth=1,
                alpha=0.9,
                zorder=3,
                label=t(
                    "legend.n",
                    lang,
                    label=label("rc", cat, lang),
                    n=n_phrase(len(idx), min_cell, lang),
                ),
            )
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_aspect("equal", adjustable="box")
        ax.grid(axis="both")
        ax.set_xlabel(t("axis.pre_score", lang))
        ax.set_ylabel(t("axis.post_score", lang))
        number_axis(ax.xaxis, lang)
        number_axis(ax.yaxis, lang)
        ax.legend(loc="upper left", bbox_to_anchor=(1.04, 1.0), fontsize=16)
        if title is None:
            title = t("fig.jacobson.title", lang)
            if measure:
                title = f"{title}: {measure_label(str(measure), lang)}"
        texts = resolve_texts(
            lang,
            title=title,
            subtitle=subtitle,
            source=source,
            title_key="fig.jacobson.title",
            n=format_count(len(rc), min_cell, lang),
            period=period,
        )
        decorate(
            fig, ax, texts, own=own, left=0.0, right=0.6, top=0.8, bottom=0.2, source_offset=60
        )
    return ax


def _crosstab(transitions: Any) -> Any:
    import pandas as pd

    if isinstance(transitions, pd.DataFrame):
        table = transitions
    else:
        table = next(
            (
                getattr(transitions, name)
                for name in ("crosstab", "table", "counts")
                if isinstance(getattr(transitions, name, None), pd.DataFrame)
            ),
            None,
        )
        if table is None:
            raise InputError(
                "plot_stage_transitions: pass the result of rehab_eval.change.stage_transitions "
                "(with a .crosstab DataFrame) or the pre × post crosstab itself"
            )
    margins = {"All", "all", "Total", "total", "Jumlah"}
    table = table.loc[
        [r for r in table.index if r not in margins], [c for c in table.columns if c not in margins]
    ]
    rows = [s for s in STAGES if s in table.index] + [r for r in table.index if r not in STAGES]
    cols = [s for s in STAGES if s in table.columns] + [c for c in table.columns if c not in STAGES]
    return table.loc[rows, cols]


def plot_stage_transitions(
    transitions: Any,
    *,
    lang: str = "id",
    min_cell: int = 5,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    period: Any = None,
    ax: Any = None,
) -> Any:
    """URICA stage before (rows) × after (columns) as a shaded table of counts.

    Parameters
    ----------
    transitions : object or DataFrame
        ``rehab_eval.change.stage_transitions(...)`` (its ``crosstab`` attribute is read) or
        the pre × post crosstab itself, stages ``precontemplation``, ``contemplation``,
        ``preparation_action``; margin rows/columns named "All"/"Total" are ignored.
    lang, min_cell, title, subtitle, source, period, ax
        As in :func:`rehab_eval.plots.plot_flow`.

    Returns
    -------
    matplotlib.axes.Axes
        Cells are shaded by count. Counts go through :func:`rehab_eval.privacy.suppress`
        rules with ``total="both"`` (row and column totals are known from the flow):
        ``<5`` cells and the cells hidden to protect them (``x``) are grey, unshaded.
        The diagonal (same stage) is outlined. With a ``StageTransitions`` object the
        subtitle also gives its Stuart–Maxwell statistic, df and p-value.
    """
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    table = _crosstab(transitions)
    frame = table.reset_index(drop=True)
    frame.columns = range(frame.shape[1])
    status = suppression_status(frame, list(frame.columns), min_cell=min_cell, total="both")
    counts = frame.to_numpy(dtype=float)
    shown = [
        counts[i, j]
        for i in range(counts.shape[0])
        for j in range(counts.shape[1])
        if status.iat[i, j] == SHOWN
    ]
    top = max(shown + [1.0])
    cmap = colormaps["Blues"]
    hidden_any = False
    with slide_style():
        fig, ax, own = make_axes(ax)
        for i in range(counts.shape[0]):
            for j in range(counts.shape[1]):
                state = status.iat[i, j]
                if state == SHOWN:
                    level = 0.12 + 0.78 * counts[i, j] / top
                    face = cmap(level)
                    text = format_count(counts[i, j], min_cell, lang)
                    ink = "white" if level > 0.55 else "#222222"
                else:
                    hidden_any = True
                    face, ink = SUPPRESSED_FILL, "#222222"
                    text = threshold_mark(min_cell) if state == "primary" else "x"
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, facecolor=face, edgecolor="white", linewidth=4
                    )
                )
                ax.text(
                    j, i, text, ha="center", va="center", fontsize=24, fontweight="bold", color=ink
                )
        for k in range(min(counts.shape)):
            if table.index[k] == table.columns[k]:
                ax.add_patch(
                    Rectangle(
                        (k - 0.5, k - 0.5),
                        1,
                        1,
                        fill=False,
                        edgecolor="#222222",
                        linewidth=2.5,
                        zorder=3,
                    )
                )
        ax.set_xlim(-0.5, counts.shape[1] - 0.5)
        ax.set_ylim(counts.shape[0] - 0.5, -0.5)
        ax.set_xticks(range(counts.shape[1]), [label("stage", c, lang) for c in table.columns])
        ax.set_yticks(range(counts.shape[0]), [label("stage", r, lang) for r in table.index])
        ax.xaxis.tick_top()
        ax.xaxis.set_label_position("top")
        ax.set_xlabel(t("axis.stage_post", lang), labelpad=14)
        ax.set_ylabel(t("axis.stage_pre", lang))
        ax.tick_params(length=0)
        ax.grid(False)
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)
        if hidden_any:
            ax.annotate(
                t(
                    "text.suppressed_note",
                    lang,
                    mark=threshold_mark(min_cell) + " / x",
                    min_cell=min_cell,
                ),
                (0, 0),
                xycoords="axes fraction",
                xytext=(0, -14),
                textcoords="offset points",
                va="top",
                fontsize=13,
                color=GREY,
            )
        n = format_count(counts[counts == counts].sum(), min_cell, lang)
        extra = []
        statistic = getattr(transitions, "statistic", None)
        p_value = getattr(transitions, "p_value", None)
        if statistic is not None and p_value is not None and statistic == statistic:
            extra.append(
                f"Stuart–Maxwell χ² = {format_number(statistic, 2, lang)}; "
                f"df = {getattr(transitions, 'df', '–')}; p {format_p(p_value, lang)}"
            )
        texts = resolve_texts(
            lang,
            title=title,
            subtitle=subtitle,
            source=source,
            title_key="fig.stages.title",
            n=n,
            period=period,
            extra=extra,
        )
        decorate(
            fig, ax, texts, own=own, left=0.25, right=0.95, top=0.66, bottom=0.12, source_offset=40
        )
    return ax
