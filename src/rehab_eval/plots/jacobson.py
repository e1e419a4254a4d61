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

from collections.abc import Mapping
from typing import Any

from rehab_eval.disclosure.values import text as disclosure_text
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
    mode: str = "points",
    counts: Mapping[str, str] | None = None,
    n_text: str | None = None,
    aggregate: Mapping[str, Any] | None = None,
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

    mode : {"points", "aggregate"}
        ``"points"``: one mark per client (only where the disclosure policy allows
        per-person marks, :func:`rehab_eval.disclosure.per_person_marks`). ``"aggregate"``:
        no per-person mark: a bar per category (a hidden count gets no bar, only its text)
        beside the plane with the group's mean before/after as a single mark.
    counts : mapping of category → display text, optional
        The category counts as the report shows them (``"12"``, ``"<5"``, ``"x"``), from
        :func:`rehab_eval.disclosure.show_counts`; they replace ``min_cell``/``nested_in``.
    n_text : str, optional
        The figure's n as the report shows it (the pairs, an operational count).
    aggregate : mapping, optional
        ``mean_pre``, ``mean_post`` (display-rounded) for the aggregate mark; without it
        the plane shows no mark.

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
        for cat in present if mode == "points" else ():
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
                    n=_count_phrase(cat, len(idx), counts, min_cell, lang, nested_in),
                ),
            )
        if mode == "aggregate":
            bars = _category_bars(
                fig, ax, own, present, categories, counts, min_cell, lang, nested_in
            )
            if aggregate is not None:
                ax.scatter(
                    [float(aggregate["mean_pre"])],
                    [float(aggregate["mean_post"])],
                    s=260,
                    marker="D",
                    color=OKABE_ITO["blue"],
                    edgecolor="white",
                    zorder=4,
                    label=disclosure_text("disclosure.legend.group_mean", lang),
                )
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_aspect("equal", adjustable="box")
        ax.grid(axis="both")
        ax.set_xlabel(t("axis.pre_score", lang))
        ax.set_ylabel(t("axis.post_score", lang))
        number_axis(ax.xaxis, lang)
        number_axis(ax.yaxis, lang)
        ax.legend(
            loc="upper left", bbox_to_anchor=(1.04, 1.0), fontsize=16 if mode == "points" else 13
        )
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
            n=n_text if n_text is not None else nested_count(len(table), min_cell, lang, nested_in),
            period=period,
        )
        if mode == "aggregate":
            decorate(
                fig, ax, texts, own=own, left=0.45, right=0.6, top=0.8, bottom=0.2, source_offset=60
            )
            if own:
                bars.set_position([0.17, 0.2, 0.2, 0.6])
        else:
            decorate(
                fig, ax, texts, own=own, left=0.0, right=0.6, top=0.8, bottom=0.2, source_offset=60
            )
    return ax


def _count_phrase(
    cat: str, n: int, counts: Mapping[str, str] | None, min_cell: int, lang: str, nested_in: Any
) -> str:
    if counts is None:
        return n_phrase(n, min_cell, lang, nested_in)
    text = counts.get(cat, "–")
    return f"n {text[0]} {text[1:]}" if text.startswith("<") else f"n = {text}"


def _category_bars(
    fig: Any,
    ax: Any,
    own: bool,
    present: list[str],
    categories: list[str],
    counts: Mapping[str, str] | None,
    min_cell: int,
    lang: str,
    nested_in: Any,
) -> Any:
    """Horizontal bars of the category counts; a hidden count gets its text and no bar."""
    from rehab_eval.privacy import format_count

    bars = fig.add_axes([0.05, 0.2, 0.17, 0.6]) if own else ax.inset_axes([1.1, 0.0, 0.5, 1.0])
    order = list(present)[::-1]
    longest = max([sum(1 for c in categories if c == cat) for cat in order] + [1])
    bars.set_xlim(0, longest * 1.45)
    for y, cat in enumerate(order):
        n = sum(1 for c in categories if c == cat)
        text = counts.get(cat, "–") if counts is not None else format_count(n, min_cell, lang)
        hidden = not text.replace(".", "").replace(",", "").isdigit()
        if not hidden:
            bars.barh(y, n, color=CATEGORY_COLORS.get(cat, OKABE_ITO["purple"]), height=0.7)
        bars.text(
            0 if hidden else n, y, f"  {text}", va="center", ha="left", fontsize=16, color="#222222"
        )
    bars.set_yticks(range(len(order)), [label("rc", c, lang) for c in order], fontsize=16)
    bars.tick_params(axis="y", length=0)
    bars.grid(False)
    bars.set_xticks([])
    for side in ("top", "right", "bottom"):
        bars.spines[side].set_visible(False)
    bars.set_ylim(-0.6, len(order) - 0.4)
    return bars
