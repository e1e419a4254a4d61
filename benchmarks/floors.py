"""The ETL's floor, measured in a child process of its own (called by ``bench_pipeline``).

floors.py csv RAW_DIR MANIFEST RESULT.json
    ``pyarrow.csv.read_csv`` of every CSV file the ETL read (encoding, delimiter and
    header row from its manifest); rows that do not have the header's number of fields
    are skipped and counted.
floors.py parquet PROCESSED_DIR SCRATCH_DIR RESULT.json
    The processed tables read back, then written again with ``pyarrow.parquet``
    (zstd, as the ETL writes them): only the writing is timed.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _arrow_encoding(name: str | None) -> str:
    """pyarrow reads UTF-8 natively (BOM included) only when told ``utf8``; any other name,
    ``utf-8`` too, goes through a Python transcoder."""
    name = (name or "utf8").lower().replace("_", "-")
    return "utf8" if name in ("utf-8", "utf8", "utf-8-sig") else name


def csv_read(raw: Path, manifest: Path) -> dict:
    import pyarrow.csv as pacsv

    files = json.loads(manifest.read_text("utf-8"))["files"]
    rows = skipped = n_files = 0
    started = time.perf_counter()
    for spec in files:
        if not spec["path"].lower().endswith(".csv") or "delimiter" not in spec:
            continue
        header = min(s.get("header_row", 1) for s in spec["sheets"]) if spec["sheets"] else 1
        bad = 0

        def skip(_row, _bad=None) -> str:
            nonlocal bad
            bad += 1
            return "skip"

        table = pacsv.read_csv(
            raw / spec["path"],
            read_options=pacsv.ReadOptions(
                encoding=_arrow_encoding(spec.get("encoding")), skip_rows=max(header - 1, 0)
            ),
            parse_options=pacsv.ParseOptions(delimiter=spec["delimiter"], invalid_row_handler=skip),
        )
        rows += table.num_rows
        skipped += bad
        n_files += 1
    return {
        "seconds": time.perf_counter() - started,
        "rows": rows,
        "rows_skipped": skipped,
        "files": n_files,
    }


def parquet_write(processed: Path, scratch: Path) -> dict:
    import pyarrow.parquet as pq

    scratch.mkdir(parents=True, exist_ok=True)
    tables = {p.name: pq.read_table(p) for p in sorted(processed.glob("*.parquet"))}
    tables.pop("scores.parquet", None)  # written by the scoring step, not by the ETL
    tables.pop("rejects.parquet", None)
    started = time.perf_counter()
    for name, table in tables.items():
        pq.write_table(table, scratch / name, compression="zstd")
    seconds = time.perf_counter() - started
    for name in tables:
        (scratch / name).unlink()
    return {
        "seconds": seconds,
        "rows": sum(t.num_rows for t in tables.values()),
        "tables": len(tables),
    }


def main(argv: list[str]) -> int:
    task, a, b, out = argv
    result = csv_read(Path(a), Path(b)) if task == "csv" else parquet_write(Path(a), Path(b))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out).write_text(json.dumps(result), "utf-8")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
