"""Complementary suppression against every linear relation a report publishes.

:mod:`rehab_eval.privacy` protects one line of cells against its total. A report publishes
more relations than that: a facility's counts and the province's, a sub-cohort and its
parent, a percentage with its n (which publishes its numerator), a count and the
difference of two nested groups. :func:`protect_cells` takes all the cells of a report
and every linear relation between them, and hides cells until no sensitive count under the
threshold can be pinned down to one value.

The attacker model (the interval audit of Hundepool et al. 2012, §5.3, solved exactly as
an integer program): the reader knows every published value, every declared relation
``total = part_1 + … + part_k``, that a ``"<5"`` cell holds 1 … m − 1 and that any other
hidden published cell (``"x"``) holds 0 or at least m; cells that are never published
(the remainder of a parent group outside its sub-group, say) are only known to be
counts ≥ 0. For every sensitive cell holding 1 … m − 1 the smallest and largest value
consistent with all of this are computed with ``scipy.optimize.milp``; the cell is
*pinned* when they coincide. While a cell is pinned, the smallest shown cell tied to it
by a relation is hidden (operational cells listed in ``keep`` last).

References
----------
Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley. §5.3 (audit of
suppressed tables by linear programming), §5.4 (secondary cell suppression).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any

from rehab_eval.errors import InputError

__all__ = ["COMPLEMENTARY", "PRIMARY", "SHOWN", "UNPUBLISHED", "feasible_range", "protect_cells"]

SHOWN = "shown"
PRIMARY = "primary"
COMPLEMENTARY = "complementary"
UNPUBLISHED = "unpublished"

Relation = tuple[Hashable, Sequence[Hashable]]


def _int(value: Any, key: Hashable) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if math.isnan(number) or number < 0 or number != int(number):
        raise InputError(f"cell {key!r}: count {value!r} is not a whole number ≥ 0")
    return int(number)


def feasible_range(
    values: Mapping[Hashable, int],
    status: Mapping[Hashable, str],
    relations: Sequence[Relation],
    target: Hashable,
    min_cell: int,
    sensitive: Collection[Hashable] | None = None,
) -> tuple[int, int]:
    """Smallest and largest value of ``target`` a reader can infer (see the module notes).

    Parameters
    ----------
    values : mapping
        True counts of every cell (only the shown ones are used as known).
    status : mapping
        ``"shown"``, ``"primary"``, ``"complementary"`` or ``"unpublished"`` per cell.
    relations : sequence of (total, parts)
        Each states ``values[total] == sum(values[p] for p in parts)``.
    target : key
        A cell that is not shown.
    min_cell : int
        Threshold m: primary cells hold 1 … m − 1, complementary sensitive cells 0 or ≥ m.
    sensitive : collection of keys, optional
        The sensitive cells (default: all); a hidden non-sensitive cell is only known ≥ 0.

    Returns
    -------
    (low, high) : tuple of int
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    hidden = [k for k in values if status[k] != SHOWN]
    index = {k: i for i, k in enumerate(hidden)}
    comp = [
        k for k in hidden if status[k] == COMPLEMENTARY and (sensitive is None or k in sensitive)
    ]
    nvar = len(hidden) + len(comp)  # one binary per complementary cell: 0 or ≥ m
    big = max(1, sum(values.values())) * 2 + min_cell
    rows, rhs = [], []
    for total, parts in relations:
        row = np.zeros(nvar)
        const = 0.0
        for key, sign in [(total, 1.0)] + [(p, -1.0) for p in parts]:
            if key in index:
                row[index[key]] += sign
            else:
                const += sign * values[key]
        if row.any():
            rows.append(row)
            rhs.append(-const)
    lower = np.zeros(nvar)
    upper = np.full(nvar, float(big))
    for k in hidden:
        if status[k] == PRIMARY:
            lower[index[k]], upper[index[k]] = 1, min_cell - 1
    for j, k in enumerate(comp):  # m·b ≤ x ≤ big·b
        b = len(hidden) + j
        upper[b] = 1
        for coef_x, coef_b, lo, hi in ((1.0, -min_cell, 0.0, np.inf), (1.0, -big, -np.inf, 0.0)):
            row = np.zeros(nvar)
            row[index[k]], row[b] = coef_x, coef_b
            rows.append(row)
            rhs.append((lo, hi))
    constraints = []
    if rows:
        lo_b = [r if not isinstance(r, tuple) else r[0] for r in rhs]
        hi_b = [r if not isinstance(r, tuple) else r[1] for r in rhs]
        constraints.append(LinearConstraint(np.array(rows), lo_b, hi_b))
    result = []
    for sense in (1.0, -1.0):
        c = np.zeros(nvar)
        c[index[target]] = sense
        res = milp(
            c,
            constraints=constraints,
            integrality=np.ones(nvar),
            bounds=Bounds(lower, upper),
        )
        if res.x is None:  # infeasible cannot happen with true values; be safe: unknown
            return (0, big)
        result.append(round(res.x[index[target]]))
    return result[0], result[1]


def protect_cells(
    values: Mapping[Hashable, Any],
    *,
    sensitive: Collection[Hashable],
    relations: Sequence[Relation] = (),
    unpublished: Collection[Hashable] = (),
    keep: Collection[Hashable] = (),
    min_cell: int | None = 5,
) -> dict[Hashable, str]:
    """Which cells of a report to show, so that no small sensitive count can be recovered.

    Parameters
    ----------
    values : mapping of key → count
        Every cell the report publishes, plus the implied cells in ``unpublished``.
    sensitive : collection of keys
        Cells counting people (tests, events) with a health or justice outcome. Those
        holding 1 … ``min_cell − 1`` are hidden (primary) and must not be recoverable;
        that includes unpublished implied cells (the positives outside a sub-cohort).
    relations : sequence of ``(total, parts)``
        Linear relations a reader knows: ``total = sum(parts)``. A sub-group and its parent
        are declared as ``(parent, [child, rest])`` with ``rest`` unpublished; a
        percentage published with its n publishes its numerator (declare the numerator
        as a cell).
    unpublished : collection of keys
        Implied cells never shown.
    keep : collection of keys
        Cells to hide only when nothing else protects (operational counts).
    min_cell : int or None
        Threshold; ``None``, 0 or 1 switch suppression off.

    Returns
    -------
    dict
        Key → ``"shown"``, ``"primary"``, ``"complementary"`` or ``"unpublished"``.

    Examples
    --------
    >>> s = protect_cells({"all": 21, "pos": 3, "neg": 18}, sensitive={"pos", "neg"},
    ...                   relations=[("all", ["pos", "neg"])], keep={"all"})
    >>> s["pos"], s["neg"], s["all"]
    ('primary', 'complementary', 'shown')
    """
    counts = {k: _int(v, k) for k, v in values.items()}
    for total, parts in relations:
        for key in (total, *parts):
            if key not in counts:
                raise InputError(f"relation {total!r} = {list(parts)!r}: no cell {key!r}")
        if counts[total] != sum(counts[p] for p in parts):
            raise InputError(
                f"relation {total!r} = sum of {list(parts)!r} does not hold: "
                f"{counts[total]} ≠ {sum(counts[p] for p in parts)}"
            )
    sensitive = set(sensitive)
    status = {k: UNPUBLISHED if k in unpublished else SHOWN for k in counts}
    if min_cell is None or min_cell <= 1:
        return status
    small = [k for k in counts if k in sensitive and 0 < counts[k] < min_cell]
    for k in small:
        if status[k] == SHOWN:
            status[k] = PRIMARY
    keep = set(keep)
    _line_pass(counts, status, relations, keep, min_cell)
    # Hiding a cell only widens what a reader can infer, so a cell found safe stays safe.
    safe: set[Hashable] = set()
    for _ in range(len(counts) + 1):
        pinned = None
        for k in small:
            if k in safe:
                continue
            low, high = feasible_range(counts, status, relations, k, min_cell, sensitive)
            if low == high:
                pinned = k
                break
            safe.add(k)
        if pinned is None:
            return status
        status[_pick(pinned, counts, status, relations, keep, min_cell, sensitive)] = COMPLEMENTARY
    return status  # pragma: no cover - the loop hides at most every cell


def _line_pass(
    counts: Mapping[Hashable, int],
    status: dict[Hashable, str],
    relations: Sequence[Relation],
    keep: Collection[Hashable],
    min_cell: int,
) -> None:
    """Rule 2 of :mod:`rehab_eval.privacy` on every relation with a shown total, until stable.

    A cheap first pass (each line against its total, as ``suppress(total="both")``); the
    joint audit of :func:`protect_cells` then finds what it leaves exposed. Lines holding an
    unpublished cell are left to the audit.
    """
    from rehab_eval.privacy import COMPLEMENTARY as LINE_HIDDEN
    from rehab_eval.privacy import PRIMARY as LINE_PRIMARY
    from rehab_eval.privacy import SHOWN as LINE_SHOWN
    from rehab_eval.privacy import _exposed

    translate = {SHOWN: LINE_SHOWN, PRIMARY: LINE_PRIMARY, COMPLEMENTARY: LINE_HIDDEN}
    for _ in range(len(counts) + 1):
        changed = False
        for total, parts in relations:
            if status[total] != SHOWN or any(status[p] == UNPUBLISHED for p in parts):
                continue
            values = [float(counts[p]) for p in parts]
            while _exposed(values, [translate[status[p]] for p in parts], min_cell):
                free = [p for p in parts if status[p] == SHOWN and p not in keep]
                if not free:
                    break
                positive = [p for p in free if counts[p] > 0]
                pick = min(positive or free, key=lambda p: (counts[p], str(p)))
                status[pick] = COMPLEMENTARY
                changed = True
        if not changed:
            return


def _pick(
    target: Hashable,
    counts: Mapping[Hashable, int],
    status: dict[Hashable, str],
    relations: Sequence[Relation],
    keep: Collection[Hashable],
    min_cell: int,
    sensitive: Collection[Hashable],
) -> Hashable:
    """The cell to hide next for a pinned ``target``.

    Shown cells sharing a relation with ``target`` come first, then cells tied to it through
    hidden cells; within each, cells not in ``keep``, positive, smallest first. The first
    of the (at most 6) leading candidates whose hiding frees ``target`` is taken, else the
    leading candidate.
    """
    direct = [
        m
        for total, parts in relations
        if target in (total, *parts)
        for m in (total, *parts)
        if status[m] == SHOWN
    ]
    candidates = list(dict.fromkeys(direct)) or _neighbours(target, status, relations)
    if not candidates:
        raise InputError(
            f"cell {target!r} ({counts[target]}) cannot be protected: every cell tied "
            "to it is hidden already; publish fewer relations"
        )
    candidates.sort(key=lambda k: (k in keep, counts[k] == 0, counts[k], str(k)))
    for key in candidates[:6]:
        status[key] = COMPLEMENTARY
        low, high = feasible_range(counts, status, relations, target, min_cell, sensitive)
        status[key] = SHOWN
        if low != high:
            return key
    return candidates[0]


def _neighbours(
    target: Hashable, status: Mapping[Hashable, str], relations: Sequence[Relation]
) -> list[Hashable]:
    """Shown cells of the relations connected to ``target`` through hidden cells."""
    reach = {target}
    frontier = [target]
    rels = [(t, list(p)) for t, p in relations]
    seen_rel: set[int] = set()
    shown: list[Hashable] = []
    while frontier:
        key = frontier.pop()
        for i, (total, parts) in enumerate(rels):
            members = [total, *parts]
            if key not in members or i in seen_rel:
                continue
            seen_rel.add(i)
            for m in members:
                if status[m] == SHOWN:
                    if m not in shown:
                        shown.append(m)
                elif m not in reach:
                    reach.add(m)
                    frontier.append(m)
    return shown
