"""Read raw containers: xlsx workbooks and delimited text, every sheet, header row found.

Every cell comes out as text (``""`` for an empty cell) so that parsing sees what the user
wrote: real Excel dates become ISO text (``2024-11-07``), whole numbers their digits, and a
number Excel stored in floating point (a NIK typed as a number) keeps its float form
(``3374010000000000.0``) so that it can be recognised as unrecoverable.

Delimited text: the encoding is UTF-8 (with or without BOM) or else Windows-1252; the
delimiter is the one of ``, ; tab |`` that splits the first records most consistently. The
body is read by pandas' C parser (``dtype=str``, ``keep_default_na=False``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rehab_eval.errors import InputError
from rehab_eval.etl.headers import header_score

__all__ = ["RawTable", "read_container", "sniff_delimiter", "sniff_encoding"]

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
SUFFIXES = (".xlsx", *TEXT_SUFFIXES)
_HEAD_RECORDS = 25
_DELIMS = (",", ";", "\t", "|")


@dataclass
class RawTable:
    """One sheet (or the only table of a text file) as read, before any interpretation.

    ``body`` has one row per raw row under the header (text cells, positional columns
    ``0…n-1``); ``source_rows`` holds the row number a user sees in a spreadsheet for each
    body row; ``header_row`` is that number for the header; ``titles`` the text above it.
    """

    sheet: str
    header_row: int
    headers: list[str]
    body: pd.DataFrame
    source_rows: np.ndarray
    titles: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None


def _cell_text(v: object) -> str:
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


def _find_header(rows: list[list[str]], aliases: Mapping[str, str]) -> int | None:
    """Index of the header row among the first rows: most known headers (≥ 2), earliest."""
    best, best_i = 1, None
    for i, row in enumerate(rows[:_HEAD_RECORDS]):
        s = header_score(row, aliases)
        if s > best:
            best, best_i = s, i
    return best_i


def _fallback_header(rows: list[list[str]]) -> int | None:
    """First row with at least two non-empty cells (for sheets that fit no table)."""
    for i, row in enumerate(rows[:_HEAD_RECORDS]):
        if sum(1 for c in row if str(c).strip()) >= 2:
            return i
    return None


def _read_xlsx(path: Path, aliases: Mapping[str, str]) -> list[RawTable]:
    import warnings

    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(path, read_only=True, data_only=True)
    out = []
    try:
        for ws in wb.worksheets:
            rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
            width = max((len(r) for r in rows), default=0)
            rows = [r + [""] * (width - len(r)) for r in rows]
            hi = _find_header(rows, aliases)
            if hi is None:
                hi = _fallback_header(rows)
            if hi is None:
                out.append(RawTable(ws.title, 0, [], pd.DataFrame(), np.zeros(0, dtype=np.int64)))
                continue
            titles = [" ".join(c.strip() for c in r if c.strip()) for r in rows[:hi]]
            body = pd.DataFrame(rows[hi + 1 :], columns=range(width), dtype=object)
            src = np.arange(hi + 2, hi + 2 + len(body), dtype=np.int64)
            out.append(RawTable(ws.title, hi + 1, [c.strip() for c in rows[hi]], body, src, titles))
    finally:
        wb.close()
    return out


def sniff_encoding(blob: bytes) -> str:
    """``utf-8-sig`` (BOM), ``utf-8``, or ``cp1252``; raises InputError for binary data."""
    if b"\x00" in blob[:8192]:
        raise InputError("binary data (NUL bytes), not a text export")
    if blob.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        blob.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _codec(encoding: str) -> str:
    return "utf-8" if encoding == "utf-8-sig" else encoding


def sniff_delimiter(head: str) -> str:
    """The delimiter of ``, ; tab |`` that splits the first records most consistently."""
    best, best_score = ",", (-1, -1)
    for d in _DELIMS:
        try:
            recs = list(csv.reader(io.StringIO(head), delimiter=d))[:_HEAD_RECORDS]
        except csv.Error:
            continue
        counts = [len(r) for r in recs if len(r) > 1]
        if not counts:
            continue
        mode = max(set(counts), key=lambda c: (counts.count(c), c))
        score = (counts.count(mode) * (mode > 1), mode)
        if score > best_score:
            best, best_score = d, score
    return best


def _read_text(path: Path, aliases: Mapping[str, str]) -> list[RawTable]:
    blob = path.read_bytes()
    if not blob or blob.isspace():  # as ``not blob.strip()``, without copying the file
        raise InputError("empty file")
    encoding = sniff_encoding(blob)
    bom = 3 if encoding == "utf-8-sig" else 0
    # the first records, for delimiter, titles and header (physical line offsets kept)
    head_bytes = blob[bom : bom + (1 << 16)]
    head_text = head_bytes.decode(encoding if encoding != "utf-8-sig" else "utf-8", "replace")
    head_lines = io.StringIO(head_text, newline="").readlines()
    if len(blob) - bom > len(head_bytes) and len(head_lines) > 1:
        head_lines = head_lines[:-1]  # the last line may be cut
    head = "".join(head_lines[:200])
    delim = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(head)
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delim)
    records: list[list[str]] = []
    line_ends: list[int] = []
    try:
        for rec in reader:
            records.append(rec)
            line_ends.append(reader.line_num)
            if len(records) >= _HEAD_RECORDS:
                break
    except csv.Error as exc:
        raise InputError(f"not a readable delimited text file ({exc})") from None
    hi = _find_header(records, aliases)
    if hi is None:
        hi = _fallback_header(records)
    if hi is None:
        return [RawTable("", 0, [], pd.DataFrame(), np.zeros(0, dtype=np.int64))]
    start_line = line_ends[hi - 1] if hi > 0 else 0
    offset = bom + len("".join(head_lines[:start_line]).encode(_codec(encoding), "replace"))
    titles = [" ".join(c.strip() for c in r if c.strip()) for r in records[:hi]]
    buf = io.BytesIO(blob)
    buf.seek(offset)
    try:
        frame = pd.read_csv(
            buf,
            sep=delim,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            encoding=_codec(encoding),
            encoding_errors="replace",
            quoting=csv.QUOTE_MINIMAL,
            on_bad_lines="error",
        )
    except (pd.errors.ParserError, ValueError, UnicodeError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"not a readable delimited text file ({msg})") from None
    del buf, blob
    headers = ["" if h is None else str(h).strip() for h in frame.iloc[0].tolist()]
    # rows under the header, renumbered without copying the cells (a new frame over them)
    body = frame.iloc[1:]
    body.index = pd.RangeIndex(len(body))
    body.columns = range(body.shape[1])
    # with na_filter=False only a short record leaves missing cells, and they are its last
    # ones: the last column shows whether there are any
    if body.shape[1] and body[body.shape[1] - 1].isna().any():
        body = body.fillna("")
    src = np.arange(hi + 2, hi + 2 + len(body), dtype=np.int64)
    return [RawTable("", hi + 1, headers, body, src, titles, encoding, delim)]


def read_container(path: Path, aliases: Mapping[str, str]) -> list[RawTable]:
    """Read every sheet of one raw file; raises InputError when the file cannot be read."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        try:
            return _read_xlsx(path, aliases)
        except InputError:
            raise
        except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors: a corrupt workbook
            raise InputError(f"not a readable xlsx workbook ({type(exc).__name__})") from None
    if suffix in TEXT_SUFFIXES:
        return _read_text(path, aliases)
    raise InputError(f"unsupported file type {suffix!r}")


_TOTALS = re.compile(r"^\s*(jumlah|total|grand total|sub ?total|rata-rata|rerata|jml)\b", re.I)


def is_totals_label(text: str) -> bool:
    """True for a totals-row label such as ``Jumlah`` or ``TOTAL``."""
    return bool(_TOTALS.match(text))
