"""One raw sheet → canonical rows of its table, cell-level rejects and row-level problems.

Identity is not resolved here (a register-only row needs the clients sheets of every file):
each row carries its cleaned NIK, register number and canonical facility in private columns
(``_nik``, ``_reg``, ``_fac``) together with its provenance (``_sid``, ``_row``).
Row-level problems found here (bad NIK, missing required value, future date, release before
birth) are returned as ``_reason`` / ``_rcol`` / ``_rval`` so that the pipeline can reject the
row once, with the first reason found.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from rehab_eval.etl.facilities import FacilityResolver
from rehab_eval.etl.headers import HeaderMap
from rehab_eval.etl.parse import (
    norm_value,
    parse_answers,
    parse_codes,
    parse_dates,
    parse_numbers,
    value_table,
)
from rehab_eval.etl.problems import Problems
from rehab_eval.etl.read import RawTable
from rehab_eval.etl.rows import RowKinds, row_kinds
from rehab_eval.etl.scrub import scrub_sheet
from rehab_eval.etl.sheet_ids import identity_columns
from rehab_eval.etl.textcol import distinct, map_distinct

__all__ = [
    "FIELD_PARSERS",
    "Extracted",
    "Problems",
    "RowKinds",
    "SheetContext",
    "extract_sheet",
    "infer_instrument",
    "infer_timepoint",
    "row_kinds",
]

_CODE_FIELDS = {
    "sex": "sex",
    "program": "program",
    "level": "level",
    "status": "status",
    "contact_kind": "contact_kind",
    "attended": "attended",
    "urine_result": "urine_result",
    "event_kind": "event_kind",
}
_TABLE_FIELDS = {
    "clients": ("sex", "birth_date", "ttl", "province", "release_date", "prior_offences"),
    "enrollments": ("program", "level", "cohort", "start_date", "end_date", "status"),
    "assessments": ("instrument", "timepoint", "date", "timestamp"),
    "contacts": ("date", "timestamp", "contact_kind", "attended"),
    "urine_tests": ("date", "timestamp", "urine_result"),
    "events": ("date", "timestamp", "event_kind"),
}
_REQUIRED_DATE = {"contacts", "urine_tests", "events"}
_FUTURE_CHECK = {"assessments", "contacts", "urine_tests", "events"}
PANEL = ("amp", "met", "thc", "bzo", "mop", "coc")


@dataclass
class SheetContext:
    """What extraction needs besides the sheet: vocabularies, facilities, run date."""

    resolver: FacilityResolver
    as_of: dt.date
    extra_values: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)
    pivot: int = 30

    def table(self, kind: str) -> dict[str, str]:
        cache = self.__dict__.setdefault("_tables", {})
        if kind not in cache:
            cache[kind] = value_table(kind, self.extra_values.get(kind))
        return cache[kind]


@dataclass
class Extracted:
    """Result of one sheet: canonical rows (with private columns), cell rejects, counts."""

    frame: pd.DataFrame
    cell_rejects: pd.DataFrame
    rows_empty: int
    rows_totals: int
    numbering_column: bool
    inferred: dict[str, str]
    rows_notes: int = 0


@cache
def _instrument_patterns() -> tuple[tuple[re.Pattern, str], ...]:
    """(pattern, instrument) for every declared name of every declared instrument."""
    from rehab_eval.instruments.registry import declared_instruments

    out = []
    for inst in declared_instruments():
        for name in (inst.name, *inst.raw_forms.names):
            text = _context_text(name).strip()
            pattern = re.compile(r"(?<![a-z])" + re.escape(text) + r"(?![a-z])")
            out.append((pattern, inst.name))
    return tuple(out)


def _instrument_by_items(items: Mapping[str, int]) -> str | None:
    """The declared instrument whose items best cover the sheet's item columns: one with
    blocks for block items (``alcohol_q2``), else the smallest form holding the highest item."""
    from rehab_eval.instruments.registry import declared_instruments

    blocked = any("_q" in k for k in items)
    top = max((int(k[1:]) for k in items if k[1:].isdigit()), default=0)
    fits = [
        i
        for i in declared_instruments()
        if bool(i.blocks) == blocked and (blocked or i.n_items >= top)
    ]
    return min(fits, key=lambda i: (i.n_items, i.name)).name if fits else None


_TP_PATTERNS = [
    (re.compile(r"\b(?:follow ?up|fu|tindak lanjut)\s*(3|6|12)\b"), "fu{}"),
    (re.compile(r"\b(?:bulan|bln|month)\s*(?:ke\s*)?([1-6])\b"), "m{}"),
    (re.compile(r"\bm([1-6])\b"), "m{}"),
    (re.compile(r"\b(?:pre ?test|pre|sebelum|awal|baseline)\b"), "pre"),
    (re.compile(r"\b(?:post ?test|post|sesudah|setelah|akhir)\b"), "post"),
    (re.compile(r"\b(?:mid|tengah|pertengahan)\b"), "mid"),
]


def _context_text(text: str) -> str:
    return " " + re.sub(r"[\s_\-.,()/]+", " ", text.lower()) + " "


def infer_instrument(*texts: str) -> str | None:
    """Instrument named in a sheet name, title row or file name (first text that names one)."""
    for t in texts:
        s = _context_text(t)
        for pat, code in _instrument_patterns():
            if pat.search(s):
                return code
    return None


def infer_timepoint(*texts: str) -> str | None:
    """Timepoint named in a sheet name, title row or file name (``URICA Pretest`` → ``pre``)."""
    for t in texts:
        s = _context_text(t)
        for pat, code in _TP_PATTERNS:
            m = pat.search(s)
            if m:
                return code.format(*m.groups())
    return None


def _on_uniques(col: pd.Series, fn) -> np.ndarray:
    """Apply ``fn`` to the distinct values of ``col`` only; an object array per row."""
    return map_distinct(col, fn)


@dataclass
class _Sheet:
    """A sheet being extracted: its data rows, its columns by field, its problems."""

    hmap: HeaderMap
    body: pd.DataFrame
    problems: Problems
    ctx: SheetContext
    out: dict[str, object]

    @property
    def n(self) -> int:
        return len(self.body)

    def col(self, f: str) -> pd.Series | None:
        p = self.hmap.column_of(f)
        return None if p is None else self.body[p].reset_index(drop=True)


# field → parser: each reads the raw column of its field into ``s.out`` and reports problems
def _date_field(s: _Sheet, f: str, values: pd.Series) -> None:
    parsed, bad = parse_dates(values, month_first=f == "timestamp", pivot=s.ctx.pivot)
    s.problems.cell(f, bad, values, "unparseable date")
    s.out[f] = parsed.to_numpy()
    s.out[f"_bad_{f}"] = bad.to_numpy()


def _ttl_field(s: _Sheet, f: str, values: pd.Series) -> None:
    part = pd.Series(_on_uniques(values, lambda u: str(u).rsplit(",", 1)[-1]), index=values.index)
    parsed, bad = parse_dates(part, pivot=s.ctx.pivot)
    s.problems.cell(f, bad, values, "unparseable date")
    s.out["ttl"] = parsed.to_numpy()


def _code_field(s: _Sheet, f: str, values: pd.Series) -> None:
    parsed, bad = parse_codes(values, s.ctx.table(_CODE_FIELDS[f]), first_word=f == "urine_result")
    s.problems.cell(f, bad, values, "unparseable value")
    s.out[f] = parsed.to_numpy()


def _count_field(s: _Sheet, f: str, values: pd.Series) -> None:
    parsed, bad = parse_numbers(values)
    frac = parsed.notna() & ((parsed % 1 != 0) | (parsed < 0))
    s.problems.cell(f, bad | frac, values, "unparseable value")
    s.out[f] = parsed.where(~frac).astype("Int64").to_numpy()


def _text_field(s: _Sheet, f: str, values: pd.Series) -> None:
    s.out[f] = _on_uniques(values, lambda u: re.sub(r"\s+", " ", str(u)).strip() or None)


def _instrument_field(s: _Sheet, f: str, values: pd.Series) -> None:
    parsed, bad = parse_codes(values, s.ctx.table("instrument"))
    s.out[f] = parsed.to_numpy()
    s.out["_bad_instrument"] = bad.to_numpy()


def _timepoint_field(s: _Sheet, f: str, values: pd.Series) -> None:
    parsed, _ = parse_codes(values, s.ctx.table("timepoint"))
    s.out[f] = parsed.to_numpy()


FIELD_PARSERS = {
    **dict.fromkeys(
        ("birth_date", "release_date", "start_date", "end_date", "date", "timestamp"),
        _date_field,
    ),
    "ttl": _ttl_field,
    **dict.fromkeys(_CODE_FIELDS, _code_field),
    "prior_offences": _count_field,
    "cohort": _text_field,
    "province": _text_field,
    "instrument": _instrument_field,
    "timepoint": _timepoint_field,
}


def _row_dates(s: _Sheet, table: str, present: set[str]) -> None:
    """The row's date (the date column, else the Google Forms timestamp) and its checks:
    required for contacts, tests and events; never after the run date."""
    out, n = s.out, s.n
    if "date" in out or "timestamp" in out:
        if "date" in out and "timestamp" in out:
            d = pd.Series(out["date"]).fillna(pd.Series(out["timestamp"])).to_numpy()
        elif "date" in out:
            d = out["date"]
        else:
            d = out.pop("timestamp")
        out["date"] = d
    dfield = "date" if "date" in present else "timestamp"
    if table in _REQUIRED_DATE:
        raw_date = s.col(dfield)
        dates = pd.Series(out.get("date", np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")))
        if raw_date is None:
            s.problems.row(np.ones(n, dtype=bool), "", None, "missing required value")
        else:
            unparsable = np.asarray(out.get(f"_bad_{dfield}", np.zeros(n, dtype=bool)), dtype=bool)
            missing = dates.isna().to_numpy()
            s.problems.row(unparsable & missing, dfield, raw_date, "unparseable date")
            s.problems.row(missing, dfield, raw_date, "missing required value")
    if table in _FUTURE_CHECK and "date" in out:
        fut = (pd.Series(out["date"]) > pd.Timestamp(s.ctx.as_of)).to_numpy()
        s.problems.row(fut, dfield, s.col(dfield), "future date")


def _client_dates(s: _Sheet) -> None:
    """Birth date (from ``Tempat, Tanggal Lahir`` when that is the column); a release before
    birth rejects the row."""
    out = s.out
    birth = out.get("birth_date")
    if birth is None and "ttl" in out:
        birth = out["ttl"]
    if birth is not None and "release_date" in out:
        rb = (pd.Series(out["release_date"]) < pd.Series(birth)).to_numpy()
        s.problems.row(rb, "release_date", s.col("release_date"), "release before birth")
    if birth is not None:
        out["birth_date"] = birth
    out.pop("ttl", None)


def extract_sheet(
    raw: RawTable,
    hmap: HeaderMap,
    table: str,
    file: str,
    ctx: SheetContext,
    sid: int = 0,
) -> Extracted:
    """Parse one recognised sheet into canonical rows of ``table``.

    Returns canonical columns of the table (item columns for assessments) plus the private
    columns ``_sid`` (the sheet's number ``sid``, for provenance), ``_row`` (source row),
    ``_nik`` (valid NIK or ""), ``_reg`` (register number), ``_fac`` (facility name),
    ``_reason``, ``_rcol``, ``_rval`` (first row-level problem, its column and value).
    """
    kinds = row_kinds(raw.body, hmap.fields)
    keep = kinds.data
    body = raw.body if keep.all() else raw.body.loc[keep]
    rows = raw.source_rows[keep]
    out: dict[str, object] = {"_sid": np.full(len(body), sid, dtype=np.int32), "_row": rows}
    s = _Sheet(hmap, body, Problems(hmap, file, raw.sheet, rows), ctx, out)
    identity_columns(s)
    present = set(hmap.fields.values())
    for f in _TABLE_FIELDS[table]:
        if f in present:
            FIELD_PARSERS[f](s, f, s.col(f))
    inferred: dict[str, str] = {}
    context = [raw.sheet, *raw.titles, file.rsplit("/", 1)[-1].rsplit(".", 1)[0]]
    if table == "assessments":
        _assessments(s, context, inferred)
    if table == "urine_tests":
        _urine(s)
    _row_dates(s, table, present)
    if table == "clients":
        _client_dates(s)
    # identifiers typed into free text, implausible numbers: emptied and rejected (scrub.py)
    scrub_sheet(out, s.col, s.problems.cell, as_of=s.ctx.as_of)
    out["_reason"] = s.problems.reason
    out["_rcol"] = s.problems.rcol
    out["_rval"] = s.problems.rval
    frame = pd.DataFrame({k: v for k, v in out.items() if not k.startswith("_bad_")})
    return Extracted(
        frame,
        s.problems.cell_frame(),
        int(kinds.empty.sum()),
        int(kinds.totals.sum()),
        any(f == "numbering" for f in hmap.fields.values()),
        inferred,
        int(kinds.notes.sum()),
    )


def _assessments(s: _Sheet, context: list[str], inferred: dict[str, str]) -> None:
    """Instrument and timepoint of each row (named, else inferred from the sheet's context or
    declared item counts) and the answers, read by the instrument's declaration."""
    out, hmap, body, n = s.out, s.hmap, s.body, s.n
    col, cell_bad, row_bad = s.col, s.problems.cell, s.problems.row
    items = hmap.items()
    instr = out.get("instrument")
    missing = (
        np.ones(n, dtype=bool)
        if instr is None
        else pd.isna(pd.Series(instr, dtype=object)).to_numpy()
    )
    if missing.any():
        # from the sheet name, title rows or file name, else from the item columns
        guess = infer_instrument(*context) or _instrument_by_items(items)
        inferred["instrument"] = guess
        if instr is None:
            out["instrument"] = np.full(n, guess, dtype=object)
        else:
            bad = out.get("_bad_instrument", np.zeros(n, dtype=bool))
            cell_bad("instrument", bad, col("instrument"), "unparseable value")
            out["instrument"] = pd.Series(instr, dtype=object).fillna(guess).to_numpy()
    # no declared instrument named or fitting: the rows are rejected, never kept unscored
    row_bad(
        pd.isna(pd.Series(out["instrument"], dtype=object)).to_numpy(),
        "instrument" if col("instrument") is not None else "",
        col("instrument"),
        "missing required value",
    )
    tp = out.get("timepoint")
    tp_col = col("timepoint")
    if tp is None:
        guess = infer_timepoint(*context)
        if guess is not None:
            inferred["timepoint"] = guess
            out["timepoint"] = np.full(n, guess, dtype=object)
        else:
            out["timepoint"] = np.full(n, None, dtype=object)
    tps = pd.Series(out["timepoint"], dtype=object)
    row_bad(
        tps.isna().to_numpy(),
        "timepoint" if tp_col is not None else "",
        tp_col,
        "missing required value",
    )
    i_codes, i_uniques = pd.factorize(pd.Series(out["instrument"], dtype=object), sort=True)
    masks = {code: (i_codes == k) for k, code in enumerate(i_uniques)}
    whole = len(i_uniques) == 1 and bool((i_codes >= 0).all())
    for item, p in sorted(items.items()):
        values = body[p].reset_index(drop=True)
        result = None  # allocated only when the sheet mixes instruments
        for code, sel in masks.items():
            if item.startswith("q") and code == "assist":
                continue
            if "_q" in item and code != "assist":
                continue
            if whole:  # one instrument for the whole sheet: no row selection needed
                vals, bad = parse_answers(values, code, item)
                result = vals.to_numpy(dtype=float)
                b = bad.to_numpy()
            else:
                vals, bad = parse_answers(values[sel], code, item)
                if result is None:
                    result = np.full(n, np.nan)
                result[sel] = vals.to_numpy()
                b = np.zeros(n, dtype=bool)
                b[sel] = bad.to_numpy()
            cell_bad(item, b, values, "out of range", hmap.headers[p])
        # answers are small integers or NaN: exact in float32, which halves the memory of
        # the intermediate tables; the canonical table holds them as float64
        out[item] = (
            np.full(n, np.nan, dtype=np.float32) if result is None else result.astype(np.float32)
        )


def _urine(s: _Sheet) -> None:
    """Panel columns and substances named in the result text → ``substances`` and a result."""
    out, n, col, cell_bad = s.out, s.n, s.col, s.problems.cell
    table = s.ctx.table("panel")
    pos = np.zeros((n, len(PANEL)), dtype=bool)
    seen = np.zeros(n, dtype=bool)
    for j, code in enumerate(PANEL):
        values = col(f"panel_{code}")
        if values is None:
            continue
        parsed, bad = parse_codes(values, table)
        cell_bad(f"panel_{code}", bad, values, "unparseable value")
        pos[:, j] = (parsed == "positive").to_numpy()
        seen |= parsed.notna().to_numpy()
    # substances named in the result text ("Positif MET, THC")
    res_col = col("urine_result")
    if res_col is not None:
        codes, uniques = distinct(res_col)
        named = np.zeros((len(uniques) + 1, len(PANEL)), dtype=bool)
        for i, u in enumerate(uniques):
            words = set(norm_value(u).split())
            for j, code in enumerate(PANEL):
                named[i, j] = code in words
        pos |= named[np.where(codes >= 0, codes, len(uniques))]
    bits = pos.astype(np.int64) @ (1 << np.arange(len(PANEL), dtype=np.int64))
    names = np.array(
        [",".join(c for j, c in enumerate(PANEL) if m >> j & 1) for m in range(1 << len(PANEL))],
        dtype=object,
    )
    out["substances"] = names[bits]
    result = pd.Series(out.get("urine_result", np.full(n, None, dtype=object)), dtype=object)
    any_pos = pos.any(axis=1)
    result = result.where(
        result.notna(), np.where(any_pos, "positive", np.where(seen, "negative", None))
    )
    out["urine_result"] = result.to_numpy(dtype=object)
