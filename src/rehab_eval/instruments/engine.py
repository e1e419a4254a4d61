"""The generic scorer: one instrument declaration + cleaned answers → score columns.

Everything runs column by column in numpy over the whole table (no per-row Python, no
intermediate rounding): skip logic (gates), scale mean / sum / prorated sum with a minimum
answered, affine output steps, the case-level rule, derived scores, bands, and the
across-block summary. :func:`rehab_eval.score` wraps it with option handling and the
DataFrame in / DataFrame out contract.
"""

from __future__ import annotations

import warnings

import numpy as np

from rehab_eval.errors import DataQualityWarning
from rehab_eval.instruments.model import Instrument, Profile, _fill

__all__ = ["compute_scores", "warn_gated"]


#: Relative tolerance of a cut-off comparison. A score built from means (URICA readiness is
#: C + A + M − PC, each a multiple of 1/7) lands a few ulps beside a cut-off it equals
#: exactly (10.999999999999998 for 11); such a value must band as the cut-off itself.
#: Genuine distances from a cut-off are at least 1/28 here, far above the tolerance.
_CUT_TOLERANCE = 1e-9


def _band_index(x: np.ndarray, cuts: tuple[tuple[float, str], ...]) -> np.ndarray:
    """Number of cuts passed (0 … len(cuts)); -1 where x is NaN.

    ``ge`` cuts count x ≥ value and ``gt`` cuts x > value, both up to a relative tolerance of
    ``_CUT_TOLERANCE`` so that floating-point sums equal to a cut-off band as equal.
    """
    idx = np.zeros(len(x), dtype=np.int64)
    with np.errstate(invalid="ignore"):
        for value, kind in cuts:
            eps = _CUT_TOLERANCE * max(1.0, abs(value))
            idx += (x > value + eps) if kind == "gt" else (x >= value - eps)
    return np.where(np.isnan(x), -1, idx)


def _labels(idx: np.ndarray, labels: tuple[str, ...]) -> np.ndarray:
    table = np.array([*labels, None], dtype=object)
    return table[np.where(idx < 0, len(labels), idx)]


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
    values: dict[str, np.ndarray],
    profile: Profile,
    n: int,
    *,
    answered: dict[str, np.ndarray] | None = None,
    overruled: dict[str, int] | None = None,
) -> dict[str, np.ndarray]:
    """Score columns (name → array of length n) in ``Instrument.score_columns()`` order.

    ``values`` maps each item column to float answers, NaN for missing, reversed items
    already reversed (:func:`rehab_eval.instruments.read_answers`); ``answered`` (optional)
    is ``~np.isnan`` of each, as :class:`~rehab_eval.instruments.Answers` carries it.
    Non-zero answers that skip logic counted as 0 give a :class:`DataQualityWarning`; with
    ``overruled`` they are added to that dict (``"<gate column> = <answer>"`` → count)
    instead, for a caller that scores a table in pieces and warns once (:func:`warn_gated`).
    """
    out: dict[str, np.ndarray] = {}
    if answered is None:
        answered = {column: ~np.isnan(x) for column, x in values.items()}
    for raw in inst.raw:
        out[raw.column] = values[raw.item].copy()
    case_ok = None
    if profile.case_min_answered is not None:
        n_case = np.zeros(n, dtype=np.int64)
        for column in inst.item_columns:
            n_case += answered[column]
        case_ok = n_case >= profile.case_min_answered
        for raw in inst.raw:
            out[raw.column][~case_ok] = np.nan
    stats: dict[tuple[str | None, str], _Stats] = {}
    gated: dict[str, int] = {}  # non-zero answers overruled by skip logic, per gate
    for block in inst.block_names:
        cols = {item: inst.column(item, block) for item in inst.items}
        ans = {item: answered[c] for item, c in cols.items()}
        fil = {item: values[c] for item, c in cols.items()}  # NaN where not answered
        for gate in inst.gates:
            hit = fil[gate.item] == gate.equals
            if hit.any():
                ignored = sum(
                    int(np.count_nonzero(hit & ans[i] & (fil[i] != 0))) for i in gate.zero
                )
                if ignored:
                    gated[f"{cols[gate.item]} = {gate.equals:g}"] = ignored
                for item in gate.zero:
                    ans[item] = ans[item] | hit
                    fil[item] = np.where(hit, 0.0, fil[item])
        for scale in inst.scales:
            items = scale.items_for(block)
            total = np.zeros(n)
            count = np.zeros(n, dtype=np.int64)
            for item in items:
                np.add(total, fil[item], out=total, where=ans[item])  # no temporary
                count += ans[item]
            ok = count >= (profile.min_answered[scale.name] or len(items))
            if case_ok is not None:
                ok &= case_ok
            stats[(block, scale.name)] = _Stats(total, count, ok, len(items))
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
            out[column] = _labels(idx, band.labels)
    if inst.summary is not None:
        out.update(_summarise(inst, out, band_idx, n))
    return out


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
    maximum is not already the top band; no block is named when every score is 0."""
    s = inst.summary
    band = next(b for b in inst.bands if b.column == s.band)
    top = len(band.labels) - 1
    blocks = [b for b in inst.blocks if b not in s.exclude]
    idx = np.stack([band_idx[_fill(s.band, "", b)] for b in blocks], axis=1)
    scores = np.stack([out[_fill(s.score, "", b)] for b in blocks], axis=1)
    best = idx.max(axis=1)
    unknown = (idx < 0).any(axis=1)
    determined = (best >= 0) & (~unknown | (best == top))
    scale = np.nanmax(np.where(np.isnan(scores), 0.0, scores)) + 1 if n else 1.0
    key = np.where(idx < 0, -1.0, idx * scale + np.nan_to_num(scores))
    arg = key.argmax(axis=1) if n else np.zeros(0, dtype=np.int64)
    top_score = scores[np.arange(n), arg] if n else np.zeros(0)
    names = np.array([*blocks, None], dtype=object)
    highest = names[np.where(determined & (top_score > 0), arg, len(blocks))]
    level_labels = tuple(s.level_labels[label] for label in band.labels)
    level = _labels(np.where(determined, best, -1), level_labels)
    return {s.highest_column: highest, s.level_column: level}
