"""Spreadsheet containers → grids of cell text, one per sheet, within resource limits.

``.xlsx``/``.xlsm`` through openpyxl (read-only, with the declared ``<dimension>`` checked
against the limits and then ignored: other writers leave it stale, ``A1``, or missing),
legacy ``.xls`` through xlrd, ``.ods`` through pandas' odf reader, and HTML tables (web
applications save them under an ``.xls`` name) through the standard library's HTML parser.
Trailing empty rows and columns are dropped; every cell is text as :func:`cell_text` writes it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from html.parser import HTMLParser

from rehab_eval.errors import InputError
from rehab_eval.etl.containers import Limits, RawFile

__all__ = ["Grid", "cell_text", "read_grids"]


@dataclass
class Grid:
    """One sheet as rows of cell text (trailing empty rows and columns removed)."""

    name: str
    rows: list[list[str]]
    hidden: bool = False


def cell_text(v: object) -> str:
    """Text of one cell as a user reads it (see :mod:`rehab_eval.etl.read`)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        # a 16-digit number in a workbook is a NIK that Excel held as a double (15
        # significant digits): keep its float form so that it is seen as unrecoverable
        return f"{v}.0" if abs(v) >= 10**15 else str(v)
    if isinstance(v, float):
        if v != v:
            return ""
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0, 0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


class _Collector:
    """Rows of text kept as they stream in, trailing empties dropped, cells capped."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.rows: list[list[str]] = []
        self.last = 0  # rows up to the last non-empty one
        self.width = 0
        self.cells = 0

    def add(self, values) -> None:
        row = [cell_text(v) for v in values]
        end = len(row)
        while end and not row[end - 1].strip():
            end -= 1
        del row[end:]
        self.rows.append(row)
        if end:
            self.last = len(self.rows)
            self.width = max(self.width, end)
            self.cells += end
            if self.width * self.last > self.limits.max_cells:
                self.limits.check_cells(self.last, self.width, f"lembar {self.name!r}")

    def grid(self, hidden: bool = False) -> Grid:
        rows = self.rows[: self.last]
        w = self.width
        return Grid(self.name, [r + [""] * (w - len(r)) for r in rows], hidden)


def _read_xlsx(rf: RawFile, limits: Limits) -> list[Grid]:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(rf.source(), read_only=True, data_only=True)
    out = []
    try:
        for ws in wb.worksheets:
            declared = (ws.max_row or 0, ws.max_column or 0)
            limits.check_cells(*declared, f"lembar {ws.title!r} (ukuran yang dinyatakan)")
            ws.reset_dimensions()  # read what is there, not what the writer declared
            col = _Collector(ws.title, limits)
            for values in ws.iter_rows(values_only=True):
                col.add(values)
            hidden = getattr(ws, "sheet_state", "visible") != "visible"
            out.append(col.grid(hidden))
    finally:
        wb.close()
    return out


def _read_xls(rf: RawFile, limits: Limits) -> list[Grid]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=rf.data(), on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise InputError(
                "dilindungi kata sandi: buka di Excel, hapus sandinya, simpan ulang"
            ) from None
        raise
    out = []
    try:
        for i in range(book.nsheets):
            sh = book.sheet_by_index(i)
            limits.check_cells(sh.nrows, sh.ncols, f"lembar {sh.name!r}")
            col = _Collector(sh.name, limits)
            for r in range(sh.nrows):
                vals = []
                for c, (ctype, v) in enumerate(zip(sh.row_types(r), sh.row_values(r), strict=True)):
                    if ctype == xlrd.XL_CELL_DATE:
                        try:
                            v = xlrd.xldate.xldate_as_datetime(v, book.datemode)
                        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                            v = sh.cell_value(r, c)
                    elif ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        v = None
                    elif ctype == xlrd.XL_CELL_BOOLEAN:
                        v = bool(v)
                    vals.append(v)
                col.add(vals)
            out.append(col.grid(bool(sh.visibility)))
            book.unload_sheet(i)
    finally:
        book.release_resources()
    return out


def _read_ods(rf: RawFile, limits: Limits) -> list[Grid]:
    import pandas as pd

    frames = pd.read_excel(rf.source(), engine="odf", sheet_name=None, header=None, dtype=object)
    out = []
    for name, frame in frames.items():
        limits.check_cells(*frame.shape, f"lembar {name!r}")
        col = _Collector(str(name), limits)
        for values in frame.itertuples(index=False, name=None):
            col.add(values)
        out.append(col.grid())
    return out


class _Tables(HTMLParser):
    """Every ``<table>`` of an HTML page as rows of cell text (``colspan`` cells padded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif tag == "tr" and self._depth == 1:
            self._end_row()
            self._row = []
        elif tag in ("td", "th") and self._depth == 1:
            self._end_cell()
            if self._row is None:
                self._row = []
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.strip().isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            if self._depth == 1:
                self._end_row()
            self._depth = max(0, self._depth - 1)

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def _end_cell(self):
        if self._cell is not None and self._row is not None:
            text = " ".join("".join(self._cell).split())
            self._row.extend([text] + [""] * (min(self._span, 512) - 1))
        self._cell = None

    def _end_row(self):
        self._end_cell()
        if self._row is not None and self.tables:
            self.tables[-1].append(self._row)
        self._row = None


def _read_html(rf: RawFile, limits: Limits) -> list[Grid]:
    import re

    blob = rf.data()
    m = re.search(rb"charset=[\"']?([A-Za-z0-9_\-]+)", blob[:4096])
    encoding = m.group(1).decode("ascii") if m else "utf-8"
    try:
        text = blob.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        text = blob.decode("cp1252", "replace")
    parser = _Tables()
    parser.feed(text)
    parser.close()
    out = []
    for i, rows in enumerate(parser.tables):
        name = "" if len(parser.tables) == 1 else f"tabel {i + 1}"
        col = _Collector(name, limits)
        for r in rows:
            col.add(r)
        out.append(col.grid())
    if not out:
        raise InputError("halaman HTML tanpa tabel: ekspor ulang sebagai xlsx atau csv")
    return out


_READERS = {"xlsx": _read_xlsx, "xls": _read_xls, "ods": _read_ods, "html": _read_html}


def read_grids(rf: RawFile, limits: Limits) -> list[Grid]:
    """Every sheet of a spreadsheet or HTML file as a :class:`Grid`.

    Raises
    ------
    InputError
        The file is broken or encrypted (reason in Bahasa Indonesia); ``TooLarge`` (an
        InputError) when a sheet exceeds ``limits``.
    """
    try:
        return _READERS[rf.kind](rf, limits)
    except InputError:
        raise
    except MemoryError:
        raise InputError(
            "memori tidak cukup untuk membaca berkas ini; pecah berkasnya atau hapus baris "
            "kosong di ujung lembar"
        ) from None
    except Exception as exc:  # zip, XML, BIFF and ODF errors: a broken file
        raise InputError(
            f"berkas rusak: bukan buku kerja {rf.suffix} yang dapat dibaca ({type(exc).__name__})"
        ) from None
