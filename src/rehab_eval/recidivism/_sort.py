"""Sorting survival data in linear time: times as ranks, then 16-bit radix passes."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__: list[str] = []


def radix_order(key: np.ndarray) -> np.ndarray:
    """Stable argsort of non-negative integer keys: one or two 16-bit radix passes (O(n)
    each) below 2**32, a comparison sort above."""
    if len(key) == 0 or key.max() < 2**16:
        return np.argsort(key.astype(np.uint16), kind="stable")
    if key.max() >= 2**32:
        return np.argsort(key, kind="stable")
    order = np.argsort((key & 0xFFFF).astype(np.uint16), kind="stable")
    return order[np.argsort((key[order] >> 16).astype(np.uint16), kind="stable")]


def time_ranks(t: np.ndarray) -> tuple[np.ndarray, int]:
    """Rank of each time among the distinct times (0 = shortest) and how many there are: a
    hash of the values and a sort of the distinct ones only."""
    codes, uniques = pd.factorize(t, sort=True)
    return codes, len(uniques)


def by_group_and_time(codes: np.ndarray, t: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows with ``codes`` in 0 .. k - 1, sorted by code then ascending
    time, and the bounds of each code's rows in that order (code g: bounds[g]:bounds[g+1])."""
    keep = np.flatnonzero(codes >= 0) if (codes < 0).any() else None
    c = codes if keep is None else codes[keep]
    ranks, m = time_ranks(t if keep is None else t[keep])
    order = radix_order(c * m + ranks)
    if keep is not None:
        order = keep[order]
    return order, np.r_[0, np.cumsum(np.bincount(c, minlength=k))]
