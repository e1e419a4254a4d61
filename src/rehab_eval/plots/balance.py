"""Covariate balance figure (the "love plot"): |SMD| per covariate before and after weighting."""

from __future__ import annotations

from typing import Any

from rehab_eval.errors import ConfigError
from rehab_eval.i18n import format_number, t
from rehab_eval.plots._frame import (
    decorate,
    fit_left_margin,
    group_label,
    make_axes,
    n_phrase,
    number_axis,
    resolve_texts,
)
from rehab_eval.plots.style import GREY, OKABE_ITO, slide_style

__all__ = ["plot_balance"]


def _term_label(covariate: str, term: str, lang: str) -> str:
    try:
        name = t(f"covariate.{covariate}", lang)
    except ConfigError:  # an undeclared covariate keeps its column name
        name = covariate
    if term == covariate:
        return name
    level = term[len(covariate) + 1 : -1] if term.startswith(f"{covariate}[") else term
    return f"{name}: {group_label(level, lang)}"


def plot_balance(
    balance: Any,
    *,
    lang: str = "id",
    min_cell: int = 5,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    period: Any = None,
    ax: Any = None,
) -> Any:
    """Love plot: absolute standardised mean difference of each covariate term, before
    (open circle) and after (filled) weighting, with the 0.1 line.

    Parameters
    ----------
    balance : Balance
        :func:`rehab_eval.effect.balance` (or ``ProgrammeEffect.balance``).
    lang, min_cell, title, subtitle, source, period, ax
        As in :func:`rehab_eval.plots.plot_flow`; the default subtitle gives the group sizes.

    Returns
    -------
    matplotlib.axes.Axes
        One row per term, largest imbalance before weighting on top.
    """
    table = balance.table.assign(
        before=balance.table["smd_before"].abs(), after=balance.table["smd_after"].abs()
    ).sort_values("before", kind="stable")
    ess = balance.ess.set_index("treated")
    extra = []
    if subtitle is None:
        extra = [
            t(
                "subtitle.balance",
                lang,
                treated=n_phrase(int(ess.loc[1, "n"]), min_cell, lang),
                control=n_phrase(int(ess.loc[0, "n"]), min_cell, lang),
            )
        ]
    texts = resolve_texts(
        lang,
        title=title,
        subtitle=subtitle,
        source=source,
        title_key="fig.balance.title",
        period=period,
        extra=extra,
    )
    with slide_style():
        fig, ax, own = make_axes(ax)
        ys = list(range(len(table)))
        ax.axvline(balance.threshold, color=GREY, linestyle="--", linewidth=1.5, zorder=0,
                   label=t("legend.smd_threshold", lang,
                           value=format_number(balance.threshold, 1, lang)))  # fmt: skip
        ax.scatter(table["before"], ys, s=140, facecolors="white", edgecolors=OKABE_ITO["orange"],
                   linewidths=2.5, zorder=3, label=t("legend.before_weighting", lang))  # fmt: skip
        if table["after"].notna().any():
            ax.scatter(table["after"], ys, s=140, color=OKABE_ITO["blue"], zorder=4,
                       label=t("legend.after_weighting", lang))  # fmt: skip
            for y, b, a in zip(ys, table["before"], table["after"], strict=True):
                ax.plot([b, a], [y, y], color="#bbbbbb", linewidth=1.5, zorder=1)
        names = [
            _term_label(c, term, lang)
            for c, term in zip(table["covariate"], table["term"], strict=True)
        ]
        ax.set_yticks(ys, names)
        ax.set_ylim(-0.7, len(ys) - 0.3)
        top = max(float(table[["before", "after"]].max().max()), balance.threshold) * 1.1
        ax.set_xlim(0, top)
        number_axis(ax.xaxis, lang, 1)
        ax.set_xlabel(t("axis.smd", lang))
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", visible=True)
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right", frameon=False, fontsize=15)
        decorate(fig, ax, texts, own=own, left=0.3)
        if own:
            fit_left_margin(fig, ax)
    return ax
