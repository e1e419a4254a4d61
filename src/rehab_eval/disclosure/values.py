"""Display-ready values: the text a report prints and the machine value ``summary.json`` keeps.

Every primitive of :mod:`rehab_eval.disclosure` returns :class:`Shown` objects, so that a
section builder never formats or suppresses a number itself, and the value written to
``summary.json`` is the one the report displays (``None`` when hidden).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from rehab_eval.errors import ConfigError

__all__ = [
    "HIDDEN",
    "SHOWN",
    "WITHHELD",
    "Shown",
    "policy_document",
    "round_for_display",
    "round_half_even",
    "summary_values",
    "text",
]

SHOWN = "shown"
HIDDEN = "hidden"  # a count hidden ("<5" or "x")
WITHHELD = "withheld"  # a statistic not published (tiny or hidden group)


@dataclass(frozen=True)
class Shown:
    """One published number.

    Attributes
    ----------
    text : str
        What the report prints, in its language (``"21"``, ``"<5"``, ``"x"``, ``"12,3"``,
        ``"n<10"``).
    value : int, float or None
        The value ``summary.json`` keeps: rounded as displayed in ``publik``; ``None`` when
        hidden or withheld.
    status : str
        ``"shown"``, ``"primary"``/``"complementary"`` (hidden counts), ``"coarsened"``
        (a bound such as ``≤19%``) or ``"withheld"``.
    """

    text: str
    value: Any
    status: str = SHOWN

    @property
    def hidden(self) -> bool:
        return self.value is None and self.status != SHOWN

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    raw = resources.files(__package__).joinpath("labels.csv").read_text(encoding="utf-8")
    return {
        row["key"]: {"id": row["id"], "en": row["en"]} for row in csv.DictReader(raw.splitlines())
    }


def text(key: str, lang: str = "id", /, **values: Any) -> str:
    """A display text of the disclosure layer (``disclosure/labels.csv``), fields filled in."""
    if lang not in ("id", "en"):
        raise ConfigError(f"lang={lang!r} is not supported: use one of id, en")
    entry = _labels().get(key)
    if entry is None:
        raise ConfigError(f"no display text for key {key!r}: add a row to disclosure/labels.csv")
    return entry[lang].format(**values) if values else entry[lang]


def round_half_even(x: Any, decimals: int) -> float | None:
    """``x`` rounded as :func:`rehab_eval.i18n.format_number` displays it; None for missing."""
    if x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    if math.isnan(value):
        return None
    return float(f"{value:.{decimals}f}")


def round_for_display(value: Any, what: str, disclosure: Any) -> float | None:
    """A raw value rounded as the report displays ``what`` (exact in ``internal``).

    ``what`` is a precision class of the policy (``score``, ``effect_size``, ``percent``,
    ``survival``, ``p_value``, ``rate``); shares and survival are given as fractions and
    rounded in percent.
    """
    if not disclosure.public:
        return None if round_half_even(value, 12) is None else float(value)
    digits = disclosure.precision(what)
    if what in ("percent", "survival"):
        rounded = round_half_even(None if value is None else float(value) * 100, digits)
        return None if rounded is None else round(rounded / 100, digits + 2)
    return round_half_even(value, digits)


def summary_values(shown: Mapping[str, Shown | Mapping[str, Any]]) -> dict[str, Any]:
    """``summary.json`` ``values`` from display-ready values (nested mappings allowed)."""
    out: dict[str, Any] = {}
    for key, item in shown.items():
        out[key] = item.value if isinstance(item, Shown) else summary_values(item)
    return out


def policy_document() -> str:
    """The policy explained in Bahasa Indonesia and English (``disclosure/POLICY.md``)."""
    return resources.files(__package__).joinpath("POLICY.md").read_text(encoding="utf-8")
