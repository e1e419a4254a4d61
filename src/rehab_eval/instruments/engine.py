"""The generic scorer: one instrument declaration + cleaned answers → score columns.

Everything runs column by column in numpy over a block of rows (no per-row Python, no
intermediate rounding): skip logic (gates), scale mean / sum / prorated sum with a minimum
answered, affine output steps, the case-level rule, derived scores, bands and the
across-block summary. The answers come as int8 codes, 0 where not answered
(:mod:`rehab_eval.instruments.codes`), so sums and counts are exact integer additions in
narrow types without masks. :func:`rehab_eval.instruments.blocks.score_blocks` runs it over a
table block by block; :func:`rehab_eval.score` wraps that with option handling and the
DataFrame in / DataFrame out contract.
"""

from __future__ import annotations

import warnings

import numpy as np

from rehab_eval.errors import DataQualityWarning
from rehab_eval.instruments.model import Instrument, Profile, _fill

__all__ = ["as_labels", "compute_scores", "label_tables", "warn_gated"]


#: Relative tolerance of a cut-off comparison. A score built from means (URICA readiness is
#: C + A + M − PC, each a multiple of 1/7) lands a few ulps beside a cut-off it equals
#: exactly (10.999999999999998 for 11); such a value must band as the cut-off itself.
#: Genuine distances from a cut-off are at least 1/28 here, far above the tolerance.
_CUT_TOLERANCE = 1e-9


def _band_index(x: np.ndarray, cuts: tuple[tuple[float, str], ...]) -> np.ndarray:
    """Number of cuts passed (0 … len(cuts)) as int8; -1 where x is NaN.

    ``ge`` cuts count x ≥ value and ``gt`` cuts x > value, both up to a relative tolerance of
    ``_CUT_TOLERANCE`` so that floating-point sums equal to a cut-off band as equal.
    """
    idx = np.zeros(len(x), dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for value, kind in cuts:
            eps = _CUT_TOLERANCE * max(1.0, abs(value))
            passed = (x > value + eps) if kind == "gt" else (x >= value - eps)
            idx += passed.view(np.int8)
    idx[np.isnan(x)] = -1
    return idx


class _Stats:
    """One scale on one block: the total and count of answered items, whether the minimum
    is met, and the statistics an output asks for, each computed once when first asked."""

    def __init__(self, total: np.ndarray, count: np.ndarray, ok: np.ndarray, k: int) -> None:
        self.total, self.count, self.ok, self.k = total, count, ok, k
        self._done: dict[str, np.ndarray] = {}

    def get(self, of: str) -> np.ndarray:
        if of not in self._done:
            self._done[of] = self._compute(of)
        return self._done[of]

    def _compute(self, of: str) -> np.ndarray:
        n = len(self.total)
        if of == "mean":
            return np.divide(self.total, self.count, out=np.full(n, np.nan), where=self.ok)
        if of == "sum":
            return np.where(self.ok, self.total, np.nan)
        if of == "prorated_sum":
            return np.divide(self.total * self.k, self.count, out=np.full(n, np.nan), where=self.ok)
        raise ValueError(f"unknown statistic {of!r}")


def compute_scores(
    inst: Instrument,
    codes: dict[str, np.ndarray],
    profile: Profile,
    n: int,
    *,
    answered: dict[str, np.ndarray],
    overruled: dict[str, int] | None = None,
    labels: bool = True,
) -> dict[str, np.ndarray]:
    """Score columns (name → array of length n) in ``Instrument.score_columns()`` order.

    ``codes`` and ``answered`` are the cleaned answers of every item column
    (:func:`rehab_eval.instruments.codes.clean_codes`): integer answers, reversed items
    already reversed, 0 where not answered; and True where answered. Sums and counts are
    exact integers, added without masks. Non-zero answers that skip logic counted as 0 give
    a :class:`DataQualityWarning`; with ``overruled`` they are added to that dict
    (``"<gate column> = <answer>"`` → count) instead, for a caller that scores a table in
    pieces and warns once (:func:`warn_gated`). With ``labels=False`` the label columns of
    :func:`label_tables` are left as int8 codes into their table.
    """
    out: dict[str, np.ndarray] = {}
    case_ok = None
    if profile.case_min_answered is not None:
        n_case = _count([answered[c] for c in inst.item_columns], n)
        case_ok = n_case >= profile.case_min_answered
    for raw in inst.raw:
        present = answered[raw.item] if case_ok is None else answered[raw.item] & case_ok
        out[raw.column] = np.where(present, codes[raw.item], np.nan)
    stats: dict[tuple[str | None, str], _Stats] = {}
    gated: dict[str, int] = {}  # non-zero answers overruled by skip logic, per gate
    for block in inst.block_names:
        cols = {item: inst.column(item, block) for item in inst.items}
        ans = {item: answered[c] for item, c in cols.items()}
        fil = {item: codes[c] for item, c in cols.items()}  # 0 where not answered
        for gate in inst.gates:
            hit = _equals(fil[gate.item], gate.equals) & ans[gate.item]
            if not hit.any():
                continue
            keep = (~hit).view(np.int8)  # 0 where the gate zeroes the items
            ignored = 0  # non-zero answers (a code is 0 where not answered) set to 0
            for item in gate.zero:
                before = np.count_nonzero(fil[item])
                fil[item] = np.multiply(fil[item], keep, dtype=fil[item].dtype)
                ignored += before - np.count_nonzero(fil[item])
                ans[item] = ans[item] | hit
            if ignored:
                gated[f"{cols[gate.item]} = {gate.equals:g}"] = ignored
        for scale in inst.scales:
            items = scale.items_for(block)
            total = np.zeros(n, dtype=_sum_dtype(inst, items))
            for item in items:
                np.add(total, fil[item], out=total)
            count = _count([ans[item] for item in items], n)
            ok = count >= (profile.min_answered[scale.name] or len(items))
            if case_ok is not None:
                ok &= case_ok
            stats[(block, scale.name)] = _Stats(total.astype(np.float64), count, ok, len(items))
    if gated and overruled is None:
        warn_gated(inst.name, gated, stacklevel=4)
    elif gated:
        for key, count in gated.items():
            overruled[key] = overruled.get(key, 0) + count
    for spec in inst.outputs:
        for block in inst.block_names:
            for scale in inst.scales:
                x = stats[(block, scale.name)].get(spec.of)
                for i, (op, c) in enumerate(spec.steps):
                    ufunc = np.multiply if op == "mul" else (np.subtract if op == "sub" else np.add)
                    x = ufunc(x, c, out=x if i else None)  # a new array, then in place
                out[_fill(spec.column, scale.name, block)] = x
    if inst.n_answered_column:
        for block in inst.block_names:
            for scale in inst.scales:
                out[_fill(inst.n_answered_column, scale.name, block)] = stats[
                    (block, scale.name)
                ].count
    if inst.case_columns:
        minimum = profile.case_min_answered
        out["n_answered"] = n_case
        out["valid"] = case_ok
        reason = np.full(n, None, dtype=object)
        if not case_ok.all():
            reason[~case_ok] = [
                f"fewer than {minimum} of {len(inst.item_columns)} items answered ({k})"
                for k in n_case[~case_ok]
            ]
        out["invalid_reason"] = reason
    for d in inst.derived:
        for block in inst.block_names:
            x = np.zeros(n)
            for term, coef in d.terms:
                x = x + coef * stats[(block, term)].get("mean")
            out[_fill(d.column, "", block)] = x
    band_idx: dict[str, np.ndarray] = {}
    for band in inst.bands:
        for block in inst.block_names:
            column = _fill(band.column, "", block)
            idx = _band_index(out[_fill(band.source, "", block)], band.cuts_for(block))
            band_idx[column] = idx
            out[column] = idx + 1
    if inst.summary is not None:
        out.update(_summarise(inst, out, band_idx, n))
    if labels:
        for column, table in label_tables(inst).items():
            out[column] = as_labels(out[column], table)
    return out


def label_tables(inst: Instrument) -> dict[str, tuple[str | None, ...]]:
    """The label columns of ``inst`` and their tables: code k is ``table[k]``, 0 is None."""
    tables: dict[str, tuple[str | None, ...]] = {}
    for band in inst.bands:
        for block in inst.block_names:
            tables[_fill(band.column, "", block)] = (None, *band.labels)
    s = inst.summary
    if s is not None:
        band = next(b for b in inst.bands if b.column == s.band)
        tables[s.highest_column] = (None, *(b for b in inst.blocks if b not in s.exclude))
        tables[s.level_column] = (None, *(s.level_labels[label] for label in band.labels))
    return tables


def as_labels(codes: np.ndarray, table: tuple[str | None, ...]) -> np.ndarray:
    """Labels of int8 codes (see :func:`label_tables`) as an object array."""
    return np.array(table, dtype=object)[codes]


def _equals(codes: np.ndarray, value: float) -> np.ndarray:
    """``codes == value`` without widening the codes (False everywhere for a value that
    no code can hold)."""
    info = np.iinfo(codes.dtype)
    if value != int(value) or not info.min <= value <= info.max:
        return np.zeros(len(codes), dtype=bool)
    return codes == codes.dtype.type(int(value))


def _count(masks: list[np.ndarray], n: int) -> np.ndarray:
    """Number of True per row over ``masks`` (int64), added as bytes when they fit."""
    if len(masks) > np.iinfo(np.uint8).max:
        return np.sum(masks, axis=0, dtype=np.int64) if masks else np.zeros(n, dtype=np.int64)
    count = np.zeros(n, dtype=np.uint8)
    for mask in masks:
        np.add(count, mask.view(np.uint8), out=count)
    return count.astype(np.int64)


def _sum_dtype(inst: Instrument, items: tuple[str, ...]) -> type:
    """The narrowest integer type that holds any sum of the codes of ``items`` (an allowed
    answer, reversed or not, or 0)."""
    bound = 0
    for item in items:
        values = [*inst.allowed[item]]
        if item in inst.reversed:
            values += [inst.reverse_sum - a for a in values]
        bound += max(abs(int(v)) for v in values)
    for dtype in (np.int8, np.int16, np.int32):
        if bound <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def warn_gated(name: str, gated: dict[str, int], *, stacklevel: int) -> None:
    """One :class:`DataQualityWarning` with the answers that skip logic counted as 0."""
    listed = ", ".join(f"{k}: {v}" for k, v in gated.items())
    warnings.warn(
        f"{name}: {sum(gated.values())} non-zero answer(s) after a skip-logic answer "
        f"were counted as 0 ({listed}); check the entries",
        DataQualityWarning,
        stacklevel=stacklevel,
    )


def _summarise(
    inst: Instrument, out: dict[str, np.ndarray], band_idx: dict[str, np.ndarray], n: int
) -> dict[str, np.ndarray]:
    """Highest band over blocks (→ level) and the block that carries it (ties: higher score,
    then form order). Undetermined (missing) when a block is unscored and the known
    maximum is not already the top band; no block is named when every score is 0.

    The blocks are ranked by ``band × scale + score`` (-1 for an unscored block) with
    ``scale`` above every score, kept as a running maximum over the blocks (the first
    block wins a tie)."""
    s = inst.summary
    band = next(b for b in inst.bands if b.column == s.band)
    top = len(band.labels) - 1
    blocks = [b for b in inst.blocks if b not in s.exclude]
    idx = [band_idx[_fill(s.band, "", b)] for b in blocks]
    scores = [out[_fill(s.score, "", b)] for b in blocks]
    scale = 1.0
    for x in scores:
        m = np.fmax.reduce(x) if len(x) else np.nan  # NaN only when every score is NaN
        scale = max(scale, m + 1.0) if m == m else scale
    best, unknown = idx[0].copy(), idx[0] < 0
    key, top_score = _rank(idx[0], scores[0], scale), scores[0]
    arg = np.zeros(n, dtype=np.int8)
    for b in range(1, len(blocks)):
        k = _rank(idx[b], scores[b], scale)
        better = k > key
        np.maximum(key, k, out=key)
        np.copyto(arg, b, where=better)
        top_score = np.where(better, scores[b], top_score)
        np.maximum(best, idx[b], out=best)
        unknown |= idx[b] < 0
    determined = (best >= 0) & (~unknown | (best == top))
    highest = np.where(determined & (top_score > 0), arg + 1, 0)
    level = np.where(determined, best + 1, 0)
    return {s.highest_column: highest, s.level_column: level}


def _rank(idx: np.ndarray, score: np.ndarray, scale: float) -> np.ndarray:
    """``band × scale + score`` (a missing score counts 0), -1 where the band is missing."""
    return np.where(idx < 0, -1.0, idx * scale + np.where(np.isnan(score), 0.0, score))
