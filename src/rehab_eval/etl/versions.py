"""Versioned output folders published by an atomic pointer swap, under a lock.

The folder a user names (``data/processed``) is a relative symbolic link to one complete
version; the versions live beside it in a hidden folder::

    data/processed                →  .processed.versions/20261202T060000123456Z-1a2b3c4d
    data/.processed.versions/     one folder per ETL run (the newest few are kept)
    data/.processed.lock          held while a run writes (second runs wait, then stop)

A run fills ``.processed.versions/.tmp-<id>``, renames it to ``<id>`` once complete, makes
a new link beside ``processed`` and renames it over the old one (``os.replace``: atomic on
POSIX). Readers that open ``data/processed/...`` therefore always see one complete set, and
a crash at any step leaves the previous version published. ``rehab-eval score`` writes
``scores.parquet`` (and its manifest entry) into the published version, under the same lock.

A folder written by an earlier version of the package (a plain folder holding
``manifest.json``) becomes the first version on the next run; an empty folder (or one that
holds only hidden placeholder files such as ``.gitkeep``) is replaced by the link.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rehab_eval.atomic import publish_dir
from rehab_eval.errors import ConfigError

__all__ = [
    "KEEP_VERSIONS",
    "LOCK_WAIT",
    "current_version",
    "lock_path",
    "output_lock",
    "publish_version",
    "remove_stale",
    "versions_dir",
]

#: How many versions are kept (the published one always is).
KEEP_VERSIONS = 3
#: Seconds a second run waits for the lock before it stops with a message.
LOCK_WAIT = 10.0
_held: dict[str, list] = {}  # lock path → [file object, depth]: re-entrant in one process


def versions_dir(out: Path) -> Path:
    """The hidden folder beside ``out`` that holds its versions."""
    return out.parent / f".{out.name}.versions"


def lock_path(out: Path) -> Path:
    """The lock file beside ``out``."""
    return out.parent / f".{out.name}.lock"


@contextlib.contextmanager
def output_lock(out: str | Path, *, wait: float | None = None) -> Iterator[Path]:
    """Hold the lock of output folder ``out`` (re-entrant within one process).

    A second process waits up to ``wait`` seconds (default :data:`LOCK_WAIT`), then stops.

    Raises
    ------
    ConfigError
        Another run still holds the lock after the wait.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(out)
    name = str(path.resolve())
    if name in _held:
        _held[name][1] += 1
        try:
            yield path
        finally:
            _held[name][1] -= 1
        return
    wait = LOCK_WAIT if wait is None else wait
    fh = open(path, "a+")
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no advisory locks on this platform
            fcntl = None
        if fcntl is not None:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise ConfigError(
                            f"{out} sedang ditulis oleh proses rehab-eval lain (kunci "
                            f"{path.name}); tunggu sampai proses itu selesai lalu ulangi"
                        ) from None
                    time.sleep(0.2)
        _held[name] = [fh, 1]
        try:
            yield path
        finally:
            del _held[name]
    finally:
        fh.close()  # closing the file releases the lock


def current_version(out: Path) -> Path | None:
    """The folder ``out`` publishes (the version it points at, or ``out`` itself when it is a
    plain folder holding a manifest); ``None`` when nothing is published."""
    out = Path(out)
    if out.is_symlink():
        target = out.resolve()
        return target if target.is_dir() else None
    if out.is_dir() and (out / "manifest.json").is_file():
        return out
    return None


def remove_stale(out: Path) -> list[Path]:
    """Remove what crashed runs left behind (call with the lock held); returns what went.

    Temporary version folders, temporary links and the ``.tmp-``/``.old-`` folders of
    earlier versions of the package: nothing else writes them, and the lock says no run is
    writing now.
    """
    out = Path(out)
    gone: list[Path] = []
    vdir = versions_dir(out)
    stale = list(vdir.glob(".tmp-*")) if vdir.is_dir() else []
    for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*", f".{out.name}.link-*"):
        stale += list(out.parent.glob(pattern))
    for p in stale:
        if p.is_symlink() or p.is_file():
            p.unlink(missing_ok=True)
        else:
            shutil.rmtree(p, ignore_errors=True)
        gone.append(p)
    return gone


def _new_id(vdir: Path | None = None) -> str:
    """``<UTC time to the microsecond>Z-<random>``: later runs sort after earlier ones (also
    when the clock was set back: the id then extends the newest one)."""
    vid = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}"
    names = [p.name for p in vdir.iterdir() if not p.name.startswith(".")] if vdir else []
    newest = max(names, default="")
    if vid <= newest:
        vid = f"{newest.split('-')[0]}1-{secrets.token_hex(4)}"
    return vid


def _make_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=False, exist_ok=True)
    os.chmod(path, 0o700)


def _adopt_plain_folder(out: Path, vdir: Path) -> None:
    """Turn a plain folder at ``out`` into something a link can replace."""
    entries = [p for p in out.iterdir()]
    if all(p.name.startswith(".") and p.is_file() for p in entries):
        shutil.rmtree(out)  # empty, or only placeholders such as .gitkeep
        return
    if (out / "manifest.json").is_file():  # output of an earlier version: keep it as one
        os.rename(out, vdir / f"0-earlier-{secrets.token_hex(4)}")  # sorts before the others
        return
    raise ConfigError(
        f"folder {out} berisi berkas yang bukan keluaran ETL; kosongkan folder itu atau pilih "
        "folder lain untuk --out"
    )


def _prune(vdir: Path, keep: int, published: Path) -> None:
    versions = sorted(p for p in vdir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for p in versions[:-keep] if keep > 0 else versions:
        if p.resolve() != published.resolve():
            shutil.rmtree(p, ignore_errors=True)


def publish_version(
    out: str | Path, fill: Callable[[Path], None], *, keep: int = KEEP_VERSIONS
) -> Path:
    """Write a new version of ``out`` with ``fill(folder)`` and publish it atomically.

    Call with :func:`output_lock` held. The new folder is private (mode 0700). The older
    versions beyond the newest ``keep`` are removed after the swap.

    Returns
    -------
    Path
        The published version folder.
    """
    out = Path(out)
    vdir = versions_dir(out)
    _make_private_dir(vdir)
    vid = _new_id(vdir)
    tmp = vdir / f".tmp-{vid}"
    _make_private_dir(tmp)
    try:
        fill(tmp)
        final = publish_dir(tmp, vdir, vid)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # The pointer swap is done here rather than with rehab_eval.atomic.point: that helper falls
    # back to copying where symlinks cannot be made, which would weaken the guarantee that a
    # reader sees the previous complete version or the new one.
    link = out.parent / f".{out.name}.link-{secrets.token_hex(4)}"
    target = os.path.relpath(final, out.parent)
    try:
        os.symlink(target, link, target_is_directory=True)
        if out.is_dir() and not out.is_symlink():
            _adopt_plain_folder(out, vdir)
        os.replace(link, out)
    except BaseException:
        link.unlink(missing_ok=True)
        raise
    _prune(vdir, keep, final)
    return final
