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


def test_the_screening_report_draws_risk_levels_in_the_colours_of_every_other_figure():
    from rehab_eval.reports.sections import screening

    assert screening.LEVEL_COLORS == LEVEL_COLORS


def test_named_bars_of_groups_that_are_not_levels_share_one_colour():
    """Facilities named on the axis: a colour per facility would mean nothing."""
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from rehab_eval.plots import plot_rates_at

    rates = pd.DataFrame(
        {
            "group": ["Lapas A", "Lapas B", "Rutan C"],
            "window": 12,
            "unit": "months",
            "n": [100, 120, 90],
            "events": [10, 20, 12],
            "km_cum_incidence": [0.1, 0.17, 0.13],
            "km_ci_low": [0.05, 0.1, 0.07],
            "km_ci_high": [0.15, 0.24, 0.2],
        }
    )
    ax = plot_rates_at(rates, by="group")
    colors = {tuple(p.get_facecolor()) for p in ax.patches}
    assert len(colors) == 1
    levels = plot_rates_at(rates.assign(group=["rendah", "sedang", "tinggi"]), by="group")
    assert len({tuple(p.get_facecolor()) for p in levels.patches}) == 3
