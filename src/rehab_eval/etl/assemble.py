"""Assemble the canonical tables from the extracted sheets of one run.

Identity is resolved across files (a register-only row finds its NIK through any row that
carries both), every row gets its pseudonym, row-level problems become rejects, exact
duplicates are dropped and counted, conflicting duplicates are rejected, and each table is
put in canonical columns, dtypes and a stable order (client, instrument, timepoint, date).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval import vocab
from rehab_eval.etl.identity import client_ids, nik_attributes
from rehab_eval.etl.schemas import coerce_columns, id_digits, validate_table

__all__ = ["TABLES", "Assembled", "assemble"]

TABLES = ("clients", "enrollments", "assessments", "contacts", "urine_tests", "events")
_RENAME = {
    "contacts": {"contact_kind": "kind"},
    "urine_tests": {"urine_result": "result"},
    "events": {"event_kind": "kind"},
}
_DUP_KEYS = {"clients": ["client_id"], "assessments": ["client_id", "instrument", "timepoint"]}


@dataclass(frozen=True)
class Assembled:
    """The canonical tables of a run, its rejects (with ``_whole``), exact duplicates per
    (file, sheet), unknown facilities and the number of clients seen in two facilities."""

    tables: dict[str, pd.DataFrame]
    rejects: pd.DataFrame
    dup_counts: Counter
    unknown: list[str]
    clients_moved: int = 0


def _ids(
    frame: pd.DataFrame,
    reg_map: dict[tuple[str, str], str],
    reg_only: dict[str, str],
    key: bytes,
    memo: dict[str, str],
) -> np.ndarray:
    """Each row's pseudonym (None when it has no identifier), from its token:
    ``nik:<NIK>`` (directly or through the register map), else ``reg:<facility>|<reg>``.

    Rows with a NIK get the pseudonym of their distinct NIK (hashed once); only the rows
    without one are looked up row by row.
    """
    nik = frame["_nik"].to_numpy(dtype=object)
    codes, uniques = pd.factorize(nik, sort=False)
    utok = pd.Series([None if u == "" else "nik:" + str(u) for u in uniques], dtype=object)
    uid = np.append(client_ids(utok, key, memo).to_numpy(dtype=object), None)
    ids = uid[np.where(codes >= 0, codes, len(uniques))]
    need = np.flatnonzero(nik == "")
    if len(need):
        reg = frame["_reg"].to_numpy(dtype=object)[need]
        fac = frame["_fac"].to_numpy(dtype=object)[need]
        rows, toks = [], []
        for i, r, f in zip(need, reg, fac, strict=True):
            if not r:
                continue
            hit = reg_map.get((f, r)) or reg_only.get(r)
            if hit:
                rows.append(i)
                toks.append("nik:" + hit)
            elif f:
                rows.append(i)
                toks.append(f"reg:{f}|{r}")
        if rows:
            ids[rows] = client_ids(pd.Series(toks, dtype=object), key, memo).to_numpy()
    return ids


def _register_maps(parts) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """(facility, register) → first NIK seen with it, and register → its only NIK.

    Built from every accepted row that carries both, in file and row order.
    """
    both = [
        f.loc[
            (f["_nik"] != "") & (f["_reg"] != "") & (f["_reason"] == ""),
            ["_fac", "_reg", "_nik"],
        ]
        for ps in parts.values()
        for f in ps
    ]
    if not both:
        return {}, {}
    d = pd.concat(both, ignore_index=True)
    fac = d["_fac"].to_numpy(dtype=object)
    reg = d["_reg"].to_numpy(dtype=object)
    nik = d["_nik"].to_numpy(dtype=object)
    reg_code, reg_u = pd.factorize(reg, sort=False)
    fac_code = pd.factorize(fac, sort=False)[0].astype(np.int64)
    nik_code = pd.factorize(nik, sort=False)[0].astype(np.int64)
    # the first row of each (facility, register) pair gives the pair its NIK
    first = np.flatnonzero(~pd.Series(fac_code * len(reg_u) + reg_code).duplicated().to_numpy())
    reg_map = dict(zip(zip(fac[first], reg[first], strict=True), nik[first], strict=True))
    # registers seen with exactly one NIK
    pair = np.flatnonzero(~pd.Series(nik_code * len(reg_u) + reg_code).duplicated().to_numpy())
    n_nik = np.bincount(reg_code[pair], minlength=len(reg_u))
    one = pair[n_nik[reg_code[pair]] == 1]
    return reg_map, dict(zip(reg[one], nik[one], strict=True))


def assemble(parts, cells, headers_of, key, as_of, sheet_meta, fac_info):
    """Canonical tables, rejects, duplicate counts per (file, sheet), unknown facilities.

    ``parts`` maps a table to its extracted sheet frames (emptied as they are consumed);
    ``cells`` holds the cell-level rejects; ``sheet_meta`` lists (file, sheet, NIK header,
    register header) per sheet number; ``fac_info`` maps a facility name to its Facility.
    """
    meta = np.array(sheet_meta + [("", "", "", "")], dtype=object).reshape(-1, 4)
    m_file, m_sheet, m_hnik, m_hreg = (meta[:, i] for i in range(4))
    # register → NIK through every row that carries both (the clients sheets above all)
    reg_map, reg_only = _register_maps(parts)
    row_rejects = []
    dup_counts: Counter = Counter()
    moved = 0
    tables: dict[str, pd.DataFrame] = {}
    unknown: set[str] = set()
    id_info = []
    memo: dict[str, str] = {}
    done: dict[str, pd.DataFrame] = {}
    for t in TABLES:
        if not parts.get(t):
            continue
        f = pd.concat(parts[t], ignore_index=True)
        parts[t] = []  # release the per-sheet frames
        # f is this function's own concatenation: columns are set on it, nothing is copied
        ids = _ids(f, reg_map, reg_only, key, memo)
        reason = f["_reason"].to_numpy(dtype=object).copy()
        rcol = f["_rcol"].to_numpy(dtype=object).copy()
        rval = f["_rval"].to_numpy(dtype=object).copy()
        no_id = pd.isna(ids) & (reason == "")
        sid = f["_sid"].to_numpy()
        if no_id.any():
            hdr_nik = m_hnik[sid]
            hdr = np.where(hdr_nik != "", hdr_nik, m_hreg[sid])
            reason[no_id] = "no identifier"
            rcol[no_id] = hdr[no_id]
            rval[no_id] = ""
        f["_reason"], f["_rcol"], f["_rval"] = reason, rcol, rval
        f["client_id"] = ids
        bad = reason != ""
        row_rejects.append(
            pd.DataFrame(
                {
                    "_file": m_file[sid[bad]],
                    "_sheet": m_sheet[sid[bad]],
                    "_row": f["_row"].to_numpy()[bad],
                    "_rcol": rcol[bad],
                    "_rval": rval[bad],
                    "_reason": reason[bad],
                }
            )
        )
        good = np.flatnonzero(~bad)
        names = set(f["_fac"].to_numpy(dtype=object)[good]) - {""}
        unknown |= {n for n in names if n in fac_info and not fac_info[n].known}
        id_info.append(f[["client_id", "_nik", "_fac"]].iloc[good])
        keep, dups, conflicts, n_moved = _dedupe(t, f, good, headers_of, m_file, m_sheet)
        dup_counts.update(dups)
        moved += n_moved
        row_rejects.append(conflicts)
        if t == "clients":  # finished last: it also lists clients seen only elsewhere
            tables[t] = (f, keep)
        else:
            done[t] = _finish(t, f, keep, None, as_of, fac_info)
        del f
    rej_rows = (
        pd.concat(row_rejects, ignore_index=True)
        if row_rejects
        else pd.DataFrame(columns=["_file", "_sheet", "_row", "_rcol", "_rval", "_reason"])
    )
    whole = pd.DataFrame(
        {
            "source_file": rej_rows["_file"].to_numpy(dtype=object),
            "sheet": rej_rows["_sheet"].to_numpy(dtype=object),
            "source_row": rej_rows["_row"].to_numpy(dtype=np.int64),
            "column": rej_rows["_rcol"].to_numpy(dtype=object),
            "value": rej_rows["_rval"].astype(str).to_numpy(dtype=object),
            "reason": rej_rows["_reason"].to_numpy(dtype=object),
            "_whole": True,
        }
    )
    cell = (
        pd.concat([c for c in cells if len(c)], ignore_index=True)
        if any(len(c) for c in cells)
        else None
    )
    if cell is not None:
        gone = set(zip(whole["source_file"], whole["sheet"], whole["source_row"], strict=True))
        keep = [
            k not in gone
            for k in zip(cell["source_file"], cell["sheet"], cell["source_row"], strict=True)
        ]
        cell = cell.loc[keep].assign(_whole=False)
        rejects = pd.concat([whole, cell], ignore_index=True)
    else:
        rejects = whole
    rejects = rejects.sort_values(
        ["source_file", "sheet", "source_row", "column", "reason"], kind="mergesort"
    ).reset_index(drop=True)
    ids = (
        pd.concat(id_info, ignore_index=True)
        if id_info
        else pd.DataFrame(columns=["client_id", "_nik", "_fac"])
    )
    out = {
        t: done[t] if t in done else _finish(t, *tables.get(t, (None, None)), ids, as_of, fac_info)
        for t in TABLES
    }
    return Assembled(out, rejects, dup_counts, sorted(unknown), moved)


def _value_columns(t: str, f: pd.DataFrame) -> list[str]:
    """Every canonical column of ``t`` but the client (the facility as ``_fac``): rows equal in
    all of them are exact duplicates."""
    cols = [c for c in vocab.TABLES[t] if c in f.columns and c != "client_id"]
    if "facility" in vocab.TABLES[t] and "_fac" in f.columns:
        cols.append("_fac")
    if t == "assessments":
        cols += [c for c in f.columns if not c.startswith("_") and c not in vocab.TABLES[t]]
    return cols


def _col_hash(f: pd.DataFrame, c: str, idx: np.ndarray) -> np.ndarray:
    """64-bit hash of column ``c`` in rows ``idx`` (NaN and None hash alike)."""
    v = f[c].to_numpy()[idx]
    if v.dtype.kind == "f":
        # answers: hashed by their bits, with one NaN and one zero (-0.0 + 0.0 is 0.0)
        v = v.astype(np.float64) + 0.0
        v[np.isnan(v)] = np.nan
        return pd.util.hash_array(v, categorize=False)
    # categorize: values are factorized first, so None and NaN share the missing code
    return pd.util.hash_array(v, categorize=True)


def _row_hash(
    f: pd.DataFrame, cols: list[str], idx: np.ndarray, known: dict | None = None
) -> np.ndarray:
    """64-bit hash of the values of ``cols`` in rows ``idx`` (NaN and None hash alike).

    ``known`` maps a column to its hashes in rows ``idx`` when they were computed before.
    """
    h = np.zeros(len(idx), dtype=np.uint64)
    for c in cols:
        hv = known[c] if known is not None and c in known else _col_hash(f, c, idx)
        h = h * np.uint64(1_000_003) ^ hv
    return h


def _same(a: Any, b: Any) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    return bool(a == b)


def _dedupe(
    t: str, f: pd.DataFrame, good: np.ndarray, headers_of, m_file, m_sheet
) -> tuple[np.ndarray, Counter, pd.DataFrame, int]:
    """Rows of ``good`` to keep, exact duplicates per (file, sheet), conflicting duplicates,
    and the number of clients who moved between facilities (see :func:`_moves`).

    Exact duplicates (same client, same values after parsing) are found by a row hash and
    confirmed value by value; the first is kept. Then rows sharing the table's key (client;
    client × instrument × timepoint) but differing in a value are all rejected.
    """
    vals = _value_columns(t, f)
    cols = ["client_id", *vals]
    # candidates: rows whose first few values recur (every exact duplicate is one); only
    # they are hashed on all their values
    dup = np.zeros(len(good), dtype=bool)
    col_h = {c: _col_hash(f, c, good) for c in cols[:4]}  # reused for the key columns
    cand = np.flatnonzero(pd.Series(_row_hash(f, cols[:4], good, col_h)).duplicated(keep=False))
    if len(cand):
        h = _row_hash(f, cols, good[cand])
        d = pd.Series(h).duplicated(keep="first").to_numpy()
        if d.any():
            first = pd.Series(np.arange(len(h))).groupby(h).transform("first").to_numpy()
            for p in np.flatnonzero(d):
                i, j = good[cand[p]], good[cand[first[p]]]
                if not all(_same(f[c].iat[i], f[c].iat[j]) for c in cols):
                    d[p] = False  # a hash collision, not a duplicate
        dup[cand] = d
    sid = f["_sid"].to_numpy()
    files = m_file[sid]
    sheets = m_sheet[sid]
    dups = Counter(zip(files[good[dup]], sheets[good[dup]], strict=True))
    rest = good[~dup]
    empty = pd.DataFrame(columns=["_file", "_sheet", "_row", "_rcol", "_rval", "_reason"])
    keys = _DUP_KEYS.get(t)
    n_moved = 0
    if not keys or not all(k in f.columns for k in keys) or not len(rest):
        return rest, dups, empty, 0
    kh = _row_hash(f, keys, rest, {c: v[~dup] for c, v in col_h.items()})
    maybe = pd.Series(kh).duplicated(keep=False).to_numpy()
    if not maybe.any():
        return rest, dups, empty, 0
    c = f.iloc[rest[maybe]]
    sizes = c.groupby(keys, sort=False, dropna=False).transform("size")
    size = sizes.to_numpy() if isinstance(sizes, pd.Series) else sizes.iloc[:, 0].to_numpy()
    clash_rows = rest[maybe][size > 1]
    if t == "clients":
        clash_rows, merged, n_moved = _moves(f, clash_rows, vals)
        rest = np.setdiff1d(rest, merged, assume_unique=True)
        if not len(clash_rows):
            return rest, dups, empty, n_moved
    c = f.iloc[clash_rows]
    first_diff = {}
    for k, g in c.groupby(keys, sort=False, dropna=False):
        diff = next((v for v in vals if g[v].astype(str).nunique() > 1), "")
        first_diff[k if isinstance(k, tuple) else (k,)] = diff
    rcol, rval = [], []
    for _, r in c.iterrows():
        fld = first_diff.get(tuple(r[kk] for kk in keys), "")
        hdrs = headers_of.get((m_file[r["_sid"]], m_sheet[r["_sid"]]), {})
        rcol.append(hdrs.get(fld) or (hdrs.get("timestamp", fld) if fld == "date" else fld))
        rval.append(_show(r[fld]) if fld else "")
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
    for _, grp in g.groupby("client_id", sort=False, dropna=False):
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


def _show(v: Any) -> str:
    """A parsed value as text for rejects (``4.0`` → ``4``, a date as ISO)."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if isinstance(v, pd.Timestamp | dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _finish(
    t: str,
    f: pd.DataFrame | None,
    keep: np.ndarray | None,
    ids: pd.DataFrame,
    as_of: dt.date,
    fac_info: dict,
) -> pd.DataFrame:
    """The canonical table: rows ``keep`` of ``f`` in canonical columns, dtypes and order."""
    spec = vocab.TABLES[t]
    cols = list(spec)
    if t == "clients":
        f = _clients(None if f is None else f.iloc[keep], ids, as_of, fac_info)
        keep = np.arange(len(f))
    elif f is None:
        f = pd.DataFrame(columns=cols)
        keep = np.arange(0)
    columns: dict[str, np.ndarray] = {}
    rename = {v: k for k, v in _RENAME.get(t, {}).items()}
    items = _item_order([c for c in f.columns if _is_item(c)]) if t == "assessments" else []
    for c in cols:
        src = "_fac" if (c == "facility" and t != "clients") else rename.get(c, c)
        if src in f.columns:
            v = f[src].to_numpy()[keep]
        else:
            v = np.full(len(keep), None, dtype=object)
        if c == "facility" and t != "clients":
            v = np.where(v == "", None, v)
        if c == "attended":
            v = pd.Series(v, dtype=object).map({"true": True, "false": False}).to_numpy()
        columns[c] = v
    # stable sort on the key columns; ties keep the (deterministic) file and row order
    sort = [
        c
        for c in ("client_id", "program", "instrument", "start_date", "date", "kind", "result")
        if c in columns
    ]
    key = pd.DataFrame({c: _sort_key(columns[c]) if c == "client_id" else columns[c] for c in sort})
    if "timepoint" in columns:
        rank = {code: i for i, code in enumerate(vocab.TIMEPOINTS)}
        key["_tp"] = pd.Series(columns["timepoint"], dtype=object).map(rank).to_numpy()
        at = sort.index("instrument") + 1
        sort = [*sort[:at], "_tp", *sort[at:]]
    order = (
        key.sort_values(sort, kind="mergesort", na_position="last").index.to_numpy()
        if len(key)
        else np.arange(0)
    )
    del key
    head = coerce_columns(t, {c: v[order] for c, v in columns.items()})
    if not items:
        return validate_table(t, pd.DataFrame(head), coerce=False)
    # item columns: one float block filled in place, taken once from the source rows
    rows = keep[order]
    # float32 while in memory (answers are small integers: exact); written as float64
    block = np.empty((len(items), len(rows)), dtype=np.float32)
    for i, c in enumerate(items):
        np.take(f[c].to_numpy(), rows, out=block[i])
    res = pd.DataFrame(block.T, columns=items, copy=False)
    for pos, (c, v) in enumerate(head.items()):
        res.insert(pos, c, v)
    return validate_table(t, res, coerce=False)


def _sort_key(ids: np.ndarray) -> np.ndarray:
    """Pseudonyms as unsigned integers, ordered as the text (``c`` + 16 lower-case hex).

    Sorting a million pseudonyms as text costs a second; as integers a few milliseconds.
    Anything else (a missing or malformed value) keeps the text itself.
    """
    nib = id_digits(ids) if len(ids) else None
    if nib is None:
        return ids
    packed = np.ascontiguousarray((nib[:, 0::2] << 4) | nib[:, 1::2])  # 8 bytes, big-endian
    return packed.view(">u8").ravel().astype(np.uint64)


def _is_item(c: str) -> bool:
    return not c.startswith("_") and (
        (c.startswith("q") and c[1:].isdigit()) or ("_q" in c and c.rsplit("_q", 1)[1].isdigit())
    )


def _item_order(cols: list[str]) -> list[str]:
    q = sorted((c for c in cols if c.startswith("q") and c[1:].isdigit()), key=lambda c: int(c[1:]))
    a = [f"{s}_q{i}" for s in vocab.SUBSTANCES for i in range(1, 9) if f"{s}_q{i}" in cols]
    return q + a


def _clients(
    f: pd.DataFrame | None, ids: pd.DataFrame, as_of: dt.date, fac_info: dict
) -> pd.DataFrame:
    cols = list(vocab.TABLES["clients"])
    if f is None:
        f = pd.DataFrame(columns=["client_id", "_nik", "_fac"])
    extra = ids[~ids["client_id"].isin(set(f["client_id"]))].drop_duplicates("client_id")
    f = pd.concat([f, extra], ignore_index=True)
    fac = f["_fac"].fillna("")
    f_type = fac.map(lambda n: fac_info[n].type if n in fac_info else None)
    f_prov = fac.map(lambda n: fac_info[n].province if n in fac_info else None)
    from_nik = nik_attributes(f["_nik"].fillna(""), as_of=as_of)
    sex_n = from_nik["sex"]
    birth_n = from_nik["birth_date"]
    sex = f["sex"] if "sex" in f.columns else pd.Series(None, index=f.index, dtype=object)
    birth = f["birth_date"] if "birth_date" in f.columns else pd.Series(pd.NaT, index=f.index)
    prov = (
        f["province"] if "province" in f.columns else pd.Series(None, index=f.index, dtype=object)
    )
    prov = prov.where(prov.notna() & (prov.astype(str) != ""), f_prov)
    return pd.DataFrame(
        {
            "client_id": f["client_id"],
            "sex": sex.where(sex.notna(), sex_n),
            "birth_date": pd.to_datetime(birth).where(pd.to_datetime(birth).notna(), birth_n),
            "facility": f["_fac"].replace("", None),
            "facility_type": f_type,
            "province": prov,
            "release_date": f["release_date"] if "release_date" in f.columns else pd.NaT,
            "prior_offences": f["prior_offences"] if "prior_offences" in f.columns else pd.NA,
        }
    )[cols]
