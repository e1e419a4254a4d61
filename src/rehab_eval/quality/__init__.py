"""Data quality fed back to the offices: rejects in words, per facility and file, over runs.

``rehab-eval quality --processed DIR --out DIR`` writes one workbook of rows to fix per
facility (:func:`write_fix_workbooks`); the other functions give the figures a data-quality
report shows.
"""

from rehab_eval.quality.facility import facility_of_path, reject_facilities
from rehab_eval.quality.fixlist import mask_value, rows_to_fix, write_fix_workbooks
from rehab_eval.quality.reasons import explain, quality_text, reason_texts, untranslated
from rehab_eval.quality.result import DataQuality, assess_quality
from rehab_eval.quality.summary import (
    facility_summary,
    file_summary,
    load_manifest,
    load_rejects,
    quality_trend,
    reason_summary,
    reason_trend,
)

__all__ = [
    "DataQuality",
    "assess_quality",
    "explain",
    "facility_of_path",
    "facility_summary",
    "file_summary",
    "load_manifest",
    "load_rejects",
    "mask_value",
    "quality_text",
    "quality_trend",
    "reason_summary",
    "reason_texts",
    "reason_trend",
    "reject_facilities",
    "rows_to_fix",
    "untranslated",
    "write_fix_workbooks",
]
