"""Issue 16's benchmarks in one run (``make bench``), ending with the TARGETS block.

    python benchmarks/run_all.py            # quick: scale 40; Cox/KM/log-rank at 10 k, 100 k;
                                            # scoring at 1 M forms (a few minutes)
    python benchmarks/run_all.py --full     # scales 40, 160, 640; Cox/KM/log-rank also at
                                            # 1 M; scoring also at 10 M forms
    make bench ARGS=--full

Every step runs in a child process of its own (``_harness.run``: wall time, peak memory).
Steps: the pipeline at each scale (``bench_pipeline.py``: synth → etl → score → the demo's
reports, next to the pyarrow.csv read and Parquet write of the same data), scoring against a
column-wise numpy pass (``bench_scoring.py``) and Cox/KM/log-rank against lifelines
(``bench_survival.py``). Targets are same-run ratios where the issue says so; absolute times
are context (note the load average printed at the top and stored with the figures).

Raw data are cached by scale and seed in ``--data`` (default ``benchmarks/.data``, git-ignored)
and reused; a folder of someone else's raw exports can be given and is then only read.
The figures go to ``benchmarks/results/latest.json`` (and ``--save-as NAME`` also writes
``results/NAME.json``). ``--record-baseline`` stores this run's KM and log-rank ratios to
lifelines in ``benchmarks/baseline.json``, the reference of the "no slower than today" target.
``--extras`` also runs the older standalone benchmarks (change, plots, start-up) quickly.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from _harness import HERE, machine, python, table, tail, write_json
from bench_pipeline import print_scales, run_scale

RESULTS = HERE / "results"
BASELINE = HERE / "baseline.json"
NATIONAL_ROWS = 10_000_000  # assessment rows of the national case (scale about 1 650)
MACHINE_GB = 24
EXTRAS = ["bench_change.py", "bench_plots.py", "bench_startup.py"]


def _plan(args: argparse.Namespace) -> None:
    full = args.full
    args.scales = args.scales or ([40, 160, 640] if full else [40])
    args.clients = args.clients or ([10_000, 100_000, 1_000_000] if full else [10_000, 100_000])
    args.forms = args.forms or ([1_000_000, 10_000_000] if full else [1_000_000])
    args.reports = args.reports or ("all" if full else "sumsel")


def _ints(text: str) -> list[int]:
    return [int(float(x)) for x in text.split(",") if x]


def scoring(forms: list[int], work: Path) -> list[dict]:
    out = []
    for n in forms:
        # 10 M forms: WHOQOL-BREF only (the national case; 2 GB of answers per instrument)
        which = "whoqol_bref,urica,assist" if n <= 1_000_000 else "whoqol_bref"
        res = work / f"scoring_{n}.json"
        m = python(
            "bench_scoring.py",
            "--forms",
            n,
            "--instruments",
            which,
            "--json",
            res,
            log=work / "logs" / f"scoring_{n}.log",
            result=res,
        )
        if not m.ok:
            print(f"scoring at {n:,} forms failed:\n{tail(m.log)}", flush=True)
            continue
        for row in m.result["rows"]:
            out.append(row | {"process_peak_mb": m.peak_mb})
            print(f"  scoring {row['instrument']} {n:,}: ratio {row['ratio']:.2f}", flush=True)
    return out


def survival(clients: list[int], work: Path) -> list[dict]:
    out = []
    for n in clients:
        res = work / f"survival_{n}.json"
        m = python(
            "bench_survival.py",
            "--clients",
            n,
            "--json",
            res,
            log=work / "logs" / f"survival_{n}.log",
            result=res,
        )
        if not m.ok:
            print(f"survival at {n:,} clients failed:\n{tail(m.log)}", flush=True)
            continue
        out.append(m.result | {"process_seconds": m.seconds, "process_peak_mb": m.peak_mb})
        ratio = m.result["ratio"] or {}
        print(
            f"  survival {n:,}: " + ", ".join(f"{k} {v:.2f}" for k, v in ratio.items()), flush=True
        )
    return out


# --- targets ------------------------------------------------------------------------------


def _target(name, value, limit, ok, fmt="{:,.2f}", why=""):
    return {
        "target": name,
        "value": None if value is None else fmt.format(value),
        "raw_value": value,
        "limit": limit,
        "met": None if value is None else bool(ok),
        "why": why,
    }


def national(pipeline: list[dict]) -> dict:
    """Peak memory and time of etl, score and the two big reports at 10 M assessment rows:
    measured when a scale that large ran, otherwise a straight line through the scales run."""
    steps = {"etl": lambda r: r["etl"], "score": lambda r: r["score"]}
    for label in ("program_overview", "recidivism_report"):
        steps[label] = lambda r, lb=label: r["reports"].get(lb)
    x = np.array([r["tables"].get("assessments", 0) for r in pipeline], dtype=float)
    out = {"assessment_rows": NATIONAL_ROWS, "steps": {}}
    big = [r for r in pipeline if r["tables"].get("assessments", 0) >= NATIONAL_ROWS]
    if big:
        out["how"] = f"measured at scale {big[0]['scale']}"
        for name, get in steps.items():
            m = get(big[0])
            out["steps"][name] = m and {"peak_mb": m["peak_mb"], "seconds": m["seconds"]}
        return out
    if len(pipeline) < 2:
        out["how"] = None
        return out
    out["how"] = "extrapolated (straight line) from scales " + ", ".join(
        str(r["scale"]) for r in pipeline
    )
    per_row = np.mean([r["raw_mb"] / r["tables"]["assessments"] for r in pipeline])
    out["raw_gb"] = per_row * NATIONAL_ROWS / 1024
    out["scale"] = round(
        np.mean([r["scale"] / r["tables"]["assessments"] for r in pipeline]) * NATIONAL_ROWS
    )
    for name, get in steps.items():
        ms = [get(r) for r in pipeline]
        if any(m is None or m["returncode"] != 0 for m in ms):
            out["steps"][name] = None
            continue
        pred = {}
        for key in ("peak_mb", "seconds"):
            y = np.array([m[key] for m in ms])
            slope, icpt = np.polyfit(x, y, 1)
            pred[key] = float(icpt + slope * NATIONAL_ROWS)
            pred[f"{key}_per_million_rows"] = float(slope * 1e6)
        out["steps"][name] = pred
    return out


def targets(res: dict, baseline: dict | None) -> list[dict]:
    by_scale = {r["scale"]: r for r in res["pipeline"]}
    t = []
    full = "needs --full"

    r160 = by_scale.get(160)
    t.append(
        _target(
            "ETL throughput at scale 160 (raw rows read / s)",
            r160 and r160["etl_rows_per_s"],
            ">= 250,000",
            r160 and r160["etl_rows_per_s"] >= 250_000,
            "{:,.0f}",
            full,
        )
    )
    t.append(
        _target(
            "ETL time / pyarrow.csv read of the same files at scale 160",
            r160 and r160["etl_over_csv"],
            "<= 8x",
            r160 and r160["etl_over_csv"] <= 8,
            "{:.1f}x",
            full,
        )
    )
    r640 = by_scale.get(640)
    t.append(
        _target(
            "ETL peak memory at scale 640",
            r640 and r640["etl"]["peak_mb"],
            "< 2,048 MB",
            r640 and r640["etl"]["peak_mb"] < 2048,
            "{:,.0f} MB",
            full,
        )
    )

    sc = {row["forms"]: row for row in res["scoring"] if row["instrument"] == "whoqol_bref"}
    for n, label in ((1_000_000, "1 M"), (10_000_000, "10 M")):
        row = sc.get(n)
        t.append(
            _target(
                f"score / column-wise numpy pass, {label} WHOQOL-BREF forms",
                row and row["ratio"],
                "<= 1.3x",
                row and row["ratio"] <= 1.3,
                "{:.2f}x",
                "" if n == 1_000_000 else full,
            )
        )
    t.append(
        _target(
            "`rehab-eval score` peak memory at scale 640",
            r640 and r640["score"]["peak_mb"],
            "< 1,024 MB",
            r640 and r640["score"]["peak_mb"] < 1024,
            "{:,.0f} MB",
            full,
        )
    )

    reps = (r640 or {}).get("reports") or {}
    ok = sum(m["returncode"] == 0 for m in reps.values())
    t.append(
        _target(
            "reports rendered at scale 640",
            ok if reps else None,
            f"all {len(reps) or ''}".strip(),
            ok == len(reps),
            "{:d} of " + str(len(reps)),
            full,
        )
    )
    rec = reps.get("recidivism_report")
    rec_ok = rec and rec["returncode"] == 0
    t.append(
        _target(
            "recidivism_report time at scale 640",
            rec_ok and rec["seconds"] or None,
            "< 20 s",
            rec_ok and rec["seconds"] < 20,
            "{:.1f} s",
            full,
        )
    )
    t.append(
        _target(
            "recidivism_report peak memory at scale 640",
            rec_ok and rec["peak_mb"] or None,
            "< 3,072 MB",
            rec_ok and rec["peak_mb"] < 3072,
            "{:,.0f} MB",
            full,
        )
    )

    sv = {row["clients"]: row for row in res["survival"]}
    lifelines = any(row["ratio"] for row in sv.values())
    why_ll = "lifelines not installed" if sv and not lifelines else full
    for n, label, limit in ((1_000_000, "1 M", 0.8), (100_000, "100 k", 0.5)):
        ratio = (sv.get(n) or {}).get("ratio")
        t.append(
            _target(
                f"Cox / lifelines CoxPHFitter (batch mode, Efron), {label} clients",
                ratio and ratio["cox"],
                f"<= {limit}x",
                ratio and ratio["cox"] <= limit,
                "{:.2f}x",
                why_ll,
            )
        )
    base = (baseline or {}).get("survival", {})
    for what, other in (("km", "KaplanMeierFitter"), ("logrank", "multivariate_logrank_test")):
        for n in sorted(sv):
            ratio = (sv[n].get("ratio") or {}).get(what)
            ref = (base.get(str(n)) or {}).get(what)
            name = f"{'KM' if what == 'km' else 'log-rank'} / lifelines {other}, {n:,} clients"
            if ref is None:
                t.append(_target(name, None, "", None, why="no baseline for this size"))
                continue
            t.append(
                _target(
                    name,
                    ratio,
                    f"<= {1.1 * ref:.2f}x (today {ref:.2f}x + 10 %)",
                    ratio is not None and ratio <= 1.1 * ref,
                    "{:.2f}x",
                    why_ll,
                )
            )

    nat = res["national"]
    peaks = {k: v["peak_mb"] for k, v in nat["steps"].items() if v}
    value = max(peaks.values()) / 1024 if peaks and len(peaks) == 4 else None
    how = nat.get("how") or ""
    t.append(
        _target(
            "national case, 10 M rows: peak of etl, score, overview, recidivism"
            + (" (measured)" if how.startswith("measured") else " (extrapolated)"),
            value,
            f"< {MACHINE_GB} GB",
            value is not None and value < MACHINE_GB,
            "{:.1f} GB",
            "a step failed" if how else "needs two scales or more (--full)",
        )
    )
    return t


def print_targets(rows: list[dict]) -> None:
    print("\nTARGETS")
    width = max(len(r["target"]) for r in rows)
    for r in rows:
        verdict = {True: "met", False: "NOT met", None: "not measured"}[r["met"]]
        why = f" ({r['why']})" if r["met"] is None and r["why"] else ""
        print(
            f"  {r['target']:<{width}}  {r['value'] or '-':>12}  {r['limit']:<28}  {verdict}{why}"
        )


def print_results(res: dict) -> None:
    if res["pipeline"]:
        print()
        print_scales(res["pipeline"])
    if res["scoring"]:
        rows = [
            [
                r["instrument"],
                r["forms"],
                r["score_s"],
                r["numpy_s"],
                r["ratio"],
                r["process_peak_mb"],
            ]
            for r in res["scoring"]
        ]
        print()
        print(
            table(
                ["instrument", "forms", "score s", "numpy s", "ratio", "peak MB"],
                rows,
                "scoring (median of 3) against a column-wise numpy pass",
            )
        )
    if res["survival"]:
        rows = []
        for r in res["survival"]:
            for k, s in r["ours_s"].items():
                ll = (r["lifelines_s"] or {}).get(k)
                rows.append([r["clients"], k, s, ll, ll and s / ll])
        print()
        print(
            table(
                ["clients", "task", "ours s", "lifelines s", "ratio"],
                rows,
                "survival (median of 3), 5 covariates, Efron ties, 3 groups",
            )
        )
    nat = res["national"]
    if nat.get("how"):
        rows = [[k, v and v["peak_mb"], v and v["seconds"]] for k, v in nat["steps"].items()]
        print()
        print(
            table(
                ["step", "peak MB", "seconds"],
                rows,
                f"national case, {NATIONAL_ROWS:,} assessment rows: {nat['how']}"
                + (
                    f" (scale about {nat['scale']:,}, raw exports about {nat['raw_gb']:.1f} GB)"
                    if "scale" in nat
                    else ""
                ),
            )
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--full", action="store_true", help="scales 40, 160, 640; 1 M clients; 10 M forms"
    )
    ap.add_argument("--data", type=Path, default=HERE / ".data", help="raw data cache")
    ap.add_argument("--work", type=Path, default=None, help="outputs (default: a temp folder)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scales", type=_ints, default=None, help="e.g. 40,160 (overrides)")
    ap.add_argument("--clients", type=_ints, default=None, help="e.g. 1e4,1e5 (overrides)")
    ap.add_argument("--forms", type=_ints, default=None, help="e.g. 1e6 (overrides)")
    ap.add_argument(
        "--reports",
        default=None,
        help="the demo's reports: all (default with --full), sumsel (quick), none, or labels "
        "(e.g. recidivism_report,program_overview)",
    )
    ap.add_argument("--skip", default="", help="comma list of pipeline,scoring,survival")
    ap.add_argument("--save-as", default=None, help="also write results/NAME.json")
    ap.add_argument(
        "--record-baseline",
        action="store_true",
        help="store this run's KM/log-rank ratios in baseline.json",
    )
    ap.add_argument("--extras", action="store_true", help="also run change, plots, start-up")
    args = ap.parse_args(argv)
    _plan(args)
    skip = set(args.skip.split(","))
    here = machine()
    print(
        f"cores {here['cores']}, load average {here['load_average']}, memory available "
        f"{here['mem_available_gb']} of {here['mem_total_gb']} GB, {here['time']}",
        flush=True,
    )
    baseline = None
    if BASELINE.exists():
        import json

        baseline = json.loads(BASELINE.read_text("utf-8"))
    res = {"machine": here, "args": {k: str(v) for k, v in vars(args).items()}}
    with tempfile.TemporaryDirectory(prefix="bench_") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        res["pipeline"] = (
            []
            if "pipeline" in skip
            else [
                run_scale(
                    k,
                    seed=args.seed,
                    data=args.data,
                    work=work,
                    reports=args.reports,
                    say=lambda s: print(s, flush=True),
                )
                for k in args.scales
            ]
        )
        res["scoring"] = [] if "scoring" in skip else scoring(args.forms, work)
        res["survival"] = [] if "survival" in skip else survival(args.clients, work)
        if args.extras:
            for script in EXTRAS:
                print(f"\n=== {script} --quick ===", flush=True)
                m = python(script, "--quick", log=work / "logs" / f"{script}.log")
                print(Path(m.log).read_text("utf-8").rstrip())
    res["national"] = national(res["pipeline"])
    res["machine_after"] = machine()
    res["targets"] = targets(res, baseline)
    print_results(res)
    print_targets(res["targets"])
    write_json(RESULTS / "latest.json", res)
    if args.save_as:
        write_json(RESULTS / f"{args.save_as}.json", res)
    if args.record_baseline:  # sizes measured now replace theirs; other sizes are kept
        old = (baseline or {}).get("survival", {})
        ratios = {str(r["clients"]): r["ratio"] for r in res["survival"] if r["ratio"]}
        write_json(
            BASELINE,
            {
                "what": "our time / lifelines' time on the same data in one run (median of 3); "
                "KM and log-rank must stay within 10 % of these ratios",
                "code": (baseline or {}).get("code", "the code measured"),
                "machine": (baseline or {}).get("machine", {}) | {s: here for s in ratios},
                "survival": old | ratios,
            },
        )
    print(
        f"\nfigures: {RESULTS / 'latest.json'} (load average now "
        f"{res['machine_after']['load_average']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
