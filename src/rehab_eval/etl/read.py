"""Read raw containers: xlsx workbooks and delimited text, every sheet, header row found.

Every cell comes out as text (``""`` for an empty cell) so that parsing sees what the user
wrote: real Excel dates become ISO text (``2024-11-07``), whole numbers their digits, and a
number Excel stored in floating point (a NIK typed as a number) keeps its float form
(``3374010000000000.0``) so that it can be recognised as unrecoverable.

Delimited text: the encoding is UTF-8 (with or without BOM) or else Windows-1252; the
delimiter is the one of ``, ; tab |`` that splits the first records most consistently. The
body is read by :mod:`rehab_eval.etl.delimited` (pyarrow, its cells kept as Arrow strings;
pandas' C parser for what pyarrow cannot take).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rehab_eval.errors import InputError
from rehab_eval.etl.containers import SUPPORTED, Limits, RawFile, Unread, _classify
from rehab_eval.etl.headers import header_score, item_column
from rehab_eval.etl.workbooks import Grid, cell_text, read_grids

__all__ = [
    "RawTable",
    "grid_tables",
    "is_data_row",
    "read_container",
    "read_raw",
    "sniff_delimiter",
    "sniff_encoding",
]

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
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
    hidden: bool = False


_cell_text = cell_text  # the name the tests and older callers use


_NIKLIKE = re.compile(r"^'?\d[\d .\-]{8,}\d$|^\d(?:\.\d+)?[eE]\+?\d+$")
_DATELIKE = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T].*)?$|^\d{1,2}\s*[/\-.]\s*\d{1,2}\s*[/\-.]\s*\d{2,4}\b"
    r"|^\d{1,2}\s+[a-z]{3,9}\.?\s+\d{4}$",
    re.I,
)
_SMALL_INT = re.compile(r"^\d{1,2}$")


def is_data_row(cells: list[str]) -> bool:
    """True for a row that holds data, never a header: a NIK-like identifier, a date, or
    mostly answer-like small numbers that are not a run of item numbers (1, 2, 3 …)."""
    vals = [str(c).strip() for c in cells if str(c).strip()]
    if not vals:
        return False
    for v in vals:
        if _NIKLIKE.match(v) and sum(ch.isdigit() for ch in v) >= 10:
            return True
        if _DATELIKE.match(v):
            return True
    nums = [int(v) for v in vals if _SMALL_INT.match(v)]
    if len(nums) >= 3 and 2 * len(nums) >= len(vals):
        # item numbers run up, restarting at 1 under a second group (1…26, 1…26)
        if not all(b > a or b == 1 for a, b in zip(nums, nums[1:], strict=False)):
            return True
    return False


def _find_header(rows: list[list[str]], aliases: Mapping[str, str]) -> int | None:
    """Index of the header row among the first rows: most known headers (≥ 2), earliest.

    A row that holds data (:func:`is_data_row`) is never the header, and no row under the
    first data row is either.
    """
    best, best_i = 1, None
    for i, row in enumerate(rows[:_HEAD_RECORDS]):
        if is_data_row(row):
            break
        s = header_score(row, aliases)
        if s > best:
            best, best_i = s, i
    return best_i


def _fallback_header(rows: list[list[str]]) -> int | None:
    """First row with at least two non-empty cells (for sheets that fit no table)."""
    for i, row in enumerate(rows[:_HEAD_RECORDS]):
        if is_data_row(row):
            return None
        if sum(1 for c in row if str(c).strip()) >= 2:
            return i
    return None


def combine_header(above: list[str], header: list[str]) -> tuple[list[str], list[str]]:
    """Join a group row (merged cells such as ``Pretest`` / ``Posttest`` or domain names
    above item numbers) with the header row under it.

    Returns the combined headers (a header cell left empty under a vertically merged label
    takes that label) and, per column, its group label ("" outside any group). A group
    label is carried right over the item columns until the next label.
    """
    width = len(header)
    above = list(above) + [""] * (width - len(above))
    items = [item_column(h) is not None for h in header]
    if not any(a.strip() and items[j] for j, a in enumerate(above)):
        return list(header), [""] * width
    headers = [h if h.strip() else above[j].strip() for j, h in enumerate(header)]
    groups = [""] * width
    current = ""
    for j in range(width):
        a = above[j].strip()
        if items[j]:
            if a:
                current = a
            groups[j] = current
        else:
            current = ""
    return headers, groups


def _titles(rows: list[list[str]]) -> list[str]:
    return [" ".join(c.strip() for c in r if c.strip()) for r in rows]


def grid_tables(grid: Grid, aliases: Mapping[str, str]) -> list[RawTable]:
    """The table of one sheet: header row found, a two-row header combined, and a wide
    pre/post layout (item numbers under two timepoint groups) split into one part per group.
    """
    rows = grid.rows
    hi = _find_header(rows, aliases)
    if hi is None:
        hi = _fallback_header(rows)
    if hi is None:
        return [
            RawTable(
                grid.name, 0, [], pd.DataFrame(), np.zeros(0, dtype=np.int64), hidden=grid.hidden
            )
        ]
    headers = [c.strip() for c in rows[hi]]
    groups = [""] * len(headers)
    titles_end = hi
    if hi > 0:
        headers, groups = combine_header(rows[hi - 1], headers)
        if any(groups):
            titles_end = hi - 1
    width = len(headers)
    body = pd.DataFrame(rows[hi + 1 :], columns=range(width), dtype=object)
    src = np.arange(hi + 2, hi + 2 + len(body), dtype=np.int64)
    titles = _titles(rows[:titles_end]) + _grid_titles(headers)
    table = RawTable(grid.name, hi + 1, headers, body, src, titles, hidden=grid.hidden)
    return split_groups(table, groups)


_GRID = re.compile(r"^\s*(.*?)\s*\[[^\]]*\]\s*$")


def _grid_titles(headers: list[str]) -> list[str]:
    """Question titles of Google Forms grid headers (``Kualitas Hidup [1. …]``) and group
    paths of KoboToolbox item headers (``group_whoqol/q1``), once each: they name the
    instrument."""
    out: list[str] = []
    for h in headers:
        m = _GRID.match(h)
        if m and m.group(1) and item_column(h):
            title = m.group(1)
        elif "/" in h and item_column(h):
            title = h.rsplit("/", 1)[0]
        else:
            continue
        if title not in out:
            out.append(title)
    return out


def split_groups(table: RawTable, groups: list[str]) -> list[RawTable]:
    """One part per group of item columns when the groups name two or more timepoints
    (a wide pre/post layout); otherwise the table itself, its group labels as titles.

    Each part keeps every column outside the groups (identity, dates); a row whose items
    of that group are all blank is blank in that part (counted as an empty row there).
    """
    labels = list(dict.fromkeys(g for g in groups if g))
    if not labels:
        return [table]
    from rehab_eval.etl.extract import infer_timepoint

    tps = [infer_timepoint(g) for g in labels]
    if len(labels) < 2 or None in tps or len(set(tps)) < len(tps):
        table.titles = [*table.titles, *labels]
        return [table]
    shared = [j for j, g in enumerate(groups) if not g]
    parts = []
    for label in labels:
        own = [j for j, g in enumerate(groups) if g == label]
        cols = shared + own
        body = table.body[cols].copy()
        blank = body[own].apply(lambda c: c.astype(str).str.strip() == "").all(axis=1)
        body.loc[blank.to_numpy(), :] = ""
        body.columns = range(len(cols))
        parts.append(
            RawTable(
                f"{table.sheet} [{label}]" if table.sheet else f"[{label}]",
                table.header_row,
                [table.headers[j] for j in cols],
                body,
                table.source_rows,
                [*table.titles, label],
                table.encoding,
                table.delimiter,
                table.hidden,
            )
        )
    return parts


def sniff_encoding(blob: bytes) -> str:
    """``utf-8-sig`` (BOM), ``utf-8``, or ``cp1252``; raises InputError for binary data."""
    if b"\x00" in blob[:8192]:
        raise InputError("berkas rusak: data biner (binary data), bukan teks ekspor")
    if blob.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        blob.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


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


def read_raw(rf: RawFile, aliases: Mapping[str, str], limits: Limits) -> list[RawTable]:
    """Read every sheet (or table) of one raw file; raises InputError when it cannot be read."""
    if rf.kind == "text":
        from rehab_eval.etl.delimited import read_text_blob

        return read_text_blob(rf.data(), rf.suffix, aliases)
    return [t for g in read_grids(rf, limits) for t in grid_tables(g, aliases)]


def read_container(
    path: Path, aliases: Mapping[str, str], limits: Limits | None = None
) -> list[RawTable]:
    """Read every sheet of one file on disk (its kind sniffed from its first bytes).

    Raises
    ------
    InputError
        The file cannot be read, with the reason in Bahasa Indonesia.
    """
    limits = limits or Limits()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED or suffix == ".zip":
        raise InputError(f"tipe berkas tidak didukung: {suffix or 'tanpa akhiran'}")
    size = path.stat().st_size
    limits.check_bytes(size)
    if size == 0:
        raise InputError("berkas kosong (0 byte); ekspor ulang datanya")
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    got = _classify(path.name, suffix, head, None, path, limits)
    if isinstance(got, Unread):
        raise InputError(got.reason)
    return read_raw(got, aliases, limits)


_TOTALS = re.compile(r"^\s*(jumlah|total|grand total|sub ?total|rata-rata|rerata|jml)\b", re.I)


def is_totals_label(text: str) -> bool:
    """True for a totals-row label such as ``Jumlah`` or ``TOTAL``."""
    return bool(_TOTALS.match(text))


_NOTE = re.compile(
    r"^\s*(?:keterangan\s*:|ket\s*[.:]|catatan\s*:|note\s*:|sumber\s*:|\*+\s*[a-z]|"
    r"mengetahui\b|menyetujui\b|disetujui\b|diperiksa\b|dibuat oleh\b|yang membuat\b|"
    r"kepala\s+(?:bapas|lapas|rutan|balai|seksi|sub|bnn|upt)|nip\b|"
    # a place and date above a signature ("Semarang, 31 Oktober 2024"), not a day name
    r"(?!(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad)\b)"
    r"[a-z][a-z .]+,\s*\d{1,2}\s+[a-z]+\s+\d{4}$)",
    re.I,
)


def is_note_label(text: str) -> bool:
    """True for the first line of a note or signature block under the data (``Keterangan:``,
    ``Mengetahui,``, ``Kepala Bapas …``, ``Semarang, 31 Oktober 2024``)."""
    return bool(_NOTE.match(text))
