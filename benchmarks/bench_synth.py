"""Benchmark: synthetic program records at the demo scale and at a million assessment rows.

Run ``python benchmarks/bench_synth.py`` (scale 1 and 160) or ``--quick`` (scale 1 and 8).
Target: scale 160 (≈ 1 million WHOQOL-BREF rows in the provincial CSVs) in under a minute.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from rehab_eval.synth import generate_synthetic


def _run(scale: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        truth = generate_synthetic(Path(tmp) / "raw", seed=7, scale=scale)
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in (Path(tmp) / "raw").rglob("*") if p.is_file())
    assessments = sum(
        sheet["data_rows"]
        for spec in truth["files"].values()
        for sheet in spec["sheets"].values()
        if sheet["table"] == "assessments"
    )
    return seconds, assessments, size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small scales only")
    args = parser.parse_args(argv)
    scales = (1, 8) if args.quick else (1, 160)
    print(f"{'scale':>6} {'seconds':>8} {'assessment rows':>16} {'MB written':>11}")
    for scale in scales:
        seconds, rows, size = _run(scale)
        print(f"{scale:>6} {seconds:>8.2f} {rows:>16,} {size / 1e6:>11.1f}")


if __name__ == "__main__":
    main()
