"""One scheduled command: ``rehab-eval run --plan monthly.yaml`` (etl → score → reports).

The plan is a small YAML file; relative paths in it are taken from the folder the command
runs in (the project folder, where cron ``cd``-s first), as in report plans::

    etl:
      raw: /srv/exports/bapas        # folder of raw exports (required)
      out: data/processed            # the canonical tables (default data/processed)
      config: etl.yaml               # optional aliases / as_of
      allow_shrink: false            # see rehab-eval etl --allow-shrink
    score:
      prereversed: false             # WHOQOL-BREF Q3/Q4/Q26 reversed on the form
    reports:
      plan: monthly.plan.yaml        # the report plan (rehab-eval report --plan format)
      out: reports                   # the reports folder (default reports)

The three steps run under the lock of the output folder, so no other ETL can replace the
tables between them. Each step prints one status line (``etl: selesai …`` / ``etl: GAGAL …``);
the first failure stops the run. The return value is the exit status cron mails on: 0 all
done, 2 bad input or configuration (nothing replaced), 1 a failed step otherwise (a report,
a full disk).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rehab_eval.errors import ConfigError, RehabEvalError, ReportError

__all__ = ["load_schedule", "run_schedule"]

_KNOWN = {
    "etl": {"raw", "out", "config", "allow_shrink", "as_of"},
    "score": {"prereversed", "skip"},
    "reports": {"plan", "out", "skip"},
}


def load_schedule(plan: str | Path) -> dict[str, dict[str, Any]]:
    """Read and check a schedule plan; relative paths are taken from the working folder.

    Raises
    ------
    ConfigError
        Missing file, not YAML, unknown sections or keys, or no ``etl.raw``.
    """
    import yaml

    path = Path(plan)
    if not path.is_file():
        raise ConfigError(f"berkas rencana {path} tidak ada; lihat contoh monthly.yaml")
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(f"{path.name}: bukan YAML yang sah ({first})") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path.name}: isinya harus bagian etl:, score: dan reports:")
    extra = set(data) - set(_KNOWN)
    if extra:
        raise ConfigError(f"{path.name}: bagian tidak dikenal {', '.join(sorted(extra))}")
    out: dict[str, dict[str, Any]] = {}
    for section, keys in _KNOWN.items():
        part = data.get(section) or {}
        if not isinstance(part, Mapping):
            raise ConfigError(f"{path.name}: bagian {section}: harus berisi pasangan kunci: nilai")
        bad = set(part) - keys
        if bad:
            raise ConfigError(
                f"{path.name}: {section}: kunci tidak dikenal {', '.join(sorted(bad))}"
            )
        out[section] = dict(part)
    base = Path.cwd()

    def at(value: Any) -> Path | None:
        return None if value in (None, "") else (base / Path(str(value)).expanduser())

    etl = out["etl"]
    if not etl.get("raw"):
        raise ConfigError(f"{path.name}: etl: raw: (folder data mentah) wajib diisi")
    etl["raw"] = at(etl["raw"])
    etl["out"] = at(etl.get("out") or "data/processed")
    etl["config"] = at(etl.get("config"))
    rep = out["reports"]
    if not rep.get("skip") and not rep.get("plan"):
        raise ConfigError(f"{path.name}: reports: plan: (rencana laporan) wajib diisi")
    rep["plan"] = at(rep.get("plan"))
    rep["out"] = at(rep.get("out") or "reports")
    return out


def run_schedule(plan: str | Path, *, say: Callable[[str], None] = print) -> int:
    """Run a schedule plan: etl → score → reports under one lock; returns the exit status.

    One line per step goes to ``say``.
    """
    from rehab_eval.etl.versions import output_lock

    try:
        cfg = load_schedule(plan)
    except RehabEvalError as exc:
        say(f"run: GAGAL — {exc}")
        return 2
    processed = cfg["etl"]["out"]
    if not cfg["etl"]["raw"].is_dir():  # before the lock: nothing is created for a typo
        say(f"etl: GAGAL — folder data mentah {cfg['etl']['raw']} tidak ada; periksa etl: raw:")
        return 2
    try:
        with output_lock(processed):
            return _steps(cfg, processed, say)
    except ConfigError as exc:  # the lock: another run is writing the same output
        say(f"run: GAGAL — {exc}")
        return 2


def _steps(cfg: dict[str, dict[str, Any]], processed: Path, say: Callable[[str], None]) -> int:
    from rehab_eval.cli import os_error_line

    step = "etl"
    started = time.perf_counter()
    try:
        from rehab_eval.etl import run_etl

        e = cfg["etl"]
        as_of = e.get("as_of")
        if as_of is not None and not hasattr(as_of, "year"):
            import datetime as dt

            as_of = dt.date.fromisoformat(str(as_of))
        res = run_etl(
            e["raw"],
            processed,
            config=e["config"],
            as_of=as_of,
            allow_shrink=bool(e.get("allow_shrink")),
        )
        n_rej = sum(res.rejects_by_reason.values())
        say(
            f"etl: selesai — {res.table_rows.get('clients', 0):,} klien, "
            f"{sum(res.table_rows.values()):,} baris, {n_rej:,} ditolak "
            f"({time.perf_counter() - started:.0f} s)"
        )
        if not cfg["score"].get("skip"):
            step = "score"
            started = time.perf_counter()
            from rehab_eval.scoring import score_processed

            score_processed(processed, prereversed=bool(cfg["score"].get("prereversed")))
            say(f"score: selesai ({time.perf_counter() - started:.0f} s)")
        if cfg["reports"].get("skip"):
            return 0
        step = "reports"
        started = time.perf_counter()
        from rehab_eval import reports

        result = reports.run_plan(
            cfg["reports"]["plan"],
            out=cfg["reports"]["out"],
            progress=None,
            defaults={"processed_dir": str(processed.absolute())},
        )
        n_ok = len(result.runs) - len(result.failures)
        if result.failures:
            names = ", ".join(str(f) for f in result.failures)
            say(f"reports: GAGAL — {len(result.failures)} laporan gagal: {names}")
            return 1
        say(f"reports: selesai — {n_ok} laporan ({time.perf_counter() - started:.0f} s)")
        return 0
    except ReportError as exc:
        say(f"{step}: GAGAL — {exc}")
        return 1
    except RehabEvalError as exc:
        say(f"{step}: GAGAL — {exc}")
        return 2
    except OSError as exc:
        say(f"{step}: GAGAL — {os_error_line(exc)}")
        return 1
