"""Guarded, versioned, private output: Parquet per table, rejects (Parquet + CSV), manifest.

A run's tables are written into a new private version folder (mode 0700, files 0600) and
published by an atomic pointer swap (:mod:`rehab_eval.etl.versions`), under a lock, so a
crash leaves the previous output readable and two runs never write the same output at once.
Before publishing, the new result is compared with the output in place:

* a table that had rows and comes out empty, or a number of clients that falls by more than
  half, stops the run (:class:`~rehab_eval.errors.InputError`, previous output untouched)
  unless ``allow_shrink``;
* an output made with another pseudonymisation key stops the run
  (:class:`~rehab_eval.errors.ConfigError`) unless ``rekey``: mixing two keys in one folder
  would break every linkage across months.

The rejects' values are described or masked unless ``show_reject_values``; cells that a
spreadsheet would run as a formula are neutralised in ``rejects.csv`` (OWASP "CSV
injection": a leading ``'``). Parquet files carry no timestamps: the same tables give the
same bytes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError, InputError
from rehab_eval.etl import scrub, versions
from rehab_eval.etl.keys import fingerprint_matches

__all__ = [
    "check_key_continuity",
    "check_replacement",
    "neutralise_formulas",
    "write_outputs",
    "write_run",
]

#: Leading characters that make a spreadsheet treat a cell as a formula (OWASP).
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")

ROW_GROUP = 131_072


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` in row groups of ``ROW_GROUP`` rows (bounded memory, same bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.Schema.from_pandas(frame.iloc[:0], preserve_index=False)
    for i, name in enumerate(schema.names):  # text columns: string, even when all missing
        if frame[name].dtype == object:
            schema = schema.set(i, schema.field(i).with_type(pa.string()))
        elif frame[name].dtype == np.float32:  # answers kept compact in memory: float64 on disk
            schema = schema.set(i, schema.field(i).with_type(pa.float64()))
    with pq.ParquetWriter(path, schema, compression="zstd", write_statistics=True) as writer:
        for start in range(0, max(len(frame), 1), ROW_GROUP):
            chunk = frame.iloc[start : start + ROW_GROUP]
            writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))


def _private(path: Path) -> None:
    os.chmod(path, 0o600)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells starting with ``= + - @``, a tab or a carriage return get a leading ``'``
    (OWASP's advice against CSV injection), so a spreadsheet shows them as text."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            s = out[c].astype(object)
            text = s.where(s.notna(), "").astype(str)
            lead = text.str.startswith(FORMULA_LEAD).to_numpy(dtype=bool)
            if lead.any():
                s = s.copy()
                s[lead] = "'" + text[lead]
                out[c] = s
    return out


def _previous_manifest(out: Path) -> dict[str, Any] | None:
    folder = versions.current_version(out)
    if folder is None:
        return None
    try:
        return json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def check_replacement(previous: dict[str, Any] | None, manifest: dict[str, Any], out: Path) -> None:
    """Refuse to replace an output whose tables would shrink suspiciously.

    Raises
    ------
    InputError
        A table that had rows would be empty, or the clients would fall by more than half.
    """
    if not previous:
        return
    old = {t: int(v.get("rows_written", 0)) for t, v in previous.get("tables", {}).items()}
    new = {t: int(v.get("rows_written", 0)) for t, v in manifest.get("tables", {}).items()}
    tail = (
        f"keluaran lama di {out} tidak diubah; periksa folder data mentah, atau ulangi dengan "
        "--allow-shrink bila memang disengaja"
    )
    for t, n_old in old.items():
        if n_old > 0 and new.get(t, 0) == 0:
            raise InputError(
                f"ETL dibatalkan: tabel {t} kosong padahal sebelumnya {n_old:,} baris; {tail}"
            )
    c_old, c_new = old.get("clients", 0), new.get("clients", 0)
    if c_old > 0 and c_new * 2 < c_old:
        raise InputError(
            f"ETL dibatalkan: jumlah klien turun dari {c_old:,} menjadi {c_new:,} (lebih dari "
            f"separuh); {tail}"
        )


def check_key_continuity(previous: dict[str, Any] | None, key: bytes | None, out: Path) -> None:
    """Refuse to write into an output made with another pseudonymisation key.

    Raises
    ------
    ConfigError
        The manifest in place records the fingerprint of a different key.
    """
    if not previous or key is None:
        return
    recorded = previous.get("key_fingerprint")
    if not fingerprint_matches(key, recorded):
        raise ConfigError(
            f"ETL dibatalkan: {out} dibuat dengan kunci pseudonimisasi lain (sidik {recorded}); "
            "pakai kunci yang sama (lihat README, bagian kunci), atau ulangi dengan --rekey "
            "bila memang ingin memulai client_id baru"
        )


def _mask_names(rejects: pd.DataFrame, manifest: dict[str, Any]) -> pd.DataFrame:
    for f in manifest.get("files", []):
        f["path"] = scrub.mask_name(f["path"])
        if f.get("reason"):  # why a file was unreadable may quote its name
            f["reason"] = scrub.mask_name(f["reason"])
        for s in f.get("sheets", []):
            if s.get("sheet"):
                s["sheet"] = scrub.mask_name(s["sheet"])
    if not len(rejects):
        return rejects
    return rejects.assign(
        source_file=rejects["source_file"].map(scrub.mask_name, na_action="ignore"),
        sheet=rejects["sheet"].map(scrub.mask_name, na_action="ignore"),
    )


def write_outputs(
    out: Path,
    tables: dict[str, pd.DataFrame],
    rejects: pd.DataFrame,
    manifest: dict[str, Any],
    *,
    key: bytes | None = None,
    allow_shrink: bool = False,
    rekey: bool = False,
    show_reject_values: bool = False,
) -> Path:
    """Check, write and publish the run's outputs as a new version of ``out``.

    ``manifest`` gets its file and sheet names masked in place (the caller's summary then
    prints the masked names too). See :func:`write_run` for the checks and errors.
    """

    def produce(write_table: Callable[[str, pd.DataFrame], None]):
        for name, frame in tables.items():
            write_table(name, frame)
        return rejects, manifest

    return write_run(
        out,
        produce,
        key=key,
        allow_shrink=allow_shrink,
        rekey=rekey,
        show_reject_values=show_reject_values,
    )


def write_run(
    out: Path,
    produce: Callable[[Callable[[str, pd.DataFrame], None]], tuple[pd.DataFrame, dict]],
    *,
    key: bytes | None = None,
    allow_shrink: bool = False,
    rekey: bool = False,
    show_reject_values: bool = False,
) -> Path:
    """Produce, check and publish a run's outputs as a new version of ``out``.

    ``produce(write_table)`` makes the run's tables, handing each to ``write_table(name,
    frame)`` as soon as it is made (so that a finished table need not stay in memory), and
    returns the rejects and the manifest. It runs under the output's lock, after the key
    check; the new version is published only when the result passes the shrink check,
    otherwise it is removed and the output in place stays as it was. The manifest gets its
    file and sheet names masked in place.

    Returns
    -------
    Path
        The published version folder (``out`` points at it).

    Raises
    ------
    InputError
        The result would shrink the output in place (see :func:`check_replacement`).
    ConfigError
        Another key made the output in place, or another run holds the output's lock.
    """
    out = Path(out)

    def fill(folder: Path) -> None:
        def write_table(name: str, frame: pd.DataFrame) -> None:
            _parquet(frame, folder / f"{name}.parquet")
            _private(folder / f"{name}.parquet")

        rejects, manifest = produce(write_table)
        if not allow_shrink:
            check_replacement(previous, manifest, out)
        _write_rejects(folder, rejects, manifest, show_reject_values)

    with versions.output_lock(out):
        versions.remove_stale(out)
        previous = _previous_manifest(out)
        if not rekey:
            check_key_continuity(previous, key, out)
        return versions.publish_version(out, fill)


def _write_rejects(
    folder: Path, rejects: pd.DataFrame, manifest: dict[str, Any], show_reject_values: bool
) -> None:
    """Rejects (Parquet and CSV, values described or masked) and the manifest."""
    rejects = _mask_names(rejects, manifest)
    if len(rejects):
        rejects = rejects.assign(
            value=scrub.describe_values(
                rejects["value"], rejects["reason"], show=show_reject_values
            ).astype(object)
        )
    manifest.setdefault("rejects", {})["values"] = "shown" if show_reject_values else "described"
    _parquet(rejects, folder / "rejects.parquet")
    _private(folder / "rejects.parquet")
    neutralise_formulas(rejects).to_csv(
        folder / "rejects.csv", index=False, encoding="utf-8-sig", lineterminator="\n"
    )
    _private(folder / "rejects.csv")
    (folder / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", "utf-8"
    )
    _private(folder / "manifest.json")
