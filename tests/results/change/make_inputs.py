"""Write the reference inputs of the change tests (run once; the CSVs are committed).

- ``claus_2020_hamd.csv``: HAMD at time 1 (pre) and 4 (post), the 40 complete pairs of the
  ``claus_2020`` data set shipped with R clinicalsignificance (Claus et al., J Stat Softw 111).
- ``paired_continuous.csv``: 14 clients, two measures, continuous (no ties) for R's exact
  Wilcoxon and t test.
- ``sim_long.csv``: 60 clients at pre, m1, m3, m6 (time 0, 1, 2, 3) from
  y = 50 + 2.5·t + b0 + b1·t + e, b0 ~ N(0, 5²), b1 ~ N(0, 1), e ~ N(0, 3²); 10% of the
  post-baseline rows dropped at random.

Usage: python tests/results/change/make_inputs.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent

CLAUS_IDS = [
    1,
    2,
    3,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    18,
    19,
    20,
    21,
    22,
    23,
    24,
    25,
    26,
    28,
    29,
    30,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    38,
    39,
    40,
    41,
    42,
    43,
]
CLAUS_PRE = [
    25,
    15,
    28,
    30,
    21,
    26,
    31,
    21,
    27,
    28,
    23,
    24,
    28,
    26,
    27,
    32,
    27,
    25,
    28,
    25,
    22,
    24,
    24,
    21,
    18,
    27,
    25,
    27,
    22,
    23,
    25,
    25,
    26,
    22,
    24,
    23,
    26,
    28,
    24,
    21,
]
CLAUS_POST = [
    13,
    11,
    4,
    25,
    9,
    17,
    15,
    2,
    8,
    7,
    13,
    30,
    9,
    8,
    14,
    27,
    20,
    28,
    14,
    24,
    10,
    18,
    22,
    8,
    20,
    2,
    13,
    18,
    2,
    16,
    16,
    24,
    8,
    6,
    22,
    20,
    18,
    24,
    9,
    25,
]


def main() -> None:
    pd.DataFrame({"id": CLAUS_IDS, "pre": CLAUS_PRE, "post": CLAUS_POST}).to_csv(
        HERE / "claus_2020_hamd.csv", index=False
    )

    rng = np.random.default_rng(20261123)
    n = 14
    pre_a = rng.normal(50, 10, n)
    pre_b = rng.normal(60, 12, n)
    paired = pd.DataFrame(
        {
            "client_id": [f"k{i:02d}" for i in range(n)],
            "a_pre": pre_a.round(6),
            "a_post": (pre_a + rng.normal(4, 6, n)).round(6),
            "b_pre": pre_b.round(6),
            "b_post": (pre_b + rng.normal(-1, 8, n)).round(6),
        }
    )
    paired.to_csv(HERE / "paired_continuous.csv", index=False)

    rng = np.random.default_rng(7)
    n, codes = 60, ["pre", "m1", "m3", "m6"]
    b0 = rng.normal(0, 5, n)
    b1 = rng.normal(0, 1, n)
    rows = []
    for i in range(n):
        for t, code in enumerate(codes):
            y = 50 + 2.5 * t + b0[i] + b1[i] * t + rng.normal(0, 3)
            rows.append({"client_id": f"s{i:02d}", "timepoint": code, "t": t, "y": round(y, 6)})
    sim = pd.DataFrame(rows)
    drop = (sim["t"] > 0) & (rng.random(len(sim)) < 0.10)
    sim.loc[~drop].to_csv(HERE / "sim_long.csv", index=False)


if __name__ == "__main__":
    main()
