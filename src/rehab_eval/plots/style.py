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

__all__ = [
    "CATEGORY_COLORS",
    "LEVEL_COLORS",
    "OKABE_ITO",
    "SLIDE_SIZE",
    "group_colors",
    "level_color",
    "slide_style",
    "style_path",
]

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

#: Risk levels (``level``: rendah / sedang / tinggi, also the ASSIST risk bands), light → dark
#: in one hue (ColorBrewer OrRd), so "higher is darker" reads the same for the colour-blind
#: and in grey print; the same colours on every figure that shows a level.
LEVEL_COLORS = {
    "rendah": "#FDBB84",
    "sedang": "#EF6548",
    "tinggi": "#990000",
}
_LEVEL_NAMES = {
    "rendah": ("rendah", "low", "ringan"),
    "sedang": ("sedang", "moderate", "medium", "menengah"),
    "tinggi": ("tinggi", "high", "berat"),
}
#: Okabe–Ito colours left for other groups beside risk levels (no orange or vermillion,
#: which would read as a level).
_BESIDE_LEVELS = ("blue", "green", "sky", "purple", "black", "yellow")

GREY = "#666666"
FAINT = "#9A9A9A"
#: Fill of a bar whose count is suppressed (drawn at length min_cell, labelled "<5").
SUPPRESSED_FILL = "#D9D9D9"


def level_color(group: Any) -> str | None:
    """The colour of a risk level given as code or label (``"tinggi"``, ``"High"``), or None."""
    text = " ".join(str(group).strip().lower().split())
    for code, names in _LEVEL_NAMES.items():
        if text in names:
            return LEVEL_COLORS[code]
    return None


def group_colors(groups: Any) -> list[str]:
    """One colour per group, in order: risk levels get :data:`LEVEL_COLORS`, others Okabe–Ito.

    Plots that draw one line or bar per group take their colours from here, so that
    "tinggi" is the darkest red on every figure whatever the order or the other groups.

    Examples
    --------
    >>> group_colors(["rendah", "sedang", "tinggi"]) == list(LEVEL_COLORS.values())
    True
    >>> group_colors(["Bapas", "Lapas"])
    ['#0072B2', '#E69F00']
    """
    groups = list(groups)
    levels = [level_color(g) for g in groups]
    if not any(levels):
        palette = list(OKABE_ITO.values())
        return [palette[k % len(palette)] for k in range(len(groups))]
    others = [OKABE_ITO[name] for name in _BESIDE_LEVELS]
    out, k = [], 0
    for color in levels:
        if color is None:
            color, k = others[k % len(others)], k + 1
        out.append(color)
    return out


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
