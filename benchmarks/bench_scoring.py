"""Scoring speed: 1M WHOQOL-BREF and 1M URICA forms through ``rehab_eval.score``.

Targets (issue 4): 1M WHOQOL-BREF forms in at most 0.5 s on 2 cores, within 2x of a plain
numpy pass over the same item matrix, and at least 100x faster than a straightforward
row-by-row ``DataFrame.apply`` scorer. The apply scorer is run on a subsample and its time
extrapolated linearly to the full size (the output says so). Each timing is the best of
several runs. ``--quick`` uses 100 000 forms.
"""

from __future__ import annotations

import argparse
import os
import warnings

import numpy as np
import pandas as pd
from _timing import best

from rehab_eval import DataQualityWarning
from rehab_eval.instruments import get_instrument
from rehab_eval.scoring import score

DOMAINS = {
    "physical": [3, 4, 10, 15, 16, 17, 18],
    "psychological": [5, 6, 7, 11, 19, 26],
    "social": [20, 21, 22],
    "environment": [8, 9, 12, 13, 14, 23, 24, 25],
}
MINIMUM = {"physical": 6, "psychological": 5, "social": 2, "environment": 6}


def _forms(n: int, n_items: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    m = rng.integers(1, 6, size=(n, n_items)).astype(float)
    m[rng.random(size=m.shape) < 0.02] = np.nan  # 2 % missing answers
    m[rng.random(size=m.shape) < 0.0005] = 7.0  # a few out-of-range answers
    frame = pd.DataFrame(m, columns=[f"q{i}" for i in range(1, n_items + 1)])
    return frame.assign(client_id=np.arange(n))


def numpy_whoqol(m: np.ndarray) -> dict[str, np.ndarray]:
    """A plain numpy pass over the (n x 26) item matrix: range check, reversal, MEAN.k*4,
    the 0-100 transform and the case rule."""
    m = np.where((m >= 1) & (m <= 5) & (m == np.trunc(m)), m, np.nan)
    m[:, [2, 3, 25]] = 6 - m[:, [2, 3, 25]]
    answered = ~np.isnan(m)
    valid = answered.sum(axis=1) >= 21
    out = {}
    for name, items in DOMAINS.items():
        cols = [i - 1 for i in items]
        count = answered[:, cols].sum(axis=1)
        total = np.nansum(m[:, cols], axis=1)
        ok = valid & (count >= MINIMUM[name])
        mean = np.where(ok, total / np.maximum(count, 1), np.nan)
        out[f"{name}_4_20"] = mean * 4
        out[f"{name}_0_100"] = (mean * 4 - 4) * 6.25
    return out


def apply_whoqol(row: pd.Series) -> pd.Series:
    """A straightforward row-by-row scorer, as in many scripts."""
    answers = {}
    for i in range(1, 27):
        v = row[f"q{i}"]
        answers[i] = v if v in (1, 2, 3, 4, 5) else None
    for i in (3, 4, 26):
        if answers[i] is not None:
            answers[i] = 6 - answers[i]
    valid = sum(a is not None for a in answers.values()) >= 21
    result = {}
    for name, items in DOMAINS.items():
        vals = [answers[i] for i in items if answers[i] is not None]
        if valid and len(vals) >= MINIMUM[name]:
            mean = sum(vals) / len(vals)
            result[f"{name}_4_20"] = mean * 4
            result[f"{name}_0_100"] = (mean * 4 - 4) * 6.25
        else:
            result[f"{name}_4_20"] = result[f"{name}_0_100"] = np.nan
    return pd.Series(result)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    n = 100_000 if quick else 1_000_000
    sub = 2_000 if quick else 10_000
    repeat = 3 if quick else 5
    warnings.simplefilter("ignore", DataQualityWarning)

    whoqol = _forms(n, 26, seed=1)
    matrix = whoqol[[f"q{i}" for i in range(1, 27)]].to_numpy()
    ours = score(whoqol, "whoqol_bref")
    ref = numpy_whoqol(matrix)
    for col, values in ref.items():  # the three scorers agree
        np.testing.assert_allclose(ours[col].to_numpy(), values, rtol=0, atol=1e-9)
    small = whoqol.iloc[:sub]
    applied = small.apply(apply_whoqol, axis=1)
    np.testing.assert_allclose(
        applied["physical_0_100"].to_numpy(), ours["physical_0_100"].to_numpy()[:sub], atol=1e-9
    )

    t_score = best(lambda: score(whoqol, "whoqol_bref"), repeat)
    t_numpy = best(lambda: numpy_whoqol(matrix), repeat)
    t_apply_sub = best(lambda: small.apply(apply_whoqol, axis=1), 1)
    t_apply = t_apply_sub * n / sub

    urica = _forms(n, 32, seed=2)
    t_urica = best(lambda: score(urica, "urica"), repeat)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"forms: {n:,} (best of {repeat} runs); cores {os.cpu_count()}, load average {load}")
    print(f"WHOQOL-BREF rehab_eval.score           {t_score:8.3f} s   target <= 0.5 s")
    print(f"WHOQOL-BREF plain numpy pass           {t_numpy:8.3f} s")
    print(f"  score / numpy                        {t_score / t_numpy:8.2f} x   target <= 2 x")
    print(
        f"WHOQOL-BREF DataFrame.apply, row by row {t_apply:7.1f} s   "
        f"(extrapolated from {sub:,} rows: {t_apply_sub:.2f} s)"
    )
    print(f"  apply / score                        {t_apply / t_score:8.0f} x   target >= 100 x")
    print(f"URICA rehab_eval.score                 {t_urica:8.3f} s")
    items = len(get_instrument("whoqol_bref").item_columns)
    print(f"WHOQOL-BREF throughput                 {n * items / t_score / 1e6:8.1f} M answers/s")


if __name__ == "__main__":
    main()
