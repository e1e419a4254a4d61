"""``run_etl``: raw exports → canonical Parquet tables, rejects and a manifest, atomically.

Every data row of a recognised sheet ends in exactly one place: its canonical table
(accepted), ``rejects`` (rejected whole, one reject row per raw row) or the duplicate count
(an exact duplicate of an accepted row: equal in every canonical column, facility included).
A bad cell in an accepted row becomes missing and is listed in ``rejects`` too. The
manifest's per-sheet counts add up: ``rows_read = rows_accepted + rows_rejected +
rows_duplicate``, and every row under a header is read, empty, a totals row or a note row
(``Keterangan: …``, a signature block). Every file under the raw folder is listed: read
(with its sheets; summary, lookup and hidden sheets listed as skipped) or not read with the
reason. File names, sheet names and the headers of unrecognised sheets are masked where they
hold an identifier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from rehab_eval import vocab
from rehab_eval.errors import ConfigError, DataQualityWarning, InputError
from rehab_eval.etl._codes import compact_frame
from rehab_eval.etl.assemble import TABLES, assemble
from rehab_eval.etl.containers import Limits, Unread, open_raw_files
from rehab_eval.etl.extract import SheetContext, extract_sheet
from rehab_eval.etl.facilities import FacilityResolver
from rehab_eval.etl.headers import load_aliases, map_headers, recognise_table
from rehab_eval.etl.identity import (
    load_key,
)
from rehab_eval.etl.masking import IdentityMasker
from rehab_eval.etl.read import RawTable, read_raw
from rehab_eval.etl.runinfo import count_sheets, run_manifest
from rehab_eval.etl.textcol import release_arrow_memory
from rehab_eval.etl.write import write_run

__all__ = ["EtlResult", "Limits", "load_config", "run_etl", "sheet_skip_reason"]

log = logging.getLogger("rehab_eval.etl")
REJECT_COLUMNS = list(vocab.TABLES["rejects"])


@dataclass(frozen=True)
class EtlResult:
    """Outcome of one ETL run (the manifest plus the figures the CLI prints)."""

    manifest: dict[str, Any]
    out: Path
    table_rows: dict[str, int]
    rejects_by_reason: dict[str, int]
    unknown_facilities: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Short data-quality summary: rows per table, rejects by reason, unknown facilities."""
        files = self.manifest["files"]
        unread = [f for f in files if f["status"] == "unreadable"]
        ignored = [f["path"] for f in files if f["status"] == "ignored"]
        n_read = sum(f["status"] == "read" for f in files)
        lines = [f"ETL → {self.out}: {n_read} file(s) read, {len(unread)} unreadable"]
        lines += [f"  unreadable: {f['path']} ({f.get('reason', '')})" for f in unread]
        if ignored:
            lines.append("  ignored (lock, hidden or system files): " + "; ".join(ignored))
        lines.append("  rows: " + ", ".join(f"{t} {n}" for t, n in self.table_rows.items()))
        if self.rejects_by_reason:
            lines.append(
                "  rejects: "
                + ", ".join(f"{r} {n}" for r, n in sorted(self.rejects_by_reason.items()))
            )
        else:
            lines.append("  rejects: none")
        totals = self.manifest.get("totals", {})
        lines.append(f"  exact duplicates dropped: {totals.get('rows_duplicate', 0)}")
        if totals.get("clients_moved"):
            lines.append(
                f"  clients seen in two or more facilities (moved): {totals['clients_moved']}"
            )
        if totals.get("rows_notes"):
            lines.append(f"  note rows under the data: {totals['rows_notes']}")
        if self.unknown_facilities:
            lines.append("  unknown facilities: " + "; ".join(self.unknown_facilities))
        for status, title in (
            ("skipped", "sheets skipped"),
            ("not recognised", "sheets not recognised"),
        ):
            got = [
                f"{f['path']}{'#' + s['sheet'] if s['sheet'] else ''} ({s.get('problem', '')})"
                for f in files
                for s in f.get("sheets", [])
                if s.get("status") == status
            ]
            if got:
                lines.append(f"  {title}: " + "; ".join(got))
        return "\n".join(lines)


def load_config(path: str | Path | None) -> dict[str, Any]:
    """Read the optional YAML or TOML config: ``header_aliases``, ``facility_aliases``,
    ``values`` (extra spellings per vocabulary), ``as_of`` and ``limits`` (``max_file_mb``,
    ``max_cells``: see :class:`~rehab_eval.etl.containers.Limits`)."""
    if path is None:
        return {}
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file {p} does not exist")
    try:
        if p.suffix.lower() == ".toml":
            import tomllib

            data = tomllib.loads(p.read_text("utf-8"))
        else:
            import yaml

            data = yaml.safe_load(p.read_text("utf-8")) or {}
    except Exception as exc:
        raise ConfigError(
            f"config file {p} cannot be parsed ({type(exc).__name__}: {exc})"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {p} must hold a mapping at the top level")
    known = {"header_aliases", "facility_aliases", "values", "as_of", "limits"}
    extra = set(data) - known
    if extra:
        raise ConfigError(f"config file {p}: unknown keys {sorted(extra)}; known: {sorted(known)}")
    return data


def _sha256(data: bytes | Path) -> str:
    h = hashlib.sha256()
    if isinstance(data, bytes):
        h.update(data)
        return h.hexdigest()
    with data.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"as_of {value!r} is not a date (YYYY-MM-DD)") from None


class _CompactParts(list):
    """One table's extracted sheet frames, each kept in compact dtypes as it is added (NIKs
    as integers, repeating text as categoricals: :func:`rehab_eval.etl._codes.compact_frame`),
    so that a run's rows cost less memory until they are assembled."""

    def append(self, frame: pd.DataFrame) -> None:
        super().append(compact_frame(frame))


@dataclass
class _Accumulated:
    """What the sheets of a run add up to, before assembly (replaces loose locals)."""

    parts: dict[str, list[pd.DataFrame]]
    cells: list[pd.DataFrame] = field(default_factory=list)
    sheet_info: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    headers_of: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    sheet_meta: list[tuple[str, str, str, str]] = field(default_factory=list)


_SUMMARY_SHEET = re.compile(
    r"^\s*(?:rekap|rekapitulasi|ringkasan|resume|summary|pivot|grafik|chart|diagram|statistik)",
    re.I,
)
_LOOKUP_SHEET = re.compile(
    r"^\s*(?:daftar|list|lookup|referensi|ref\b|master|pilihan|kode|codes?\b|validasi|"
    r"dropdown|petunjuk|instruksi|panduan|keterangan|legend)",
    re.I,
)


def sheet_skip_reason(rt: RawTable, hmap, rec) -> str | None:
    """Why a sheet is listed but not read as data (Bahasa Indonesia), or None to read it.

    Summary and pivot sheets (``Rekap``, ``Rekapitulasi``), lookup lists of valid values and
    hidden sheets that hold no recognised table are not data; nor is a sheet whose
    recognised table has no identifier column at all when its name says it is a summary.
    """
    name = rt.sheet or ""
    ids = {"nik", "register_no", "name"} & set(hmap.fields.values())
    if _SUMMARY_SHEET.match(name) and not ({"nik", "register_no"} & ids):
        return "lembar ringkasan/rekap, bukan data per klien"
    if _LOOKUP_SHEET.match(name) and not ids:
        return "daftar nilai/referensi, bukan data"
    if rt.hidden and (rec.table is None or not ids):
        return "lembar tersembunyi tanpa tabel yang dikenali"
    return None


def run_etl(
    raw: str | Path,
    out: str | Path,
    *,
    config: str | Path | None = None,
    secret: bytes | str | None = None,
    as_of: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    allow_shrink: bool = False,
    rekey: bool = False,
    show_reject_values: bool = False,
    limits: Limits | None = None,
) -> EtlResult:
    """Turn the raw exports under ``raw`` into canonical tables in ``out``.

    Parameters
    ----------
    raw
        Folder of raw exports, searched recursively: ``.xlsx``/``.xlsm``, ``.xls`` (also an
        HTML table saved under that name), ``.ods``, ``.csv``/``.tsv``/``.txt`` and ``.zip``
        archives of these. Every file is listed in the manifest, read or not read with why.
    out
        Output folder; replaced atomically when the run completes.
    config
        Optional YAML or TOML file with ``header_aliases``, ``facility_aliases``, ``values``,
        ``as_of`` and ``limits`` (``max_file_mb``, ``max_cells``).
    secret
        Pseudonymisation key; default ``REHAB_EVAL_SECRET`` or the key file.
    as_of
        Run date: assessments, tests, contacts and events after it are rejected
        (``future date``). Default: the config's ``as_of``, else today.
    progress
        Called with one line per file while reading.
    allow_shrink, rekey, show_reject_values
        Guards of the output in place and of the rejects' values: see
        :func:`rehab_eval.etl.write.write_outputs`.
    limits
        Resource caps (default: the config's ``limits``, else :class:`Limits` defaults).

    Returns
    -------
    EtlResult
        ``manifest``, ``out``, ``table_rows``, ``rejects_by_reason``, ``unknown_facilities``.

    Raises
    ------
    InputError
        ``raw`` does not exist, or no file under it could be read.
    """
    raw = Path(raw)
    out = Path(out)
    if not raw.is_dir():
        raise InputError(f"raw folder {raw} does not exist (give --raw the folder of exports)")
    cfg = load_config(config)
    as_of = as_of or _as_date(cfg.get("as_of")) or dt.date.today()
    limits = limits or Limits.from_config(cfg.get("limits"))
    key = load_key(secret)
    aliases = load_aliases(cfg.get("header_aliases"))
    ctx = SheetContext(
        resolver=FacilityResolver(cfg.get("facility_aliases")),
        as_of=as_of,
        extra_values=cfg.get("values") or {},
        pivot=as_of.year % 100,
    )
    say = progress or (lambda line: None)
    acc = _Accumulated(parts={t: _CompactParts() for t in TABLES})
    manifest_files: list[dict[str, Any]] = []
    for item in open_raw_files(raw, limits):
        if isinstance(item, Unread):
            entry = _unread_entry(raw, item.rel, item.reason, item.archive, item.status)
        else:
            entry = _read_file(raw, item, aliases, limits, ctx, acc)
        manifest_files.append(entry)
        if entry["status"] == "read":
            n_rows = sum(s.get("rows_read", 0) for s in entry["sheets"])
            say(f"{entry['path']}: {len(entry['sheets'])} sheet(s), {n_rows} data rows")
        elif entry["status"] == "ignored":
            say(f"{entry['path']}: ignored ({entry['reason']})")
        else:
            say(f"{entry['path']}: not read ({entry['reason']})")
            log.warning("%s: not read (%s)", entry["path"], entry["reason"])
    n_read = sum(f["status"] == "read" for f in manifest_files)
    if n_read == 0:
        raise InputError(
            f"nothing could be read under {raw}: {len(manifest_files)} raw file(s) found, "
            "none readable"
        )
    fac_info = {f.name: f for f in ctx.resolver.resolved() if f is not None}
    got: dict[str, Any] = {}

    def produce(write_table):
        # each table is written as soon as it is assembled, then dropped
        done = assemble(
            acc.parts,
            acc.cells,
            acc.headers_of,
            key,
            as_of,
            acc.sheet_meta,
            fac_info,
            write=write_table,
        )
        rejects = count_sheets(acc.sheet_info, done.rejects, done.dup_counts)
        by_reason = {
            str(k): int(v) for k, v in rejects["reason"].value_counts().sort_index().items()
        }
        manifest = run_manifest(
            as_of, key, manifest_files, done.table_rows, rejects, by_reason, done.unknown, acc
        )
        manifest["totals"]["clients_moved"] = done.clients_moved
        got.update(manifest=manifest, by_reason=by_reason, unknown=done.unknown)
        return rejects, manifest

    write_run(
        out,
        produce,
        key=key,
        allow_shrink=allow_shrink,
        rekey=rekey,
        show_reject_values=show_reject_values,
    )
    log.info("ETL wrote %s", out)
    manifest = got["manifest"]
    table_rows = {t: v["rows_written"] for t, v in manifest["tables"].items()}
    return EtlResult(manifest, out, table_rows, got["by_reason"], got["unknown"])


def _unread_entry(
    raw: Path, rel: str, reason: str, archive: str | None, status: str = "unreadable"
) -> dict[str, Any]:
    masker = IdentityMasker()
    entry: dict[str, Any] = {"path": masker(rel)}
    if archive:
        entry["archive"] = masker(archive)
    elif (raw / rel).is_file():
        entry["sha256"] = _sha256(raw / rel)
    entry.update(status=status, reason=masker(reason), sheets=[])
    return entry


def _read_file(raw, rf, aliases, limits, ctx, acc: _Accumulated) -> dict[str, Any]:
    """Read one file's sheets into ``acc``; its manifest entry (read or unreadable)."""
    try:
        tables = read_raw(rf, aliases, limits)
    except InputError as exc:
        return _unread_entry(raw, rf.rel, str(exc), rf.archive)
    except MemoryError:
        return _unread_entry(
            raw, rf.rel, "memori tidak cukup untuk membaca berkas ini; pecah berkasnya", rf.archive
        )
    maps = [map_headers(rt.headers, aliases) for rt in tables]
    masker = IdentityMasker.from_tables(tables, maps)
    rel = masker(rf.rel)
    entry: dict[str, Any] = {"path": rel}
    if rf.archive:
        entry["archive"] = masker(rf.archive)
    entry["sha256"] = _sha256(rf.blob if rf.blob is not None else rf.path)
    entry["status"] = "read"
    if tables and tables[0].encoding:
        entry["encoding"] = tables[0].encoding
        entry["delimiter"] = tables[0].delimiter
    entry["sheets"] = [
        _read_sheet(rt, hmap, rel, masker, ctx, acc) for rt, hmap in zip(tables, maps, strict=True)
    ]
    del tables, maps  # the file's cells (Arrow buffers for a text file) go before the next
    release_arrow_memory()
    return entry


def _read_sheet(rt, hmap, rel, masker, ctx, acc: _Accumulated) -> dict[str, Any]:
    """Extract one sheet into ``acc`` (or list it as skipped); its manifest entry."""
    rec = recognise_table(hmap)
    sheet = masker(rt.sheet)
    if sheet != rt.sheet:
        rt.sheet = sheet
    skip = sheet_skip_reason(rt, hmap, rec)
    info: dict[str, Any] = {
        "sheet": sheet,
        "table": None if skip else rec.table,
        "header_row": rt.header_row,
        "hidden": rt.hidden,
    }
    if skip or rec.table is None:
        headers = [masker(h) for h in rt.headers if h]
        info.update(
            status="skipped" if skip else "not recognised",
            problem=skip or rec.problem,
            headers=headers,
            rows_unassigned=int(len(rt.body)),
        )
        if not skip and rt.header_row:
            warnings.warn(
                f"{rel}{' sheet ' + repr(sheet) if sheet else ''}: {rec.problem}; "
                f"headers {headers} (add aliases in the config file)",
                DataQualityWarning,
                stacklevel=3,
            )
        return info
    info.update(hmap.as_manifest())
    acc.sheet_meta.append((rel, sheet, _hdr(hmap, "nik"), _hdr(hmap, "register_no")))
    ex = extract_sheet(rt, hmap, rec.table, rel, ctx, sid=len(acc.sheet_meta) - 1)
    acc.parts[rec.table].append(ex.frame)
    acc.cells.append(ex.cell_rejects)
    info.update(
        status="read",
        numbering_column=ex.numbering_column,
        inferred=ex.inferred,
        rows_read=int(len(ex.frame)),
        rows_empty=ex.rows_empty,
        rows_totals=ex.rows_totals,
        rows_notes=ex.rows_notes,
    )
    acc.sheet_info[(rel, sheet)] = info
    acc.headers_of[(rel, sheet)] = {f: hmap.headers[p] for p, f in hmap.fields.items()}
    return info


def _hdr(hmap, field: str) -> str:
    p = hmap.column_of(field)
    return hmap.headers[p] if p is not None else ""
