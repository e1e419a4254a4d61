"""The identity columns of one extracted sheet: ``_nik``, ``_reg`` and ``_fac``.

Identity is resolved later (across files, :mod:`rehab_eval.etl.assemble`); here each row gets
its cleaned NIK (or ""), its register number without whitespace in upper case, and its
canonical facility name, and a bad NIK rejects the row. NIKs are checked by
:func:`~rehab_eval.etl.identity.check_niks` on the distinct values; in an Arrow text column
the cells that are already 16 plain digits (nearly all of them) are checked in bulk by the
same rule (the birth date inside, women's day + 40), without hashing a million distinct
texts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rehab_eval.etl.identity import NIK_INVALID, NIK_OK, _valid_date, check_niks
from rehab_eval.etl.textcol import arrow_text, distinct, is_arrow_text, map_distinct, squeeze_upper

__all__ = ["check_nik_column", "identity_columns"]

_PLAIN = "^[0-9]{16}$"


def _plain_niks(arr) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of 16 plain ASCII digits, and for them (cleaned NIK or "", problem)."""
    import pyarrow.compute as pc

    plain = pc.match_substring_regex(arr, _PLAIN).fill_null(False).to_numpy(zero_copy_only=False)
    sub = arr.filter(plain)

    def part(start: int) -> np.ndarray:
        two = pc.utf8_slice_codeunits(sub, start, start + 2)
        return pc.cast(two, "int64").to_numpy(zero_copy_only=False)

    day, month, yy = part(6), part(8), part(10)
    day = np.where(day > 40, day - 40, day)
    good = _valid_date(2000 + yy, month, day) | _valid_date(1900 + yy, month, day)
    vals = sub.to_numpy(zero_copy_only=False)
    clean = np.where(good, vals, "").astype(object)
    problem = np.where(good, NIK_OK, NIK_INVALID).astype(object)
    return plain, clean, problem


def check_nik_column(nik: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(cleaned NIK or "", problem) per row, as ``check_niks`` gives them."""
    n = len(nik)
    clean = np.full(n, "", dtype=object)
    problem = np.full(n, NIK_OK, dtype=object)
    rest = None
    if is_arrow_text(nik) and n:
        plain, plain_clean, plain_problem = _plain_niks(arrow_text(nik))
        clean[plain], problem[plain] = plain_clean, plain_problem
        rest = np.flatnonzero(~plain)
        if not len(rest):
            return clean, problem
    sub = nik if rest is None else nik.iloc[rest]
    codes, uniques = distinct(sub)
    c_u, p_u = check_niks(pd.Series(uniques, dtype=object))
    idx = np.where(codes >= 0, codes, len(uniques))
    got_clean = np.append(c_u.to_numpy(dtype=object), "")[idx]
    got_problem = np.append(p_u.to_numpy(dtype=object), "")[idx]
    if rest is None:
        return got_clean, got_problem
    clean[rest], problem[rest] = got_clean, got_problem
    return clean, problem


def _fac_name(resolved) -> str:
    return resolved.name if resolved else ""


def identity_columns(s) -> None:
    """``_nik`` (valid or ""; a bad NIK rejects the row), ``_reg`` and ``_fac`` of the sheet
    ``s`` (an ``extract._Sheet``), into ``s.out``."""
    n, out = s.n, s.out
    nik = s.col("nik")
    if nik is not None:
        clean, problem = check_nik_column(nik)
        for why in ("nik unrecoverable", "invalid nik"):
            s.problems.row(problem == why, "nik", nik, why)
        out["_nik"] = clean
    else:
        out["_nik"] = np.full(n, "", dtype=object)
    reg = s.col("register_no")
    if reg is not None:
        # str.split() and the regex \s split on the same (Unicode) whitespace
        fast = squeeze_upper(reg)
        if fast is None:
            fast = map_distinct(reg, lambda u: "".join(str(u).split()).upper())
        out["_reg"] = fast
    else:
        out["_reg"] = np.full(n, "", dtype=object)
    fac = s.col("facility")
    if fac is not None:
        out["_fac"] = map_distinct(fac, lambda u: _fac_name(s.ctx.resolver.resolve(u)), "")
    else:
        out["_fac"] = np.full(n, "", dtype=object)
