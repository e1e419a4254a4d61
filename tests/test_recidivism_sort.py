"""The linear-time sorts shared by Kaplan–Meier, the log-rank test, Cox and the concordance
(recidivism/_sort.py) against numpy's stable argsort."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab_eval.recidivism._sort import by_group_and_time, radix_order, time_ranks


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([2**8, 2**16, 2**16 + 3, 2**31, 2**40]))
def test_radix_order_is_numpys_stable_argsort(seed, top):
    rng = np.random.default_rng(seed)
    key = rng.integers(0, top, int(rng.integers(0, 300)))
    if len(key) > 3:
        key[:3] = key[3]  # ties: the order among them must be kept
    assert np.array_equal(radix_order(key), np.argsort(key, kind="stable"))


def test_time_ranks_are_dense_ranks_of_the_distinct_times():
    t = np.array([3.5, 1.0, 3.5, 0.0, 7.25, 1.0])
    ranks, m = time_ranks(t)
    assert m == 4
    assert ranks.tolist() == [2, 1, 2, 0, 3, 1]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.booleans())
def test_by_group_and_time_sorts_each_group_and_leaves_out_missing_groups(seed, continuous):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 400)), int(rng.integers(1, 4))
    t = rng.exponential(5, n) if continuous else rng.integers(0, 9, n).astype(float)
    codes = rng.integers(-1, k, n)
    order, bounds = by_group_and_time(codes, t, k)
    assert sorted(order.tolist()) == np.flatnonzero(codes >= 0).tolist()
    for g in range(k):
        rows = order[bounds[g] : bounds[g + 1]]
        assert (codes[rows] == g).all() and len(rows) == (codes == g).sum()
        assert (np.diff(t[rows]) >= 0).all()
