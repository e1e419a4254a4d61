"""The texts of the report parameters: one-line messages and the ``--help`` listing, in id/en.

:mod:`.params` validates; this module words what it found (no code, no Python literals) and
lists a report's parameters for ``rehab-eval report NAME --help`` and ``--list``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

__all__ = ["MESSAGES", "describe", "list_reports", "report_lang", "show_value"]

_LANGS = ("id", "en")
#: The reasons and sentences of the messages, by language (no code, no Python literals).
MESSAGES = {
    "id": {
        "required": "nilai wajib diisi",
        "text": "harus berupa teks",
        "whole": "harus bilangan bulat",
        "number": "harus angka",
        "bool": "harus ya atau tidak",
        "date": "harus tanggal berbentuk TTTT-BB-HH",
        "path": "file atau folder tidak ada",
        "int_list": "harus bilangan bulat dipisah koma",
        "one": "beri sedikitnya satu angka",
        "choice": "pilih salah satu dari {choices}",
        "min": "paling kecil {bound}",
        "max": "paling besar {bound}",
        "bad": "{name} {value}: {reason}",
        "bad_default": "{name} {value} (bawaan): {reason}",
        "order": "{name} {value} lebih awal dari {other} {other_value}",
        "reserved": "{names} diisi sendiri oleh perender laporan",
        "unknown": "parameter {names} tidak dikenal{guess}; parameter yang ada: {known}",
        "guess": " (maksud Anda {guess}?)",
        "help": "daftar parameter: rehab-eval report {report} --help",
        "file_missing": "file parameter {file} tidak ada: periksa nama dan foldernya",
        "file_mapping": "{file} harus berisi pasangan nama: nilai",
        "unknown_report": 'laporan "{name}" tidak dikenal{guess}; laporan yang ada: {known}',
    },
    "en": {
        "required": "a value is required",
        "text": "expected text",
        "whole": "expected a whole number",
        "number": "expected a number",
        "bool": "expected yes or no",
        "date": "expected a date as YYYY-MM-DD",
        "path": "no such file or folder",
        "int_list": "expected whole numbers separated by commas",
        "one": "give at least one number",
        "choice": "choose one of {choices}",
        "min": "must be at least {bound}",
        "max": "must be at most {bound}",
        "bad": "{name} {value}: {reason}",
        "bad_default": "{name} {value} (default): {reason}",
        "order": "{name} {value} is before {other} {other_value}",
        "reserved": "{names} is set by the report runner itself",
        "unknown": "unknown parameter {names}{guess}; the parameters are: {known}",
        "guess": " (did you mean {guess}?)",
        "help": "list of parameters: rehab-eval report {report} --help",
        "file_missing": "parameters file {file} not found: check its name and folder",
        "file_mapping": "{file} must hold name: value pairs",
        "unknown_report": 'unknown report "{name}"{guess}; the reports are: {known}',
    },
}


class _Bad(ValueError):
    """A value refused by :func:`_coerce`: ``key`` into :data:`MESSAGES`, fields to fill."""

    def __init__(self, key: str, **fields: Any) -> None:
        super().__init__(key)
        self.key, self.fields = key, fields

    def text(self, lang: str) -> str:
        return MESSAGES[lang][self.key].format(**self.fields)


def report_lang(params: Mapping[str, Any] | None, spec: Any = None) -> str:
    """The language of a report's messages: its ``lang`` parameter, else the default, else id."""
    value = str((params or {}).get("lang") or "").strip().lower()
    if value in _LANGS:
        return value
    declared = spec.parameters.get("lang") if spec is not None else None
    default = str(declared.default) if declared is not None else "id"
    return default if default in _LANGS else "id"


def show_value(value: Any, lang: str = "id") -> str:
    """A value as a user reads it in a message: quoted text, empty as empty (never None)."""
    if value is None:
        return "(kosong)" if lang == "id" else "(empty)"
    if isinstance(value, (list, tuple)):
        return ", ".join(show_value(v, lang) for v in value)
    if isinstance(value, bool):
        return ("ya" if value else "tidak") if lang == "id" else ("yes" if value else "no")
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return f'"{value}"'


_TYPE_NAMES = {
    "id": {
        "str": "teks",
        "int": "bilangan bulat",
        "float": "angka",
        "bool": "ya/tidak",
        "date": "tanggal TTTT-BB-HH",
        "path": "folder atau file",
        "choice": "pilihan",
        "int_list": "bilangan bulat dipisah koma",
    },
    "en": {
        "str": "text",
        "int": "whole number",
        "float": "number",
        "bool": "yes/no",
        "date": "date YYYY-MM-DD",
        "path": "folder or file",
        "choice": "choice",
        "int_list": "whole numbers separated by commas",
    },
}
_LISTING = {
    "id": {
        "usage": "Pemakaian: rehab-eval report {name} [-p NAMA NILAI ...] [--params FILE] [--out FOLDER]",
        "parameters": "Parameter:",
        "default": "bawaan",
        "empty": "kosong",
        "nullable": "boleh kosong",
        "range": "{low} sampai {high}",
        "at_least": "paling kecil {low}",
        "in_data": "ada di data",
        "reports": "Laporan (rehab-eval report NAMA --help untuk parameternya):",
    },
    "en": {
        "usage": "Usage: rehab-eval report {name} [-p NAME VALUE ...] [--params FILE] [--out FOLDER]",
        "parameters": "Parameters:",
        "default": "default",
        "empty": "empty",
        "nullable": "may be empty",
        "range": "{low} to {high}",
        "at_least": "at least {low}",
        "in_data": "in the data",
        "reports": "Reports (rehab-eval report NAME --help for their parameters):",
    },
}


def describe(
    spec: Any, lang: str = "id", *, available: Mapping[str, Sequence[str]] | None = None
) -> str:
    """The report's parameters as ``rehab-eval report NAME --help`` prints them.

    Every parameter a user may pass, with its type, choices or bounds, whether it may be
    empty, its default and its help text, in ``lang``; with ``available`` (from
    :func:`rehab_eval.reports.choices.available_values`) also the values the processed data
    holds for the parameters matched against it (facility, province, program, cohort).
    """
    lang = lang if lang in _LANGS else "id"
    say, types = _LISTING[lang], _TYPE_NAMES[lang]
    lines = [f"{spec.name} — {spec.title_for(lang)}", say["usage"].format(name=spec.name), ""]
    lines.append(say["parameters"])
    from rehab_eval.reports.params import RUNNER_PARAMETERS

    shown = [p for p in spec.parameters.values() if p.name not in RUNNER_PARAMETERS]
    width = max((len(p.name) for p in shown), default=0) + 2
    for p in shown:
        facts = [types.get(p.type, p.type)]
        if p.choices:
            facts[0] += ": " + ", ".join(map(str, p.choices))
        if p.min is not None and p.max is not None:
            facts.append(say["range"].format(low=f"{p.min:g}", high=f"{p.max:g}"))
        elif p.min is not None:
            facts.append(say["at_least"].format(low=f"{p.min:g}"))
        if p.nullable:
            facts.append(say["nullable"])
        default = p.default
        if isinstance(default, (list, tuple)):
            default = ",".join(map(str, default))
        elif isinstance(default, date):
            default = default.isoformat()
        facts.append(f"{say['default']}: {say['empty'] if default is None else default}")
        lines.append(f"  {p.name.ljust(width)}{'; '.join(facts)}")
        text = p.help_for(lang)
        if text:
            lines.append(f"  {' ' * width}{text}")
        if available and p.match and available.get(p.match):
            values = ", ".join(available[p.match])
            lines.append(f"  {' ' * width}{say['in_data']}: {values}")
    return "\n".join(lines)


def list_reports(lang: str = "id") -> str:
    """The packaged reports with their titles, as ``rehab-eval report --list`` prints them."""
    from rehab_eval.reports.params import available_reports, load_spec

    lang = lang if lang in _LANGS else "id"
    specs = [load_spec(name) for name in available_reports()]
    width = max((len(s.name) for s in specs), default=0) + 2
    lines = [_LISTING[lang]["reports"]]
    lines += [f"  {s.name.ljust(width)}{s.title_for(lang)}" for s in specs]
    return "\n".join(lines)
