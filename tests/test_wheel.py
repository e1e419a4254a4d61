"""The built wheel renders a report on its own: notebooks and specs ship as package data.

The wheel is built from a copy of the sources (nothing is written into the checkout),
installed without dependencies into a fresh virtual environment outside the repository, and
that environment borrows the test environment's third-party packages through a ``.pth`` line
placed *after* its own site-packages, so nothing is downloaded and the installed
``rehab_eval`` (not the checkout) is the one imported. From a working directory with no
``notebooks/`` folder it then makes demo data and renders one report with the CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=300, env=env, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_installed_wheel_renders_a_report(tmp_path):
    pytest.importorskip("wheel", reason="building the wheel offline needs 'wheel' (dev extra)")
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    dist = tmp_path / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["--quiet", "-w", str(dist), str(source)],
        cwd=tmp_path,
    )
    (wheel,) = dist.glob("rehab_eval-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"  # jupyter_client starts the kernel with this one too
    purelib = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=tmp_path,
        ).strip()
    )
    _run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet"]
        + ["--target", str(purelib), str(wheel)],
        cwd=tmp_path,
    )
    # third-party packages from the test environment, searched after the fresh install
    (purelib / "zz_test_environment.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )

    work = tmp_path / "work"  # no ./notebooks here: the packaged notebooks must be used
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # nbconvert's templates are data files of the borrowed packages (a pip install with
    # dependencies puts them under the environment's own share/jupyter)
    shared = Path(sys.prefix) / "share" / "jupyter"
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(shared), env.get("JUPYTER_PATH")]))
    where = _run(
        [
            str(python),
            "-c",
            "import rehab_eval.reports.runner as r; print(r.__file__); print(r.packaged_notebooks())",
        ],
        cwd=work,
        env=env,
    ).split()
    assert all(Path(p).is_relative_to(purelib) for p in where), where
    assert not any(Path(p).is_relative_to(ROOT) for p in where)

    cli = [str(python), "-m", "rehab_eval.cli"]
    _run([*cli, "synth", "--out", "raw"], cwd=work, env=env)
    _run([*cli, "etl", "--raw", "raw", "--out", "processed"], cwd=work, env=env)
    _run([*cli, "score", "--processed", "processed"], cwd=work, env=env)
    said = _run(
        [*cli, "report", "program_overview", "--out", "reports"]
        + ["-p", "processed_dir", "processed", "-p", "province", "Sumatera Selatan"],
        cwd=work,
        env=env,
    )
    assert "report: program_overview →" in said
    latest = work / "reports" / "program_overview" / "latest"
    record = json.loads((latest / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "ok"
    assert (latest / "report.html").stat().st_size > 10_000
    assert (latest / "deck.pptx").is_file()
    assert json.loads((latest / "summary.json").read_text(encoding="utf-8"))
    # run.json records paths relative to the project; processed/ points at its current version
    assert (work / record["parameters"]["processed_dir"]).resolve() == (work / "processed").resolve()
