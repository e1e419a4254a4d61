"""Speed of rehab_eval.change at the program's two sizes: 16 clients (one office) and 800
(a province), WHOQOL-BREF-like scores at pre, m1, m3, m6 and post.

Targets: paired() on 5 measures < 0.5 s at 800 clients, also by 20 facilities < 2 s;
reliable_change() < 0.2 s; trajectory() < 5 s (random intercept) and < 15 s (random slope);
HLM reliable change < 15 s; stage_transitions() < 0.2 s. Best of a few runs.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from _harness import best

MEASURES = ["physical_0_100", "psychological_0_100", "social_0_100", "environment_0_100", "qol"]
CODES = ["pre", "m1", "m3", "m6", "post"]


def simulate(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.array([f"c{i:05d}" for i in range(n)])
    facility = rng.integers(0, 20, n)
    base = rng.normal(50, 12, (n, len(MEASURES)))
    slope = rng.normal(2.0, 1.0, (n, len(MEASURES)))
    frames = []
    for t, code in enumerate(CODES):
        values = base + slope * t + rng.normal(0, 6, base.shape)
        frame = pd.DataFrame(values, columns=MEASURES)
        frame.insert(0, "client_id", ids)
        frame.insert(1, "timepoint", code)
        frame.insert(2, "facility", [f"f{k:02d}" for k in facility])
        readiness = values[:, 0] / 6
        frame["stage"] = np.select(
            [readiness <= 8, readiness < 11],
            ["precontemplation", "contemplation"],
            "preparation_action",
        )
        frames.append(frame.loc[rng.random(n) > 0.05])  # 5% missing visits
    return pd.concat(frames, ignore_index=True)


def run_size(n: int, repeat: int) -> None:
    from rehab_eval.change import paired, reliable_change, stage_transitions, trajectory

    data = simulate(n)
    two = data[data["timepoint"].isin(["pre", "post"])]
    cases = {
        "paired, 5 measures": lambda: paired(two, MEASURES),
        "paired, 5 measures by facility": lambda: paired(two, MEASURES, by="facility"),
        "reliable_change jt + cut-off c": lambda: reliable_change(
            two, MEASURES[0], reliability=0.8, functional_mean=70, functional_sd=12
        ),
        "trajectory, random intercept": lambda: trajectory(data, MEASURES[0]),
        "trajectory, random slope": lambda: trajectory(
            data, MEASURES[0], random="slope", shape="linear"
        ),
        "reliable_change hlm": lambda: reliable_change(
            data, MEASURES[0], reliability=0.8, method="hlm", cutoff=None
        ),
        "stage_transitions": lambda: stage_transitions(two),
    }
    print(f"{n} clients, {len(data)} rows")
    for name, fn in cases.items():
        print(f"  {name:36s} best {best(fn, repeat):7.3f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    warnings.simplefilter("ignore")
    for n in [16, 200] if quick else [16, 800]:
        run_size(n, 1 if quick else 3)


if __name__ == "__main__":
    main()
