"""A run's per-sheet counts and its manifest (what ``manifest.json`` records).

The counts add up per sheet: ``rows_read = rows_accepted + rows_rejected + rows_duplicate``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pandas as pd

from rehab_eval._version import __version__
from rehab_eval.etl.identity import key_fingerprint, mask

__all__ = ["count_sheets", "run_manifest"]

_LONG_DIGITS = r"\d{10,}"


def _mask_match(m) -> str:
    return mask(m.group(0))


def count_sheets(sheet_info, rejects: pd.DataFrame, dup_counts) -> pd.DataFrame:
    """Fill each sheet's accepted/rejected/duplicate counts; rejects without ``_whole``."""
    rej_counts = Counter(
        zip(rejects["_whole"].map(bool), rejects["source_file"], rejects["sheet"], strict=True)
    )
    for (rel, sheet), info in sheet_info.items():
        whole = rej_counts.get((True, rel, sheet), 0)
        dup = dup_counts.get((rel, sheet), 0)
        info["rows_rejected"] = whole
        info["rows_duplicate"] = dup
        info["rows_accepted"] = info["rows_read"] - whole - dup
        info["cells_rejected"] = rej_counts.get((False, rel, sheet), 0)
    return rejects.drop(columns="_whole").assign(
        source_row=lambda r: r["source_row"].astype("Int64"),
        # a NIK-like number typed into another column is masked too
        value=lambda r: r["value"].astype(str).str.replace(_LONG_DIGITS, _mask_match, regex=True),
    )


def run_manifest(as_of, key, files, table_rows, rejects, by_reason, unknown, acc) -> dict[str, Any]:
    return {
        "package": "rehab_eval",
        "version": __version__,
        "run_time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "as_of": as_of.isoformat(),
        "key_fingerprint": key_fingerprint(key),
        "files": files,
        "tables": {t: {"rows_written": n, "file": f"{t}.parquet"} for t, n in table_rows.items()},
        "rejects": {"rows_written": int(len(rejects)), "by_reason": by_reason},
        "unknown_facilities": unknown,
        "totals": {
            k: int(sum(i.get(k, 0) for i in acc.sheet_info.values()))
            for k in (
                "rows_read",
                "rows_accepted",
                "rows_rejected",
                "rows_duplicate",
                "rows_empty",
                "rows_totals",
                "rows_notes",
                "cells_rejected",
            )
        },
    }
