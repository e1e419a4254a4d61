"""The declared disclosure policy: load, validate, hash, merge a stricter office file.

The policy is data (``policy.toml`` beside this module, documented in ``POLICY.md``): the
thresholds, the two audiences, which count kinds are operational and which sensitive, the
display precision, the stamp of internal reports and the short form for the "Definisi"
slide. This module is the only reader of it; :mod:`rehab_eval.disclosure.audience`
resolves it for one report.
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

__all__ = ["AUDIENCES", "Policy", "default_policy", "load_policy", "merge_stricter"]

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
