"""Identity at the ETL boundary: NIK validation, keyed pseudonyms, key handling, masking.

NIK (Nomor Induk Kependudukan) structure: ``PP KK CC DDMMYY SSSS`` — province, regency/city,
district, birth date (day + 40 for women), serial. There is no check digit. A NIK that Excel
stored as a number in floating point (``3.37401E+15``, ``3374010000000000.0``) has lost
digits and cannot be recovered.

``client_id`` = ``"c"`` + the first 16 hex digits of HMAC-SHA256(key, ``"nik:" + NIK``), or of
``"reg:" + facility + "|" + register number`` when the NIK is not known. The key comes from
the ``secret`` argument, ``REHAB_EVAL_SECRET`` or the key file; creating, checking and
fingerprinting the key is :mod:`rehab_eval.etl.keys`' job (its names are re-exported here).

References
----------
Dirjen Dukcapil (NIK structure); python-stdnum ``stdnum.id.nik``; RFC 2104 (HMAC).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import numpy as np
import pandas as pd

from rehab_eval.etl.keys import key_fingerprint, load_key  # re-exported: keys live in keys.py

__all__ = [
    "NIK_INVALID",
    "NIK_OK",
    "NIK_UNRECOVERABLE",
    "check_nik",
    "check_niks",
    "client_codes",
    "client_ids",
    "hmac_codes",
    "key_fingerprint",
    "load_key",
    "mask",
    "nik_attributes",
    "nik_birth_date",
    "nik_sex",
]

NIK_OK = ""
NIK_INVALID = "invalid nik"
NIK_UNRECOVERABLE = "nik unrecoverable"
_FLOATY = re.compile(r"^\d+(?:[.,]\d*)?[eE][+-]?\d+$|^\d+\.\d*$|^\d{1,3}(?:,\d{3}){4,}$")


def clean_nik(text: str) -> str:
    """Strip spaces, a leading apostrophe (Excel's text marker) and separators."""
    s = re.sub(r"[\s\-]", "", str(text).strip().lstrip("'`").strip())
    # dots between the groups (33.74.07.070195.4941); a single dot is a float's
    return s.replace(".", "") if s.count(".") >= 2 else s


def check_nik(text: str) -> tuple[str, str]:
    """Validate one NIK → (cleaned NIK or "", problem: "" / "invalid nik" / "nik unrecoverable").

    Examples
    --------
    >>> check_nik("3374014501900001")
    ('3374014501900001', '')
    >>> check_nik("3.37401E+15")[1]
    'nik unrecoverable'
    >>> check_nik("3374013202900001")[1]
    'invalid nik'
    """
    s = clean_nik(text)
    if not s:
        return "", NIK_OK
    if _FLOATY.match(s):
        return "", NIK_UNRECOVERABLE
    if not (s.isdigit() and len(s) == 16 and s.isascii()):
        return "", NIK_INVALID
    if nik_birth_date(s) is None:
        return "", NIK_INVALID
    return s, NIK_OK


def _digit_parts(nik16: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day (women's +40 removed), month and two-digit year of 16-digit NIK strings."""
    if not len(nik16):
        z = np.zeros(0, dtype=np.int64)
        return z, z, z
    d = np.asarray(nik16, dtype="U16").view(np.uint32).reshape(-1, 16).astype(np.int64) - 48
    day = d[:, 6] * 10 + d[:, 7]
    day = np.where(day > 40, day - 40, day)
    return day, d[:, 8] * 10 + d[:, 9], d[:, 10] * 10 + d[:, 11]


def _valid_date(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    mdays = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    ok_m = (month >= 1) & (month <= 12)
    last = mdays[np.where(ok_m, month, 0)] + ((month == 2) & leap)
    return ok_m & (day >= 1) & (day <= last)


def check_niks(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised :func:`check_nik` → (cleaned NIK or "", problem) for a column of text."""
    s = values.astype(object).where(values.notna(), "")
    arr = s.to_numpy(dtype=object)
    plain = s.str.fullmatch(r"[0-9]{16}").fillna(False).to_numpy(dtype=bool)
    if not plain.all():  # clean only the values that are not already 16 plain digits
        other = pd.Series(arr[~plain], dtype=object).astype(str)
        other = other.str.strip().str.lstrip("'`").str.strip()
        other = other.str.replace(r"[\s\-]", "", regex=True)
        dotted = other.str.count(r"\.") >= 2
        if dotted.any():  # dots between the groups (33.74.07.070195.4941)
            other = other.where(~dotted, other.str.replace(".", "", regex=False))
        arr = arr.copy()
        arr[~plain] = other.to_numpy(dtype=object)
    s = pd.Series(arr, index=values.index, dtype=object)
    empty = (s == "").to_numpy()
    floaty = np.zeros(len(s), dtype=bool)
    digits = plain.copy()
    if not plain.all():
        rest = pd.Series(arr[~plain], dtype=object)
        floaty[~plain] = (
            rest.str.match(_FLOATY.pattern).to_numpy(dtype=bool) & (rest != "").to_numpy()
        )
        digits[~plain] = rest.str.fullmatch(r"[0-9]{16}").to_numpy(dtype=bool)
    good = digits.copy()
    idx = np.flatnonzero(digits)
    day, month, yy = _digit_parts(arr[idx])
    good[idx] = _valid_date(2000 + yy, month, day) | _valid_date(1900 + yy, month, day)
    problem = np.where(good | empty, NIK_OK, NIK_INVALID).astype(object)
    problem[floaty] = NIK_UNRECOVERABLE
    clean = np.where(good, arr, "").astype(object)
    return pd.Series(clean, index=values.index, dtype=object), pd.Series(
        problem, index=values.index, dtype=object
    )


def _dates(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"year": year, "month": month, "day": day})
    return pd.to_datetime(frame, errors="coerce")


def _parts(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    day = pd.to_numeric(s.str[6:8], errors="coerce")
    day = day.where(day <= 40, day - 40)
    month = pd.to_numeric(s.str[8:10], errors="coerce")
    yy = pd.to_numeric(s.str[10:12], errors="coerce")
    return day, month, yy


def nik_attributes(niks: pd.Series, *, as_of: dt.date | None = None) -> pd.DataFrame:
    """Sex and birth date from valid NIKs (columns ``sex``, ``birth_date``; missing otherwise).

    The century is the later one that does not put the birth after ``as_of`` (default today).
    """
    if niks.dtype == np.int64:  # coded NIKs (rehab_eval.etl._codes): -1 for none
        valid, raw_day, month, yy = _nik_code_digits(niks.to_numpy())
    else:
        s = niks.astype(object).where(niks.notna(), "").astype(str)
        valid, raw_day, month, yy = _nik_digits(s.to_numpy(dtype=object))
    day = np.where(raw_day > 40, raw_day - 40, raw_day)
    idx = niks.index
    d20 = _dates(
        pd.Series(2000 + yy, index=idx), pd.Series(month, index=idx), pd.Series(day, index=idx)
    )
    d19 = _dates(
        pd.Series(1900 + yy, index=idx), pd.Series(month, index=idx), pd.Series(day, index=idx)
    )
    today = pd.Timestamp(as_of or dt.date.today())
    valid_s = pd.Series(valid, index=idx)
    birth = d20.where(d20.notna() & (d20 <= today), d19)
    birth = birth.where(birth.notna(), d20).where(valid_s)
    sex = pd.Series(np.where(raw_day > 40, "female", "male"), index=idx, dtype=object)
    return pd.DataFrame({"sex": sex.where(valid_s & birth.notna(), None), "birth_date": birth})


def _nik_code_digits(codes: np.ndarray) -> tuple[np.ndarray, ...]:
    """:func:`_nik_digits` of NIKs coded as integers (the 16 digits as a number; -1: none)."""
    valid = codes >= 0
    c = np.where(valid, codes, 10**8 + 10**6)  # placeholder: day 1, month 1, year 00
    return valid, (c // 10**8) % 100, (c // 10**6) % 100, (c // 10**4) % 100


def _nik_digits(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(is 16 ASCII digits, day field, month field, two-digit year) of text NIKs, with numpy.

    Rows that are not 16 digits get day 1, month 1, year 00 (a valid placeholder date).
    """
    n = len(arr)
    valid = np.zeros(n, dtype=bool)
    day = np.ones(n, dtype=np.int64)
    month = np.ones(n, dtype=np.int64)
    yy = np.zeros(n, dtype=np.int64)
    if not n:
        return valid, day, month, yy
    u = arr.astype(str)
    width = u.dtype.itemsize // 4
    if width < 16:
        return valid, day, month, yy
    cp = u.view(np.uint32).reshape(n, width)
    digits = ((cp[:, :16] >= 48) & (cp[:, :16] <= 57)).all(axis=1)
    valid = digits if width == 16 else digits & (cp[:, 16] == 0)
    d = cp[valid, 6:12].astype(np.int64) - 48
    day[valid] = d[:, 0] * 10 + d[:, 1]
    month[valid] = d[:, 2] * 10 + d[:, 3]
    yy[valid] = d[:, 4] * 10 + d[:, 5]
    return valid, day, month, yy


def _nik_date(nik: str, century: int) -> dt.date | None:
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    try:
        return dt.date(century + yy, month, day)
    except ValueError:
        return None


def nik_birth_date(nik: str, *, as_of: dt.date | None = None) -> dt.date | None:
    """Birth date from a 16-digit NIK (19xx/20xx chosen so that the date is not in the future)."""
    if len(nik) != 16 or not nik.isdigit():
        return None
    today = as_of or dt.date.today()
    d20 = _nik_date(nik, 2000)
    if d20 is not None and d20 <= today:
        return d20
    d19 = _nik_date(nik, 1900)
    return d19 if d19 is not None else d20


def nik_sex(nik: str) -> str | None:
    """``female`` when 40 was added to the day of birth, else ``male``."""
    if len(nik) != 16 or not nik.isdigit():
        return None
    return "female" if int(nik[6:8]) > 40 else "male"


def mask(text: object) -> str:
    """Mask an identifier for rejects and messages: ``3374011201900001`` → ``************0001``.

    Keeps only the last four characters of identifiers of 12 or more characters, the last
    two of 8 to 11 characters, and masks shorter ones entirely (the leading digits of a NIK
    are its region and birth date, so they are never shown).
    """
    s = str(text).strip()
    n = len(s)
    k = 4 if n >= 12 else 2 if n >= 8 else 0
    return "*" * (n - k) + s[n - k :]


def _hmac_sha256(key: bytes, *, raw: bool = False):
    """HMAC-SHA256 with the key's inner and outer pads hashed once (RFC 2104, section 2).

    Returns a function ``message bytes → hex digest`` equal to
    ``hmac.new(key, message, hashlib.sha256).hexdigest()`` (the digest's bytes when ``raw``),
    without re-deriving the pads for every message.
    """
    block = 64  # SHA-256 block size
    k = hashlib.sha256(key).digest() if len(key) > block else key
    k = k.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in k))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in k))

    def digest(msg: bytes):
        i = inner.copy()
        i.update(msg)
        o = outer.copy()
        o.update(i.digest())
        return o.digest() if raw else o.hexdigest()

    return digest


def hmac_codes(messages: list[bytes], key: bytes) -> np.ndarray:
    """The first 64 bits of HMAC-SHA256(key, message) of each message, as ``uint64``."""
    digest = _hmac_sha256(key, raw=True)
    return np.frombuffer(b"".join([digest(m)[:8] for m in messages]), dtype=">u8").astype(np.uint64)


def client_codes(tokens, key: bytes, memo: dict | None = None) -> np.ndarray:
    """Pseudonyms of ``tokens`` as ``uint64`` codes: the first 64 bits of HMAC-SHA256(key,
    token), whose 16 hex digits make the ``client_id`` (see :func:`client_ids`).

    Computed once per distinct token; ``memo`` (token → code) may be shared between calls.
    Missing tokens get code 0 (and must be told apart by the caller).
    """
    codes, uniques = pd.factorize(np.asarray(tokens, dtype=object), sort=False)
    memo = {} if memo is None else memo
    uniq = uniques.tolist()
    out = np.zeros(len(uniq) + 1, dtype=np.uint64)
    known = [memo.get(u) for u in uniq]
    new = [i for i, k in enumerate(known) if k is None]
    if len(new) < len(uniq):
        old = [i for i, k in enumerate(known) if k is not None]
        out[old] = [known[i] for i in old]
    if new:
        got = hmac_codes([str(uniq[i]).encode("utf-8") for i in new], key)
        out[new] = got
        memo.update(zip([uniq[i] for i in new], got.tolist(), strict=True))
    return out[np.where(codes >= 0, codes, len(uniq))]


def client_ids(tokens: pd.Series, key: bytes, memo: dict | None = None) -> pd.Series:
    """Pseudonyms ``"c" + 16 hex`` of HMAC-SHA256(key, token), computed on unique tokens.

    ``memo`` (token → code, see :func:`client_codes`) may be shared between calls so that a
    token is hashed once. A missing token gets None.
    """
    from rehab_eval.etl._codes import id_text

    codes = client_codes(tokens, key, memo)
    ids = id_text(codes)
    ids[pd.isna(tokens.to_numpy(dtype=object))] = None
    return pd.Series(ids, index=tokens.index, dtype=object)
