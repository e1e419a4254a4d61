"""Write the data-entry workbook (openpyxl) from the sheet specs of :mod:`.spec`.

Each data sheet has its headers in row 1 (bold, frozen with the identity columns), NIK and
register numbers formatted as text, dates as dates, and a data validation on every column:
a drop-down list for coded columns and answers, a date range for dates, a whole number for
counts, a length of 16 for the NIK, and an input message with how to fill the column.

The drop-down values live in a hidden sheet, one value per row in a single column, and the
instruction sheet holds one text cell per row: the ETL finds no header in either (it needs
two known headers on one row), so they are never taken for data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rehab_eval._version import __version__
from rehab_eval.atomic import atomic_path
from rehab_eval.template.spec import ColumnSpec, SheetSpec, template_spec

__all__ = ["LIST_SHEET", "build_template", "write_template"]

LIST_SHEET = {"id": "Daftar Pilihan", "en": "Lists"}
HELP_SHEET = {"id": "Petunjuk", "en": "Instructions"}
LAST_ROW = 1_048_576  # validations and formats cover the whole column below the header
DATE_FORMAT = "DD/MM/YYYY"
_T = {
    "id": {
        "title": "Petunjuk pengisian templat data program rehabilitasi",
        "made": "Dibuat oleh rehab_eval {version} pada {date}.",
        "office": "UPT: {facility}",
        "rules": (
            "Aturan umum",
            "1. Satu lembar per jenis data. Jangan mengubah, menghapus atau memindahkan judul kolom di baris 1; kolom yang tidak dipakai boleh dibiarkan kosong.",
            "2. Setiap baris memuat NIK atau No. Register klien, ditulis sama persis di semua lembar.",
            "3. Kolom NIK dan No. Register berformat Teks. Jangan menempelkan NIK sebagai angka: Excel mengubah 16 digit menjadi 3,37401E+15 dan digit terakhir hilang.",
            "4. Tanggal diketik sebagai tanggal (HH/BB/TTTT), bukan teks; tanggal tidak boleh sesudah hari pengiriman.",
            "5. Kolom berpanah berisi daftar pilihan: pilih dari daftar, jangan mengetik ejaan lain.",
            "6. Jangan menambah baris jumlah, catatan atau tanda tangan di bawah data, dan jangan menggabungkan sel.",
            "7. Kirim berkas ini apa adanya (.xlsx). Nama klien hanya untuk petugas: tidak masuk ke data olahan maupun laporan.",
        ),
        "sheet": "Lembar «{name}»: {about}",
        "choices": "Pilihan: {values}",
        "answers": "Jawaban: salah satu angka {values}, seperti pada formulir.",
        "example": "Contoh: {value}",
        "example_row": "Contoh baris: {values}",
        "list_title": "Pilihan «{header}» (lembar {sheet})",
        "required": " Wajib diisi.",
        "error_title": "Nilai tidak sesuai",
        "error_choice": "Pilih nilai dari daftar pilihan kolom ini.",
        "error_date": "Ketik tanggal yang benar (HH/BB/TTTT), misalnya 13/05/2024.",
        "error_count": "Ketik bilangan bulat 0 atau lebih.",
        "error_length": "NIK harus 16 digit; kolom ini berformat Teks.",
    },
    "en": {
        "title": "How to fill in the rehabilitation programme data template",
        "made": "Made by rehab_eval {version} on {date}.",
        "office": "Office: {facility}",
        "rules": (
            "General rules",
            "1. One sheet per kind of record. Do not change, delete or move the column headers in row 1; columns you do not use may stay empty.",
            "2. Every row holds the client's NIK or register number, written exactly the same on every sheet.",
            "3. The NIK and register number columns are formatted as Text. Never paste a NIK as a number: Excel turns 16 digits into 3.37401E+15 and the last digits are lost.",
            "4. Type dates as dates (DD/MM/YYYY), not as text; no date may lie after the day the file is sent.",
            "5. Columns with an arrow hold a list: pick from it, do not type another spelling.",
            "6. Do not add totals, notes or signature rows under the data, and do not merge cells.",
            "7. Send this file as it is (.xlsx). Client names are for staff only: they never reach the processed data or the reports.",
        ),
        "sheet": "Sheet “{name}”: {about}",
        "choices": "Choices: {values}",
        "answers": "Answer: one of the numbers {values}, as on the form.",
        "example": "Example: {value}",
        "example_row": "Example row: {values}",
        "list_title": "Choices for “{header}” (sheet {sheet})",
        "required": " Required.",
        "error_title": "Value not allowed",
        "error_choice": "Pick a value from this column's list.",
        "error_date": "Type a valid date (DD/MM/YYYY), e.g. 13/05/2024.",
        "error_count": "Type a whole number, 0 or more.",
        "error_length": "A NIK has 16 digits; this column is formatted as Text.",
    },
}


def _col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def _show(value: Any, lang: str) -> str:
    """An example value as a user types it (dates day-first)."""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _lists(wb: Any, sheets: list[SheetSpec], lang: str) -> dict[tuple, str]:
    """Write every distinct drop-down list into the hidden list sheet, one value per row;
    returns choices → the absolute range that holds them."""
    ws = wb.create_sheet(LIST_SHEET[lang])
    ws.sheet_state = "hidden"
    ws.column_dimensions["A"].width = 40
    ranges: dict[tuple, str] = {}
    row = 1
    for sheet in sheets:
        for c in sheet.columns:
            if not c.choices or c.choices in ranges:
                continue
            ws.cell(row, 1, _T[lang]["list_title"].format(header=c.header, sheet=sheet.name))
            first = row + 1
            for i, v in enumerate(c.choices):
                ws.cell(first + i, 1, v)
            last = first + len(c.choices) - 1
            title = ws.title.replace("'", "''")
            ranges[c.choices] = f"'{title}'!$A${first}:$A${last}"
            row = last + 2
    return ranges


def _validation(c: ColumnSpec, lang: str, ranges: dict[tuple, str]) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    t = _T[lang]
    kw: dict[str, Any] = {"allow_blank": True, "showInputMessage": True, "showErrorMessage": True}
    if c.choices:
        kw.update(type="list", formula1=ranges[c.choices], error=t["error_choice"])
    elif c.kind == "date":
        kw.update(
            type="date",
            operator="between",
            formula1="DATE(1900,1,1)",
            formula2="DATE(2100,12,31)",
            error=t["error_date"],
        )
    elif c.kind == "count":
        kw.update(type="whole", operator="greaterThanOrEqual", formula1="0", error=t["error_count"])
    elif c.length:
        kw.update(
            type="textLength", operator="equal", formula1=str(c.length), error=t["error_length"]
        )
    dv = DataValidation(**kw)
    dv.promptTitle = c.header[:32]
    dv.prompt = c.help if len(c.help) <= 255 else c.help[:254] + "…"
    if kw.get("error"):
        dv.errorTitle = t["error_title"]
    return dv


def _data_sheet(wb: Any, sheet: SheetSpec, lang: str, ranges: dict[tuple, str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet(sheet.name)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, c in enumerate(sheet.columns, start=1):
        cell = ws.cell(1, j, c.header)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = _col(j)
        dim = ws.column_dimensions[letter]
        dim.width = max(8, min(34, len(c.header) + 4)) if c.kind != "id" else 20
        if c.kind == "id":
            dim.number_format = "@"
        elif c.kind == "date":
            dim.number_format = DATE_FORMAT
            dim.width = max(dim.width, 14)
        elif c.kind == "count":
            dim.number_format = "0"
        elif c.kind == "choice":
            dim.width = max(
                dim.width, min(34, max((len(str(v)) for v in c.choices), default=0) + 4)
            )
        dv = _validation(c, lang, ranges)
        dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 30
    ids = sum(1 for c in sheet.columns if c.kind == "id")
    ws.freeze_panes = ws.cell(2, ids + 1).coordinate  # header row and the identity columns


def _help_sheet(wb: Any, sheets: list[SheetSpec], lang: str, facility: str | None) -> None:
    """The instruction sheet: one text cell per row (headings in A, details in B)."""
    from openpyxl.styles import Alignment, Font

    t = _T[lang]
    ws = wb.create_sheet(HELP_SHEET[lang], 0)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 110
    wrap = Alignment(wrap_text=True, vertical="top")
    row = 0

    def put(col: int, text: str, font: Any = None) -> None:
        nonlocal row
        row += 1
        cell = ws.cell(row, col, text)
        cell.alignment = wrap
        if font is not None:
            cell.font = font

    put(1, t["title"], Font(bold=True, size=14))
    put(1, t["made"].format(version=__version__, date=dt.date.today().strftime("%d/%m/%Y")))
    if facility:
        put(1, t["office"].format(facility=facility))
    row += 1
    put(1, t["rules"][0], Font(bold=True, size=12))
    for line in t["rules"][1:]:
        put(2, line)
    for sheet in sheets:
        row += 1
        put(1, t["sheet"].format(name=sheet.name, about=sheet.about), Font(bold=True, size=12))
        for note in sheet.notes:
            put(2, note)
        for c in sheet.columns:
            if c.kind == "answer":
                continue
            put(1, c.header, Font(bold=True))
            put(2, c.help)
            if c.choices and c.kind == "choice":
                put(2, t["choices"].format(values=", ".join(str(v) for v in c.choices)))
            if c.example is not None:
                put(2, t["example"].format(value=_show(c.example, lang)))
        for headers, choices in _answer_groups(sheet):
            put(1, headers, Font(bold=True))
            put(2, t["answers"].format(values=", ".join(str(v) for v in choices)))
        shown = [c for c in sheet.columns if c.example is not None][:12]
        more = " …" if len(shown) < sum(c.example is not None for c in sheet.columns) else ""
        values = " · ".join(f"{c.header} = {_show(c.example, lang)}" for c in shown) + more
        put(2, t["example_row"].format(values=values), Font(italic=True))


def _answer_groups(sheet: SheetSpec) -> list[tuple[str, tuple]]:
    """Answer columns grouped by their answer set: ("P1 … P26", (1, 2, 3, 4, 5)), …"""
    groups: dict[tuple, list[str]] = {}
    for c in sheet.columns:
        if c.kind == "answer":
            groups.setdefault(c.choices, []).append(c.header)
    return [
        (" … ".join([h[0], h[-1]]) if len(h) > 2 else ", ".join(h), choices)
        for choices, h in groups.items()
    ]


def build_template(
    *,
    lang: str = "id",
    facility: str | None = None,
    instruments: Iterable[Any] | None = None,
    sheets: Iterable[str] | None = None,
) -> Any:
    """Build the recommended data-entry workbook.

    Parameters
    ----------
    lang : {"id", "en"}
        Language of the workbook (Bahasa Indonesia by default).
    facility : str, optional
        The office's facility name; its drop-down then offers that facility only.
    instruments : iterable of str or Instrument, optional
        Instruments that get a sheet (default: every declared instrument).
    sheets : iterable of str, optional
        Tables that get a sheet (default: all; see :func:`template_spec`).

    Returns
    -------
    openpyxl.Workbook
        The instruction sheet first, one sheet per table (one per instrument), and the
        hidden list sheet last.
    """
    from openpyxl import Workbook

    specs = template_spec(lang=lang, facility=facility, instruments=instruments, sheets=sheets)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = f"rehab_eval {__version__}"
    wb.properties.title = _T[lang]["title"]
    ranges = _lists(wb, specs, lang)
    for sheet in specs:
        _data_sheet(wb, sheet, lang, ranges)
    office = next((c.choices[0] for s in specs for c in s.columns if c.field == "facility"), None)
    _help_sheet(wb, specs, lang, office if facility else None)
    lists = LIST_SHEET[lang]
    wb.move_sheet(lists, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(lists))
    wb.active = 0
    return wb


def write_template(path: str | Path, **options: Any) -> Path:
    """Write :func:`build_template` (``options`` as there) to ``path`` atomically.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    path = Path(path)
    wb = build_template(**options)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
