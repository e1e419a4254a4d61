"""Intervensi Berbasis Masyarakat (IBM) at Kelurahan Rejosari, Semarang, from 24 January 2025.

Free counselling in the kelurahan hall for low-risk (ringan) users, every two weeks for about
three months. The facility is recorded as ``Kelurahan Rejosari`` (type ``other``); BNNP Jawa
Tengah is the partner. Exports: a workbook of participants and services, and the counselling
attendance as a Windows-1252 CSV (``;``, CRLF) with non-ASCII characters (en dash, ±) and a
quoted note with an embedded line break.
"""

from __future__ import annotations

import numpy as np

from rehab_eval.synth.common import ProgramBuild, days, frame, iso, stream
from rehab_eval.synth.identity import FACILITY_VARIANTS, make_names, make_niks
from rehab_eval.synth.sheets import RawFile, RawSheet
from rehab_eval.synth.values import format_dates

__all__ = ["build_rejosari"]

FACILITY = "Kelurahan Rejosari"
N_CLIENTS = 12
NOTES = (
    "durasi ±45 menit",
    "sesi lanjutan – konselor BNNP",
    "konseling di Balai Kelurahan – ruang belakang",
    "",
    "durasi ±60 menit",
)


def build_rejosari(seed: int) -> ProgramBuild:
    """The IBM Rejosari exports and their truth (see the module docstring)."""
    rng = stream(seed, "rejosari")
    n = N_CLIENTS
    start = np.concatenate(
        [days("2025-01-24", np.zeros(6, int)), days("2025-02-07", np.sort(rng.integers(0, 70, 6)))]
    )
    status = np.array(["completed"] * 8 + ["active"] * 3 + ["dropped_out"], dtype=object)
    status = status[rng.permutation(n)]
    sessions = np.where(status == "dropped_out", 2, 6)
    end = start + (14 * (sessions - 1)).astype("timedelta64[D]")
    female = rng.random(n) < 0.25
    birth = days("1975-01-01", rng.integers(0, 365 * 30, n))
    nik = make_niks(rng, "3374", birth, female, serial_start=31)
    name = make_names(rng, female)
    peserta = frame(
        ["No", "NIK", "Nama", "JK", "Tgl Lahir", "Unit", "Provinsi"],
        {"No": range(1, n + 1), "NIK": nik, "Nama": name, "JK": np.where(female, "P", "L"),
         "Tgl Lahir": format_dates(birth, "dmy0"),
         "Unit": rng.choice(FACILITY_VARIANTS[FACILITY], n), "Provinsi": ["Jawa Tengah"] * n},
    )  # fmt: skip
    s_p = RawSheet(
        "Peserta", "clients", peserta,
        titles=["PESERTA INTERVENSI BERBASIS MASYARAKAT (IBM)",
                "KELURAHAN REJOSARI, KEC. SEMARANG TIMUR", "Mulai 24 Januari 2025"],
        numbering_column=True,
    )  # fmt: skip
    shown_end = np.where(status == "active", np.datetime64("NaT"), end)
    layanan = frame(
        ["No", "NIK", "Nama", "Layanan", "Kategori", "Kelompok", "Tgl Masuk", "Tgl Keluar",
         "Status", "Unit"],
        {"No": range(1, n + 1), "NIK": nik, "Nama": name,
         "Layanan": ["Intervensi Berbasis Masyarakat"] * n, "Kategori": ["Ringan"] * n,
         "Kelompok": ["IBM Rejosari 2025"] * n, "Tgl Masuk": format_dates(start, "long"),
         "Tgl Keluar": format_dates(shown_end, "long"),
         "Status": [{"completed": "Selesai", "active": "Aktif", "dropped_out": "DO"}[s]
                    for s in status],
         "Unit": rng.choice(FACILITY_VARIANTS[FACILITY], n)},
    )  # fmt: skip
    s_l = RawSheet("Layanan", "enrollments", layanan, titles=["LAYANAN IBM REJOSARI"],
                   numbering_column=True)  # fmt: skip
    s_l.plant(3, "Tgl Keluar", "31 Juni 2025", "impossible_date", "unparseable date")
    # the kelurahan's PC saves Excel 97-2003 workbooks (.xls)
    book = RawFile("ibm_rejosari/ibm_rejosari_2025.xls", [s_p, s_l], format="xls")

    rows = [
        (start[i] + np.timedelta64(14 * k, "D"), i) for i in range(n) for k in range(sessions[i])
    ]
    rows.sort(key=lambda r: (r[0], r[1]))
    ri = np.array([r[1] for r in rows])
    m = len(rows)
    attended = rng.random(m) < 0.9
    notes = rng.choice(NOTES, m).astype(object)
    notes[4] = "klien datang terlambat\nsesi dipersingkat ±30 menit"
    kons = frame(
        ["No", "NIK", "Nama", "Tanggal", "Kegiatan", "Hadir", "Catatan"],
        {"No": range(1, m + 1), "NIK": nik[ri], "Nama": name[ri],
         "Tanggal": format_dates(np.array([r[0] for r in rows]), rng.choice(["abbr", "long"], m)),
         "Kegiatan": ["Konseling"] * m, "Hadir": np.where(attended, "ya", "tidak"),
         "Catatan": notes},
    )  # fmt: skip
    sheet = RawSheet("", "contacts", kons,
                     titles=["Rekap Konseling Gratis – Balai Kelurahan Rejosari"],
                     numbering_column=True)  # fmt: skip
    sheet.plant(9, "NIK", "", "no_identifier", "no identifier")
    bad = str(sheet.cell(15, "NIK"))
    sheet.plant(15, "NIK", bad[:8] + "13" + bad[10:], "invalid_nik", "invalid nik")
    good = str(sheet.cell(21, "NIK"))
    sheet.plant(21, "NIK", f"{int(good) / 1e15:.5f}E+15", "excel_mangled_nik", "nik unrecoverable")
    csv_file = RawFile(
        "ibm_rejosari/konseling_rejosari_2025.csv", [sheet], format="csv", encoding="cp1252",
        delimiter=";", lineterminator="\r\n",
    )  # fmt: skip
    programs = [
        {"key": "rejosari_2025", "program": "ibm", "facility": FACILITY, "facility_type": "other",
         "partner": "BNNP Jawa Tengah", "province": "Jawa Tengah", "cohort": "IBM Rejosari 2025",
         "period_start": iso(start.min()), "period_end": None, "last_session": iso(end.max()),
         "clients": n,
         "statuses": {k: int(v) for k, v in zip(*np.unique(status, return_counts=True),
                                                 strict=True)},
         "level": "rendah", "contact_kind": "counselling",
         "note": "facility is the kelurahan (type other), not the Bapas"},
    ]  # fmt: skip
    return ProgramBuild(
        [book, csv_file], programs, {"ibm_sessions_planned": 6, "ibm_attendance_p": 0.9},
        niks=list(nik), names=list(name), register_nos=[],
        facility_variants={v: FACILITY for v in FACILITY_VARIANTS[FACILITY]},
    )  # fmt: skip
