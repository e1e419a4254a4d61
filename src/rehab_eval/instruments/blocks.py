"""Score a whole table in row blocks: clean and score each block while it is in cache.

:func:`score_blocks` runs :func:`~rehab_eval.instruments.codes.clean_codes` and
:func:`~rehab_eval.instruments.engine.compute_scores` on blocks of ``BLOCK_ROWS`` rows (views
of the answer columns, no copies) and writes each block's scores into the full-length
result columns; the text labels are made once per column from the blocks' int8 codes.
The temporaries of a block (masks, codes, sums, counts) stay in the processor cache instead
of being allocated and streamed through memory once per step at the length of the table,
and memory beyond the answers and the scores stays flat.

Every score is a row-wise function of the row's answers, so the result is the one a single
pass over the whole table gives; the counts of out-of-range and overruled answers are
summed over the blocks and given in column order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from rehab_eval.instruments.codes import clean_codes, item_keys
from rehab_eval.instruments.engine import as_labels, compute_scores, label_tables
from rehab_eval.instruments.model import Instrument, Profile

__all__ = ["BLOCK_ROWS", "Scored", "score_blocks"]

#: Rows per block: a float64 answer column of a block is 512 KB and its int8 codes 64 KB,
#: so a block's working set stays within the L2/L3 cache, while the Python work per block
#: (a few numpy calls per item) stays small next to the arithmetic.
BLOCK_ROWS = 65_536


@dataclass(frozen=True)
class Scored:
    """Score columns of a table and what the cleaning and the skip logic did to it."""

    columns: dict[str, np.ndarray]
    out_of_range: dict[str, int]
    overruled: dict[str, int]


def score_blocks(
    inst: Instrument,
    floats: Mapping[str, tuple[np.ndarray, np.ndarray | None]],
    profile: Profile,
    n: int,
    *,
    prereversed: bool = False,
    on_bad: Callable[[str, np.ndarray], None] | None = None,
    rows: int | None = None,
) -> Scored:
    """Clean and score ``n`` rows of answers block by block.

    ``floats`` is as for :func:`~rehab_eval.instruments.codes.clean_codes` (every item column
    → float64 answers, mask of present non-numbers or None). ``on_bad(column, mask)`` is
    called with a block's mask of answers outside the allowed set. No warning is issued:
    the caller warns with the returned counts.
    """
    out: dict[str, np.ndarray] = {}
    out_of_range: dict[str, int] = {}
    overruled: dict[str, int] = {}
    rows = rows or BLOCK_ROWS
    keys = item_keys(inst, prereversed=prereversed)
    for start in range(0, max(n, 1), rows):
        stop = min(n, start + rows)
        part = {
            c: (x[start:stop], None if text is None else text[start:stop])
            for c, (x, text) in floats.items()
        }
        cleaned = clean_codes(part, keys, on_bad=on_bad)
        cols = compute_scores(
            inst,
            cleaned.codes,
            profile,
            stop - start,
            answered=cleaned.answered,
            overruled=overruled,
            labels=False,
        )
        if start == 0 and stop == n:  # one block: the columns are the result
            out = cols
        else:
            for column, values in cols.items():
                if column not in out:
                    out[column] = np.empty(n, dtype=values.dtype)
                out[column][start:stop] = values
        for column, count in cleaned.out_of_range.items():
            out_of_range[column] = out_of_range.get(column, 0) + count
    for column, table in label_tables(inst).items():  # once, over the whole column
        out[column] = as_labels(out[column], table)
    return Scored(
        columns=out,
        out_of_range=_in_order(out_of_range, inst.item_columns),
        overruled=_gates_in_order(overruled, inst.item_columns),
    )


def _in_order(counts: dict[str, int], columns: tuple[str, ...]) -> dict[str, int]:
    return {c: counts[c] for c in columns if c in counts}


def _gates_in_order(counts: dict[str, int], columns: tuple[str, ...]) -> dict[str, int]:
    """Overruled answers keyed ``"<gate column> = <answer>"``, in column then key order."""
    order = {c: i for i, c in enumerate(columns)}
    return {
        k: counts[k] for k in sorted(counts, key=lambda k: (order.get(k.split(" = ")[0], -1), k))
    }
