"""Trajectory figure: model means per measurement time (e.g. WHOQOL-BREF months 1, 3, 6).

Draws the ``means`` of :func:`rehab_eval.change.trajectory` (one line per measure, its 95 %
intervals as error bars) and computes nothing; the n per time comes as display text from the
report (disclosure-controlled), and each line is named at its end instead of in a legend
that could cover the data.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.i18n import label, measure_label, t
from rehab_eval.plots._frame import check_columns, decorate, make_axes, number_axis, resolve_texts
from rehab_eval.plots.style import GREY, group_colors, slide_style

__all__ = ["plot_trajectory"]


def _spread_labels(ends: list[tuple[float, str]], gap: float) -> list[float]:
    """Label heights near the lines' last values, at least ``gap`` apart (order kept)."""
    order = sorted(range(len(ends)), key=lambda i: ends[i][0])
    placed: dict[int, float] = {}
    last = None
    for i in order:
        y = ends[i][0] if last is None else max(ends[i][0], last + gap)
        placed[i] = last = y
    return [placed[i] for i in range(len(ends))]


def plot_trajectory(
    means: Any,
    *,
    order: Any,
    lang: str = "id",
    n_texts: Any = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    period: Any = None,
    y_label: str | None = None,
    ax: Any = None,
) -> Any:
    """Means per measurement time, one line per measure, 95 % intervals as error bars.

    Parameters
    ----------
    means : DataFrame
        One row per measure × timepoint: ``measure``, ``timepoint``, ``mean``, ``ci_low``,
        ``ci_high`` (the ``means`` of :func:`rehab_eval.change.trajectory`, stacked over
        measures). A row whose ``mean`` is missing (withheld by the disclosure policy) is
        not drawn.
    order : sequence of str
        The timepoints in time order (the x axis).
    lang : {"id", "en"}
    n_texts : mapping of timepoint → display text, optional
        Clients measured at each time as the report publishes them; the subtitle reads
        "n klien per waktu: Bulan 1: 820 · Bulan 3: 790 · …".
    title, subtitle, source, period
        As in :func:`rehab_eval.plots.plot_flow` (default title: the WHOQOL-BREF domain
        means per time).
    y_label : str, optional
        Label of the value axis (default "Skor WHOQOL-BREF (0–100)" for ``*_0_100``
        measures, else "Skor").
    ax : Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Each line is labelled at its last point with the measure's name.
    """
    check_columns(means, ["measure", "timepoint", "mean", "ci_low", "ci_high"], "plot_trajectory")
    order = [str(tp) for tp in order]
    position = {tp: k for k, tp in enumerate(order)}
    measures = list(dict.fromkeys(str(m) for m in means["measure"]))
    colors = group_colors(measures)
    extra = []
    if n_texts:
        per_time = " · ".join(
            f"{label('timepoint', tp, lang)}: {n_texts[tp]}" for tp in order if tp in n_texts
        )
        extra.append(t("subtitle.n_per_time", lang, n=per_time))
    texts = resolve_texts(
        lang,
        title=title,
        subtitle=subtitle,
        source=source,
        title_key="fig.trajectory.title",
        period=period,
        extra=extra,
    )
    with slide_style():
        fig, ax, own = make_axes(ax)
        ends, offset = [], 0.05
        for k, measure in enumerate(measures):
            rows = means[(means["measure"].astype(str) == measure) & means["mean"].notna()]
            rows = rows[rows["timepoint"].astype(str).isin(position)]
            if not len(rows):
                continue
            rows = rows.assign(_x=rows["timepoint"].astype(str).map(position)).sort_values("_x")
            x = [float(v) + (k - (len(measures) - 1) / 2) * offset for v in rows["_x"]]
            y = [float(v) for v in rows["mean"]]
            err = [
                [a - float(b) for a, b in zip(y, rows["ci_low"], strict=True)],
                [float(b) - a for a, b in zip(y, rows["ci_high"], strict=True)],
            ]
            ax.errorbar(
                x, y, yerr=err, color=colors[k], marker="o", capsize=6, elinewidth=2, capthick=2
            )
            ends.append((y[-1], measure_label(measure, lang), x[-1], colors[k]))
        ax.set_xticks(range(len(order)), [label("timepoint", tp, lang) for tp in order])
        ax.set_xlim(-0.3, len(order) - 1 + 0.9)
        low, high = ax.get_ylim()
        heights = _spread_labels([(e[0], e[1]) for e in ends], (high - low) * 0.06)
        for (_, name, x_end, color), y in zip(ends, heights, strict=True):
            ax.annotate(
                name,
                (x_end, y),
                xytext=(14, 0),
                textcoords="offset points",
                va="center",
                fontsize=17,
                fontweight="bold",
                color=color,
            )
        if heights:
            ax.set_ylim(low, max(high, max(heights) + (high - low) * 0.04))
        scale_0_100 = all(m.endswith("_0_100") for m in measures)
        ax.set_ylabel(
            y_label or t("axis.score_0_100" if scale_0_100 else "axis.score", lang), color=GREY
        )
        number_axis(ax.yaxis, lang)
        decorate(fig, ax, texts, own=own, left=0.09, right=0.97, top=0.79, bottom=0.12)
    return ax
