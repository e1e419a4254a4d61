"""Atomic, deterministic output: Parquet per table, rejects (Parquet + CSV), manifest.json.

Everything is written into a temporary folder beside ``out`` and swapped in only when
complete; a crash or an error leaves the previous output untouched. Parquet files carry no
timestamps: the same tables give the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["write_outputs"]


ROW_GROUP = 131_072


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` in row groups of ``ROW_GROUP`` rows (bounded memory, same bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.Schema.from_pandas(frame.iloc[:0], preserve_index=False)
    for i, name in enumerate(schema.names):  # text columns: string, even when all missing
        if frame[name].dtype == object:
            schema = schema.set(i, schema.field(i).with_type(pa.string()))
        elif frame[name].dtype == np.float32:  # answers kept compact in memory: float64 on disk
            schema = schema.set(i, schema.field(i).with_type(pa.float64()))
    with pq.ParquetWriter(path, schema, compression="zstd", write_statistics=True) as writer:
        for start in range(0, max(len(frame), 1), ROW_GROUP):
            chunk = frame.iloc[start : start + ROW_GROUP]
            writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))


def write_outputs(
    out: Path, tables: dict[str, pd.DataFrame], rejects: pd.DataFrame, manifest: dict[str, Any]
) -> None:
    """Write the run's outputs into ``out`` atomically (temporary folder, then rename)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for name, frame in tables.items():
            _parquet(frame, tmp / f"{name}.parquet")
        _parquet(rejects, tmp / "rejects.parquet")
        rejects.to_csv(tmp / "rejects.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", "utf-8"
        )
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "previous")
        os.rename(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
