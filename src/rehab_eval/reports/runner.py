"""Render a report: validate parameters, run the notebook, export HTML, build the deck, record the run.

``run_report`` is what ``rehab-eval report NAME`` calls and ``run_plan`` what
``rehab-eval report --plan FILE`` calls. The order of work:

1. the report's spec is loaded and every parameter validated (:mod:`.params`), the audience and
   ``min_cell`` checked against the disclosure policy, and facility, province, program and
   cohort matched against the processed data (:mod:`.choices`), so unknown names, bad values
   and values the data does not hold stop the run with one line before papermill starts;
2. a run folder ``<out>/<report>/<run-id>/`` is made and the notebook executed into
   ``notebook.ipynb`` with papermill (kernel ``python3``, working directory = the notebooks
   folder, by default the package's own ``rehab_eval/reports/notebooks``, a per-cell timeout), with ``processed_dir`` absolute and ``output_dir`` = the run folder;
3. on success: ``report.html`` (no code; summary, contents and glossary), ``tables.xlsx``
   (when the report published tables), ``deck.pptx``, ``run.json`` (status ``ok``, with the
   disclosure record of ``publish.json``), then ``<out>/<report>/latest`` is pointed at the
   run;
4. on failure: ``run.json`` with status ``failed``, the failing cell and the error, the executed
   notebook kept, ``latest`` untouched, and a :class:`~rehab_eval.errors.ReportError` whose
   one-line message names the failing cell.
"""

from __future__ import annotations

import os
import platform
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rehab_eval._version import __version__
from rehab_eval.atomic import write_text
from rehab_eval.errors import ConfigError, RehabEvalError, ReportError
from rehab_eval.reports import params as _params
from rehab_eval.reports import runs as _runs
from rehab_eval.reports.choices import resolve_from_data
from rehab_eval.reports.locate import find_notebooks_dir, packaged_notebooks

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,99}$")

__all__ = [
    "PlanFailure",
    "PlanResult",
    "RunResult",
    "find_notebooks_dir",
    "packaged_notebooks",
    "run_plan",
    "run_report",
]


@dataclass(frozen=True)
class RunResult:
    """One rendered (or failed) report run.

    Attributes
    ----------
    report, run_id
        The report's name and the run's id.
    run_dir
        ``<out>/<report>/<run-id>``.
    html, deck, notebook
        Paths of ``report.html``, ``deck.pptx`` (``None`` when not produced) and the executed
        ``notebook.ipynb``.
    summary
        The key numbers the notebook published (``summary.json``).
    status
        ``"ok"`` or ``"failed"``.
    timings
        Seconds per stage: ``validate``, ``execute``, ``export``, ``deck``, ``total``.
    error
        The one-line reason when failed.
    label
        The folder under the reports folder (the report's name unless a label was given).
    """

    report: str
    run_id: str
    run_dir: Path
    html: Path | None
    deck: Path | None
    notebook: Path
    summary: dict[str, Any]
    status: str
    timings: dict[str, float]
    error: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class PlanFailure:
    """A plan entry that failed (before or during its run)."""

    index: int
    report: str
    reason: str

    def __str__(self) -> str:
        return f"#{self.index} {self.report} ({self.reason})"


@dataclass(frozen=True)
class PlanResult:
    """Every run of a plan; ``failures`` lists the entries that failed."""

    runs: list[RunResult] = field(default_factory=list)
    failures: list[PlanFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every entry rendered."""
        return not self.failures


def _manifest(parameters: Mapping[str, Any]) -> dict[str, Any]:
    processed = parameters.get("processed_dir")
    if not processed:
        return {"path": None, "sha256": None}
    path = Path(processed) / "manifest.json"
    return {"path": str(path), "sha256": _runs.sha256_file(path)}


def _disclosure(resolved: Mapping[str, Any], lang: str) -> Any:
    """The policy in force for the run's ``audience`` and ``min_cell``; ConfigError up front.

    A ``publik`` run with ``min_cell`` under the policy stops here with the policy's one-line
    message, before anything is written or run.
    """
    from rehab_eval.disclosure import resolve

    min_cell = resolved.get("min_cell")
    return resolve(
        resolved.get("audience"),
        int(min_cell) if isinstance(min_cell, int) else None,
        lang=lang if lang in ("id", "en") else "id",
    )


def _published_disclosure(run_dir: Path) -> dict[str, Any] | None:
    """The disclosure record the notebook published (``publish.json``), if any."""
    import json

    path = run_dir / "publish.json"
    if not path.is_file():
        return None
    try:
        shown = json.loads(path.read_text(encoding="utf-8")).get("disclosure")
    except (OSError, ValueError):
        return None
    if not isinstance(shown, dict) or not isinstance(shown.get("record"), dict):
        return None
    return {**shown["record"], "closing_line": shown.get("closing_line")}


#: Package errors whose message is written for the user (shown without the class name).
_USER_ERRORS = ("InputError", "ConfigError", "ReportError", "InstrumentError")
_FAILED = {
    "id": "{name} gagal di sel {cell}: {reason} (notebook yang dijalankan: {path}; "
    "kode sel dan galat lengkap ada di run.json)",
    "en": "{name} failed in cell {cell}: {reason} (executed notebook: {path}; "
    "the cell's code and the full error are in run.json)",
}


def _failure_message(name: str, outcome: Any, executed: Path, lang: str) -> str:
    """One line in the report's language: the report, the cell's number and the reason.

    The cell's code is not quoted (it is in ``run.json``); an error of the package is shown
    by its message alone, any other error with its class name.
    """
    value = (outcome.evalue or "").strip().splitlines()
    first = value[0] if value else ""
    reason = first if outcome.ename in _USER_ERRORS and first else outcome.reason()
    return _FAILED.get(lang, _FAILED["en"]).format(
        name=name,
        cell="?" if outcome.cell_index is None else outcome.cell_index,
        reason=reason,
        path=executed,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_report(
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    params_file: str | Path | None = None,
    out: str | Path = "reports",
    notebooks_dir: str | Path | None = None,
    timeout: int | None = None,
    kernel_name: str | None = None,
    label: str | None = None,
) -> RunResult:
    """Render report ``name`` into ``<out>/<name>/<run-id>/`` and point ``latest`` at it.

    Parameters
    ----------
    name
        Report name (``cohort_report``, ``recidivism_report``, ``program_overview``).
    params
        Parameter values; strings (from ``-p KEY VALUE``) are coerced by the declared type.
    params_file
        YAML mapping of parameter values (overridden by ``params``).
    out
        The reports folder.
    notebooks_dir
        Where the notebooks are (default: ``./notebooks`` when it holds this report, else the
        notebooks shipped in the package).
    timeout
        Per-cell timeout in seconds (default 600).
    kernel_name
        Jupyter kernel (default ``python3``).
    label
        Folder under ``out`` for this report's runs (default ``name``), so that several
        renderings of one notebook (say, one per facility) each keep their own ``latest``.
        Letters, digits, ``_`` and ``-`` only.

    Returns
    -------
    RunResult
        With ``status == "ok"``.

    Raises
    ------
    ConfigError
        Unknown report, unknown parameter names or bad values (nothing is run or written).
    ReportError
        The notebook (or the export) failed; ``run.json`` records it and ``latest`` is unchanged.
        The exception carries ``report``, ``cell_index``, ``exception_name``,
        ``exception_value`` (from papermill's ``PapermillExecutionError``), ``stage`` and
        ``result`` (the failed :class:`RunResult`).
    """
    from rehab_eval.reports.execute import DEFAULT_KERNEL, DEFAULT_TIMEOUT, execute_notebook

    started_wall = _now()
    t0 = time.perf_counter()
    folder = find_notebooks_dir(name, notebooks_dir)
    spec = _params.load_spec(name, folder, lang=_params.report_lang(params))
    resolved = _params.validate(spec, params or {}, params_file=params_file)
    lang = str(resolved.get("lang") or "id")
    policy = _disclosure(resolved, lang)
    resolved = resolve_from_data(spec, resolved, lang=lang)
    notebook = folder / spec.notebook
    if not notebook.is_file():
        raise ConfigError(
            f"report {name!r}: notebook {spec.notebook!r} not found in {folder.name}/"
        )
    timings: dict[str, float] = {"validate": time.perf_counter() - t0}

    folder_name = label or name
    if not _LABEL.match(folder_name):
        raise ConfigError(
            f"report label {folder_name!r}: use letters, digits, _ or - (it names a folder)"
        )
    report_dir = Path(out).resolve() / folder_name
    run_id = _runs.new_run_id()
    run_dir = report_dir / run_id
    (run_dir / "figures").mkdir(parents=True, exist_ok=False)
    injected = {**resolved, "output_dir": str(run_dir)}
    executed = run_dir / "notebook.ipynb"
    kernel = kernel_name or DEFAULT_KERNEL

    record: dict[str, Any] = {
        "report": name,
        "label": folder_name,
        "run_id": run_id,
        "status": "running",
        "started_at": started_wall,
        "finished_at": None,
        "parameters": resolved,
        "notebook": spec.notebook,
        "input_manifest": _manifest(resolved),
        "package_version": __version__,
        "git_commit": _runs.git_commit(folder),
        "python": platform.python_version(),
        "kernel": kernel,
        "timings": timings,
        "disclosure": {**policy.record(), "source": "parameters"},
        "outputs": [],
        "error": None,
    }

    def finish(status: str, error: dict[str, Any] | None) -> RunResult:
        timings["total"] = time.perf_counter() - t0
        published = _published_disclosure(run_dir)
        if published is not None:
            record["disclosure"] = {**published, "source": "publish.json"}
        record.update(status=status, finished_at=_now(), error=error)
        html = run_dir / "report.html"
        deck = run_dir / "deck.pptx"
        record["outputs"] = sorted(
            str(p.relative_to(run_dir)) for p in run_dir.rglob("*") if p.is_file()
        )
        for published in (executed, html):
            _strip_project_paths(published)
        _runs.write_json(run_dir / "run.json", _project_relative(record))
        summary_path = run_dir / "summary.json"
        summary = {}
        if summary_path.is_file():
            import json

            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        return RunResult(
            report=name,
            run_id=run_id,
            run_dir=run_dir,
            html=html if html.is_file() else None,
            deck=deck if deck.is_file() else None,
            notebook=executed,
            summary=summary,
            status=status,
            timings=dict(timings),
            error=None if error is None else error.get("message"),
            label=folder_name,
        )

    # the record exists from the start: a run killed midway stays marked "running"
    record["pid"] = os.getpid()
    try:
        _runs.write_json(run_dir / "run.json", _project_relative(record))
    except OSError as err:
        _fail_on_os_error(name, "start", err, finish)

    t = time.perf_counter()
    try:
        outcome = execute_notebook(
            notebook,
            executed,
            injected,
            cwd=folder,
            kernel_name=kernel,
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
        )
    except OSError as err:  # disk full, no permission: one line, the run marked failed
        _fail_on_os_error(name, "execute", err, finish)
    timings["execute"] = time.perf_counter() - t
    if not outcome.ok:
        message = _failure_message(name, outcome, executed, lang)
        result = finish(
            "failed",
            {
                "stage": "execute",
                "cell_index": outcome.cell_index,
                "execution_count": outcome.execution_count,
                "cell_source": outcome.cell_source,
                "ename": outcome.ename,
                "evalue": outcome.evalue,
                "message": message,
            },
        )
        raise ReportError(
            message,
            report=name,
            cell_index=outcome.cell_index,
            exception_name=outcome.ename,
            exception_value=outcome.evalue,
            stage="execute",
            result=result,
        )

    stage = ["export"]
    try:
        _outputs(run_dir, executed, spec, lang, record, resolved, timings, stage)
    except OSError as err:  # disk full, no permission: one line, the run marked failed
        _fail_on_os_error(name, stage[0], err, finish)
    except Exception as err:  # keep the run's record whatever broke
        detail = str(err).strip().splitlines()
        message = f"{name} failed while building the {stage[0]}: {type(err).__name__}: " + (
            detail[0] if detail else ""
        )
        result = finish(
            "failed",
            {
                "stage": stage[0],
                "ename": type(err).__name__,
                "evalue": str(err),
                "message": message,
            },
        )
        raise ReportError(
            message,
            report=name,
            exception_name=type(err).__name__,
            exception_value=str(err),
            stage=stage[0],
            result=result,
        ) from err

    result = finish("ok", None)
    _runs.point_latest(report_dir, run_dir)
    return result


def _fail_on_os_error(name: str, stage: str, err: OSError, finish) -> None:
    """Record a file-system failure (best effort: the disk may be full) and raise one line."""
    what = err.strerror or type(err).__name__
    message = (
        f"{name} gagal saat {stage}: galat berkas ({what}); periksa ruang disk dan izin "
        "folder laporan, lalu jalankan ulang"
    )
    result = None
    try:
        result = finish(
            "failed",
            {"stage": stage, "ename": type(err).__name__, "evalue": what, "message": message},
        )
    except OSError:
        pass  # run.json stays "running": the folder is still marked as not finished
    exc = ReportError(message)
    exc.result = result  # type: ignore[attr-defined]
    raise exc from None


def _project_relative(value: Any, project: Path | None = None) -> Any:
    """``value`` with absolute paths inside the project (the working folder) made relative,
    so that ``run.json`` names no user's home folder."""
    root = str(project or Path.cwd())
    if isinstance(value, Mapping):
        return {k: _project_relative(v, project) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_project_relative(v, project) for v in value]
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str) and value.startswith(root + os.sep):
        return value[len(root) + 1 :]
    if isinstance(value, str) and value == root:
        return "."
    return value


def _strip_project_paths(path: Path, project: Path | None = None) -> None:
    """Rewrite the project's absolute path as relative in a published text file."""
    if not path.is_file():
        return
    root = str(project or Path.cwd())
    text = path.read_text(encoding="utf-8")
    if root + os.sep not in text:
        return
    write_text(path, text.replace(root + os.sep, ""))


def _outputs(
    run_dir: Path,
    executed: Path,
    spec: Any,
    lang: str,
    record: Mapping[str, Any],
    resolved: Mapping[str, Any],
    timings: dict[str, float],
    stage: list[str],
) -> None:
    """``report.html``, ``tables.xlsx`` and ``deck.pptx`` from the executed notebook and
    ``publish.json``; ``stage[0]`` names the step under way (for the failure record)."""
    import json

    from rehab_eval.reports.deck import build_deck
    from rehab_eval.reports.export import export_html, export_tables

    path = run_dir / "publish.json"
    published = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    t = time.perf_counter()
    export_html(
        executed,
        run_dir / "report.html",
        lang=lang,
        title=(published or {}).get("title") or spec.title_for(lang),
        record=published,
    )
    stage[0] = "tables"
    export_tables(run_dir, lang=lang)
    timings["export"] = time.perf_counter() - t
    stage[0] = "deck"
    t = time.perf_counter()
    manifest_sha = record["input_manifest"]["sha256"]
    build_deck(
        run_dir,
        title=spec.title_for(lang),
        lang=lang,
        office=resolved.get("facility") or resolved.get("province") or None,
        provenance={
            "run id": record["run_id"],
            "input manifest sha256": manifest_sha[:16] + "…" if manifest_sha else "–",
            "rehab_eval": __version__,
            "git commit": (record["git_commit"] or "–")[:12],
        },
    )
    timings["deck"] = time.perf_counter() - t


def _describe(params: Mapping[str, Any]) -> str:
    shown = [f"{k}={v}" for k, v in params.items() if k != "processed_dir"]
    return " ".join(shown)


def run_plan(
    plan: str | Path,
    *,
    out: str | Path = "reports",
    progress: Callable[[str], None] | None = print,
    notebooks_dir: str | Path | None = None,
    defaults: Mapping[str, Any] | None = None,
    timeout: int | None = None,
) -> PlanResult:
    """Render every report of a plan, continuing past failures.

    Parameters
    ----------
    plan
        YAML list of ``{report: NAME, params: {...}}`` entries (see :func:`.runs.load_plan`).
    out
        The reports folder.
    progress
        Called with one line per entry started and finished (``None``: silent).
    notebooks_dir
        Where the notebooks are (see :func:`run_report`).
    defaults
        Parameter values for every entry, under the entry's own (e.g.
        ``{"processed_dir": "data/processed"}`` from ``rehab-eval demo --processed``).
    timeout
        Per-cell timeout in seconds for every entry (default 600; see :func:`run_report`).

    Returns
    -------
    PlanResult
        ``runs`` (every run that started, ok or failed) and ``failures`` (entries that failed,
        with the reason); the CLI exits non-zero when ``failures`` is not empty.

    Raises
    ------
    ConfigError
        When the plan file itself is missing or malformed (nothing runs).
    """
    say = progress or (lambda _line: None)
    entries = _runs.load_plan(plan)
    runs: list[RunResult] = []
    failures: list[PlanFailure] = []
    total = len(entries)
    for entry in entries:
        label = f"[{entry.index}/{total}] {entry.label or entry.report}"
        extra = _describe(entry.params)
        say(f"{label} {extra}".rstrip() + " …")
        t = time.perf_counter()
        try:
            result = run_report(
                entry.report,
                {**(defaults or {}), **entry.params},
                params_file=entry.params_file,
                out=out,
                notebooks_dir=notebooks_dir,
                label=entry.label,
                timeout=timeout,
            )
        except RehabEvalError as exc:
            failed = getattr(exc, "result", None)
            if failed is not None:
                runs.append(failed)
            failures.append(PlanFailure(entry.index, entry.label or entry.report, str(exc)))
            say(f"{label} GAGAL setelah {time.perf_counter() - t:.1f} detik: {exc}")
            continue
        runs.append(result)
        say(f"{label} selesai dalam {time.perf_counter() - t:.1f} detik → {result.html}")
    if failures:
        say(f"{len(failures)} dari {total} laporan gagal; alasannya di bawah dan di run.json tiap laporan:")
        for failure in failures:
            say(f"  {failure}")
    return PlanResult(runs=runs, failures=failures)
