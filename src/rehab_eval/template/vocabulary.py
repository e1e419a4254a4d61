"""Spellings the ETL reads: headers from its alias table, drop-down values from its
vocabularies.

A preferred header or display label is kept only when the ETL reads it as the intended field
or code; otherwise the closest spelling the ETL does read is used (in English, the code's
own words when no spelling is alike). So the template never offers what the ETL would reject.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from rehab_eval import i18n, vocab
from rehab_eval.errors import ConfigError

__all__ = ["capital", "choices_for", "closest", "header_for", "values_toml"]

# ETL vocabularies (etl/values.toml sections) → the canonical codes, in display order
_CODES: dict[str, tuple[str, ...]] = {
    "sex": vocab.SEXES,
    "program": vocab.PROGRAMS,
    "level": vocab.LEVELS,
    "status": vocab.STATUSES,
    "timepoint": vocab.TIMEPOINTS,
    "contact_kind": vocab.CONTACT_KINDS,
    "urine_result": vocab.URINE_RESULTS,
    "event_kind": vocab.EVENT_KINDS,
    "instrument": vocab.INSTRUMENTS,
    "attended": ("true", "false"),
    "panel": ("negative", "positive"),
}


def _aliases() -> dict[str, str]:
    from rehab_eval.etl.headers import load_aliases

    return load_aliases()


def _field_aliases(field: str) -> list[str]:
    """The spellings of ``field`` in the ETL's alias table, in their declared order."""
    from rehab_eval.etl.headers import normalize_header

    table = _aliases()
    text = resources.files("rehab_eval.etl").joinpath("aliases.toml").read_text("utf-8")
    spellings = tomllib.loads(text)["fields"].get(field, [])
    return [s for s in spellings if table.get(normalize_header(s)) == field]


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()


def closest(wanted: str, options: Sequence[str]) -> str:
    """The option most similar to ``wanted`` (ties: the first declared)."""
    return max(options, key=lambda o: _similarity(wanted, o))


def header_for(field: str, preferred: str | None) -> str:
    """``preferred`` when the ETL maps it to ``field``, else the closest alias of ``field``."""
    from rehab_eval.etl.headers import normalize_header

    if preferred and _aliases().get(normalize_header(preferred)) == field:
        return preferred
    options = _field_aliases(field)
    if not options:
        raise ConfigError(f"the ETL has no header alias for field {field!r} (etl/aliases.toml)")
    return closest(preferred, options) if preferred else options[0]


def _reads_as(text: str, table: dict[str, str], code: str) -> bool:
    """True when the ETL reads ``text`` as ``code`` (as ``etl.parse.parse_codes`` does)."""
    from rehab_eval.etl.parse import norm_value

    s = text.strip()
    return table.get(s.lower(), table.get(norm_value(s))) == code


def capital(s: str) -> str:
    return s[:1].upper() + s[1:]


def _choice(
    code: str, wanted: str, table: dict[str, str], spellings: list[str], lang: str
) -> str | None:
    """The drop-down text of ``code``: its label when the ETL reads it, else the closest
    spelling the ETL reads (in English the code's own words when no spelling is alike),
    else None (the code has no spelling at all)."""
    if wanted and _reads_as(wanted, table, code):
        return wanted
    readable = [s for s in spellings if _reads_as(s, table, code)]
    own = [c for c in (code.replace("_", " "), code) if _reads_as(c, table, code)]
    if not readable:
        readable = own
    if not readable:
        return None
    if not wanted:
        return capital(readable[0])
    best = closest(wanted, readable)
    # nothing alike (e.g. "After" against Indonesian spellings): the code's own words
    plain = lang == "en" and own and _similarity(wanted, best) < 0.5
    return capital(own[0] if plain else best)


def _label_of(labels: Any, code: str, lang: str) -> str:
    if isinstance(labels, str):
        return i18n.label(labels, code, lang)
    if isinstance(labels, dict) and code in labels:
        entry = labels[code]
        if isinstance(entry, str):  # an i18n key
            return i18n.t(entry, lang)
        return str(entry[lang])
    return ""


@cache
def values_toml() -> dict[str, Any]:
    """The ETL's value vocabularies (``etl/values.toml``), read once."""
    text = resources.files("rehab_eval.etl").joinpath("values.toml").read_text("utf-8")
    return tomllib.loads(text)


def choices_for(
    spec: dict[str, Any], lang: str, facility: str | None, codes: Sequence[str] | None = None
) -> tuple[str, ...]:
    kind = spec["vocabulary"]
    if kind == "facility":
        return _facilities(facility)
    from rehab_eval.etl.parse import value_table

    table = value_table(kind)
    section = values_toml().get(kind, {})
    out = []
    for code in _CODES[kind] if codes is None else codes:
        text = _choice(
            code, _label_of(spec.get("labels"), code, lang), table, section.get(code, []), lang
        )
        if text is not None and text not in out:
            out.append(text)
    return tuple(out)


def _facilities(facility: str | None) -> tuple[str, ...]:
    """The office's facility (its canonical name when the ETL knows it), else every
    facility the ETL knows."""
    from rehab_eval.etl.facilities import FacilityResolver

    resolver = FacilityResolver()
    if facility:
        found = resolver.resolve(facility)
        if found is None:
            raise ConfigError(
                "facility name is empty: give the office's name, e.g. 'Bapas Kelas I Semarang'"
            )
        return (found.name,)
    return tuple(f["name"] for f in resolver.facilities)
