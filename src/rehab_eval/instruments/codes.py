"""Answers as small integer codes: the range check and the reversal in a few passes.

Every declared answer is a whole number (``0 … 8`` in the instruments shipped), so a cleaned
answer fits in an ``int8``. :func:`clean_codes` turns each float64 answer column into

* ``answered``: True where the answer is one of the item's allowed answers (False for a
  missing answer, an answer outside the set, a fraction or text), and
* ``codes``: the answer as ``int8``, reversed where the item is reversed
  (``reverse_sum − x``), and 0 where it is not answered,

with a few passes over the column (narrow, widen back and compare, the range and the gaps
of the answer set as int8 comparisons, zero the unanswered). Sums of codes are exact,
whatever their order, so the scorer adds them without masks and in narrow integers
(:mod:`rehab_eval.instruments.engine`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from rehab_eval.errors import InstrumentError
from rehab_eval.instruments.model import Instrument

__all__ = ["Codes", "ItemKey", "clean_codes", "item_keys", "unrepresentable"]

_INT8 = (-128, 127)


@dataclass(frozen=True)
class ItemKey:
    """How one item column is cleaned: the range of its answers, the whole numbers inside
    the range that are not answers (``gaps``), and its reversal (``reverse_sum`` or None)."""

    column: str
    lo: int
    hi: int
    gaps: tuple[int, ...]
    reverse_sum: int | None


@dataclass(frozen=True)
class Codes:
    """Cleaned answers of every item column (see the module docstring); ``out_of_range``
    counts, per column, the answers present but outside the allowed set, in column order."""

    codes: dict[str, np.ndarray]
    answered: dict[str, np.ndarray]
    out_of_range: dict[str, int]


def unrepresentable(inst: Instrument) -> list[str]:
    """Items whose answers (or reversed answers) are not whole numbers from -128 to 127."""
    problems = []
    reverse = {*inst.reversed}
    for item, allowed in inst.allowed.items():
        values = [*allowed] + ([inst.reverse_sum - a for a in allowed] if item in reverse else [])
        if not values or any(v != int(v) or not _INT8[0] <= v <= _INT8[1] for v in values):
            problems.append(f"answers of {item!r} must be whole numbers from -128 to 127")
    return problems


def item_keys(inst: Instrument, *, prereversed: bool = False) -> tuple[ItemKey, ...]:
    """The cleaning key of every item column, in ``inst.item_columns`` order."""
    problems = unrepresentable(inst)
    if problems:
        raise InstrumentError(f"instrument {inst.name!r}: {'; '.join(problems)}")
    reverse = set() if prereversed else set(inst.reversed)
    keys = []
    for block in inst.block_names:
        for item in inst.items:
            allowed = {int(a) for a in inst.allowed[item]}
            lo, hi = min(allowed), max(allowed)
            keys.append(
                ItemKey(
                    column=inst.column(item, block),
                    lo=lo,
                    hi=hi,
                    gaps=tuple(v for v in range(lo, hi + 1) if v not in allowed),
                    reverse_sum=int(inst.reverse_sum) if item in reverse else None,
                )
            )
    return tuple(keys)


def clean_codes(
    floats: Mapping[str, tuple[np.ndarray, np.ndarray | None]],
    keys: tuple[ItemKey, ...],
    *,
    on_bad: Callable[[str, np.ndarray], None] | None = None,
) -> Codes:
    """Range-check, reverse and narrow every item column (see the module docstring).

    ``floats`` maps every column of ``keys`` to ``(x, text)``: float64 answers (NaN for
    missing; never modified) and a mask of entries that were present but not numbers (or
    None). ``on_bad(column, mask)`` is called for a column with answers outside the allowed
    set (``read_answers(strict=True)`` raises there).
    """
    codes: dict[str, np.ndarray] = {}
    answered: dict[str, np.ndarray] = {}
    out_of_range: dict[str, int] = {}
    n = len(next(iter(floats.values()))[0]) if floats else 0
    scratch, missing = np.empty(n), np.empty(n, dtype=bool)  # reused for every column
    for key in keys:
        x, text = floats[key.column]
        if len(x) != n:
            scratch, missing = np.empty(len(x)), np.empty(len(x), dtype=bool)
        code, ok = _clean(x, key, scratch)
        n_bad = len(x) - np.count_nonzero(ok) - np.count_nonzero(np.isnan(x, out=missing))
        if text is not None:
            n_bad += np.count_nonzero(text)  # text is NaN in x: counted as missing above
        if n_bad:
            out_of_range[key.column] = int(n_bad)
            if on_bad is not None:
                bad = ~ok & ~missing
                on_bad(key.column, bad if text is None else bad | text)
        codes[key.column] = code
        answered[key.column] = ok
    return Codes(codes=codes, answered=answered, out_of_range=out_of_range)


def _clean(x: np.ndarray, key: ItemKey, scratch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 codes, answered) of one column; ``scratch`` is a float64 array of x's length.

    The cast to int8 is exact for a whole number from -128 to 127 and gives some other
    number for anything else (a fraction, NaN, ±inf, a large number), so comparing the code
    back with x finds the whole numbers; the range and the gaps are then int8 comparisons.
    Clamping first (``np.clip``) would cost more than all of this together."""
    with np.errstate(invalid="ignore"):
        code = x.astype(np.int8)
    np.copyto(scratch, code)
    ok = np.equal(x, scratch)
    if key.lo > _INT8[0]:
        ok &= code >= key.lo
    if key.hi < _INT8[1]:
        ok &= code <= key.hi
    for gap in key.gaps:
        ok &= code != gap
    if key.reverse_sum is not None:
        np.subtract(np.int8(key.reverse_sum), code, out=code)
    np.multiply(code, ok.view(np.int8), out=code)  # 0 where not answered
    return code, ok
