"""Exact duplicates, conflicting duplicates and clients who moved, within one assembled table.

Exact duplicates (same client, same values after parsing) are found by a 64-bit row hash and
confirmed value by value, so a hash collision never drops a distinct row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval import vocab
from rehab_eval.etl.items import ItemColumns

__all__ = ["DUP_KEYS", "dedupe", "show"]

DUP_KEYS = {"clients": ["client_id"], "assessments": ["client_id", "instrument", "timepoint"]}


def _value_columns(t: str, f: pd.DataFrame, items: ItemColumns | None) -> list[str]:
    """Every canonical column of ``t`` but the client (the facility as ``_fac``): rows equal in
    all of them are exact duplicates."""
    cols = [c for c in vocab.TABLES[t] if c in f.columns and c != "client_id"]
    if "facility" in vocab.TABLES[t] and "_fac" in f.columns:
        cols.append("_fac")
    if t == "assessments":
        cols += [c for c in f.columns if not c.startswith("_") and c not in vocab.TABLES[t]]
        cols += items.columns if items is not None else []
    return cols


def _col_hash(f: pd.DataFrame, c: str, idx: np.ndarray, items=None) -> np.ndarray:
    """64-bit hash of column ``c`` in rows ``idx`` (NaN and None hash alike)."""
    if c in f.columns:
        col = f[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            # a category's code stands for its value (missing: -1)
            return pd.util.hash_array(col.cat.codes.to_numpy()[idx], categorize=False)
        v = col.iloc[idx].to_numpy() if col.dtype != object else col.to_numpy()[idx]
    else:
        v = items.take(c, idx)
    if v.dtype.kind == "f":
        # answers: hashed by their bits, with one NaN and one zero (-0.0 + 0.0 is 0.0)
        v = v.astype(np.float64) + 0.0
        v[np.isnan(v)] = np.nan
        return pd.util.hash_array(v, categorize=False)
    # categorize: values are factorized first, so None and NaN share the missing code
    return pd.util.hash_array(v, categorize=True)


def _row_hash(
    f: pd.DataFrame, cols: list[str], idx: np.ndarray, known: dict | None = None, items=None
) -> np.ndarray:
    """64-bit hash of the values of ``cols`` in rows ``idx`` (NaN and None hash alike).

    ``known`` maps a column to its hashes in rows ``idx`` when they were computed before.
    """
    h = np.zeros(len(idx), dtype=np.uint64)
    for c in cols:
        hv = known[c] if known is not None and c in known else _col_hash(f, c, idx, items)
        h = h * np.uint64(1_000_003) ^ hv
    return h


def _rows(f: pd.DataFrame, items: ItemColumns | None, rows: np.ndarray) -> pd.DataFrame:
    """Rows ``rows`` of ``f`` with their item columns (fresh index)."""
    got = f.iloc[rows].reset_index(drop=True)
    if items is None:
        return got
    return pd.concat([got, items.frame(rows)], axis=1)


def _same(a: Any, b: Any) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    return bool(a == b)


def dedupe(
    t: str,
    f: pd.DataFrame,
    good: np.ndarray,
    headers_of,
    m_file,
    m_sheet,
    items: ItemColumns | None = None,
) -> tuple[np.ndarray, Counter, pd.DataFrame, int]:
    """Rows of ``good`` to keep, exact duplicates per (file, sheet), conflicting duplicates,
    and the number of clients who moved between facilities (see :func:`_moves`).

    Exact duplicates (same client, same values after parsing) are found by a row hash and
    confirmed value by value; the first is kept. Then rows sharing the table's key (client;
    client × instrument × timepoint) but differing in a value are all rejected. ``items``
    holds the item columns kept out of ``f`` (see :mod:`rehab_eval.etl.items`).
    """
    vals = _value_columns(t, f, items)
    cols = ["client_id", *vals]
    # candidates: rows whose first few values recur (every exact duplicate is one); only
    # they are hashed on all their values
    dup = np.zeros(len(good), dtype=bool)
    col_h = {c: _col_hash(f, c, good, items) for c in cols[:4]}  # reused for the key columns
    cand = np.flatnonzero(pd.Series(_row_hash(f, cols[:4], good, col_h)).duplicated(keep=False))
    if len(cand):
        h = _row_hash(f, cols, good[cand], items=items)
        d = pd.Series(h).duplicated(keep="first").to_numpy()
        if d.any():
            first = pd.Series(np.arange(len(h))).groupby(h).transform("first").to_numpy()
            cf = _rows(f, items, good[cand])
            for p in np.flatnonzero(d):
                i, j = p, first[p]
                if not all(_same(cf[c].iat[i], cf[c].iat[j]) for c in cols):
                    d[p] = False  # a hash collision, not a duplicate
        dup[cand] = d
    sid = f["_sid"].to_numpy()
    files = m_file[sid]
    sheets = m_sheet[sid]
    dups = Counter(zip(files[good[dup]], sheets[good[dup]], strict=True))
    rest = good[~dup]
    empty = pd.DataFrame(columns=["_file", "_sheet", "_row", "_rcol", "_rval", "_reason"])
    keys = DUP_KEYS.get(t)
    n_moved = 0
    if not keys or not all(k in f.columns for k in keys) or not len(rest):
        return rest, dups, empty, 0
    kh = _row_hash(f, keys, rest, {c: v[~dup] for c, v in col_h.items()})
    maybe = pd.Series(kh).duplicated(keep=False).to_numpy()
    if not maybe.any():
        return rest, dups, empty, 0
    c = f.iloc[rest[maybe]]
    sizes = c.groupby(keys, sort=False, dropna=False, observed=True).transform("size")
    size = sizes.to_numpy() if isinstance(sizes, pd.Series) else sizes.iloc[:, 0].to_numpy()
    clash_rows = rest[maybe][size > 1]
    if t == "clients":
        clash_rows, merged, n_moved = _moves(f, clash_rows, vals)
        rest = np.setdiff1d(rest, merged, assume_unique=True)
        if not len(clash_rows):
            return rest, dups, empty, n_moved
    c = _rows(f, items, clash_rows)
    groups = c.groupby(keys, sort=False, dropna=False, observed=True)
    gid = groups.ngroup().to_numpy()
    first_diff = [next((v for v in vals if g[v].astype(str).nunique() > 1), "") for _, g in groups]
    # a row whose key is missing names no column
    na_key = c[keys].isna().any(axis=1).to_numpy()
    sid = c["_sid"].to_numpy()
    rcol, rval = [], []
    for p in range(len(c)):
        fld = "" if na_key[p] else first_diff[gid[p]]
        hdrs = headers_of.get((m_file[sid[p]], m_sheet[sid[p]]), {})
        rcol.append(hdrs.get(fld) or (hdrs.get("timestamp", fld) if fld == "date" else fld))
        rval.append(show(c[fld].iat[p]) if fld else "")
    conflicts = pd.DataFrame(
        {
            "_file": m_file[c["_sid"].to_numpy()],
            "_sheet": m_sheet[c["_sid"].to_numpy()],
            "_row": c["_row"].to_numpy(),
            "_rcol": rcol,
            "_rval": rval,
            "_reason": "conflicting duplicate",
        }
    )
    return np.setdiff1d(rest, clash_rows, assume_unique=True), dups, conflicts, n_moved


def _moves(
    f: pd.DataFrame, rows: np.ndarray, vals: list[str]
) -> tuple[np.ndarray, np.ndarray, int]:
    """Clients seen in two or more facilities with otherwise equal values (Lapas → Bapas).

    ``rows`` are the rows sharing a client with another row. Returns the rows still in
    conflict, the rows merged into their client's row (accepted, not kept as a second client
    row) and the number of clients who moved. The kept row is the one with the latest
    release date, else the last one read; each facility stays in that facility's enrollments.
    """
    other = [v for v in vals if v != "_fac"]
    if "_fac" not in vals or not len(rows):
        return rows, rows[:0], 0
    g = f.iloc[rows].assign(_pos=rows)
    still, merged, n = [], [], 0
    for _, grp in g.groupby("client_id", sort=False, dropna=False, observed=True):
        same = all(grp[v].astype(str).nunique() <= 1 for v in other)
        if same and grp["_fac"].nunique() > 1:
            n += 1
            order = (
                grp.sort_values("release_date", kind="mergesort") if "release_date" in grp else grp
            )
            merged.extend(order["_pos"].to_numpy()[:-1].tolist())
        else:
            still.extend(grp["_pos"].tolist())
    return (
        np.array(sorted(still), dtype=rows.dtype),
        np.array(sorted(merged), dtype=rows.dtype),
        n,
    )


def show(v: Any) -> str:
    """A parsed value as text for rejects (``4.0`` → ``4``, a date as ISO)."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if isinstance(v, pd.Timestamp | dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, np.floating):
        v = float(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
