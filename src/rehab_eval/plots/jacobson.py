"""Jacobson plot: post against pre, coloured by reliable-change category.

Draws the :class:`~rehab_eval.change.ReliableChange` of
:func:`rehab_eval.change.reliable_change` (its table, ``s_diff`` and ``cutoff``); computes no
statistics.

References
----------
Jacobson, N. S. & Truax, P. (1991). Clinical significance: a statistical approach to
defining meaningful change in psychotherapy research. *Journal of Consulting and Clinical
Psychology*, 59(1), 12–19 (the pre/post scatter with identity line and reliable-change band).
"""

from __future__ import annotations

from typing import Any

from rehab_eval.errors import InputError
from rehab_eval.i18n import format_number, label, measure_label, t
from rehab_eval.plots._frame import (
    check_columns,
    decorate,
    make_axes,
    n_phrase,
    nested_count,
    number_axis,
    resolve_texts,
)
from rehab_eval.plots.style import (
    CATEGORY_COLORS,
    OKABE_ITO,
    slide_style,
)

__all__ = ["plot_jacobson"]

RC_ORDER = ("recovered", "improved", "unchanged", "deteriorated", "harmed")


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
    nested_in: Any = None,
) -> Any:
    """Jacobson plot: post against pre, coloured by reliable-change category.

    Parameters
    ----------
    rc : ReliableChange
        ``rehab_eval.change.reliable_change(...)``: its ``table`` has one row per client
        with ``pre``, ``post`` and ``category`` (``recovered``, ``improved``, ``unchanged``,
        ``deteriorated``, ``harmed``); ``rc.s_diff`` is the standard error of the
        difference and ``rc.cutoff`` the clinical cut-off (None without norms).
    lang, min_cell, title, subtitle, source, period, ax
        As in :func:`rehab_eval.plots.plot_flow`. The legend gives each category's count
        through ``format_count``.
    measure : str, optional
        Measure name for the title (default ``rc.measure``).

    nested_in : sequence of int, optional
        Published counts the figure's clients are nested in (e.g. the cohort's flow:
        enrolled, assessed before, ...). A count of the figure that differs from one of them
        by 1 to ``min_cell − 1`` is written ``x``
        (:func:`rehab_eval.privacy.suppress_nested`).

    Returns
    -------
    matplotlib.axes.Axes
        The identity line (no change), the band ``pre ± 1.96·s_diff`` inside which a change
        is not reliable (Jacobson & Truax 1991), and the cutoff as a horizontal and a
        vertical line when present. Points carry no identifier.
    """
    s_diff = getattr(rc, "s_diff", None)
    table = getattr(rc, "table", None)
    if s_diff is None or table is None:
        raise InputError(
            f"plot_jacobson: got a {type(rc).__name__}, which has no s_diff; pass the "
            "ReliableChange returned by rehab_eval.change.reliable_change"
        )
    check_columns(table, ["pre", "post", "category"], "plot_jacobson")
    cutoff = rc.cutoff
    measure = measure or rc.measure
    pre = [float(v) for v in table["pre"]]
    post = [float(v) for v in table["post"]]
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
        categories = [str(c) for c in table["category"]]
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
                    n=n_phrase(len(idx), min_cell, lang, nested_in),
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
            # "clinically significant" only when there is a cutoff to be significant against
            has_cutoff = cutoff is not None and cutoff == cutoff
            title = t("fig.jacobson.title" if has_cutoff else "fig.jacobson.title_reliable", lang)
            if measure:
                title = f"{title}: {measure_label(str(measure), lang)}"
        texts = resolve_texts(
            lang,
            title=title,
            subtitle=subtitle,
            source=source,
            title_key="fig.jacobson.title",
            n=nested_count(len(table), min_cell, lang, nested_in),
            period=period,
        )
        decorate(
            fig, ax, texts, own=own, left=0.0, right=0.6, top=0.8, bottom=0.2, source_offset=60
        )
    return ax
