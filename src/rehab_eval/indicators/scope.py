"""What an indicator table covers: the selection (facility, Kanwil / province), the years
present, and the end of follow-up."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from rehab_eval.errors import InputError
from rehab_eval.etl.processed import table, table_columns, tables
from rehab_eval.indicators.declaration import IndicatorSet

__all__ = ["end_of_data", "select_scope", "years_present"]


def end_of_data(data: Any) -> pd.Timestamp:
    """The latest date observed in the processed tables (the default end of follow-up).

    Observations only: events, urine tests, contacts, assessments and enrollment dates; not
    release dates, which may be planned ones.
    """
    latest = []
    for name, columns in (
        ("events", ["date"]),
        ("urine_tests", ["date"]),
        ("contacts", ["date"]),
        ("assessments", ["date"]),
        ("enrollments", ["start_date", "end_date"]),
    ):
        if table_columns(data, name) is None:
            continue
        frame = table(data, name, keep=columns)  # only the date columns are read
        for c in columns:
            if c in frame.columns and len(frame):
                latest.append(pd.to_datetime(frame[c], errors="coerce").max())
    latest = [d for d in latest if pd.notna(d)]
    if not latest:
        raise InputError("the processed data hold no dates; give end_date explicitly.")
    return max(latest).normalize()


def _canonical_facilities(names: str | list[str]) -> list[str]:
    """Facility names as the ETL writes them ("Bapas Semarang" -> "Bapas Kelas I Semarang")."""
    from rehab_eval.etl.facilities import FacilityResolver

    resolver = FacilityResolver()
    out = []
    for name in [names] if isinstance(names, str) else list(names):
        found = resolver.resolve(name)
        out.append(found.name if found is not None and found.known else name)
    return out


def select_scope(data: Any, facility: Any, province: Any, lang: str = "id") -> tuple[Any, str]:
    """The processed data restricted to the facility or province, and the selection in words."""
    if facility is None and province is None:
        return data, "all facilities" if lang == "en" else "semua fasilitas"
    from rehab_eval.cohort import enrollment_facility, select

    parts = []
    if facility is not None:
        facility = _canonical_facilities(facility)
    if province is not None:
        province = [province] if isinstance(province, str) else list(province)
        # a Kanwil is named after its province: "Kanwil Sumatera Selatan" -> "Sumatera Selatan"
        province = [re.sub(r"(?i)^\s*kanwil\s+(ditjenpas\s+|kemenkumham\s+)?", "", p)
                    for p in province]  # fmt: skip
        parts.append(("province " if lang == "en" else "provinsi ") + ", ".join(province))
    if facility is not None:
        parts.append(", ".join(facility))
    chosen = select(data, facility=facility, province=province)
    if len(table(chosen, "enrollments")) == 0:
        if facility is not None:
            known = sorted({str(f) for f in enrollment_facility(data).dropna()})
            what = f"fasilitas {', '.join(facility)}"
        else:
            clients = tables(data).get("clients")
            col = clients["province"] if clients is not None and "province" in clients else []
            known = sorted({str(p) for p in pd.Series(col).dropna()})
            what = f"provinsi {', '.join(province)}"
        raise InputError(
            f"{what} tidak ada dalam data; pilih salah satu dari: {'; '.join(known) or '-'}."
        )
    return chosen, "; ".join(parts)


def years_present(data: Any, ind_set: IndicatorSet, year: int) -> list[int]:
    found = set()

    def dates(name: str, column: str) -> pd.Series | None:  # only that column is read
        if column not in (table_columns(data, name) or []):
            return None
        return pd.to_datetime(table(data, name, keep=[column])[column], errors="coerce")

    en = dates("enrollments", "start_date")
    if en is not None:
        found |= set(en.dt.year.dropna())
    cl = dates("clients", "release_date")
    if cl is not None and any(i.period == "release_date" for i in ind_set.indicators):
        found |= set(cl.dt.year.dropna())
    sc = dates("scores", "date")
    if sc is not None:
        found |= set(sc.dt.year.dropna())
    return sorted({int(y) for y in found if y <= year} | {year})
