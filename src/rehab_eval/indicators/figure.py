"""The year-on-year figure of one indicator: realisasi per year with its Wilson interval and
the target. Draws what :class:`~rehab_eval.indicators.Indicators` holds; computes nothing."""

from __future__ import annotations

from typing import Any

import pandas as pd

from rehab_eval.errors import ConfigError
from rehab_eval.indicators.compute import Indicators, percent_text

__all__ = ["plot_year_on_year"]


def _hidden(num: int, den: int, min_cell: int | None) -> bool:
    """A year whose count with or without the event is 1 … min_cell − 1 is not drawn."""
    if min_cell is None:
        return False
    return any(0 < n < min_cell for n in (num, den - num))


def plot_year_on_year(
    result: Indicators,
    indicator: str,
    *,
    category: str = "",
    lang: str | None = None,
    min_cell: int | None = 5,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    ax: Any = None,
) -> Any:
    """Realisasi of one indicator per year, with its Wilson interval and the target.

    Parameters
    ----------
    result
        :func:`~rehab_eval.indicators.compute_indicators` with the previous years.
    indicator, category
        The row to draw (``category`` for an indicator with categories, e.g. ``"tinggi"``).
    lang
        ``"id"``/``"en"`` (default: the result's).
    min_cell
        Disclosure threshold for a ``sensitive`` indicator: a year where the persons with,
        or without, the event number 1 … ``min_cell − 1`` is drawn without its value (its
        label reads "x"), since either count can be worked out from the percentage and the
        denominator. Operational indicators (completion) are always drawn. None: draw all
        (for internal use).
    title, subtitle, source
        Replace the default texts (title: the indicator's name; subtitle: the selection and
        the interval).
    ax
        Draw into this axes instead of a new slide-sized figure.

    Returns
    -------
    matplotlib.axes.Axes
        One point per year at realisasi (percent) with the interval as an error bar and its
        value written above; a dashed marker per year at the target where one is set.
    """
    from rehab_eval.plots._frame import decorate, make_axes, resolve_texts
    from rehab_eval.plots.style import GREY, OKABE_ITO, slide_style

    lang = lang or result.lang
    t = result.table
    rows = t[(t["indicator"] == indicator) & (t["category"] == category)].sort_values("year")
    if rows.empty:
        raise ConfigError(
            f"no indicator {indicator!r} (category {category!r}) in the result; choose one of "
            f"{', '.join(dict.fromkeys(t['indicator']))}."
        )
    first = rows.iloc[0]
    level = f"{result.conf_level * 100:g}"
    interval = f"IK {level}% Wilson" if lang == "id" else f"{level}% Wilson CI"
    if title is None:
        import textwrap

        from rehab_eval.i18n import label

        name = f"{first['name']}: {label('level', category, lang)}" if category else first["name"]
        title = "\n".join(textwrap.wrap(name, 60)[:3])
    texts = resolve_texts(
        lang,
        title=title,
        subtitle=subtitle
        or " · ".join(x for x in (result.selection, first["label"], interval) if x),
        source=source,
        title_key="",
    )
    with slide_style():
        fig, ax, own = make_axes(ax)
        years = [int(y) for y in rows["year"]]
        for i, r in enumerate(rows.itertuples()):
            if pd.isna(r.realisasi):
                ax.annotate("–", (i, 0), ha="center", va="bottom", color=GREY)
                continue
            if r.sensitive and _hidden(int(r.numerator), int(r.denominator), min_cell):
                ax.annotate("x", (i, 0), ha="center", va="bottom", color=GREY)
                continue
            ax.errorbar(
                [i], [r.realisasi], yerr=[[r.realisasi - r.ci_low], [r.ci_high - r.realisasi]],
                fmt="o", color=OKABE_ITO["blue"], capsize=8, markersize=12,
            )  # fmt: skip
            ax.annotate(
                percent_text(r.realisasi, lang),
                (i, r.ci_high),
                xytext=(0, 8),
                textcoords="offset points",
                ha="center",
                va="bottom",
            )
            if not pd.isna(r.target):
                ax.hlines(r.target, i - 0.3, i + 0.3, colors=OKABE_ITO["orange"],
                          linestyles="dashed")  # fmt: skip
        ax.set_xticks(range(len(years)), [str(y) for y in years])
        ax.set_xlim(-0.6, len(years) - 0.4)
        ax.set_ylim(0, 105)
        ax.set_ylabel("Realisasi (%)" if lang == "id" else "Actual (%)")
        if rows["target"].notna().any():
            from matplotlib.lines import Line2D

            ax.legend(
                [Line2D([0], [0], color=OKABE_ITO["orange"], linestyle="dashed")],
                ["Target"],
                loc="lower right",
                frameon=False,
            )
        decorate(fig, ax, texts, own=own)
        lines = title.count("\n")
        if own and lines:  # a long name on two or three lines: move the subtitle below it
            fig.texts[1].set_y(0.88 - 0.075 * lines)
            fig.subplots_adjust(top=0.79 - 0.075 * lines)
    return ax
