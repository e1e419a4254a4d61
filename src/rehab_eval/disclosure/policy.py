"""The declared disclosure policy: load, validate, hash, merge a stricter office file, resolve.

The policy is data (``policy.toml`` beside this module, documented in ``POLICY.md``): the
thresholds, the two audiences, which count kinds are operational and which sensitive, the
display precision, the stamp of internal reports and the short form for the "Definisi"
slide. This module is the only reader of it. Every publication function takes the
:class:`Disclosure` that :func:`resolve` returns for a report's ``audience`` and
``min_cell`` parameters.

Rules of :func:`resolve` (the product decision of issue 12):

- ``publik`` (default): a threshold given as a report parameter may raise the policy's
  threshold, never lower it; a lower value raises :class:`~rehab_eval.errors.ConfigError`
  with one line saying to use ``audience: internal``.
- ``internal``: exact counts and per-person displays; any ``min_cell`` is accepted (it
  still suppresses when above 1), and the stamp is on.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rehab_eval.errors import ConfigError

__all__ = [
    "AUDIENCES",
    "Disclosure",
    "Policy",
    "default_policy",
    "load_policy",
    "merge_stricter",
    "resolve",
]

AUDIENCES = ("publik", "internal")

_THRESHOLDS = ("min_cell", "display_min", "stats_min")
_FLAGS = (
    "suppress_counts",
    "per_person_marks",
    "tiny_group_statistics",
    "lower_thresholds",
    "stamp",
)
#: Flags whose ``True`` is the looser setting (``suppress_counts`` is the stricter one).
_LOOSE_WHEN_TRUE = ("per_person_marks", "tiny_group_statistics", "lower_thresholds")
_PRECISION_INTS = ("score", "effect_size", "percent", "survival", "p_value", "rate")
_LANGS = ("id", "en")


def _fail(source: str, message: str) -> ConfigError:
    return ConfigError(f"disclosure policy {source}: {message}")


def _validate(data: Mapping[str, Any], source: str) -> None:
    """Raise ConfigError naming the first problem of a complete policy mapping."""
    for section in ("policy", "thresholds", "audiences", "counts", "precision", "stamp"):
        if not isinstance(data.get(section), Mapping):
            raise _fail(source, f"section [{section}] is missing")
    for key in _THRESHOLDS:
        value = data["thresholds"].get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise _fail(source, f"thresholds.{key} = {value!r}; give a whole number of at least 1")
    audiences = data["audiences"]
    if audiences.get("default") not in AUDIENCES:
        raise _fail(
            source, f"audiences.default = {audiences.get('default')!r}; use publik or internal"
        )
    for name in AUDIENCES:
        block = audiences.get(name)
        if not isinstance(block, Mapping):
            raise _fail(source, f"section [audiences.{name}] is missing")
        for flag in _FLAGS:
            if not isinstance(block.get(flag), bool):
                raise _fail(source, f"audiences.{name}.{flag} must be true or false")
    publik = audiences["publik"]
    if not publik["suppress_counts"] or publik["lower_thresholds"]:
        raise _fail(source, "audience publik must suppress counts and refuse lower thresholds")
    counts = data["counts"]
    for kind in ("operational", "sensitive"):
        names = counts.get(kind)
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise _fail(source, f"counts.{kind} must be a list of names")
    both = set(counts["operational"]) & set(counts["sensitive"])
    if both:
        raise _fail(source, f"count kind(s) {sorted(both)} are both operational and sensitive")
    precision = data["precision"]
    for key in _PRECISION_INTS:
        value = precision.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 6:
            raise _fail(source, f"precision.{key} = {value!r}; give 0 to 6 decimals")
    edges = precision.get("age_band_edges")
    if not isinstance(edges, list) or edges != sorted(set(edges)) or not edges:
        raise _fail(source, "precision.age_band_edges must be increasing whole years")
    for lang in _LANGS:
        if not isinstance(data["stamp"].get(lang), str) or not data["stamp"][lang]:
            raise _fail(source, f"stamp.{lang} is missing")
        if not isinstance(data.get("short_form", {}).get(lang), str):
            raise _fail(source, f"short_form.{lang} is missing")


def _canonical_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 of the policy as canonical JSON (sorted keys): independent of file layout."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Policy:
    """A validated disclosure policy.

    Attributes
    ----------
    data : dict
        The policy as read (after merging office files).
    sha256 : str
        Hash of the canonical JSON form of ``data`` (what ``run.json`` records).
    sources : tuple of str
        ``"rehab_eval"`` for the packaged file, then the names of merged office files.
    """

    data: dict[str, Any] = field(repr=False)
    sha256: str
    sources: tuple[str, ...]

    @property
    def thresholds(self) -> dict[str, int]:
        return dict(self.data["thresholds"])

    @property
    def precision(self) -> dict[str, Any]:
        return dict(self.data["precision"])

    def kind_of(self, count_kind: str) -> str:
        """``"operational"`` or ``"sensitive"`` for a declared count kind (ConfigError else)."""
        for kind in ("sensitive", "operational"):
            if count_kind in self.data["counts"][kind]:
                return kind
        raise ConfigError(
            f"count kind {count_kind!r} is not declared in the disclosure policy: add it to "
            "counts.operational or counts.sensitive of the policy file"
        )

    def is_sensitive(self, count_kind: str) -> bool:
        return self.kind_of(count_kind) == "sensitive"


def _read(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"disclosure policy file {path} not found; check the path") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"disclosure policy file {path} is not valid TOML: {exc}") from None


def default_policy() -> Policy:
    """The packaged policy (``rehab_eval/disclosure/policy.toml``)."""
    text = resources.files(__package__).joinpath("policy.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    _validate(data, "rehab_eval/disclosure/policy.toml")
    return Policy(data=data, sha256=_canonical_hash(data), sources=("rehab_eval",))


def merge_stricter(base: Policy, office: Mapping[str, Any], source: str = "office") -> Policy:
    """``base`` with an office's declarations merged in; anything looser is refused.

    An office file holds any subset of the sections of ``policy.toml``. Allowed: higher
    thresholds, more sensitive count kinds (also moved from operational), fewer decimals,
    an audience flag changed to its stricter value, other stamp or short-form texts.
    Refused (:class:`ConfigError` naming the key): a lower threshold, a sensitive kind made
    operational or dropped, more decimals, a looser audience flag, a different default
    audience.

    Returns
    -------
    Policy
        The merged policy, its hash over the merged data, ``sources`` extended by ``source``.
    """
    data = json.loads(json.dumps(base.data))  # deep copy of plain TOML data
    for key, value in (office.get("thresholds") or {}).items():
        if key not in _THRESHOLDS:
            raise _fail(source, f"unknown threshold {key!r}; use one of {', '.join(_THRESHOLDS)}")
        if not isinstance(value, int) or value < data["thresholds"][key]:
            raise _fail(
                source,
                f"thresholds.{key} = {value!r} is lower than the policy's "
                f"{data['thresholds'][key]}; an office may only raise it",
            )
        data["thresholds"][key] = value
    audiences = office.get("audiences") or {}
    if "default" in audiences and audiences["default"] != data["audiences"]["default"]:
        raise _fail(source, "audiences.default cannot be changed by an office policy")
    for name, block in audiences.items():
        if name == "default":
            continue
        if name not in AUDIENCES or not isinstance(block, Mapping):
            raise _fail(source, f"unknown audience {name!r}; use publik or internal")
        for flag, value in block.items():
            if flag not in _FLAGS:
                raise _fail(source, f"unknown flag audiences.{name}.{flag}")
            old = data["audiences"][name][flag]
            looser = (value and not old) if flag in _LOOSE_WHEN_TRUE else (old and not value)
            if flag == "stamp":
                looser = old and not value
            if looser:
                raise _fail(source, f"audiences.{name}.{flag} = {value} is looser than the policy")
            data["audiences"][name][flag] = value
    counts = office.get("counts") or {}
    sensitive = list(data["counts"]["sensitive"])
    operational = list(data["counts"]["operational"])
    for name in counts.get("operational", []) or []:
        if name in sensitive:
            raise _fail(
                source, f"count kind {name!r} is sensitive; an office cannot make it operational"
            )
        if name not in operational:
            operational.append(name)
    for name in counts.get("sensitive", []) or []:
        if name in operational:
            operational.remove(name)
        if name not in sensitive:
            sensitive.append(name)
    data["counts"] = {"operational": operational, "sensitive": sensitive}
    for key, value in (office.get("precision") or {}).items():
        if key == "age_band_edges":
            data["precision"][key] = value
            continue
        if key not in _PRECISION_INTS:
            raise _fail(source, f"unknown precision {key!r}")
        if not isinstance(value, int) or value > data["precision"][key]:
            raise _fail(
                source,
                f"precision.{key} = {value!r} shows more decimals than the policy's "
                f"{data['precision'][key]}; an office may only round more",
            )
        data["precision"][key] = value
    for section in ("stamp", "short_form"):
        data[section].update(office.get(section) or {})
    _validate(data, source)
    return Policy(data=data, sha256=_canonical_hash(data), sources=(*base.sources, source))


def load_policy(office: str | Path | None = None) -> Policy:
    """The packaged policy, merged with an office's stricter policy file when given."""
    policy = default_policy()
    if office is None:
        return policy
    return merge_stricter(policy, _read(office), source=Path(office).name)


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
