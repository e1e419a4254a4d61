"""Pre/post figures: domain scores before and after, effect sizes as a forest plot.

Each function draws the ``paired`` frame of :mod:`rehab_eval.change` and computes no
statistics: means, SDs, intervals and effect sizes are read from the result; counts are
written through :func:`rehab_eval.privacy.format_count`.
"""

from __future__ import annotations

from typing import Any

from rehab_eval._deprecation import renamed
from rehab_eval.disclosure.values import text as disclosure_text
from rehab_eval.errors import InputError
from rehab_eval.i18n import format_ci, format_number, label, measure_label, t
from rehab_eval.plots._frame import (
    check_columns,
    decorate,
    fit_left_margin,
    fit_width,
    group_label,
    make_axes,
    n_phrase,
    nested_count,
    number_axis,
    resolve_texts,
)
from rehab_eval.plots.style import (
    FAINT,
    GREY,
    OKABE_ITO,
    slide_style,
)

__all__ = ["plot_effect_sizes", "plot_prepost"]


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


def _n_text(values: Any, min_cell: int, lang: str, nested_in: Any = None) -> tuple[str, str]:
    """(n, subtitle key): one n for all rows, else the largest with "n ≤"; "n = x" when
    hidden for its difference to a count it is nested in."""
    ns = sorted({int(v) for v in values if v == v})
    if not ns:
        return "–", "subtitle.n"
    text = nested_count(ns[-1], min_cell, lang, nested_in)
    key = "subtitle.n" if len(ns) == 1 or text == "x" else "subtitle.n_max"
    return text, key


def _spread(row: Any, mode: str) -> list[float]:
    """SD of each timepoint (lines), or the half-width of its 95% t interval (means)."""
    if mode == "lines":
        return [row["sd_pre"], row["sd_post"]]
    from scipy.stats import t as student

    n = float(row["n"])
    if n < 2:
        return [float("nan"), float("nan")]
    q = float(student.ppf(0.975, n - 1))
    return [q * float(row["sd_pre"]) / n**0.5, q * float(row["sd_post"]) / n**0.5]


def _client_pairs(
    scores: Any, measure: str, *, client: str, timepoint: str, pre: str, post: str
) -> Any:
    """(pre, post) values of the clients with both, from a long-by-time scores frame."""
    if measure in scores.columns:
        sub = scores[[client, timepoint, measure]]
        value = measure
    elif "measure" in scores.columns:
        value = next((c for c in ("score", "value") if c in scores.columns), None)
        if value is None:
            raise InputError("plot_prepost: scores with a 'measure' column need a 'score' column")
        sub = scores.loc[scores["measure"] == measure, [client, timepoint, value]]
    else:
        raise InputError(
            f"plot_prepost: measure {measure!r} of the paired result is not a column of the "
            f"scores frame (columns: {list(scores.columns)}); pass the frame given to paired()"
        )
    sub = sub[sub[timepoint].astype("object").isin([pre, post])]
    wide = sub.pivot_table(
        index=client, columns=timepoint, values=value, aggfunc="first", observed=True
    )
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
    client: str = "client_id",
    timepoint: str = "timepoint",
    ax: Any = None,
    nested_in: Any = None,
    mode: str = "lines",
    n_texts: Any = None,
    **deprecated: Any,
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
    pre, post, client, timepoint : str
        Timepoint codes and column names, as given to ``paired``.
    ax : sequence of Axes, optional
        One axes per measure; by default a new slide-sized figure with one panel each.

    nested_in : sequence of int, optional
        Published counts the figure's clients are nested in (e.g. the cohort's flow:
        enrolled, assessed before, ...). A count of the figure that differs from one of them
        by 1 to ``min_cell − 1`` is written ``x``
        (:func:`rehab_eval.privacy.suppress_nested`).

    mode : {"lines", "means"}
        ``"lines"``: a faint line per client under the mean ± SD (only where the
        disclosure policy allows per-person marks). ``"means"``: no per-person mark: the
        mean before and after with its 95% t interval (mean ± t·SD/√n).
    n_texts : mapping of measure → display text, optional
        The pairs of each panel as the report shows them (an operational count from
        :func:`rehab_eval.disclosure.show_count`); they replace ``min_cell``/``nested_in``.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel: the measure label and its n; under it "Perubahan +5,2" and the 95% CI of
        the mean change from ``paired``.
    """
    client, timepoint = renamed("plot_prepost", deprecated, client=client, timepoint=timepoint)
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
            pairs = _client_pairs(
                scores, row["measure"], client=client, timepoint=timepoint, pre=pre, post=post
            )
            if mode == "lines":
                segments = [[(0.0, a), (1.0, b)] for a, b in pairs.to_numpy()]
                panel.add_collection(
                    LineCollection(segments, colors=FAINT, linewidths=1.2, alpha=0.45, zorder=1)
                )
            panel.errorbar(
                [0, 1],
                [row["mean_pre"], row["mean_post"]],
                yerr=_spread(row, mode),
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
                n_phrase(row["n"], min_cell, lang, nested_in)
                if n_texts is None
                else f"n = {n_texts.get(row['measure'], '–')}",
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
                label=t("legend.mean_sd", lang)
                if mode == "lines"
                else disclosure_text("disclosure.legend.mean_ci", lang),
            ),
        ]
        if mode != "lines":
            handles = handles[1:]
        n_text, n_key = _n_text(paired["n"], min_cell, lang, nested_in)
        if n_texts is not None:
            shown = list(dict.fromkeys(n_texts.get(m, "–") for m in paired["measure"]))
            n_text, n_key = (
                (shown[0], "subtitle.n")
                if len(shown) == 1
                else (
                    "/".join(shown),
                    "subtitle.n",
                )
            )
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
    nested_in: Any = None,
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

    nested_in : sequence of int, optional
        Published counts the figure's clients are nested in (e.g. the cohort's flow:
        enrolled, assessed before, ...). A count of the figure that differs from one of them
        by 1 to ``min_cell − 1`` is written ``x``
        (:func:`rehab_eval.privacy.suppress_nested`).

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
            names.append(f"{name} ({n_phrase(row['n'], min_cell, lang, nested_in)})")
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
        n_text, n_key = _n_text(paired["n"], min_cell, lang, nested_in)
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
