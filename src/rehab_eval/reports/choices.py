"""Report parameters checked against the processed data, before the notebook runs.

A parameter declared with ``match`` (``facility``, ``province``, ``program``, ``cohort``) is
matched against the values the processed data holds: a facility through the ETL's own
resolver (``facilities.toml``: "Bapas Semarang", "Bapas Kls I Smg" → "Bapas Kelas I
Semarang"), a province with the common short forms ("Jateng", "Sumsel"), a program through
the ETL's vocabulary (``values.toml``), a cohort label ignoring case and spacing. A value the
data does not hold stops the run with one line in the report's language: the closest values
("did you mean") and the list of values there are.

A parameter declared with ``data_default`` and left empty takes its value from the
selection: 1 January of the year of the first enrollment start / 31 December of the year of
the last (``period_start`` / ``period_end``: the same clients, a period that reads well) or the
first / last timepoint with scores (``pre`` / ``post``, in the order of
:data:`rehab_eval.vocab.TIMEPOINTS`). When the selection has one timepoint only, ``post``
stays empty (there is no change to report); with no scores at all both stay empty and the
report's sections say that there is no instrument data.

Only the needed Parquet columns are read.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rehab_eval.errors import ConfigError

__all__ = ["PROVINCE_SHORT_FORMS", "available_values", "resolve_from_data"]

#: Common short forms of province names → the name as the data spells it.
PROVINCE_SHORT_FORMS = {
    "jateng": "Jawa Tengah",
    "jatim": "Jawa Timur",
    "jabar": "Jawa Barat",
    "sumsel": "Sumatera Selatan",
    "sumut": "Sumatera Utara",
    "sumbar": "Sumatera Barat",
    "kalsel": "Kalimantan Selatan",
    "kaltim": "Kalimantan Timur",
    "kalbar": "Kalimantan Barat",
    "sulsel": "Sulawesi Selatan",
    "sulut": "Sulawesi Utara",
    "ntb": "Nusa Tenggara Barat",
    "ntt": "Nusa Tenggara Timur",
    "diy": "DI Yogyakarta",
    "dki": "DKI Jakarta",
    "jakarta": "DKI Jakarta",
    "yogyakarta": "DI Yogyakarta",
}
_WHAT = {
    "id": {
        "facility": "fasilitas",
        "province": "provinsi",
        "program": "program",
        "cohort": "kohort",
    },
    "en": {
        "facility": "facility",
        "province": "province",
        "program": "program",
        "cohort": "cohort",
    },
}
_MESSAGES = {
    "id": {
        "missing": '{what} "{value}" tidak ada di data{guess}; {what} yang ada: {known}',
        "guess": ' (maksud Anda "{guess}"?)',
        "none": "data terolah belum berisi {what}",
        "empty": "tidak ada klien untuk pilihan ini ({where}){hint}",
        "hint": "; klien ini mulai program antara {first} dan {last}",
        "no_table": "{table}.parquet tidak ada di {folder}: jalankan rehab-eval etl dulu",
        "timepoint": (
            '{name} "{value}": tidak ada penilaian pada waktu itu untuk pilihan ini; '
            "waktu yang ada: {known} (atau kosongkan {name})"
        ),
    },
    "en": {
        "missing": '{what} "{value}" is not in the data{guess}; the {what} values are: {known}',
        "guess": ' (did you mean "{guess}"?)',
        "none": "the processed data holds no {what} yet",
        "empty": "no client matches this selection ({where}){hint}",
        "hint": "; these clients started between {first} and {last}",
        "no_table": "{table}.parquet is missing in {folder}: run rehab-eval etl first",
        "timepoint": (
            '{name} "{value}": no assessment at that timepoint for this selection; '
            "the timepoints there are: {known} (or leave {name} empty)"
        ),
    },
}
_SELECTORS = ("facility", "province", "program", "cohort", "period_start", "period_end")


def _norm(text: Any) -> str:
    return re.sub(r"[\s.,;:_\-/()]+", " ", str(text).casefold()).strip()


def _data(folder: Path, lang: str) -> Any:
    """The processed data of ``folder``, opened lazily (nothing is read yet); the
    enrollments and clients tables must be there."""
    from rehab_eval.etl.processed import load_processed

    for name in ("enrollments", "clients"):
        if not (folder / f"{name}.parquet").is_file():
            raise ConfigError(
                _MESSAGES[lang]["no_table"].format(table=name, folder=folder.name or str(folder))
            )
    return load_processed(folder, partial=True)


def _distinct(values: Any) -> list[str]:
    return sorted({str(v) for v in values if v is not None and str(v).strip()})


def available_values(processed_dir: str | Path, *, lang: str = "id") -> dict[str, list[str]]:
    """The facilities, provinces, programs and cohorts the processed data holds.

    Only those columns are read, as distinct values (the clients' facility only for the
    enrollments that record none).

    Returns
    -------
    dict
        ``facility`` (each enrollment's facility, else its client's), ``province``,
        ``program``, ``cohort``: sorted lists of the distinct values.
    """
    from rehab_eval.etl.processed import client_ids, distinct, table_columns

    data = _data(Path(processed_dir), lang)
    enrolled = table_columns(data, "enrollments") or []
    registered = table_columns(data, "clients") or []

    def values(name: str, column: str, filters: Any = ()) -> list[Any]:
        present = enrolled if name == "enrollments" else registered
        return distinct(data, name, column, filters=filters) if column in present else []

    lacking = [("facility", "in", [None])] if "facility" in enrolled else []
    fallback = values(
        "clients", "facility", [("client_id", "in", client_ids(data, "enrollments", filters=lacking))]
    )  # fmt: skip
    return {
        "facility": _distinct([*values("enrollments", "facility"), *fallback]),
        "province": _distinct(values("clients", "province")),
        "program": _distinct(values("enrollments", "program")),
        "cohort": _distinct(values("enrollments", "cohort")),
    }


def _candidates(kind: str, value: str) -> list[str]:
    """The spellings ``value`` may stand for: itself and what the ETL's aliases make of it."""
    out = [value]
    if kind == "facility":
        from rehab_eval.etl.facilities import FacilityResolver

        found = FacilityResolver().resolve(value)
        if found is not None:
            out.append(found.name)
    elif kind == "province":
        bare = re.sub(r"^(provinsi|propinsi|prov\.?|province( of)?)\s+", "", _norm(value))
        out += [bare, PROVINCE_SHORT_FORMS.get(bare.replace(" ", ""), bare)]
    elif kind == "program":
        from rehab_eval.etl.parse import norm_value, value_table

        code = value_table("program").get(norm_value(value))
        if code:
            out.append(code)
    return out


def match_value(kind: str, value: str, known: list[str], *, lang: str = "id") -> str:
    """The value of ``known`` that ``value`` names, or ConfigError with "did you mean".

    Examples
    --------
    >>> match_value("facility", "Bapas Semarang", ["Bapas Kelas I Semarang"])
    'Bapas Kelas I Semarang'
    """
    say, what = _MESSAGES[lang], _WHAT[lang][kind]
    if not known:
        raise ConfigError(say["none"].format(what=what))
    by_norm = {_norm(k): k for k in known}
    for candidate in _candidates(kind, value):
        if _norm(candidate) in by_norm:
            return by_norm[_norm(candidate)]
    guesses = [
        by_norm[g]
        for c in _candidates(kind, value)
        for g in difflib.get_close_matches(_norm(c), list(by_norm), n=1, cutoff=0.6)
    ]
    guess = say["guess"].format(guess=guesses[0]) if guesses else ""
    raise ConfigError(
        say["missing"].format(what=what, value=value, guess=guess, known=", ".join(known))
    )


def _where(resolved: Mapping[str, Any], lang: str) -> str:
    parts = [f"{k} {resolved[k]}" for k in _SELECTORS if resolved.get(k) not in (None, "")]
    return ", ".join(parts) or ("semua data" if lang == "id" else "all data")


def resolve_from_data(
    spec: Any, resolved: Mapping[str, Any], *, lang: str = "id"
) -> dict[str, Any]:
    """``resolved`` with matched values and data defaults filled in (see the module notes).

    Parameters
    ----------
    spec
        The report's :class:`~rehab_eval.reports.params.ReportSpec`.
    resolved
        The validated parameters (:func:`rehab_eval.reports.params.validate`), with an
        absolute ``processed_dir``.
    lang
        Language of the messages.

    Returns
    -------
    dict
        A copy of ``resolved``; nothing is read when no parameter needs the data.

    Raises
    ------
    ConfigError
        A value the data does not hold, or a selection without any client (one line).
    """
    out = dict(resolved)
    matched = [p for p in spec.parameters.values() if p.match and out.get(p.name) is not None]
    defaults = [p for p in spec.parameters.values() if p.data_default and out.get(p.name) is None]
    given_times = [
        p
        for p in spec.parameters.values()
        if p.data_default and p.type == "choice" and out.get(p.name) is not None
    ]
    if not matched and not defaults and not given_times:
        return out
    folder = Path(str(out.get("processed_dir") or "."))
    if matched:
        known = available_values(folder, lang=lang)
        for p in matched:
            out[p.name] = match_value(p.match, str(out[p.name]), known[p.match], lang=lang)
    from rehab_eval.cohort.selection import select
    from rehab_eval.etl.processed import distinct, replace_tables, table, table_columns

    data = _data(folder, lang)
    kept = ("client_id", "program", "facility", "cohort", "start_date")
    data = replace_tables(data, {"enrollments": table(data, "enrollments", keep=kept)})
    chosen = select(data, **{k: out.get(k) for k in _SELECTORS if k in spec.parameters})
    starts = chosen.enrollments["start_date"].dropna()
    if starts.empty:
        everything = (
            select(
                data,
                **{
                    k: out.get(k)
                    for k in ("facility", "province", "program", "cohort")
                    if k in spec.parameters
                },
            )
            .enrollments["start_date"]
            .dropna()
        )
        hint = (
            _MESSAGES[lang]["hint"].format(
                first=everything.min().date().isoformat(), last=everything.max().date().isoformat()
            )
            if not everything.empty
            else ""
        )
        raise ConfigError(_MESSAGES[lang]["empty"].format(where=_where(out, lang), hint=hint))
    for p in defaults:
        if p.type == "date":  # whole calendar years: the same clients, a period that reads well
            if p.data_default == "first":
                out[p.name] = f"{starts.min().year:04d}-01-01"
            else:
                out[p.name] = f"{starts.max().year:04d}-12-31"
    timepoint_params = [p for p in defaults if p.type == "choice"]
    if timepoint_params or given_times:
        from rehab_eval.vocab import TIMEPOINTS

        present = (
            {str(t) for t in distinct(chosen, "scores", "timepoint")}
            if "timepoint" in (table_columns(chosen, "scores") or [])
            else set()
        )
        ordered = [t for t in TIMEPOINTS if t in present]
        for p in given_times:
            if ordered and out[p.name] not in ordered:
                raise ConfigError(
                    _MESSAGES[lang]["timepoint"].format(
                        name=p.name, value=out[p.name], known=", ".join(ordered)
                    )
                )
        for p in timepoint_params:
            if not ordered:
                continue
            if p.data_default == "first":
                out[p.name] = ordered[0]
            elif len(ordered) > 1:
                out[p.name] = ordered[-1]
    return out
