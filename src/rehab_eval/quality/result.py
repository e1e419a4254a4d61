"""``assess_quality``: every data-quality figure of one ETL output in one result object.

What a data-quality report shows, computed once: rows per file and per facility, rejects per
facility and reason in words, the rows to fix, and the trend over earlier runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehab_eval.quality.facility import reject_facilities
from rehab_eval.quality.fixlist import rows_to_fix
from rehab_eval.quality.reasons import quality_text
from rehab_eval.quality.summary import (
    facility_summary,
    file_summary,
    load_manifest,
    load_rejects,
    quality_trend,
    reason_summary,
    reason_trend,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DataQuality", "assess_quality"]


@dataclass(frozen=True)
class DataQuality:
    """Data quality of one ETL output.

    ``table`` (= ``files``) has one row per data sheet, ``summary`` (= ``facilities``) one
    per facility (see :func:`~rehab_eval.quality.file_summary` and
    :func:`~rehab_eval.quality.facility_summary`); ``reasons`` counts rejects per facility
    and reason with the text and fix hint; ``fixes`` lists every reject in words with its
    value masked; ``trend`` and ``reason_trend`` cover the runs given as history plus this
    one; ``unknown_facilities`` are the facility names the ETL kept as written.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    reasons: pd.DataFrame
    fixes: pd.DataFrame
    trend: pd.DataFrame
    reason_trend: pd.DataFrame
    unknown_facilities: tuple[str, ...] = ()
    as_of: str = ""
    lang: str = "id"

    @property
    def files(self) -> pd.DataFrame:
        return self.table

    @property
    def facilities(self) -> pd.DataFrame:
        return self.summary

    def __repr__(self) -> str:
        t = self.table
        return (
            f"DataQuality(as_of={self.as_of!r}, files={t['source_file'].nunique()}, "
            f"facilities={len(self.summary)}, rows_read={int(t['rows_read'].sum())}, "
            f"rows_rejected={int(t['rows_rejected'].sum())}, rejects={len(self.fixes)}, "
            f"runs={len(self.trend)})"
        )

    def _repr_html_(self) -> str:
        return f"<p>{self!r}</p>" + self.summary.to_html(index=False)


def assess_quality(
    processed: str | Path,
    *,
    raw: str | Path | None = None,
    history: Iterable[Any] = (),
    lang: str = "id",
) -> DataQuality:
    """Data-quality figures of one ETL output folder.

    Parameters
    ----------
    processed : path
        The ETL's output folder (``manifest.json`` and the rejects).
    raw : path, optional
        The raw folder the ETL read, to tell the facility of each rejected row.
    history : iterable, optional
        Earlier manifests (mappings, files or folders) for the trend; this run is added.
    lang : {"id", "en"}

    Returns
    -------
    DataQuality
    """
    manifest = load_manifest(processed)
    rejects = load_rejects(processed)
    unknown = quality_text("unknown_facility", lang)
    fac = reject_facilities(rejects, raw=raw, unknown=unknown)
    fixes = rows_to_fix(rejects, facility=fac, lang=lang)
    # rows read per file go to the facility the file's path names (a provincial file that
    # mixes offices stays one entry); rejects and fixes go to each row's own facility
    files = file_summary(manifest, lang=lang)
    runs = [*history, manifest]
    return DataQuality(
        table=files,
        summary=facility_summary(files),
        reasons=reason_summary(rejects, facility=fac, lang=lang),
        fixes=fixes,
        trend=quality_trend(runs, lang=lang),
        reason_trend=reason_trend(runs, lang=lang),
        unknown_facilities=tuple(manifest.get("unknown_facilities", ())),
        as_of=str(manifest.get("as_of", "")),
        lang=lang,
    )
