"""Counts and shares with the policy applied.

- A group below ``min_cell`` is shown as ``"<5"`` people and nothing is counted inside it
  (every count of it reads ``"x"``): a reader still sees how many people the figure is
  about, and learns nothing about any of them.
- In a group of at least ``min_cell``, operational counts (enrolled, assessed, pairs,
  completed, contacts, tests …) are shown exactly, in both audiences.
- Sensitive counts of 1 … ``min_cell − 1`` read ``"<5"``; further cells are hidden
  (``"x"``) by :func:`rehab_eval.disclosure.cells.protect_cells` until none of them can be
  recovered from the relations the report publishes.
- A share is published with its n; when its numerator, or its complement, is a small
  sensitive count, the share is coarsened to a bound no more telling than ``"<5"``
  (``≤19%`` of 21) and its interval withheld.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

from rehab_eval.disclosure.audience import Disclosure
from rehab_eval.disclosure.cells import COMPLEMENTARY, PRIMARY, UNPUBLISHED, protect_cells
from rehab_eval.disclosure.values import HIDDEN, SHOWN, Shown, round_half_even, text
from rehab_eval.i18n import format_ci, format_number, format_percent

__all__ = ["Share", "show_count", "show_counts", "show_share"]


def _number(n: object) -> float | None:
    try:
        value = float(n)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def show_count(
    n: object,
    kind: str,
    disclosure: Disclosure,
    *,
    group_size: object = None,
    lang: str = "id",
) -> Shown:
    """One count with the policy applied (no relations; see :func:`show_counts` for tables).

    Parameters
    ----------
    n : int
        The count.
    kind : str
        A count kind declared in the policy (``"enrolled"``, ``"urine_positive"`` …).
    disclosure : Disclosure
        From :func:`rehab_eval.disclosure.resolve`.
    group_size : int, optional
        Size of the group the count is about; under ``min_cell`` every count inside it is
        hidden. Omit it for the group size itself.
    lang : {"id", "en"}

    Returns
    -------
    Shown
        ``text`` ``"21"``/``"<5"``/``"x"``/``"–"``; ``value`` the count or ``None``.

    Examples
    --------
    >>> from rehab_eval.disclosure import resolve
    >>> d = resolve()
    >>> [show_count(n, k, d, group_size=21).text for n, k in [(19, "completed"), (3, "relapse")]]
    ['19', '<5']
    >>> show_count(3, "enrolled", d).text, show_count(3, "relapse", resolve("internal")).text
    ('<5', '3')
    """
    sensitive = disclosure.policy.is_sensitive(kind)
    value = _number(n)
    m = disclosure.min_cell
    if value is None:
        return Shown("–", None, SHOWN)
    if m is not None:
        size = _number(group_size)
        if size is not None and 0 < size < m:
            return Shown(text("disclosure.hidden", lang), None, COMPLEMENTARY)
        if (sensitive or group_size is None) and 0 < value < m:
            return Shown(f"<{m}", None, PRIMARY)
    return Shown(format_number(value, 0, lang), int(value), SHOWN)


def show_counts(
    counts: Mapping[Hashable, object],
    kinds: Mapping[Hashable, str],
    disclosure: Disclosure,
    *,
    relations: Sequence[tuple[Hashable, Sequence[Hashable]]] = (),
    unpublished: Collection[Hashable] = (),
    group_size: object = None,
    lang: str = "id",
) -> dict[Hashable, Shown]:
    """The counts of a report (or section) with primary and complementary suppression.

    Parameters
    ----------
    counts : mapping of key → count
        Every count published together, plus implied cells listed in ``unpublished``
        (e.g. the remainder of a parent group outside a sub-group).
    kinds : mapping of key → count kind
        The policy kind of every key of ``counts``.
    relations : sequence of ``(total, parts)``
        What a reader can add up: ``counts[total] == sum(counts[p] for p in parts)``. A
        percentage published with its n publishes its numerator: include it as a count.
    unpublished : collection of keys
        Implied cells (never shown, still protected when sensitive).
    group_size : int, optional
        Size of the group; under ``min_cell`` every count is hidden.
    lang : {"id", "en"}

    Returns
    -------
    dict of key → Shown
        Unpublished keys are left out. Operational counts are hidden only when nothing
        else can protect a small sensitive count.

    Examples
    --------
    >>> from rehab_eval.disclosure import resolve
    >>> out = show_counts({"tests": 21, "positive": 3, "negative": 18},
    ...                   {"tests": "tests", "positive": "urine_positive",
    ...                    "negative": "urine_negative"}, resolve(),
    ...                   relations=[("tests", ["positive", "negative"])])
    >>> {k: v.text for k, v in out.items()}
    {'tests': '21', 'positive': '<5', 'negative': 'x'}
    """
    m = disclosure.min_cell
    size = _number(group_size)
    if m is not None and size is not None and 0 < size < m:
        hidden = Shown(text("disclosure.hidden", lang), None, COMPLEMENTARY)
        return {k: hidden for k in counts if k not in unpublished}
    sensitive = {k for k in counts if disclosure.policy.is_sensitive(kinds[k])}
    keep = set(counts) - sensitive
    present = {k: v for k, v in counts.items() if _number(v) is not None}
    status = protect_cells(
        present,
        sensitive=sensitive,
        relations=relations,
        unpublished=unpublished,
        keep=keep,
        min_cell=m,
    )
    out: dict[Hashable, Shown] = {}
    for key, value in counts.items():
        state = status.get(key, SHOWN)
        if state == UNPUBLISHED:
            continue
        if key not in present:
            out[key] = Shown("–", None, SHOWN)
        elif state == PRIMARY:
            out[key] = Shown(f"<{m}", None, PRIMARY)
        elif state == COMPLEMENTARY:
            out[key] = Shown(text("disclosure.hidden", lang), None, COMPLEMENTARY)
        else:
            out[key] = Shown(format_number(value, 0, lang), int(float(value)), SHOWN)  # type: ignore[arg-type]
    return out


@dataclass(frozen=True)
class Share:
    """A published share: the percentage, its interval, and the counts it rests on.

    Attributes
    ----------
    percent : Shown
        ``"38%"``; coarsened ``"≤19%"``/``"≥80%"`` (value ``None``); ``"x"`` when hidden.
    ci : Shown
        Wilson interval ``"[18%; 62%]"``; withheld (``"–"``) whenever ``percent`` is not exact.
    numerator, denominator : Shown
        The counts, as :func:`show_count` shows them.
    """

    percent: Shown
    ci: Shown
    numerator: Shown
    denominator: Shown

    @property
    def status(self) -> str:
        return self.percent.status


def show_share(
    k: object,
    n: object,
    disclosure: Disclosure,
    *,
    kind: str,
    complement_kind: str | None = None,
    denominator_kind: str = "enrolled",
    hidden: bool = False,
    conf_level: float = 0.95,
    lang: str = "id",
) -> Share:
    """A percentage with its n and Wilson interval, hidden or coarsened when it would disclose.

    Parameters
    ----------
    k, n : int
        Numerator and denominator counts.
    kind : str
        Policy kind of the numerator (``"urine_positive"``, ``"completed"`` …).
    complement_kind : str, optional
        Policy kind of ``n − k`` (the positives, when the share is of negative tests);
        when sensitive and small the share is shown as ``"≥…%"``.
    denominator_kind : str
        Policy kind of ``n`` (``"enrolled"``, ``"tests"``, ``"pairs"`` …).
    hidden : bool
        The numerator was hidden by complementary suppression elsewhere (a
        :func:`show_counts` status): the share is hidden too.
    conf_level : float
        Level of the Wilson interval.
    lang : {"id", "en"}

    Returns
    -------
    Share

    Examples
    --------
    >>> from rehab_eval.disclosure import resolve
    >>> s = show_share(3, 21, resolve(), kind="urine_positive", denominator_kind="tests")
    >>> s.percent.text, s.ci.text, s.numerator.text, s.denominator.text
    ('≤20%', '–', '<5', '21')
    """
    from scipy.stats import norm

    from rehab_eval.intervals import wilson_interval

    m = disclosure.min_cell
    kv, nv = _number(k), _number(n)
    digits = disclosure.precision("percent")
    numerator = show_count(k, kind, disclosure, group_size=n, lang=lang)
    denominator = show_count(n, denominator_kind, disclosure, lang=lang)
    withheld = Shown("–", None, HIDDEN)
    if kv is None or nv is None or nv <= 0:
        return Share(Shown("–", None, SHOWN), withheld, numerator, denominator)
    if hidden or denominator.value is None or numerator.status == COMPLEMENTARY:
        mark = Shown(text("disclosure.hidden", lang), None, COMPLEMENTARY)
        return Share(mark, withheld, numerator, denominator)
    step = 10.0**-digits
    if m is not None and disclosure.policy.is_sensitive(kind) and 0 < kv < m:
        bound = math.ceil((m - 1) / nv * 100 / step - 1e-9) * step
        label = text(
            "disclosure.share_at_most", lang, percent=format_percent(bound / 100, digits, lang)
        )
        return Share(Shown(label, None, "coarsened"), withheld, numerator, denominator)
    rest = nv - kv
    if (
        m is not None
        and complement_kind is not None
        and disclosure.policy.is_sensitive(complement_kind)
        and 0 < rest < m
    ):
        bound = math.floor((nv - m + 1) / nv * 100 / step + 1e-9) * step
        label = text(
            "disclosure.share_at_least", lang, percent=format_percent(bound / 100, digits, lang)
        )
        numerator = Shown(text("disclosure.hidden", lang), None, COMPLEMENTARY)
        return Share(Shown(label, None, "coarsened"), withheld, numerator, denominator)
    z = float(norm.ppf(0.5 + conf_level / 2))
    low, high = (float(v) for v in wilson_interval(kv, nv, z))
    share = kv / nv
    exact = not disclosure.public
    percent = Shown(
        format_percent(share, digits, lang),
        share if exact else round_half_even(share * 100, digits) / 100,  # type: ignore[operator]
        SHOWN,
    )
    ci_value = (
        (low, high)
        if exact
        else tuple(
            round_half_even(v * 100, digits) / 100
            for v in (low, high)  # type: ignore[operator]
        )
    )
    ci = Shown(
        format_ci(low * 100, high * 100, digits, lang).replace(";", "%;").replace("]", "%]"),
        ci_value,
        SHOWN,
    )
    return Share(percent, ci, numerator, denominator)
