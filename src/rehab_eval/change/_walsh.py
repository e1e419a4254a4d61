"""Hodges–Lehmann estimate and signed-rank interval, exact and fast at any n.

The normal-approximation branch of :func:`hodges_lehmann` needs, for each limit, the point μ
where the signed-rank statistic of d − μ crosses a quantile. Between two consecutive Walsh
averages (d_i + d_j)/2 (i ≤ j) the statistic is constant: V⁺ is the number of Walsh averages
above μ, no difference d − μ is zero and the ties of |d − μ| are those of d itself, so the
tie-corrected σ is one constant. The statistic is therefore a non-increasing step function
of V⁺ alone, and the crossing is the Walsh average of a rank found from the quantile by
integer arithmetic (:func:`_crossing_rank`). That order statistic is selected on the
distinct values of d with their multiplicities (:func:`walsh_order_statistics`): all pairs
of distinct values when they are few (scores on a grid: a few hundred distinct changes),
otherwise by narrowing a value interval with counts in O(k log k) and listing the few pairs
left inside it. No bisection over μ, no ranking per step.
"""

from __future__ import annotations

import numpy as np

__all__ = ["hodges_lehmann", "walsh_order_statistics"]

#: Distinct-value pairs listed at once; more distinct values are searched by value.
PAIR_CAP = 1 << 22


def hodges_lehmann(
    d: np.ndarray, *, conf_level: float = 0.95, correction: bool = True
) -> tuple[float, float, float]:
    """Hodges–Lehmann (pseudo)median of paired differences with its signed-rank interval.

    Parameters
    ----------
    d : array
        Differences post − pre.
    conf_level : float
        Level of the interval.
    correction : bool
        Continuity correction of the normal approximation (R's default ``True``).

    Returns
    -------
    (estimate, ci_low, ci_high)
        As R's ``wilcox.test(d, conf.int = TRUE)``. With n < 50 and no ties or zeros: the
        median of the n(n+1)/2 Walsh averages (d_i + d_j)/2, i ≤ j, and the Walsh averages
        of rank C and M + 1 − C, C the exact signed-rank quantile (``qsignrank``).
        Otherwise, after dropping the zero differences (as R), the points μ where the
        normal statistic of d − μ,
        (V⁺ − n'(n'+1)/4 − ½·sign)/σ (zeros dropped, tie-corrected σ, the ½ only with
        ``correction``), crosses 0 (estimate; the middle of the stretch where it is exactly
        0, where R's ``uniroot`` may stop anywhere) and ±z (limits). The statistic falls in
        steps at the Walsh averages, so each crossing is a Walsh average: the one whose rank
        the quantile fixes, selected exactly (R's ``uniroot`` finds the same step to 1e-4).
        At the ends of the data the statistic is evaluated with the ties |d − μ| has there.
        Time O(k² log k) for k distinct differences (few on a score grid), otherwise
        O(k log k) per narrowing step; memory O(min(k², 4·2²⁰)). NaN when d is empty.
    """
    from scipy import stats

    d = np.asarray(d, dtype=float)
    d = d[np.isfinite(d)]
    n = d.size
    if n == 0:
        return (float("nan"),) * 3
    alpha = 1 - conf_level
    if n < 50 and np.unique(np.abs(d)).size == n and not np.any(d == 0):
        return _exact(d, alpha)
    z = float(stats.norm.ppf(1 - alpha / 2))
    d = d[d != 0]  # as R: the zero differences are dropped before the interval is sought
    if d.size == 0:
        return 0.0, 0.0, 0.0
    values, counts = np.unique(d, return_counts=True)
    n = d.size
    m = n * (n + 1) // 2
    ties = counts.astype(float)
    sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - float((ties**3 - ties).sum()) / 48)
    ends = {mu: _statistic_at(d, mu, correction) for mu in (values[0], values[-1])}
    targets = [(0.0, False), (0.0, True), (z, False), (-z, False)]
    ranks = [_crossing_rank(m, sigma, zq, strict, correction) for zq, strict in targets]
    walsh = dict(zip(ranks, walsh_order_statistics(values, counts, ranks), strict=True))

    def root(zq: float, strict: bool, rank: int) -> float:
        def above(v: float) -> bool:
            return v - zq >= 0 if strict else v - zq > 0

        if not above(ends[values[0]]):
            return float(values[0])
        if above(ends[values[-1]]):
            return float(values[-1])
        return float(walsh[rank])

    lo_0, hi_0, lo, hi = (root(zq, s, r) for (zq, s), r in zip(targets, ranks, strict=True))
    # where the statistic is exactly 0 over a stretch, the estimate is its midpoint
    return (lo_0 + hi_0) / 2, lo, hi


def _exact(d: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """n < 50 without ties or zeros: Walsh averages and the exact signed-rank quantile."""
    n = d.size
    i, j = np.triu_indices(n)
    walsh = np.sort((d[i] + d[j]) / 2)
    m = walsh.size
    est = float(np.median(walsh))
    if n < 2:
        return est, float("nan"), float("nan")
    # exact signed-rank distribution: counts of rank sums 0..m
    counts = np.zeros(m + 1)
    counts[0] = 1.0
    for k in range(1, n + 1):
        counts[k:] = counts[k:] + counts[: m + 1 - k].copy()
    cdf = np.cumsum(counts) / 2.0**n
    # R: qu <- qsignrank(alpha/2, n) (smallest q with P(T <= q) >= alpha/2), at least 1
    qu = max(int(np.searchsorted(cdf, alpha / 2, side="left")), 1)
    ql = m - qu
    return est, float(walsh[qu - 1]), float(walsh[ql])


def _statistic_at(d: np.ndarray, mu: float, correction: bool) -> float:
    """The normal signed-rank statistic of d − μ by ranking (zeros dropped, ties of |d − μ|)."""
    from scipy import stats

    x = d - mu
    x = x[x != 0]
    nx = x.size
    if nx == 0:
        return 0.0
    r = stats.rankdata(np.abs(x))
    zd = r[x > 0].sum() - nx * (nx + 1) / 4
    _, ties = np.unique(r, return_counts=True)
    sigma = np.sqrt(nx * (nx + 1) * (2 * nx + 1) / 24 - (ties**3 - ties).sum() / 48)
    corr = 0.5 * np.sign(zd) if correction else 0.0
    return float((zd - corr) / sigma) if sigma > 0 else 0.0


def _crossing_rank(m: int, sigma: float, zq: float, strict: bool, correction: bool) -> int:
    """Rank (1..m) of the Walsh average where the statistic between Walsh averages stops being
    above ``zq`` (``>``, or ``>=`` when ``strict``) as μ grows.

    Between Walsh averages V⁺ = m − L, L the number of Walsh averages ≤ μ, and the statistic
    g(V⁺) = (V⁺ − m/2 − ½·sign(V⁺ − m/2))/σ is non-decreasing in V⁺ (V⁺ − m/2 is a multiple
    of ½). With V₀ the least V⁺ that is above, the statistic is not above once L ≥ m − V₀ + 1,
    that is from the Walsh average of that rank on (clipped to the data's range).
    """

    def above(v: int) -> bool:
        zd = v - m / 2
        corr = 0.5 * np.sign(zd) if correction else 0.0
        g = (zd - corr) / sigma - zq
        return bool(g >= 0 if strict else g > 0)

    lo, hi = 0, m + 1  # above(hi) taken as true; find the least v in [0, m] that is above
    while lo < hi:
        mid = (lo + hi) // 2
        if above(mid):
            hi = mid
        else:
            lo = mid + 1
    return int(min(max(m - lo + 1, 1), m))


def _pair_weights(counts: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Data pairs i ≤ j behind the distinct-value pair (a, b), a ≤ b."""
    ca, cb = counts[a], counts[b]
    return np.where(a == b, ca * (ca + 1) // 2, ca * cb)


def walsh_order_statistics(values: np.ndarray, counts: np.ndarray, ranks) -> np.ndarray:
    """The Walsh averages of the given ranks (1-based, ties counted) of data made of the sorted
    distinct ``values`` with ``counts`` (each pair of data points i ≤ j counted once).

    Exact: the averages compared are the listed (v_a + v_b)/2 of the pairs found in a
    narrowed value range, with their multiplicities.
    """
    values = np.asarray(values, dtype=float)
    counts = np.asarray(counts, dtype=np.int64)
    ranks = np.asarray(ranks, dtype=np.int64)
    k = values.size
    if k * (k + 1) // 2 <= PAIR_CAP:
        a, b = np.triu_indices(k)
        return _select((values[a] + values[b]) / 2, _pair_weights(counts, a, b), ranks)
    return np.array([_select_large(values, counts, int(r)) for r in ranks])


def _select(avg: np.ndarray, weight: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    order = np.argsort(avg, kind="stable")
    cum = np.cumsum(weight[order])
    return avg[order][np.searchsorted(cum, ranks, side="left")]


def _row_ends(values: np.ndarray, mu: float) -> np.ndarray:
    """For each a, one past the last b with v_a + v_b ≤ 2μ (at least a: only b ≥ a count)."""
    ends = np.searchsorted(values, 2 * mu - values, side="right")
    return np.maximum(ends, np.arange(values.size))


def _count_le(values: np.ndarray, counts: np.ndarray, cum: np.ndarray, mu: float) -> int:
    """Data pairs i ≤ j whose Walsh average is ≤ μ (cum: prefix sums of counts, 0 first)."""
    a = np.arange(values.size)
    ends = _row_ends(values, mu)
    inside = ends > a  # the pair (a, a) counts
    ca = counts[inside]
    beyond = cum[ends[inside]] - cum[a[inside] + 1]  # b in (a, end)
    return int((ca * (ca + 1) // 2 + ca * beyond).sum())


def _select_large(values: np.ndarray, counts: np.ndarray, rank: int) -> float:
    """One Walsh order statistic when the distinct-value pairs are too many to list: narrow
    (lo, hi] by value until few pairs lie inside, then list those."""
    k = values.size
    cum = np.concatenate([[0], np.cumsum(counts)])
    lo = float(values[0]) - max(1.0, float(values[-1] - values[0]))  # nothing at or below
    hi = float(values[-1])  # everything at or below
    below = 0
    for _ in range(200):
        inside = int((_row_ends(values, hi) - _row_ends(values, lo)).sum())
        mid = lo + (hi - lo) / 2
        if inside <= max(4 * k, 1 << 20) or not lo < mid < hi:
            break
        at_mid = _count_le(values, counts, cum, mid)
        if at_mid >= rank:
            hi = mid
        else:
            lo, below = mid, at_mid
    start, stop = _row_ends(values, lo), _row_ends(values, hi)
    width = stop - start
    a = np.repeat(np.arange(k), width)
    b = (
        np.arange(width.sum())
        - np.repeat(np.cumsum(width) - width, width)
        + np.repeat(start, width)
    )
    return float(
        _select((values[a] + values[b]) / 2, _pair_weights(counts, a, b), [rank - below])[0]
    )
