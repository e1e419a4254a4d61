"""Read a delimited text export (CSV, TSV, semicolon or pipe separated) into a raw table.

The encoding and the delimiter are sniffed (:func:`~rehab_eval.etl.read.sniff_encoding`,
:func:`~rehab_eval.etl.read.sniff_delimiter`) and the header row is found among the first
records, as for a workbook. The body under it is read by ``pyarrow.csv``: its cells stay Arrow
strings (pandas ``string[pyarrow]``), one buffer per column, never a Python object per cell.
When pyarrow cannot take the file as it is (a record longer or shorter than the header, a
blank line in a table of several columns, an unterminated quote, a byte the encoding does not
define, a NUL byte, pyarrow not installed), pandas' C parser reads it instead, cells as Python
text. The two readers give the same cells for every file both accept (tested), so which one
read a file changes nothing downstream.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

import numpy as np
import pandas as pd

from rehab_eval.errors import InputError
from rehab_eval.etl.read import (
    _HEAD_RECORDS,
    RawTable,
    _fallback_header,
    _find_header,
    _grid_titles,
    combine_header,
    sniff_delimiter,
    sniff_encoding,
    split_groups,
)

__all__ = ["read_text_blob"]


def _codec(encoding: str) -> str:
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _unreadable(msg: str) -> InputError:
    return InputError(f"berkas rusak: bukan teks berpembatas yang dapat dibaca ({msg})")


def _head_records(head: str, delim: str) -> tuple[list[list[str]], list[int]]:
    """The first records of the file and the physical line each one ends on."""
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
        raise _unreadable(str(exc)) from None
    return records, line_ends


def read_text_blob(blob: bytes, suffix: str, aliases: Mapping[str, str]) -> list[RawTable]:
    """The table of one delimited text file (its bytes), split per timepoint group when it
    is a wide pre/post layout; raises InputError when it cannot be read."""
    if not blob or blob.isspace():  # as ``not blob.strip()``, without copying the file
        raise InputError("berkas kosong (empty file); ekspor ulang datanya")
    encoding = sniff_encoding(blob)
    bom = 3 if encoding == "utf-8-sig" else 0
    # the first records, for delimiter, titles and header (physical line offsets kept)
    head_bytes = blob[bom : bom + (1 << 16)]
    head_text = head_bytes.decode(_codec(encoding), "replace")
    head_lines = io.StringIO(head_text, newline="").readlines()
    if len(blob) - bom > len(head_bytes) and len(head_lines) > 1:
        head_lines = head_lines[:-1]  # the last line may be cut
    head = "".join(head_lines[:200])
    delim = "\t" if suffix == ".tsv" else sniff_delimiter(head)
    records, line_ends = _head_records(head, delim)
    hi = _find_header(records, aliases)
    if hi is None:
        hi = _fallback_header(records)
    if hi is None:
        return [RawTable("", 0, [], pd.DataFrame(), np.zeros(0, dtype=np.int64))]
    start_line = line_ends[hi - 1] if hi > 0 else 0
    offset = bom + len("".join(head_lines[:start_line]).encode(_codec(encoding), "replace"))
    titles = [" ".join(c.strip() for c in r if c.strip()) for r in records[:hi]]
    got = _arrow_read(blob, offset, delim, encoding, len(records[hi]))
    if got is None:
        got = _pandas_read(blob, offset, delim, encoding)
    del blob
    header, body = got
    headers = ["" if h is None else str(h).strip() for h in header]
    src = np.arange(hi + 2, hi + 2 + len(body), dtype=np.int64)
    groups = [""] * len(headers)
    if hi > 0:
        headers, groups = combine_header(records[hi - 1], headers)
        if any(groups):
            titles = titles[:-1]
    titles += _grid_titles(headers)
    table = RawTable("", hi + 1, headers, body, src, titles, encoding, delim)
    return split_groups(table, groups)


def _arrow_encoding(encoding: str) -> str:
    # pyarrow reads UTF-8 natively only when told "utf8"; other names go through a transcoder
    return "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding


_MARK = "\x01"


def _sentinel(blob: bytes, delim: str, width: int) -> bytes:
    """A record of ``width`` marks to append to a body that holds a quote.

    pandas refuses a file that ends inside a quoted cell; pyarrow reads the rest of the file
    into that cell. A record appended after the end shows which one happened: it comes back
    as a record of its own only when every quote was closed before it.
    """
    record = delim.join([_MARK] * width).encode()
    return record if blob.endswith((b"\n", b"\r")) else b"\n" + record


def _arrow_read(
    blob: bytes, offset: int, delim: str, encoding: str, width: int
) -> tuple[list[str], pd.DataFrame] | None:
    """Header cells and body (``string[pyarrow]`` columns) read by pyarrow from ``offset``
    (the header record), or None when pyarrow cannot read the file exactly as pandas would.

    Every record must have the header's ``width`` fields (pandas pads a short record and
    rejects a long one; a blank line is short): pyarrow is told the ``width`` columns and
    refuses any other record, and the file goes to pandas.
    """
    if width < 1 or blob.find(b"\x00", offset) >= 0:
        return None
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency; pandas reads then
        return None
    names = [f"f{j}" for j in range(width)]
    quoted = blob.find(b'"', offset) >= 0
    if quoted and blob.find(_MARK.encode(), offset) >= 0:
        return None  # the sentinel could not be told apart from the data
    data = pa.py_buffer(blob).slice(offset)
    if quoted:
        data = pa.py_buffer(blob[offset:] + _sentinel(blob, delim, width))
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(
                column_names=names, encoding=_arrow_encoding(encoding), use_threads=True
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delim,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, UnicodeError, ValueError, LookupError):
        return None
    if quoted:
        # the sentinel record comes back whole only when no quote was left open at the end
        last = [table.column(j)[-1].as_py() for j in range(width)] if table.num_rows else []
        if last != [_MARK] * width:
            return None
        table = table.slice(0, table.num_rows - 1)
    if table.num_rows == 0 or table.num_columns != width:
        return None
    header = [table.column(j)[0].as_py() for j in range(width)]
    rest = table.slice(1).combine_chunks()  # one chunk per column: see textcol.arrow_text
    body = pd.DataFrame(
        {j: pd.arrays.ArrowStringArray(rest.column(j)) for j in range(width)}, copy=False
    )
    body.columns = range(width)
    body.index = pd.RangeIndex(len(body))
    return header, body


def _pandas_read(blob: bytes, offset: int, delim: str, encoding: str):
    """Header cells and body (object columns of text) read by pandas' C parser."""
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
        raise _unreadable(msg) from None
    del buf
    header = frame.iloc[0].tolist()
    # rows under the header, renumbered without copying the cells (a new frame over them)
    body = frame.iloc[1:]
    body.index = pd.RangeIndex(len(body))
    body.columns = range(body.shape[1])
    # with na_filter=False only a short record leaves missing cells, and they are its last
    # ones: the last column shows whether there are any
    if body.shape[1] and body[body.shape[1] - 1].isna().any():
        body = body.fillna("")
    return header, body
