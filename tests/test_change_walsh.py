"""The fast Hodges–Lehmann interval against its definition, and the Walsh order statistics.

The reference is the previous implementation: bisection over μ on the normal signed-rank
statistic of d − μ computed by ranking at every step (scipy ``rankdata``, zeros dropped,
tie-corrected σ), which matches R's ``wilcox.test(conf.int = TRUE)`` (tests in
test_change_fixes.py). The fast path selects the Walsh average where the statistic crosses,
so the two agree to the bisection's tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from rehab_eval.change import _walsh
from rehab_eval.change._walsh import hodges_lehmann, walsh_order_statistics

_statistic = _walsh._statistic_at  # the old path's ranking statistic, unchanged


def _bisection(d: np.ndarray, conf_level: float, correction: bool) -> tuple[float, float, float]:
    """The normal-approximation branch as it was: bisection with a ranking per step."""
    d = d[d != 0]
    if d.size == 0:
        return 0.0, 0.0, 0.0
    z = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    lo0, hi0 = float(d.min()), float(d.max())
    tol = 1e-8 * max(hi0 - lo0, abs(hi0), abs(lo0), 1e-300)

    def root(zq: float, strict: bool = False) -> float:
        def above(mu: float) -> bool:
            v = _statistic(d, mu, correction) - zq
            return v >= 0 if strict else v > 0

        if not above(lo0):
            return lo0
        if above(hi0):
            return hi0
        lo, hi = lo0, hi0
        for _ in range(200):
            if hi - lo <= tol:
                break
            mid = lo + (hi - lo) * 0.41421356237309515
            if above(mid):
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    return (root(0.0) + root(0.0, strict=True)) / 2, root(z), root(-z)


def _all_walsh(d: np.ndarray) -> np.ndarray:
    i, j = np.triu_indices(d.size)
    return np.sort((d[i] + d[j]) / 2)


# differences on a score grid (many ties, zeros) or anywhere; n past the exact branch too
grid = st.lists(st.integers(-12, 12), min_size=1, max_size=160).map(
    lambda xs: np.array(xs, dtype=float) * 6.25
)
spread = st.lists(st.integers(-5_000, 5_000), min_size=1, max_size=120).map(
    lambda xs: np.array(xs, dtype=float) / 100
)


@settings(max_examples=150)
@given(
    d=st.one_of(grid, spread),
    correction=st.booleans(),
    conf_level=st.sampled_from([0.8, 0.95, 0.99]),
)
def test_fast_interval_equals_the_bisection_on_ranks(d, correction, conf_level):
    n = d.size
    exact = n < 50 and np.unique(np.abs(d)).size == n and not np.any(d == 0)
    got = hodges_lehmann(d, conf_level=conf_level, correction=correction)
    if exact:  # the exact branch is unchanged; checked against R elsewhere
        return
    want = _bisection(d, conf_level, correction)
    nz = d[d != 0]
    tol = 1e-8 * max(np.ptp(nz), np.abs(nz).max()) if nz.size else 0.0
    np.testing.assert_allclose(got, want, rtol=0, atol=tol + 1e-12)


@settings(max_examples=60)
@given(d=st.one_of(grid, spread), data=st.data())
def test_walsh_order_statistics_by_listing_and_by_value_search(d, data):
    walsh = _all_walsh(d)
    ranks = data.draw(st.lists(st.integers(1, walsh.size), min_size=1, max_size=5))
    values, counts = np.unique(d, return_counts=True)
    listed = walsh_order_statistics(values, counts, ranks)
    np.testing.assert_array_equal(listed, walsh[np.array(ranks) - 1])
    searched = [_walsh._select_large(values, counts, r) for r in ranks]
    np.testing.assert_allclose(searched, walsh[np.array(ranks) - 1], rtol=0, atol=1e-12)


def test_value_search_narrows_before_listing(monkeypatch):
    rng = np.random.default_rng(3)
    d = np.round(rng.normal(0, 10, 3_000), 2)  # ~2 000 distinct values, many ties
    values, counts = np.unique(d, return_counts=True)
    monkeypatch.setattr(_walsh, "PAIR_CAP", 1_000)
    ranks = [1, 7, 2_000_000, 4_501_500]
    got = walsh_order_statistics(values, counts, ranks)
    np.testing.assert_allclose(got, _all_walsh(d)[np.array(ranks) - 1], rtol=0, atol=1e-12)


def test_large_grid_sample_agrees_with_the_bisection():
    rng = np.random.default_rng(11)
    d = rng.integers(-40, 41, 20_000) * 2.5  # 20 000 pairs of WHOQOL-like changes
    for correction in (True, False):
        got = hodges_lehmann(d, correction=correction)
        want = _bisection(d, 0.95, correction)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-8 * 200)


@pytest.mark.parametrize("d", [[0.0, 0.0], [3.0], [3.0, 3.0, 3.0], [-1.0, 0.0, 2.0, 2.0]])
def test_degenerate_inputs_follow_the_bisection(d):
    d = np.array(d)
    got = hodges_lehmann(d)
    if d.size < 50 and np.unique(np.abs(d)).size == d.size and not np.any(d == 0):
        assert got[0] == pytest.approx(np.median(_all_walsh(d)))
    else:
        np.testing.assert_allclose(got, _bisection(d, 0.95, True), atol=1e-7)
