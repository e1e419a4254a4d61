"""Small-cell suppression: the disclosure control applied to every published count.

Every count that leaves the library for a human (tables, figure annotations, at-risk
tables, narrative, deck, ``summary.json``) goes through :func:`format_count` or
:func:`suppress`, so that no group of fewer than ``min_cell`` persons can be read off a
report, directly or by subtraction from a total.

The rules (threshold rule with complementary suppression, Hundepool et al. 2012, ch. 5):

1. **Primary suppression.** A count ``n`` with ``0 < n < min_cell`` is shown as
   ``"<5"`` (``"<{min_cell}"``). Zero is shown: it describes nobody. Missing counts are
   shown as ``"–"``. ``min_cell`` of 0 or 1 (or ``None``) switches suppression off.
2. **Complementary (secondary) suppression.** When a line of cells adds up to a total
   that is published anyway (the n in a subtitle, a margin of a crosstab), a single hidden
   cell equals the total minus the shown ones. A reader who knows the total, that a
   ``"<5"`` cell holds 1 to ``min_cell − 1`` and that any other hidden cell holds at least
   ``min_cell``, can bound every hidden cell (the interval audit of Hundepool et al. 2012,
   §5.3). In every line, further cells are hidden, smallest positive count first (zeros
   only when no positive cell is left), until **no ``"<5"`` cell can be pinned down to a
   single value**. ``3 | 12 | 20`` with total 35 becomes ``<5 | x | 20`` (3 + 12 = 15: the
   ``<5`` cell could be 1 … 4); ``3 | 2 | 30`` needs nothing more (3 + 2 = 5 splits as
   1+4 … 4+1). Complementary cells are shown as ``"x"`` (by default), not as ``"<5"``:
   they may hold many persons and a report must not state a false bound. When a whole
   line adds up to less than ``min_cell`` no choice of cells can protect it: the line is
   hidden whole, and its total, itself a small count, must be suppressed where published.
3. **Differences between nested counts** (:func:`suppress_nested`). Counts of the same
   persons at successive steps (enrolled → assessed before → assessed after → completed)
   are nested: the difference of two published steps is itself a count of persons (those
   who dropped out in between), so it is a cell too. Going down the chain, a step is hidden
   as ``"x"`` when its difference to any earlier shown step is between 1 and
   ``min_cell − 1``; a hidden step is not compared further (it is not published). Worked
   example, ``min_cell`` = 5: enrolled 21, assessed before 19, assessed after 17, completed
   19 → ``21 | x | x | x`` (21 − 19 = 2, 21 − 17 = 4, 21 − 19 = 2); enrolled 35, 35, 30, 30
   → ``35 | 35 | 30 | 30`` (differences 0 and 5: shown). Every pair of steps is compared,
   not only neighbours, since a later step may be nested in the first one only (completed
   clients need not have been assessed).
4. **Lines.** ``total="column"``: each count column (within each ``by`` group) is a line;
   ``total="row"``: the count columns of each row are a line; ``total="both"``: rows and
   columns are treated in turn until nothing changes (the usual iterative heuristic for
   two-way tables; it protects, though not with the fewest hidden cells).

Which counts are sensitive, the audiences (``publik``/``internal``) and the thresholds are
declared in :mod:`rehab_eval.disclosure` (``policy.toml``); its
:func:`~rehab_eval.disclosure.protect_cells` audits every relation a report publishes at
once (totals, sub-groups, shares with their n) and uses rule 2 of this module as its first
pass. Rule 3 hides operational steps too; under the declared policy operational counts of
a group of at least ``min_cell`` are shown exactly, so rule 3 serves sensitive chains only.

References
----------
Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E.,
Spicer, K. & de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley. Chapter 5
(frequency tables: threshold rule, secondary suppression).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rehab_eval.errors import ConfigError, InputError
from rehab_eval.i18n import format_number

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "COMPLEMENTARY",
    "PRIMARY",
    "SHOWN",
    "format_count",
    "is_suppressed",
    "suppress",
    "suppress_nested",
    "suppression_status",
    "threshold_mark",
]

SHOWN = "shown"
PRIMARY = "primary"
COMPLEMENTARY = "complementary"

_TOTALS = (None, "column", "row", "both")


def _value(n: Any) -> float | None:
    """A count as float, or None when missing."""
    if n is None:
        return None
    try:
        value = float(n)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _active(min_cell: int | None) -> bool:
    return min_cell is not None and min_cell > 1


def is_suppressed(n: Any, min_cell: int | None = 5) -> bool:
    """Whether a count must be hidden on its own (primary suppression): ``0 < n < min_cell``.

    Examples
    --------
    >>> is_suppressed(3), is_suppressed(0), is_suppressed(5), is_suppressed(3, min_cell=3)
    (True, False, False, False)
    """
    value = _value(n)
    return _active(min_cell) and value is not None and 0 < value < min_cell


def threshold_mark(min_cell: int | None = 5) -> str:
    """The text shown for a primary-suppressed count: ``"<5"`` (``"<{min_cell}"``)."""
    return f"<{min_cell}"


def format_count(n: Any, min_cell: int | None = 5, lang: str = "id") -> str:
    """A count for publication: ``"<5"`` when ``0 < n < min_cell``, else with thousands separators.

    Parameters
    ----------
    n : int or float
        A count of persons, tests or events; ``None``/NaN gives ``"–"``.
    min_cell : int, default 5
        Disclosure threshold; 0, 1 or ``None`` switch suppression off.
    lang : {"id", "en"}
        ``1.234`` in Indonesian, ``1,234`` in English.

    Examples
    --------
    >>> format_count(3), format_count(0), format_count(1234), format_count(1234, lang="en")
    ('<5', '0', '1.234', '1,234')
    """
    value = _value(n)
    if value is None:
        return "–"
    if is_suppressed(value, min_cell):
        return threshold_mark(min_cell)
    return format_number(value, 0, lang)


def _exposed(values: list[float | None], status: list[str], min_cell: int) -> bool:
    """Whether a reader who knows the line total can pin a primary cell down to one value.

    The reader knows the sum S of the hidden cells (total − shown cells), that a ``"<5"``
    cell holds 1 … m − 1 (m = min_cell) and that any other hidden cell holds 0 or at least
    m. For a primary cell, the other q primary cells sum to q … q·(m − 1) and the r other
    hidden cells to 0 or at least m (when r > 0), so together to
    [q, q·(m − 1)] ∪ [q + m, ∞). The cell is pinned when fewer than two of its values
    1 … m − 1 leave a remainder S − v in that set.
    """
    hidden = [i for i, s in enumerate(status) if s != SHOWN]
    held = round(sum(values[i] or 0.0 for i in hidden))
    primaries = [i for i in hidden if status[i] == PRIMARY]
    r = len(hidden) - len(primaries)
    q = len(primaries) - 1
    for _ in primaries:
        feasible = 0
        for v in range(1, min_cell):
            rest = held - v
            if q <= rest <= q * (min_cell - 1) or (r > 0 and rest >= q + min_cell):
                feasible += 1
        if feasible < 2:
            return True
    return False


def _protect_line(values: list[float | None], status: list[str], min_cell: int) -> bool:
    """Apply rule 2 to one line (private lists, changed in place); True if anything changed."""
    changed = False
    while _exposed(values, status, min_cell):
        candidates = [i for i, s in enumerate(status) if s == SHOWN and values[i] is not None]
        if not candidates:
            break
        positive = [i for i in candidates if values[i] > 0]
        pick = min(positive or candidates, key=lambda i: (values[i], i))
        status[pick] = COMPLEMENTARY
        changed = True
    return changed


def suppression_status(
    frame: pd.DataFrame,
    count_columns: Sequence[Hashable],
    *,
    min_cell: int | None = 5,
    total: str | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Which cells of ``frame[count_columns]`` are shown, hidden, or hidden to protect others.

    Parameters
    ----------
    frame : DataFrame
        A table of counts (not modified). Margins (total rows/columns) must not be among
        ``count_columns``: they are the published totals the rule protects against.
    count_columns : sequence of column names
        The columns holding counts.
    min_cell : int, default 5
        Disclosure threshold.
    total : {None, "column", "row", "both"}
        Which lines add up to a published total (see the module notes). ``None``: primary
        suppression only.
    by : column name(s), optional
        With ``total="column"`` or ``"both"``, the column lines are taken within each group
        (e.g. one variable of a Table 1 per group).

    Returns
    -------
    DataFrame
        Same index as ``frame``, one column per count column, values ``"shown"``,
        ``"primary"`` (``0 < n < min_cell``) or ``"complementary"``.
    """
    import pandas as pd

    columns = list(count_columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"suppress: count column(s) {missing} not in the table (columns: {list(frame.columns)})"
        )
    if total not in _TOTALS:
        raise ConfigError(f"suppress: total={total!r}; use one of None, 'column', 'row', 'both'")
    values = [[_value(v) for v in frame[c].tolist()] for c in columns]  # [col][row]
    status = [[PRIMARY if is_suppressed(v, min_cell) else SHOWN for v in col] for col in values]
    if total is not None and _active(min_cell):
        if by is None:
            groups = [list(range(len(frame)))]
        else:
            keys = [by] if isinstance(by, str) or not isinstance(by, Sequence) else list(by)
            codes = frame.groupby(keys, sort=False, dropna=False).ngroup().tolist()
            groups = [[i for i, g in enumerate(codes) if g == k] for k in sorted(set(codes))]
        for _ in range(50):
            changed = False
            if total in ("row", "both"):
                for r in range(len(frame)):
                    line_v = [values[c][r] for c in range(len(columns))]
                    line_s = [status[c][r] for c in range(len(columns))]
                    if _protect_line(line_v, line_s, min_cell):
                        changed = True
                        for c in range(len(columns)):
                            status[c][r] = line_s[c]
            if total in ("column", "both"):
                for c in range(len(columns)):
                    for rows in groups:
                        line_v = [values[c][r] for r in rows]
                        line_s = [status[c][r] for r in rows]
                        if _protect_line(line_v, line_s, min_cell):
                            changed = True
                            for r, s in zip(rows, line_s, strict=True):
                                status[c][r] = s
            if not changed or total in ("row", "column"):
                break
    return pd.DataFrame({col: status[c] for c, col in enumerate(columns)}, index=frame.index.copy())


def suppress(
    frame: pd.DataFrame,
    count_columns: Sequence[Hashable],
    *,
    min_cell: int | None = 5,
    total: str | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    linked: Mapping[Hashable, Hashable] | None = None,
    lang: str = "id",
    complementary_mark: str = "x",
) -> pd.DataFrame:
    """A copy of ``frame`` with its counts as display strings, small cells hidden.

    Parameters
    ----------
    frame : DataFrame
        A table of counts (not modified).
    count_columns : sequence of column names
        Columns holding counts; they come back as strings (``"12"``, ``"1.234"``, ``"<5"``,
        ``"x"``, ``"–"`` for missing).
    min_cell, total, by
        As in :func:`suppression_status`.
    linked : mapping, optional
        ``{derived_column: count_column}``: columns computed from a count (a share, a
        percent string) that must be hidden with it, e.g. ``{"share": "n_positive"}``.
        Hidden derived cells take the same mark as their count; the others keep their value.
    lang : {"id", "en"}
        Thousands separator of the shown counts.
    complementary_mark : str, default "x"
        Text of the cells hidden by complementary suppression.

    Returns
    -------
    DataFrame
        Same index and columns as ``frame``; count (and linked) columns of dtype object.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"level": ["rendah", "sedang", "tinggi"], "n": [3, 12, 20]})
    >>> suppress(t, ["n"])["n"].tolist()
    ['<5', '12', '20']
    >>> suppress(t, ["n"], total="column")["n"].tolist()   # 35 is published: 3 = 35 − 12 − 20
    ['<5', 'x', '20']
    """
    status = suppression_status(frame, count_columns, min_cell=min_cell, total=total, by=by)
    out = frame.copy()
    marks = {PRIMARY: threshold_mark(min_cell), COMPLEMENTARY: complementary_mark}
    for col in status.columns:
        shown = [
            marks[s] if s != SHOWN else format_count(v, min_cell, lang)
            for v, s in zip(frame[col].tolist(), status[col].tolist(), strict=True)
        ]
        out[col] = _series(shown, frame.index)
    for derived, source in (linked or {}).items():
        if derived not in frame.columns or source not in status.columns:
            raise InputError(
                f"suppress: linked column {derived!r} → {source!r}: both must be in the table "
                f"and {source!r} among the count columns"
            )
        values = frame[derived].tolist()
        out[derived] = _series(
            [
                marks[s] if s != SHOWN else v
                for v, s in zip(values, status[source].tolist(), strict=True)
            ],
            frame.index,
        )
    return out


def suppress_nested(
    counts: Sequence[Any] | Mapping[Hashable, Any],
    min_cell: int | None = 5,
    *,
    lang: str = "id",
    complementary_mark: str = "x",
) -> Any:
    """Display strings for a chain of nested counts, hiding small differences (rule 3).

    Parameters
    ----------
    counts : sequence or mapping of counts
        The steps in order, the first one the widest (e.g. ``{"enrolled": 21,
        "assessed_pre": 19, "assessed_post": 17, "completed": 19}``). Not modified.
    min_cell : int, default 5
        Disclosure threshold; 0, 1 or ``None`` switch suppression off.
    lang : {"id", "en"}
        Thousands separator of the shown counts.
    complementary_mark : str, default "x"
        Text of a step hidden because of its difference to an earlier one.

    Returns
    -------
    list of str, or dict of str when ``counts`` is a mapping (same keys, same order)
        ``"<5"`` for a count ``0 < n < min_cell`` (primary), ``"x"`` for a step whose
        difference to an earlier shown step is between 1 and ``min_cell − 1``, else the
        count as :func:`format_count` writes it. For any two shown steps a and b,
        ``a − b`` is 0 or at least ``min_cell`` in absolute value.

    Examples
    --------
    >>> suppress_nested([21, 19, 17, 19])
    ['21', 'x', 'x', 'x']
    >>> suppress_nested([35, 35, 30, 30])
    ['35', '35', '30', '30']
    >>> suppress_nested({"enrolled": 40, "assessed_pre": 38, "assessed_post": 30})
    {'enrolled': '40', 'assessed_pre': 'x', 'assessed_post': '30'}
    """
    keys = list(counts.keys()) if isinstance(counts, Mapping) else None
    values = [_value(v) for v in (counts.values() if keys is not None else counts)]
    shown: list[float] = []
    out: list[str] = []
    for value in values:
        if value is None or is_suppressed(value, min_cell):
            out.append(format_count(value, min_cell, lang))
            continue
        if _active(min_cell) and any(0 < abs(value - s) < min_cell for s in shown):
            out.append(complementary_mark)
            continue
        shown.append(value)
        out.append(format_count(value, min_cell, lang))
    return dict(zip(keys, out, strict=True)) if keys is not None else out


def _series(values: list[Any], index: Any) -> Any:
    """A Series of dtype object (so mixed marks and numbers do not get coerced)."""
    import pandas as pd

    return pd.Series(values, index=index, dtype=object)
