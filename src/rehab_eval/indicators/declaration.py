"""Indicator sets declared as data: reading and checking the TOML declarations.

An indicator set (``declarations/<name>.toml``) lists performance indicators the way an office
reports them upward (LAKIP / LKjIP): a name in Indonesian and English, the population (the
denominator) and the event (the numerator) as *selections* of a small declared vocabulary
that :mod:`rehab_eval.indicators.selections` interprets, a period rule, a unit and the
definition printed under the table. No Python in the declarations and nothing evaluated: a
declaration names a selection kind and gives its parameters, and the loader refuses unknown
kinds, unknown keys and parameters of the wrong type with a message naming the file.

The vocabulary
--------------
Keys of an ``[[indicators]]`` entry: ``id``, ``name_id``, ``name_en``, ``period``,
``population``, ``event`` (required); ``unit`` (``"persen"``), ``direction`` (``"higher"``:
capaian = realisasi / target × 100; ``"none"``: a distribution without capaian),
``sensitive`` (default true: the counts are of people with a health or justice outcome,
which the publication layer protects under its threshold; false for operational counts
such as completion or referral),
``definition_id``, ``definition_en``, ``label_id``, ``label_en`` (a sub-label such as "the
simple comparison").

Periods (what places a person in a report year): ``program_start`` (the enrollment's
start date), ``release_date`` (the client's release date), ``assessment_date`` (the date of
the screening).

Populations: ``participants`` (``programs``, optional ``statuses``): clients with an
enrollment in the programs, one row per client (the latest episode of the year);
``screened`` (``instrument``): clients with a score row of the instrument in the year.

Events (each also says who counts in the denominator):

- ``status`` (``statuses``, optional ``undetermined``): the episode's status is one of
  ``statuses``; episodes with an ``undetermined`` status (e.g. still ``active``) or none are
  left out.
- ``reliable_change`` (``instrument``, ``pre``, ``post``, ``reliability`` {measure: r},
  optional ``sd_pre`` {measure: SD}, ``crit``, ``rule``, ``reliability_source``): the
  Jacobson–Truax RCI per measure (:func:`rehab_eval.change.reliable_change`) between the
  first present ``pre`` and ``post`` timepoints of the episode; ``rule``
  ``any_improved_none_deteriorated`` (default), ``any_improved`` or ``all_improved``;
  clients without all measures at both are left out.
- ``score_increase`` (``instrument``, ``pre``, ``post``, ``measures``, ``combine`` =
  ``mean`` | ``any`` | ``all``): post higher than pre, by any amount.
- ``no_relapse`` (``window_months``, ``min_tests``, optional ``tested_results``): no
  positive urine test and no recorded relapse within the window after the programme start,
  among clients followed the whole window with at least ``min_tests`` tests in it.
- ``no_reoffence`` (``window_months``, optional ``outcome``, default ``any``): no new
  offence within the window after release, among those followed the whole window
  (:func:`rehab_eval.recidivism.followup`, censoring as in :func:`~rehab_eval.recidivism.rates_at`).
- ``category`` (``instrument``, ``column``, ``categories``): one row per category, the share
  of the screened with that value.
- ``enrolled_after`` (``instrument``, ``column``, ``matching`` {value: [programs]},
  ``within_days``): an enrollment in a program matching the screened value starts within
  the given days of the screening.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rehab_eval.errors import ConfigError

__all__ = [
    "EVENT_KINDS",
    "Indicator",
    "IndicatorSet",
    "PERIODS",
    "POPULATION_KINDS",
    "UNITS",
    "list_sets",
    "load_set",
]

#: Period rules: which date of a person places them in a report year.
PERIODS = {
    "program_start": "tanggal mulai program",
    "release_date": "tanggal bebas",
    "assessment_date": "tanggal asesmen",
}
#: Population (denominator) kinds and their parameters: name -> {parameter: (type, required)}.
POPULATION_KINDS: dict[str, dict[str, tuple[type, bool]]] = {
    "participants": {"programs": (list, True), "statuses": (list, False)},
    "screened": {"instrument": (str, True)},
}
#: Event (numerator) kinds and their parameters.
EVENT_KINDS: dict[str, dict[str, tuple[type, bool]]] = {
    "status": {"statuses": (list, True), "undetermined": (list, False)},
    "reliable_change": {
        "instrument": (str, True),
        "pre": (list, True),
        "post": (list, True),
        "reliability": (dict, True),
        "reliability_source": (str, False),
        "sd_pre": (dict, False),
        "rule": (str, False),
        "crit": (float, False),
    },
    "score_increase": {
        "instrument": (str, True),
        "pre": (list, True),
        "post": (list, True),
        "measures": (list, True),
        "combine": (str, False),
    },
    "no_relapse": {
        "window_months": (float, True),
        "min_tests": (int, True),
        "tested_results": (list, False),
    },
    "no_reoffence": {"window_months": (float, True), "outcome": (str, False)},
    "category": {"instrument": (str, True), "column": (str, True), "categories": (list, True)},
    "enrolled_after": {
        "instrument": (str, True),
        "column": (str, True),
        "matching": (dict, True),
        "within_days": (int, True),
    },
}
#: Units of the realisasi.
UNITS = ("persen",)
RULES = ("any_improved_none_deteriorated", "any_improved", "all_improved")
COMBINES = ("mean", "any", "all")

_INDICATOR_KEYS = {
    "id", "name_id", "name_en", "population", "event", "period", "unit", "definition_id",
    "definition_en", "direction", "label_id", "label_en", "sensitive",
}  # fmt: skip


@dataclass(frozen=True)
class Indicator:
    """One declared indicator.

    Attributes
    ----------
    id : str
        Identifier (snake_case), unique within its set; the key of its targets.
    name_id, name_en : str
        The indicator as it is worded in the performance report.
    population, event : dict
        The selections: ``{"kind": ..., <parameters>}`` (see :data:`POPULATION_KINDS`,
        :data:`EVENT_KINDS`).
    period : str
        Period rule (:data:`PERIODS`).
    unit : str
        ``"persen"``: realisasi = numerator / denominator × 100.
    definition_id, definition_en : str
        The definition printed under the table.
    direction : str
        ``"higher"`` (a higher realisasi is better: capaian = realisasi / target × 100) or
        ``"none"`` (a distribution, no capaian).
    label_id, label_en : str
        Short label of a subsidiary row (e.g. "the simple comparison"), may be empty.
    sensitive : bool
        The counts are of people with a health or justice outcome (protected under the
        disclosure threshold); False for operational counts (completion, referral).
    """

    id: str
    name_id: str
    name_en: str
    population: dict[str, Any]
    event: dict[str, Any]
    period: str
    unit: str = "persen"
    definition_id: str = ""
    definition_en: str = ""
    direction: str = "higher"
    sensitive: bool = True
    label_id: str = ""
    label_en: str = ""

    def name(self, lang: str = "id") -> str:
        """The indicator's name in ``lang``."""
        return self.name_en if lang == "en" else self.name_id

    def definition(self, lang: str = "id") -> str:
        """The definition text in ``lang``."""
        return self.definition_en if lang == "en" else self.definition_id


@dataclass(frozen=True)
class IndicatorSet:
    """A declared set of indicators (one TOML file)."""

    name: str
    title_id: str
    title_en: str
    indicators: tuple[Indicator, ...]
    source: str = ""
    path: Path | None = field(default=None, compare=False)

    def title(self, lang: str = "id") -> str:
        """The set's title in ``lang``."""
        return self.title_en if lang == "en" else self.title_id

    def __getitem__(self, key: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == key:
                return ind
        raise ConfigError(
            f"indicator set {self.name!r} has no indicator {key!r}; "
            f"choose one of {', '.join(i.id for i in self.indicators)}."
        )


def _declarations() -> Any:
    return resources.files("rehab_eval.indicators") / "declarations"


def list_sets() -> list[str]:
    """Names of the indicator sets shipped with the package."""
    return sorted(
        p.name[: -len(".toml")] for p in _declarations().iterdir() if p.name.endswith(".toml")
    )


def _check_params(where: str, spec: Any, kinds: dict[str, dict[str, tuple[type, bool]]]) -> dict:
    if not isinstance(spec, dict) or "kind" not in spec:
        raise ConfigError(f"{where}: needs a table with a 'kind' (one of {', '.join(kinds)}).")
    kind = spec["kind"]
    if kind not in kinds:
        raise ConfigError(f"{where}: unknown kind {kind!r}; choose one of {', '.join(kinds)}.")
    params = kinds[kind]
    out: dict[str, Any] = {"kind": kind}
    for key, value in spec.items():
        if key == "kind":
            continue
        if key not in params:
            raise ConfigError(
                f"{where}: kind {kind!r} has no parameter {key!r}; "
                f"its parameters are {', '.join(params) or 'none'}."
            )
        typ = params[key][0]
        if typ is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, typ) or isinstance(value, bool):
            raise ConfigError(f"{where}: {key} = {value!r} should be a {typ.__name__}.")
        out[key] = value
    missing = [k for k, (_, required) in params.items() if required and k not in out]
    if missing:
        raise ConfigError(f"{where}: kind {kind!r} needs {', '.join(missing)}.")
    return out


def _indicator(where: str, d: Any) -> Indicator:
    if not isinstance(d, dict):
        raise ConfigError(f"{where}: each [[indicators]] entry must be a table.")
    unknown = sorted(set(d) - _INDICATOR_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}.")
    for key in ("id", "name_id", "name_en", "period", "population", "event"):
        if key not in d:
            raise ConfigError(f"{where}: the indicator needs {key!r}.")
    ident = str(d["id"])
    if not ident.replace("_", "").isalnum() or not ident[0].isalpha():
        raise ConfigError(f"{where}: id {ident!r} must be a snake_case name.")
    where = f"{where} ({ident})"
    if d["period"] not in PERIODS:
        raise ConfigError(f"{where}: period {d['period']!r} is not one of {', '.join(PERIODS)}.")
    unit = d.get("unit", "persen")
    if unit not in UNITS:
        raise ConfigError(f"{where}: unit {unit!r} is not one of {', '.join(UNITS)}.")
    direction = d.get("direction", "higher")
    if direction not in ("higher", "none"):
        raise ConfigError(f"{where}: direction {direction!r} must be 'higher' or 'none'.")
    sensitive = d.get("sensitive", True)
    if not isinstance(sensitive, bool):
        raise ConfigError(f"{where}: sensitive must be true or false.")
    population = _check_params(f"{where} population", d["population"], POPULATION_KINDS)
    event = _check_params(f"{where} event", d["event"], EVENT_KINDS)
    if event.get("rule", RULES[0]) not in RULES:
        raise ConfigError(f"{where} event: rule must be one of {', '.join(RULES)}.")
    if event.get("combine", COMBINES[0]) not in COMBINES:
        raise ConfigError(f"{where} event: combine must be one of {', '.join(COMBINES)}.")
    for name, r in event.get("reliability", {}).items():
        if not isinstance(r, int | float) or not 0 < r < 1:
            raise ConfigError(f"{where} event: reliability of {name!r} must lie in (0, 1).")
    for name, sd in event.get("sd_pre", {}).items():
        if name not in event.get("reliability", {}):
            raise ConfigError(f"{where} event: sd_pre names {name!r}, which has no reliability.")
        if not isinstance(sd, int | float) or not sd > 0:
            raise ConfigError(f"{where} event: sd_pre of {name!r} must be a positive number.")
    needs_screen = event["kind"] in ("category", "enrolled_after")
    if needs_screen != (population["kind"] == "screened"):
        raise ConfigError(
            f"{where}: event kind {event['kind']!r} does not fit population kind "
            f"{population['kind']!r} (category and enrolled_after go with screened)."
        )
    return Indicator(
        id=ident,
        name_id=str(d["name_id"]),
        name_en=str(d["name_en"]),
        population=population,
        event=event,
        period=d["period"],
        unit=unit,
        definition_id=str(d.get("definition_id", "")).strip(),
        definition_en=str(d.get("definition_en", "")).strip(),
        direction=direction,
        sensitive=sensitive,
        label_id=str(d.get("label_id", "")),
        label_en=str(d.get("label_en", "")),
    )


def load_set(name_or_path: str | Path | IndicatorSet) -> IndicatorSet:
    """Load an indicator set: a shipped set by name, or a TOML file by path.

    Parameters
    ----------
    name_or_path
        ``"ditjenpas_rehabilitasi"``, ``"bnn_pascarehabilitasi"`` (see :func:`list_sets`), a
        path to a ``.toml`` file an office wrote, or an :class:`IndicatorSet` (returned as is).

    Returns
    -------
    IndicatorSet

    Raises
    ------
    ConfigError
        Unknown set, unreadable TOML, or a declaration that does not follow the vocabulary.

    Examples
    --------
    >>> s = load_set("ditjenpas_rehabilitasi")
    >>> s.indicators[0].id
    'kualitas_hidup_rci'
    """
    if isinstance(name_or_path, IndicatorSet):
        return name_or_path
    text_name = str(name_or_path)
    path = Path(text_name)
    if text_name.endswith(".toml") or path.is_file():
        if not path.is_file():
            raise ConfigError(f"indicator file {path} not found; check the path.")
        source, where = path.read_text(encoding="utf-8"), str(path)
    else:
        res = _declarations() / f"{text_name}.toml"
        if not res.is_file():
            raise ConfigError(
                f"unknown indicator set {text_name!r}; choose one of {', '.join(list_sets())} "
                "or give the path of a .toml file."
            )
        source, where, path = res.read_text(encoding="utf-8"), f"{text_name}.toml", None
    try:
        d = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc}); fix the file.") from exc
    entries = d.get("indicators")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{where}: declares no [[indicators]]; add at least one.")
    indicators = tuple(_indicator(f"{where} indicator {i + 1}", e) for i, e in enumerate(entries))
    ids = [i.id for i in indicators]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(f"{where}: indicator id(s) {', '.join(dupes)} declared twice.")
    return IndicatorSet(
        name=str(d.get("name", path.stem if path else text_name)),
        title_id=str(d.get("title_id", "")),
        title_en=str(d.get("title_en", "")),
        source=str(d.get("source", "")),
        indicators=indicators,
        path=path,
    )
