"""Slide-ready figures: take result frames, draw them in the slide style, compute nothing.

Every function draws inside :func:`slide_style` (never set globally), labels in Bahasa
Indonesia by default (``lang="en"`` for English), writes a title, a subtitle with n and
period and a source line, passes every count through :func:`rehab_eval.privacy.format_count`,
accepts ``ax=`` and returns the Axes (the Figure for multi-panel figures). matplotlib is
imported inside the functions, so importing this package stays cheap.
"""

from rehab_eval.plots.change import plot_effect_sizes, plot_prepost
from rehab_eval.plots.cohort import plot_flow, plot_reach, plot_urine_positivity
from rehab_eval.plots.jacobson import plot_jacobson
from rehab_eval.plots.stages import plot_stage_transitions
from rehab_eval.plots.style import OKABE_ITO, SLIDE_SIZE, slide_style
from rehab_eval.plots.survival import plot_km, plot_rates_at
from rehab_eval.plots.trajectory import plot_trajectory

__all__ = [
    "OKABE_ITO",
    "SLIDE_SIZE",
    "plot_effect_sizes",
    "plot_flow",
    "plot_jacobson",
    "plot_km",
    "plot_prepost",
    "plot_rates_at",
    "plot_reach",
    "plot_stage_transitions",
    "plot_trajectory",
    "plot_urine_positivity",
    "slide_style",
]
