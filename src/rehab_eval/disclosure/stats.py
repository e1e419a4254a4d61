"""Statistics beside counts, statistics of tiny groups, ages, and per-person marks.

**Tiny groups.** In ``publik`` no mean, median, SD, IQR, min or max (nor any test or
effect size) of a group of fewer than ``stats_min`` people is published.

**A statistic beside a hidden n.** The pair count of a change estimate can be solved back
from what is printed beside it: with a t interval of half-width h, the mean difference
md and d_z = md / sd, h · d_z / md = t₀.₉₇₅,ₙ₋₁ / √n, a function of n alone that
changes by 5–6 % per person at n = 10 … 20; rounding md and the limits to 0.1 and d_z to
0.01 leaves errors near 1 %, so n is still found (``tests/test_disclosure_stats.py``
runs the attack). The same holds for the d_z interval (width ≈ 2·1.96/√n), for t and the
p-value (t = d_z·√n), for g_av (its small-sample factor J depends on n) and for the
rank-biserial correlation (rank sums over n(n+1)/2). Means, SDs and mean differences
are averages weighted by n: beside the parent group's mean and a sibling group's n and
mean, n_B = n_A (m_A − m) / (m − m_B) (the weighted-mean attack, also run by the tests).
No rounding fine enough to be useful defeats these, so when n is hidden only d_z (a
ratio, neither additive over groups nor tied to n) is published, at display precision;
every mean, SD, interval, test statistic and p-value is withheld. When n is shown, every
statistic is published at display precision.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rehab_eval.disclosure.audience import Disclosure
from rehab_eval.disclosure.values import WITHHELD, Shown, round_half_even, text
from rehab_eval.errors import ConfigError
from rehab_eval.i18n import format_number, format_p

__all__ = [
    "MarkDecision",
    "N_FREE",
    "PRECISION_OF",
    "age_band",
    "describe",
    "per_person_marks",
    "show_age",
    "show_statistics",
]

#: Display precision class of each statistic (columns of change.paired and describe).
PRECISION_OF = {
    **dict.fromkeys(
        (
            "mean",
            "median",
            "sd",
            "iqr",
            "q1",
            "q3",
            "min",
            "max",
            "mean_pre",
            "sd_pre",
            "mean_post",
            "sd_post",
            "mean_diff",
            "sd_diff",
            "ci_low",
            "ci_high",
        ),
        "score",
    ),
    **dict.fromkeys(
        ("cohen_dz", "dz_ci_low", "dz_ci_high", "hedges_gav", "rank_biserial"), "effect_size"
    ),
    **dict.fromkeys(("p_value", "p_holm", "p_fdr", "wilcoxon_p"), "p_value"),
    **dict.fromkeys(("t", "wilcoxon_w"), "effect_size"),
}

#: Statistics published when n is hidden: neither tied to n nor additive over groups.
N_FREE = frozenset({"cohen_dz"})


def _withheld(threshold: int, lang: str) -> Shown:
    return Shown(text("disclosure.withheld", lang, n=threshold), None, WITHHELD)


def show_statistics(
    stats: Mapping[str, Any],
    n: int,
    disclosure: Disclosure,
    *,
    n_shown: bool = True,
    lang: str = "id",
) -> dict[str, Shown]:
    """Decide and format the statistics of a group of ``n`` (e.g. a row of ``change.paired``).

    Parameters
    ----------
    stats : mapping of name → value
        Statistics named as in :data:`PRECISION_OF` (other names are ignored).
    n : int
        The number of people (pairs) they rest on.
    disclosure : Disclosure
    n_shown : bool
        Whether the report shows ``n`` beside them (``False`` when the count is hidden,
        e.g. as a complementary ``"x"``).
    lang : {"id", "en"}

    Returns
    -------
    dict of name → Shown
        Every known statistic of ``stats``: at display precision (``value`` rounded as
        displayed in ``publik``, exact in ``internal``), or withheld (``value`` None) in
        ``publik``: ``"n<10"`` when ``n < stats_min``, ``"x"`` when ``n`` is hidden and the
        statistic is not in :data:`N_FREE`. p-values read ``"= 0,034"``.
    """
    out: dict[str, Shown] = {}
    tiny = n < disclosure.stats_min
    for name, value in stats.items():
        kind = PRECISION_OF.get(name)
        if kind is None:
            continue
        if disclosure.public and tiny:
            out[name] = _withheld(disclosure.stats_min, lang)
            continue
        if disclosure.public and not n_shown and name not in N_FREE:
            out[name] = Shown(text("disclosure.hidden", lang), None, WITHHELD)
            continue
        digits = disclosure.precision(kind)
        rounded = round_half_even(value, digits)
        shown_value = rounded if disclosure.public else (None if rounded is None else float(value))
        if kind == "p_value":
            out[name] = Shown(format_p(value, lang), shown_value)
        else:
            out[name] = Shown(format_number(value, digits, lang), shown_value)
    return out


def describe(
    values: Sequence[float] | Any,
    disclosure: Disclosure,
    *,
    what: str = "score",
    lang: str = "id",
) -> dict[str, Shown]:
    """n, mean, SD, median, IQR, min and max of a sample, withheld for a tiny group.

    Returns
    -------
    dict of name → Shown
        ``n`` (as an operational count), ``mean``, ``sd`` (ddof=1), ``median``, ``q1``,
        ``q3``, ``iqr``, ``min``, ``max`` at the precision of ``what``; all but ``n``
        withheld when fewer than ``stats_min`` values in ``publik``.
    """
    import numpy as np

    from rehab_eval.disclosure.counts import show_count

    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    stats: dict[str, float] = {}
    if n:
        q1, median, q3 = (float(v) for v in np.percentile(x, [25, 50, 75]))
        stats = {
            "mean": float(x.mean()),
            "sd": float(x.std(ddof=1)) if n > 1 else math.nan,
            "median": median,
            "q1": q1,
            "q3": q3,
            "iqr": q3 - q1,
            "min": float(x.min()),
            "max": float(x.max()),
        }
    digits = disclosure.precision(what)
    out = {"n": show_count(n, "enrolled", disclosure, lang=lang)}
    for name, value in stats.items():
        if disclosure.public and n < disclosure.stats_min:
            out[name] = _withheld(disclosure.stats_min, lang)
        else:
            rounded = round_half_even(value, digits)
            out[name] = Shown(
                format_number(value, digits, lang), rounded if disclosure.public else value
            )
    return out


def age_band(age: Any, edges: Sequence[int], lang: str = "id") -> str:
    """The band of an age: edges ``[18, 25, 35]`` give ``<18``, ``18–24``, ``25–34``, ``35+``."""
    if age is None or (isinstance(age, float) and math.isnan(age)):
        return "–"
    years = math.floor(float(age))
    if years < edges[0]:
        return text("disclosure.age_band_below", lang, high=edges[0])
    for low, high in zip(edges, edges[1:], strict=False):
        if low <= years < high:
            return text("disclosure.age_band", lang, low=low, high=high - 1)
    return text("disclosure.age_band_open", lang, low=edges[-1])


def show_age(age: Any, disclosure: Disclosure, *, band: bool = False, lang: str = "id") -> Shown:
    """An age as whole completed years (``value`` int) or, with ``band``, its policy band."""
    if age is None or (isinstance(age, float) and math.isnan(age)):
        return Shown("–", None)
    if band:
        edges = disclosure.policy.precision["age_band_edges"]
        return Shown(age_band(age, edges, lang), None, "coarsened")
    years = math.floor(float(age))
    return Shown(format_number(years, 0, lang), years)


_MODES = {
    "jacobson": ("points", "aggregate"),
    "prepost": ("lines", "means"),
    "km": ("steps", "cut"),
}


@dataclass(frozen=True)
class MarkDecision:
    """Whether a figure may draw one mark per person, and what it draws instead.

    Attributes
    ----------
    per_person : bool
    mode : str
        ``"points"``/``"aggregate"`` (Jacobson: scatter vs category bars with the group
        mean), ``"lines"``/``"means"`` (pre/post: one line per client vs means with
        intervals), ``"steps"``/``"cut"`` (Kaplan–Meier: full curve vs cut at the threshold).
    threshold : int
        The display threshold that applied (0 in ``internal``).
    """

    per_person: bool
    mode: str
    threshold: int

    def label(self, lang: str = "id") -> str:
        key = {"steps": "points", "cut": "aggregate"}.get(self.mode, self.mode)
        return text(f"disclosure.mode.{key}", lang)


def per_person_marks(figure: str, group_size: int, disclosure: Disclosure) -> MarkDecision:
    """The plot's decision for one group: per-person marks only from ``display_min`` on.

    Parameters
    ----------
    figure : {"jacobson", "prepost", "km"}
    group_size : int
        The smallest group drawn in the figure (e.g. the fewest pairs of any panel).
    disclosure : Disclosure

    Examples
    --------
    >>> from rehab_eval.disclosure import resolve
    >>> per_person_marks("jacobson", 9, resolve()).mode, per_person_marks("jacobson", 9, resolve("internal")).mode
    ('aggregate', 'points')
    """
    if figure not in _MODES:
        raise ConfigError(f"figure={figure!r}; use one of {', '.join(_MODES)}")
    marks, instead = _MODES[figure]
    allowed = group_size >= disclosure.display_min
    return MarkDecision(allowed, marks if allowed else instead, disclosure.display_min)
