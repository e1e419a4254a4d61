"""Cox (5 covariates, Efron ties), Kaplan–Meier by group and the log-rank test against lifelines.

Same data, same process, median of ``--repeat`` runs (default 15 at 10 k clients or fewer,
5 up to 100 k, 3 above: a shared machine's noise swamps single runs of a few milliseconds).
Follow-up is in whole days over two
years (event times heavily tied, as in real registers), three levels for the by-group
Kaplan–Meier and the log-rank test. lifelines is a benchmark/test-only dependency: without
it only our figures are printed (and the comparisons are reported as not measured).

What is compared. Both Cox fits use Efron's ties, start from beta = 0 and leave the
concordance lazy (lifelines computes it on first access, ``rehab_eval`` too), so the bare
fits are compared; fit + concordance is timed beside them. lifelines' fit also computes the
baseline hazard and the partial hazards of the rows; ours computes the likelihood-ratio,
Wald and score tests (no robust variance, no ``cox.zph``: neither is asked for). lifelines
runs with ``batch_mode=True``: its default picks this mode itself at 10 k and 100 k clients
but its per-row mode at 1 M (with few distinct times), about 10x slower there (135 s
against 13.5 s, measured once under load 9), so the default would flatter us.

    python benchmarks/bench_survival.py --clients 100000 [--repeat 5] [--json OUT.json]

Targets (issue 16): Cox at most 0.8× lifelines at 1 M clients and 0.5× at 100 k; KM and
log-rank no slower than in ``baseline.json`` (ratio to lifelines, measured in one run).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import machine, median, self_peak_mb

COVARIATES = ["x1", "x2", "x3", "x4", "x5"]


def data(n: int, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5))
    x[:, 0] = rng.integers(0, 2, n)  # completion
    x[:, 1] = rng.integers(18, 60, n)  # age
    beta = np.array([-0.4, -0.02, 0.3, 0.1, -0.2])
    t_event = rng.exponential(1 / (0.0015 * np.exp(x @ beta)))
    t_cens = rng.uniform(30, 730, n)
    t = np.ceil(np.minimum(t_event, t_cens))
    level = np.array(["rendah", "sedang", "tinggi"])[rng.integers(0, 3, n)]
    frame = pd.DataFrame(x, columns=COVARIATES)
    return frame.assign(duration=t, event=(t_event <= t_cens).astype(int), level=level)


def ours(d: pd.DataFrame) -> dict:
    from rehab_eval.recidivism import cox, kaplan_meier, logrank

    return {
        "cox": lambda: cox(d, COVARIATES),
        "cox_concordance": lambda: cox(d, COVARIATES).concordance,
        "km": lambda: kaplan_meier(d, by="level"),
        "logrank": lambda: logrank(d, by="level"),
    }


def theirs(d: pd.DataFrame) -> dict | None:
    try:
        from lifelines import CoxPHFitter, KaplanMeierFitter
        from lifelines.statistics import multivariate_logrank_test
    except ImportError:
        return None
    cols = [*COVARIATES, "duration", "event"]

    def km() -> None:
        for _, sub in d.groupby("level"):
            KaplanMeierFitter().fit(sub["duration"], sub["event"])

    return {
        "cox": lambda: CoxPHFitter().fit(d[cols], "duration", "event", batch_mode=True),
        "cox_concordance": lambda: (
            CoxPHFitter().fit(d[cols], "duration", "event", batch_mode=True).concordance_index_
        ),
        "km": km,
        "logrank": lambda: multivariate_logrank_test(d["duration"], d["level"], d["event"]),
    }


def measure(n: int, repeat: int, only: list[str] | None = None) -> dict:
    warnings.simplefilter("ignore")  # lifelines' convergence chatter; ours are checked below
    d = data(n)
    warm = data(500, seed=1)  # first calls import scipy / lifelines internals: not timed

    def pick(fns: dict) -> dict:
        return {k: f for k, f in fns.items() if only is None or k in only}

    for fn in pick(ours(warm)).values():
        fn()
    load_before = machine()["load_average"]
    mine = {k: median(fn, repeat) for k, fn in pick(ours(d)).items()}
    other = theirs(d)
    result = {
        "clients": n,
        "events": int(d["event"].sum()),
        "distinct_times": int(d["duration"].nunique()),
        "repeat": repeat,
        "ours_s": mine,
        "lifelines_s": None,
        "ratio": None,
        "load_average": load_before,
    }
    if other is None:
        return result
    for fn in pick(theirs(warm)).values():
        fn()
    ll = {k: median(fn, repeat) for k, fn in pick(other).items()}
    result["lifelines_s"] = ll
    result["ratio"] = {k: mine[k] / ll[k] for k in mine}
    result["load_average_after"] = machine()["load_average"]
    if "cox" not in mine:
        return result
    from lifelines import CoxPHFitter

    from rehab_eval.recidivism import cox

    a = cox(d, COVARIATES).summary["coef"].to_numpy()
    b = CoxPHFitter().fit(
        d[[*COVARIATES, "duration", "event"]], "duration", "event", batch_mode=True
    )
    result["max_coef_diff"] = float(np.max(np.abs(a - b.params_.to_numpy())))
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument(
        "--only", default=None, help="comma list of cox,cox_concordance,km,logrank (default all)"
    )
    args = ap.parse_args(argv)
    only = args.only.split(",") if args.only else None
    repeat = args.repeat or (15 if args.clients <= 10_000 else 5 if args.clients <= 100_000 else 3)
    result = measure(args.clients, repeat, only)
    result["peak_mb"] = self_peak_mb()
    print(
        f"{args.clients:,} clients, {result['events']:,} events, "
        f"{result['distinct_times']} distinct times; load average {result['load_average']}"
        + (
            f" before, {result['load_average_after']} after"
            if "load_average_after" in result
            else ""
        )
    )
    if result["lifelines_s"] is None:
        print("lifelines is not installed: our figures only, no comparison")
    for k, s in result["ours_s"].items():
        ll = (result["lifelines_s"] or {}).get(k)
        tail = f"  lifelines {ll:8.3f} s  ratio {s / ll:5.2f}" if ll else ""
        print(f"  {k:16s} ours {s:8.3f} s{tail}")
    if args.json:
        args.json.write_text(json.dumps(result), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
