"""Rows to fix, one Excel workbook per facility, for the office to correct and re-send.

Each workbook lists the office's rejected rows and cells (file, sheet, row, column, masked
value, reason in words and how to fix it), the rows read / accepted / rejected / dropped as
duplicates per file, and the reasons counted. Values of identity columns (NIK, register
number, name, address) are masked and any long digit run is masked wherever it appears:
the workbook never carries an identity.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehab_eval.atomic import atomic_path
from rehab_eval.quality.facility import reject_facilities
from rehab_eval.quality.reasons import explain, quality_text
from rehab_eval.quality.summary import (
    COUNTS,
    file_summary,
    load_manifest,
    load_rejects,
    reason_summary,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["mask_value", "rows_to_fix", "write_fix_workbooks"]

_IDENTITY = {"nik", "register_no"}
_PERSONAL = {"name", "address", "ttl"}
_DIGITS = re.compile(r"\d{6,}")
FIX_COLUMNS = ["facility", "source_file", "sheet", "source_row", "column", "value", "reason",
               "text", "hint"]  # fmt: skip


def mask_value(value: object, column: str = "") -> str:
    """A reject value safe to show: NIK and register numbers masked (``************0001``),
    names and addresses hidden whole, runs of six or more digits masked elsewhere."""
    from rehab_eval.etl.headers import load_aliases, normalize_header
    from rehab_eval.etl.identity import mask

    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    field = load_aliases().get(normalize_header(column))
    if field in _PERSONAL:  # a name or an address: nothing of it is shown
        return "****"
    if field in _IDENTITY:  # masked again: an older run may have kept more digits
        return mask(text)
    return _DIGITS.sub(lambda m: mask(m.group()), text)


def rows_to_fix(
    rejects: pd.DataFrame,
    *,
    facility: pd.Series | None = None,
    raw: str | Path | None = None,
    lang: str = "id",
) -> pd.DataFrame:
    """The rejects as a list of fixes, in words.

    Parameters
    ----------
    rejects : pandas.DataFrame
        The ETL's rejects (:func:`~rehab_eval.quality.load_rejects`).
    facility : pandas.Series, optional
        Facility per reject row (default :func:`reject_facilities` with ``raw``).
    raw : path, optional
        The raw folder, to read each rejected row's own facility.
    lang : {"id", "en"}

    Returns
    -------
    pandas.DataFrame
        One row per reject, sorted by facility, file, sheet, row: ``facility``,
        ``source_file``, ``sheet``, ``source_row``, ``column`` (the raw header), ``value``
        (masked), ``reason`` (the ETL's code), ``text`` (the reason in words), ``hint`` (how
        to fix it).
    """
    import pandas as pd

    if not len(rejects):
        return pd.DataFrame(columns=FIX_COLUMNS)
    fac = (
        facility
        if facility is not None
        else reject_facilities(rejects, raw=raw, unknown=quality_text("unknown_facility", lang))
    )
    words = {r: explain(r, lang) for r in rejects["reason"].unique()}
    out = pd.DataFrame(
        {
            "facility": fac.to_numpy(dtype=object),
            "source_file": rejects["source_file"].to_numpy(dtype=object),
            "sheet": rejects["sheet"].to_numpy(dtype=object),
            "source_row": rejects["source_row"].astype("Int64").to_numpy(),
            "column": rejects["column"].to_numpy(dtype=object),
            "value": [
                mask_value(v, c) for v, c in zip(rejects["value"], rejects["column"], strict=True)
            ],
            "reason": rejects["reason"].to_numpy(dtype=object),
            "text": [words[r][0] for r in rejects["reason"]],
            "hint": [words[r][1] for r in rejects["reason"]],
        }
    )
    keys = ["facility", "source_file", "sheet", "source_row", "column"]
    return out.sort_values(keys, kind="mergesort").reset_index(drop=True)


def _slug(name: str) -> str:
    s = re.sub(r"[^0-9A-Za-z]+", "-", name).strip("-").lower()
    return s or "tanpa-nama"


def _cell(v: Any) -> Any:
    """A frame value as openpyxl takes it (missing → empty, numpy scalars → Python)."""
    import pandas as pd

    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def _sheet(wb: Any, title: str, frame: pd.DataFrame, headers: list[str]) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in frame.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for j, h in enumerate(headers, start=1):
        width = max([len(h), *(len(str(v)) for v in frame.iloc[:, j - 1])], default=len(h))
        ws.column_dimensions[ws.cell(1, j).column_letter].width = min(60, width + 2)
    ws.freeze_panes = "A2"


def write_fix_workbooks(
    processed: str | Path,
    out: str | Path,
    *,
    raw: str | Path | None = None,
    lang: str = "id",
) -> list[Path]:
    """Write one workbook of rows to fix per facility that has rejects.

    Parameters
    ----------
    processed : path
        The ETL's output folder (``manifest.json``, ``rejects.parquet`` or ``rejects.csv``).
    out : path
        Folder for the workbooks (``<facility>.xlsx``); created when missing.
    raw : path, optional
        The raw folder the ETL read, to tell the facility of each rejected row (otherwise
        the facility a file's path names, see :mod:`rehab_eval.quality.facility`).
    lang : {"id", "en"}

    Returns
    -------
    list of pathlib.Path
        The workbooks written, sorted by facility.
    """
    from openpyxl import Workbook

    manifest = load_manifest(processed)
    rejects = load_rejects(processed)
    unknown = quality_text("unknown_facility", lang)
    fac = reject_facilities(rejects, raw=raw, unknown=unknown)
    fixes = rows_to_fix(rejects, facility=fac, lang=lang)
    by_file = dict(zip(fixes["source_file"], fixes["facility"], strict=True))
    files = file_summary(manifest, facilities=by_file, lang=lang)
    reasons = reason_summary(rejects, facility=fac, lang=lang)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    def t(key: str) -> str:
        return quality_text(key, lang)

    fix_cols = ["source_file", "sheet", "source_row", "column", "value", "text", "hint"]
    fix_head = [t("col.reason") if c == "text" else t(f"col.{c}") for c in fix_cols]
    file_cols = ["source_file", "sheet", "table", *COUNTS]
    written = []
    for name in sorted(set(fixes["facility"])):
        wb = Workbook()
        wb.remove(wb.active)
        mine = fixes[fixes["facility"] == name]
        _sheet(wb, t("sheet.fix"), mine[fix_cols], fix_head)
        own = files["source_file"].isin(set(mine["source_file"])) | (files["facility"] == name)
        _sheet(wb, t("sheet.files"), files[own][file_cols], [t(f"col.{c}") for c in file_cols])
        mine_reasons = reasons[reasons["facility"] == name][["text", "n", "hint"]]
        _sheet(wb, t("sheet.reasons"), mine_reasons, [t("col.reason"), t("col.n"), t("col.hint")])
        ws = wb[t("sheet.fix")]
        ws.insert_rows(1)
        ws.cell(1, 1, f"{name}: {t('intro')}")
        ws.freeze_panes = "A3"
        path = out / f"{_slug(name)}.xlsx"
        _save(wb, path)
        written.append(path)
    return written


def _save(wb: Any, path: Path) -> None:
    with atomic_path(path) as tmp:
        wb.save(tmp)
