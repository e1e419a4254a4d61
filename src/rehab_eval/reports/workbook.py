"""``tables.xlsx``: every table a report published, one sheet each, for staff who work in Excel.

The tables are the ones :func:`rehab_eval.reports.publish.table` received, already through
disclosure control (``<5`` and ``x`` stay text: nothing is recomputed or revealed here). A
first sheet ("Daftar isi" / "Contents") lists the sheets with their captions and sections.
A sheet is named after the table's caption, else its section's title. Each sheet has the
caption in its first row, the column headers (bold, frozen, a column
named in code such as ``facility`` gets its Indonesian label) and the rows; cells showing a
number in the report's format (``1.234``, ``8,3``, ``45,2 %`` in Indonesian) are written as
numbers with a number format that shows the same decimals, so Excel can sort and sum them.
In the ``internal`` audience the stamp is written above the caption and in each sheet's
printed header.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["display_number", "export_tables", "sheet_name"]

_TEXT = {
    "id": {"contents": "Daftar isi", "sheet": "Lembar", "caption": "Judul", "section": "Bagian"},
    "en": {"contents": "Contents", "sheet": "Sheet", "caption": "Title", "section": "Section"},
}
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_MINUS = "−"


def display_number(text: Any, lang: str = "id") -> tuple[float, str] | None:
    """The number a display string shows and the Excel format that shows it the same way.

    ``"1.234"`` → ``(1234, "#,##0")``, ``"8,3"`` → ``(8.3, "#,##0.0")``, ``"45,2 %"`` →
    ``(0.452, "0.0%")`` in Indonesian (``"1,234"``, ``"8.3"``, ``"45.2%"`` in English);
    ``None`` for anything else (``"<5"``, ``"x"``, ``"8,3 [1,1; 15,4]"``, text).

    Examples
    --------
    >>> display_number("−2,50")
    (-2.5, '#,##0.00')
    >>> display_number("<5") is None
    True
    """
    if not isinstance(text, str):
        return None
    s = text.strip().replace(_MINUS, "-").replace("\u00a0", " ")
    percent = s.endswith("%")
    if percent:
        s = s[:-1].rstrip()
    thousands, decimal = (".", ",") if lang == "id" else (",", ".")
    pattern = rf"^-?(\d{{1,3}}(\{thousands}\d{{3}})+|\d+)(\{decimal}\d+)?$"
    if not re.match(pattern, s):
        return None
    grouped = thousands in s
    whole, _, fraction = s.replace(thousands, "").partition(decimal)
    value = float(f"{whole}.{fraction}" if fraction else whole)
    decimals = "." + "0" * len(fraction) if fraction else ""
    if percent:
        return value / 100, f"0{decimals}%"
    return value, (f"#,##0{decimals}" if grouped or fraction or abs(value) >= 10000 else "0")


def sheet_name(text: str, taken: Sequence[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, none of ``[]:*?/\\``)."""
    base = " ".join(_BAD_SHEET.sub(" ", str(text)).split()).strip("'")[:31] or "Tabel"
    name, n = base, 1
    lowered = {t.lower() for t in taken}
    while name.lower() in lowered:
        n += 1
        suffix = f" {n}"
        name = base[: 31 - len(suffix)] + suffix
    return name


def _header(name: str, lang: str) -> str:
    if re.fullmatch(r"[a-z][a-z0-9_]*", name):
        from rehab_eval.i18n import labels

        found = labels().get(f"column.{name}")
        if found:
            return found.get(lang) or found.get("id") or name
    return name


def _number_format(value: float) -> str:
    if float(value).is_integer():
        return "0" if abs(value) < 10000 else "#,##0"
    return "#,##0.00"


def export_tables(
    run_dir: str | Path, path: str | Path | None = None, *, lang: str | None = None
) -> Path | None:
    """Write ``tables.xlsx`` from the tables recorded in ``<run_dir>/publish.json``.

    Parameters
    ----------
    run_dir
        A run folder written through :mod:`rehab_eval.reports.publish`.
    path
        Output file (default ``<run_dir>/tables.xlsx``).
    lang
        Language of the contents sheet and the headers (default: the record's).

    Returns
    -------
    Path or None
        The workbook, or ``None`` when the report published no table.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    run_dir = Path(run_dir)
    record_path = run_dir / "publish.json"
    if not record_path.is_file():
        return None
    record: Mapping[str, Any] = json.loads(record_path.read_text(encoding="utf-8"))
    entries = [e for e in record.get("tables", []) if (run_dir / e["path"]).is_file()]
    if not entries:
        return None
    lang = lang or record.get("lang") or "id"
    text = _TEXT.get(lang, _TEXT["en"])
    stamp = (record.get("disclosure") or {}).get("stamp")
    sections = {s["id"]: s["title"] for s in record.get("sections", [])}
    bold, red = Font(bold=True), Font(bold=True, color="B00020")

    book = Workbook()
    contents = book.active
    contents.title = text["contents"]
    names: list[str] = [contents.title]
    rows: list[list[str]] = []
    for entry in entries:
        table = json.loads((run_dir / entry["path"]).read_text(encoding="utf-8"))
        section = sections.get(table.get("section") or "", "")
        # a table without a caption is named after its section (the heading above it)
        caption = table.get("caption") or entry.get("caption") or section
        name = sheet_name(caption or table["key"], names)
        names.append(name)
        rows.append([name, caption, section, table["key"]])
        sheet = book.create_sheet(name)
        row = 1
        if stamp:
            sheet.cell(row=row, column=1, value=stamp).font = red
            sheet.oddHeader.center.text = stamp
            row += 1
        sheet.cell(row=row, column=1, value=caption or table["key"]).font = Font(bold=True, size=13)
        row += 1
        headers = [_header(c, lang) for c in table["columns"]]
        for col, header in enumerate(headers, start=1):
            cell = sheet.cell(row=row, column=col, value=header)
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = sheet.cell(row=row + 1, column=1)
        widths = [len(h) for h in headers]
        for values in table["rows"]:
            row += 1
            for col, value in enumerate(values, start=1):
                parsed = display_number(value, lang)
                cell = sheet.cell(row=row, column=col)
                if parsed is not None:
                    cell.value, cell.number_format = parsed
                    cell.alignment = Alignment(horizontal="right")
                elif isinstance(value, bool) or value is None:
                    cell.value = "–" if value is None else value
                elif isinstance(value, (int, float)):
                    cell.value, cell.number_format = value, _number_format(value)
                else:
                    cell.value = str(value)
                    if re.match(r"^[<>≤≥x–-]", str(value).strip()):
                        cell.alignment = Alignment(horizontal="right")
                widths[col - 1] = max(widths[col - 1], len(str(value if value is not None else "")))
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)

    header = [text["sheet"], text["caption"], text["section"], "key"]
    start = 1
    if stamp:
        contents.cell(row=1, column=1, value=stamp).font = red
        contents.oddHeader.center.text = stamp
        start = 2
    for col, value in enumerate(header, start=1):
        contents.cell(row=start, column=col, value=value).font = bold
    for i, values in enumerate(rows, start=start + 1):
        for col, value in enumerate(values, start=1):
            cell = contents.cell(row=i, column=col, value=value)
            if col == 1:
                cell.hyperlink = f"#'{value}'!A1"
    contents.freeze_panes = contents.cell(row=start + 1, column=1)
    for col, width in enumerate((32, 60, 30, 20), start=1):
        contents.column_dimensions[get_column_letter(col)].width = width
    book.properties.title = record.get("title") or ""
    book.properties.creator = record.get("office") or "rehab_eval"
    book.properties.lastModifiedBy = record.get("office") or "rehab_eval"

    from rehab_eval.atomic import atomic_path

    target = Path(path) if path is not None else run_dir / "tables.xlsx"
    with atomic_path(target) as tmp:
        book.save(str(tmp))
    return target
