"""Assemble the canonical tables from the extracted sheets of one run.

Identity is resolved across files (a register-only row finds its NIK through any row that
carries both), every row gets its pseudonym, row-level problems become rejects, exact
duplicates are dropped and counted, conflicting duplicates are rejected, and each table is
put in canonical columns, dtypes and a stable order (client, instrument, timepoint, date).
Between extraction and writing, NIKs and pseudonyms are integers and repeating text is
categorical (:mod:`rehab_eval.etl._codes`); the tables come out as before.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rehab_eval.etl._codes import concat_frames, nik_codes, text_values
from rehab_eval.etl.dedupe import dedupe
from rehab_eval.etl.finish import finish
from rehab_eval.etl.finish import sort_key as _sort_key  # noqa: F401  (kept for its tests)
from rehab_eval.etl.items import split_items
from rehab_eval.etl.pseudonyms import Pseudonyms, register_maps

__all__ = ["TABLES", "Assembled", "assemble"]

TABLES = ("clients", "enrollments", "assessments", "contacts", "urine_tests", "events")


@dataclass(frozen=True)
class Assembled:
    """The canonical tables of a run (none when they were handed to a writer), its rejects
    (with ``_whole``), exact duplicates per (file, sheet), unknown facilities, the number of
    clients seen in two facilities and each table's number of rows."""

    tables: dict[str, pd.DataFrame]
    rejects: pd.DataFrame
    dup_counts: Counter
    unknown: list[str]
    clients_moved: int = 0
    table_rows: dict[str, int] = field(default_factory=dict)


def assemble(parts, cells, headers_of, key, as_of, sheet_meta, fac_info, *, write=None):
    """Canonical tables, rejects, duplicate counts per (file, sheet), unknown facilities.

    ``parts`` maps a table to its extracted sheet frames (emptied as they are consumed);
    ``cells`` holds the cell-level rejects; ``sheet_meta`` lists (file, sheet, NIK header,
    register header) per sheet number; ``fac_info`` maps a facility name to its Facility.
    ``write(name, frame)``, when given, receives each table as soon as it is finished, and
    the result keeps only its number of rows (``tables`` is then empty).
    """
    meta = np.array(sheet_meta + [("", "", "", "")], dtype=object).reshape(-1, 4)
    # register → NIK through every row that carries both (the clients sheets above all)
    run = _Run(meta, register_maps(parts), Pseudonyms(key), headers_of, fac_info)
    tables: dict[str, pd.DataFrame] = {}
    clients = None
    for t in TABLES:
        if not parts.get(t):
            continue
        # answers stay in their sheets' arrays until the table is written
        frames, items = split_items(parts[t])
        f = concat_frames(frames)
        parts[t] = []  # release the per-sheet frames
        del frames
        keep = run.table(t, f, items)
        if t == "clients":  # finished last: it also lists clients seen only elsewhere
            clients = (f, keep)
        else:
            tables[t] = finish(t, f, keep, None, as_of, fac_info, items)
            _hand_over(tables, t, write)
        del f, items
    rejects = _rejects(run.row_rejects, cells)
    ids = (
        concat_frames(run.id_info)
        if run.id_info
        else pd.DataFrame(
            {
                "client_id": np.zeros(0, np.uint64),
                "_nik": np.zeros(0, np.int64),
                "_fac": np.zeros(0, object),
            }
        )
    )
    run.id_info = []
    clients = clients if clients is not None else (None, None)
    tables["clients"] = finish("clients", *clients, ids, as_of, fac_info)
    del clients, ids
    _hand_over(tables, "clients", write)
    for t in TABLES:
        if t not in tables:
            tables[t] = finish(t, None, None, None, as_of, fac_info)
            _hand_over(tables, t, write)
    rows = {t: v if isinstance(v, int) else len(v) for t, v in tables.items()}
    rows = {t: rows[t] for t in TABLES}
    out = {t: v for t, v in tables.items() if not isinstance(v, int)}
    out = {t: out[t] for t in TABLES if t in out}
    return Assembled(out, rejects, run.dup_counts, sorted(run.unknown), run.moved, rows)


def _hand_over(tables: dict, t: str, write) -> None:
    """Give a finished table to ``write`` and keep only its number of rows."""
    if write is not None:
        write(t, tables[t])
        tables[t] = len(tables[t])


class _Run:
    """What assembling one table after another gathers: rejects, duplicate counts, moves,
    unknown facilities and each accepted row's (client, NIK, facility)."""

    def __init__(self, meta, maps, pseudonyms, headers_of, fac_info) -> None:
        self.m_file, self.m_sheet, self.m_hnik, self.m_hreg = (meta[:, i] for i in range(4))
        self.maps = maps
        self.pseudonyms = pseudonyms
        self.headers_of = headers_of
        self.fac_info = fac_info
        self.row_rejects: list[pd.DataFrame] = []
        self.dup_counts: Counter = Counter()
        self.moved = 0
        self.unknown: set[str] = set()
        self.id_info: list[pd.DataFrame] = []

    def table(self, t: str, f: pd.DataFrame, items=None) -> np.ndarray:
        """Give ``f``'s rows their client (column ``client_id``, codes), reject the rows
        without one, de-duplicate; the rows to keep."""
        f["_nik"] = nik_codes(f["_nik"])
        codes, has = self.pseudonyms.of_rows(f, self.maps)
        reason = text_values(f["_reason"])
        rcol = text_values(f["_rcol"])
        rval = text_values(f["_rval"])
        no_id = ~has & (reason == "")
        sid = f["_sid"].to_numpy()
        if no_id.any():
            hdr_nik = self.m_hnik[sid]
            hdr = np.where(hdr_nik != "", hdr_nik, self.m_hreg[sid])
            reason[no_id] = "no identifier"
            rcol[no_id] = hdr[no_id]
            rval[no_id] = ""
        # f is assemble's own concatenation: columns are set on it, nothing is copied
        f["_reason"], f["_rcol"], f["_rval"] = reason, rcol, rval
        f["client_id"] = codes
        bad = reason != ""
        self.row_rejects.append(
            pd.DataFrame(
                {
                    "_file": self.m_file[sid[bad]],
                    "_sheet": self.m_sheet[sid[bad]],
                    "_row": f["_row"].to_numpy()[bad],
                    "_rcol": rcol[bad],
                    "_rval": rval[bad],
                    "_reason": reason[bad],
                }
            )
        )
        good = np.flatnonzero(~bad)
        names = _distinct(f["_fac"], good) - {""}
        self.unknown |= {n for n in names if n in self.fac_info and not self.fac_info[n].known}
        self.id_info.append(f[["client_id", "_nik", "_fac"]].iloc[good])
        keep, dups, conflicts, n_moved = dedupe(
            t, f, good, self.headers_of, self.m_file, self.m_sheet, items
        )
        self.dup_counts.update(dups)
        self.moved += n_moved
        self.row_rejects.append(conflicts)
        return keep


def _distinct(col: pd.Series, rows: np.ndarray) -> set:
    """The distinct values of ``col`` in ``rows``."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = np.unique(col.cat.codes.to_numpy()[rows])
        return set(col.cat.categories[codes[codes >= 0]]) | ({None} if (codes < 0).any() else set())
    return set(col.to_numpy(dtype=object)[rows])


def _rejects(row_rejects: list[pd.DataFrame], cells: list[pd.DataFrame]) -> pd.DataFrame:
    """Whole-row and cell rejects in one frame (``_whole`` tells them apart), in file, sheet
    and row order; a cell of a row rejected whole is not listed again."""
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
    return rejects.sort_values(
        ["source_file", "sheet", "source_row", "column", "reason"], kind="mergesort"
    ).reset_index(drop=True)
