"""The slide style: a packaged ``slide.mplstyle`` applied in a context, never globally.

The style draws at the final size of a full 16:9 slide (13.333 × 7.5 in), so nothing is
rescaled in PowerPoint: text 18 pt, axis labels 20 pt, figure titles 28 pt (set by
:mod:`rehab_eval.plots._frame`), 3 pt lines, no top or right spines, a light horizontal
grid, and the Okabe–Ito colour-universal-design palette, which stays distinguishable for
the common colour-vision deficiencies. SVG text stays text (``svg.fonttype: none``) and
PDF fonts are TrueType (``pdf.fonttype: 42``) so both remain editable.

Settings read when a figure is *saved* (``savefig.dpi: 200``, ``svg.hashsalt``, which makes
SVG files byte-identical from run to run) apply only when ``savefig`` is called inside
``with slide_style():``; the figures themselves keep their look anywhere.

References
----------
Okabe, M. & Ito, K. (2008). *Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people*. https://jfly.uni-koeln.de/color/
Matplotlib documentation, "Customizing Matplotlib with style sheets and rcParams".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from importlib import resources
from typing import Any

__all__ = ["CATEGORY_COLORS", "OKABE_ITO", "SLIDE_SIZE", "slide_style", "style_path"]

#: Full 16:9 slide in inches.
SLIDE_SIZE = (13.333, 7.5)

#: Okabe & Ito (2008) palette in the order of the style's colour cycle.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: Fixed colours of the reliable-change categories (same meaning on every slide).
CATEGORY_COLORS = {
    "recovered": OKABE_ITO["green"],
    "improved": OKABE_ITO["blue"],
    "unchanged": "#999999",
    "deteriorated": OKABE_ITO["orange"],
    "harmed": OKABE_ITO["vermillion"],
}

GREY = "#666666"
FAINT = "#9A9A9A"
#: Fill of a bar whose count is suppressed (drawn at length min_cell, labelled "<5").
SUPPRESSED_FILL = "#D9D9D9"


def style_path() -> str:
    """File path of the packaged ``slide.mplstyle``."""
    return str(resources.files("rehab_eval.plots").joinpath("slide.mplstyle"))


@contextmanager
def slide_style(**overrides: Any) -> Iterator[None]:
    """Apply the slide style (and optional rcParams ``overrides``) inside a ``with`` block.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> with slide_style():
    ...     fig, ax = plt.subplots()
    >>> tuple(round(x, 2) for x in fig.get_size_inches())
    (13.33, 7.5)
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    with plt.style.context(style_path()):
        with plt.rc_context(overrides) if overrides else nullcontext():
            yield
