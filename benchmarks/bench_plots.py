"""Render time of the slide figures (draw + PNG at 200 dpi + SVG), small and large cohorts.

A report saves every figure as PNG and SVG, so figure time is part of the cohort-report
budget (20 s for 35 clients) and of the provincial overview (40 s for 870 clients).
The result frames are built by hand with the columns of the result contract.

    .venv/bin/python benchmarks/bench_plots.py            # 35 and 870 clients
    .venv/bin/python benchmarks/bench_plots.py --quick    # 35 clients, PNG only
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

MEASURES = ["physical_0_100", "psychological_0_100", "social_0_100", "environment_0_100"]
STAGES = ["precontemplation", "contemplation", "preparation_action"]


def frames(n: int, seed: int = 7) -> dict:
    """Result frames of an n-client cohort (values plausible, not computed by the library)."""
    from rehab_eval.change import ReliableChange

    rng = np.random.default_rng(seed)
    ids = [f"B{i:05d}" for i in range(n)]
    pre = pd.DataFrame(
        {"client_id": ids, "timepoint": "pre"}
        | {m: rng.normal(50, 14, n).clip(0, 100) for m in MEASURES}
    )
    post = pre.assign(timepoint="post")
    for m in MEASURES:
        post[m] = (pre[m] + rng.normal(6, 9, n)).clip(0, 100)
    scores = pd.concat([pre, post], ignore_index=True)
    diff = post[MEASURES].to_numpy() - pre[MEASURES].to_numpy()
    paired = pd.DataFrame(
        {
            "measure": MEASURES,
            "n": n,
            "mean_pre": pre[MEASURES].mean().to_numpy(),
            "sd_pre": pre[MEASURES].std().to_numpy(),
            "mean_post": post[MEASURES].mean().to_numpy(),
            "sd_post": post[MEASURES].std().to_numpy(),
            "mean_diff": diff.mean(axis=0),
            "ci_low": diff.mean(axis=0) - 2 * diff.std(axis=0) / np.sqrt(n),
            "ci_high": diff.mean(axis=0) + 2 * diff.std(axis=0) / np.sqrt(n),
            "cohen_dz": diff.mean(axis=0) / diff.std(axis=0),
        }
    )
    paired["dz_ci_low"] = paired["cohen_dz"] - 2 / np.sqrt(n)
    paired["dz_ci_high"] = paired["cohen_dz"] + 2 / np.sqrt(n)
    rc = pd.DataFrame({"pre": pre[MEASURES[0]], "post": post[MEASURES[0]]})
    rci = (rc["post"] - rc["pre"]) / 6.0
    rc["category"] = np.where(
        rci > 1.96, "improved", np.where(rci < -1.96, "deteriorated", "unchanged")
    )
    rc = ReliableChange(
        table=rc,
        measure=MEASURES[0],
        method="jt",
        n=len(rc),
        n_excluded=0,
        reliability=0.8,
        reliability_source="benchmark",
        sd_pre=9.5,
        sd_pre_source="given",
        m_pre=float(rc["pre"].mean()),
        se_measurement=6.0 / 2**0.5,
        s_diff=6.0,
        crit=1.96,
        higher_is_better=True,
        cutoff_type="c",
        cutoff=55.0,
    )
    table = pd.DataFrame(
        rng.multinomial(n, [0.2, 0.2, 0.05, 0.1, 0.2, 0.1, 0.02, 0.05, 0.08]).reshape(3, 3),
        index=STAGES,
        columns=STAGES,
    )
    km_rows = []
    for g, hazard in (("rendah", 0.01), ("sedang", 0.02), ("tinggi", 0.035)):
        at, s = n, 1.0
        for month in range(1, 37):
            d = int(rng.binomial(at, hazard))
            c = int(rng.binomial(at - d, 0.03))
            s *= 1 - d / at if at else 1.0
            km_rows.append(
                {
                    "group": g,
                    "time": float(month),
                    "at_risk": at,
                    "events": d,
                    "censored": c,
                    "survival": s,
                    "ci_low": max(s - 0.05, 0),
                    "ci_high": min(s + 0.04, 1),
                }
            )
            at -= d + c
    km = pd.DataFrame(km_rows)
    rates = pd.DataFrame(
        {
            "group": np.repeat(["rendah", "sedang", "tinggi"], 3),
            "window": [6, 12, 24] * 3,
            "unit": "months",
            "n": n,
            "events": [int(n * r) for r in (0.03, 0.06, 0.1, 0.05, 0.1, 0.18, 0.08, 0.15, 0.25)],
            "km_cum_incidence": [0.03, 0.06, 0.1, 0.05, 0.1, 0.18, 0.08, 0.15, 0.25],
        }
    )
    rates["km_ci_low"] = rates["km_cum_incidence"] * 0.7
    rates["km_ci_high"] = rates["km_cum_incidence"] * 1.3
    flow = pd.DataFrame(
        {
            "step": ["enrolled", "assessed_pre", "assessed_post", "completed"],
            "n": [n, n - 1, int(n * 0.85), int(n * 0.8)],
        }
    )
    urine = pd.DataFrame({"month": range(1, 7), "n_tests": n})
    urine["n_positive"] = (n * np.array([0.25, 0.2, 0.18, 0.12, 0.1, 0.07])).astype(int)
    urine["share"] = urine["n_positive"] / urine["n_tests"]
    urine["ci_low"] = urine["share"] * 0.6
    urine["ci_high"] = urine["share"] * 1.5
    reach = pd.DataFrame(
        {
            "year": [2021, 2022, 2023] * 5,
            "facility": np.repeat([f"Lapas {k}" for k in "ABCDE"], 3),
            "n_clients": rng.integers(30, 330, 15),
        }
    )
    return dict(
        scores=scores,
        paired=paired,
        rc=rc,
        table=table,
        km=km,
        rates=rates,
        flow=flow,
        urine=urine,
        reach=reach,
    )


def figures(f: dict, lang: str) -> dict:
    from rehab_eval import plots

    return {
        "flow": lambda: plots.plot_flow(f["flow"], lang=lang),
        "prepost": lambda: plots.plot_prepost(f["scores"], f["paired"], lang=lang),
        "effect_sizes": lambda: plots.plot_effect_sizes(f["paired"], lang=lang),
        "jacobson": lambda: plots.plot_jacobson(f["rc"], lang=lang),
        "stages": lambda: plots.plot_stage_transitions(f["table"], lang=lang),
        "urine": lambda: plots.plot_urine_positivity(f["urine"], lang=lang),
        "km": lambda: plots.plot_km(f["km"], lang=lang),
        "rates": lambda: plots.plot_rates_at(f["rates"], lang=lang),
        "reach": lambda: plots.plot_reach(f["reach"], lang=lang),
    }


def render(n: int, svg: bool) -> dict[str, float]:
    timings = {}
    for name, draw in figures(frames(n), "id").items():
        started = time.perf_counter()
        result = draw()
        fig = result if isinstance(result, matplotlib.figure.Figure) else result.figure
        fig.savefig(io.BytesIO(), format="png", dpi=200)
        if svg:
            fig.savefig(io.BytesIO(), format="svg")
        plt.close(fig)
        timings[name] = time.perf_counter() - started
    return timings


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import rehab_eval.plots; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return min(runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="35 clients, PNG only")
    args = parser.parse_args(argv)
    sizes = [35] if args.quick else [35, 870]
    print(f"import rehab_eval.plots: {import_time() * 1000:.0f} ms (best of 3)")
    render(35, svg=False)  # warm up fonts and caches
    for n in sizes:
        timings = render(n, svg=not args.quick)
        what = "PNG 200 dpi" + ("" if args.quick else " + SVG")
        print(f"{n} clients, {what}:")
        for name, seconds in timings.items():
            print(f"  {name:<14} {seconds:6.2f} s")
        print(f"  {'all nine':<14} {sum(timings.values()):6.2f} s")


if __name__ == "__main__":
    main()
