"""Whole clients out of ``assessments.parquet``, a batch of rows at a time.

The ETL writes the assessments sorted by client. :func:`client_batches` reads the file in
row batches (only the columns asked for) and cuts each batch after its last complete
client: that client's rows wait for the next batch, so that every client's rows arrive
together and the batches can be scored and sorted one at a time, in the order of the file.
A table that is not sorted by client comes as one piece.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rehab_eval.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    import pyarrow.parquet as pq

__all__ = ["client_batches", "text"]


def client_batches(
    parquet: pq.ParquetFile, columns: list[str], source: Path, rows: int
) -> Iterator[pa.Table]:
    """Tables of whole clients, in file order, of about ``rows`` rows (at least one).

    The rows of the last client of a batch wait for the next batch. A table that is not
    sorted by client comes as one piece.
    """
    import pyarrow as pa

    try:
        if not _sorted_by_client(parquet, rows):
            yield parquet.read(columns=columns)
            return
        previous = None  # read, not yet given: whole clients, then the last client's rows
        for batch in parquet.iter_batches(batch_size=rows, columns=columns):
            table = pa.Table.from_batches([batch])
            if previous is not None:
                cut = _last_client_start(previous)
                if cut:
                    yield previous.slice(0, cut)
                table = pa.concat_tables([previous.slice(cut), table])
            previous = table
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{source}: tidak terbaca sebagai Parquet ({exc}); jalankan ulang rehab-eval etl") from exc
    yield previous if previous is not None else parquet.schema_arrow.empty_table().select(columns)


def text(ids: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A key column as text (the order of the scores), whatever its stored type."""
    import pyarrow as pa

    if pa.types.is_dictionary(ids.type):
        ids = ids.cast(ids.type.value_type)
    return ids if pa.types.is_string(ids.type) else ids.cast(pa.string())


def _sorted_by_client(parquet: pq.ParquetFile, rows: int) -> bool:
    """Whether ``client_id`` never decreases down the file (as the ETL writes it), no nulls."""
    import pyarrow.compute as pc

    last = None
    for batch in parquet.iter_batches(batch_size=8 * rows, columns=["client_id"]):
        ids = text(batch.column(0))
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

    ids = text(table.column("client_id"))
    return pc.index(ids, ids[-1]).as_py() if len(ids) else 0
