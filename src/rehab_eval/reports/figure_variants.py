"""The files of a published figure besides its PNG/SVG: the internal stamp and the slide variant.

A slide carries the figure's title, so the deck takes ``<key>_slide.png``: the same figure
with its own title and subtitle hidden and the image cropped to what remains (the source line
stays). In the ``internal`` audience the stamp is drawn at the top right of both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["STAMP_COLOR", "TITLE_GIDS", "draw_stamp", "save_slide_variant", "title_artists"]

#: Colour of the internal stamp on figures, slides and pages.
STAMP_COLOR = "#B00020"

#: ``gid`` of the artists a plot marks as its own title and subtitle (hidden on slides).
TITLE_GIDS = frozenset({"rehab-title", "rehab-subtitle", "title", "subtitle"})


def draw_stamp(fig: Any, stamp: str | None) -> Any:
    """The internal stamp at the figure's top right edge (above any title), or None."""
    if not stamp:
        return None
    return fig.text(
        0.995,
        0.997,
        stamp,
        ha="right",
        va="top",
        fontsize=11,
        fontweight="bold",
        color=STAMP_COLOR,
        gid="rehab-stamp",
    )


def title_artists(fig: Any) -> list[Any]:
    """The figure's own title and subtitle: what a slide title makes redundant.

    Marked artists (``gid`` in :data:`TITLE_GIDS`) when the plot marks them; otherwise the
    suptitle, the figure texts above the highest axes, and for a single axes its bold left
    title and the texts it carries above its top edge (the frame of
    :mod:`rehab_eval.plots`).
    """
    marked = [a for a in fig.findobj() if getattr(a, "get_gid", lambda: None)() in TITLE_GIDS]
    if marked:
        return marked
    found: list[Any] = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        found.append(suptitle)
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    if not axes:
        return found
    top = max(ax.get_position().y1 for ax in axes)
    for text in fig.texts:
        if text.get_transform() == fig.transFigure and text.get_position()[1] > top:
            found.append(text)
    if len(axes) == 1:
        ax = axes[0]
        left = ax._left_title
        if left.get_text() and str(left.get_fontweight()) in ("bold", "700"):
            found.append(left)
        for text in ax.texts:
            if text.get_transform() == ax.transAxes and text.get_position()[1] >= 1.0:
                found.append(text)
    return found


def save_slide_variant(fig: Any, path: Path, stamp: str | None, *, dpi: int = 200) -> None:
    """Save ``fig`` without its own title/subtitle, cropped to the rest (stamp above it)."""
    from matplotlib.transforms import Bbox

    hidden = [a for a in title_artists(fig) if a.get_visible()]
    for artist in hidden:
        artist.set_visible(False)
    if not hasattr(fig.canvas, "get_renderer"):  # a Figure() made without pyplot
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    inches = fig.get_tightbbox(renderer)
    width, height = fig.get_size_inches()
    pad = 0.12
    x0, y0 = max(0.0, inches.x0 - pad), max(0.0, inches.y0 - pad)
    x1, y1 = min(width, inches.x1 + pad), min(height, inches.y1 + pad)
    mark = None
    if stamp:
        y1 = min(height, y1 + 0.3)
        mark = fig.text(
            (x1 - 0.05) / width,
            (y1 - 0.05) / height,
            stamp,
            ha="right",
            va="top",
            fontsize=11,
            fontweight="bold",
            color=STAMP_COLOR,
        )
    fig.savefig(
        path,
        dpi=dpi,
        metadata={"Software": None},
        bbox_inches=Bbox.from_extents(x0, y0, x1, y1),
    )
    if mark is not None:
        mark.remove()
    for artist in hidden:
        artist.set_visible(True)
