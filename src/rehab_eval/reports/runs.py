"""Run bookkeeping: run ids, ``run.json``, the atomic ``latest`` pointer, and report plans.

Layout of one report's runs::

    reports/<report>/<run-id>/   report.html, notebook.ipynb, figures/, summary.json,
                                 deck.pptx, run.json
    reports/<report>/latest  →   <run-id>          (a relative symlink)

``latest`` is only moved after a run succeeded, by creating a new symlink beside it and
renaming it over the old one (``os.replace``, atomic on POSIX), so a reader never sees a missing
or half-written ``latest``. Where symlinks cannot be made (some Windows and network file
systems) ``latest`` is a copy of the run folder, swapped in by two renames. Both files and the
pointer are written through :mod:`rehab_eval.atomic`.
"""

from __future__ import annotations

import hashlib
import secrets
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rehab_eval import atomic
from rehab_eval.errors import ConfigError

__all__ = [
    "PlanEntry",
    "git_commit",
    "load_plan",
    "new_run_id",
    "point_latest",
    "sha256_file",
    "write_json",
]


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, unique run id: UTC time stamp plus 6 random hex digits (``20250301T060000Z-3fa2c1``)."""
    now = now or datetime.now(UTC)
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def sha256_file(path: str | Path) -> str | None:
    """SHA-256 hex digest of a file, or ``None`` when it does not exist."""
    path = Path(path)
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json(path: str | Path, payload: Mapping[str, Any]) -> Path:
    """Write ``payload`` as indented UTF-8 JSON atomically (see :func:`rehab_eval.atomic.write_json`)."""
    return atomic.write_json(path, payload)


def git_commit(where: str | Path) -> str | None:
    """``git rev-parse HEAD`` in ``where``; ``None`` when git or a repository is missing."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=str(where),
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = done.stdout.strip()
    return text if done.returncode == 0 and len(text) >= 7 else None


def point_latest(report_dir: str | Path, run_dir: str | Path) -> Path:
    """Make ``<report_dir>/latest`` point at ``run_dir`` atomically; returns the ``latest`` path.

    See :func:`rehab_eval.atomic.point` (a relative symlink, or a copy where symlinks fail).
    """
    return atomic.point(Path(report_dir) / "latest", run_dir)


@dataclass(frozen=True)
class PlanEntry:
    """One report of a plan."""

    report: str
    params: dict[str, Any] = field(default_factory=dict)
    params_file: Path | None = None
    index: int = 0
    label: str | None = None


def load_plan(plan: str | Path) -> list[PlanEntry]:
    """Read a plan: a YAML list of ``{report: NAME, params: {...}}`` (or ``{reports: [...]}``).

    An entry may also name ``params_file`` (relative to the plan's folder) and ``label`` (the
    folder its runs go to, default the report's name). The whole plan is checked before
    anything runs.

    Raises
    ------
    ConfigError
        When the file is missing, is not YAML, or an entry is malformed (names the entry number).
    """
    import yaml

    path = Path(plan)
    if not path.is_file():
        raise ConfigError(f"plan file {path.name!r} not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    if isinstance(raw, Mapping) and "reports" in raw:
        raw = raw["reports"]
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{path.name}: expected a list of entries like '- report: cohort_report'")
    entries = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping) or not isinstance(item.get("report"), str):
            raise ConfigError(f"{path.name}: entry {i} needs 'report: NAME'")
        extra = set(item) - {"report", "params", "params_file", "label"}
        if extra:
            raise ConfigError(
                f"{path.name}: entry {i} has unknown key(s) {', '.join(sorted(extra))}"
            )
        params = item.get("params") or {}
        if not isinstance(params, Mapping):
            raise ConfigError(f"{path.name}: entry {i}: 'params' must be a mapping")
        pfile = item.get("params_file")
        entries.append(
            PlanEntry(
                report=item["report"],
                params={str(k): v for k, v in params.items()},
                params_file=(path.parent / pfile) if pfile else None,
                index=i,
                label=str(item["label"]) if item.get("label") else None,
            )
        )
    return entries
