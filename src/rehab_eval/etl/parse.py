"""Parse raw cell text into canonical values: dates, numbers, categorical codes, item answers.

Every parser works on the distinct values of a column (Arrow strings or Python text alike, see
:func:`~rehab_eval.etl.textcol.distinct`), so a million rows cost a handful of distinct
spellings. A value that cannot
be read becomes missing and is flagged, so that the pipeline can write it to rejects.

Dates are day-first (``7/11/2024`` is 7 November 2024) unless the column is a Google Forms
timestamp, which is month-first (``11/7/2024 10:23:45`` is 7 November 2024). Indonesian month
names follow CLDR ``id`` (v45) plus legacy spellings (Pebruari, Nopember, Agust); English
month names are accepted too. Excel serial numbers count days from 1899-12-30.

References
----------
Unicode CLDR v45, locale ``id`` (month and day names, short date ``dd/MM/yy``).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from rehab_eval.etl.fastdates import bulk_dates
from rehab_eval.etl.textcol import distinct

__all__ = [
    "parse_answers",
    "parse_codes",
    "parse_date_text",
    "parse_dates",
    "parse_number_text",
    "parse_numbers",
    "value_table",
]

_MONTHS = {
    "januari": 1, "jan": 1, "january": 1, "janv": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2, "febr": 2,
    "maret": 3, "mar": 3, "march": 3, "mrt": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agst": 8, "agts": 8, "agust": 8, "agus": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nop": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12, "dese": 12,
}  # fmt: skip
_DAYS = (
    "senin|selasa|rabu|kamis|jumat|jum'at|jum at|sabtu|minggu|ahad|"
    "sen|sel|rab|kam|jum|sab|min|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun"
)
_DAY_PREFIX = re.compile(rf"^(?:{_DAYS})\b[\s,.]*", re.I)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?$")
_NUMERIC = re.compile(
    r"^(\d{1,4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})"
    r"(?:[ T,]+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\.?)?)?$",
    re.I,
)
_WORDS = re.compile(r"^(\d{1,2})[\s\-/.]*([a-z]+)\.?[\s\-/.,]*(\d{2}|\d{4})$", re.I)
_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")


def _year(y: str, pivot: int) -> int:
    n = int(y)
    if len(y) == 2:
        return 2000 + n if n <= pivot else 1900 + n
    return n


def _mk(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_date_text(text: str, *, month_first: bool = False, pivot: int = 30) -> dt.date | None:
    """One date cell → ``datetime.date``, or None when it is not a (possible) date.

    ``pivot``: two-digit years up to it are 20xx, the others 19xx.

    Examples
    --------
    >>> parse_date_text("Kamis (7/11/2024)")
    datetime.date(2024, 11, 7)
    >>> parse_date_text("11/7/2024 10:23:45", month_first=True)
    datetime.date(2024, 11, 7)
    >>> parse_date_text("30 Februari 2025") is None
    True
    """
    s = str(text).strip()
    if not s:
        return None
    s = _DAY_PREFIX.sub("", s).strip()
    if s.startswith("(") and s.endswith(")"):
        s = s[1:-1].strip()
    s = re.sub(r"\s+", " ", s)
    m = _ISO.match(s)
    if m:
        return _mk(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NUMERIC.match(s)
    if m:
        a, b, y = m.group(1), m.group(2), m.group(3)
        if len(a) == 4:  # 2024/11/07
            return _mk(int(a), int(b), int(y)) if len(y) <= 2 else None
        if month_first:
            a, b = b, a
        return _mk(_year(y, pivot), int(b), int(a))
    m = _WORDS.match(s)
    if m:
        month = _MONTHS.get(m.group(2).lower())
        if month is None:
            return None
        return _mk(_year(m.group(3), pivot), month, int(m.group(1)))
    if _SERIAL.match(s):
        n = int(float(s))
        if 10_000 <= n <= 80_000:  # 1927 … 2119
            return dt.date(1899, 12, 30) + dt.timedelta(days=n)
    return None


_DATE_CACHE: dict[tuple[str, bool, int], dt.date | None] = {}


def _cached_date(text: str, month_first: bool, pivot: int) -> dt.date | None:
    """parse_date_text memoised across columns and files (bounded)."""
    key = (text, month_first, pivot)
    hit = _DATE_CACHE.get(key, key)
    if hit is not key:
        return hit
    out = parse_date_text(text, month_first=month_first, pivot=pivot)
    if len(_DATE_CACHE) > 200_000:
        _DATE_CACHE.clear()
    _DATE_CACHE[key] = out
    return out


def parse_dates(
    values: pd.Series, *, month_first: bool = False, pivot: int = 30
) -> tuple[pd.Series, pd.Series]:
    """Parse a column of date text → (``datetime64[ns]`` Series, bool Series of bad cells).

    A non-empty cell that is not a possible date is NaT and flagged bad; empty cells are NaT
    and not flagged.
    """
    codes, uniques = distinct(values)
    arr = np.full(len(uniques) + 1, np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    bad_arr = np.zeros(len(uniques) + 1, dtype=bool)
    arr[:-1], done = bulk_dates(uniques, _MONTHS, month_first=month_first, pivot=pivot)
    rest = np.flatnonzero(~done)  # the texts the bulk reader left: one by one
    parsed = [_cached_date(u, month_first, pivot) for u in uniques[rest]]
    arr[rest] = np.array(parsed, dtype="datetime64[ns]")  # None is NaT
    bad_arr[rest] = [
        p is None and str(u).strip() != "" for p, u in zip(parsed, uniques[rest], strict=True)
    ]
    idx = np.where(codes >= 0, codes, len(uniques))
    return (
        pd.Series(arr[idx], index=values.index, dtype="datetime64[ns]"),
        pd.Series(bad_arr[idx], index=values.index, dtype=bool),
    )


_NUM = re.compile(r"^[+-]?\d+$")


def parse_number_text(text: str) -> float | None:
    """``"3,5"`` → 3.5, ``"1.234"`` → 1234.0, ``" 12 "`` → 12.0; None when not a number.

    A single dot followed by exactly three digits is a thousands separator (``1.234``);
    otherwise a dot or comma is the decimal mark.
    """
    s = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if not s:
        return None
    if _NUM.match(s):
        return float(s)
    if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", s):
        return float(s.replace(".", ""))
    if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+,\d+", s):
        return float(s.replace(".", "").replace(",", "."))
    if re.fullmatch(r"[+-]?\d+[.,]\d+", s):
        return float(s.replace(",", "."))
    return None


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of number text → (float Series, bool Series of bad cells)."""
    return _map_unique(values, parse_number_text)


def _map_unique(values: pd.Series, fn) -> tuple[pd.Series, pd.Series]:
    codes, uniques = distinct(values)
    parsed = [fn(u) for u in uniques]
    vals = np.array([np.nan if p is None else p for p in parsed], dtype=float)
    empty = np.array([str(u).strip() == "" for u in uniques], dtype=bool)
    bad_u = np.isnan(vals) & ~empty
    idx = np.maximum(codes, 0)
    out = np.where(codes >= 0, vals[idx] if len(uniques) else np.nan, np.nan)
    bad = np.where(codes >= 0, bad_u[idx] if len(uniques) else False, False)
    return pd.Series(out, index=values.index), pd.Series(bad, index=values.index, dtype=bool)


def norm_value(text: object) -> str:
    """Lower-case, punctuation to spaces, single spaces (``"Drop-Out"`` → ``"drop out"``)."""
    s = str(text).strip().lower()
    s = re.sub(r"[\s_\-.,;:/()\[\]]+", " ", s)
    return s.strip()


@cache
def _values_data() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("values.toml").read_text("utf-8"))


def value_table(kind: str, extra: Mapping[str, list[str]] | None = None) -> dict[str, str]:
    """Normalised spelling → canonical code for one vocabulary of ``values.toml`` (the
    instrument names come from the instrument declarations)."""
    out: dict[str, str] = dict(instrument_table()) if kind == "instrument" else {}
    for code, spellings in ({} if kind == "instrument" else _values_data()[kind]).items():
        out[norm_value(code)] = code
        for s in spellings:
            out[norm_value(s)] = code
            out[str(s).strip().lower()] = code
    for code, spellings in (extra or {}).items():
        for s in spellings:
            out[norm_value(s)] = code
    return out


def parse_codes(
    values: pd.Series, table: Mapping[str, str], *, first_word: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Map a column of text to canonical codes → (object Series with None, bool bad cells).

    ``first_word``: when the whole text is unknown, try its first word (``"Positif MET"``).
    """
    codes, uniques = distinct(values)
    mapped = []
    bad_u = []
    for u in uniques:
        s = str(u).strip()
        if not s:
            mapped.append(None)
            bad_u.append(False)
            continue
        code = table.get(s.lower())
        if code is None:
            code = table.get(norm_value(s))
        if code is None and first_word and norm_value(s):
            code = table.get(norm_value(s).split()[0])
        mapped.append(code)
        bad_u.append(code is None)
    arr = np.array(mapped + [None], dtype=object)
    bad_arr = np.array(bad_u + [False], dtype=bool)
    idx = np.where(codes >= 0, codes, len(uniques))
    return (
        pd.Series(arr[idx], index=values.index, dtype=object),
        pd.Series(bad_arr[idx], index=values.index, dtype=bool),
    )


@cache
def _instruments() -> dict:
    from rehab_eval.instruments.registry import declared_instruments

    return {i.name: i for i in declared_instruments()}


@cache
def instrument_table() -> dict[str, str]:
    """Normalised spelling → instrument name, from the instrument declarations."""
    out: dict[str, str] = {}
    for name, inst in _instruments().items():
        for s in (name, *inst.raw_forms.names):
            out[norm_value(s)] = name
            out[str(s).strip().lower()] = name
    return out


@cache
def _answer_words(instrument: str) -> dict[str, float]:
    words = _instruments()[instrument].raw_forms.answer_words
    return {norm_value(w): float(v) for w, v in words.items()}


@cache
def allowed_values(instrument: str, item: str) -> frozenset[float]:
    """Allowed answers of one item column (``"q3"`` or ``"alcohol_q2"``), as declared."""
    allowed = _instruments()[instrument].allowed
    q = item.rsplit("_", 1)[-1]
    return frozenset(float(v) for v in allowed.get(q, ()))


def _answer(text: str, instrument: str) -> float | None:
    s = str(text).strip()
    n = parse_number_text(s)
    if n is not None:
        return n
    return _answer_words(instrument).get(norm_value(s))


def parse_answers(values: pd.Series, instrument: str, item: str) -> tuple[pd.Series, pd.Series]:
    """Parse one item column → (float answers, bool out-of-range cells).

    Digits, decimal-comma digits and the instrument's answer words are read; a value not in
    the item's allowed set (both from the instrument's declaration) is missing and flagged.
    """
    allowed = allowed_values(instrument, item)
    codes, uniques = distinct(values)
    vals = []
    bad_u = []
    for u in uniques:
        if not str(u).strip():
            vals.append(np.nan)
            bad_u.append(False)
            continue
        a = _answer(u, instrument)
        ok = a is not None and a in allowed
        vals.append(a if ok else np.nan)
        bad_u.append(not ok)
    arr = np.array(vals + [np.nan], dtype=float)
    bad_arr = np.array(bad_u + [False], dtype=bool)
    idx = np.where(codes >= 0, codes, len(uniques))
    return (
        pd.Series(arr[idx], index=values.index),
        pd.Series(bad_arr[idx], index=values.index, dtype=bool),
    )
