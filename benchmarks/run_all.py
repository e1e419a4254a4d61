"""Run every benchmark script in this folder (``make bench``) and print their figures.

Each ``bench_*.py`` is a standalone script with a ``main()``; pass ``--quick`` through for a
short run. A failing benchmark is reported and the others still run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    here = Path(__file__).resolve().parent
    failed = []
    for script in sorted(here.glob("bench_*.py")):
        print(f"\n=== {script.stem} ===", flush=True)
        started = time.perf_counter()
        status = subprocess.call([sys.executable, str(script), *argv])
        print(
            f"--- {script.stem}: {time.perf_counter() - started:.1f} s, exit {status}", flush=True
        )
        if status:
            failed.append(script.stem)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
