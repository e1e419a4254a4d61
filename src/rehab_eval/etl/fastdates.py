"""The common date spellings read in bulk (Arrow regex kernels and numpy), without a Python
call per distinct text.

Only texts that :func:`~rehab_eval.etl.parse.parse_date_text` would read the same way, by
the same rule, are taken here, and only when they are valid dates between 1700 and 2200:

* ISO ``2024-11-07``;
* day, month and year in digits ``7/11/2024``, ``07-11-24``, ``7.11.2024`` (month first for a
  Google Forms timestamp column), a two-digit year by the pivot;
* day, month name and year ``24 Januari 2025``, ``7-Nov-24`` (the month names of
  :data:`~rehab_eval.etl.parse._MONTHS`).

ASCII digits and letters only, one separator between the parts, nothing around them.
Everything else (an invalid date, a weekday in front, a time after, Excel serial numbers,
other digits) is left to :func:`~rehab_eval.etl.parse.parse_date_text`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["bulk_dates"]

_ISO = r"^(?P<y>[0-9]{4})-(?P<a>[0-9]{1,2})-(?P<b>[0-9]{1,2})$"
_DIGITS = r"^(?P<a>[0-9]{1,2})[/.\-](?P<b>[0-9]{1,2})[/.\-](?P<y>[0-9]{2}|[0-9]{4})$"
_NAMED = r"^(?P<a>[0-9]{1,2})[ \-/.](?P<b>[A-Za-z]+)[ \-/.](?P<y>[0-9]{2}|[0-9]{4})$"
_MIN_UNIQUES = 32  # fewer distinct texts are read one by one as cheaply


def _parts(arr, pattern: str):
    import pyarrow.compute as pc

    got = pc.extract_regex(arr, pattern)
    ok = got.is_valid().to_numpy(zero_copy_only=False)
    return ok, {k: pc.struct_field(got, k) for k in ("y", "a", "b")}


def _ints(arr, ok: np.ndarray) -> np.ndarray:
    import pyarrow.compute as pc

    out = np.zeros(len(ok), dtype=np.int64)
    if ok.any():
        vals = pc.cast(pc.filter(arr, ok), "int64").to_numpy(zero_copy_only=False)
        out[ok] = vals
    return out


def _year(y: np.ndarray, two_digit: np.ndarray, pivot: int) -> np.ndarray:
    return np.where(two_digit, np.where(y <= pivot, 2000 + y, 1900 + y), y)


def _to_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """datetime64[ns] of (y, m, d) and whether it is a valid date in 1700…2200."""
    ok = (y >= 1700) & (y <= 2200) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
    ym = (np.where(ok, y, 1970) - 1970).astype("datetime64[Y]").astype("datetime64[M]")
    ym = ym + np.where(ok, m - 1, 0).astype("timedelta64[M]")
    days = ym.astype("datetime64[D]") + np.where(ok, d - 1, 0).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == ym  # day 31 of a 30-day month rolls over
    return days.astype("datetime64[ns]"), ok


def bulk_dates(
    uniques: np.ndarray, months: Mapping[str, int], *, month_first: bool, pivot: int
) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[ns] per text, whether it was read here) for distinct date texts.

    A text not read here (its flag False) is left for ``parse_date_text``.
    """
    n = len(uniques)
    done = np.zeros(n, dtype=bool)
    out = np.full(n, np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    if n < _MIN_UNIQUES:
        return out, done
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(uniques, type=pa.large_string())
    except (ImportError, TypeError, ValueError, pa.ArrowException):
        return out, done
    for pattern in (_ISO, _DIGITS, _NAMED):
        ok, parts = _parts(arr, pattern)
        ok &= ~done
        if not ok.any():
            continue
        y = _ints(parts["y"], ok)
        two = ok & (pc.utf8_length(parts["y"]).fill_null(0).to_numpy(zero_copy_only=False) == 2)
        y = _year(y, two, pivot)
        a = _ints(parts["a"], ok)
        if pattern == _NAMED:
            words = pc.ascii_lower(parts["b"]).to_numpy(zero_copy_only=False)
            m = np.array([months.get(w, 0) if w is not None else 0 for w in words])
            d = a
        elif pattern == _ISO:
            m, d = a, _ints(parts["b"], ok)
        else:
            b = _ints(parts["b"], ok)
            m, d = (a, b) if month_first else (b, a)
        days, valid = _to_days(y, m, d)
        take = ok & valid
        out[take] = days[take]
        done |= take
    return out, done
