"""Cox (5 covariates, Efron ties) and Kaplan–Meier by group on 100 000 clients, against lifelines.

Target: faster than lifelines on the same data in the same run. Our ``cox`` always computes
Harrell's concordance; lifelines computes it lazily on first access, so both the bare fit
and fit + concordance are timed for lifelines. Follow-up is in whole days
over two years (so event times are heavily tied, as in real registers), 3 levels for the
by-group Kaplan–Meier. lifelines is a benchmark/test-only dependency; without it only our
figures are printed. Best of ``repeat`` runs; ``--quick`` uses 20 000 clients and one run.
"""

from __future__ import annotations

import argparse
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
from _timing import best

from rehab_eval.recidivism import cox, followup, kaplan_meier, logrank

COVARIATES = ["x1", "x2", "x3", "x4", "x5"]


def _data(n: int, seed: int = 2026) -> pd.DataFrame:
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


def _tables(n: int, seed: int = 7) -> SimpleNamespace:
    """Canonical tables for ``n`` clients: ~1 event and ~5 urine tests per client."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"P{i:07d}" for i in range(n)])
    day0 = np.datetime64("2021-01-01")
    release = day0 + rng.integers(0, 700, n).astype("timedelta64[D]")
    clients = pd.DataFrame(
        {
            "client_id": ids,
            "sex": rng.choice(["male", "female"], n),
            "birth_date": day0 - rng.integers(18 * 365, 60 * 365, n).astype("timedelta64[D]"),
            "facility": rng.choice(["Bapas A", "Lapas B", "Rutan C"], n),
            "release_date": release,
        }
    )
    start = release - rng.integers(30, 200, n).astype("timedelta64[D]")
    enrollments = pd.DataFrame(
        {
            "client_id": ids,
            "program": "pascarehabilitasi",
            "level": rng.choice(["rendah", "sedang", "tinggi"], n),
            "start_date": start,
            "end_date": start + np.timedelta64(180, "D"),
            "status": rng.choice(["completed", "dropped_out", "active"], n),
        }
    )
    k = n
    events = pd.DataFrame(
        {
            "client_id": ids[rng.integers(0, n, k)],
            "date": day0 + rng.integers(0, 1100, k).astype("timedelta64[D]"),
            "kind": rng.choice(["rearrest", "reconviction", "death", "relapse"], k),
        }
    )
    u = 5 * n
    urine = pd.DataFrame(
        {
            "client_id": ids[rng.integers(0, n, u)],
            "date": day0 + rng.integers(0, 1100, u).astype("timedelta64[D]"),
            "result": rng.choice(["negative", "positive"], u, p=[0.9, 0.1]),
        }
    )
    return SimpleNamespace(
        clients=clients, enrollments=enrollments, events=events, urine_tests=urine
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    n, repeat = (20_000, 1) if quick else (100_000, 5)
    d = _data(n)
    print(f"{n} clients, {int(d['event'].sum())} events, {d['duration'].nunique()} distinct times")

    warm = _data(500, seed=1)  # first calls import scipy / lifelines internals: not timed
    cox(warm, COVARIATES)
    kaplan_meier(warm, by="level")
    logrank(warm, by="level")
    ours = {
        "cox 5 covariates (efron)": lambda: cox(d, COVARIATES),
        "cox + concordance": lambda: cox(d, COVARIATES).concordance,
        "kaplan_meier by level": lambda: kaplan_meier(d, by="level"),
        "logrank by level": lambda: logrank(d, by="level"),
    }
    res = {name: best(fn, repeat) for name, fn in ours.items()}

    theirs: dict[str, float] = {}
    try:
        from lifelines import CoxPHFitter, KaplanMeierFitter
        from lifelines.statistics import multivariate_logrank_test
    except ImportError:
        print("lifelines not installed: our figures only")
    else:
        cols = [*COVARIATES, "duration", "event"]

        def ll_cox():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                CoxPHFitter().fit(d[cols], "duration", "event")

        def ll_cox_c():  # lifelines computes the concordance lazily, on first access
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _ = CoxPHFitter().fit(d[cols], "duration", "event").concordance_index_

        def ll_km():
            for _, sub in d.groupby("level"):
                KaplanMeierFitter().fit(sub["duration"], sub["event"])

        def ll_logrank():
            multivariate_logrank_test(d["duration"], d["level"], d["event"])

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            CoxPHFitter().fit(warm[cols], "duration", "event")
            KaplanMeierFitter().fit(warm["duration"], warm["event"])
            multivariate_logrank_test(warm["duration"], warm["level"], warm["event"])
        theirs = {
            "cox 5 covariates (efron)": best(ll_cox, repeat),
            "cox + concordance": best(ll_cox_c, repeat),
            "kaplan_meier by level": best(ll_km, repeat),
            "logrank by level": best(ll_logrank, repeat),
        }
        a = cox(d, COVARIATES).summary["coef"].to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            b = CoxPHFitter().fit(d[cols], "duration", "event").params_.to_numpy()
        print(f"max |coef difference| vs lifelines: {np.max(np.abs(a - b)):.2e}")

    tables = _tables(n)
    fu = {
        outcome: best(lambda o=outcome: followup(tables, outcome=o, end_date="2024-01-01"), repeat)
        for outcome in ("any", "relapse")
    }
    for outcome, sec in fu.items():
        print(f"followup(outcome={outcome!r}) on {n} clients: {sec:.3f}s")
    print(f"{'task':32s} {'rehab_eval':>11s} {'lifelines':>11s} {'speed-up':>9s}")
    for name, ours_s in res.items():
        ll_s = theirs.get(name, np.nan)
        print(f"{name:32s} {ours_s:10.3f}s {ll_s:10.3f}s {ll_s / ours_s:8.1f}x")


if __name__ == "__main__":
    main()
