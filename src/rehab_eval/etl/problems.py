"""Problems found in one sheet: cell rejects (the cell becomes missing, the row stays) and the
first row-level problem of each row (the row is rejected once, with that reason)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rehab_eval.etl.headers import HeaderMap
from rehab_eval.etl.identity import mask

__all__ = ["IDENTITY_FIELDS", "REJECT_REASONS", "Problems"]

#: Every reason code the ETL writes into rejects (each has its Indonesian and English text and
#: fix hint in ``rehab_eval/quality/reasons.csv``; a test holds the two lists together).
REJECT_REASONS = (
    "nik unrecoverable",
    "invalid nik",
    "no identifier",
    "missing required value",
    "unparseable date",
    "unparseable value",
    "out of range",
    "future date",
    "release before birth",
    "conflicting duplicate",
    "identifier in text",
    "implausible value",
)


def _known(why: str) -> str:
    if why not in REJECT_REASONS:  # a programming error: every reason is declared above
        raise ValueError(f"undeclared reject reason {why!r}; add it to REJECT_REASONS")
    return why


IDENTITY_FIELDS = ("nik", "register_no", "name", "address", "ttl")


def _reject_frame(
    file: str,
    sheet: str,
    rows: np.ndarray,
    column: str,
    values: pd.Series,
    reason: str,
    masked: bool,
) -> pd.DataFrame:
    vals = values.astype(str).str.strip()
    if masked:
        vals = vals.map(mask)
    return pd.DataFrame(
        {
            "source_file": file,
            "sheet": sheet,
            "source_row": rows,
            "column": column,
            "value": vals.to_numpy(dtype=object),
            "reason": reason,
        }
    )


class Problems:
    """What goes wrong in one sheet: cell rejects (the cell becomes missing, the row stays)
    and the first row-level problem of each row (the row is rejected once, with it)."""

    def __init__(self, hmap: HeaderMap, file: str, sheet: str, rows: np.ndarray) -> None:
        self.hmap, self.file, self.sheet, self.rows = hmap, file, sheet, rows
        n = len(rows)
        self.cells: list[pd.DataFrame] = []
        self.reason = np.full(n, "", dtype=object)
        self.rcol = np.full(n, "", dtype=object)
        self.rval = np.full(n, "", dtype=object)

    def header(self, f: str) -> str:
        p = self.hmap.column_of(f)
        return self.hmap.headers[p] if p is not None else ""

    def cell(self, f: str, bad, values: pd.Series, why: str, hdr: str | None = None) -> None:
        """Reject the cells of field ``f`` where ``bad`` (identity values masked)."""
        _known(why)
        b = np.asarray(bad, dtype=bool)
        if b.any():
            self.cells.append(
                _reject_frame(
                    self.file,
                    self.sheet,
                    self.rows[b],
                    self.header(f) if hdr is None else hdr,
                    values[b],
                    why,
                    f in IDENTITY_FIELDS,
                )
            )

    def row(self, where: np.ndarray, f: str, values: pd.Series | None, why: str) -> None:
        """Reject the rows ``where`` for ``why`` unless they already have a reason."""
        _known(why)
        m = where & (self.reason == "")
        if m.any():
            self.reason[m] = why
            self.rcol[m] = self.header(f) if f else ""
            if values is not None:
                sub = pd.Series(values.to_numpy(dtype=object)[m], dtype=object)
                v = sub.astype(str).str.strip().to_numpy(dtype=object)
                self.rval[m] = [mask(x) for x in v] if f in IDENTITY_FIELDS else v

    def cell_frame(self) -> pd.DataFrame:
        if self.cells:
            return pd.concat(self.cells, ignore_index=True)
        return pd.DataFrame(
            columns=["source_file", "sheet", "source_row", "column", "value", "reason"]
        )
