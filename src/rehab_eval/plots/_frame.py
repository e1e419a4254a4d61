"""The frame every figure shares: title, subtitle (n and period), source line, layout.

With ``ax=None`` a plot function makes its own slide-sized figure and writes the title
(28 pt, bold), the subtitle (18 pt, grey) at the top left and the source line
("Sumber: …"/"Source: …", 13 pt) at the bottom left of the figure. Given an ``ax``, the
same three texts go on that axes (title, a subtitle line above the plot, the source under
it), so figures composed by the caller still carry them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rehab_eval.errors import require_columns
from rehab_eval.i18n import format_percent, format_period, label, t

__all__ = [
    "FrameText",
    "check_columns",
    "decorate",
    "fit_left_margin",
    "fit_width",
    "group_label",
    "make_axes",
    "n_phrase",
    "number_axis",
    "percent_axis",
    "resolve_texts",
]

TITLE_PT = 28
SUBTITLE_PT = 18
SOURCE_PT = 13
GREY = "#555555"

_GROUP_NAMESPACES = ("group", "level", "program", "status", "sex", "facility_type", "rc", "stage")


@dataclass(frozen=True)
class FrameText:
    """The three texts of a figure."""

    title: str
    subtitle: str
    source: str


def check_columns(frame: Any, columns: Sequence[str], what: str) -> None:
    """Raise InputError naming the missing columns of a result frame."""
    require_columns(
        frame,
        columns,
        what,
        noun="result frame",
        hint="pass the frame returned by the matching rehab_eval function",
    )


def group_label(code: Any, lang: str) -> str:
    """Display label of a group code (level, program, status, sex, …) or the code itself."""
    for namespace in _GROUP_NAMESPACES:
        text = label(namespace, code, lang)
        if text != str(code):
            return text
    return str(code)


def _period_text(period: Any, lang: str) -> str | None:
    if period is None:
        return None
    if isinstance(period, str):
        return period
    start, end = period
    return format_period(start, end, lang)


def resolve_texts(
    lang: str,
    *,
    title: str | None,
    subtitle: str | None,
    source: str | None,
    title_key: str,
    n: str | None = None,
    n_key: str = "subtitle.n",
    period: Any = None,
    extra: Sequence[str] = (),
    title_values: dict[str, str] | None = None,
) -> FrameText:
    """Default title from the i18n table, subtitle "n = … · period", source with its prefix.

    With ``title_values={"windows": ...}`` the default title is the text of the key
    ``title_key + "_windows"`` filled with them (e.g. "Residivisme pada 12 bulan").
    """
    if title is None:
        title = (
            t(f"{title_key}_windows", lang, **title_values)
            if title_values and "windows" in title_values
            else t(title_key, lang)
        )
    if subtitle is None:
        parts = [t(n_key, lang, n=n)] if n is not None else []
        period_text = _period_text(period, lang)
        if period_text:
            parts.append(period_text)
        parts.extend(extra)
        subtitle = " · ".join(parts)
    prefix = t("source.prefix", lang)
    text = source if source is not None else t("source.default", lang)
    if not text.lower().startswith(prefix.lower()):
        text = f"{prefix}: {text}"
    return FrameText(title, subtitle, text)


def make_axes(ax: Any = None, **subplots: Any) -> tuple[Any, Any, bool]:
    """``(figure, axes, own)``: a new slide-sized figure when ``ax`` is None."""
    import matplotlib.pyplot as plt

    if ax is not None:
        first = (
            ax.flat[0] if hasattr(ax, "flat") else (ax[0] if isinstance(ax, list | tuple) else ax)
        )
        return first.figure, ax, False
    fig, axes = plt.subplots(**subplots)
    return fig, axes, True


def decorate(
    fig: Any,
    ax: Any,
    texts: FrameText,
    *,
    own: bool,
    left: float = 0.09,
    right: float = 0.97,
    top: float = 0.79,
    bottom: float = 0.15,
    source_offset: float = 64,
    wspace: float | None = None,
) -> None:
    """Write title, subtitle and source; set the margins of a figure the plot made itself."""
    if own:
        heading = fig.text(0.03, 0.965, texts.title, fontsize=TITLE_PT, fontweight="bold", va="top")
        fit_width(fig, heading, 0.95, smallest=20)
        sub = fig.text(0.03, 0.88, texts.subtitle, fontsize=SUBTITLE_PT, color=GREY, va="top")
        fit_width(fig, sub, 0.95, smallest=13)
        fig.text(0.03, 0.018, texts.source, fontsize=SOURCE_PT, color=GREY, va="bottom")
        fig.subplots_adjust(left=left, right=right, top=top, bottom=bottom, wspace=wspace)
        return
    panels = (
        list(ax.flat)
        if hasattr(ax, "flat")
        else (list(ax) if isinstance(ax, list | tuple) else [ax])
    )
    if len(panels) > 1:  # the panels carry their own titles: write ours on the figure
        fig.suptitle(
            texts.title, x=0.01, y=0.995, ha="left", va="top", fontsize=22, fontweight="bold"
        )
        fig.text(0.01, 0.93, texts.subtitle, fontsize=15, color=GREY, va="top")
        fig.text(0.01, 0.005, texts.source, fontsize=12, color=GREY, va="bottom")
        return
    target = panels[0]
    target.set_title(texts.title, loc="left", pad=30, fontsize=22, fontweight="bold")
    target.text(
        0, 1.02, texts.subtitle, transform=target.transAxes, fontsize=15, color=GREY, va="bottom"
    )
    target.annotate(
        texts.source,
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -source_offset),
        textcoords="offset points",
        fontsize=12,
        color=GREY,
        va="top",
    )


def percent_axis(axis: Any, lang: str, decimals: int = 0) -> None:
    """Tick labels of an axis holding shares (0–1) as percents in the language's format."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: format_percent(v, decimals, lang)))


def number_axis(axis: Any, lang: str, decimals: int = 0) -> None:
    """Tick labels with the language's decimal and thousands separators."""
    from matplotlib.ticker import FuncFormatter

    from rehab_eval.i18n import format_number

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v, decimals, lang)))


def fit_width(fig: Any, text: Any, share: float, smallest: float) -> None:
    """Shrink a figure text until it fits in ``share`` of the figure width (not below ``smallest`` pt)."""
    renderer = fig.canvas.get_renderer()
    limit = fig.bbox.width * share
    size = text.get_fontsize()
    while text.get_window_extent(renderer).width > limit and size > smallest:
        size -= 1
        text.set_fontsize(size)


def nested_count(n: Any, min_cell: int, lang: str, nested_in: Any = None) -> str:
    """A count for display: ``format_count``, or ``"x"`` when its difference to one of the
    published counts it is nested in (``nested_in``, e.g. the cohort's flow) is between 1
    and ``min_cell − 1`` (:func:`rehab_eval.privacy.suppress_nested`)."""
    from rehab_eval.privacy import format_count, suppress_nested

    if not nested_in:
        return format_count(n, min_cell, lang)
    return suppress_nested([*nested_in, n], min_cell, lang=lang)[-1]


def n_phrase(n: Any, min_cell: int, lang: str, nested_in: Any = None) -> str:
    """``n = 35``, ``n < 5`` when the count is suppressed, ``n = x`` when it is hidden for
    its difference to a count it is nested in."""
    from rehab_eval.privacy import is_suppressed

    if is_suppressed(n, min_cell):
        return f"n < {min_cell}"
    return f"n = {nested_count(n, min_cell, lang, nested_in)}"


def fit_left_margin(fig: Any, ax: Any, *, least: float = 0.08, most: float = 0.45) -> None:
    """Widen the left margin of a figure the plot made until the y tick labels fit in it."""
    renderer = fig.canvas.get_renderer()
    widths = [
        label.get_window_extent(renderer).width
        for label in ax.get_yticklabels()
        if label.get_text()
    ]
    label_width = ax.yaxis.label.get_window_extent(renderer).width if ax.get_ylabel() else 0
    pad = 24 + (label_width + 24 if label_width else 0)
    needed = (max(widths, default=0.0) + pad) / fig.bbox.width
    left = min(max(needed, least), most)
    if abs(left - fig.subplotpars.left) > 0.005:
        fig.subplots_adjust(left=left)
