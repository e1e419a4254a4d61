"""``tables.xlsx``: the indicator table laid out as offices paste it into their report."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from rehab_eval.errors import InputError

__all__ = ["write_excel"]

_WIDTHS = {0: 5, 1: 60, 5: 34, 7: 40}
_DEFAULT_WIDTH = 13


def _cell_value(value: Any) -> Any:
    if value is None:
        return "–"
    if isinstance(value, float) and math.isnan(value):
        return "–"
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def _sheet(ws: Any, frame: pd.DataFrame, *, title: str, subtitle: Sequence[str],
           definitions: Sequence[str], heading: str) -> None:  # fmt: skip
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    ncol = max(len(frame.columns), 1)
    row = 1
    for text, bold in [(title, True), *((s, False) for s in subtitle)]:
        if text:
            ws.cell(row=row, column=1, value=text).font = Font(bold=bold, size=12 if bold else 11)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncol)
            row += 1
    row += 1
    header_row = row
    for j, name in enumerate(frame.columns, start=1):
        c = ws.cell(row=row, column=j, value=str(name))
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="D9E1F2")
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        c.border = box
    for values in frame.itertuples(index=False):
        row += 1
        for j, value in enumerate(values, start=1):
            v = _cell_value(value)
            c = ws.cell(row=row, column=j, value=v)
            c.border = box
            c.alignment = wrap
            if isinstance(v, float):
                c.number_format = "0.0"
    for j in range(ncol):
        letter = ws.cell(row=header_row, column=j + 1).column_letter
        ws.column_dimensions[letter].width = _WIDTHS.get(j, _DEFAULT_WIDTH)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if definitions:
        row += 2
        ws.cell(row=row, column=1, value=heading).font = Font(bold=True)
        for text in definitions:
            row += 1
            c = ws.cell(row=row, column=1, value=text)
            c.alignment = Alignment(wrap_text=True, vertical="top")
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncol)
            ws.row_dimensions[row].height = 15 * max(1, math.ceil(len(text) / 150))


def write_excel(
    table: pd.DataFrame,
    path: str | Path,
    *,
    title: str = "",
    subtitle: Sequence[str] = (),
    definitions: Sequence[str] = (),
    comparison: pd.DataFrame | None = None,
    lang: str = "id",
) -> Path:
    """Write the indicator table (and the year-on-year table) to an Excel workbook.

    Parameters
    ----------
    table
        The table to lay out, one row per indicator: usually :func:`display_table` after the
        publication layer's disclosure control (cells may be text such as ``"<5"`` or
        numbers; numbers are written as numbers with one decimal, text as given).
    path
        The ``.xlsx`` file to write (atomically: a crash never leaves half a file).
    title, subtitle
        Lines above the table (indicator set; selection and year).
    definitions
        Texts written under the table after a "Definisi" heading.
    comparison
        A second table for the sheet "Perbandingan tahun" (e.g. :func:`display_year_on_year`).
    lang
        Language of the sheet names and the definitions heading.

    Returns
    -------
    Path
        The file written.

    Notes
    -----
    Layout: title rows, an empty row, one header row (bold, shaded, bordered, wrapped), the
    rows with borders and wrapped text, then the definitions; the indicator column is wide
    and the header row is frozen, so the block pastes into a report as a bordered table.
    """
    from openpyxl import Workbook

    from rehab_eval.atomic import write_bytes

    if not isinstance(table, pd.DataFrame):
        raise InputError(f"write_excel: expected a table (DataFrame), got {type(table).__name__}.")
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"write_excel: {path} should end in .xlsx.")
    en = lang == "en"
    wb = Workbook()
    ws = wb.active
    ws.title = "Indicators" if en else "Indikator"
    heading = "Definitions" if en else "Definisi"
    _sheet(ws, table, title=title, subtitle=list(subtitle), definitions=list(definitions),
           heading=heading)  # fmt: skip
    if comparison is not None:
        ws2 = wb.create_sheet("Year on year" if en else "Perbandingan tahun")
        _sheet(ws2, comparison, title=title, subtitle=list(subtitle), definitions=(),
               heading=heading)  # fmt: skip
    buffer = io.BytesIO()
    wb.save(buffer)
    return write_bytes(path, buffer.getvalue())
