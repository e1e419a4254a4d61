"""What the benchmark scripts share: one child-process runner (wall time and peak memory),
in-process timing, one table printer and the target lines.

Imported as a sibling module when a script in this folder runs.

Peak memory of a child is the larger of two figures: the kernel's ``ru_maxrss`` of the child
(from ``os.wait4``: the largest single process of its tree, exact) and the sum of the
resident memory of the child and all its descendants sampled every 50 ms from ``/proc`` (a
report runs its notebook in a kernel process beside the command, and both hold memory at
once).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measure:
    """One child process: wall seconds, peak memory (MB), exit status and its log."""

    seconds: float
    peak_mb: float
    maxrss_mb: float
    tree_mb: float
    returncode: int
    log: str
    result: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def as_dict(self) -> dict:
        return asdict(self)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(p) for p in fh.read().split())
        except OSError:
            pass
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every descendant, now."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss(p)
        stack.extend(_children(p))
    return total


def run(
    cmd: Sequence[str],
    *,
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    result: Path | None = None,
) -> Measure:
    """Run ``cmd`` as a child process; its output goes to ``log``. ``result``: a JSON file the
    child writes (read back into ``Measure.result``)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    if result is not None and result.exists():
        result.unlink()
    full_env = {**os.environ, **(env or {})}
    peak_tree = 0
    done = threading.Event()
    with open(log, "w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(map(str, cmd)), stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=cwd
        )

        def sample() -> None:
            nonlocal peak_tree
            while not done.wait(0.05):
                peak_tree = max(peak_tree, tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    maxrss = usage.ru_maxrss / 1024  # KB on Linux
    tree = peak_tree / 2**20
    data = {}
    if result is not None and result.exists():
        data = json.loads(result.read_text("utf-8"))
    return Measure(
        seconds=seconds,
        peak_mb=max(maxrss, tree),
        maxrss_mb=maxrss,
        tree_mb=tree,
        returncode=proc.returncode,
        log=str(log),
        result=data,
    )


def python(script: str, *args: object, log: Path, result: Path | None = None, **kw) -> Measure:
    """Run ``benchmarks/<script>`` with this interpreter (see :func:`run`)."""
    return run([sys.executable, str(HERE / script), *map(str, args)], log=log, result=result, **kw)


def tail(path: str | Path, lines: int = 8) -> str:
    try:
        text = Path(path).read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


def self_peak_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def best(fn: Callable[[], object], repeat: int) -> float:
    """Best wall-clock time of ``repeat`` calls of ``fn``, in seconds."""
    return min(timed(fn, repeat))


def median(fn: Callable[[], object], repeat: int) -> float:
    """Median wall-clock time of ``repeat`` calls of ``fn``, in seconds."""
    return statistics.median(timed(fn, repeat))


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str) + "\n", "utf-8")
    tmp.replace(path)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = "") -> str:
    """A plain text table; numbers right-aligned, text left-aligned."""

    def cell(v: object) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:#.3g}" if abs(v) < 10 else f"{v:.1f}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    text = [[cell(v) for v in r] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in text)]) for i, h in enumerate(headers)]
    numeric = [
        all(isinstance(r[i], (int, float)) or r[i] is None for r in rows)
        for i in range(len(headers))
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    out = [title] if title else []
    out += [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in text]
    return "\n".join(out)


def machine() -> dict:
    """Cores, memory and load, to note beside the figures."""
    mem = {}
    try:
        for row in Path("/proc/meminfo").read_text().splitlines():
            key, value = row.split(":", 1)
            if key in ("MemTotal", "MemAvailable"):
                mem[key] = round(int(value.split()[0]) / 2**20, 1)
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "mem_total_gb": mem.get("MemTotal"),
        "mem_available_gb": mem.get("MemAvailable"),
        "python": sys.version.split()[0],
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
