"""Identity kept out of the manifest and the log: file, sheet and header texts masked.

A structural text (a file or sheet name, the "headers" of a sheet that fits no table) is
masked where it holds an identifier: a NIK-like run of digits (with or without spaces, dots
or dashes between the groups), an e-mail address, or a name found in a name column of the
same file (a name of two words or more anywhere in the text, a one-word name when it is the
whole text; values holding digits, such as a totals label ``35 klien``, are not names). The manifest shows the structure, never the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from rehab_eval.etl.identity import mask

__all__ = ["IdentityMasker", "mask_identifiers"]

_DIGITS = re.compile(r"\d(?:[ .\-]?\d){9,}")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_MAX_NGRAM = 4
_NAMELIKE = re.compile(r"^[^\W\d_][^\d@]*$", re.UNICODE)  # letters, no digits: a person's name


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(str(text).lower()))


def mask_identifiers(text: str, names: frozenset[str] = frozenset()) -> str:
    """``text`` with NIK-like digit runs, e-mail addresses and known names masked.

    Examples
    --------
    >>> mask_identifiers("klien 3374014501900001.xlsx")
    'klien ************0001.xlsx'
    >>> mask_identifiers("Budi Santoso - whoqol", frozenset({"budi santoso"}))
    '<nama> - whoqol'
    """
    s = str(text)
    s = _DIGITS.sub(lambda m: mask(re.sub(r"\D", "", m.group(0))), s)
    s = _EMAIL.sub("<e-mail>", s)
    if names and _norm(s) in names:  # the whole text is a name (a one-word name too)
        return "<nama>"
    if names:
        spans = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(s)]
        hits: list[tuple[int, int]] = []
        i = 0
        while i < len(spans):
            for n in range(min(_MAX_NGRAM, len(spans) - i), 1, -1):
                cand = " ".join(w for _, _, w in spans[i : i + n])
                if cand in names:
                    hits.append((spans[i][0], spans[i + n - 1][1]))
                    i += n - 1
                    break
            i += 1
        for a, b in reversed(hits):
            s = s[:a] + "<nama>" + s[b:]
    return s


class IdentityMasker:
    """Callable masking texts with the names found in one file (see :func:`mask_identifiers`)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names = frozenset(n for n in (_norm(x) for x in names) if len(n) >= 3)

    @classmethod
    def from_tables(cls, tables, maps) -> IdentityMasker:
        """The names in the name columns of a file's sheets (each distinct value once)."""
        names: set[str] = set()
        for rt, hmap in zip(tables, maps, strict=True):
            p = hmap.column_of("name")
            if p is None or p >= rt.body.shape[1]:
                continue
            names.update(str(v) for v in pd.unique(rt.body[p]) if _NAMELIKE.match(str(v)))
        return cls(names)

    def __call__(self, text: str | None) -> str:
        if not text:
            return text or ""
        return mask_identifiers(text, self.names)
