"""What the data-entry workbook holds: sheets, columns, headers, drop-down values, help.

Plain data, no openpyxl: :func:`template_spec` reads the layout (``layout.toml`` beside this
module), the ETL's header aliases and value vocabularies, the display labels and the
instrument declarations, and returns one :class:`SheetSpec` per sheet. Every header it
writes is one the ETL maps to the intended field, and every drop-down value one the ETL
reads as the intended code: a preferred header or label the ETL does not read is replaced by
the closest spelling the ETL does read, so the template cannot drift from the ETL.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from rehab_eval import i18n, vocab
from rehab_eval.errors import ConfigError
from rehab_eval.template.vocabulary import capital, choices_for, closest, header_for

__all__ = ["ColumnSpec", "SheetSpec", "answer_words", "template_spec"]

# ETL vocabularies (etl/values.toml sections) → the canonical codes, in display order
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
    choices = choices_for(spec, lang, facility, codes) if spec["kind"] == "choice" else ()
    if spec["kind"] == "choice" and choices:
        example = choices[0]
    return ColumnSpec(
        field=field,
        header=header_for(field, wanted),
        kind=spec["kind"],
        help=_text(spec.get("help"), lang),
        choices=choices,
        example=example,
        length=spec.get("length"),
    )


def answer_words(instrument: Any) -> dict[float, tuple[str, ...]]:
    """Words the ETL accepts for each answer value of ``instrument`` (empty when none).

    Read from the instrument's declaration (``[raw_forms.answers]``), the one place the ETL
    reads answer words from.

    Returns
    -------
    dict
        Answer value (float) → the accepted words, in declared order.
    """
    out: dict[float, list[str]] = {}
    for word, value in instrument.raw_forms.answer_words.items():
        out.setdefault(float(value), []).append(word)
    return {v: tuple(ws) for v, ws in sorted(out.items())}


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
        name = closest(i18n.label("substance", block, lang), names)
        head = f"{capital(name)} {prefix}{n}"
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
