"""Raw values as offices write them: dates in many styles, Likert answers, question texts.

Everything here is vectorised over numpy arrays so that the provincial tables (hundreds of
thousands of rows at a large ``scale``) are formatted without a Python loop per row.

References
----------
CLDR ``id`` calendar data (month and day names); WHOQOL-BREF Indonesian version (WHO 2004);
URICA 32-item form (McConnaughy, Prochaska & Velicer 1983); WHO ASSIST v3.0 (WHO 2010).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "DATE_STYLES",
    "URICA_SUBSCALES",
    "WHOQOL_DOMAINS",
    "WHOQOL_QUESTIONS",
    "WHOQOL_REVERSED",
    "format_dates",
    "likert",
]

MONTHS_ID = np.array(
    ["", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
     "September", "Oktober", "November", "Desember"], dtype=object
)  # fmt: skip
MONTHS_LEGACY = MONTHS_ID.copy()
MONTHS_LEGACY[2], MONTHS_LEGACY[11] = "Pebruari", "Nopember"
MONTHS_ABBR = np.array(
    ["", "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nop", "Des"],
    dtype=object,
)
DAYS_ID = np.array(["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"], dtype=object)

# Styles, each a real Indonesian way of writing 7 November 2024:
DATE_STYLES = (
    "dmy",  # 7/11/2024
    "dmy0",  # 07-11-2024
    "dmy2",  # 7/11/24
    "iso",  # 2024-11-07
    "long",  # 7 November 2024
    "legacy",  # 7 Nopember 2024 (legacy spellings Pebruari, Nopember)
    "abbr",  # 7 Nop 2024
    "dayparen",  # Kamis (7/11/2024)
    "daylong",  # Kamis, 7 November 2024
)


def format_dates(dates: np.ndarray, styles: np.ndarray | str) -> np.ndarray:
    """Format ``datetime64`` dates as text in the given styles (``""`` for NaT).

    Parameters
    ----------
    dates : array of datetime64
    styles : one style of :data:`DATE_STYLES` for all dates, or one per date.

    Returns
    -------
    numpy object array of strings.
    """
    idx = pd.DatetimeIndex(np.asarray(dates, dtype="datetime64[ns]"))
    n = len(idx)
    styles = np.broadcast_to(np.asarray(styles, dtype=object), (n,))
    ok = ~idx.isna()
    d = np.where(ok, idx.day, 1).astype(int)
    m = np.where(ok, idx.month, 1).astype(int)
    y = np.where(ok, idx.year, 2000).astype(int)
    wd = np.where(ok, idx.dayofweek, 0).astype(int)
    out = np.full(n, "", dtype=object)
    for style in np.unique(styles[ok]) if n else ():
        sel = np.flatnonzero(ok & (styles == style))
        out[sel] = _render(style, d[sel], m[sel], y[sel], wd[sel])
    out[~ok] = ""
    return out


def _render(style: str, d: np.ndarray, m: np.ndarray, y: np.ndarray, wd: np.ndarray) -> np.ndarray:
    """Text of the dates (day, month, year, weekday arrays) in one style."""
    ds, ys = d.astype(str).astype(object), y.astype(str).astype(object)
    if style in ("dmy", "dmy2", "dayparen"):
        yy = np.char.zfill((y % 100).astype(str), 2).astype(object) if style == "dmy2" else ys
        text = ds + "/" + m.astype(str).astype(object) + "/" + yy
        return DAYS_ID[wd] + " (" + text + ")" if style == "dayparen" else text
    if style in ("dmy0", "iso"):
        d0 = np.char.zfill(d.astype(str), 2).astype(object)
        m0 = np.char.zfill(m.astype(str), 2).astype(object)
        return d0 + "-" + m0 + "-" + ys if style == "dmy0" else ys + "-" + m0 + "-" + d0
    names = {"long": MONTHS_ID, "legacy": MONTHS_LEGACY, "abbr": MONTHS_ABBR, "daylong": MONTHS_ID}
    if style not in names:
        raise ValueError(f"unknown date style {style!r}; use one of {DATE_STYLES}")
    text = ds + " " + names[style][m] + " " + ys
    return DAYS_ID[wd] + ", " + text if style == "daylong" else text


def likert(latent: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """Answers 1–5: the latent item mean plus noise, rounded and clipped to the scale."""
    return np.clip(np.rint(latent + noise), 1, 5).astype(int)


# WHOQOL-BREF: domains (items), reversed items (answered raw, 6 − x when scored).
WHOQOL_DOMAINS = {
    "physical": (3, 4, 10, 15, 16, 17, 18),
    "psychological": (5, 6, 7, 11, 19, 26),
    "social": (20, 21, 22),
    "environment": (8, 9, 12, 13, 14, 23, 24, 25),
}
WHOQOL_REVERSED = (3, 4, 26)

# Shortened Indonesian question texts (WHOQOL-BREF, Indonesian version), numbered as on the form.
WHOQOL_QUESTIONS = (
    "Bagaimana menurut anda kualitas hidup anda?",
    "Seberapa puas anda terhadap kesehatan anda?",
    "Seberapa jauh rasa sakit fisik anda mencegah anda dalam beraktivitas sesuai kebutuhan anda?",
    "Seberapa sering anda membutuhkan terapi medis untuk dapat berfungsi dalam kehidupan sehari-hari?",
    "Seberapa jauh anda menikmati hidup anda?",
    "Seberapa jauh anda merasa hidup anda berarti?",
    "Seberapa jauh anda mampu berkonsentrasi?",
    "Secara umum, seberapa aman anda rasakan dalam kehidupan anda sehari-hari?",
    "Seberapa sehat lingkungan dimana anda tinggal (berkaitan dengan sarana dan prasarana)?",
    "Apakah anda memiliki vitalitas yang cukup untuk beraktivitas sehari-hari?",
    "Apakah anda dapat menerima penampilan tubuh anda?",
    "Apakah anda memiliki cukup uang untuk memenuhi kebutuhan anda?",
    "Seberapa jauh ketersediaan informasi bagi kehidupan anda dari hari ke hari?",
    "Seberapa sering anda memiliki kesempatan untuk bersenang-senang/rekreasi?",
    "Seberapa baik kemampuan anda dalam bergaul?",
    "Seberapa puaskah anda dengan tidur anda?",
    "Seberapa puaskah anda dengan kemampuan anda untuk menampilkan aktivitas kehidupan anda sehari-hari?",
    "Seberapa puaskah anda dengan kemampuan anda untuk bekerja?",
    "Seberapa puaskah anda terhadap diri anda?",
    "Seberapa puaskah anda dengan hubungan personal/sosial anda?",
    "Seberapa puaskah anda dengan kehidupan seksual anda?",
    "Seberapa puaskah anda dengan dukungan yang anda peroleh dari teman anda?",
    "Seberapa puaskah anda dengan kondisi tempat anda tinggal saat ini?",
    "Seberapa puaskah anda dengan akses anda pada layanan kesehatan?",
    "Seberapa puaskah anda dengan transportasi yang harus anda jalani?",
    "Seberapa sering anda memiliki perasaan negatif seperti 'feeling blue', putus asa, cemas dan depresi?",
)

# URICA 32-item form: the 28 scored items by subscale, and the four unscored items.
URICA_SUBSCALES = {
    "precontemplation": (1, 5, 11, 13, 23, 26, 29),
    "contemplation": (2, 8, 12, 15, 19, 21, 24),
    "action": (3, 7, 10, 14, 17, 25, 30),
    "maintenance": (6, 16, 18, 22, 27, 28, 32),
}
URICA_UNSCORED = (4, 9, 20, 31)
