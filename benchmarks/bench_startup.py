"""Start-up cost: ``import rehab_eval`` and ``rehab-eval --help`` (targets: 0.3 s and 0.5 s).

Each is measured in a fresh interpreter, best of several runs, so the figure is what a user
waits for, not a warm in-process import.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def _time(cmd: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    repeat = 3 if parser.parse_args().quick else 10
    bare = _time([sys.executable, "-c", "pass"], repeat)
    cases = {
        "python -c pass (interpreter alone)": bare,
        "import rehab_eval": _time([sys.executable, "-c", "import rehab_eval"], repeat),
        "rehab-eval --help": _time([sys.executable, "-m", "rehab_eval", "--help"], repeat),
    }
    for name, times in cases.items():
        print(f"{name:40s} best {min(times):.3f} s  median {statistics.median(times):.3f} s")


if __name__ == "__main__":
    main()
