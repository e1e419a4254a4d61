"""The ETL's outputs for the demo exports are pinned: same input and key, same tables.

``tests/data/etl_golden.json`` holds, for the synthetic demo exports (seed 7, scale 1) read
with a fixed key and run date, a content hash of every canonical table (its Arrow schema,
the pandas column metadata, its row groups and its values: nothing that depends on the
writing library's version string), the sha256 of ``rejects.csv`` and the manifest's counts.
A change of the ETL's internals must leave them as they are; a deliberate change of the
outputs regenerates the file::

    python tests/test_etl_golden.py --write
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

GOLDEN = Path(__file__).parent / "data" / "etl_golden.json"
KEY = "golden-key-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8"
AS_OF = dt.date(2026, 12, 1)


def table_digest(path: Path) -> str:
    """sha256 of a Parquet table's schema, pandas column metadata, row groups and values."""
    import pyarrow.parquet as pq

    f = pq.ParquetFile(path)
    schema = f.schema_arrow
    pandas_meta = json.loads((schema.metadata or {}).get(b"pandas", b"{}"))
    h = hashlib.sha256()
    head = {
        "fields": [[x.name, str(x.type), x.nullable] for x in schema],
        "pandas": {k: pandas_meta.get(k) for k in ("index_columns", "columns")},
        "row_groups": [f.metadata.row_group(i).num_rows for i in range(f.num_row_groups)],
    }
    h.update(json.dumps(head, sort_keys=True).encode())
    table = f.read()
    for name in table.column_names:
        values = table.column(name).to_pylist()
        h.update(json.dumps([name, values], default=str).encode())
    return h.hexdigest()


def digests(out: Path) -> dict:
    """The pinned figures of one ETL output folder."""
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    for volatile in ("run_time", "version"):
        manifest.pop(volatile)
    return {
        "tables": {p.stem: table_digest(p) for p in sorted(out.glob("*.parquet"))},
        "rejects_csv": hashlib.sha256((out / "rejects.csv").read_bytes()).hexdigest(),
        "manifest": hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest(),
        "table_rows": {t: v["rows_written"] for t, v in manifest["tables"].items()},
        "totals": manifest["totals"],
    }


def demo_digests(root: Path) -> dict:
    from rehab_eval.etl import run_etl
    from rehab_eval.synth import generate_synthetic

    generate_synthetic(root / "raw", seed=7, scale=1, truth_path=root / "truth.json")
    run_etl(root / "raw", root / "processed", secret=KEY, as_of=AS_OF)
    return digests((root / "processed").resolve())


def test_demo_outputs_unchanged(tmp_path):
    want = json.loads(GOLDEN.read_text("utf-8"))
    got = demo_digests(tmp_path)
    assert got["table_rows"] == want["table_rows"]
    assert got["totals"] == want["totals"]
    assert got["tables"] == want["tables"]
    assert got["rejects_csv"] == want["rejects_csv"]
    assert got["manifest"] == want["manifest"]


if __name__ == "__main__":  # regenerate deliberately: python tests/test_etl_golden.py --write
    import tempfile

    if "--write" not in sys.argv:
        sys.exit("usage: python tests/test_etl_golden.py --write")
    with tempfile.TemporaryDirectory() as tmp:
        GOLDEN.write_text(json.dumps(demo_digests(Path(tmp)), indent=2) + "\n", "utf-8")
    print(f"wrote {GOLDEN}")
