"""What the data-entry workbook holds: sheets, columns, headers, drop-down values, help.

Plain data, no openpyxl: :func:`template_spec` reads the layout (``layout.toml`` beside this
module), the ETL's header aliases and value vocabularies, the display labels and the
instrument declarations, and returns one :class:`SheetSpec` per sheet. Every header it
writes is one the ETL maps to the intended field, and every drop-down value one the ETL
reads as the intended code: a preferred header or label the ETL does not read is replaced by
the closest spelling the ETL does read, so the template cannot drift from the ETL.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from rehab_eval import i18n, vocab
from rehab_eval.errors import ConfigError

__all__ = ["ColumnSpec", "SheetSpec", "answer_words", "template_spec"]

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
_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a sheet.

    ``field`` is the canonical ETL field (``"nik"``, ``"sex"``, ``"q3"``, ``"alcohol_q2"``);
    ``header`` the text written in row 1 (an ETL alias of the field); ``kind`` one of
    ``id`` (text-formatted identifier), ``text``, ``date``, ``choice``, ``count``,
    ``answer``; ``choices`` the drop-down values (text for ``choice``, numbers for
    ``answer``); ``help`` how to fill it; ``example`` an example value.
    """

    field: str
    header: str
    kind: str
    help: str
    choices: tuple[Any, ...] = ()
    example: Any = None
    length: int | None = None


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: its name, the canonical table it feeds, its columns (and instrument)."""

    name: str
    table: str
    about: str
    columns: tuple[ColumnSpec, ...]
    instrument: str | None = None
    notes: tuple[str, ...] = ()


@cache
def _layout() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("layout.toml").read_text("utf-8")
    return tomllib.loads(text)


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


def _closest(wanted: str, options: Sequence[str]) -> str:
    """The option most similar to ``wanted`` (ties: the first declared)."""
    return max(options, key=lambda o: _similarity(wanted, o))


def _header(field: str, preferred: str | None) -> str:
    """``preferred`` when the ETL maps it to ``field``, else the closest alias of ``field``."""
    from rehab_eval.etl.headers import normalize_header

    if preferred and _aliases().get(normalize_header(preferred)) == field:
        return preferred
    options = _field_aliases(field)
    if not options:
        raise ConfigError(f"the ETL has no header alias for field {field!r} (etl/aliases.toml)")
    return _closest(preferred, options) if preferred else options[0]


def _reads_as(text: str, table: dict[str, str], code: str) -> bool:
    """True when the ETL reads ``text`` as ``code`` (as ``etl.parse.parse_codes`` does)."""
    from rehab_eval.etl.parse import norm_value

    s = text.strip()
    return table.get(s.lower(), table.get(norm_value(s))) == code


def _capital(s: str) -> str:
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
        return _capital(readable[0])
    best = _closest(wanted, readable)
    # nothing alike (e.g. "After" against Indonesian spellings): the code's own words
    plain = lang == "en" and own and _similarity(wanted, best) < 0.5
    return _capital(own[0] if plain else best)


def _label_of(labels: Any, code: str, lang: str) -> str:
    if isinstance(labels, str):
        return i18n.label(labels, code, lang)
    if isinstance(labels, dict) and code in labels:
        entry = labels[code]
        if isinstance(entry, str):  # an i18n key
            return i18n.t(entry, lang)
        return str(entry[lang])
    return ""


def _values_toml() -> dict[str, Any]:
    text = resources.files("rehab_eval.etl").joinpath("values.toml").read_text("utf-8")
    return tomllib.loads(text)


def _choices(
    spec: dict[str, Any], lang: str, facility: str | None, codes: Sequence[str] | None = None
) -> tuple[str, ...]:
    kind = spec["vocabulary"]
    if kind == "facility":
        return _facilities(facility)
    from rehab_eval.etl.parse import value_table

    table = value_table(kind)
    section = _values_toml().get(kind, {})
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


def _text(entry: Any, lang: str) -> str:
    return "" if entry is None else str(entry[lang]) if isinstance(entry, dict) else str(entry)


def _column(
    field: str,
    lang: str,
    facility: str | None,
    header: Any = None,
    codes: Sequence[str] | None = None,
) -> ColumnSpec:
    fields = _layout()["fields"]
    spec = fields["panel"] if field.startswith("panel_") else fields[field]
    wanted = _text(header or spec.get("header"), lang) or None
    example = spec.get("example")
    choices = _choices(spec, lang, facility, codes) if spec["kind"] == "choice" else ()
    if spec["kind"] == "choice" and choices:
        example = choices[0]
    return ColumnSpec(
        field=field,
        header=_header(field, wanted),
        kind=spec["kind"],
        help=_text(spec.get("help"), lang),
        choices=choices,
        example=example,
        length=spec.get("length"),
    )


def answer_words(instrument: Any) -> dict[float, tuple[str, ...]]:
    """Words the ETL accepts for each answer value of ``instrument`` (empty when none).

    Read from the ETL's answer vocabulary (``etl/values.toml`` ``[answers.<name>]``), the
    place the ETL reads answer words from.

    Returns
    -------
    dict
        Answer value (float) → the accepted words, in declared order.
    """
    words = _values_toml().get("answers", {}).get(instrument.name, {})
    return {float(v): tuple(ws) for v, ws in words.items()}


def _item_header(inst: Any, item: str, block: str | None, lang: str) -> str:
    """``P3`` / ``Q3``, or ``Tembakau P2`` for a block (an ETL-readable item header)."""
    from rehab_eval.etl.headers import item_column, normalize_header

    column = inst.column(item, block)
    prefix = "P" if lang == "id" else "Q"
    n = item[1:]
    if block is None:
        head = f"{prefix}{n}"
    else:
        text = resources.files("rehab_eval.etl").joinpath("aliases.toml").read_text("utf-8")
        names = tomllib.loads(text)["substances"].get(block, [block])
        name = _closest(i18n.label("substance", block, lang), names)
        head = f"{_capital(name)} {prefix}{n}"
        if item_column(head) != column:
            head = f"{block} {prefix}{n}"
    if item_column(head) != column:  # e.g. more items than the ETL's item pattern reads
        raise ConfigError(
            f"instrument {inst.name!r}: the ETL does not read item header {head!r} "
            f"(normalised {normalize_header(head)!r}) as {column!r}"
        )
    return head


def _instrument_sheet(inst: Any, lang: str, facility: str | None) -> SheetSpec:
    layout = _layout()["sheets"]["assessments"]
    headers = layout.get("headers", {})
    # the instrument column offers this sheet's instrument only (none when the ETL has
    # no spelling for it yet)
    cols = [
        _column(f, lang, facility, headers.get(f), (inst.name,) if f == "instrument" else None)
        for f in layout["fields"]
    ]
    words = answer_words(inst)
    item_help = _text(_layout()["fields"]["item"]["help"], lang)
    for block in inst.block_names:
        for item in inst.items:
            allowed = tuple(int(v) if float(v).is_integer() else v for v in inst.allowed[item])
            cols.append(
                ColumnSpec(
                    field=inst.column(item, block),
                    header=_item_header(inst, item, block, lang),
                    kind="answer",
                    help=item_help.format(n=item[1:], values=", ".join(_fmt(v) for v in allowed)),
                    choices=allowed,
                    example=allowed[0],
                )
            )
    notes = ()
    if words:
        meaning = "; ".join(f"{_fmt(v)} = {' / '.join(ws)}" for v, ws in sorted(words.items()))
        notes = (_text(_layout()["fields"]["item"]["words"], lang).format(words=meaning),)
    return SheetSpec(
        name=_sheet_name(inst, lang),
        table="assessments",
        about=_text(layout["about"], lang),
        columns=tuple(cols),
        instrument=inst.name,
        notes=notes,
    )


def _fmt(v: Any) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _sheet_name(inst: Any, lang: str) -> str:
    """The instrument's display label (``WHOQOL-BREF``) — the ETL recognises the instrument
    of a sheet from its name — else its declared title, as a valid sheet name."""
    name = i18n.label("instrument", inst.name, lang)
    if name == inst.name:
        name = inst.title or inst.name
    return _SHEET_CHARS.sub(" ", name).strip()[:31]


def _select_instruments(instruments: Iterable[Any] | None) -> list[Any]:
    from rehab_eval.instruments import get_instrument, list_instruments

    if instruments is None:
        names = list(list_instruments()["name"])
        order = {n: i for i, n in enumerate(vocab.INSTRUMENTS)}
        names.sort(key=lambda n: (order.get(n, len(order)), n))
        instruments = names
    return [get_instrument(i) for i in instruments]


def _select_sheets(sheets: Iterable[str] | None, lang: str) -> list[str]:
    layout = _layout()
    order = layout["order"]
    if sheets is None:
        return list(order)
    known: dict[str, str] = {}
    for table in order:
        known[table] = table
        for text in layout["sheets"][table].get("label", {}).values():
            known[text.lower()] = table
    known.update({"instruments": "assessments", "instrumen": "assessments"})
    chosen = set()
    for s in sheets:
        key = str(s).strip().lower()
        if key not in known:
            names = ", ".join(order)
            raise ConfigError(
                f"lembar {s!r} tidak dikenal: pilih dari {names}"
                if lang == "id"
                else f"unknown sheet {s!r}: choose from {names}"
            )
        chosen.add(known[key])
    return [t for t in order if t in chosen]


def template_spec(
    *,
    lang: str = "id",
    facility: str | None = None,
    instruments: Iterable[Any] | None = None,
    sheets: Iterable[str] | None = None,
) -> list[SheetSpec]:
    """The sheets of the data-entry workbook, in workbook order.

    Parameters
    ----------
    lang : {"id", "en"}
        Language of sheet names, headers, drop-down words and help.
    facility : str, optional
        The office's facility: its drop-down then holds that one (canonical) name.
        Default: every facility the ETL knows.
    instruments : iterable of str or Instrument, optional
        Instruments that get a sheet; default every declared instrument.
    sheets : iterable of str, optional
        Tables that get a sheet (``clients``, ``enrollments``, ``assessments``,
        ``contacts``, ``urine_tests``, ``events``, or their sheet names); default all.

    Returns
    -------
    list of SheetSpec
    """
    if lang not in i18n.LANGUAGES:
        raise ConfigError(f"lang={lang!r} is not supported: use one of {', '.join(i18n.LANGUAGES)}")
    layout = _layout()["sheets"]
    out: list[SheetSpec] = []
    for table in _select_sheets(sheets, lang):
        if table == "assessments":
            out += [_instrument_sheet(i, lang, facility) for i in _select_instruments(instruments)]
            continue
        spec = layout[table]
        headers = spec.get("headers", {})
        out.append(
            SheetSpec(
                name=_text(spec["label"], lang),
                table=table,
                about=_text(spec["about"], lang),
                columns=tuple(_column(f, lang, facility, headers.get(f)) for f in spec["fields"]),
            )
        )
    names = [s.name.lower() for s in out]
    if len(set(names)) != len(names):
        raise ConfigError(f"two sheets would share a name: {[s.name for s in out]}")
    return out


def example_value(column: ColumnSpec) -> Any:
    """The example of a column as a Python value (TOML dates are ``datetime.date``)."""
    v = column.example
    return v if not isinstance(v, dt.datetime) else v.date()
