"""Display labels and number/date formats in Bahasa Indonesia (default) and English.

One table, ``i18n_labels.csv`` (package data, columns ``key,id,en``), holds the display
label of every canonical code of :mod:`rehab_eval.vocab` (``sex.male``, ``program.ibm``,
``level.tinggi`` …), of every score measure (``measure.physical`` serves
``physical_0_100`` and ``physical_4_20``), and the figure titles, axis labels and legend
entries of :mod:`rehab_eval.plots`. Codes stay English snake_case in every table; labels
are looked up only where a human reads them.

Numbers and dates follow the Unicode CLDR locale data (v45) for ``id``: decimal comma,
thousands dot, percent without a space (``12,5%``), long dates ``d MMMM y``
(``24 Januari 2025``). Python's ``locale`` module is not used: it depends on the locales
installed on the machine and is process-global.

References
----------
Unicode CLDR, locale ``id`` (cldr-json v45): ``numbers.json`` (symbols, percent pattern),
``ca-gregorian.json`` (month names, date formats). https://github.com/unicode-org/cldr-json
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
from functools import lru_cache
from importlib import resources
from typing import Any

from rehab_eval.errors import ConfigError

__all__ = [
    "LANGUAGES",
    "MONTHS",
    "VOCAB_NAMESPACES",
    "format_ci",
    "format_date",
    "format_number",
    "format_p",
    "format_percent",
    "format_period",
    "label",
    "labels",
    "measure_label",
    "t",
]

LANGUAGES = ("id", "en")

#: vocab.py constant → key namespace in the label table (``<namespace>.<code>``).
VOCAB_NAMESPACES = {
    "SEXES": "sex",
    "FACILITY_TYPES": "facility_type",
    "PROGRAMS": "program",
    "LEVELS": "level",
    "STATUSES": "status",
    "INSTRUMENTS": "instrument",
    "TIMEPOINTS": "timepoint",
    "CONTACT_KINDS": "contact_kind",
    "URINE_RESULTS": "urine_result",
    "URINE_PANEL": "urine_panel",
    "OFFENCE_EVENT_KINDS": "event_kind",
    "COMPETING_EVENT_KINDS": "event_kind",
    "EVENT_KINDS": "event_kind",
    "URICA_STAGES": "stage",
    "STAGE_ORDER": "stage",
    "SUBSTANCES": "substance",
}

#: Month names (CLDR ``id`` / ``en`` wide format, stand-alone).
MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

_SEPARATORS = {"id": (",", "."), "en": (".", ",")}  # (decimal, grouping)
_MEASURE_SUFFIXES = ("_0_100", "_4_20", "_mean", "_sum", "_raw")


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ConfigError(f"lang={lang!r} is not supported: use one of {', '.join(LANGUAGES)}")
    return lang


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    """The whole label table as ``{key: {"id": ..., "en": ...}}`` (read once, cached)."""
    text = resources.files("rehab_eval").joinpath("i18n_labels.csv").read_text(encoding="utf-8")
    table: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(text.splitlines()):
        table[row["key"]] = {lang: row[lang] for lang in LANGUAGES}
    return table


def t(key: str, lang: str = "id", /, **values: Any) -> str:
    """Display text for ``key`` in ``lang``; ``{name}`` fields are filled from ``values``.

    Parameters
    ----------
    key : str
        Dotted key, e.g. ``"level.tinggi"``, ``"fig.km.title"``, ``"subtitle.n"``.
    lang : {"id", "en"}
        Language, Bahasa Indonesia by default.
    **values
        Values for the ``{name}`` fields of the text (already formatted strings).

    Returns
    -------
    str

    Raises
    ------
    ConfigError
        For an unknown key or language (the message names them).

    Examples
    --------
    >>> t("level.tinggi"), t("level.tinggi", "en")
    ('Tinggi', 'High')
    >>> t("subtitle.n", "id", n="35")
    'n = 35 klien'
    """
    _check_lang(lang)
    entry = labels().get(key)
    if entry is None:
        raise ConfigError(
            f"no display label for key {key!r}: add a row to rehab_eval/i18n_labels.csv"
        )
    text = entry[lang]
    return text.format(**values) if values else text


def label(namespace: str, code: Any, lang: str = "id") -> str:
    """Label of a canonical code, e.g. ``label("program", "ibm")``; unknown codes as written."""
    key = f"{namespace}.{code}"
    if key in labels():
        return t(key, lang)
    _check_lang(lang)
    return str(code)


def measure_label(measure: str, lang: str = "id") -> str:
    """Label of a score measure: ``physical_0_100`` → ``Fisik`` / ``Physical``.

    The scale suffixes ``_0_100``, ``_4_20``, ``_mean``, ``_sum`` and ``_raw`` are dropped
    (the axis says the scale); ASSIST ``<substance>_ssi`` reads "Ganja (SSI)"; a measure
    without a label is returned as written.
    """
    _check_lang(lang)
    table = labels()
    if f"measure.{measure}" in table:
        return t(f"measure.{measure}", lang)
    for suffix in _MEASURE_SUFFIXES:
        if measure.endswith(suffix) and f"measure.{measure[: -len(suffix)]}" in table:
            return t(f"measure.{measure[: -len(suffix)]}", lang)
    if measure.endswith("_ssi") and f"substance.{measure[:-4]}" in table:
        return f"{t(f'substance.{measure[:-4]}', lang)} (SSI)"
    return str(measure)


def format_number(x: Any, decimals: int = 0, lang: str = "id") -> str:
    """A number with the locale's separators: ``1234.5`` → ``1.234,5`` (id), ``1,234.5`` (en).

    Parameters
    ----------
    x : float or int
        The value; ``None``/NaN gives an en dash ``–``.
    decimals : int
        Digits after the decimal separator (rounded half to even, as Python's ``format``).
    lang : {"id", "en"}

    Returns
    -------
    str
        The minus sign is U+2212 ``−`` (CLDR ``minusSign`` is ``-``; the typographic sign
        reads better on slides and the tests pin it).

    Examples
    --------
    >>> format_number(1234.5, 1), format_number(1234.5, 1, "en")
    ('1.234,5', '1,234.5')
    """
    _check_lang(lang)
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    try:
        value = float(x)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(value):
        return "–"
    text = f"{abs(value):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        value = 0.0  # no "−0,0"
    decimal, group = _SEPARATORS[lang]
    text = text.replace(",", "\0").replace(".", decimal).replace("\0", group)
    return ("−" if value < 0 else "") + text


def format_percent(share: Any, decimals: int = 0, lang: str = "id") -> str:
    """A share (0–1) as a percent, CLDR pattern ``#,##0%``: ``0.125`` → ``12,5%`` / ``12.5%``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return format_number(float(share) * 100, decimals, lang) + "%"


def format_ci(low: Any, high: Any, decimals: int = 1, lang: str = "id") -> str:
    """An interval ``[low; high]`` (a semicolon, since the comma is the decimal sign in id)."""
    return f"[{format_number(low, decimals, lang)}; {format_number(high, decimals, lang)}]"


def format_p(p: Any, lang: str = "id") -> str:
    """A p-value with its relation sign: ``= 0,034``, ``< 0,001`` (APA style, 3 decimals).

    Examples
    --------
    >>> format_p(0.0342), format_p(0.00002, "en")
    ('= 0,034', '< 0.001')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "= –"
    if float(p) < 0.001:
        return "< " + format_number(0.001, 3, lang)
    return "= " + format_number(float(p), 3, lang)


def _as_date(d: Any) -> _dt.date:
    if isinstance(d, _dt.datetime):
        return d.date()
    if isinstance(d, _dt.date):
        return d
    if hasattr(d, "to_pydatetime"):  # pandas Timestamp
        return d.to_pydatetime().date()
    if isinstance(d, str):
        try:
            return _dt.date.fromisoformat(d[:10])
        except ValueError:
            pass
    raise ConfigError(f"cannot read {d!r} as a date: give an ISO date such as 2025-01-24")


def format_date(d: Any, lang: str = "id") -> str:
    """Long date, CLDR ``d MMMM y``: ``2025-01-24`` → ``24 Januari 2025`` / ``24 January 2025``.

    Accepts ``datetime.date``/``datetime``, a pandas ``Timestamp`` or an ISO string.

    Examples
    --------
    >>> format_date("2025-01-24"), format_date("2025-01-24", "en")
    ('24 Januari 2025', '24 January 2025')
    """
    _check_lang(lang)
    day = _as_date(d)
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def format_period(start: Any, end: Any, lang: str = "id") -> str:
    """A period between two dates, shortened where the year or month repeat.

    ``2025-01-06 … 2025-06-30`` → ``6 Januari – 30 Juni 2025``;
    ``2024-07-01 … 2025-06-30`` → ``1 Juli 2024 – 30 Juni 2025``;
    ``2025-03-03 … 2025-03-28`` → ``3–28 Maret 2025``. An open end (``None``) gives
    ``sejak 1 Juli 2024`` / ``from 1 July 2024``.
    """
    _check_lang(lang)
    if end is None or (isinstance(end, float) and math.isnan(end)):
        return ("sejak " if lang == "id" else "from ") + format_date(start, lang)
    a, b = _as_date(start), _as_date(end)
    if a > b:
        raise ConfigError(f"period starts {a.isoformat()} after it ends {b.isoformat()}")
    months = MONTHS[lang]
    if a.year != b.year:
        return f"{format_date(a, lang)} – {format_date(b, lang)}"
    if a.month != b.month:
        return f"{a.day} {months[a.month - 1]} – {format_date(b, lang)}"
    if a.day != b.day:
        return f"{a.day}–{format_date(b, lang)}"
    return format_date(b, lang)
