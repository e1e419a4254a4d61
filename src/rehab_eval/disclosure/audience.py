"""The policy resolved for one report: :func:`resolve` (audience × thresholds) → :class:`Disclosure`.

Every publication function takes the :class:`Disclosure` that :func:`resolve` returns for
a report's ``audience`` and ``min_cell`` parameters. Rules (the product decision of
issue 12):

- ``publik`` (default): a threshold given as a report parameter may raise the policy's
  threshold, never lower it; a lower value raises :class:`~rehab_eval.errors.ConfigError`
  with one line saying to use ``audience: internal``.
- ``internal``: exact counts and per-person displays; any ``min_cell`` is accepted (it
  still suppresses when above 1), and the stamp is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rehab_eval.disclosure.policy import _LANGS, _PRECISION_INTS, AUDIENCES, Policy, default_policy
from rehab_eval.errors import ConfigError

__all__ = ["Disclosure", "resolve"]


@dataclass(frozen=True)
class Disclosure:
    """The policy resolved for one report: what every publication function needs.

    Attributes
    ----------
    audience : {"publik", "internal"}
    min_cell : int or None
        Sensitive counts of 1 … ``min_cell − 1`` are hidden; ``None``: exact counts.
    display_min : int
        Smallest group shown with per-person marks (0: always).
    stats_min : int
        Smallest group whose mean/median/SD/IQR/min/max are published (0: always).
    stamped : bool
        Whether every page, figure and slide carries :meth:`stamp`.
    policy : Policy
    """

    audience: str
    min_cell: int | None
    display_min: int
    stats_min: int
    stamped: bool
    policy: Policy = field(repr=False)

    @property
    def public(self) -> bool:
        return self.audience == "publik"

    def precision(self, what: str) -> int:
        """Decimals displayed for ``what`` (score, effect_size, percent, survival, p_value, rate)."""
        try:
            return int(self.policy.data["precision"][what])
        except KeyError:
            raise ConfigError(
                f"no display precision {what!r}; use one of {', '.join(_PRECISION_INTS)}"
            ) from None

    def stamp(self, lang: str = "id") -> str | None:
        """The internal stamp text in ``lang``, or ``None`` in ``publik``."""
        return self.policy.data["stamp"][_lang(lang)] if self.stamped else None

    def short_form(self, lang: str = "id") -> str:
        """The policy in a few sentences for the "Definisi" slide, thresholds filled in."""
        text = self.policy.data["short_form"][_lang(lang)]
        thresholds = self.policy.data["thresholds"]
        return text.strip().format(
            min_cell=self.min_cell or thresholds["min_cell"],
            display_min=self.display_min or thresholds["display_min"],
            stats_min=self.stats_min or thresholds["stats_min"],
        )

    def closing_line(self, lang: str = "id") -> str:
        """One line for the closing slide: policy, version, short hash, audience, threshold.

        Examples
        --------
        >>> resolve().closing_line("en").startswith("Disclosure policy rehab_eval v1 (sha256:")
        True
        """
        from rehab_eval.disclosure.values import text

        record = self.record()
        threshold = (
            f"<{self.min_cell}" if self.min_cell is not None else text("disclosure.exact", lang)
        )
        return text(
            "disclosure.closing",
            lang,
            name=record["policy"],
            version=record["version"],
            sha=f"sha256:{record['sha256'][:12]}",
            audience=self.audience,
            min_cell=threshold,
        )

    def record(self) -> dict[str, Any]:
        """What ``run.json`` and the closing slide state about the policy in force.

        Returns
        -------
        dict
            ``policy`` (name), ``version``, ``sha256``, ``sources``, ``audience``,
            ``min_cell`` (None: exact counts), ``display_min``, ``stats_min``, ``stamp``
            (the id text, or None).
        """
        return {
            "policy": self.policy.data["policy"].get("name", "rehab_eval"),
            "version": self.policy.data["policy"].get("version"),
            "sha256": self.policy.sha256,
            "sources": list(self.policy.sources),
            "audience": self.audience,
            "min_cell": self.min_cell,
            "display_min": self.display_min,
            "stats_min": self.stats_min,
            "stamp": self.stamp("id"),
        }


def _lang(lang: str) -> str:
    if lang not in _LANGS:
        raise ConfigError(f"lang={lang!r} is not supported: use one of {', '.join(_LANGS)}")
    return lang


_LOWER_REFUSED = {
    "id": (
        "{name}={value} di bawah ambang kebijakan ({floor}) tidak boleh untuk audiens publik; "
        "gunakan audience: internal untuk angka persis"
    ),
    "en": (
        "{name}={value} is below the policy threshold ({floor}) and not allowed for the "
        "publik audience; use audience: internal for exact numbers"
    ),
}


def resolve(
    audience: str | None = None,
    min_cell: int | None = None,
    *,
    policy: Policy | None = None,
    display_min: int | None = None,
    stats_min: int | None = None,
    lang: str = "id",
) -> Disclosure:
    """The policy in force for one report, from its ``audience`` and ``min_cell`` parameters.

    Parameters
    ----------
    audience : {"publik", "internal"}, optional
        Defaults to the policy's default audience (``publik``).
    min_cell, display_min, stats_min : int, optional
        Report parameters. In ``publik`` they may raise the policy's thresholds, never
        lower them; in ``internal`` any value is accepted (``min_cell`` above 1 still
        suppresses).
    policy : Policy, optional
        Defaults to :func:`default_policy`.
    lang : {"id", "en"}
        Language of the refusal message.

    Raises
    ------
    ConfigError
        An unknown audience, a non-integer threshold, or a threshold under the policy in
        ``publik`` (one line saying to use ``audience: internal``).

    Examples
    --------
    >>> resolve().min_cell, resolve("internal").min_cell, resolve("internal").stamped
    (5, None, True)
    """
    policy = policy or default_policy()
    audience = audience or policy.data["audiences"]["default"]
    if audience not in AUDIENCES:
        raise ConfigError(f"audience={audience!r} tidak dikenal; gunakan publik atau internal")
    rules = policy.data["audiences"][audience]
    floors = policy.data["thresholds"]
    given = {"min_cell": min_cell, "display_min": display_min, "stats_min": stats_min}
    for name, value in given.items():
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ConfigError(f"{name}={value!r}: give a whole number")
        if value is not None and value < floors[name] and not rules["lower_thresholds"]:
            raise ConfigError(
                _LOWER_REFUSED[_lang(lang)].format(name=name, value=value, floor=floors[name])
            )
    if rules["suppress_counts"]:
        cell = max(floors["min_cell"], min_cell or 0)
    else:
        cell = min_cell if min_cell is not None and min_cell > 1 else None
    show = 0 if rules["per_person_marks"] else floors["display_min"]
    stats = 0 if rules["tiny_group_statistics"] else floors["stats_min"]
    if display_min is not None:
        show = display_min if rules["lower_thresholds"] else max(show, display_min)
    if stats_min is not None:
        stats = stats_min if rules["lower_thresholds"] else max(stats, stats_min)
    if rules["suppress_counts"]:  # no per-person mark or statistic of a group whose size is hidden
        show, stats = max(show, cell), max(stats, cell)
    return Disclosure(
        audience=audience,
        min_cell=cell,
        display_min=show,
        stats_min=stats,
        stamped=bool(rules["stamp"]),
        policy=policy,
    )
