"""ETL speed and memory on synthetic exports (about a million assessment rows at full size).

Targets (issue 3): at least 200 000 rows/s on 2 cores, peak memory under 2 GB, and at most
5x the time of a bare ``pandas.read_csv`` of the same CSV files.

Usage::

    python benchmarks/bench_etl.py            # scale 160: ~1M WHOQOL-BREF rows in CSV
    python benchmarks/bench_etl.py --quick    # scale 10
    python benchmarks/bench_etl.py --scale 40

The ETL runs in a child process so that its peak resident memory (``ru_maxrss``) is its own.
It prints the time of each stage as the pipeline calls it (read: every file, workbooks
included; extract: parsing each sheet; assemble: identity, rejects, duplicates, canonical
order and schema checks; write: Parquet, rejects CSV and manifest; other: imports, file
hashes) and the floor that reading and writing alone set. The machine's load (``uptime``)
should be reported beside the figures: they move by 20 % on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import datetime as dt, functools, json, resource, sys, time
t0 = time.perf_counter()
from rehab_eval.etl import pipeline, run_etl
stages = {}

def timed(name, fn):
    @functools.wraps(fn)
    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            stages[name] = stages.get(name, 0.0) + time.perf_counter() - t
    return wrapper

# the pipeline's stages, timed where the pipeline calls them
for attr, name in [("read_raw", "read"), ("extract_sheet", "extract"),
                   ("assemble", "assemble"), ("write_outputs", "write")]:
    setattr(pipeline, attr, timed(name, getattr(pipeline, attr)))
res = run_etl(sys.argv[1], sys.argv[2], secret="bench-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8", as_of=dt.date.fromisoformat(sys.argv[3]))
elapsed = time.perf_counter() - t0
stages["other"] = elapsed - sum(stages.values())
print(json.dumps({
    "seconds": elapsed,
    "stages": stages,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "table_rows": res.table_rows,
    "rejects": sum(res.rejects_by_reason.values()),
}))
"""

BASE = r"""
import csv, json, resource, sys, time
import pandas as pd
files = json.loads(sys.argv[1])
t0 = time.perf_counter()
n = 0
for path, enc, sep in files:
    n += len(pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding=enc,
                         engine="c", skip_blank_lines=False, header=None))
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": n,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"benchmark step failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small run (scale 10)")
    ap.add_argument("--scale", type=int, default=None, help="synthetic scale (default 160)")
    args = ap.parse_args(argv)
    scale = args.scale or (10 if args.quick else 160)

    from rehab_eval.synth import generate_synthetic

    with tempfile.TemporaryDirectory(prefix="bench_etl_") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        generate_synthetic(root / "raw", seed=7, scale=scale)
        gen = time.perf_counter() - t0
        truth = json.loads((root / "truth.json").read_text("utf-8"))
        rows = 0
        assess = 0
        csvs = []
        for rel, spec in truth["files"].items():
            for sheet in spec["sheets"].values():
                rows += sheet["data_rows"]
                if sheet["table"] == "assessments":
                    assess += sheet["data_rows"]
            if spec["format"] == "csv":
                csvs.append((str(root / "raw" / rel), spec["encoding"], spec["delimiter"]))
        size_mb = sum(p.stat().st_size for p in (root / "raw").rglob("*") if p.is_file()) / 2**20
        base = _child(BASE, json.dumps(csvs))
        etl = _child(CHILD, str(root / "raw"), str(root / "out"), truth["cutoff_date"])

    print(
        f"scale {scale}: {len(truth['files'])} raw files, {size_mb:.1f} MB, generated in {gen:.1f} s"
    )
    print(f"data rows {rows:,} (assessment rows {assess:,})")
    print(f"bare pandas.read_csv of the CSV files: {base['seconds']:.2f} s")
    print(
        f"ETL end to end: {etl['seconds']:.2f} s, {rows / etl['seconds']:,.0f} rows/s "
        f"({assess / etl['seconds']:,.0f} assessment rows/s)"
    )
    print(
        "ETL stages: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in etl["stages"].items())
        + " (read: reading every file, xlsx included; other: imports, hashing, manifest)"
    )
    print(f"ETL / read_csv time: {etl['seconds'] / base['seconds']:.2f}x")
    print(f"ETL peak memory: {etl['peak_mb']:,.0f} MB (read_csv alone {base['peak_mb']:,.0f} MB)")
    print(f"tables: {etl['table_rows']}, rejects {etl['rejects']}")
    # what reading and writing alone allow, before any parsing, identity or assembly
    floor = base["seconds"] + etl["stages"].get("write", 0.0)
    print(
        f"floor without any parsing: bare read_csv {base['seconds']:.2f} s + Parquet write "
        f"{etl['stages'].get('write', 0.0):.2f} s = {floor:.2f} s ({rows / floor:,.0f} rows/s)"
    )
    checks = [
        ("200,000 rows/s", rows / etl["seconds"] >= 200_000),
        ("<= 5x read_csv", etl["seconds"] <= 5 * base["seconds"]),
        ("peak < 2 GB", etl["peak_mb"] < 2048),
    ]
    print("targets: " + ", ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in checks))


if __name__ == "__main__":
    main()
