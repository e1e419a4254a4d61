"""Execute a report notebook with papermill: explicit kernel, working directory and timeout.

papermill writes the output notebook even when a cell fails (with a red banner at the top and an
anchor above the failing cell) and then raises ``PapermillExecutionError``; here that becomes an
:class:`Execution` record naming the failing cell, so the runner can write ``run.json`` and
raise one clear :class:`~rehab_eval.errors.ReportError` line.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_KERNEL", "DEFAULT_TIMEOUT", "Execution", "execute_notebook"]

#: The kernel every report runs on: ipykernel's ``python3`` of the running environment.
DEFAULT_KERNEL = "python3"
#: Per-cell timeout in seconds (papermill's own default is none).
DEFAULT_TIMEOUT = 600


@dataclass(frozen=True)
class Execution:
    """What happened when a notebook ran."""

    ok: bool
    seconds: float
    cell_index: int | None = None
    execution_count: int | None = None
    cell_source: str | None = None
    ename: str | None = None
    evalue: str | None = None

    def cell_label(self) -> str:
        """``cell 7 (In [5]: first line of code)`` for messages."""
        if self.cell_index is None:
            return "the notebook"
        label = f"cell {self.cell_index}"
        first = (self.cell_source or "").strip().splitlines()
        head = first[0][:60] if first else ""
        if self.execution_count is not None:
            return f"{label} (In [{self.execution_count}]: {head})" if head else label
        return f"{label} ({head})" if head else label

    def reason(self) -> str:
        """``NameError: name 'x' is not defined`` (first line only)."""
        value = (self.evalue or "").strip().splitlines()
        return f"{self.ename}: {value[0]}" if value else str(self.ename)


@contextmanager
def _kernel_environment() -> Iterator[None]:
    # MPLBACKEND=Agg (common in CI) stops the inline backend from capturing figures; the kernel
    # should pick its own backend. Restored afterwards.
    saved = os.environ.pop("MPLBACKEND", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["MPLBACKEND"] = saved


def _running_cell(output_path: Path) -> tuple[int | None, int | None, str | None]:
    """The cell that was running when execution stopped, read from the written notebook.

    papermill marks a cell ``running`` while it executes; after a timeout it marks every cell
    ``completed``, so then the stopped cell is the last code cell that has a start time.
    """
    try:
        import nbformat

        nb = nbformat.read(str(output_path), as_version=4)
    except Exception:  # best effort on a half-written file
        return None, None, None
    started = None
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if cell.cell_type != "code":
            continue
        if meta.get("status") == "running":
            return index, cell.get("execution_count"), cell.source
        if meta.get("start_time"):
            started = (index, cell.get("execution_count"), cell.source)
    return started or (None, None, None)


def execute_notebook(
    notebook: str | Path,
    output: str | Path,
    parameters: Mapping[str, Any],
    *,
    cwd: str | Path,
    kernel_name: str = DEFAULT_KERNEL,
    timeout: int | None = DEFAULT_TIMEOUT,
    start_timeout: int = 60,
) -> Execution:
    """Run ``notebook`` with ``parameters`` into ``output``; never raises for a failing cell.

    Parameters
    ----------
    notebook, output
        Input notebook and where the executed copy goes (written even on failure).
    parameters
        Injected after the cell tagged ``parameters``.
    cwd
        Working directory of the kernel (relative paths in the notebook resolve against it).
    kernel_name
        Jupyter kernel to use, always explicit (the notebook's metadata is not trusted).
    timeout
        Per-cell execution timeout in seconds (``None``: none).
    start_timeout
        Seconds to wait for the kernel to start.

    Returns
    -------
    Execution
        ``ok`` and, on failure, the failing cell's index in the executed notebook, its
        execution count and source, and the error name and value.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    output = Path(output)
    try:
        with _kernel_environment():
            pm.execute_notebook(
                str(notebook),
                str(output),
                parameters=dict(parameters),
                kernel_name=kernel_name,
                language="python",
                cwd=str(cwd),
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=True,
                start_timeout=start_timeout,
                execution_timeout=timeout,
                # quiet kernel: its start-up warnings would clutter cron logs
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
    except PapermillExecutionError as exc:
        return Execution(
            ok=False,
            seconds=time.perf_counter() - started,
            cell_index=exc.cell_index,
            execution_count=exc.exec_count,
            cell_source=exc.source,
            ename=exc.ename,
            evalue=exc.evalue,
        )
    except Exception as exc:  # timeouts, dead kernels, missing kernels
        index, count, source = _running_cell(output)
        name = type(exc).__name__
        text = str(exc).strip().splitlines()
        if name == "CellTimeoutError" or "timed out" in " ".join(text).lower():
            text = [
                f"sebuah sel berjalan lebih dari batas {timeout} detik; "
                "naikkan batasnya (rehab-eval report --timeout DETIK) atau persempit datanya"
            ]
        return Execution(
            ok=False,
            seconds=time.perf_counter() - started,
            cell_index=index,
            execution_count=count,
            cell_source=source,
            ename=name,
            evalue=text[0] if text else "",
        )
    return Execution(ok=True, seconds=time.perf_counter() - started)
