"""Keep identity out of the processed tables, the rejects, the manifest and the log.

Three guards, each a pure function on values:

* :func:`scrub_sheet` checks the free-text fields of one extracted sheet (facility, cohort,
  province, notes; coded fields are checked by their vocabulary) for identifiers: NIK-like digit runs (12 or more digits, with
  or without spaces, dots or dashes between them) and the row's own name. A hit empties the
  field and lists the cell in the rejects (reason ``identifier in text``) with a masked
  value. Numeric fields get plausible ranges (:data:`RANGES`: prior offences 0–50, age at
  the run date 12–100), so a NIK typed into a count cannot become a number (reason
  ``implausible value``).
* :func:`mask_name` masks NIK-like runs in file and sheet names before they are printed or
  written anywhere.
* :func:`describe_values` turns the ``value`` column of the rejects into a masked or
  described value (``<teks 12 huruf>``, ``<tanggal tidak valid>``, ``************4941``); a
  data manager may ask for the values themselves (NIK-like runs stay masked even then).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from rehab_eval.etl.identity import mask
from rehab_eval.etl.textcol import arrow_text, distinct, is_arrow_text, objects

__all__ = [
    "IDENTIFIER_IN_TEXT",
    "IMPLAUSIBLE_VALUE",
    "NIK_LIKE",
    "RANGES",
    "TEXT_FIELDS",
    "describe_values",
    "find_identifier",
    "mask_file_name",
    "mask_name",
    "scrub_sheet",
]

#: Reject reason: an identifier (NIK-like number or the row's name) in a free-text field.
IDENTIFIER_IN_TEXT = "identifier in text"
#: Reject reason: a number outside its plausible range (a NIK typed into a count, …).
IMPLAUSIBLE_VALUE = "implausible value"
#: 12 or more digits, possibly separated by single spaces, dots, slashes or dashes.
NIK_LIKE = re.compile(r"\d(?:[ .\-/]?\d){11,}")
#: Free-text fields checked for identifiers.
TEXT_FIELDS = ("facility", "cohort", "province", "notes")
#: Plausible ranges of numeric fields (inclusive); ``age`` is checked on the birth date.
RANGES = {"prior_offences": (0, 50), "age": (12, 100)}
_DATE_REASONS = ("unparseable date",)
_DATED_REASONS = ("future date", "release before birth")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SMALL_NUMBER = re.compile(r"^[+-]?\d{1,4}(?:[.,]\d{1,2})?$")


def _mask_runs(text: str) -> str:
    return NIK_LIKE.sub(lambda m: mask(re.sub(r"\D", "", m.group(0))), text)


def mask_name(name: str) -> str:
    """A file or sheet name with its NIK-like digit runs masked (``************0001``)."""
    return _mask_runs(str(name)) if name else name


def mask_file_name(rel: str, tables, aliases) -> str:
    """``rel`` (a raw file's path) with NIK-like runs masked and the names of the people
    listed in the file's own name columns starred out; the sheets' names likewise, in place.

    ``tables`` are the file's read sheets (:class:`~rehab_eval.etl.read.RawTable`), whose
    ``sheet`` is replaced by its masked form, so every later output names the masked sheet.
    """
    from rehab_eval.etl.headers import map_headers

    labels = [mask_name(rel), *(mask_name(rt.sheet) for rt in tables)]
    have = set(re.findall(r"\w+", " ".join(labels).casefold()))
    found: set[str] = set()
    for rt in tables:
        p = map_headers(rt.headers, aliases).column_of("name")
        if p is None or not have:
            continue
        names = rt.body[p].dropna().astype(str)
        first = pd.Series(_first_words(names), index=names.index, dtype=object)
        found.update(names[first.isin(have).to_numpy()].unique())
    for name in found:
        words = _words(name)
        if len(words) < 2:  # a full name: one word ("35 klien", a totals row) is too weak
            continue
        for i, label in enumerate(labels):
            own = set(re.findall(r"\w+", label.casefold()))
            if all(w in own for w in words):
                for w in words:
                    label = re.sub(rf"(?i)\b{re.escape(w)}\b", "*" * len(w), label)
                labels[i] = label
    for rt, label in zip(tables, labels[1:], strict=True):
        rt.sheet = label
    return labels[0]


def _words(name: str) -> list[str]:
    return [w for w in re.findall(r"\w+", name.casefold()) if len(w) >= 3 and not w.isdigit()]


def find_identifier(text: object, name: object = None) -> bool:
    """Whether ``text`` holds a NIK-like number or the name ``name`` (all its words of 3+
    letters, case-insensitive).

    Examples
    --------
    >>> find_identifier("Lapas Kedungpane 3374 0112 0190 0001")
    True
    >>> find_identifier("Budi Santoso / Rutan Semarang", "BUDI SANTOSO")
    True
    >>> find_identifier("Bapas Semarang", "Budi Santoso")
    False
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return False
    s = str(text)
    if NIK_LIKE.search(s):
        return True
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return False
    words = _words(str(name))
    if not words:
        return False
    have = set(re.findall(r"\w+", s.casefold()))
    return all(w in have for w in words)


def scrub_sheet(
    out: dict[str, object],
    col: Callable[[str], pd.Series | None],
    cell_bad: Callable[..., None],
    *,
    as_of,
) -> None:
    """Empty identifiers and implausible numbers in one extracted sheet, in place.

    ``out`` maps field → column array (the sheet's extracted columns, ``_fac`` for the
    facility); ``col(field)`` gives a raw column (or None); ``cell_bad(field, bad, values,
    reason)`` records cell rejects (masked when the field is an identity field).
    """
    names = col("name")
    if names is not None:  # each row's first name word (as a code): the name test's pre-filter
        fcodes, fwords = _name_first_words(names)
        fword_index = pd.Index(fwords)  # a hash table, built once, in C
    for f in TEXT_FIELDS:
        raw = col(f)
        if raw is None:
            continue
        codes, uniques = distinct(raw)
        codes = np.where(codes >= 0, codes, len(uniques))
        vals = np.append(uniques, None)  # a row's value is vals[codes[row]]
        hit_u = np.array([find_identifier(u) for u in uniques] + [False], dtype=bool)
        bad = hit_u[codes]
        if names is not None:
            # (value, first name word) pairs where the word occurs in the value: few rows
            pair = np.zeros((len(uniques) + 1, len(fwords) + 1), dtype=bool)
            for k, u in enumerate(uniques):
                if not hit_u[k]:
                    found = fword_index.get_indexer(
                        sorted(set(re.findall(r"\w+", str(u).casefold())))
                    )
                    pair[k, found[found >= 0]] = True
            for i in np.flatnonzero(pair[codes, fcodes]):
                bad[i] = find_identifier(vals[codes[i]], names.iat[i])
        if not bad.any():
            continue
        masked = pd.Series([_describe_text(v) for v in vals[codes[bad]]], dtype=object)
        shown = pd.Series(np.full(len(codes), "", dtype=object), dtype=object)
        shown[np.flatnonzero(bad)] = masked.to_numpy()
        cell_bad(f, bad, shown, IDENTIFIER_IN_TEXT)
        key = "_fac" if f == "facility" else f
        if key in out:
            arr = np.asarray(out[key], dtype=object).copy()
            arr[bad] = "" if key == "_fac" else None
            out[key] = arr
    if "prior_offences" in out:
        lo, hi = RANGES["prior_offences"]
        v = pd.array(out["prior_offences"], dtype="Float64")
        bad = np.asarray(((v < lo) | (v > hi)).fillna(False), dtype=bool)
        if bad.any():
            raw = col("prior_offences")
            cell_bad("prior_offences", bad, _masked_raw(raw, bad, len(bad)), IMPLAUSIBLE_VALUE)
            arr = pd.array(out["prior_offences"], dtype="Int64")
            arr[bad] = pd.NA
            out["prior_offences"] = arr.to_numpy(dtype=object, na_value=pd.NA)
    birth = out.get("birth_date", out.get("ttl"))
    if birth is not None:
        b = pd.to_datetime(pd.Series(birth), errors="coerce")
        ref = pd.Timestamp(as_of)
        age = (ref - b).dt.days / 365.25
        lo, hi = RANGES["age"]
        bad = ((age < lo) | (age > hi)).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            field = "birth_date" if "birth_date" in out else "ttl"
            raw = col(field)
            cell_bad(field, bad, _masked_raw(raw, bad, len(bad)), IMPLAUSIBLE_VALUE)
            key = "birth_date" if "birth_date" in out else "ttl"
            arr = pd.Series(out[key]).copy()
            arr[bad] = pd.NaT
            out[key] = arr.to_numpy()


def _name_first_words(names: pd.Series) -> tuple[np.ndarray, list[str]]:
    """:func:`_first_word_codes` of the distinct names only (a name recurs on every row of
    its person), taken back to the rows."""
    codes, uniques = distinct(names)
    ucodes, words = _first_word_codes(pd.Series(uniques, dtype=object))
    return np.append(ucodes, len(words))[np.where(codes >= 0, codes, len(uniques))], words


def _first_word_codes(names: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each name's first word of 3+ letters, lower case, as (code per row, distinct words);
    a row without one gets code ``len(words)``. Vectorised (pyarrow), names never copied
    into Python strings one by one."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        if is_arrow_text(names):
            arr = arrow_text(names)
        else:
            arr = pa.array(names.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        words = pc.extract_regex(pc.utf8_lower(arr), r"(?P<w>[\pL\pN_]{3,})").field("w")
        enc = (
            pc.dictionary_encode(words).combine_chunks()
            if hasattr(words, "chunks")
            else (pc.dictionary_encode(words))
        )
        uniq = enc.dictionary.to_pylist()
        codes = enc.indices.fill_null(len(uniq)).to_numpy(zero_copy_only=False)
        return codes.astype(np.int64), uniq
    except (TypeError, ValueError, ImportError, pa.ArrowException):  # mixed types: pandas
        text = names.astype(object).where(names.notna(), "").astype(str).str.casefold()
        first = text.str.extract(r"(\w{3,})", expand=False)
        codes, uniq = pd.factorize(first, sort=False)
        return np.where(codes >= 0, codes, len(uniq)), list(uniq)


def _first_words(names: pd.Series) -> np.ndarray:
    """Each name's first word of 3+ letters, lower case ("" when none)."""
    codes, uniq = _first_word_codes(names)
    return np.array([*uniq, ""], dtype=object)[codes]


def _masked_raw(raw: pd.Series | None, bad: np.ndarray, n: int) -> pd.Series:
    vals = np.full(n, "", dtype=object)  # only the bad cells are shown
    idx = np.flatnonzero(bad)
    if raw is not None:
        vals[idx] = [_mask_runs(str(v)) for v in objects(raw.iloc[idx])]
    return pd.Series(vals, dtype=object)


def _describe_text(v: object) -> str:
    s = "" if v is None else str(v).strip()
    return f"<teks {len(s)} huruf>"


def _describe(value: str, reason: str) -> str:
    if value == "" or (value.startswith("<") and value.endswith(">")):
        return value  # nothing, or already described
    if re.fullmatch(r"\*+[^*]{0,4}", value):
        return value  # already masked (identity fields are masked when extracted)
    if NIK_LIKE.search(value):
        digits = re.sub(r"\D", "", value)
        return mask(digits) if len(digits) >= len(value) * 0.6 else _describe_text(value)
    if reason in _DATE_REASONS:
        return "<tanggal tidak valid>"
    if reason in _DATED_REASONS or _ISO_DATE.match(value):
        return "<tanggal>"
    if _SMALL_NUMBER.match(value):
        return value
    return _describe_text(value)


def describe_values(values: pd.Series, reasons: pd.Series, *, show: bool = False) -> pd.Series:
    """The ``value`` column of the rejects, safe to open: described by default.

    With ``show=True`` the values are kept as written except NIK-like runs (always masked).

    Returns
    -------
    pandas.Series
        One text per reject, aligned with ``values``.
    """
    v = values.astype(object).where(values.notna(), "").astype(str)
    if show:
        return v.map(_mask_runs)
    pairs = pd.DataFrame({"v": v, "r": reasons.astype(object).fillna("").astype(str)})
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(pairs), sort=False)
    done = np.array([_describe(a, b) for a, b in uniques] + [""], dtype=object)
    return pd.Series(done[np.where(codes >= 0, codes, len(uniques))], index=values.index)
