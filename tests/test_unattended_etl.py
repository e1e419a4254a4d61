"""Unattended ETL runs lose nothing: guarded replacement, versioned atomic output, the lock."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
from pathlib import Path

import pytest

from rehab_eval.cli import main
from rehab_eval.errors import ConfigError, InputError
from rehab_eval.etl import load_processed, run_etl
from rehab_eval.etl import versions as versions_mod

FIXTURES = Path(__file__).parent / "fixtures" / "etl"
AS_OF = dt.date(2025, 6, 30)
KEY = "unattended-tests-0c4f8e1a9b2d7c3e5f6a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("REHAB_EVAL_SECRET", KEY)


@pytest.fixture
def raw(tmp_path):
    dst = tmp_path / "raw"
    shutil.copytree(FIXTURES, dst)
    return dst


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _clients_csv(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [f"337401{10 + i % 18:02d}0190{i:04d};PB.{i:03d}/2024;L;7/11/2024" for i in range(n)]
    path = folder / "klien.csv"
    path.write_text("NIK;No. Register;JK;Tgl PB\n" + "\n".join(rows) + "\n", "utf-8")
    return path


# 1. guarded replacement ----------------------------------------------------------------


def test_unrecognised_csv_does_not_replace_good_tables(raw, tmp_path, capsys):
    out = tmp_path / "processed"
    assert main(["etl", "--raw", str(raw), "--out", str(out), "--as-of", "2025-06-30"]) == 0
    before = _snapshot(out)
    other = tmp_path / "other"
    other.mkdir()
    (other / "rekap.csv").write_text("Kolom A,Kolom B\n1,2\n", "utf-8")
    capsys.readouterr()
    assert main(["etl", "--raw", str(other), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert "kosong" in err[0] and "--allow-shrink" in err[0] and "tidak diubah" in err[0]
    assert _snapshot(out) == before
    # asked for explicitly, the empty result is published
    assert main(["etl", "--raw", str(other), "--out", str(out), "--allow-shrink"]) == 0
    assert len(load_processed(out).clients) == 0


def test_clients_falling_by_more_than_half_is_refused(tmp_path):
    out = tmp_path / "processed"
    _clients_csv(tmp_path / "a", 10)
    _clients_csv(tmp_path / "b", 4)
    _clients_csv(tmp_path / "c", 6)
    run_etl(tmp_path / "a", out, as_of=AS_OF)
    before = _snapshot(out)
    with pytest.raises(InputError, match=r"dari 10 menjadi 4 .*--allow-shrink"):
        run_etl(tmp_path / "b", out, as_of=AS_OF)
    assert _snapshot(out) == before
    run_etl(tmp_path / "c", out, as_of=AS_OF)  # down to 6 of 10: not more than half
    assert len(load_processed(out).clients) == 6
    run_etl(tmp_path / "b", out, as_of=AS_OF, allow_shrink=True)
    assert len(load_processed(out).clients) == 4


def test_nothing_readable_is_exit_2_and_keeps_the_output(raw, tmp_path, capsys):
    out = tmp_path / "processed"
    run_etl(raw, out, as_of=AS_OF)
    before = _snapshot(out)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.xlsx").write_bytes(b"junk")
    assert main(["etl", "--raw", str(bad), "--out", str(out)]) == 2
    assert _snapshot(out) == before


# 2. atomic, versioned output -----------------------------------------------------------


def test_output_is_a_link_to_a_private_version(raw, tmp_path):
    out = tmp_path / "processed"
    run_etl(raw, out, as_of=AS_OF)
    assert out.is_symlink()
    target = out.resolve()
    assert target.parent == tmp_path / ".processed.versions"
    assert not os.path.isabs(os.readlink(out))  # relative: the project folder may move
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    for f in target.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name
    assert load_processed(out).path == target


@pytest.mark.parametrize("step", ["rename", "symlink", "replace"])
def test_crash_at_any_step_of_the_swap_keeps_the_previous_output(raw, tmp_path, monkeypatch, step):
    out = tmp_path / "processed"
    run_etl(raw, out, as_of=AS_OF)
    before = _snapshot(out)
    real = getattr(os, step)

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, step, crash)
    with pytest.raises(OSError):
        run_etl(raw, out, as_of=AS_OF)
    monkeypatch.setattr(os, step, real)
    assert _snapshot(out) == before
    p = load_processed(out)
    assert len(p.clients) > 0 and p.manifest["tables"]["clients"]["rows_written"] == len(p.clients)
    # the next run cleans up and publishes
    run_etl(raw, out, as_of=AS_OF)
    vdir = tmp_path / ".processed.versions"
    assert not [p for p in vdir.iterdir() if p.name.startswith(".")]
    assert not [p for p in tmp_path.iterdir() if ".link-" in p.name or ".tmp-" in p.name]


def test_stale_temporary_folders_are_removed_and_versions_pruned(raw, tmp_path):
    out = tmp_path / "processed"
    (tmp_path / ".processed.tmp-abc").mkdir()  # left by an earlier version of the package
    (tmp_path / ".processed.old-def").mkdir()
    for _ in range(versions_mod.KEEP_VERSIONS + 1):
        run_etl(raw, out, as_of=AS_OF)
    vdir = tmp_path / ".processed.versions"
    kept = sorted(p.name for p in vdir.iterdir())
    assert len(kept) == versions_mod.KEEP_VERSIONS
    assert out.resolve().name == kept[-1]
    assert not (tmp_path / ".processed.tmp-abc").exists()
    assert not (tmp_path / ".processed.old-def").exists()


def test_a_plain_folder_of_an_earlier_version_becomes_a_version(raw, tmp_path):
    out = tmp_path / "processed"
    run_etl(raw, out, as_of=AS_OF)
    legacy = tmp_path / "legacy"
    shutil.copytree(out.resolve(), legacy)
    shutil.rmtree(tmp_path / ".processed.versions")
    out.unlink()
    legacy.rename(out)  # the flat layout written before versions existed
    run_etl(raw, out, as_of=AS_OF)
    names = sorted(p.name for p in (tmp_path / ".processed.versions").iterdir())
    assert len(names) == 2 and names[0].startswith("0-earlier-")
    # a folder that holds other files is never swallowed
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="bukan keluaran ETL"):
        run_etl(raw, other, as_of=AS_OF)
    assert (other / "notes.txt").read_text() == "keep me"
    # an empty placeholder folder (data/processed/.gitkeep) is simply replaced
    placeholder = tmp_path / "data" / "processed"
    placeholder.mkdir(parents=True)
    (placeholder / ".gitkeep").touch()
    run_etl(raw, placeholder, as_of=AS_OF)
    assert placeholder.is_symlink()


def test_a_second_run_waits_then_stops_with_a_clear_message(raw, tmp_path, monkeypatch, capsys):
    import fcntl

    out = tmp_path / "processed"
    run_etl(raw, out, as_of=AS_OF)
    before = _snapshot(out)
    monkeypatch.setattr(versions_mod, "LOCK_WAIT", 0.3)
    with open(versions_mod.lock_path(out), "a+") as other:  # another process's lock
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)
        assert main(["etl", "--raw", str(raw), "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "sedang ditulis" in err[0] and "ulangi" in err[0]
        assert main(["score", "--processed", str(out)]) == 2
    assert _snapshot(out) == before


def test_scores_go_into_the_published_version(raw, tmp_path):
    out = tmp_path / "processed"
    run_etl(raw, out, as_of=AS_OF)
    assert main(["score", "--processed", str(out)]) == 0
    first = out.resolve()
    assert (first / "scores.parquet").is_file()
    assert "scores" in load_processed(out).manifest
    assert load_processed(out).scores is not None
    run_etl(raw, out, as_of=AS_OF)  # a new version holds no scores until scored again
    assert out.resolve() != first and load_processed(out).scores is None
