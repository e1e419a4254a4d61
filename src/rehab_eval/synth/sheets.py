"""Raw sheets as the generator holds them, and their deterministic writers.

A :class:`RawSheet` is one table of a raw export as an office keeps it: title rows above the
header, the header as written, data rows (Python values: ``str``, ``int``, ``float``,
``datetime``), optionally empty rows and a totals row under the data. Planted defects are
recorded against a data-row position; the writers turn positions into the row numbers a user
sees in a spreadsheet (``source_row``) and into the ``truth.json`` entries.

Writers are byte-deterministic: CSV text is written by :mod:`csv` with a fixed line
terminator; xlsx workbooks are saved by openpyxl and re-packed with fixed zip entry times and
fixed ``dcterms:created`` / ``dcterms:modified`` stamps (openpyxl stamps the save time).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["Defect", "RawFile", "RawSheet", "write_raw_file"]

FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
FIXED_STAMP = "2024-01-01T00:00:00Z"


@dataclass
class Defect:
    """One planted defect: data-row position, raw column, raw value, kind and reject reason."""

    position: int
    column: str
    value: str
    kind: str
    reason: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class RawSheet:
    """One sheet (or the only table of a CSV) of a raw export.

    ``data`` holds one row per raw data row with the raw headers as columns (``""`` or
    ``None`` for an empty cell). ``titles`` are the rows above the header (one string each,
    written in the first column); ``blank_after_titles`` adds an empty row between titles
    and header. ``empty_rows`` empty rows and then ``totals`` (a list of cells) follow the
    data.
    """

    name: str
    table: str | None
    data: pd.DataFrame
    titles: list[str] = field(default_factory=list)
    blank_after_titles: bool = False
    totals: list[Any] | None = None
    empty_rows: int = 0
    numbering_column: bool = False
    defects: list[Defect] = field(default_factory=list)

    @property
    def header_row(self) -> int:
        """1-based row (xlsx) or record (CSV) number of the header."""
        return len(self.titles) + int(self.blank_after_titles) + 1

    def source_row(self, position: int) -> int:
        """Row number a user sees for the data row at ``position`` (0-based)."""
        return self.header_row + 1 + position

    def plant(
        self,
        position: int,
        column: str,
        value: Any,
        kind: str,
        reason: str | None,
        **extra: Any,
    ) -> None:
        """Write ``value`` into the cell and record the defect (``data`` is replaced, not mutated)."""
        if column:
            col = self.data[column].astype(object)  # a new column: the old frame is untouched
            col.iat[position] = value
            data = self.data.copy(deep=False)
            data[column] = col
            self.data = data
        text = "" if value is None else str(value)
        self.defects.append(Defect(position, column, text, kind, reason, dict(extra)))

    def cell(self, position: int, column: str) -> Any:
        return self.data.iat[position, self.data.columns.get_loc(column)]


@dataclass
class RawFile:
    """One raw export file: its path relative to the raw folder, format, encoding, sheets."""

    relpath: str
    sheets: list[RawSheet]
    format: str = "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    lineterminator: str = "\n"
    merge_titles: bool = True


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _write_csv(raw: RawFile, path: Path) -> None:
    sheet = raw.sheets[0]
    width = len(sheet.data.columns)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=raw.delimiter or ",", lineterminator=raw.lineterminator)
    for title in sheet.titles:
        writer.writerow([title] + [""] * (width - 1))
    if sheet.blank_after_titles:
        writer.writerow([""] * width)
    writer.writerow(list(sheet.data.columns))
    if len(sheet.data) > 5000:  # large provincial tables: let pandas write the body in one go
        sheet.data.to_csv(
            buf,
            sep=raw.delimiter or ",",
            header=False,
            index=False,
            lineterminator=raw.lineterminator,
            na_rep="",
        )
    else:
        writer.writerows([_text(v) for v in row] for row in sheet.data.itertuples(index=False))
    for _ in range(sheet.empty_rows):
        writer.writerow([""] * width)
    if sheet.totals is not None:
        writer.writerow([_text(v) for v in sheet.totals])
    _replace_atomically(path, buf.getvalue().encode(raw.encoding or "utf-8"))


def _replace_atomically(path: Path, blob: bytes) -> None:
    """Write ``blob`` to a temporary sibling, then rename it over ``path``."""
    tmp = path.with_name(path.name + ".partial")
    tmp.write_bytes(blob)
    tmp.replace(path)


def _repack_fixed(blob: bytes) -> bytes:
    """Re-pack an xlsx zip with fixed entry times and fixed document-property stamps."""
    src = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rf"\g<1>{FIXED_STAMP}\g<3>",
                    text,
                )
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, data)
    return out.getvalue()


def _write_xlsx(raw: RawFile, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    fixed = dt.datetime(2024, 1, 1)
    wb.properties.created = fixed
    wb.properties.creator = "Operator"
    bold = Font(bold=True)
    for sheet in raw.sheets:
        ws = wb.create_sheet(sheet.name)
        width = len(sheet.data.columns)
        for i, title in enumerate(sheet.titles, start=1):
            ws.cell(row=i, column=1, value=title).font = bold
            if raw.merge_titles and width > 1:
                ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
        hr = sheet.header_row
        for j, name in enumerate(sheet.data.columns, start=1):
            ws.cell(row=hr, column=j, value=name).font = bold
        for i, row in enumerate(sheet.data.itertuples(index=False), start=hr + 1):
            for j, value in enumerate(row, start=1):
                if value is None or (isinstance(value, float) and value != value) or value == "":
                    continue
                cell = ws.cell(row=i, column=j, value=value)
                if isinstance(value, dt.datetime):
                    cell.number_format = "DD/MM/YYYY"
        if sheet.totals is not None:
            r = hr + len(sheet.data) + sheet.empty_rows + 1
            for j, value in enumerate(sheet.totals, start=1):
                if value not in (None, ""):
                    ws.cell(row=r, column=j, value=value).font = bold
    buf = io.BytesIO()
    wb.save(buf)
    _replace_atomically(path, _repack_fixed(buf.getvalue()))


def _write_xls(raw: RawFile, path: Path) -> None:
    """Excel 97-2003 (BIFF8) as legacy office PCs still save it, written by xlwt."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    bold = xlwt.easyxf("font: bold on")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for sheet in raw.sheets:
        ws = wb.add_sheet(sheet.name)
        width = len(sheet.data.columns)
        for i, title in enumerate(sheet.titles):
            if raw.merge_titles and width > 1:
                ws.write_merge(i, i, 0, width - 1, title, bold)
            else:
                ws.write(i, 0, title, bold)
        hr = sheet.header_row - 1
        for j, name in enumerate(sheet.data.columns):
            ws.write(hr, j, str(name), bold)
        for i, row in enumerate(sheet.data.itertuples(index=False), start=hr + 1):
            for j, value in enumerate(row):
                if value is None or (isinstance(value, float) and value != value) or value == "":
                    continue
                if isinstance(value, dt.datetime):
                    ws.write(i, j, value, date_style)
                elif isinstance(value, int | float | str):
                    ws.write(i, j, value)
                else:
                    ws.write(i, j, str(value))
        if sheet.totals is not None:
            r = hr + len(sheet.data) + sheet.empty_rows + 1
            for j, value in enumerate(sheet.totals):
                if value not in (None, ""):
                    ws.write(r, j, value, bold)
    buf = io.BytesIO()
    wb.save(buf)
    _replace_atomically(path, buf.getvalue())


WORKBOOK_FORMATS = ("xlsx", "xls")


def write_raw_file(raw: RawFile, root: Path) -> dict[str, Any]:
    """Write one raw file under ``root`` and return its ``truth.json`` ``files`` entry."""
    path = root / raw.relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    if raw.format == "xlsx":
        _write_xlsx(raw, path)
    elif raw.format == "xls":
        _write_xls(raw, path)
    else:
        _write_csv(raw, path)
    sheets = {}
    for sheet in raw.sheets:
        key = sheet.name if raw.format in WORKBOOK_FORMATS else ""
        sheets[key] = {
            "table": sheet.table,
            "header_row": sheet.header_row,
            "data_rows": len(sheet.data),
            "totals_rows": int(sheet.totals is not None),
            "empty_rows": sheet.empty_rows,
            "numbering_column": sheet.numbering_column,
            "columns": [str(c) for c in sheet.data.columns],
        }
    return {
        "format": raw.format,
        "encoding": raw.encoding if raw.format == "csv" else None,
        "delimiter": raw.delimiter if raw.format == "csv" else None,
        "sheets": sheets,
    }


def defect_entries(raw: RawFile) -> list[dict[str, Any]]:
    """The ``truth.json`` ``defects`` entries of one raw file, in row order."""
    out = []
    for sheet in raw.sheets:
        key = sheet.name if raw.format in WORKBOOK_FORMATS else ""
        for d in sorted(sheet.defects, key=lambda d: (d.position, d.column)):
            entry = {
                "file": raw.relpath,
                "sheet": key,
                "source_row": sheet.source_row(d.position),
                "column": d.column,
                "value": d.value,
                "kind": d.kind,
                "reason": d.reason,
            }
            for k, v in d.extra.items():
                entry[k] = sheet.source_row(v) if k == "duplicate_of" else v
            out.append(entry)
    return out


def insert_copies(
    data: pd.DataFrame, positions: list[int], changes: list[dict[str, Any]] | None = None
) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """Insert a copy of each row at ``positions`` right after it (optionally with changed cells).

    Returns the new frame and, per copy, ``(copy_position, original_position)`` in the new
    frame's row numbering.
    """
    changes = changes or [{}] * len(positions)
    parts, pairs, last, shift = [], [], 0, 0
    for pos, change in sorted(zip(positions, changes, strict=True), key=lambda t: t[0]):
        parts.append(data.iloc[last : pos + 1])
        copy = data.iloc[[pos]].copy()
        for col, value in change.items():
            copy.iat[0, copy.columns.get_loc(col)] = value
        parts.append(copy)
        pairs.append((pos + shift + 1, pos + shift))
        shift += 1
        last = pos + 1
    parts.append(data.iloc[last:])
    return pd.concat(parts, ignore_index=True), pairs
