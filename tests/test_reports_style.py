"""Colours that mean something: risk levels light → dark, the same on every figure."""

from __future__ import annotations

from matplotlib.colors import to_rgb

from rehab_eval.plots.style import LEVEL_COLORS, OKABE_ITO, group_colors, level_color


def _lightness(color):
    """Relative luminance (WCAG) of a colour: what a grey print or a colour-blind reader sees."""

    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_risk_levels_go_from_light_to_dark():
    shades = [_lightness(LEVEL_COLORS[code]) for code in ("rendah", "sedang", "tinggi")]
    assert shades[0] > shades[1] > shades[2]
    assert shades[0] - shades[2] > 0.4  # far apart, not three near-identical reds


def test_levels_keep_their_colour_whatever_the_order_the_language_or_the_other_groups():
    assert group_colors(["tinggi", "rendah"]) == [LEVEL_COLORS["tinggi"], LEVEL_COLORS["rendah"]]
    assert group_colors(["Low", "Moderate", "High"]) == list(LEVEL_COLORS.values())
    assert level_color(" Tinggi ") == LEVEL_COLORS["tinggi"] and level_color("lainnya") is None
    mixed = group_colors(["tidak diketahui", "sedang"])
    assert mixed[1] == LEVEL_COLORS["sedang"]
    assert mixed[0] not in LEVEL_COLORS.values()
    assert mixed[0] not in (OKABE_ITO["orange"], OKABE_ITO["vermillion"])
    # "tinggi" is never drawn in green (the complaint)
    assert LEVEL_COLORS["tinggi"] != OKABE_ITO["green"]
