"""URICA stage transitions: stage before × stage after as a shaded table of counts.

Draws the crosstab of :func:`rehab_eval.change.stage_transitions` through the small-cell
rules of :mod:`rehab_eval.privacy`; computes no statistics (the Stuart–Maxwell test is read
from the result).
"""

from __future__ import annotations

from typing import Any

from rehab_eval.errors import InputError
from rehab_eval.i18n import format_number, format_p, label, t
from rehab_eval.plots._frame import (
    decorate,
    make_axes,
    nested_count,
    resolve_texts,
)
from rehab_eval.plots.style import (
    GREY,
    SUPPRESSED_FILL,
    slide_style,
)
from rehab_eval.privacy import SHOWN, format_count, suppression_status, threshold_mark
from rehab_eval.vocab import STAGE_ORDER

__all__ = ["STAGES", "plot_stage_transitions"]

STAGES = STAGE_ORDER


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
    nested_in: Any = None,
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

    nested_in : sequence of int, optional
        Published counts the figure's clients are nested in (e.g. the cohort's flow:
        enrolled, assessed before, ...). A count of the figure that differs from one of them
        by 1 to ``min_cell − 1`` is written ``x``
        (:func:`rehab_eval.privacy.suppress_nested`).

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
        n = nested_count(counts[counts == counts].sum(), min_cell, lang, nested_in)
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
