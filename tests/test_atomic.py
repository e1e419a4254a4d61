"""rehab_eval.atomic: whole files or nothing, no temporary files left, pointer swaps."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rehab_eval import atomic


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_text_bytes_and_json_round_trip(tmp_path):
    atomic.write_text(tmp_path / "a" / "t.txt", "Lapas Kelas IIA — ok\n")
    assert (tmp_path / "a" / "t.txt").read_text(encoding="utf-8") == "Lapas Kelas IIA — ok\n"
    atomic.write_bytes(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    path = atomic.write_json(
        tmp_path / "j.json", {"n": np.int64(3), "d": date(2025, 1, 2), "s": {1}, "p": Path("x")}
    )
    assert json.loads(path.read_text()) == {"n": 3, "d": "2025-01-02", "s": [1], "p": "x"}
    assert path.read_text().endswith("}\n")
    assert _names(tmp_path) == ["a", "b.bin", "j.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = atomic.write_text(tmp_path / "m.json", "old")
    with pytest.raises(TypeError):
        atomic.write_json(target, {"bad": object()})
    assert target.read_text() == "old"
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer crashed")
    assert target.read_text() == "old"
    assert _names(tmp_path) == ["m.json"]


def test_the_replace_is_the_last_step(tmp_path, monkeypatch):
    # os.replace is what makes the new content visible: when it fails nothing changes
    target = atomic.write_text(tmp_path / "x.txt", "old")
    calls = []

    def failing_replace(src, dst):
        calls.append((Path(src).parent, Path(dst)))
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        atomic.write_text(target, "new")
    assert calls == [(tmp_path, target)]  # the temporary lives in the same folder
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert _names(tmp_path) == ["x.txt"]


def test_write_parquet_round_trip(tmp_path):
    frame = pd.DataFrame({"client_id": ["a", "b"], "score": [1.5, np.nan]})
    path = atomic.write_parquet(tmp_path / "s.parquet", frame)
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame)
    assert _names(tmp_path) == ["s.parquet"]


def test_update_json_in_place_or_by_return(tmp_path):
    path = atomic.write_json(tmp_path / "manifest.json", {"tables": {"clients": 3}})
    atomic.update_json(path, lambda data: data.update(scores={"rows": 2}))
    assert json.loads(path.read_text()) == {"tables": {"clients": 3}, "scores": {"rows": 2}}
    atomic.update_json(path, lambda data: {"only": True})
    assert json.loads(path.read_text()) == {"only": True}


def test_publish_dir_then_point_swaps_versions(tmp_path):
    root = tmp_path / "processed"
    versions = root / "versions"
    for n in (1, 2):
        staging = root / f".staging-{n}"
        staging.mkdir(parents=True)
        atomic.write_text(staging / "clients.txt", f"version {n}")
        published = atomic.publish_dir(staging, versions, f"v{n}")
        assert not staging.exists()
        link = atomic.point(root / "current", published)
        assert link.is_symlink() and os.readlink(link) == os.path.join("versions", f"v{n}")
        assert (link / "clients.txt").read_text() == f"version {n}"
    assert _names(root) == ["current", "versions"]
    assert _names(versions) == ["v1", "v2"]
    with pytest.raises(FileExistsError):
        (root / ".again").mkdir()
        atomic.publish_dir(root / ".again", versions, "v1")


def test_point_falls_back_to_a_copy_without_symlinks(tmp_path, monkeypatch):
    for name in ("r1", "r2"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "f").write_text(name)

    def refuse(*args, **kwargs):
        raise OSError("no symlinks here")

    monkeypatch.setattr(os, "symlink", refuse)
    link = atomic.point(tmp_path / "latest", tmp_path / "r1")
    assert link.is_dir() and not link.is_symlink() and (link / "f").read_text() == "r1"
    atomic.point(link, tmp_path / "r2")
    assert (link / "f").read_text() == "r2"
    assert _names(tmp_path) == ["latest", "r1", "r2"]


def test_scoring_uses_the_atomic_module():
    import rehab_eval.scoring as scoring

    assert not hasattr(scoring, "_atomic_write")
