"""Read the instrument declarations (``declarations/*.toml``) and look instruments up.

Each TOML file declares one instrument (see :mod:`rehab_eval.instruments.model`). A file with
a ``refused`` key declares a form that is known but deliberately not scored (the URICA
24-item form, whose official key has not been obtained); asking for it raises
:class:`~rehab_eval.errors.InstrumentError` with that text.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from rehab_eval.errors import InstrumentError
from rehab_eval.instruments.codes import unrepresentable
from rehab_eval.instruments.model import (
    Band,
    Derived,
    Gate,
    Instrument,
    Norms,
    Output,
    Profile,
    PublishedReliability,
    RawForms,
    RawItem,
    Scale,
    Summary,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["declared_instruments", "get_instrument", "list_instruments"]


def _cuts(pairs: list) -> tuple[tuple[float, str], ...]:
    cuts = tuple((float(value), str(kind)) for value, kind in pairs)
    for _, kind in cuts:
        if kind not in ("gt", "ge"):
            raise InstrumentError(f"band cut kind {kind!r} is not 'gt' or 'ge'")
    return cuts


def _published_reliability(d: dict[str, Any] | None) -> PublishedReliability | None:
    if d is None:
        return None
    values = {str(k): float(v) for k, v in d["values"].items()}
    bad = [f"{k} = {v:g}" for k, v in values.items() if not 0 < v < 1]
    if bad:
        raise InstrumentError(f"published reliability must lie in (0, 1): {', '.join(bad)}")
    if not str(d.get("source", "")).strip():
        raise InstrumentError("published reliability without a source")
    return PublishedReliability(
        values=MappingProxyType(values), source=d["source"], statistic=d.get("statistic", "")
    )


def _norms(column: str, d: dict[str, Any]) -> Norms:
    def opt(key: str) -> float | None:
        return None if key not in d else float(d[key])

    norms = Norms(
        functional_mean=float(d["functional_mean"]),
        functional_sd=float(d["functional_sd"]),
        source=str(d.get("source", "")),
        clinical_mean=opt("clinical_mean"),
        clinical_sd=opt("clinical_sd"),
    )
    sds = [v for v in (norms.functional_sd, norms.clinical_sd) if v is not None]
    if any(v <= 0 for v in sds) or not norms.source.strip():
        raise InstrumentError(f"norms of {column!r}: SDs must be positive and a source given")
    return norms


def _build(d: dict[str, Any]) -> Instrument:
    items = [f"q{i}" for i in range(1, int(d["n_items"]) + 1)]
    if "allowed_by_item" in d:
        allowed = {k: tuple(float(v) for v in vals) for k, vals in d["allowed_by_item"].items()}
    else:
        allowed = {k: tuple(float(v) for v in d["allowed"]) for k in items}
    profiles = {
        name: Profile(
            name=name,
            description=p.get("description", ""),
            min_answered=MappingProxyType(
                {k: (None if v == "all" else int(v)) for k, v in p["min_answered"].items()}
            ),
            case_min_answered=p.get("case_min_answered"),
        )
        for name, p in d["profiles"].items()
    }
    summary = None
    if "summary" in d:
        s = d["summary"]
        summary = Summary(
            level_column=s["level_column"],
            highest_column=s["highest_column"],
            band=s["band"],
            score=s["score"],
            exclude=tuple(s.get("exclude", ())),
            level_labels=MappingProxyType(dict(s["level_labels"])),
        )
    inst = Instrument(
        name=d["name"],
        title=d["title"],
        version=d.get("version", ""),
        label_id=d.get("label_id", ""),
        label_en=d.get("label_en", ""),
        citation=d["citation"],
        n_items=int(d["n_items"]),
        allowed=MappingProxyType(allowed),
        scales=tuple(
            Scale(
                name=s["name"],
                items=tuple(s["items"]),
                label_id=s.get("label_id", ""),
                label_en=s.get("label_en", ""),
                exclude=MappingProxyType({k: tuple(v) for k, v in s.get("exclude", {}).items()}),
            )
            for s in d["scales"]
        ),
        outputs=tuple(
            Output(o["column"], o["of"], tuple((op, float(c)) for op, c in o.get("steps", [])))
            for o in d["outputs"]
        ),
        profiles=MappingProxyType(profiles),
        default_profile=d["default_profile"],
        reversed=tuple(d.get("reversed", ())),
        reverse_sum=float(d.get("reverse_sum", 0)),
        prereversed_option=bool(d.get("prereversed_option", False)),
        reliability=bool(d.get("reliability", True)),
        blocks=tuple(d.get("blocks", ())),
        ignored=tuple(d.get("ignored", ())),
        raw=tuple(
            RawItem(r["item"], r["column"], r.get("label_id", ""), r.get("label_en", ""))
            for r in d.get("raw", ())
        ),
        gates=tuple(
            Gate(g["item"], float(g["equals"]), tuple(g["zero"])) for g in d.get("gates", ())
        ),
        derived=tuple(
            Derived(
                x["column"],
                tuple((k, float(v)) for k, v in x["terms"].items()),
                x.get("label_id", ""),
                x.get("label_en", ""),
            )
            for x in d.get("derived", ())
        ),
        bands=tuple(
            Band(
                column=b["column"],
                source=b["source"],
                labels=tuple(b["labels"]),
                cuts=_cuts(b["cuts"]),
                override_cuts=MappingProxyType(
                    {k: _cuts(v) for k, v in b.get("override_cuts", {}).items()}
                ),
            )
            for b in d.get("bands", ())
        ),
        summary=summary,
        n_answered_column=d.get("n_answered_column"),
        case_columns=bool(d.get("case_columns", False)),
        option_profiles=MappingProxyType(dict(d.get("option_profiles", {}))),
        raw_forms=_raw_forms(d.get("raw_forms", {})),
        published_reliability=_published_reliability(d.get("published_reliability")),
        norms=MappingProxyType({col: _norms(col, n) for col, n in d.get("norms", {}).items()}),
    )
    _check(inst, items)
    return inst


def _answer_key(word: str) -> str:
    return " ".join(str(word).lower().split())


def _raw_forms(d: dict[str, Any]) -> RawForms:
    words: dict[str, float] = {}
    for value, spellings in d.get("answers", {}).items():
        for w in spellings:
            words.setdefault(_answer_key(w), float(value))
    return RawForms(names=tuple(d.get("names", ())), answer_words=MappingProxyType(words))


def _check(inst: Instrument, items: list[str]) -> None:
    """Refuse an inconsistent declaration (a typo in a TOML file) at load time."""
    known = set(items)
    scale_names = {s.name for s in inst.scales}
    problems = [
        f"scale {s.name!r} item {i!r}" for s in inst.scales for i in s.items if i not in known
    ]
    problems += [f"reversed item {i!r}" for i in inst.reversed if i not in known]
    problems += [f"allowed answers missing for {i!r}" for i in items if i not in inst.allowed]
    if not any(i not in inst.allowed for i in items):
        problems += unrepresentable(inst)
    allowed_values = {v for vals in inst.allowed.values() for v in vals}
    problems += [
        f"answer word {w!r} = {v:g} is not an allowed answer"
        for w, v in inst.raw_forms.answer_words.items()
        if v not in allowed_values
    ]
    problems += [
        f"profile {p.name!r} has no minimum for scale {s!r}"
        for p in inst.profiles.values()
        for s in scale_names
        if s not in p.min_answered
    ]
    problems += [
        f"derived {d.column!r} term {t!r}"
        for d in inst.derived
        for t, _ in d.terms
        if t not in scale_names
    ]
    problems += [
        f"band {b.column!r} labels/cuts" for b in inst.bands if len(b.labels) != len(b.cuts) + 1
    ]
    if inst.published_reliability is not None:
        problems += [
            f"published reliability of unknown scale {k!r}"
            for k in inst.published_reliability.values
            if k not in scale_names
        ]
    problems += [f"norms of unknown column {c!r}" for c in inst.norms if inst.scale_of(c) is None]
    if inst.default_profile not in inst.profiles:
        problems.append(f"default profile {inst.default_profile!r}")
    if problems:
        raise InstrumentError(
            f"instrument declaration {inst.name!r} is inconsistent: " + "; ".join(problems)
        )


def _normalise(name: str) -> str:
    return str(name).strip().lower().replace("-", "_").replace(" ", "_")


@cache
def _declarations() -> tuple[dict[str, Instrument], dict[str, str], dict[str, str]]:
    """(instruments by name, refusal messages by name, alias -> name), read once."""
    instruments: dict[str, Instrument] = {}
    refused: dict[str, str] = {}
    aliases: dict[str, str] = {}
    folder = files("rehab_eval.instruments") / "declarations"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        name = data["name"]
        for alias in (name, *data.get("aliases", ())):
            aliases[_normalise(alias)] = name
        if "refused" in data:
            refused[name] = data["refused"]
        else:
            instruments[name] = _build(data)
    return instruments, refused, aliases


def declared_instruments() -> tuple[Instrument, ...]:
    """Every scorable declared instrument, sorted by name (refused forms left out)."""
    instruments, _, _ = _declarations()
    return tuple(instruments[k] for k in sorted(instruments))


def get_instrument(name: str | Instrument) -> Instrument:
    """Return the declaration of an instrument.

    Parameters
    ----------
    name : str or Instrument
        ``whoqol_bref``, ``urica`` or ``assist`` (case, hyphens and spaces are forgiven:
        ``"WHOQOL-BREF"`` works). An :class:`Instrument` is returned as given.

    Returns
    -------
    Instrument
        The frozen declaration (items, allowed answers, reversed items, scales, profiles,
        outputs, bands, labels, citation).

    Raises
    ------
    InstrumentError
        For an unknown name (the message lists the known ones) or a refused form such as the
        URICA 24-item form (the message says why and what to do).

    Examples
    --------
    >>> get_instrument("whoqol_bref").reversed
    ('q3', 'q4', 'q26')
    """
    if isinstance(name, Instrument):
        return name
    instruments, refused, aliases = _declarations()
    canonical = aliases.get(_normalise(name))
    if canonical in refused:
        raise InstrumentError(f"instrument {name!r} refused: {refused[canonical]}")
    if canonical is None or canonical not in instruments:
        raise InstrumentError(
            f"unknown instrument {name!r}; declared instruments are "
            f"{', '.join(sorted(instruments))}"
        )
    return instruments[canonical]


def list_instruments() -> pd.DataFrame:
    """List the declared (scorable) instruments.

    Returns
    -------
    pandas.DataFrame
        One row per instrument, sorted by name, with columns ``name``, ``title``,
        ``version``, ``n_items`` (items per form, or per block), ``n_blocks`` (0 without
        blocks; ASSIST: 10 substances), ``scales`` (comma-joined), ``reversed``
        (comma-joined), ``profiles`` (comma-joined), ``default_profile``, ``label_id``,
        ``label_en``, ``citation``.

    Examples
    --------
    >>> sorted(list_instruments()["name"])
    ['assist', 'urica', 'whoqol_bref']
    """
    import pandas as pd

    instruments, _, _ = _declarations()
    rows = [
        {
            "name": inst.name,
            "title": inst.title,
            "version": inst.version,
            "n_items": inst.n_items,
            "n_blocks": len(inst.blocks),
            "scales": ",".join(s.name for s in inst.scales),
            "reversed": ",".join(inst.reversed),
            "profiles": ",".join(inst.profiles),
            "default_profile": inst.default_profile,
            "label_id": inst.label_id,
            "label_en": inst.label_en,
            "citation": inst.citation,
        }
        for inst in (instruments[n] for n in sorted(instruments))
    ]
    return pd.DataFrame(rows)
