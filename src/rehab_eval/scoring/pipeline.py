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
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehab_eval import atomic, vocab
from rehab_eval.errors import DataQualityWarning, InputError
from rehab_eval.instruments import get_instrument
from rehab_eval.instruments.answers import warn_out_of_range
from rehab_eval.instruments.engine import warn_gated

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

__all__ = ["score_processed"]

_KEYS = ["client_id", "instrument", "timepoint", "date"]

#: Assessment rows read, scored and written at a time (a batch of 65 536 rows with every
#: item column is about 55 MB as float64).
_BATCH_ROWS = 65_536


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
    import pyarrow as pa
    import pyarrow.parquet as pq

    from rehab_eval import __version__

    folder = Path(processed_dir)
    source = folder / "assessments.parquet"
    if not source.is_file():
        raise InputError(f"{source}: not found; run `rehab-eval etl` first")
    try:
        parquet = pq.ParquetFile(source)
    except Exception as exc:  # pyarrow raises several types
        raise InputError(f"{source}: cannot be read as Parquet ({exc})") from exc
    names = parquet.schema_arrow.names
    lacking = [k for k in _KEYS if k not in names]
    if lacking:
        raise InputError(f"{source}: lacks column(s) {', '.join(lacking)}")
    run = _Run(source, names, prereversed=prereversed)
    target = folder / "scores.parquet"
    with atomic.atomic_path(target) as tmp:
        writer = None
        try:
            for chunk in _chunks(parquet, run.read_columns, source):
                frame = run.score(chunk)
                schema = writer.schema if writer is not None else None
                table = pa.Table.from_pandas(frame, preserve_index=False, schema=schema)
                if writer is None:  # the options of DataFrame.to_parquet
                    writer = pq.ParquetWriter(tmp, table.schema, compression="snappy")
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()
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
    """One scoring run over a table in chunks: the chunk scorer and the running totals."""

    def __init__(self, source: Path, names: list[str], *, prereversed: bool) -> None:
        self.source = source
        self.prereversed = prereversed
        self.instruments = [get_instrument(name) for name in vocab.INSTRUMENTS]
        self.present = {
            inst.name: [c for c in inst.item_columns if c in names] for inst in self.instruments
        }
        items = {c for inst in self.instruments for c in self.present[inst.name]}
        self.read_columns = _KEYS + [c for c in names if c in items]
        self.columns = _KEYS + [c for inst in self.instruments for c in inst.score_columns()]
        self.rows = dict.fromkeys(vocab.INSTRUMENTS, 0)
        self.out_of_range: dict[str, dict[str, int]] = {n: {} for n in vocab.INSTRUMENTS}
        self.overruled: dict[str, dict[str, int]] = {n: {} for n in vocab.INSTRUMENTS}
        self.profiles: dict[str, str] = {}
        self.unknown: set[str] = set()
        self.warned_absent: set[str] = set()

    def score(self, chunk: pa.Table) -> pd.DataFrame:
        """The scores of one chunk of whole clients, typed and sorted."""
        import pandas as pd

        frame = chunk.to_pandas()
        instrument = frame["instrument"].astype("string")
        self.unknown |= set(instrument.dropna()) - set(vocab.INSTRUMENTS)
        parts = [self._score_rows(frame, instrument, inst) for inst in self.instruments]
        scores = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
        scores = scores.reindex(columns=self.columns)
        for inst in self.instruments:  # restore dtypes lost for all-null columns
            for col in inst.score_columns():
                scores[col] = scores[col].astype(_dtype_of(parts, col))
        scores["client_id"] = scores["client_id"].astype("string")
        scores["instrument"] = pd.Categorical(
            scores["instrument"].astype("string"), categories=list(vocab.INSTRUMENTS)
        )
        scores["timepoint"] = pd.Categorical(
            scores["timepoint"].astype("string"), categories=list(vocab.TIMEPOINTS), ordered=True
        )
        return scores.sort_values(_KEYS, kind="mergesort", na_position="last").reset_index(
            drop=True
        )

    def _score_rows(self, frame: pd.DataFrame, instrument: pd.Series, inst: Any) -> pd.DataFrame:
        from rehab_eval.scoring import _score

        name = inst.name
        mask = (instrument == name).fillna(False).to_numpy()
        present = self.present[name]
        absent = [c for c in inst.item_columns if c not in present]
        if absent and mask.any() and name not in self.warned_absent:
            self.warned_absent.add(name)
            warnings.warn(
                f"{self.source}: {name} has no column(s) {', '.join(absent)}; their answers "
                "are treated as missing",
                DataQualityWarning,
                stacklevel=5,
            )
        rows = frame.loc[mask, _KEYS + present].reindex(columns=_KEYS + list(inst.item_columns))
        options = {"prereversed": self.prereversed} if inst.prereversed_option else {}
        try:
            scored, info = _score(rows, inst, strict=False, keep_items=False, quiet=True, **options)
        except InputError as exc:
            raise InputError(f"{self.source}: {exc}") from exc
        self.rows[name] += len(scored)
        self.profiles[name] = info["profile"]
        _add(self.out_of_range[name], info["out_of_range"])
        _add(self.overruled[name], info["overruled"])
        return scored

    def _ordered_out_of_range(self, name: str) -> dict[str, int]:
        counts = self.out_of_range[name]
        return {c: counts[c] for c in get_instrument(name).item_columns if c in counts}

    def _ordered_overruled(self, name: str) -> dict[str, int]:
        order = {c: i for i, c in enumerate(get_instrument(name).item_columns)}
        counts = self.overruled[name]
        return {
            k: counts[k]
            for k in sorted(counts, key=lambda k: (order.get(k.split(" = ")[0], -1), k))
        }

    def warn(self) -> None:
        """The warnings of the whole run, one per kind and instrument."""
        if self.unknown:
            warnings.warn(
                f"{self.source}: rows of undeclared instrument(s) {', '.join(sorted(self.unknown))} "
                "were not scored",
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
            "profiles": {n: self.profiles[n] for n in vocab.INSTRUMENTS},
        }


def _add(total: dict[str, int], counts: dict[str, int]) -> None:
    for key, count in counts.items():
        total[key] = total.get(key, 0) + count


def _chunks(parquet: pq.ParquetFile, columns: list[str], source: Path) -> Iterator[pa.Table]:
    """Tables of whole clients, in file order, of about ``_BATCH_ROWS`` rows (at least one).

    The rows of the last client of a batch wait for the next batch. A table that is not
    sorted by client comes as one piece.
    """
    import pyarrow as pa

    try:
        if not _sorted_by_client(parquet):
            yield parquet.read(columns=columns)
            return
        previous = None  # read, not yet given: whole clients, then the last client's rows
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=columns):
            table = pa.Table.from_batches([batch])
            if previous is not None:
                cut = _last_client_start(previous)
                if cut:
                    yield previous.slice(0, cut)
                table = pa.concat_tables([previous.slice(cut), table])
            previous = table
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{source}: cannot be read as Parquet ({exc})") from exc
    yield previous if previous is not None else parquet.schema_arrow.empty_table().select(columns)


def _client_ids(ids: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Client ids as text (the order of the scores), whatever their stored type."""
    import pyarrow as pa

    if pa.types.is_dictionary(ids.type):
        ids = ids.cast(ids.type.value_type)
    return ids if pa.types.is_string(ids.type) else ids.cast(pa.string())


def _sorted_by_client(parquet: pq.ParquetFile) -> bool:
    """Whether ``client_id`` never decreases down the file (as the ETL writes it), no nulls."""
    import pyarrow.compute as pc

    last = None
    for batch in parquet.iter_batches(batch_size=8 * _BATCH_ROWS, columns=["client_id"]):
        ids = _client_ids(batch.column(0))
        if ids.null_count:
            return False
        if not len(ids):
            continue
        if last is not None and ids[0].as_py() < last:
            return False
        if len(ids) > 1 and not pc.all(pc.less_equal(ids[:-1], ids[1:])).as_py():
            return False
        last = ids[-1].as_py()
    return True


def _last_client_start(table: pa.Table) -> int:
    """Row where the last client's rows begin (the ids are sorted)."""
    import pyarrow.compute as pc

    ids = _client_ids(table.column("client_id"))
    return pc.index(ids, ids[-1]).as_py() if len(ids) else 0


def _dtype_of(parts: list[pd.DataFrame], col: str) -> str:
    import pandas as pd

    for part in parts:
        if col in part.columns:
            dtype = part[col].dtype
            if pd.api.types.is_bool_dtype(dtype):
                return "boolean"
            if pd.api.types.is_integer_dtype(dtype):
                return "Int64"
            if pd.api.types.is_float_dtype(dtype):
                return "float64"
            return "string"
    return "float64"
