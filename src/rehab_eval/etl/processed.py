"""``load_processed``: the canonical tables of one ETL output folder, and the one accessor.

Every analysis takes "the processed data": a :class:`Processed` (what :func:`load_processed`
returns), a mapping of table name to DataFrame, or any object with one DataFrame attribute per
table. :func:`table` (also :meth:`Processed.table`) is the one way the analyses read a table
from any of these, with one error message when a table or a column is missing;
:func:`tables` lists them all, :func:`replace_tables` makes a new object of the same kind
holding other frames and :func:`restrict` one holding only some clients' rows (what
:func:`rehab_eval.cohort.select` returns).

A :class:`Processed` loaded from disk reads nothing up front: a table is read when it is
first asked for, and :func:`table` reads only the columns asked for (``keep``) and only the
rows passing ``filters``, which are pushed into the Parquet scan (:mod:`pyarrow.dataset`), so
that memory follows what an analysis needs, not the size of the folder. The files are opened
when the folder is loaded: one :class:`Processed` reads one version of the data even when an
ETL or scoring run publishes another meanwhile.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from rehab_eval.errors import InputError
from rehab_eval.etl._keys import unique_ids
from rehab_eval.etl._scan import Filters, LazyTables, Snapshot, apply_filters, filter_key

__all__ = [
    "Processed",
    "client_ids",
    "distinct",
    "load_processed",
    "replace_tables",
    "restrict",
    "table",
    "table_columns",
    "tables",
]

TABLE_NAMES = ("clients", "enrollments", "assessments", "contacts", "urine_tests", "events")
#: Frames a :class:`Processed` keeps of what it has read (least recently used dropped first).
CACHE_SIZE = 8
#: Larger frames (rows × columns) are not kept: whoever reads one holds it as long as needed.
CACHE_CELLS = 4_000_000


def tables(data: Any) -> Mapping[str, pd.DataFrame]:
    """The DataFrames held by ``data``, by table name.

    ``data`` is a :class:`Processed`, a mapping of name to DataFrame, a dataclass or any object
    with one DataFrame attribute per canonical table (plus ``rejects`` and ``scores``).
    Entries that are not DataFrames (``path``, ``manifest``, a missing ``scores``) are left out.
    For a :class:`Processed` read from disk the mapping reads a table when it is looked up.
    """
    if isinstance(data, Processed):
        return LazyTables(data)
    if isinstance(data, Mapping):
        return {k: v for k, v in data.items() if isinstance(v, pd.DataFrame)}
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        names = [f.name for f in dataclasses.fields(data)]
    else:
        names = [*TABLE_NAMES, "rejects", "scores"]
    out = {}
    for name in names:
        value = getattr(data, name, None)
        if isinstance(value, pd.DataFrame):
            out[name] = value
    return out


def _absent(name: str, found: Sequence[str], prefix: str) -> InputError:
    return InputError(
        f"{prefix}data olahan tidak memuat tabel {name} "
        f"(ada: {', '.join(sorted(found)) or 'tidak ada'}); jalankan rehab-eval etl lebih dulu "
        "atau berikan tabel hasil rehab_eval.load_processed"
    )


def _check_columns(name: str, present: Sequence[str], columns: Sequence[str], prefix: str) -> None:
    missing = [c for c in columns if c not in present]
    if missing:
        raise InputError(
            f"{prefix}table {name!r} lacks column(s) {', '.join(missing)}; "
            "expected the canonical layout of rehab_eval.vocab.TABLES"
        )


def _wanted(present: Sequence[str], columns: Sequence[str], keep: Sequence[str] | None):
    """The columns to read: all (None), or ``columns`` then those of ``keep`` present."""
    if keep is None:
        return None
    out = list(dict.fromkeys(columns))
    out += [c for c in dict.fromkeys(keep) if c in present and c not in out]
    return tuple(out)


def table(
    data: Any,
    name: str,
    *,
    required: bool = True,
    columns: Sequence[str] = (),
    keep: Sequence[str] | None = None,
    filters: Filters = (),
    what: str | None = None,
) -> pd.DataFrame:
    """Table ``name`` of the processed data ``data`` (see :func:`tables` for what ``data`` may be).

    Parameters
    ----------
    data
        The processed data.
    name
        Table name (``clients``, ``enrollments``, ``scores`` ...).
    required
        When the table is absent: raise (default), or return an empty frame with the
        canonical columns of :data:`rehab_eval.vocab.TABLES`.
    columns
        Columns the caller needs; a present table lacking any of them is refused.
    keep
        None (default): every column of the table. Otherwise only ``columns`` and those of
        ``keep`` the table has are returned (and, from disk, read).
    filters
        Rows to keep: ``(column, op, value)`` conditions that must all hold, ``op`` one of
        ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in``, ``not in``. A missing value
        fails every comparison and is ``in`` the values when they hold None. From disk the
        filters are pushed into the Parquet scan.
    what
        The caller's name for the messages (``"followup"``).

    Returns
    -------
    DataFrame
        Without ``keep`` and ``filters``, the table itself (not a copy; callers never change
        it); otherwise a new frame with a fresh index.

    Raises
    ------
    InputError
        The table is required and absent, or it lacks one of ``columns`` (or of the filters').
    """
    if isinstance(data, Processed):
        return data.table(
            name, required=required, columns=columns, keep=keep, filters=filters, what=what
        )
    prefix = f"{what}: " if what else ""
    found = tables(data)
    frame = found.get(name)
    if frame is None:
        if required:
            raise _absent(name, list(found), prefix)
        return _empty(name, columns, keep)
    _check_columns(name, list(frame.columns), [*columns, *(f[0] for f in filters)], prefix)
    wanted = _wanted(list(frame.columns), columns, keep)
    if filters:
        frame = apply_filters(frame, filters)
    if wanted is not None:
        frame = frame[list(wanted)]
    return frame


def _empty(name: str, columns: Sequence[str], keep: Sequence[str] | None) -> pd.DataFrame:
    from rehab_eval.vocab import TABLES

    layout = list(TABLES.get(name, {"client_id": "string"}))
    wanted = _wanted(layout, columns, keep)
    return pd.DataFrame({c: pd.Series(dtype="object") for c in wanted or layout})


def distinct(data: Any, name: str, column: str, *, filters: Filters = ()) -> list[Any]:
    """The distinct values of ``column`` in table ``name`` (missing values left out).

    From disk only that column is read. Raises :class:`InputError` like :func:`table` when the
    table or the column is absent.
    """
    if isinstance(data, Processed):
        return data.distinct(name, column, filters=filters)
    frame = table(data, name, columns=[column], keep=(), filters=filters)
    return list(pd.unique(frame[column].dropna()))


def table_columns(data: Any, name: str) -> list[str] | None:
    """The columns of table ``name`` (from the file's footer when on disk), None if absent."""
    if isinstance(data, Processed):
        return data._columns(name)
    frame = tables(data).get(name)
    return None if frame is None else list(frame.columns)


def client_ids(data: Any, name: str, *, filters: Filters = ()) -> Any:
    """The ``client_id`` of the rows of table ``name`` passing ``filters``, to filter another
    table by (``("client_id", "in", ids)``): from disk an Arrow array (only that column is
    read, no Python string is made), else a NumPy array."""
    if isinstance(data, Processed) and name not in data._frames and name in data._names():
        _check_columns(name, data._columns(name), ["client_id", *(f[0] for f in filters)], "")
        return data._source.values(name, "client_id", tuple(filters), data._only)
    frame = table(data, name, columns=["client_id"], keep=(), filters=filters)
    return frame["client_id"].to_numpy()


def replace_tables(data: Any, frames: Mapping[str, pd.DataFrame]) -> Any:
    """A new object of the kind of ``data`` holding ``frames`` instead of its own tables."""
    if isinstance(data, Processed):
        return data._derive(frames)
    if isinstance(data, Mapping):
        merged = {**dict(data), **frames}
        try:
            return type(data)(merged)
        except TypeError:
            return merged
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        return dataclasses.replace(data, **frames)
    clone = copy.copy(data)
    for name, frame in frames.items():
        setattr(clone, name, frame)
    return clone


def restrict(data: Any, clients: Any, frames: Mapping[str, pd.DataFrame] | None = None) -> Any:
    """``data`` with only the rows of ``clients`` (client ids) in every table with a
    ``client_id`` column, and ``frames`` in place of their tables (taken as they are).

    Returns a new object of the kind of ``data`` (:func:`replace_tables`); tables without
    ``client_id`` (rejects) are passed through. A :class:`Processed` read from disk reads the
    restricted tables when they are asked for, only those clients' rows.
    """
    frames = dict(frames or {})
    ids = pd.Index(unique_ids(clients), dtype="object")
    if isinstance(data, Processed):
        return data._derive(frames, only=ids)
    out = {}
    for name, frame in tables(data).items():
        if name in frames:
            out[name] = frames[name]
        elif "client_id" in frame.columns:
            out[name] = frame.loc[frame["client_id"].isin(ids).to_numpy()].reset_index(drop=True)
        else:
            out[name] = frame
    return replace_tables(data, {**out, **frames})


class Processed:
    """Canonical tables (one attribute each), ``rejects``, ``manifest`` and optional ``scores``.

    Built from frames (``Processed(path=..., clients=..., ...)``) or by :func:`load_processed`,
    which reads each table only when it is asked for (an attribute reads it whole,
    :meth:`table` only the columns and rows asked for). ``scores`` is None when absent.
    Instances are read-only: :func:`replace_tables` and :func:`restrict` make new ones.
    """

    def __init__(
        self,
        path: str | Path,
        clients: pd.DataFrame | None = None,
        enrollments: pd.DataFrame | None = None,
        assessments: pd.DataFrame | None = None,
        contacts: pd.DataFrame | None = None,
        urine_tests: pd.DataFrame | None = None,
        events: pd.DataFrame | None = None,
        rejects: pd.DataFrame | None = None,
        manifest: dict[str, Any] | None = None,
        scores: pd.DataFrame | None = None,
    ) -> None:
        given = dict(
            clients=clients, enrollments=enrollments, assessments=assessments,
            contacts=contacts, urine_tests=urine_tests, events=events, rejects=rejects,
            scores=scores,
        )  # fmt: skip
        self._path = Path(path)
        self._manifest = dict(manifest or {})
        self._frames = {k: v for k, v in given.items() if v is not None}
        self._source: Snapshot | None = None
        self._only: pd.Index | None = None
        self._cache: OrderedDict[tuple, pd.DataFrame] = OrderedDict()

    # -- what it holds ------------------------------------------------------------------
    path = property(lambda self: self._path, doc="The folder read (a version, not the link).")
    manifest = property(lambda self: self._manifest, doc="The ETL's manifest.json.")
    clients = property(lambda self: self._whole("clients"))
    enrollments = property(lambda self: self._whole("enrollments"))
    assessments = property(lambda self: self._whole("assessments"))
    contacts = property(lambda self: self._whole("contacts"))
    urine_tests = property(lambda self: self._whole("urine_tests"))
    events = property(lambda self: self._whole("events"))
    rejects = property(lambda self: self._whole("rejects"))

    @property
    def scores(self) -> pd.DataFrame | None:
        """The scores (``rehab-eval score``), or None before scoring."""
        return self._whole("scores") if "scores" in self._names() else None

    def _names(self) -> list[str]:
        on_disk = list(self._source.files) if self._source is not None else []
        return list(dict.fromkeys([*self._frames, *on_disk]))

    def _columns(self, name: str) -> list[str] | None:
        if name in self._frames:
            return list(self._frames[name].columns)
        return self._source.columns(name) if name in self._names() else None

    def _whole(self, name: str) -> pd.DataFrame:
        if name in self._frames:
            return self._frames[name]
        if name not in self._names():
            raise AttributeError(f"the processed data have no {name!r} table")
        return self._read(name, None, ())

    def __repr__(self) -> str:
        def size(name: str) -> str:
            if name in self._frames:
                return str(len(self._frames[name]))
            return str(self._source.rows[name]) if self._only is None else "…"

        names = [n for n in (*TABLE_NAMES, "rejects", "scores") if n in self._names()]
        run = self._manifest.get("run_time", "?")
        return (
            f"Processed({self._path}, run {run}: "
            + ", ".join(f"{n}={size(n)}" for n in names)
            + ")"
        )

    # -- reading ------------------------------------------------------------------------
    def table(
        self,
        name: str,
        *,
        required: bool = True,
        columns: Sequence[str] = (),
        keep: Sequence[str] | None = None,
        filters: Filters = (),
        what: str | None = None,
    ) -> pd.DataFrame:
        """Table ``name``: the columns and rows asked for (see the module function :func:`table`)."""
        prefix = f"{what}: " if what else ""
        if name not in self._names():
            if required:
                raise _absent(name, self._names(), prefix)
            return _empty(name, columns, keep)
        if name in self._frames:
            return table(self._frames, name, columns=columns, keep=keep, filters=filters, what=what)
        present = self._source.columns(name)
        _check_columns(name, present, [*columns, *(f[0] for f in filters)], prefix)
        wanted = _wanted(present, columns, keep)
        return self._read(name, wanted, tuple(filters))

    def distinct(self, name: str, column: str, *, filters: Filters = ()) -> list[Any]:
        """The distinct values of ``column`` (see the module function :func:`distinct`)."""
        if name in self._frames or name not in self._names():
            return distinct(self._frames, name, column, filters=filters)
        _check_columns(name, self._source.columns(name), [column, *(f[0] for f in filters)], "")
        return self._source.distinct(name, column, tuple(filters), self._only)

    def _read(self, name: str, columns: tuple[str, ...] | None, filters: Filters) -> pd.DataFrame:
        key = (name, columns, filter_key(filters))
        whole = (name, None, key[2])
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if columns is not None and whole in self._cache:  # already read with every column
            return self._cache[whole][list(columns)]
        frame = self._source.read(name, columns, filters, self._only)
        if frame.size <= CACHE_CELLS:
            self._cache[key] = frame
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return frame

    def _derive(
        self, frames: Mapping[str, pd.DataFrame], only: pd.Index | None = None
    ) -> Processed:
        """A new Processed holding ``frames``; with ``only``, only those clients elsewhere."""
        clone = Processed(self._path, manifest=self._manifest)
        kept = {k: v for k, v in self._frames.items() if k not in frames}
        if only is not None:
            kept = {
                k: v.loc[v["client_id"].isin(only).to_numpy()].reset_index(drop=True)
                if "client_id" in v.columns else v
                for k, v in kept.items()
            }  # fmt: skip
            if self._only is not None:
                only = only[only.isin(self._only)]
        clone._frames = {**kept, **frames}
        clone._source = self._source
        clone._only = self._only if only is None else only
        if only is None:
            clone._cache = self._cache  # the same rows on disk: share what was read
        return clone


def load_processed(path: str | Path = "data/processed", *, partial: bool = False) -> Processed:
    """Open the output of :func:`rehab_eval.run_etl` (and ``scores.parquet`` when present).

    Nothing is read yet but the manifest and the files' footers: each table is read when it
    is first asked for (see :class:`Processed`). The files are opened now, so the tables come
    from the version ``path`` points at now. With ``partial``, whatever tables the folder
    holds are opened, without a manifest (checking report parameters against the data).

    Raises
    ------
    InputError
        The folder or one of its tables is missing (run ``rehab-eval etl`` first).
    """
    p = Path(path)
    if p.is_symlink():  # a versioned output: read the one version it points at now
        p = p.resolve()
    names = [n for n in (*TABLE_NAMES, "rejects", "scores") if (p / f"{n}.parquet").is_file()]
    manifest = {}
    if not partial:
        if not (p / "manifest.json").is_file():
            raise InputError(
                f"{p} bukan keluaran ETL (manifest.json tidak ada); jalankan rehab-eval etl "
                "lebih dulu"
            )
        for name in (*TABLE_NAMES, "rejects"):
            if name not in names:
                raise InputError(
                    f"{p / f'{name}.parquet'} tidak ada; jalankan ulang rehab-eval etl"
                )
        manifest = json.loads((p / "manifest.json").read_text("utf-8"))
    data = Processed(path=p, manifest=manifest)
    data._source = Snapshot(p, names)
    return data
