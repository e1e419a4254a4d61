"""Scoring against its floor: ``rehab_eval.scoring.score`` and a column-wise numpy pass.

The floor is the instrument's arithmetic written directly with numpy on the item columns
of the same DataFrame (range check, reversal, skip logic, domain/subscale means and sums
with the missing-item rule, the 4–20 and 0–100 transforms, bands as integer codes); it
builds no DataFrame and no text labels. Both are checked to agree before they are timed.
Forms are random answers with 2 % missing and 0.05 % out of range. Median of ``--repeat``
runs. Target (issue 16): score at most 1.3× the floor at 1 M and 10 M forms.

    python benchmarks/bench_scoring.py --forms 1000000 [--instruments whoqol_bref,urica,assist]
        [--repeat 3] [--json OUT.json]

``run_all.py`` runs it in a child process per size, so each size's peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import median, self_peak_mb

from rehab_eval.vocab import SUBSTANCES

WHOQOL_DOMAINS = {
    "physical": ([3, 4, 10, 15, 16, 17, 18], 6),
    "psychological": ([5, 6, 7, 11, 19, 26], 5),
    "social": ([20, 21, 22], 2),
    "environment": ([8, 9, 12, 13, 14, 23, 24, 25], 6),
}
URICA_SCALES = {
    "precontemplation": [1, 5, 11, 13, 23, 26, 29],
    "contemplation": [2, 8, 12, 15, 19, 21, 24],
    "action": [3, 7, 10, 14, 17, 25, 30],
    "maintenance": [6, 16, 18, 22, 27, 28, 32],
}
ASSIST_BLOCKS = list(SUBSTANCES)  # the ten ASSIST substance blocks, in form order
ASSIST_ALLOWED = {
    1: (0, 1, 3),
    2: (0, 2, 3, 4, 6),
    3: (0, 3, 4, 5, 6),
    4: (0, 4, 5, 6, 7),
    5: (0, 5, 6, 7, 8),
    6: (0, 3, 6),
    7: (0, 3, 6),
}


# --- forms ------------------------------------------------------------------------------


def _messy(rng: np.random.Generator, m: np.ndarray, bad: float) -> np.ndarray:
    m[rng.random(size=m.shape) < 0.02] = np.nan  # 2 % missing answers
    m[rng.random(size=m.shape) < 0.0005] = bad  # a few out-of-range answers
    return m


def forms(instrument: str, n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` random forms of ``instrument`` (item columns as the ETL writes them, float64)."""
    rng = np.random.default_rng(seed)
    if instrument == "assist":
        cols = {}
        for block in ASSIST_BLOCKS:
            for i, allowed in ASSIST_ALLOWED.items():
                pick = np.array(allowed, dtype=float)[rng.integers(0, len(allowed), n)]
                cols[f"{block}_q{i}"] = _messy(rng, pick, 2.0 if i == 1 else 1.0)
        frame = pd.DataFrame(cols)
    else:
        k = 26 if instrument == "whoqol_bref" else 32
        m = _messy(rng, rng.integers(1, 6, size=(n, k)).astype(float), 7.0)
        frame = pd.DataFrame(m, columns=[f"q{i}" for i in range(1, k + 1)])
    return frame.assign(client_id=np.arange(n))


# --- the floor: column-wise numpy ---------------------------------------------------------


def _in(v: np.ndarray, allowed) -> np.ndarray:
    ok = v == allowed[0]
    for a in allowed[1:]:
        ok |= v == a
    return ok


def numpy_whoqol(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    n = len(frame)
    x, ok = {}, {}
    n_case = np.zeros(n, dtype=np.int64)
    for i in range(1, 27):
        v = frame[f"q{i}"].to_numpy()
        ok[i] = (v >= 1) & (v <= 5) & (v == np.trunc(v))
        x[i] = 6 - v if i in (3, 4, 26) else v
        n_case += ok[i]
    valid = n_case >= 21
    out = {
        "overall_qol": np.where(valid & ok[1], x[1], np.nan),
        "overall_health": np.where(valid & ok[2], x[2], np.nan),
    }
    for name, (items, minimum) in WHOQOL_DOMAINS.items():
        total = np.zeros(n)
        count = np.zeros(n, dtype=np.int64)
        for i in items:
            np.add(total, x[i], out=total, where=ok[i])
            count += ok[i]
        mean = np.divide(total, count, out=np.full(n, np.nan), where=valid & (count >= minimum))
        out[f"{name}_4_20"] = mean * 4
        out[f"{name}_0_100"] = (mean * 4 - 4) * 6.25
        out[f"{name}_n_answered"] = count
    out["n_answered"] = n_case
    out["valid"] = valid
    return out


def numpy_urica(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    n = len(frame)
    out = {}
    for name, items in URICA_SCALES.items():
        total = np.zeros(n)
        count = np.zeros(n, dtype=np.int64)
        for i in items:
            v = frame[f"q{i}"].to_numpy()
            ok = (v >= 1) & (v <= 5) & (v == np.trunc(v))
            np.add(total, v, out=total, where=ok)
            count += ok
        complete = count == 7
        out[name] = np.divide(total, 7, out=np.full(n, np.nan), where=complete)
        out[f"{name}_sum"] = np.where(complete, total, np.nan)
        out[f"{name}_n_answered"] = count
    r = out["contemplation"] + out["action"] + out["maintenance"] - out["precontemplation"]
    out["readiness"] = r
    with np.errstate(invalid="ignore"):
        out["stage_code"] = np.where(np.isnan(r), -1, (r > 8).astype(int) + (r >= 11))
    return out


def numpy_assist(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    n = len(frame)
    out = {}
    key = np.full(n, -1.0)
    highest = np.full(n, -1)
    unscored = np.zeros(n, dtype=bool)
    for b, block in enumerate(ASSIST_BLOCKS):
        val, ans = {}, {}
        for i, allowed in ASSIST_ALLOWED.items():
            v = frame[f"{block}_q{i}"].to_numpy()
            ans[i] = _in(v, allowed)
            val[i] = v
        never = val[1] == 0
        not_lately = val[2] == 0
        total = np.zeros(n)
        complete = np.ones(n, dtype=bool)
        for i in (2, 3, 4, 5, 6, 7):
            if block == "tobacco" and i == 5:
                continue
            zero = never | not_lately if i in (3, 4, 5) else never
            np.add(total, val[i], out=total, where=ans[i] & ~zero)
            complete &= ans[i] | zero
        ssi = np.where(complete, total, np.nan)
        high = 11.0 if block == "alcohol" else 4.0
        with np.errstate(invalid="ignore"):
            risk = np.where(complete, (ssi >= high).astype(int) + (ssi >= 27), -1)
        out[f"{block}_ssi"] = ssi
        out[f"{block}_risk_code"] = risk
        if block != "tobacco":
            k = np.where(complete, risk * 100.0 + total, -1.0)
            better = k > key
            key = np.where(better, k, key)
            highest = np.where(better, b, highest)
            unscored |= ~complete
    out["highest_code"] = np.where(key > 0, highest, -1)
    out["level_code"] = np.where(unscored, -1, np.floor(key / 100).astype(int))
    return out


FLOORS = {"whoqol_bref": numpy_whoqol, "urica": numpy_urica, "assist": numpy_assist}
CHECK = {
    "whoqol_bref": [f"{d}_{s}" for d in WHOQOL_DOMAINS for s in ("4_20", "0_100", "n_answered")]
    + ["overall_qol", "overall_health", "n_answered"],
    "urica": [f"{s}{x}" for s in URICA_SCALES for x in ("", "_sum", "_n_answered")] + ["readiness"],
    "assist": [f"{b}_ssi" for b in ASSIST_BLOCKS],
}


def _agree(instrument: str, ours: pd.DataFrame, floor: dict[str, np.ndarray]) -> None:
    for col in CHECK[instrument]:
        np.testing.assert_allclose(
            ours[col].to_numpy(dtype=float, na_value=np.nan),
            floor[col].astype(float),
            rtol=0,
            atol=1e-9,
            err_msg=f"{instrument} {col}: the floor and rehab_eval disagree",
        )


def measure(instrument: str, n: int, repeat: int) -> dict:
    from rehab_eval import DataQualityWarning
    from rehab_eval.scoring import score

    frame = forms(instrument, n)
    floor = FLOORS[instrument]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        _agree(instrument, score(frame, instrument), floor(frame))
        t_score = median(lambda: score(frame, instrument), repeat)
    t_floor = median(lambda: floor(frame), repeat)
    return {
        "instrument": instrument,
        "forms": n,
        "score_s": t_score,
        "numpy_s": t_floor,
        "ratio": t_score / t_floor,
        "repeat": repeat,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=int, default=1_000_000)
    ap.add_argument("--instruments", default="whoqol_bref,urica,assist")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    rows = []
    for instrument in args.instruments.split(","):
        row = measure(instrument, args.forms, args.repeat)
        rows.append(row)
        print(
            f"{instrument:12s} {args.forms:>11,} forms  score {row['score_s']:7.3f} s  "
            f"numpy {row['numpy_s']:7.3f} s  ratio {row['ratio']:5.2f}",
            flush=True,
        )
    result = {"rows": rows, "peak_mb": self_peak_mb()}
    if args.json:
        args.json.write_text(json.dumps(result), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
