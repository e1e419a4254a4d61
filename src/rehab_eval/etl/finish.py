"""The canonical form of an assembled table: its rows in canonical columns, dtypes and order
(client, programme, instrument, timepoint, date…), the clients table with the clients seen
only in other tables, and the pseudonyms as text again.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from rehab_eval import vocab
from rehab_eval.etl._codes import concat_frames, id_text, nik_codes, text_values
from rehab_eval.etl.identity import nik_attributes
from rehab_eval.etl.items import ItemColumns, is_item
from rehab_eval.etl.schemas import coerce_columns, id_digits, validate_table

__all__ = ["RENAME", "finish", "sort_key"]

RENAME = {
    "contacts": {"contact_kind": "kind"},
    "urine_tests": {"urine_result": "result"},
    "events": {"event_kind": "kind"},
}


def finish(
    t: str,
    f: pd.DataFrame | None,
    keep: np.ndarray | None,
    ids: pd.DataFrame | None,
    as_of: dt.date,
    fac_info: dict,
    items: ItemColumns | None = None,
) -> pd.DataFrame:
    """The canonical table: rows ``keep`` of ``f`` in canonical columns, dtypes and order.

    ``f``'s ``client_id`` holds pseudonym codes (``uint64``); the clients table also lists
    the clients of ``ids`` (code, NIK code and facility of every accepted row) seen only in
    other tables. ``items`` holds the item columns kept out of ``f``.
    """
    spec = vocab.TABLES[t]
    cols = list(spec)
    if t == "clients":
        f = _clients(None if f is None else f.iloc[keep], ids, as_of, fac_info)
        keep = np.arange(len(f))
    elif f is None:
        f = pd.DataFrame({c: np.zeros(0, dtype=object) for c in cols})
        f["client_id"] = np.zeros(0, dtype=np.uint64)
        keep = np.arange(0)
    columns: dict[str, np.ndarray] = {}
    rename = {v: k for k, v in RENAME.get(t, {}).items()}
    item_cols = items.columns if items is not None else [c for c in f.columns if is_item(c)]
    item_names = _item_order(item_cols) if t == "assessments" else []
    for c in cols:
        src = "_fac" if (c == "facility" and t != "clients") else rename.get(c, c)
        if src in f.columns:
            v = _take(f[src], keep)
        else:
            v = np.full(len(keep), None, dtype=object)
        if c == "facility" and t != "clients":
            v = np.where(v == "", None, v)
        if c == "attended":
            v = pd.Series(v, dtype=object).map({"true": True, "false": False}).to_numpy()
        columns[c] = v
    order = _order(columns)
    columns = {c: v[order] for c, v in columns.items()}
    columns["client_id"] = id_text(columns["client_id"])
    head = coerce_columns(t, columns)
    del columns
    if not item_names:
        return validate_table(t, pd.DataFrame(head), coerce=False)
    # item columns: one float block filled in place, taken once from the source rows
    rows = keep[order]
    # float32 while in memory (answers are small integers: exact); written as float64
    block = np.empty((len(item_names), len(rows)), dtype=np.float32)
    for i, c in enumerate(item_names):
        if items is not None:
            block[i] = items.take(c, rows)
        else:
            np.take(f[c].to_numpy(), rows, out=block[i])
    res = pd.DataFrame(block.T, columns=item_names, copy=False)
    for pos, (c, v) in enumerate(head.items()):
        res.insert(pos, c, v)
    return validate_table(t, res, coerce=False)


def _take(col: pd.Series, rows: np.ndarray) -> np.ndarray:
    """Rows ``rows`` of a column as an array (a categorical's values as objects, None when
    missing), without converting the whole column first."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = np.append(np.asarray(col.cat.categories, dtype=object), None)
        return cats[col.cat.codes.to_numpy()[rows]]
    if isinstance(col.dtype, np.dtype):
        return col.to_numpy()[rows]
    return col.iloc[rows].to_numpy()


def _order(columns: dict[str, np.ndarray]) -> np.ndarray:
    """The stable order of the rows on the key columns (missing last in each); ties keep the
    (deterministic) file and row order. Each key is ranked by its distinct values first."""
    sort = [
        c
        for c in ("client_id", "program", "instrument", "start_date", "date", "kind", "result")
        if c in columns
    ]
    keys = {c: columns[c] for c in sort}
    if "timepoint" in columns:
        rank = {code: i for i, code in enumerate(vocab.TIMEPOINTS)}
        keys["_tp"] = pd.Series(columns["timepoint"], dtype=object).map(rank).to_numpy()
        at = sort.index("instrument") + 1
        sort = [*sort[:at], "_tp", *sort[at:]]
    n = len(columns["client_id"])
    if not n:
        return np.arange(0)
    ranks = []
    for c in sort:
        v = keys[c]
        if c == "client_id" and v.dtype == np.uint64:
            ranks.append(v)
            continue
        codes, uniq = pd.factorize(v, sort=True)
        ranks.append(np.where(codes < 0, len(uniq), codes))
    return np.lexsort(ranks[::-1])


def sort_key(ids: np.ndarray) -> np.ndarray:
    """Pseudonyms as unsigned integers, ordered as the text (``c`` + 16 lower-case hex).

    Sorting a million pseudonyms as text costs a second; as integers a few milliseconds.
    Anything else (a missing or malformed value) keeps the text itself.
    """
    nib = id_digits(ids) if len(ids) else None
    if nib is None:
        return ids
    packed = np.ascontiguousarray((nib[:, 0::2] << 4) | nib[:, 1::2])  # 8 bytes, big-endian
    return packed.view(">u8").ravel().astype(np.uint64)


def _item_order(cols: list[str]) -> list[str]:
    q = sorted((c for c in cols if c.startswith("q") and c[1:].isdigit()), key=lambda c: int(c[1:]))
    a = [f"{s}_q{i}" for s in vocab.SUBSTANCES for i in range(1, 9) if f"{s}_q{i}" in cols]
    return q + a


def _clients(
    f: pd.DataFrame | None, ids: pd.DataFrame, as_of: dt.date, fac_info: dict
) -> pd.DataFrame:
    cols = list(vocab.TABLES["clients"])
    if f is None:
        f = ids.iloc[:0]
    seen = pd.Index(f["client_id"].to_numpy())
    extra = ids[~pd.Index(ids["client_id"].to_numpy()).isin(seen)]
    extra = extra.drop_duplicates("client_id")
    f = concat_frames([f, extra])
    fac = text_values(f["_fac"])
    fac = np.where(pd.isna(fac), "", fac)
    pos, names = pd.factorize(fac, sort=False)
    info = [fac_info.get(n) for n in names]
    f_type = np.array([i.type if i is not None else None for i in info] + [None], dtype=object)[pos]
    f_prov = np.array([i.province if i is not None else None for i in info] + [None], dtype=object)[
        pos
    ]
    from_nik = nik_attributes(pd.Series(nik_codes(f["_nik"]), index=f.index), as_of=as_of)
    idx = f.index
    none = pd.Series(None, index=idx, dtype=object)
    sex = pd.Series(text_values(f["sex"]), index=idx) if "sex" in f.columns else none
    birth = f["birth_date"] if "birth_date" in f.columns else pd.Series(pd.NaT, index=idx)
    prov = pd.Series(text_values(f["province"]), index=idx) if "province" in f.columns else none
    prov = prov.where(prov.notna() & (prov.astype(str) != ""), pd.Series(f_prov, index=idx))
    return pd.DataFrame(
        {
            "client_id": f["client_id"].to_numpy(dtype=np.uint64),
            "sex": sex.where(sex.notna(), from_nik["sex"]),
            "birth_date": pd.to_datetime(birth).where(
                pd.to_datetime(birth).notna(), from_nik["birth_date"]
            ),
            "facility": np.where(fac == "", None, fac),
            "facility_type": f_type,
            "province": prov,
            "release_date": f["release_date"] if "release_date" in f.columns else pd.NaT,
            "prior_offences": f["prior_offences"] if "prior_offences" in f.columns else pd.NA,
        },
        index=idx,
    )[cols]
