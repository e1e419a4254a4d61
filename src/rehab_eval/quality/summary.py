"""Data-quality figures from the ETL's manifest and rejects: per file, per facility, per
reason, and over several ETL runs.

Every figure comes from ``manifest.json`` (rows read, accepted, rejected, duplicates per
sheet, which add up) and ``rejects.csv`` / ``rejects.parquet``; nothing re-reads the data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehab_eval.errors import InputError
from rehab_eval.quality.facility import facility_of_path, reject_facilities
from rehab_eval.quality.reasons import explain, quality_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "COUNTS",
    "facility_summary",
    "file_summary",
    "load_manifest",
    "load_rejects",
    "quality_trend",
    "reason_summary",
    "reason_trend",
]

COUNTS = ("rows_read", "rows_accepted", "rows_rejected", "rows_duplicate", "cells_rejected")


def load_manifest(processed: str | Path) -> dict[str, Any]:
    """The ``manifest.json`` of an ETL output folder (or the file itself)."""
    path = Path(processed)
    if path.is_dir():
        path = path / "manifest.json"
    if not path.is_file():
        raise InputError(
            f"{path}: tidak ada manifest.json; jalankan dulu rehab-eval etl --raw … --out …"
        )
    try:
        return json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: manifest.json rusak (baris {exc.lineno}); jalankan ETL ulang"
        ) from None


def load_rejects(processed: str | Path) -> pd.DataFrame:
    """The rejects of an ETL output folder (Parquet, else CSV), values as text."""
    import pandas as pd

    folder = Path(processed)
    if (folder / "rejects.parquet").is_file():
        frame = pd.read_parquet(folder / "rejects.parquet")
    elif (folder / "rejects.csv").is_file():
        frame = pd.read_csv(folder / "rejects.csv", dtype=str, keep_default_na=False)
        frame["source_row"] = pd.to_numeric(frame["source_row"], errors="coerce").astype("Int64")
    else:
        raise InputError(f"{folder}: tidak ada rejects.parquet atau rejects.csv; jalankan ETL")
    for c in ("source_file", "sheet", "column", "value", "reason"):
        frame[c] = frame[c].astype(object).where(frame[c].notna(), "").astype(str)
    return frame


def _unknown(lang: str) -> str:
    return quality_text("unknown_facility", lang)


def file_summary(
    manifest: Mapping[str, Any],
    rejects: pd.DataFrame | None = None,
    *,
    facilities: Mapping[str, str] | None = None,
    lang: str = "id",
) -> pd.DataFrame:
    """Rows read, accepted, rejected and dropped as duplicates, per file and sheet.

    Parameters
    ----------
    manifest : mapping
        The ETL's manifest (:func:`load_manifest`).
    rejects : pandas.DataFrame, optional
        The rejects; with ``facilities`` unset, a file's facility is the one most of its
        rejects belong to (see :func:`reject_facilities`), else the one its path names.
    facilities : mapping, optional
        File → facility, overriding the above.
    lang : {"id", "en"}
        Language of the "facility unknown" label.

    Returns
    -------
    pandas.DataFrame
        One row per data sheet of every read file: ``facility``, ``source_file``, ``sheet``,
        ``table``, ``rows_read``, ``rows_accepted``, ``rows_rejected``, ``rows_duplicate``,
        ``cells_rejected``, ``share_rejected`` (rejected / read; NaN for an empty sheet).
        Unreadable files and sheets that are not data are left out.
    """
    import numpy as np
    import pandas as pd

    fac = dict(facilities or {})
    if rejects is not None and len(rejects) and "facility" in rejects.columns:
        for f, g in rejects.groupby("source_file", sort=False)["facility"]:
            fac.setdefault(str(f), g.value_counts().index[0])
    rows = []
    for entry in manifest.get("files", []):
        path = entry["path"]
        for s in entry.get("sheets", []):
            if s.get("table") is None:
                continue
            rows.append(
                {
                    "facility": fac.get(path) or facility_of_path(path, _unknown(lang)),
                    "source_file": path,
                    "sheet": s.get("sheet", ""),
                    "table": s["table"],
                    **{k: int(s.get(k, 0)) for k in COUNTS},
                }
            )
    cols = ["facility", "source_file", "sheet", "table", *COUNTS]
    out = pd.DataFrame(rows, columns=cols)
    for k in COUNTS:
        out[k] = out[k].astype("int64")
    read = out["rows_read"].to_numpy(dtype=float)
    out["share_rejected"] = np.divide(
        out["rows_rejected"].to_numpy(dtype=float), read, out=np.full(len(out), np.nan),
        where=read > 0,
    )  # fmt: skip
    return out


def facility_summary(files: pd.DataFrame) -> pd.DataFrame:
    """:func:`file_summary` added up per facility.

    Returns
    -------
    pandas.DataFrame
        One row per facility (sorted): ``facility``, ``files`` (number of files),
        ``rows_read``, ``rows_accepted``, ``rows_rejected``, ``rows_duplicate``,
        ``cells_rejected``, ``share_rejected``.
    """
    import numpy as np
    import pandas as pd

    if not len(files):
        return pd.DataFrame(columns=["facility", "files", *COUNTS, "share_rejected"])
    g = files.groupby("facility", sort=True)
    out = g[list(COUNTS)].sum().reset_index()
    out.insert(1, "files", g["source_file"].nunique().to_numpy())
    read = out["rows_read"].to_numpy(dtype=float)
    out["share_rejected"] = np.divide(
        out["rows_rejected"].to_numpy(dtype=float), read, out=np.full(len(out), np.nan),
        where=read > 0,
    )  # fmt: skip
    return out


def reason_summary(
    rejects: pd.DataFrame,
    *,
    facility: pd.Series | None = None,
    raw: str | Path | None = None,
    lang: str = "id",
) -> pd.DataFrame:
    """Rejects counted per facility and reason, with the reason in words and its fix.

    Parameters
    ----------
    rejects : pandas.DataFrame
        The ETL's rejects.
    facility : pandas.Series, optional
        Facility per reject row (default :func:`reject_facilities` with ``raw``).
    raw : path, optional
        The raw folder, to read each rejected row's own facility.
    lang : {"id", "en"}

    Returns
    -------
    pandas.DataFrame
        One row per facility and reason, most frequent first within a facility:
        ``facility``, ``reason`` (the ETL's code), ``n`` (reject rows), ``text``, ``hint``.
    """
    import pandas as pd

    cols = ["facility", "reason", "n", "text", "hint"]
    if not len(rejects):
        return pd.DataFrame(columns=cols)
    fac = (
        facility
        if facility is not None
        else reject_facilities(rejects, raw=raw, unknown=_unknown(lang))
    )
    counts = (
        pd.DataFrame({"facility": fac.to_numpy(dtype=object), "reason": rejects["reason"]})
        .value_counts()
        .rename("n")
        .reset_index()
    )
    counts = counts.sort_values(["facility", "n", "reason"], ascending=[True, False, True])
    words = {r: explain(r, lang) for r in counts["reason"].unique()}
    counts["text"] = counts["reason"].map(lambda r: words[r][0])
    counts["hint"] = counts["reason"].map(lambda r: words[r][1])
    return counts[cols].reset_index(drop=True)


def _manifests(manifests: Iterable[Any]) -> list[dict[str, Any]]:
    out = []
    for m in manifests:
        if isinstance(m, Mapping):
            out.append(dict(m))
            continue
        p = Path(m)
        found = sorted(p.rglob("manifest.json")) if p.is_dir() else [p]
        if p.is_dir() and not found:
            raise InputError(f"{p}: tidak ada manifest.json di folder ini")
        out += [load_manifest(f) for f in found]
    return out


def quality_trend(
    manifests: Iterable[Any], *, by: str | None = None, lang: str = "id"
) -> pd.DataFrame:
    """Rows read, accepted, rejected and duplicated per ETL run, in run order.

    Parameters
    ----------
    manifests : iterable
        Manifests (mappings), ``manifest.json`` files, or folders searched for them.
    by : {None, "facility"}
        ``"facility"``: one row per run and facility (the facility a file's path names).
    lang : {"id", "en"}

    Returns
    -------
    pandas.DataFrame
        ``run_time`` (UTC timestamp), ``as_of`` (the run's reference date), [``facility``],
        ``files``, ``rows_read``, ``rows_accepted``, ``rows_rejected``, ``rows_duplicate``,
        ``cells_rejected``, ``share_rejected``; sorted by ``run_time``.
    """
    import pandas as pd

    if by not in (None, "facility"):
        raise InputError(f"by={by!r}: pilih None atau 'facility'")
    frames = []
    for m in _manifests(manifests):
        files = file_summary(m, lang=lang)
        if not by:
            files = files.assign(facility="")
        g = files.groupby("facility", sort=True)
        part = g[list(COUNTS)].sum()
        part["files"] = g["source_file"].nunique()
        part = part.reset_index()
        if not len(part):  # a run that read no data sheet
            part = pd.DataFrame([{"facility": "", **dict.fromkeys((*COUNTS, "files"), 0)}])
        part["run_time"] = pd.Timestamp(m.get("run_time"))
        part["as_of"] = pd.Timestamp(m["as_of"]) if m.get("as_of") else pd.NaT
        frames.append(part)
    cols = ["run_time", "as_of", *(["facility"] if by else []), "files", *COUNTS]
    if not frames:
        return pd.DataFrame(columns=[*cols, "share_rejected"])
    out = pd.concat(frames, ignore_index=True)
    out = out[[c for c in cols if c in out.columns]]
    for k in (*COUNTS, "files"):
        out[k] = out[k].astype("int64")
    read = out["rows_read"].astype(float)
    out["share_rejected"] = (out["rows_rejected"] / read.where(read > 0)).astype(float)
    order = ["run_time", *(["facility"] if by else [])]
    return out.sort_values(order, kind="mergesort").reset_index(drop=True)


def reason_trend(manifests: Iterable[Any], *, lang: str = "id") -> pd.DataFrame:
    """Reject rows per reason and ETL run, from the manifests' ``rejects.by_reason``.

    Returns
    -------
    pandas.DataFrame
        ``run_time``, ``reason`` (code), ``text``, ``n``; sorted by run and reason.
    """
    import pandas as pd

    rows = [
        {"run_time": pd.Timestamp(m.get("run_time")), "reason": r, "text": explain(r, lang)[0],
         "n": int(n)}
        for m in _manifests(manifests)
        for r, n in (m.get("rejects", {}).get("by_reason") or {}).items()
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=["run_time", "reason", "text", "n"])
    return out.sort_values(["run_time", "reason"], kind="mergesort").reset_index(drop=True)
