"""Rutan Kelas IIB Banjarnegara with BNNK Purbalingga: ASSIST screening and assessment.

Detainees are screened with WHO ASSIST v3.0 (ten substances) and assessed into levels
rendah / sedang / tinggi (the highest specific-substance risk over the substances other than
tobacco; bands per the WHO ASSIST v3.0 feedback card: alcohol 0–10 / 11–26 / 27+, others
0–3 / 4–26 / 27+). ASSIST answers are written as the weights printed on the form (Q1 No 0 /
Yes 3; Q2 0/2/3/4/6; Q3 0/3/4/5/6; Q4 0/4/5/6/7; Q5 0/5/6/7/8; Q6, Q7 0/3/6; Q5 blank for
tobacco), item headers ``<substance>_q1`` … ``<substance>_q7``.
"""

from __future__ import annotations

import numpy as np

from rehab_eval.synth.common import ProgramBuild, days, frame, iso, stream, to_datetimes
from rehab_eval.synth.identity import FACILITY_VARIANTS, make_names, make_niks
from rehab_eval.synth.outcomes import ASSIST_LEVEL_SHARE, ASSIST_PRIMARY, assist_answers
from rehab_eval.synth.sheets import RawFile, RawSheet
from rehab_eval.synth.values import format_dates
from rehab_eval.vocab import SUBSTANCES

__all__ = ["build_banjarnegara"]

FACILITY = "Rutan Kelas IIB Banjarnegara"
PARTNER = "BNNK Purbalingga"
N_CLIENTS = 42
LEVEL_WORDS = {"rendah": ["rendah", "ringan"], "sedang": ["sedang", "menengah"],
               "tinggi": ["tinggi", "berat"]}  # fmt: skip


def assist_level(answers: dict[str, np.ndarray]) -> np.ndarray:
    """Level per client: the highest ASSIST risk over substances other than tobacco."""
    n = len(next(iter(answers.values())))
    rank = np.zeros(n, dtype=int)
    for s, a in answers.items():
        if s == "tobacco":
            continue
        q = np.nan_to_num(a)
        used = q[:, 0] > 0
        recent = q[:, 1] > 0
        ssis = np.where(used, q[:, 1] + np.where(recent, q[:, 2:5].sum(axis=1), 0)
                        + q[:, 5] + q[:, 6], 0)  # fmt: skip
        lo, hi = (10, 26) if s == "alcohol" else (3, 26)
        rank = np.maximum(rank, np.where(ssis > hi, 2, np.where(ssis > lo, 1, 0)))
    return np.array(["rendah", "sedang", "tinggi"], dtype=object)[rank]


def build_banjarnegara(seed: int) -> ProgramBuild:
    """The Rutan Banjarnegara exports and their truth (see the module docstring)."""
    rng = stream(seed, "banjarnegara")
    n = N_CLIENTS
    screen = days("2024-02-05", np.sort(rng.integers(0, 290, n)))
    female = rng.random(n) < 0.07
    birth = days("1974-01-01", rng.integers(0, 365 * 30, n))
    nik = make_niks(rng, "3304", birth, female, serial_start=1)
    name = make_names(rng, female)
    reg = np.array([f"AII.{i + 1:03d}/RTN-BNA/2024" for i in range(n)], dtype=object)
    answers, primary, _ = assist_answers(rng, SUBSTANCES, n)
    level = assist_level(answers)
    wbp = frame(
        ["No", "NIK", "No Reg", "Nama WBP", "Jenis Kelamin", "Tanggal Lahir", "Rutan",
         "Provinsi"],
        {"No": range(1, n + 1), "NIK": nik, "No Reg": reg, "Nama WBP": name,
         "Jenis Kelamin": np.where(female, "Perempuan", "Laki-laki"),
         "Tanggal Lahir": to_datetimes(birth),
         "Rutan": rng.choice(FACILITY_VARIANTS[FACILITY], n), "Provinsi": ["Jawa Tengah"] * n},
    )  # fmt: skip
    s_wbp = RawSheet("Data WBP", "clients", wbp,
                     titles=["DATA WBP PESERTA SKRINING DAN ASESMEN", "RUTAN KELAS IIB BANJARNEGARA"],
                     totals=["JUMLAH", "", "", f"{n} orang"], numbering_column=True)  # fmt: skip
    items = {
        f"{s}_q{k + 1}": [None if np.isnan(v) else int(v) for v in answers[s][:, k]]
        for s in SUBSTANCES for k in range(7)
    }  # fmt: skip
    assist = frame(
        ["No", "No Reg", "Nama WBP", "Instrumen", "Waktu", "Tgl Asesmen", *items],
        {"No": range(1, n + 1), "No Reg": reg, "Nama WBP": name, "Instrumen": ["ASSIST"] * n,
         "Waktu": ["Awal"] * n, "Tgl Asesmen": format_dates(screen, "dmy"), **items},
    )  # fmt: skip
    s_as = RawSheet("Skrining ASSIST", "assessments", assist,
                    titles=["HASIL SKRINING WHO-ASSIST V3.0", "Bekerja sama dengan BNNK Purbalingga"],
                    numbering_column=True)  # fmt: skip
    s_as.plant(11, "Tgl Asesmen", "29/02/2023", "impossible_date", "unparseable date")
    words = [LEVEL_WORDS[lv][int(rng.integers(0, 2))] for lv in level]
    hasil = frame(
        ["No", "No Reg", "Nama WBP", "Program", "Tingkat", "Tanggal Mulai", "Rutan", "Mitra"],
        {"No": range(1, n + 1), "No Reg": reg, "Nama WBP": name, "Program": ["Asesmen"] * n,
         "Tingkat": [w.capitalize() for w in words],
         "Tanggal Mulai": to_datetimes(screen + np.timedelta64(7, "D")),
         "Rutan": rng.choice(FACILITY_VARIANTS[FACILITY], n), "Mitra": [PARTNER] * n},
    )  # fmt: skip
    s_h = RawSheet("Hasil Asesmen", "enrollments", hasil, titles=["HASIL ASESMEN TIM TAT"],
                   numbering_column=True)  # fmt: skip
    s_h.plant(17, "Tingkat", "sdg?", "unparseable_value", "unparseable value")
    book = RawFile("rutan_banjarnegara/skrining_asesmen_assist_2024.xlsx", [s_wbp, s_as, s_h])
    levels = {lv: int((level == lv).sum()) for lv in ("rendah", "sedang", "tinggi")}
    programs = [
        {"key": "banjarnegara_2024", "program": "asesmen", "facility": FACILITY,
         "facility_type": "rutan", "partner": PARTNER, "province": "Jawa Tengah",
         "period_start": iso(screen.min()), "period_end": iso(screen.max() + np.timedelta64(7, "D")),
         "clients": n, "levels": levels, "instruments": ["assist"], "timepoints": ["pre"]},
    ]  # fmt: skip
    effects = {
        "assist_answer_coding": "weights as printed on the form; Q1 No 0 / Yes 3",
        "assist_primary_substance_share": ASSIST_PRIMARY,
        "assist_level_share": ASSIST_LEVEL_SHARE,
        "assist_level_rule": "highest risk band over substances other than tobacco",
    }
    return ProgramBuild(
        [book], programs, effects, niks=list(nik), names=list(name), register_nos=list(reg),
        facility_variants={v: FACILITY for v in FACILITY_VARIANTS[FACILITY]},
    )  # fmt: skip
