"""Atomic writes of files and folders: a reader sees the old content or the new, never half.

Every output the package writes (scores, manifests, run records, summaries) goes through this
module. A file is written to a temporary file in the *same* folder (so the final rename never
crosses a file system), flushed and ``fsync``-ed, renamed over the target with
:func:`os.replace` (atomic on POSIX and on Windows for files), and then the folder itself is
``fsync``-ed so that the rename survives a power cut. The temporary file is removed when
anything fails.

Folders are published in two steps: :func:`publish_dir` moves a finished folder into place
under a new, unique name, and :func:`point` swaps a relative symbolic link (``latest`` →
``<version>``) with one :func:`os.replace` of a freshly made link. A reader that opens
``latest/...`` therefore sees one complete version. Where symlinks cannot be made (some
Windows and network file systems) :func:`point` falls back to a copy swapped in by two
renames (a short window in which the pointer is missing; no half-written content).

Functions
---------
write_bytes, write_text, write_json, write_parquet
    One file, atomically.
atomic_path
    Context manager yielding a temporary path to write with any library, then renamed over
    the target.
update_json
    Read-modify-write of a JSON file (the processed folder's ``manifest.json``).
publish_dir, point
    The folder primitives above.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "atomic_path",
    "fsync_dir",
    "json_default",
    "point",
    "publish_dir",
    "update_json",
    "write_bytes",
    "write_json",
    "write_parquet",
    "write_text",
]


def fsync_dir(folder: str | Path) -> None:
    """``fsync`` a folder so a rename inside it is durable (a no-op where unsupported)."""
    try:
        fd = os.open(str(folder), os.O_RDONLY)
    except OSError:  # Windows cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_file(path: str | Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    The caller writes the temporary file with whatever library it likes (pyarrow, openpyxl,
    python-pptx). On leaving the block the file is ``fsync``-ed and renamed over ``path``;
    when the block raises, the temporary file is removed and ``path`` is untouched. The
    parent folder is created when missing.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8 by default, ``\\n`` line ends kept)."""
    return write_bytes(path, text.encode(encoding))


def json_default(value: Any) -> Any:
    """``json.dumps`` fallback: numpy scalars, dates and times, paths, sets and tuples."""
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, tuple, frozenset)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_json(path: str | Path, payload: Any, *, indent: int = 2) -> Path:
    """Write ``payload`` as indented UTF-8 JSON (non-ASCII kept, trailing newline) atomically.

    numpy scalars, dates and paths are converted (:func:`json_default`).
    """
    text = json.dumps(payload, indent=indent, ensure_ascii=False, default=json_default) + "\n"
    return write_text(path, text)


def update_json(
    path: str | Path, change: Callable[[dict[str, Any]], Mapping[str, Any] | None]
) -> Path:
    """Read the JSON object at ``path``, apply ``change`` and replace the file atomically.

    ``change`` receives the parsed object and either edits it in place (returning ``None``)
    or returns the new object. Concurrent writers are not serialised: the last rename wins,
    but no reader ever sees a partial file.
    """
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    new = change(data)
    return write_json(path, data if new is None else new)


def write_parquet(path: str | Path, frame: Any, *, index: bool = False, **kwargs: Any) -> Path:
    """Write a DataFrame to Parquet atomically (``frame.to_parquet`` into a temporary file)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=index, **kwargs)
    return path


def publish_dir(staging: str | Path, parent: str | Path, name: str | None = None) -> Path:
    """Move the finished folder ``staging`` to ``parent/name`` (a name not yet in use).

    ``name`` defaults to ``staging``'s own name. ``staging`` should live on the same file
    system as ``parent`` (create it inside ``parent`` under a dot-name) so that the move is a
    single :func:`os.rename`. Every file inside is expected to be complete already; the
    folders are ``fsync``-ed after the move.

    Raises
    ------
    FileExistsError
        When ``parent/name`` exists: a published version is never overwritten.
    """
    staging, parent = Path(staging), Path(parent)
    target = parent / (name or staging.name)
    parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        raise FileExistsError(f"{target} already exists; a published folder is never replaced")
    os.rename(staging, target)
    fsync_dir(parent)
    return target


def point(link: str | Path, target: str | Path) -> Path:
    """Make the symbolic link ``link`` point at the folder ``target`` atomically.

    The link is relative (``target``'s path relative to ``link``'s folder) so that the whole
    tree can be moved. A new link is made beside the old one and renamed over it, so a reader
    sees the old target or the new one. Where symlinks cannot be made, ``link`` becomes a copy
    of ``target`` swapped in by two renames.

    Returns
    -------
    Path
        ``link``.
    """
    link, target = Path(link), Path(target)
    folder = link.parent
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    tmp = folder / f".{link.name}.{token}.tmp"
    relative = os.path.relpath(target.resolve(), folder.resolve())
    try:
        os.symlink(relative, tmp, target_is_directory=True)
    except (OSError, NotImplementedError):
        shutil.copytree(target, tmp, symlinks=False)
    if link.is_dir() and not link.is_symlink():
        # a copied pointer (or a symlink replacing one): swap by two renames
        old = folder / f".{link.name}.{token}.old"
        os.replace(link, old)
        os.replace(tmp, link)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, link)
    fsync_dir(folder)
    return link
