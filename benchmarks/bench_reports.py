"""End-to-end render time of the reports (papermill, HTML, figures, deck).

Targets (issue 7): the cohort report of a 35-client cohort (Bapas Kelas I Semarang, 2025) in at
most 20 s on 2 cores, the 870-client provincial overview (Sumatera Selatan, 2021) in at most
40 s. The demo data are generated first (synthetic exports → ETL → scores) unless
``--processed DIR`` points at existing canonical tables. Each figure is the wall time of
``rehab_eval.reports.run_report`` with its stages (validate, execute, export, deck).

    .venv/bin/python benchmarks/bench_reports.py [--quick] [--processed DIR]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

CASES = {
    "cohort_report, 35 clients (Semarang 2025)": (
        "cohort_report",
        {
            "facility": "Bapas Kelas I Semarang",
            "program": "pascarehabilitasi",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        20.0,
    ),
    "program_overview, 870 clients (Sumatera Selatan 2021)": (
        "program_overview",
        {"province": "Sumatera Selatan", "period_start": "2021-01-01", "period_end": "2021-12-31"},
        40.0,
    ),
    "recidivism_report, Sumatera Selatan 2021-2023": (
        "recidivism_report",
        {"province": "Sumatera Selatan"},
        None,
    ),
}


def _demo(folder: Path) -> Path:
    from rehab_eval.etl import run_etl
    from rehab_eval.scoring import score_processed
    from rehab_eval.synth import generate_synthetic

    started = time.perf_counter()
    generate_synthetic(folder / "raw", seed=7, truth_path=folder / "truth.json")
    run_etl(
        folder / "raw",
        folder / "processed",
        secret="benchmark-secret-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8",
    )
    score_processed(folder / "processed")
    print(f"demo data (synth → etl → score): {time.perf_counter() - started:.1f} s")
    return folder / "processed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per report")
    parser.add_argument("--processed", type=Path, default=None, help="existing canonical tables")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    notebooks = Path(__file__).resolve().parents[1] / "src" / "rehab_eval" / "reports" / "notebooks"

    from rehab_eval.reports import run_report

    with tempfile.TemporaryDirectory(prefix="bench_reports_") as tmp:
        tmp_path = Path(tmp)
        processed = args.processed or _demo(tmp_path)
        for label, (name, params, target) in CASES.items():
            totals, stages = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                result = run_report(
                    name,
                    {**params, "processed_dir": str(processed)},
                    out=tmp_path / "reports",
                    notebooks_dir=notebooks,
                )
                totals.append(time.perf_counter() - started)
                stages.append(result.timings)
            best = min(range(repeat), key=lambda i: totals[i])
            parts = ", ".join(
                f"{k} {v:.1f}" for k, v in stages[best].items() if k not in ("total", "validate")
            )
            met = target is not None and min(totals) <= target
            verdict = (
                ""
                if target is None
                else f" (target ≤ {target:.0f} s: {'met' if met else 'MISSED'})"
            )
            print(
                f"{label:55s} best {min(totals):5.1f} s  median {statistics.median(totals):5.1f} s"
                f"  [{parts}]{verdict}",
                flush=True,
            )


if __name__ == "__main__":
    main()
