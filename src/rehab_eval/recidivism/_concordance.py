"""Harrell's concordance in O(n log n) without Python loops over rows, times or strata."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rehab_eval.recidivism._sort import radix_order

__all__ = ["concordance"]


def _pairs_before_less(v: np.ndarray, start: np.ndarray, count: np.ndarray) -> int:
    """Sum over positions i with ``count[i]`` of #{j < i in i's block: v[j] < v[i]}.

    ``v`` holds integers >= 0 and ``start`` gives, per position, the first position of its
    block (blocks are contiguous). A wavelet matrix, from the highest bit down: the rows
    of a block with equal higher bits form a contiguous run, in their original order,
    starting at ``start``; a row whose current bit is 1 exceeds exactly the rows of its run
    before it with bit 0. A stable partition by the bit (zeros first) gives the runs of the
    next bit. O(n) array operations per bit of max(v), no sort.
    """
    n = len(v)
    if n == 0:
        return 0
    vbits = int(v.max()).bit_length()
    if n.bit_length() + vbits + 1 > 63:  # beyond ~2**30 rows: the packing would overflow
        raise ValueError("concordance: too many rows to count in one pass.")
    # one int64 per row carries its run start, value and count flag through the partitions
    packed = (start.astype(np.int64) << (vbits + 1)) | (v.astype(np.int64) << 1) | count
    buf = np.empty_like(packed)
    total = 0
    for b in range(vbits - 1, -1, -1):
        one = ((packed >> (b + 1)) & 1).astype(bool)
        zero = ~one
        zb = np.cumsum(zero)
        zb -= zero  # zeros strictly before each position
        lo = packed >> (vbits + 1)
        z_lo = zb[lo]
        total += int((zb - z_lo)[one & (packed & 1).astype(bool)].sum())
        n_zero = n - np.count_nonzero(one)
        lo = np.where(one, n_zero + (lo - z_lo), z_lo)
        packed = (packed & ((1 << (vbits + 1)) - 1)) | (lo << (vbits + 1))
        np.compress(zero, packed, out=buf[:n_zero])
        np.compress(one, packed, out=buf[n_zero:])
        packed, buf = buf, packed
    return total


def _order_by_risk(risk: np.ndarray, stratum: np.ndarray, q: np.ndarray):
    """Order by stratum, risk ascending, then q descending: one sort of the risks, a radix
    pass for the strata, and a sort of the rows of tied risks only (usually none). Returns
    the order and, in it, where a row has the stratum and risk of the row before it."""
    order = np.argsort(risk)
    several = stratum[-1] != stratum[0]  # codes are sorted: several strata
    if several:
        order = order[radix_order(stratum[order])]
    r = risk[order]
    tie = r[1:] == r[:-1]
    if several:
        so = stratum[order]
        tie &= so[1:] == so[:-1]
    if tie.any():
        pos = np.flatnonzero(np.r_[tie, False] | np.r_[False, tie])
        run = np.cumsum(~np.r_[False, tie])[pos]
        rows = order[pos]
        order[pos] = rows[np.lexsort((-q[rows], run))]
    return order, tie


def _concordance_sorted(t, e, risk, new_stratum) -> dict[str, int]:
    """Concordant, discordant and tied-risk pair counts of data sorted by stratum and
    descending time (``new_stratum`` flags the first row of each stratum)."""
    n = len(t)
    if n == 0:
        return {"concordant": 0, "discordant": 0, "tied_risk": 0}
    ev = e == 1
    new_time = new_stratum | np.r_[True, t[1:] != t[:-1]]
    tstart = np.flatnonzero(new_time)  # time groups
    size = np.diff(np.r_[tstart, n])
    d = np.add.reduceat(ev.astype(np.int64), tstart)
    srank = np.cumsum(new_stratum[tstart]) - 1  # per group: its stratum
    sgrp = np.flatnonzero(new_stratum[tstart])  # first group of each stratum
    # rows comparable to an event: earlier (longer) times of its stratum and the censored
    # rows at its time (a censoring at an event time counts as longer)
    total = int(d @ (tstart - tstart[sgrp][srank] + size - d))
    # rank of "shortness" within the stratum: 2 * time rank + event (censored counts longer)
    grank = np.arange(len(tstart)) - sgrp[srank]
    q = np.repeat((2 * grank).astype(np.int32), size) + ev
    stratum = np.repeat(srank, size)
    # order by stratum, risk ascending, then q descending: a row j before i of the same
    # stratum with q_j < q_i is comparable and has a risk <= r_i; equal risks come after
    # the longer ones within a run of equal risk, so they are counted apart
    o, tie = _order_by_risk(risk, stratum, q)
    qo, eo = q[o], ev[o]
    tied = 0
    if tie.any():
        # tied: within a run of equal risk (q descending), the rows after i's run of equal q
        new_risk = np.r_[True, ~tie]
        new_q = new_risk | np.r_[True, qo[1:] != qo[:-1]]
        risk_end = np.r_[np.flatnonzero(new_risk)[1:], n]
        q_end = np.r_[np.flatnonzero(new_q)[1:], n]
        tied = int((risk_end[np.cumsum(new_risk) - 1] - q_end[np.cumsum(new_q) - 1])[eo].sum())
    # concordant: rows j before i in this order with q_j < q_i, all of lower risk (rows of
    # equal risk before i have q_j >= q_i)
    if stratum[-1] != stratum[0]:
        so = stratum[o]
        new_block = np.r_[True, so[1:] != so[:-1]]
        start = np.maximum.accumulate(np.where(new_block, np.arange(n), 0))
    else:
        start = np.zeros(n, np.int64)
    conc = _pairs_before_less(qo, start, eo)
    return {"concordant": conc, "discordant": total - conc - tied, "tied_risk": tied}


def concordance(
    durations: np.ndarray, events: np.ndarray, risk: np.ndarray, strata: np.ndarray | None = None
) -> dict[str, float]:
    """Harrell's C of a risk score (higher risk, shorter time), counted as R's ``concordance``.

    A pair is comparable when the shorter time is an event; a censored time equal to an event
    time counts as longer; two events at the same time are tied on time and not used. Pairs
    are formed within strata only. C = (concordant + tied_risk / 2) / (concordant +
    discordant + tied_risk), as ``survival::concordance`` (its ``tied.x`` is our
    ``tied_risk``).

    ``durations`` and ``events`` are arrays (follow-up times, 0/1 events), not column names.
    Returns a dict with ``concordant``, ``discordant``, ``tied_risk``, ``concordance``.
    Counting takes O(n log n) time (one sort and a radix count over the time ranks).
    """
    time = np.asarray(durations, float)
    event = np.asarray(events, np.int64)
    r = np.asarray(risk, float)
    if strata is None:
        order = np.argsort(-time, kind="stable")
        new_stratum = np.zeros(len(time), bool)
    else:
        codes = pd.factorize(np.asarray(strata))[0]
        order = np.lexsort((-time, codes))
        sc = codes[order]
        new_stratum = np.r_[False, sc[1:] != sc[:-1]]
    if len(time):
        new_stratum[0] = True
    counts = _concordance_sorted(time[order], event[order], r[order], new_stratum)
    return _with_c(counts)


def _with_c(counts: dict[str, int]) -> dict[str, float]:
    conc, disc, tied = counts["concordant"], counts["discordant"], counts["tied_risk"]
    denom = conc + disc + tied
    c = (conc + tied / 2) / denom if denom else np.nan
    return {"concordant": conc, "discordant": disc, "tied_risk": tied, "concordance": c}
