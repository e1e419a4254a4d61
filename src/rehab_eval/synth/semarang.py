"""Bapas Kelas I Semarang with BNNP Jawa Tengah: post-rehabilitation (pascarehabilitasi).

16 clients May–October 2024 (Angkatan I 2024), 5 clients November–December 2024
(Angkatan II 2024) and 35 clients January–December 2025 (Angkatan 2025, rolling intake of
six-month episodes). Each client is visited at home first; urine tests follow monthly and group
meetings every two weeks, with counselling in months 2 and 4. WHOQOL-BREF and URICA are
filled at the start and, by those who complete, at the end. Positive urine tests become rarer
over the program months. Some clients drop out, one is transferred.

Exports: the 2024 workbook, the 2025 workbook, the 2025 WHOQOL-BREF Google Forms export and
the 2025 urine-test CSV (UTF-8 with BOM, ``;``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rehab_eval.synth.common import ProgramBuild, days, frame, iso, stream, to_datetimes
from rehab_eval.synth.identity import FACILITY_VARIANTS, make_names, make_niks
from rehab_eval.synth.outcomes import (
    urica_answers,
    urica_latent,
    whoqol_answers,
    whoqol_domain_scores,
    whoqol_latent,
)
from rehab_eval.synth.sheets import RawFile, RawSheet, insert_copies
from rehab_eval.synth.values import DATE_STYLES, WHOQOL_QUESTIONS, format_dates

__all__ = ["URINE_POSITIVE_BY_MONTH", "build_semarang"]

FACILITY = "Bapas Kelas I Semarang"
PARTNER = "BNNP Jawa Tengah"
PANEL = ("AMP", "MET", "THC", "BZO", "MOP", "COC")
# P(positive) in program month 1…6, and P(panel substance | positive test)
URINE_POSITIVE_BY_MONTH = (0.30, 0.22, 0.16, 0.12, 0.09, 0.07)
PANEL_GIVEN_POSITIVE = {"AMP": 0.45, "MET": 0.85, "THC": 0.2, "BZO": 0.1, "MOP": 0.03, "COC": 0.02}
PLACES = np.array(["Semarang", "Kendal", "Demak", "Ungaran", "Salatiga", "Grobogan"], dtype=object)


def _clients(rng: np.random.Generator) -> pd.DataFrame:
    """One row per client with cohort, dates, status, identity and latent outcomes."""
    cohorts = ["Angkatan I 2024"] * 16 + ["Angkatan II 2024"] * 5 + ["Angkatan 2025"] * 35
    n = len(cohorts)
    start = np.concatenate(
        [
            days("2024-05-02", rng.integers(0, 22, 16)),
            days("2024-11-04", rng.integers(0, 15, 5)),
            days("2025-01-06", np.sort(rng.integers(0, 175, 35))),
        ]
    )
    end = np.concatenate(
        [
            np.minimum(start[:16] + np.timedelta64(180, "D"), np.datetime64("2024-10-31")),
            days("2024-12-18", rng.integers(0, 8, 5)),
            np.minimum(start[21:] + np.timedelta64(180, "D"), np.datetime64("2025-12-19")),
        ]
    )
    status = np.array(["completed"] * n, dtype=object)
    drop = np.concatenate([rng.choice(16, 2, replace=False), 21 + rng.choice(35, 5, replace=False)])
    status[drop[:-1]] = "dropped_out"
    status[drop[-1]] = "transferred"
    length = (end - start).astype(int)
    stop = end.copy()
    left = status != "completed"
    stop[left] = start[left] + (length[left] * rng.uniform(0.3, 0.7, left.sum())).astype(int)
    female = np.zeros(n, dtype=bool)
    female[rng.choice(n, 3, replace=False)] = True
    birth = days("1970-01-01", rng.integers(0, 365 * 28, n)) + np.timedelta64(365 * 5, "D")
    year = np.where(np.arange(n) < 21, 2024, 2025)
    reg = [f"PB.{i + 1:03d}/BPS-SMG/{y}" for i, y in enumerate(year)]
    return pd.DataFrame(
        {
            "cohort": cohorts,
            "start": start,
            "end": end,
            "stop": stop,
            "status": status,
            "female": female,
            "birth": birth,
            "release": start - rng.integers(5, 30, n).astype("timedelta64[D]"),
            "nik": make_niks(rng, "3374", birth, female, serial_start=1),
            "name": make_names(rng, female),
            "register": reg,
            "prior": np.minimum(rng.poisson(0.5, n), 4),
            "level": rng.choice(["rendah", "sedang", "tinggi"], n, p=[0.3, 0.5, 0.2]),
            "year": year,
        }
    )


def _activities(rng: np.random.Generator, cl: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contacts and urine tests of every client (home visit first)."""
    contacts, tests = [], []
    for i, c in cl.iterrows():
        start, stop = c["start"], c["stop"]
        contacts.append((i, start + np.timedelta64(int(rng.integers(0, 6)), "D"), "home_visit"))
        t = start + np.timedelta64(14, "D")
        while t <= stop:
            contacts.append((i, t, "group"))
            t = t + np.timedelta64(14, "D")
        for off in (45, 105):
            if start + np.timedelta64(off, "D") <= stop:
                contacts.append((i, start + np.timedelta64(off, "D"), "counselling"))
        frailty = rng.lognormal(0, 0.5)
        for month in range(6):
            d = start + np.timedelta64(7 + 30 * month, "D")
            if d > stop:
                break
            p = min(0.9, URINE_POSITIVE_BY_MONTH[month] * frailty)
            pos = rng.random() < p
            panel = {k: pos and rng.random() < q for k, q in PANEL_GIVEN_POSITIVE.items()}
            if pos and not any(panel.values()):
                panel["MET"] = True
            result = "positive" if pos else ("refused" if rng.random() < 0.02 else "negative")
            tests.append((i, d, month + 1, result, panel))
    con = pd.DataFrame(contacts, columns=["client", "date", "kind"]).sort_values(
        ["date", "client"], kind="stable", ignore_index=True
    )
    con["attended"] = rng.random(len(con)) < 0.92
    con.loc[con["kind"] == "home_visit", "attended"] = True
    uri = pd.DataFrame(tests, columns=["client", "date", "month", "result", "panel"])
    uri = uri.sort_values(["date", "client"], kind="stable", ignore_index=True)
    return con, uri


def _measures(rng: np.random.Generator, cl: pd.DataFrame) -> dict[str, np.ndarray]:
    n = len(cl)
    wpre, wchg = whoqol_latent(rng, n)
    upre, uchg = urica_latent(rng, n)
    return {
        "whoqol_pre": whoqol_answers(rng, wpre),
        "whoqol_post": whoqol_answers(rng, wpre + wchg),
        "urica_pre": urica_answers(rng, upre),
        "urica_post": urica_answers(rng, upre + uchg),
        "pre_date": cl["start"].to_numpy() + rng.integers(0, 4, n).astype("timedelta64[D]"),
        "post_date": cl["end"].to_numpy() - rng.integers(0, 6, n).astype("timedelta64[D]"),
    }


def _variant(rng: np.random.Generator, canonical: str, n: int) -> list[str]:
    v = FACILITY_VARIANTS[canonical]
    return list(rng.choice(v, n))


LEVEL_2024 = {"rendah": "Rendah", "sedang": "Sedang", "tinggi": "Tinggi"}
LEVEL_2025 = {"rendah": "Ringan", "sedang": "Sedang", "tinggi": "Berat"}
STATUS_2024 = {"completed": "Selesai", "dropped_out": "DO", "transferred": "Pindah"}
STATUS_2025 = {"completed": "selesai", "dropped_out": "drop out", "transferred": "pindah"}
KIND_2024 = {
    "home_visit": "Kunjungan Rumah",
    "group": "Pertemuan Kelompok",
    "counselling": "Konseling",
}
KIND_2025 = {"home_visit": "Home Visit", "group": "Group", "counselling": "konseling individu"}
COHORT_KEYS = {
    "Angkatan I 2024": "semarang_2024",
    "Angkatan II 2024": "semarang_2024_nov",
    "Angkatan 2025": "semarang_2025",
}
RESULT_ID = {"positive": "Positif", "negative": "Negatif", "refused": "Menolak"}


def _workbook_2024(rng, cl, con, uri, ms) -> RawFile:
    idx = np.flatnonzero(cl["year"].to_numpy() == 2024)
    c = cl.iloc[idx]
    n = len(c)
    ttl = [
        f"{p}, {format_dates(np.array([b]), 'long')[0]}"
        for p, b in zip(rng.choice(PLACES, n), c["birth"], strict=True)
    ]
    klien = frame(
        ["No", "NIK", "No. Register", "Nama", "L/P", "Tempat, Tanggal Lahir", "Tgl PB", "Bapas",
         "Provinsi", "Jumlah Pidana Sebelumnya"],
        {
            "No": range(1, n + 1), "NIK": c["nik"], "No. Register": c["register"], "Nama": c["name"],
            "L/P": np.where(c["female"], "P", "L"), "Tempat, Tanggal Lahir": ttl,
            "Tgl PB": to_datetimes(c["release"]), "Bapas": _variant(rng, FACILITY, n),
            "Provinsi": ["Jawa Tengah"] * n, "Jumlah Pidana Sebelumnya": c["prior"],
        },
    )  # fmt: skip
    s_klien = RawSheet(
        "Data Klien", "clients", klien,
        titles=["DATA KLIEN PASCAREHABILITASI", "BAPAS KELAS I SEMARANG",
                "Periode Mei s.d. Desember 2024"],
        blank_after_titles=True, totals=["JUMLAH", "", "", f"{n} orang"], empty_rows=1,
        numbering_column=True,
    )  # fmt: skip
    s_klien.plant(4, "L/P", "X", "unparseable_value", "unparseable value")

    prog = frame(
        ["No", "No. Register", "Nama", "Jenis Program", "Tingkat", "Angkatan", "Tanggal Mulai",
         "Tanggal Selesai", "Keterangan", "Bapas", "Mitra"],
        {
            "No": range(1, n + 1), "No. Register": c["register"], "Nama": c["name"],
            "Jenis Program": ["Pascarehabilitasi"] * n, "Tingkat": c["level"].map(LEVEL_2024),
            "Angkatan": c["cohort"], "Tanggal Mulai": to_datetimes(c["start"]),
            "Tanggal Selesai": to_datetimes(c["stop"]), "Keterangan": c["status"].map(STATUS_2024),
            "Bapas": _variant(rng, FACILITY, n), "Mitra": ["BNNP Jateng"] * n,
        },
    )  # fmt: skip
    s_prog = RawSheet(
        "Program",
        "enrollments",
        prog,
        titles=["PROGRAM PASCAREHABILITASI BAPAS KELAS I SEMARANG - BNNP JAWA TENGAH"],
        numbering_column=True,
    )
    s_prog.plant(7, "Tanggal Selesai", "31/02/2024", "impossible_date", "unparseable date")

    cc = con[con["client"].isin(idx)].reset_index(drop=True)
    styles = rng.choice(DATE_STYLES, len(cc))
    keg = frame(
        ["No", "No. Register", "Nama", "Tanggal Kegiatan", "Jenis Kegiatan", "Kehadiran"],
        {
            "No": range(1, len(cc) + 1), "No. Register": cl["register"].to_numpy()[cc["client"]],
            "Nama": cl["name"].to_numpy()[cc["client"]],
            "Tanggal Kegiatan": format_dates(cc["date"].to_numpy(), styles),
            "Jenis Kegiatan": cc["kind"].map(KIND_2024),
            "Kehadiran": np.where(cc["attended"], "Hadir", "Tidak Hadir"),
        },
    )  # fmt: skip
    keg, pairs = insert_copies(keg, [30])
    s_keg = RawSheet("Kegiatan", "contacts", keg, titles=["DAFTAR KEGIATAN KLIEN 2024"],
                     numbering_column=True)  # fmt: skip
    for dup, orig in pairs:
        s_keg.plant(dup, "", None, "exact_duplicate", None, duplicate_of=orig)
    # plant on group meetings only, so every client's home visit stays first and intact
    groups = np.flatnonzero(keg["Jenis Kegiatan"].to_numpy() == KIND_2024["group"])
    taken = {p for pair in pairs for p in pair}
    free = [int(p) for p in groups if p not in taken]
    pos_future = next(p for p in free if p >= 12)
    pos_noid = next(p for p in free if p >= 55)
    s_keg.plant(pos_future, "Tanggal Kegiatan", "14/08/2052", "future_date", "future date")
    s_keg.plant(pos_noid, "No. Register", "", "no_identifier", "no identifier")

    uu = uri[uri["client"].isin(idx)].reset_index(drop=True)
    serial = rng.random(len(uu)) < 0.25
    dates = to_datetimes(uu["date"].to_numpy())
    excel_serial = ((uu["date"] - pd.Timestamp("1899-12-30")).dt.days).to_numpy()
    tgl = [int(s) if use else d for use, s, d in zip(serial, excel_serial, dates, strict=True)]
    panel = {k: ["+" if p[k] else "-" for p in uu["panel"]] for k in PANEL}
    urine = frame(
        ["No", "NIK", "Nama", "Tgl Tes", "Hasil Tes Urine", *PANEL],
        {"No": range(1, len(uu) + 1), "NIK": cl["nik"].to_numpy()[uu["client"]],
         "Nama": cl["name"].to_numpy()[uu["client"]], "Tgl Tes": tgl,
         "Hasil Tes Urine": uu["result"].map(RESULT_ID), **panel},
    )  # fmt: skip
    totals = ["JUMLAH POSITIF", "", "", "", int((uu["result"] == "positive").sum())] + [
        sum(v == "+" for v in panel[k]) for k in PANEL
    ]
    s_urine = RawSheet("Tes Urine", "urine_tests", urine,
                       titles=["HASIL TES URINE KLIEN PASCAREHABILITASI", "Tahun 2024"],
                       totals=totals, numbering_column=True)  # fmt: skip

    rows, items = [], []
    for tp, label, date_key in (("pre", "Pretest", "pre_date"), ("post", "Posttest", "post_date")):
        who = [i for i in idx if tp == "pre" or cl["status"].iat[i] == "completed"]
        for i in who:
            rows.append((i, label, ms[date_key][i]))
            items.append(ms[f"whoqol_{tp}"][i])
    items = np.array(items)
    ri = np.array([r[0] for r in rows])
    wq = frame(
        ["No", "NIK", "Nama", "Instrumen", "Tahap", "Tanggal Pengisian"]
        + [f"P{q}" for q in range(1, 27)],
        {
            "No": range(1, len(rows) + 1), "NIK": cl["nik"].to_numpy()[ri],
            "Nama": cl["name"].to_numpy()[ri],
            "Instrumen": rng.choice(["WHOQOL-BREF", "WHOQOL"], len(rows)),
            "Tahap": [r[1] for r in rows],
            "Tanggal Pengisian": format_dates(np.array([r[2] for r in rows]), "dmy"),
            **{f"P{q}": items[:, q - 1] for q in range(1, 27)},
        },
    )  # fmt: skip
    old = int(wq.iat[3, wq.columns.get_loc("P5")])
    wq, pairs = insert_copies(wq, [3], [{"P5": 1 + old % 5}])
    s_wq = RawSheet("WHOQOL-BREF", "assessments", wq,
                    titles=["HASIL PENGUKURAN WHOQOL-BREF", "BAPAS KELAS I SEMARANG 2024"],
                    numbering_column=True)  # fmt: skip
    for dup, orig in pairs:
        for pos in (orig, dup):
            s_wq.plant(pos, "P5", s_wq.cell(pos, "P5"), "conflicting_duplicate",
                       "conflicting duplicate")  # fmt: skip
    s_wq.plant(9, "P16", 6, "out_of_range_answer", "out of range")
    s_wq.plant(14, "P9", 0, "out_of_range_answer", "out of range")
    s_wq.plant(20, "Tahap", "", "missing_timepoint", "missing required value")

    sheets = [s_klien, s_prog, s_keg, s_urine, s_wq]
    for tp, label, date_key in (("pre", "Pretest", "pre_date"), ("post", "Posttest", "post_date")):
        who = [i for i in idx if tp == "pre" or cl["status"].iat[i] == "completed"]
        ans = ms[f"urica_{tp}"][who]
        ur = frame(
            ["No", "No. Register", "Nama", "Tanggal"] + [f"Q{q}" for q in range(1, 33)],
            {"No": range(1, len(who) + 1), "No. Register": cl["register"].to_numpy()[who],
             "Nama": cl["name"].to_numpy()[who],
             "Tanggal": to_datetimes(ms[date_key][who]),
             **{f"Q{q}": ans[:, q - 1] for q in range(1, 33)}},
        )  # fmt: skip
        sh = RawSheet(f"URICA {label}", "assessments", ur,
                      titles=[f"URICA {label.upper().replace('TEST', ' TEST')}",
                              "Bapas Kelas I Semarang"], numbering_column=True)  # fmt: skip
        if tp == "post":
            sh.plant(2, "Q7", 7, "out_of_range_answer", "out of range")
        sheets.append(sh)
    return RawFile("bapas_semarang/pascarehab_bapas_semarang_2024.xlsx", sheets)


def _workbook_2025(rng, cl, con, ms) -> RawFile:
    idx = np.flatnonzero(cl["year"].to_numpy() == 2025)
    c = cl.iloc[idx]
    n = len(c)
    bstyles = rng.choice(["long", "legacy", "abbr", "dmy0"], n)
    klien = frame(
        ["No", "Nomor Induk Kependudukan", "Nomor Registrasi", "Nama Lengkap", "Jenis Kelamin",
         "Tgl. Lahir", "Tanggal Bebas", "Satker", "Provinsi", "Pidana Sebelumnya"],
        {
            "No": range(1, n + 1), "Nomor Induk Kependudukan": c["nik"],
            "Nomor Registrasi": c["register"], "Nama Lengkap": c["name"],
            "Jenis Kelamin": np.where(c["female"], "Perempuan", "Laki-laki"),
            "Tgl. Lahir": format_dates(c["birth"].to_numpy(), bstyles),
            "Tanggal Bebas": format_dates(c["release"].to_numpy(), "dmy0"),
            "Satker": _variant(rng, FACILITY, n), "Provinsi": ["Jawa Tengah"] * n,
            "Pidana Sebelumnya": c["prior"],
        },
    )  # fmt: skip
    s_klien = RawSheet("Klien", "clients", klien,
                       titles=["REKAP KLIEN PASCAREHABILITASI TAHUN 2025",
                               "BAPAS KELAS I SEMARANG - BNNP JAWA TENGAH"],
                       blank_after_titles=True, numbering_column=True)  # fmt: skip
    s_klien.plant(6, "Tgl. Lahir", "30 Februari 1991", "impossible_date", "unparseable date")

    lay = frame(
        ["No", "Nomor Registrasi", "Nama Lengkap", "Program", "Tingkat Risiko", "Angkatan",
         "Tgl Masuk", "Tgl Keluar", "Status", "Satker", "Mitra"],
        {
            "No": range(1, n + 1), "Nomor Registrasi": c["register"], "Nama Lengkap": c["name"],
            "Program": ["Pascarehabilitasi"] * n, "Tingkat Risiko": c["level"].map(LEVEL_2025),
            "Angkatan": c["cohort"], "Tgl Masuk": format_dates(c["start"].to_numpy(), "long"),
            "Tgl Keluar": format_dates(c["stop"].to_numpy(), "long"),
            "Status": c["status"].map(STATUS_2025).where(
                ~((c["status"] == "dropped_out").to_numpy() & (np.arange(n) % 2 == 0)),
                "mengundurkan diri"),
            "Satker": _variant(rng, FACILITY, n), "Mitra": ["BNNP Jawa Tengah"] * n,
        },
    )  # fmt: skip
    s_lay = RawSheet("Layanan", "enrollments", lay, titles=["LAYANAN PASCAREHABILITASI 2025"],
                     numbering_column=True, totals=["JUMLAH", "", f"{n} klien"])  # fmt: skip

    cc = con[con["client"].isin(idx)].reset_index(drop=True)
    keg = frame(
        ["No", "Nomor Registrasi", "Nama Lengkap", "Tanggal", "Kegiatan", "Hadir"],
        {
            "No": range(1, len(cc) + 1),
            "Nomor Registrasi": cl["register"].to_numpy()[cc["client"]],
            "Nama Lengkap": cl["name"].to_numpy()[cc["client"]],
            "Tanggal": format_dates(
                cc["date"].to_numpy(), rng.choice(["dayparen", "daylong", "abbr"], len(cc))
            ),
            "Kegiatan": cc["kind"].map(KIND_2025),
            "Hadir": np.where(cc["attended"], rng.choice(["ya", "1"], len(cc)),
                              rng.choice(["tidak", "0"], len(cc))),
        },
    )  # fmt: skip
    s_keg = RawSheet("Kegiatan", "contacts", keg, titles=["KEGIATAN PASCAREHABILITASI 2025"],
                     numbering_column=True)  # fmt: skip
    s_keg.plant(40, "Hadir", "mungkin", "unparseable_value", "unparseable value")

    rows = []
    for tp, label in (("pre", "Awal"), ("post", "Akhir")):
        for i in idx:
            if tp == "pre" or cl["status"].iat[i] == "completed":
                rows.append((i, tp, label))
    ri = np.array([r[0] for r in rows])
    ans = np.array([ms[f"urica_{r[1]}"][r[0]] for r in rows])
    dts = np.array([ms["pre_date" if r[1] == "pre" else "post_date"][r[0]] for r in rows])
    ur = frame(
        ["No", "Nomor Registrasi", "Nama Lengkap", "Pengukuran", "Tanggal Pengisian"]
        + [f"Item {q}" for q in range(1, 33)],
        {"No": range(1, len(rows) + 1), "Nomor Registrasi": cl["register"].to_numpy()[ri],
         "Nama Lengkap": cl["name"].to_numpy()[ri], "Pengukuran": [r[2] for r in rows],
         "Tanggal Pengisian": format_dates(dts, "dmy0"),
         **{f"Item {q}": ans[:, q - 1] for q in range(1, 33)}},
    )  # fmt: skip
    s_ur = RawSheet("URICA", "assessments", ur, titles=["URICA KLIEN PASCAREHABILITASI 2025"],
                    numbering_column=True)  # fmt: skip
    return RawFile(
        "bapas_semarang/pascarehab_bapas_semarang_2025.xlsx", [s_klien, s_lay, s_keg, s_ur]
    )


def _google_form_2025(rng, cl, ms) -> RawFile:
    idx = np.flatnonzero(cl["year"].to_numpy() == 2025)
    rows = []
    for tp, label in (("pre", "Sebelum program"), ("post", "Sesudah program")):
        for i in idx:
            if tp == "pre" or cl["status"].iat[i] == "completed":
                d = ms["pre_date" if tp == "pre" else "post_date"][i]
                secs = int(rng.integers(8 * 3600, 16 * 3600))
                rows.append((np.datetime64(d, "s") + np.timedelta64(secs, "s"), i, tp, label))
    rows.sort(key=lambda r: (r[0], r[1]))
    ts = pd.DatetimeIndex([r[0] for r in rows])
    stamp = [f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}" for t in ts]
    ri = np.array([r[1] for r in rows])
    ans = np.array([ms[f"whoqol_{r[2]}"][r[1]] for r in rows])
    qcols = [f"{q}. {text}" for q, text in enumerate(WHOQOL_QUESTIONS, start=1)]
    form = frame(
        ["Timestamp", "NIK", "Nama", "Tahap", *qcols],
        {"Timestamp": stamp, "NIK": cl["nik"].to_numpy()[ri], "Nama": cl["name"].to_numpy()[ri],
         "Tahap": [r[3] for r in rows],
         **{col: ans[:, q].astype(str) for q, col in enumerate(qcols)}},
    )  # fmt: skip
    form, pairs = insert_copies(form, [10])
    sheet = RawSheet("", "assessments", form)
    for dup, orig in pairs:
        sheet.plant(dup, "", None, "exact_duplicate", None, duplicate_of=orig)
    sheet.plant(5, qcols[6], "Lumayan", "out_of_range_answer", "out of range")
    sheet.plant(25, qcols[19], "55", "out_of_range_answer", "out of range")
    return RawFile(
        "bapas_semarang/whoqol_bref_google_form_2025.csv", [sheet], format="csv",
        encoding="utf-8", delimiter=",",
    )  # fmt: skip


def _urine_2025(rng, cl, uri) -> RawFile:
    idx = np.flatnonzero(cl["year"].to_numpy() == 2025)
    uu = uri[uri["client"].isin(idx)].reset_index(drop=True)
    panel = {k: ["+" if p[k] else "-" for p in uu["panel"]] for k in PANEL}
    urine = frame(
        ["No", "NIK", "Nama", "Tanggal Tes", "Hasil", *PANEL],
        {"No": range(1, len(uu) + 1), "NIK": cl["nik"].to_numpy()[uu["client"]],
         "Nama": cl["name"].to_numpy()[uu["client"]],
         "Tanggal Tes": format_dates(uu["date"].to_numpy(), rng.choice(["dmy0", "dmy2"], len(uu))),
         "Hasil": uu["result"].map({"positive": "positif", "negative": "negatif",
                                    "refused": "menolak"}), **panel},
    )  # fmt: skip
    urine, pairs = insert_copies(urine, [20])
    sheet = RawSheet("", "urine_tests", urine,
                     titles=["REKAP TES URINE KLIEN PASCAREHABILITASI 2025"],
                     numbering_column=True)  # fmt: skip
    for dup, orig in pairs:
        sheet.plant(dup, "", None, "exact_duplicate", None, duplicate_of=orig)
    nik = str(sheet.cell(8, "NIK"))
    sheet.plant(8, "NIK", f"{int(nik) / 1e15:.5f}E+15", "excel_mangled_nik", "nik unrecoverable")
    sheet.plant(33, "Tanggal Tes", "03-02-2052", "future_date", "future date")
    return RawFile(
        "bapas_semarang/tes_urine_2025.csv", [sheet], format="csv", encoding="utf-8-sig",
        delimiter=";",
    )  # fmt: skip


def build_semarang(seed: int) -> ProgramBuild:
    """The Bapas Kelas I Semarang exports and their truth (see the module docstring)."""
    rng = stream(seed, "semarang")
    cl = _clients(rng)
    con, uri = _activities(rng, cl)
    ms = _measures(rng, cl)
    files = [
        _workbook_2024(rng, cl, con, uri, ms),
        _workbook_2025(rng, cl, con, ms),
        _google_form_2025(rng, cl, ms),
        _urine_2025(rng, cl, uri),
    ]
    done = (cl["status"] == "completed").to_numpy()
    change = whoqol_domain_scores(ms["whoqol_post"][done]) - whoqol_domain_scores(
        ms["whoqol_pre"][done]
    )
    programs = []
    for cohort, grp in cl.groupby("cohort", sort=False):
        programs.append(
            {
                "key": COHORT_KEYS[cohort],
                "program": "pascarehabilitasi", "facility": FACILITY, "facility_type": "bapas",
                "partner": PARTNER, "province": "Jawa Tengah", "cohort": cohort,
                "period_start": iso(grp["start"].min()), "period_end": iso(grp["end"].max()),
                "clients": len(grp),
                "statuses": {k: int(v) for k, v in grp["status"].value_counts().sort_index().items()},
                "instruments": ["whoqol_bref", "urica"], "timepoints": ["pre", "post"],
            }
        )  # fmt: skip
    u = uri.assign(pos=uri["result"] == "positive")
    effects = {
        "urine_positive_probability_by_month": list(URINE_POSITIVE_BY_MONTH),
        "urine_positive_share_by_month_realised": {
            int(m): float(v) for m, v in u.groupby("month")["pos"].mean().items()
        },
        "urine_panel_given_positive": PANEL_GIVEN_POSITIVE,
        "whoqol_change_realised_pre_post": {
            d: float(v) for d, v in zip(
                ("physical", "psychological", "social", "environment"), change.mean(axis=0),
                strict=True)
        },
        "dropout_share": float((cl["status"] == "dropped_out").mean()),
        "contacts_order": "home visit first, then group meetings every 14 days and monthly "
        "urine tests, counselling on days 45 and 105",
    }  # fmt: skip
    variants = {v: FACILITY for v in FACILITY_VARIANTS[FACILITY]}
    return ProgramBuild(
        files, programs, effects, niks=list(cl["nik"]), names=list(cl["name"]),
        register_nos=list(cl["register"]), facility_variants=variants,
    )  # fmt: skip
