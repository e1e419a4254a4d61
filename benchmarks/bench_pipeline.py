"""The pipeline at one synthetic scale: synth → etl → score → reports, each in a child process
(wall time and peak memory), beside the floor measured in the same run.

    python benchmarks/bench_pipeline.py --scale 40 [--data DIR] [--work DIR] [--reports all]

Raw data are cached in ``--data`` as ``raw_<scale>`` (seed 7) or ``raw_<scale>_seed<seed>``
and reused when present (the folder is only read then); everything the run writes goes to
``--work`` (a temporary folder by default). The floor: ``pyarrow.csv.read_csv`` of the same
CSV files, the processed tables written again with ``pyarrow.parquet`` (see ``floors.py``).
ETL rows/s = raw data rows read (the manifest's ``totals.rows_read``) / ETL seconds.

The reports are the ones ``rehab-eval demo`` renders (its ``demo.plan.yaml``), on the
tables of this scale; ``--reports sumsel`` keeps the provincial (Sumatera Selatan) ones and
the data-quality report, ``--reports none`` skips them, ``--reports a,b`` runs the reports
labelled a and b in the plan (the label, or the report's name when it has none).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from datetime import date
from importlib import resources
from pathlib import Path

from _harness import Measure, python, run, table, tail

SECRET = "bench-key-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8"
CLI = [sys.executable, "-m", "rehab_eval"]
SUMSEL = {
    "program_overview",
    "recidivism_report",
    "programme_effect",
    "indicators_report",
    "data_quality",
}


def raw_dir(data: Path, scale: int, seed: int) -> Path:
    return data / (f"raw_{scale}" if seed == 7 else f"raw_{scale}_seed{seed}")


def ensure_raw(data: Path, scale: int, seed: int, logs: Path) -> tuple[Path, Measure | None]:
    """The cached raw exports of ``scale``/``seed``, generated (and timed) when missing."""
    raw = raw_dir(data, scale, seed)
    if raw.is_dir() and any(raw.iterdir()):
        return raw, None
    partial = raw.with_name(raw.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    data.mkdir(parents=True, exist_ok=True)
    m = run(
        [
            *CLI,
            "synth",
            "--out",
            partial,
            "--seed",
            seed,
            "--scale",
            scale,
            "--truth",
            data / f"truth_{raw.name[4:]}.json",
        ],
        log=logs / f"synth_{scale}.log",
    )
    if not m.ok:
        sys.exit(f"synth failed at scale {scale}:\n{tail(m.log)}")
    partial.rename(raw)
    return raw, m


def plan_reports(which: str, raw: Path) -> list[tuple[str, str, dict[str, str]]]:
    """(label, report, params) of the demo plan's reports."""
    import yaml

    if which == "none":
        return []
    plan_file = resources.files("rehab_eval") / "reports" / "notebooks" / "demo.plan.yaml"
    entries = yaml.safe_load(plan_file.read_text("utf-8"))
    out = []
    for entry in entries:
        name = entry["report"]
        params = {
            k: v.isoformat() if isinstance(v, date) else str(v)
            for k, v in (entry.get("params") or {}).items()
        }
        if "raw_dir" in params:
            params["raw_dir"] = str(raw)
        label = entry.get("label", name)
        provincial = params.get("province") in ("Sumatera Selatan", "Sumsel")
        if which == "all":
            keep = True
        elif which == "sumsel":
            keep = name in SUMSEL and (provincial or name == "data_quality")
        else:
            keep = label in which.split(",")
        if keep:
            out.append((label, name, params))
    return out


def run_scale(
    scale: int, *, seed: int, data: Path, work: Path, reports: str = "all", say=print
) -> dict:
    """Every step of one scale; returns the figures (see ``run_all.py`` for the layout)."""
    logs = work / "logs"
    raw, synth = ensure_raw(data, scale, seed, logs)
    processed = work / f"processed_{scale}"
    if processed.exists() or processed.is_symlink():
        sys.exit(f"{processed} exists: give an empty --work folder")
    say(f"scale {scale}: raw {raw}" + (f" (generated in {synth.seconds:.0f} s)" if synth else ""))
    env = {"REHAB_EVAL_SECRET": SECRET}
    etl = run(
        [*CLI, "etl", "--raw", raw, "--out", processed],
        log=logs / f"etl_{scale}.log",
        env=env,
        cwd=work,
    )
    if not etl.ok:
        sys.exit(f"etl failed at scale {scale}:\n{tail(etl.log)}")
    manifest = json.loads((processed / "manifest.json").read_text("utf-8"))
    rows_read = manifest["totals"]["rows_read"]
    tables = {k: v["rows_written"] for k, v in manifest["tables"].items()}
    say(f"  etl {etl.seconds:.1f} s, {etl.peak_mb:,.0f} MB, {rows_read:,} rows read")
    csv = python(
        "floors.py",
        "csv",
        raw,
        processed / "manifest.json",
        work / "csv.json",
        log=logs / f"floor_csv_{scale}.log",
        result=work / "csv.json",
    )
    pq = python(
        "floors.py",
        "parquet",
        processed,
        work / "scratch",
        work / "pq.json",
        log=logs / f"floor_parquet_{scale}.log",
        result=work / "pq.json",
    )
    for m, what in ((csv, "pyarrow.csv floor"), (pq, "parquet floor")):
        if not m.ok:
            sys.exit(f"{what} failed at scale {scale}:\n{tail(m.log)}")
    say(
        f"  floor: csv read {csv.result['seconds']:.1f} s, parquet write {pq.result['seconds']:.1f} s"
    )
    score = run(
        [*CLI, "score", "--processed", processed],
        log=logs / f"score_{scale}.log",
        env=env,
        cwd=work,
    )
    if not score.ok:
        sys.exit(f"score failed at scale {scale}:\n{tail(score.log)}")
    say(f"  score {score.seconds:.1f} s, {score.peak_mb:,.0f} MB")
    rendered = {}
    for label, name, params in plan_reports(reports, raw):
        args = [
            a for k, v in {**params, "processed_dir": str(processed)}.items() for a in ("-p", k, v)
        ]
        m = run(
            [*CLI, "report", name, *args, "--out", work / f"reports_{scale}"],
            log=logs / f"report_{scale}_{label}.log",
            env=env,
            cwd=work,
        )
        rendered[label] = {"report": name, **m.as_dict()}
        status = "ok" if m.ok else f"FAILED (exit {m.returncode}, see {m.log})"
        say(f"  report {label}: {m.seconds:.1f} s, {m.peak_mb:,.0f} MB, {status}")
    return {
        "scale": scale,
        "seed": seed,
        "raw": str(raw),
        "raw_mb": sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()) / 2**20,
        "rows_read": rows_read,
        "tables": tables,
        "synth": synth.as_dict() if synth else None,
        "etl": etl.as_dict(),
        "etl_rows_per_s": rows_read / etl.seconds,
        "csv_floor": csv.result | {"process": csv.as_dict()},
        "parquet_floor": pq.result | {"process": pq.as_dict()},
        "etl_over_csv": etl.seconds / csv.result["seconds"],
        "score": score.as_dict(),
        "reports": rendered,
    }


def print_scales(results: list[dict]) -> None:
    """One table of every step at every scale."""
    rows = []
    for r in results:
        k = r["scale"]
        if r["synth"]:
            rows.append([k, "synth", r["synth"]["seconds"], r["synth"]["peak_mb"], ""])
        rows.append(
            [
                k,
                "etl",
                r["etl"]["seconds"],
                r["etl"]["peak_mb"],
                f"{r['etl_rows_per_s']:,.0f} rows/s, {r['rows_read']:,} rows read, "
                f"{r['etl_over_csv']:.1f}x csv floor",
            ]
        )
        rows.append(
            [
                k,
                "  floor: pyarrow.csv read",
                r["csv_floor"]["seconds"],
                r["csv_floor"]["peak_mb"],
                f"{r['csv_floor']['rows']:,} rows, {r['csv_floor']['files']} files",
            ]
        )
        rows.append(
            [
                k,
                "  floor: parquet write",
                r["parquet_floor"]["seconds"],
                r["parquet_floor"]["peak_mb"],
                f"{r['parquet_floor']['rows']:,} rows",
            ]
        )
        rows.append(
            [
                k,
                "score",
                r["score"]["seconds"],
                r["score"]["peak_mb"],
                f"{r['tables'].get('assessments', 0):,} assessment rows",
            ]
        )
        for label, m in r["reports"].items():
            rows.append(
                [
                    k,
                    f"report {label}",
                    m["seconds"],
                    m["peak_mb"],
                    "ok" if m["returncode"] == 0 else "FAILED",
                ]
            )
    print(table(["scale", "step", "seconds", "peak MB", "notes"], rows))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parent / ".data")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--reports", default="all", help="all, sumsel, none or labels (a,b)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_pipeline_") as tmp:
        work = args.work or Path(tmp)
        result = run_scale(
            args.scale, seed=args.seed, data=args.data, work=work, reports=args.reports
        )
        print_scales([result])
    return 0


if __name__ == "__main__":
    sys.exit(main())
