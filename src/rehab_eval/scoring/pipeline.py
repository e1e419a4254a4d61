"""Pipeline step: ``<dir>/assessments.parquet`` → ``<dir>/scores.parquet``, in row batches.

:func:`score_processed` reads ``<dir>/assessments.parquet`` (one long table written by the
ETL: ``client_id``, ``instrument``, ``timepoint``, ``date`` and item columns ``q1`` … ``q32``,
``<substance>_q1`` … ``<substance>_q7``, float with NaN for missing; items of other
instruments are NaN on a row), scores each declared instrument on its own rows and writes
``<dir>/scores.parquet`` atomically (:mod:`rehab_eval.atomic`):

* one row per client × instrument × timepoint (an assessment row of the ETL table);
* columns ``client_id`` (string), ``instrument`` (category in ``vocab.INSTRUMENTS`` order),
  ``timepoint`` (ordered category in ``vocab.TIMEPOINTS`` order), ``date``, then the union
  of every instrument's score columns in the order of ``vocab.INSTRUMENTS`` and of
  ``Instrument.score_columns()``: WHOQOL-BREF, URICA, then ASSIST columns. A column that
  belongs to another instrument is null on a row. Scores are float64, counts ``Int64``,
  ``valid`` ``boolean``, labels (``invalid_reason``, ``stage``, ``*_risk``,
  ``highest_risk_substance``, ``level``) ``string``;
* rows sorted by ``client_id``, instrument order, timepoint order, ``date``.

It then adds a ``"scores"`` entry to ``<dir>/manifest.json`` when that file exists (read,
changed and replaced atomically with :func:`rehab_eval.atomic.update_json`): file name, rows
per instrument, out-of-range answers per instrument and column, the profile and options used,
and the package version.

Memory stays flat as the table grows. Only the key columns and the item columns of the
declared instruments are read, ``_BATCH_ROWS`` rows at a time
(:meth:`pyarrow.parquet.ParquetFile.iter_batches`); each batch is scored and written as a row
group through one :class:`pyarrow.parquet.ParquetWriter` into a temporary file that replaces
``scores.parquet`` only when the whole table is written, so a failed run leaves the last good
file. No global sort is needed: the ETL writes the assessments sorted by client, so a batch
is cut after its last complete client (that client's rows join the next batch) and sorted
within itself. A table that is not sorted by client (not written by the ETL) is scored in
one piece: the same result, with memory that grows with the table.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rehab_eval import atomic, vocab
from rehab_eval.errors import DataQualityWarning, InputError
from rehab_eval.instruments import Instrument, get_instrument
from rehab_eval.instruments.answers import _as_float, warn_out_of_range
from rehab_eval.instruments.blocks import score_blocks
from rehab_eval.instruments.engine import warn_gated
from rehab_eval.scoring.batches import client_batches, text

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = ["score_processed"]

_KEYS = ["client_id", "instrument", "timepoint", "date"]

#: Assessment rows read, scored and written at a time (a batch of 32 768 rows with every
#: item column is about 28 MB as float64).
_BATCH_ROWS = 32_768


def score_processed(processed_dir: str | Path, *, prereversed: bool = False) -> Path:
    """Score every instrument in ``<dir>/assessments.parquet`` into ``<dir>/scores.parquet``.

    Parameters
    ----------
    processed_dir : str or Path
        The ETL's output folder.
    prereversed : bool, default False
        The WHOQOL-BREF forms of this dataset print Q3, Q4, Q26 reversed (recorded in the
        manifest).

    Returns
    -------
    Path
        The written ``scores.parquet``. Its layout is described in the module docstring.

    Raises
    ------
    InputError
        When ``assessments.parquet`` is missing, unreadable, or lacks a key column.

    Warns
    -----
    DataQualityWarning
        Out-of-range answers (counted in the manifest), rows of undeclared instruments, and
        item columns absent from the table for an instrument that has rows (the ETL writes
        only the item columns it found; absent answers count as missing).
    """
    import pyarrow.parquet as pq

    from rehab_eval import __version__

    folder = Path(processed_dir)
    source = folder / "assessments.parquet"
    if not source.is_file():
        raise InputError(f"{source}: berkas tidak ada; jalankan rehab-eval etl lebih dulu, lalu skor lagi")
    try:
        parquet = pq.ParquetFile(source)
    except Exception as exc:  # pyarrow raises several types
        raise InputError(f"{source}: tidak terbaca sebagai Parquet ({exc}); jalankan ulang rehab-eval etl") from exc
    names = parquet.schema_arrow.names
    lacking = [k for k in _KEYS if k not in names]
    if lacking:
        raise InputError(f"{source}: kolom {', '.join(lacking)} tidak ada; jalankan ulang rehab-eval etl")
    run = _Run(source, parquet.schema_arrow, prereversed=prereversed)
    target = folder / "scores.parquet"
    with (
        atomic.atomic_path(target) as tmp,
        pq.ParquetWriter(tmp, run.schema, compression="snappy") as writer,  # as to_parquet
    ):
        for chunk in client_batches(parquet, run.read_columns, source, _BATCH_ROWS):
            writer.write_table(run.score(chunk))
    run.warn()
    manifest = folder / "manifest.json"
    if manifest.is_file():
        entry = {
            "file": target.name,
            **run.report(),
            "whoqol_bref_prereversed": prereversed,
            "package_version": __version__,
        }
        atomic.update_json(manifest, lambda data: data.update(scores=entry))
    return target


class _Run:
    """One scoring run over a table in chunks: the chunk scorer and the running totals.

    A chunk goes from Arrow to numpy and back without pandas: the item columns of each
    instrument's rows are cleaned and scored (:func:`score_blocks`),
    the rows are ordered by a stable ``np.lexsort`` of Arrow ranks of the keys (client, date)
    and their vocabulary codes (instrument, timepoint), and every score column is laid out over
    the chunk's rows (null on another instrument's rows) in the types ``DataFrame.to_parquet``
    gives the pipeline dtypes, so that the file is the one a pandas frame would give.
    """

    def __init__(self, source: Path, schema: pa.Schema, *, prereversed: bool) -> None:
        import pyarrow as pa

        from rehab_eval.scoring import _resolve

        names = schema.names
        self.source = source
        self.instruments = [get_instrument(name) for name in vocab.INSTRUMENTS]
        self.present = {
            inst.name: [c for c in inst.item_columns if c in names] for inst in self.instruments
        }
        items = {c for inst in self.instruments for c in self.present[inst.name]}
        self.read_columns = _KEYS + [c for c in names if c in items]
        self.settings = {}  # name -> (profile, prereversed)
        for inst in self.instruments:
            options = {"prereversed": prereversed} if inst.prereversed_option else {}
            self.settings[inst.name] = _resolve(inst, options)
        self.dtypes = {c: d for inst in self.instruments for c, d in self._dtypes(inst).items()}
        self.schema = _schema(self.dtypes, schema.field("date").type)
        self.codes = {
            "instrument": pa.array(list(vocab.INSTRUMENTS), type=pa.string()),
            "timepoint": pa.array(list(vocab.TIMEPOINTS), type=pa.string()),
        }
        self.rows = dict.fromkeys(vocab.INSTRUMENTS, 0)
        self.out_of_range: dict[str, dict[str, int]] = {n: {} for n in vocab.INSTRUMENTS}
        self.overruled: dict[str, dict[str, int]] = {n: {} for n in vocab.INSTRUMENTS}
        self.unknown: set[str] = set()
        self.warned_absent: set[str] = set()

    def _dtypes(self, inst: Instrument) -> dict[str, str]:
        """Pipeline dtype of each score column: counts Int64, flags boolean, labels string."""
        profile, prereversed = self.settings[inst.name]
        empty = {c: (np.empty(0), None) for c in inst.item_columns}
        cols = score_blocks(inst, empty, profile, 0, prereversed=prereversed).columns
        kinds = {"b": "boolean", "i": "Int64", "u": "Int64", "f": "float64"}
        return {c: kinds.get(cols[c].dtype.kind, "string") for c in inst.score_columns()}

    def score(self, chunk: pa.Table) -> pa.Table:
        """The scores of one chunk of whole clients, in the file's types and row order."""
        import pyarrow as pa
        import pyarrow.compute as pc

        names = text(chunk.column("instrument"))
        found = pc.index_in(names, value_set=self.codes["instrument"])
        strays = pc.filter(names, pc.and_(pc.is_null(found), pc.is_valid(names)))
        self.unknown |= set(pc.unique(strays).to_pylist())
        code = pc.fill_null(found, -1).to_numpy()
        parts = [np.flatnonzero(code == k) for k in range(len(self.instruments))]
        scored = [
            self._score_rows(chunk, rows, inst)
            for rows, inst in zip(parts, self.instruments, strict=True)
        ]
        src = np.concatenate(parts)  # instruments in vocab order, file order within each
        kind = np.repeat(np.arange(len(parts), dtype=np.int8), [len(r) for r in parts])
        local = np.concatenate([np.arange(len(r)) for r in parts])
        ids = _single(text(chunk.column("client_id")))
        date = _single(chunk.column("date"))
        timepoint = pc.index_in(text(chunk.column("timepoint")), value_set=self.codes["timepoint"])
        stray = len(self.codes["timepoint"])  # an unknown or missing timepoint sorts last
        tp = pc.fill_null(timepoint, stray).to_numpy()
        client, when = (pc.rank(x, tiebreaker="dense").to_numpy() for x in (ids, date))
        # np.lexsort is stable (ties keep instrument, then file order); ranks put nulls last
        order = np.lexsort((when[src], tp[src], kind, client[src]))
        src, kind, local = src[order], kind[order], local[order]
        arrays = [
            ids.take(src),
            _dictionary(kind, self.codes["instrument"], ordered=False),
            _dictionary(tp[src], self.codes["timepoint"], ordered=True),
            date.take(src),
        ]
        for k, (inst, cols) in enumerate(zip(self.instruments, scored, strict=True)):
            own = kind == k
            at = local[own]
            for c in inst.score_columns():
                arrays.append(_spread(cols[c], own, at, self.dtypes[c]))
        return pa.Table.from_arrays([_single(a) for a in arrays], schema=self.schema)

    def _score_rows(self, chunk: pa.Table, rows: np.ndarray, inst: Instrument) -> dict:
        name = inst.name
        present = self.present[name]
        absent = [c for c in inst.item_columns if c not in present]
        if absent and len(rows) and name not in self.warned_absent:
            self.warned_absent.add(name)
            warnings.warn(
                f"{self.source}: {name} has no column(s) {', '.join(absent)}; their answers "
                "are treated as missing",
                DataQualityWarning,
                stacklevel=5,
            )
        items = chunk.select(present)
        if len(rows) < chunk.num_rows:
            items = items.take(rows)
        floats = {c: (np.full(len(rows), np.nan), None) for c in absent}
        for c in present:
            floats[c] = _floats(items.column(c), c)
        profile, prereversed = self.settings[name]
        scored = score_blocks(inst, floats, profile, len(rows), prereversed=prereversed)
        self.rows[name] += len(rows)
        _add(self.out_of_range[name], scored.out_of_range)
        _add(self.overruled[name], scored.overruled)
        return scored.columns

    def _ordered_out_of_range(self, name: str) -> dict[str, int]:
        counts = self.out_of_range[name]
        return {c: counts[c] for c in get_instrument(name).item_columns if c in counts}

    def _ordered_overruled(self, name: str) -> dict[str, int]:
        order = {c: i for i, c in enumerate(get_instrument(name).item_columns)}
        counts = self.overruled[name]
        first = sorted(counts, key=lambda k: (order.get(k.split(" = ")[0], -1), k))
        return {k: counts[k] for k in first}

    def warn(self) -> None:
        """The warnings of the whole run, one per kind and instrument."""
        if self.unknown:
            warnings.warn(
                f"{self.source}: rows of undeclared instrument(s) "
                f"{', '.join(sorted(self.unknown))} were not scored",
                DataQualityWarning,
                stacklevel=3,
            )
        for name in vocab.INSTRUMENTS:
            if self.out_of_range[name]:
                warn_out_of_range(name, self._ordered_out_of_range(name), stacklevel=4)
            if self.overruled[name]:
                warn_gated(name, self._ordered_overruled(name), stacklevel=4)

    def report(self) -> dict[str, Any]:
        """Rows, out-of-range answers and profiles per instrument, for the manifest."""
        return {
            "rows": dict(self.rows),
            "out_of_range": {n: self._ordered_out_of_range(n) for n in vocab.INSTRUMENTS},
            "profiles": {n: self.settings[n][0].name for n in vocab.INSTRUMENTS},
        }


def _schema(dtypes: dict[str, str], date: pa.DataType) -> pa.Schema:
    """The schema ``DataFrame.to_parquet`` writes for the scores (with its pandas metadata)."""
    import pandas as pd
    import pyarrow as pa

    frame = pd.DataFrame(
        {
            "client_id": pd.Series([], dtype="string"),
            "instrument": pd.Categorical([], categories=list(vocab.INSTRUMENTS)),
            "timepoint": pd.Categorical([], categories=list(vocab.TIMEPOINTS), ordered=True),
            "date": pa.array([], type=date).to_pandas(),
            **{c: pd.Series([], dtype=d) for c, d in dtypes.items()},
        }
    )
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    return schema.set(3, pa.field("date", date))


def _floats(column: pa.ChunkedArray, name: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Answers as float64 (NaN for missing) and a mask of present non-numbers, or None."""
    import pyarrow as pa

    if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        return column.cast(pa.float64()).to_numpy(), None
    return _as_float(column.to_pandas(), name)


def _spread(values: np.ndarray, own: np.ndarray, at: np.ndarray, dtype: str) -> pa.Array:
    """An instrument's score column over every row of the chunk, null on other rows."""
    import pyarrow as pa

    n = len(own)
    if dtype == "float64":  # NaN is null, as pandas writes it
        full = np.full(n, np.nan)
        full[own] = values[at]
        return pa.array(full, from_pandas=True)
    if dtype == "string":
        full = np.full(n, None, dtype=object)
        full[own] = values[at]
        return pa.array(full, type=pa.string(), from_pandas=True)
    full = np.zeros(n, dtype=np.int64 if dtype == "Int64" else bool)
    full[own] = values[at]
    return pa.array(full, mask=~own)


def _dictionary(codes: np.ndarray, labels: pa.Array, *, ordered: bool) -> pa.DictionaryArray:
    """A pandas categorical as Arrow writes it: int8 codes into the full category list
    (a code past the last label is null)."""
    import pyarrow as pa

    codes = pa.array(codes.astype(np.int8), mask=codes >= len(labels))
    return pa.DictionaryArray.from_arrays(codes, labels, ordered=ordered)


def _single(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        return array.combine_chunks()
    return array


def _add(total: dict[str, int], counts: dict[str, int]) -> None:
    for key, count in counts.items():
        total[key] = total.get(key, 0) + count
