"""Reject reasons in words: what went wrong and how to fix it, in Indonesian and English.

The ETL writes a short English reason code with every reject (``"invalid nik"``,
``"unparseable date"``, …). ``reasons.csv`` beside this module gives each code a text and a
fix hint per language; a code without a row reads "Masalah lain (kode …)" with a generic
hint, and :func:`untranslated` names such codes so that a test can refuse them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from rehab_eval.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["explain", "quality_text", "reason_texts", "untranslated"]

LANGUAGES = ("id", "en")


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def _reasons() -> dict[str, dict[str, str]]:
    return {r["reason"]: r for r in _read("reasons.csv")}


@cache
def _labels() -> dict[str, dict[str, str]]:
    return {r["key"]: r for r in _read("labels.csv")}


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ConfigError(f"lang={lang!r} is not supported: use one of {', '.join(LANGUAGES)}")
    return lang


def quality_text(key: str, lang: str = "id", /, **values: str) -> str:
    """A label of the data-quality outputs (``labels.csv``), ``{name}`` fields filled."""
    text = _labels()[key][_lang(lang)]
    return text.format(**values) if values else text


def explain(reason: str, lang: str = "id") -> tuple[str, str]:
    """The text and the fix hint of one reject reason code.

    Examples
    --------
    >>> explain("nik unrecoverable")[1][:42]
    'NIK harus 16 digit dan disimpan sebagai te'
    >>> explain("no identifier", "en")[0]
    'The row has neither a NIK nor a register number'
    """
    row = _reasons().get(str(reason).strip())
    if row is None:
        return (
            quality_text("unknown_reason", lang, code=str(reason)),
            quality_text("unknown_hint", lang),
        )
    return row[_lang(lang)], row[f"hint_{lang}"]


def reason_texts(lang: str = "id") -> pd.DataFrame:
    """Every translated reason.

    Returns
    -------
    pandas.DataFrame
        One row per reason code: ``reason`` (the ETL's code), ``text``, ``hint``.
    """
    import pandas as pd

    _lang(lang)
    rows = [
        {"reason": code, "text": r[lang], "hint": r[f"hint_{lang}"]}
        for code, r in _reasons().items()
    ]
    return pd.DataFrame(rows, columns=["reason", "text", "hint"])


def untranslated(codes: Iterable[str]) -> list[str]:
    """The codes among ``codes`` that lack a text or a hint in some language (sorted)."""
    table = _reasons()
    fields = [*LANGUAGES, *(f"hint_{lang}" for lang in LANGUAGES)]
    return sorted(
        {c for c in codes if c not in table or not all(table[c].get(f, "").strip() for f in fields)}
    )
