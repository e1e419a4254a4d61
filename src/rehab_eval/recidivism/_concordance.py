"""Harrell's concordance in O(n log n) without Python loops over rows, times or strata."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["concordance"]


def _pairs_before_less(v: np.ndarray, block: np.ndarray, count: np.ndarray) -> int:
    """Sum over positions i with ``count[i]`` of #{j < i in i's block: v[j] < v[i]}.

    ``v`` holds integers >= 0 and ``block`` flags the first position of each block (blocks
    are contiguous). Radix partition from the highest bit down (a wavelet matrix): within a
    group of equal higher bits, every element whose current bit is 1 exceeds exactly the
    elements before it with bit 0; a stable partition by the bit (zeros first) then forms
    the groups of the next bit. One pass of O(n) array operations per bit of max(v).
    """
    n = len(v)
    if n == 0:
        return 0
    pos = np.arange(n)
    total = 0
    v = v.copy()
    count = count.copy()
    for b in range(int(v.max()).bit_length() - 1, -1, -1):
        new_grp = block.copy()
        high = v >> (b + 1)
        new_grp[1:] |= high[1:] != high[:-1]
        starts = np.flatnonzero(new_grp)
        gs = np.repeat(starts, np.diff(np.r_[starts, n]))  # group start per position
        one = ((v >> b) & 1).astype(bool)
        zero_before = np.cumsum(~one) - ~one  # zeros strictly before, over the whole array
        zb = zero_before - zero_before[gs]  # zeros before, within the group
        total += int(zb[one & count].sum())
        nz = np.add.reduceat(~one, starts).astype(np.int64)  # zeros per group
        newpos = np.where(one, pos + np.repeat(nz, np.diff(np.r_[starts, n])) - zb, gs + zb)
        v[newpos] = v.copy()
        count[newpos] = count.copy()
    return total


def _concordance_sorted(t, e, risk, new_stratum) -> dict[str, int]:
    """Concordant, discordant and tied-risk pair counts of data sorted by stratum and
    descending time (``new_stratum`` flags the first row of each stratum)."""
    n = len(t)
    if n == 0:
        return {"concordant": 0, "discordant": 0, "tied_risk": 0}
    ev = e == 1
    new_time = new_stratum | np.r_[True, t[1:] != t[:-1]]
    tstart = np.flatnonzero(new_time)
    # rows comparable to event i: earlier (longer) times of its stratum and the censored rows
    # at its time (a censoring at an event time counts as longer)
    sstart = np.maximum.accumulate(np.where(new_stratum, np.arange(n), 0))
    tgrp = np.cumsum(new_time) - 1
    cens_at = np.add.reduceat((~ev).astype(np.int64), tstart)
    total = int(((tstart[tgrp] - sstart) + cens_at[tgrp])[ev].sum())
    # rank of "shortness" within the stratum: 2 * time rank + event (censored counts longer)
    srank = np.cumsum(new_stratum) - 1
    q = 2 * (tgrp - tgrp[np.flatnonzero(new_stratum)][srank]) + ev
    # order by stratum, risk ascending, then q descending: a row j before i of the same
    # stratum with q_j < q_i is comparable and has a risk <= r_i; equal risks come after
    # the longer ones within a run of equal risk, so they are counted apart
    stratum = srank
    o = np.lexsort((-q, risk, stratum))
    qo, ro, so, eo = q[o], risk[o], stratum[o], ev[o]
    new_block = np.r_[True, so[1:] != so[:-1]]
    new_risk = new_block | np.r_[True, ro[1:] != ro[:-1]]
    new_q = new_risk | np.r_[True, qo[1:] != qo[:-1]]
    # tied: within a run of equal risk (q descending), the rows after i's run of equal q
    risk_end = np.r_[np.flatnonzero(new_risk)[1:], n]
    q_end = np.r_[np.flatnonzero(new_q)[1:], n]
    tied = int((risk_end[np.cumsum(new_risk) - 1] - q_end[np.cumsum(new_q) - 1])[eo].sum())
    # all rows j before i in this order with q_j < q_i: the risk runs before i's (risk < r_i)
    # plus, within its own run, those with q_j < q_i, which lie after i (q descending): none
    conc = _pairs_before_less(qo, new_block, eo)
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
