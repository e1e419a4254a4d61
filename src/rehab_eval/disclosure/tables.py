"""Count tables (Table 1, crosstabs, per-facility tables) with the policy applied.

:func:`show_table` is :func:`rehab_eval.privacy.suppress` made policy-aware: the count
kind of each column decides whether it is protected, operational columns stay exact, the
totals a report prints beside the table (the n in a subtitle, the margins) are declared
relations, and all lines are audited together by
:func:`rehab_eval.disclosure.cells.protect_cells`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rehab_eval.disclosure.audience import Disclosure
from rehab_eval.disclosure.counts import show_counts
from rehab_eval.errors import ConfigError, require_columns

__all__ = ["ShownTable", "show_table"]


@dataclass(frozen=True)
class ShownTable:
    """A count table ready for display.

    Attributes
    ----------
    table : DataFrame
        The input with its count columns as display strings (``"12"``, ``"<5"``, ``"x"``)
        and linked columns hidden with their count.
    values : DataFrame
        Same shape: the count columns as published values, ``None`` where hidden (what
        ``summary.json`` and exported tables keep).
    status : DataFrame
        ``"shown"``, ``"primary"`` or ``"complementary"`` per count cell.
    totals_shown : bool
        ``False`` when a declared total had to be hidden as a last resort: the report must
        not print it either.
    """

    table: Any
    values: Any
    status: Any
    totals_shown: bool = True


def show_table(
    frame: Any,
    count_columns: Sequence[Hashable],
    disclosure: Disclosure,
    *,
    kinds: str | Mapping[Hashable, str],
    total: str | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    linked: Mapping[Hashable, Hashable] | None = None,
    group_size: Any = None,
    lang: str = "id",
) -> ShownTable:
    """Display strings for a table of counts, small sensitive cells hidden.

    Parameters
    ----------
    frame : DataFrame
        One row per category (not modified).
    count_columns : sequence of column names
    disclosure : Disclosure
    kinds : str or mapping of column → count kind
        The policy kind of the counts of each column (one kind for all columns as a str).
    total : {None, "column", "row", "both"}
        Which lines add up to a total the report publishes (each column within each ``by``
        group; each row; both), as in :func:`rehab_eval.privacy.suppress`.
    by : column name(s), optional
        With column totals, the lines are taken within each group (one variable of a
        Table 1 per group).
    linked : mapping, optional
        ``{derived_column: count_column}``: shares or percent strings hidden with their count.
    group_size : int, optional
        Size of the group the table describes; under ``min_cell`` every count is hidden.
    lang : {"id", "en"}

    Returns
    -------
    ShownTable

    Examples
    --------
    >>> import pandas as pd
    >>> from rehab_eval.disclosure import resolve
    >>> t = pd.DataFrame({"level": ["rendah", "sedang", "tinggi"], "n": [3, 12, 20]})
    >>> show_table(t, ["n"], resolve(), kinds="risk_level", total="column").table["n"].tolist()
    ['<5', 'x', '20']
    """
    import pandas as pd

    columns = list(count_columns)
    require_columns(frame, [c for c in columns if isinstance(c, str)], "show_table", noun="table")
    if total not in (None, "column", "row", "both"):
        raise ConfigError(f"show_table: total={total!r}; use one of None, 'column', 'row', 'both'")
    kind_of = {c: kinds for c in columns} if isinstance(kinds, str) else dict(kinds)
    missing = [c for c in columns if c not in kind_of]
    if missing:
        raise ConfigError(f"show_table: no count kind for column(s) {missing}")
    rows = list(range(len(frame)))
    counts: dict[Hashable, Any] = {}
    cell_kinds: dict[Hashable, str] = {}
    for c in columns:
        for r, v in zip(rows, frame[c].tolist(), strict=True):
            counts[(r, c)], cell_kinds[(r, c)] = v, kind_of[c]
    relations: list[tuple[Hashable, list[Hashable]]] = []

    def add_total(key: Hashable, parts: list[Hashable], kind: str) -> None:
        present = [p for p in parts if pd.notna(counts[p])]
        counts[key] = sum(int(counts[p]) for p in present)
        cell_kinds[key] = kind
        relations.append((key, present))

    if total in ("column", "both"):
        if by is None:
            groups = [rows]
        else:
            keys = [by] if isinstance(by, str) or not isinstance(by, Sequence) else list(by)
            codes = frame.groupby(keys, sort=False, dropna=False).ngroup().tolist()
            groups = [[r for r in rows if codes[r] == g] for g in sorted(set(codes))]
        for c in columns:
            for g, members in enumerate(groups):
                add_total(("column", c, g), [(r, c) for r in members], "enrolled")
    if total in ("row", "both"):
        for r in rows:
            add_total(("row", r), [(r, c) for c in columns], "enrolled")
    totals = {key for key, _ in relations}
    shown = show_counts(
        counts, cell_kinds, disclosure, relations=relations, group_size=group_size, lang=lang
    )
    out = frame.copy()
    values = frame.copy()
    status = pd.DataFrame(index=frame.index)
    for c in columns:
        cells = [shown[(r, c)] for r in rows]
        out[c] = pd.Series([s.text for s in cells], index=frame.index, dtype=object)
        values[c] = pd.Series([s.value for s in cells], index=frame.index, dtype=object)
        status[c] = [s.status for s in cells]
    for derived, source in (linked or {}).items():
        if derived not in frame.columns or source not in columns:
            raise ConfigError(
                f"show_table: linked column {derived!r} → {source!r}: both must be in the "
                f"table and {source!r} among the count columns"
            )
        out[derived] = pd.Series(
            [
                v if s.value is not None else s.text
                for v, s in zip(
                    frame[derived].tolist(), (shown[(r, source)] for r in rows), strict=True
                )
            ],
            index=frame.index,
            dtype=object,
        )
    totals_shown = all(shown[k].value is not None for k in totals)
    return ShownTable(table=out, values=values, status=status, totals_shown=totals_shown)
