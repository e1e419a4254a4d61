"""The indicator table as people read it: Indonesian (or English) headers, formatted cells."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from rehab_eval.errors import ConfigError
from rehab_eval.indicators.compute import Indicators, percent_text, year_on_year

__all__ = ["HEADERS", "display_table", "display_year_on_year", "example_targets"]

#: Column headers of the LAKIP table, by language.
HEADERS = {
    "id": {
        "no": "No",
        "indicator": "Indikator Kinerja",
        "target": "Target",
        "realisasi": "Realisasi",
        "capaian": "Capaian",
        "formula": "Formulasi Perhitungan",
        "ci": "IK 95%",
        "notes": "Keterangan",
        "year": "Tahun",
        "change": "Perubahan (poin persen)",
    },
    "en": {
        "no": "No",
        "indicator": "Performance indicator",
        "target": "Target",
        "realisasi": "Actual",
        "capaian": "Achievement",
        "formula": "Formula",
        "ci": "95% CI",
        "notes": "Notes",
        "year": "Year",
        "change": "Change (percentage points)",
    },
}


def example_targets() -> Path:
    """Path of the example targets file shipped with the package (``targets_example.yaml``)."""
    return Path(str(resources.files("rehab_eval.indicators") / "targets_example.yaml"))


def _lang(lang: str) -> dict[str, str]:
    if lang not in HEADERS:
        raise ConfigError(f"lang must be 'id' or 'en', got {lang!r}.")
    return HEADERS[lang]


def _names(t: pd.DataFrame, lang: str) -> list[str]:
    from rehab_eval.i18n import label

    out = []
    for name, sub, cat in zip(t["name"], t["label"], t["category"], strict=True):
        text = f"{name} ({sub})" if sub else name
        out.append(f"{text}: {label('level', cat, lang)}" if cat else text)
    return out


def _ci(low: Any, high: Any, lang: str, conf_level: float = 0.95) -> str:
    from rehab_eval.i18n import format_number

    if pd.isna(low) or pd.isna(high):
        return "–"
    return f"{format_number(low, 1, lang)}–{format_number(high, 1, lang)}%"


def display_table(
    result: Indicators | pd.DataFrame, *, year: int | None = None, lang: str | None = None
) -> pd.DataFrame:
    """The LAKIP-style table of one year as text cells, headed in the report's language.

    Parameters
    ----------
    result
        :class:`Indicators` (or its ``.table``).
    year
        The year to show (default: the report year of ``result``, else the latest).
    lang
        ``"id"``/``"en"`` (default: the result's language).

    Returns
    -------
    DataFrame
        One row per indicator (× category), all strings: No, Indikator Kinerja, Target,
        Realisasi, Capaian, Formulasi Perhitungan, IK 95%, Keterangan (English headers with
        ``lang="en"``). A missing target or capaian reads "–". Disclosure control is not
        applied here: the publication layer applies it to this frame before it is shown.
    """
    t = result.table if isinstance(result, Indicators) else result
    lang = lang or (result.lang if isinstance(result, Indicators) else "id")
    h = _lang(lang)
    if year is None:
        year = result.year if isinstance(result, Indicators) else int(t["year"].max())
    t = t[t["year"] == year].reset_index(drop=True)
    level = result.conf_level if isinstance(result, Indicators) else 0.95
    ci_header = h["ci"].replace("95", f"{level * 100:g}")
    return pd.DataFrame(
        {
            h["no"]: [str(i + 1) for i in range(len(t))],
            h["indicator"]: _names(t, lang),
            h["target"]: [percent_text(v, lang) for v in t["target"]],
            h["realisasi"]: [percent_text(v, lang) for v in t["realisasi"]],
            h["capaian"]: [percent_text(v, lang) for v in t["capaian"]],
            h["formula"]: list(t["formula"]),
            ci_header: [
                _ci(lo, hi, lang) for lo, hi in zip(t["ci_low"], t["ci_high"], strict=True)
            ],  # fmt: skip
            h["notes"]: [e or "–" for e in t["excluded"]],
        }
    )


def display_year_on_year(result: Indicators | pd.DataFrame, *, lang: str | None = None):
    """Year-on-year realisasi as text: one row per indicator (× category), one column per year.

    Returns
    -------
    DataFrame
        ``No``, ``Indikator Kinerja`` and one column per year holding "realisasi (x : n)",
        then the change from the previous year present to the last, in percentage points.
    """
    from rehab_eval.i18n import format_number

    t = result.table if isinstance(result, Indicators) else result
    lang = lang or (result.lang if isinstance(result, Indicators) else "id")
    h = _lang(lang)
    yoy = year_on_year(t)
    keys = list(dict.fromkeys(zip(yoy["indicator"], yoy["category"], strict=True)))
    years = sorted(set(yoy["year"]))
    rows = []
    for i, (ind, cat) in enumerate(keys):
        g = yoy[(yoy["indicator"] == ind) & (yoy["category"] == cat)].set_index("year")
        first = t[(t["indicator"] == ind) & (t["category"] == cat)].iloc[[0]]
        row = {h["no"]: str(i + 1), h["indicator"]: _names(first, lang)[0]}
        for y in years:
            row[str(y)] = (
                f"{percent_text(g.at[y, 'realisasi'], lang)} "
                f"({g.at[y, 'numerator']} : {g.at[y, 'denominator']})"
                if y in g.index
                else "–"
            )
        last = g["change_pp"].iloc[-1] if len(g) else float("nan")
        sign = "+" if pd.notna(last) and last > 0 else ""
        row[h["change"]] = sign + format_number(last, 1, lang)
        rows.append(row)
    return pd.DataFrame(rows)
