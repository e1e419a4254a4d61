"""Canonical codes and canonical table layouts shared by every stage.

This module is the contract between the ETL (which writes these tables), the scoring and
analysis modules (which read them) and the synthetic generator (which plants the raw
spellings that must map onto these codes). It is plain data: no pandas import.

Display labels for every code live in :mod:`rehab_eval.i18n`; here the
codes only.
"""

from __future__ import annotations

__all__ = [
    "CONTACT_KINDS",
    "COMPETING_EVENT_KINDS",
    "EVENT_KINDS",
    "FACILITY_TYPES",
    "INSTRUMENTS",
    "LEVELS",
    "OFFENCE_EVENT_KINDS",
    "PROGRAMS",
    "SEXES",
    "STAGE_ORDER",
    "STATUSES",
    "SUBSTANCES",
    "TABLES",
    "TIMEPOINTS",
    "URINE_PANEL",
    "URICA_STAGES",
    "URINE_RESULTS",
    "timepoint_rank",
]

SEXES = ("male", "female")

FACILITY_TYPES = ("bapas", "lapas", "rutan", "lpka", "bnnp", "bnnk", "ipwl", "other")

PROGRAMS = (
    "pascarehabilitasi",  # post-rehabilitation (home visits, urine tests, groups, counselling)
    "rehabilitasi_sosial",  # social rehabilitation
    "rehabilitasi_medis",  # medical rehabilitation
    "ibm",  # Intervensi Berbasis Masyarakat (community-based intervention)
    "asesmen",  # screening and assessment only (WHO ASSIST → level)
)

LEVELS = ("rendah", "sedang", "tinggi")

STATUSES = ("active", "completed", "dropped_out", "transferred")

INSTRUMENTS = ("whoqol_bref", "urica", "assist")

# In time order. m1…m6 are months of a six-month program; fu3/fu6/fu12 follow-up months after it.
TIMEPOINTS = ("pre", "m1", "m2", "m3", "mid", "m4", "m5", "m6", "post", "fu3", "fu6", "fu12")

CONTACT_KINDS = ("home_visit", "group", "counselling", "other")

URINE_RESULTS = ("negative", "positive", "invalid", "refused")

# Urine drug panel, lower-case codes: amphetamine, methamphetamine, cannabis (THC),
# benzodiazepines, morphine/opiates, cocaine.
URINE_PANEL = ("amp", "met", "thc", "bzo", "mop", "coc")

OFFENCE_EVENT_KINDS = ("rearrest", "reconviction", "reincarceration")
# Ends of follow-up that are not the outcome: treated as censoring (or as competing risks).
COMPETING_EVENT_KINDS = ("death", "transfer", "lost_to_supervision")
EVENT_KINDS = (*OFFENCE_EVENT_KINDS, "relapse", *COMPETING_EVENT_KINDS)

# URICA stages in order of readiness: the three bands the project's scoring assigns from the
# readiness score first, then the finer stage names other schemes use.
URICA_STAGES = ("precontemplation", "contemplation", "preparation_action")
STAGE_ORDER = (*URICA_STAGES, "preparation", "action", "maintenance")

# WHO ASSIST v3.0 substance classes, in form order.
SUBSTANCES = (
    "tobacco",
    "alcohol",
    "cannabis",
    "cocaine",
    "ats",
    "inhalants",
    "sedatives",
    "hallucinogens",
    "opioids",
    "other",
)

# Canonical tables: column -> logical type. "date" columns are datetime64 (day precision),
# "category" columns hold one of the codes above, "string" is free text after cleaning.
# The assessments table also carries item columns q1…q32 (float, NaN = missing) and, for
# ASSIST, <substance>_q1…<substance>_q7; they are not listed here.
TABLES: dict[str, dict[str, str]] = {
    "clients": {
        "client_id": "string",
        "sex": "category",  # SEXES
        "birth_date": "date",
        "facility": "string",  # canonical facility name, or as written when unknown
        "facility_type": "category",  # FACILITY_TYPES
        "province": "string",
        "release_date": "date",
        "prior_offences": "Int64",
    },
    "enrollments": {
        "client_id": "string",
        "program": "category",  # PROGRAMS
        "facility": "string",
        "level": "category",  # LEVELS
        "cohort": "string",
        "start_date": "date",
        "end_date": "date",
        "status": "category",  # STATUSES
    },
    "assessments": {
        "client_id": "string",
        "instrument": "category",  # INSTRUMENTS
        "timepoint": "category",  # TIMEPOINTS
        "date": "date",
    },
    "contacts": {
        "client_id": "string",
        "date": "date",
        "kind": "category",  # CONTACT_KINDS
        "attended": "boolean",
    },
    "urine_tests": {
        "client_id": "string",
        "date": "date",
        "result": "category",  # URINE_RESULTS
        "substances": "string",  # positive panel codes, comma-joined in URINE_PANEL order; "" if none
    },
    "events": {
        "client_id": "string",
        "date": "date",
        "kind": "category",  # EVENT_KINDS
    },
    "rejects": {
        "source_file": "string",
        "sheet": "string",
        "source_row": "Int64",
        "column": "string",
        "value": "string",
        "reason": "string",
    },
}

_TIMEPOINT_RANK = {code: i for i, code in enumerate(TIMEPOINTS)}


def timepoint_rank(code: str) -> int:
    """Position of a timepoint code in time order (``pre`` is 0); unknown codes raise KeyError."""
    return _TIMEPOINT_RANK[code]
