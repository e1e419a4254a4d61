"""Read the item answers of one instrument: range check, out-of-range report, reversal.

Shared by :func:`rehab_eval.score`, :func:`rehab_eval.scoring.check_reversal` and
:func:`rehab_eval.reliability`, so the three always see the same cleaned answers.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from rehab_eval.errors import ConfigError, DataQualityWarning, InputError, InstrumentError
from rehab_eval.instruments.codes import clean_codes, item_keys

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from rehab_eval.instruments.model import Instrument

__all__ = [
    "Answers",
    "answer_floats",
    "clean_answers",
    "read_answers",
    "warn_out_of_range",
]

_SHOW = 8  # rows and values named in a message


@dataclass(frozen=True)
class Answers:
    """Cleaned answers: ``values[column]`` is float64 with NaN for missing or out of range,
    reversed items already reversed unless ``prereversed``; ``out_of_range[column]`` counts
    the answers that were set to missing."""

    values: dict[str, np.ndarray]
    out_of_range: dict[str, int]
    prereversed: bool
    #: True where the cleaned answer is present (``~np.isnan(values[column])``)
    answered: dict[str, np.ndarray] = field(default_factory=dict)


def _as_float(s: pd.Series, column: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(float values, mask of entries that are present but not numbers, or None)."""
    import pandas as pd

    if s.dtype == np.float64:  # numpy floats: NaN is already the missing value, no copy
        return s.to_numpy(), None
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype="float64", na_value=np.nan), None
    numeric = pd.to_numeric(s, errors="coerce")
    x = numeric.to_numpy(dtype="float64", na_value=np.nan)
    return x, (s.notna() & numeric.isna()).to_numpy()


def read_answers(
    responses: pd.DataFrame,
    instrument: Instrument,
    *,
    prereversed: bool = False,
    strict: bool = False,
    warn: bool = True,
) -> Answers:
    """Range-check and reverse the item answers of ``instrument`` in ``responses``.

    Parameters
    ----------
    responses : pandas.DataFrame
        Must hold every item column of the instrument (``Instrument.item_columns``).
    instrument : Instrument
        The declaration.
    prereversed : bool
        The reversed items were printed reversed on the form (e.g. Indonesian forms that
        print 5…1 for WHOQOL-BREF Q3/Q4), so they are not reversed again.
    strict : bool
        Raise :class:`~rehab_eval.errors.InstrumentError` on the first column with an answer
        outside the allowed set instead of setting it to missing.
    warn : bool
        Issue one :class:`~rehab_eval.errors.DataQualityWarning` with the counts of answers
        set to missing.

    Returns
    -------
    Answers

    Notes
    -----
    An answer outside the declared set (including non-integers and text) becomes missing
    before anything is counted, as the WHO syntax does (``RECODE … (ELSE=SYSMIS)``). A
    reversed item becomes ``reverse_sum − x`` (WHOQOL-BREF: 6 − x).
    """
    floats = answer_floats(responses, instrument, prereversed=prereversed)

    def on_bad(column: str, bad: np.ndarray) -> None:
        if strict:
            _raise_strict(responses, instrument, column, bad)

    return clean_answers(floats, instrument, prereversed=prereversed, warn=warn, on_bad=on_bad)


def answer_floats(
    responses: pd.DataFrame, instrument: Instrument, *, prereversed: bool = False
) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Every item column of ``instrument`` as ``(float64 answers, mask of present
    non-numbers or None)``, without copying float64 columns; the checks of
    :func:`read_answers` (every item column present, a pre-reversed form declared)."""
    if prereversed and not instrument.prereversed_option and instrument.reversed:
        raise ConfigError(f"instrument {instrument.name!r} has no pre-reversed form")
    missing = [c for c in instrument.item_columns if c not in responses.columns]
    if missing:
        shown = ", ".join(missing[:_SHOW]) + (" …" if len(missing) > _SHOW else "")
        raise InputError(
            f"{instrument.name}: the responses lack {len(missing)} item column(s): {shown}. "
            f"Expected {instrument.item_columns[0]} … {instrument.item_columns[-1]}; rename the "
            "columns to the item names (a missing answer is NaN, not an absent column)."
        )
    return {c: _as_float(responses[c], c) for c in instrument.item_columns}


def clean_answers(
    floats: Mapping[str, tuple[np.ndarray, np.ndarray | None]],
    instrument: Instrument,
    *,
    prereversed: bool = False,
    warn: bool = True,
    on_bad: Callable[[str, np.ndarray], None] | None = None,
) -> Answers:
    """:func:`read_answers` on answers already read as floats.

    ``floats`` maps every item column to ``(x, text)``: float64 answers (NaN for missing;
    never modified) and a mask of entries that were present but not numbers (or None).
    ``on_bad(column, mask)`` is called for a column with answers outside the allowed set
    before they are set to missing (``read_answers(strict=True)`` raises there).
    """
    cleaned = clean_codes(floats, item_keys(instrument, prereversed=prereversed), on_bad=on_bad)
    values = {c: np.where(cleaned.answered[c], code, np.nan) for c, code in cleaned.codes.items()}
    if cleaned.out_of_range and warn:
        warn_out_of_range(instrument.name, cleaned.out_of_range, stacklevel=5)
    return Answers(
        values=values,
        out_of_range=cleaned.out_of_range,
        prereversed=prereversed,
        answered=cleaned.answered,
    )


def warn_out_of_range(name: str, out_of_range: dict[str, int], *, stacklevel: int) -> None:
    """One :class:`DataQualityWarning` with the answers per column that were set to missing."""
    counts = ", ".join(f"{c}: {n}" for c, n in out_of_range.items())
    warnings.warn(
        f"{name}: {sum(out_of_range.values())} answer(s) outside the allowed "
        f"set were treated as missing ({counts}); pass strict=True to stop on them instead",
        DataQualityWarning,
        stacklevel=stacklevel,
    )


def _mask(label: object) -> str:
    """An index label as text, with long digit runs (NIK, register numbers) masked."""
    return re.sub(r"\d{6,}", lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], str(label))


def _raise_strict(
    responses: pd.DataFrame, instrument: Instrument, column: str, bad: np.ndarray
) -> None:
    """The :class:`InstrumentError` of ``strict=True`` for ``column``'s answers outside the
    allowed set (``bad``: a mask over every row of ``responses``)."""
    item_of = {instrument.column(i, b): i for b in instrument.block_names for i in instrument.items}
    allowed = instrument.allowed[item_of[column]]
    positions = np.flatnonzero(bad)
    rows = [_mask(r) for r in responses.index[positions[:_SHOW]]]
    vals = list(dict.fromkeys(repr(v) for v in responses[column].iloc[positions[:_SHOW]]))
    more = f" (and {len(positions) - _SHOW} more)" if len(positions) > _SHOW else ""
    raise InstrumentError(
        f"column {column!r}: {len(positions)} answer(s) outside the allowed set "
        f"{[int(a) if a == int(a) else a for a in allowed]} at row(s) {', '.join(rows)}{more}, "
        f"value(s) {', '.join(vals)}. Correct the data, or score without strict=True to treat "
        "them as missing."
    )
