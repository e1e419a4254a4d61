"""``run_etl``: raw exports → canonical Parquet tables, rejects and a manifest, atomically.

Every data row of a recognised sheet ends in exactly one place: its canonical table
(accepted), ``rejects`` (rejected whole, one reject row per raw row) or the duplicate count
(an exact duplicate of an accepted row). A bad cell in an accepted row becomes missing and is
listed in ``rejects`` too. The manifest's per-sheet counts add up:
``rows_read = rows_accepted + rows_rejected + rows_duplicate``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from rehab_eval import vocab
from rehab_eval._version import __version__
from rehab_eval.errors import ConfigError, DataQualityWarning, InputError
from rehab_eval.etl.assemble import TABLES, assemble
from rehab_eval.etl.extract import SheetContext, extract_sheet
from rehab_eval.etl.facilities import FacilityResolver
from rehab_eval.etl.headers import load_aliases, map_headers, recognise_table
from rehab_eval.etl.identity import (
    key_fingerprint,
    load_key,
    mask,
)
from rehab_eval.etl.read import SUFFIXES, read_container
from rehab_eval.etl.scrub import mask_file_name, mask_name
from rehab_eval.etl.write import write_outputs

__all__ = ["EtlResult", "load_config", "run_etl"]

log = logging.getLogger("rehab_eval.etl")
REJECT_COLUMNS = list(vocab.TABLES["rejects"])
_LONG_DIGITS = r"\d{10,}"


def _mask_match(m) -> str:
    return mask(m.group(0))


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
        unread = [f["path"] for f in files if f["status"] != "read"]
        lines = [
            f"ETL → {self.out}: {len(files) - len(unread)} file(s) read, {len(unread)} unreadable"
        ]
        lines += [f"  unreadable: {p}" for p in unread]
        lines.append("  rows: " + ", ".join(f"{t} {n}" for t, n in self.table_rows.items()))
        if self.rejects_by_reason:
            lines.append(
                "  rejects: "
                + ", ".join(f"{r} {n}" for r, n in sorted(self.rejects_by_reason.items()))
            )
        else:
            lines.append("  rejects: none")
        dup = self.manifest.get("totals", {}).get("rows_duplicate", 0)
        lines.append(f"  exact duplicates dropped: {dup}")
        if self.unknown_facilities:
            lines.append("  unknown facilities: " + "; ".join(self.unknown_facilities))
        unrec = [
            f"{f['path']}{'#' + s['sheet'] if s['sheet'] else ''}"
            for f in files
            for s in f.get("sheets", [])
            if s.get("table") is None
        ]
        if unrec:
            lines.append("  sheets not recognised: " + "; ".join(unrec))
        return "\n".join(lines)


def load_config(path: str | Path | None) -> dict[str, Any]:
    """Read the optional YAML or TOML config: ``header_aliases``, ``facility_aliases``,
    ``values`` (extra spellings per vocabulary) and ``as_of``."""
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
    known = {"header_aliases", "facility_aliases", "values", "as_of"}
    extra = set(data) - known
    if extra:
        raise ConfigError(f"config file {p}: unknown keys {sorted(extra)}; known: {sorted(known)}")
    return data


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files(raw: Path) -> list[Path]:
    return sorted(
        p
        for p in raw.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not p.name.startswith(("~$", "."))
        and not any(part.startswith(".") for part in p.relative_to(raw).parts[:-1])
    )


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"as_of {value!r} is not a date (YYYY-MM-DD)") from None


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
) -> EtlResult:
    """Turn the raw exports under ``raw`` into canonical tables in ``out``.

    Parameters
    ----------
    raw
        Folder of raw exports (``.xlsx``, ``.csv``, ``.tsv``, ``.txt``, searched recursively).
    out
        Output folder; replaced atomically when the run completes.
    config
        Optional YAML or TOML file with ``header_aliases``, ``facility_aliases``, ``values``
        and ``as_of``.
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
    key = load_key(secret)
    aliases = load_aliases(cfg.get("header_aliases"))
    ctx = SheetContext(
        resolver=FacilityResolver(cfg.get("facility_aliases")),
        as_of=as_of,
        extra_values=cfg.get("values") or {},
        pivot=as_of.year % 100,
    )
    say = progress or (lambda line: None)
    files = _files(raw)
    manifest_files: list[dict[str, Any]] = []
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    cells: list[pd.DataFrame] = []
    sheet_info: dict[tuple[str, str], dict[str, Any]] = {}
    headers_of: dict[tuple[str, str], dict[str, str]] = {}
    n_read = 0
    sheet_meta: list[tuple[str, str, str, str]] = []
    for path in files:
        rel = mask_name(path.relative_to(raw).as_posix())  # a NIK in a file name stays out
        entry: dict[str, Any] = {"path": rel, "sha256": _sha256(path)}
        try:
            tables = read_container(path, aliases)
            rel = entry["path"] = mask_file_name(rel, tables, aliases)  # a client's name, too
        except InputError as exc:
            entry.update(status="unreadable", reason=str(exc), sheets=[])
            manifest_files.append(entry)
            say(f"{rel}: unreadable ({exc})")
            log.warning("%s: unreadable (%s)", rel, exc)
            continue
        n_read += 1
        entry["status"] = "read"
        if tables and tables[0].encoding:
            entry["encoding"] = tables[0].encoding
            entry["delimiter"] = tables[0].delimiter
        sheets = []
        for rt in tables:
            hmap = map_headers(rt.headers, aliases)
            rec = recognise_table(hmap)
            info: dict[str, Any] = {
                "sheet": rt.sheet,
                "table": rec.table,
                "header_row": rt.header_row,
                **hmap.as_manifest(),
            }
            if rec.table is None:
                n_rows = int(len(rt.body))
                info.update(
                    problem=rec.problem,
                    headers=[h for h in rt.headers if h],
                    rows_unassigned=n_rows,
                )
                if rt.header_row:
                    warnings.warn(
                        f"{rel}{' sheet ' + repr(rt.sheet) if rt.sheet else ''}: {rec.problem}; "
                        f"headers {[h for h in rt.headers if h]} (add aliases in the config file)",
                        DataQualityWarning,
                        stacklevel=2,
                    )
                sheets.append(info)
                continue
            sheet_meta.append((rel, rt.sheet, _hdr(hmap, "nik"), _hdr(hmap, "register_no")))
            ex = extract_sheet(rt, hmap, rec.table, rel, ctx, sid=len(sheet_meta) - 1)
            parts[rec.table].append(ex.frame)
            cells.append(ex.cell_rejects)
            info.update(
                numbering_column=ex.numbering_column,
                inferred=ex.inferred,
                rows_read=int(len(ex.frame)),
                rows_empty=ex.rows_empty,
                rows_totals=ex.rows_totals,
            )
            sheet_info[(rel, rt.sheet)] = info
            headers_of[(rel, rt.sheet)] = {f: hmap.headers[p] for p, f in hmap.fields.items()}
            sheets.append(info)
        entry["sheets"] = sheets
        manifest_files.append(entry)
        n_rows = sum(s.get("rows_read", 0) for s in sheets)
        say(f"{rel}: {len(sheets)} sheet(s), {n_rows} data rows")
    if n_read == 0:
        raise InputError(
            f"nothing could be read under {raw}: {len(files)} raw file(s) found, none readable"
        )
    fac_info = {f.name: f for f in ctx.resolver.resolved() if f is not None}
    tables, rejects, dup_counts, unknown = assemble(
        parts, cells, headers_of, key, as_of, sheet_meta, fac_info
    )
    # per-sheet counts
    rej_counts = Counter(
        zip(rejects["_whole"].map(bool), rejects["source_file"], rejects["sheet"], strict=True)
    )
    for (rel, sheet), info in sheet_info.items():
        whole = rej_counts.get((True, rel, sheet), 0)
        dup = dup_counts.get((rel, sheet), 0)
        info["rows_rejected"] = whole
        info["rows_duplicate"] = dup
        info["rows_accepted"] = info["rows_read"] - whole - dup
        info["cells_rejected"] = rej_counts.get((False, rel, sheet), 0)
    rejects = rejects.drop(columns="_whole").assign(
        source_row=lambda r: r["source_row"].astype("Int64"),
        # a NIK-like number typed into another column is masked too
        value=lambda r: r["value"].astype(str).str.replace(_LONG_DIGITS, _mask_match, regex=True),
    )
    table_rows = {t: int(len(f)) for t, f in tables.items()}
    by_reason = {str(k): int(v) for k, v in rejects["reason"].value_counts().sort_index().items()}
    manifest = {
        "package": "rehab_eval",
        "version": __version__,
        "run_time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "as_of": as_of.isoformat(),
        "key_fingerprint": key_fingerprint(key),
        "files": manifest_files,
        "tables": {t: {"rows_written": n, "file": f"{t}.parquet"} for t, n in table_rows.items()},
        "rejects": {"rows_written": int(len(rejects)), "by_reason": by_reason},
        "unknown_facilities": unknown,
        "totals": {
            k: int(sum(i.get(k, 0) for i in sheet_info.values()))
            for k in (
                "rows_read",
                "rows_accepted",
                "rows_rejected",
                "rows_duplicate",
                "rows_empty",
                "rows_totals",
                "cells_rejected",
            )
        },
    }
    write_outputs(
        out,
        tables,
        rejects,
        manifest,
        key=key,
        allow_shrink=allow_shrink,
        rekey=rekey,
        show_reject_values=show_reject_values,
    )
    log.info("ETL wrote %s", out)
    return EtlResult(manifest, out, table_rows, by_reason, unknown)


def _hdr(hmap, field: str) -> str:
    p = hmap.column_of(field)
    return hmap.headers[p] if p is not None else ""
