"""Kanwil Sumatera Selatan: release register of drug-case inmates who did not join the programme.

The comparison group of the programme evaluation. The five Lapas/Rutan of
:mod:`rehab_eval.synth.sumsel` export, from their prison database, the drug-case inmates
released from 2021 to 2025 (the years the participants of the 2021–2023 intakes were
released) who were not in rehabilitation (900, 1 500, 1 300, 700 and 100 times ``scale``):
one CSV per release year (``;``-separated, Indonesian headers, with the
offence article and sentence length that the ETL does not need), and one tab-separated file of
what happened to them after release (re-offending and competing ends).

Selection into the programme depends on the covariates both exports record: the
non-participants are older (mean age at release 39 against about 33), have fewer prior
offences (Poisson 0.45 against 0.7), are more often in Lapas Kelas I and Rutan Palembang and
slightly more often men. The programme's risk level is a programme assessment and is not in
the register; it has the participants' distribution, so it confounds nothing.

Re-offending without the programme follows the participants' model with the programme terms
removed: ``h(t) = h0 × exp(b_level + b_age × (age − 35) + b_prior × prior +
NO_PROGRAMME_LOG_HR)``. Against that, a participant's log hazard ratio is
``−NO_PROGRAMME_LOG_HR + LOG_HR["completed"] × completed`` (−0.15 for those who dropped out,
−0.60 for completers): the planted programme effect. Because participants are younger and
have more prior offences, the unadjusted comparison understates it. ``truth.json`` records
the model and the true effect on the participants (ATT) as a difference in the restricted
mean offence-free time and in the net risk of re-offending, averaged over the released
participants' own covariates (exact under the exponential model; competing ends censor).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from rehab_eval.synth.common import frame, stream
from rehab_eval.synth.identity import make_names, make_niks
from rehab_eval.synth.sheets import RawFile, RawSheet
from rehab_eval.synth.values import format_dates

__all__ = ["BASE_REGISTER", "NO_PROGRAMME_LOG_HR", "build_register", "true_att"]

BASE_REGISTER = {2021: 900, 2022: 1500, 2023: 1300, 2024: 700, 2025: 100}
NO_PROGRAMME_LOG_HR = 0.15
AGE_MEAN, AGE_SD = 39.0, 8.0
PRIOR_MEAN = 0.45
FEMALE_SHARE = 0.06
MALE_FACILITIES = {
    "Lapas Narkotika Kelas IIA Palembang": 0.20,
    "Lapas Kelas I Palembang": 0.35,
    "Rutan Kelas I Palembang": 0.30,
    "Lapas Narkotika Kelas IIA Muara Beliti": 0.15,
}
ARTICLES = {
    "Pasal 112 UU 35/2009": 0.45,
    "Pasal 114 UU 35/2009": 0.25,
    "Pasal 127 UU 35/2009": 0.30,
}
#: Horizons (days) of the true effect written to truth.json.
HORIZONS = (365, 730)


def _lp(level: np.ndarray, age: np.ndarray, prior: np.ndarray, log_hr: dict) -> np.ndarray:
    return (
        np.where(level == "sedang", log_hr["level_sedang"], 0.0)
        + np.where(level == "tinggi", log_hr["level_tinggi"], 0.0)
        + log_hr["age_per_year"] * (age - 35)
        + log_hr["prior_offences"] * prior
    )


def _register(rng: np.random.Generator, year: int, n: int, sumsel) -> pd.DataFrame:
    female = rng.random(n) < FEMALE_SHARE
    names = np.array(list(MALE_FACILITIES), dtype=object)
    male_fac = rng.choice(names, n, p=list(MALE_FACILITIES.values()))
    facility = np.where(female, sumsel.WOMEN_FACILITY, male_fac).astype(object)
    release = np.datetime64(f"{year}-01-04") + rng.integers(0, 355, n).astype("timedelta64[D]")
    age = np.clip(rng.normal(AGE_MEAN, AGE_SD, n), 19, 64)
    birth = release - (age * 365.25).astype("timedelta64[D]")
    age_rel = (release - birth).astype(int) / 365.25
    prior = np.minimum(rng.poisson(PRIOR_MEAN, n), 5)
    level = rng.choice(np.array(["rendah", "sedang", "tinggi"], dtype=object), n,
                       p=[0.25, 0.5, 0.25])  # fmt: skip
    lp = _lp(level, age_rel, prior, sumsel.LOG_HR) + NO_PROGRAMME_LOG_HR
    hazards = sumsel.COMPETING_HAZARD_PER_DAY
    times = [rng.exponential(1 / (sumsel.BASELINE_HAZARD_PER_DAY * np.exp(lp)))]
    times += [rng.exponential(1 / h, n) for h in hazards.values()]
    times = np.column_stack(times)
    first = times.argmin(axis=1)
    t = np.ceil(times.min(axis=1)).astype(int)
    follow = (np.datetime64(sumsel.CUTOFF) - release).astype(int)
    has_event = t <= follow
    kinds = np.array(["offence", *hazards], dtype=object)[first]
    offence = rng.choice(np.array(list(sumsel.OFFENCE_KIND_SHARE), dtype=object), n,
                         p=list(sumsel.OFFENCE_KIND_SHARE.values()))  # fmt: skip
    kinds = np.where(kinds == "offence", offence, kinds)
    region = sumsel.REGENCIES[rng.integers(0, len(sumsel.REGENCIES), n)]
    return pd.DataFrame(
        {
            "year": year, "female": female, "facility": facility, "birth": birth,
            "release": release, "prior": prior, "level": level,
            "nik": make_niks(rng, region, birth, female, serial_start=7001 + 500 * (year - 2021)),
            "name": make_names(rng, female),
            "register": [f"BI.N-{i + 1:06d}/{year}/SDP" for i in range(n)],
            "article": rng.choice(np.array(list(ARTICLES), dtype=object), n,
                                  p=list(ARTICLES.values())),
            "sentence": rng.integers(12, 73, n),
            "event_kind": np.where(has_event, kinds, None),
            "event_date": np.where(has_event, release + t.astype("timedelta64[D]"), None),
        }
    )  # fmt: skip


def _register_file(rng, c: pd.DataFrame, year: int, sumsel) -> RawFile:
    n = len(c)
    data = frame(
        ["No", "NIK", "No. Register", "Nama", "Jenis Kelamin", "Tanggal Lahir", "UPT", "Kanwil",
         "Pasal", "Lama Pidana (bulan)", "Tanggal Bebas", "Jumlah Pidana Sebelumnya"],
        {"No": np.arange(1, n + 1), "NIK": c["nik"], "No. Register": c["register"],
         "Nama": c["name"], "Jenis Kelamin": np.where(c["female"], "Perempuan", "Laki-laki"),
         "Tanggal Lahir": format_dates(c["birth"].to_numpy(), "dmy0"),
         "UPT": sumsel._variants(rng, c["facility"].to_numpy()),
         "Kanwil": ["Sumatera Selatan"] * n, "Pasal": c["article"],
         "Lama Pidana (bulan)": c["sentence"],
         "Tanggal Bebas": format_dates(c["release"].to_numpy(), "dmy0"),
         "Jumlah Pidana Sebelumnya": c["prior"]},
    )  # fmt: skip
    sheet = RawSheet("", "clients", data, numbering_column=True)
    return RawFile(f"kanwil_sumsel/sdp_wbp_narkotika_bebas_{year}.csv", [sheet], format="csv",
                   encoding="utf-8", delimiter=";")  # fmt: skip


def _events_file(rng, allc: pd.DataFrame, sumsel) -> RawFile:
    ev = allc[allc["event_kind"].notna()].copy()
    ev["event_date"] = pd.to_datetime(ev["event_date"])
    ev = ev.sort_values(["event_date", "nik"], kind="stable", ignore_index=True)
    m = len(ev)
    data = frame(
        ["No", "NIK", "Nama", "UPT", "Tanggal Kejadian", "Jenis Kejadian"],
        {"No": np.arange(1, m + 1), "NIK": ev["nik"], "Nama": ev["name"],
         "UPT": sumsel._variants(rng, ev["facility"].to_numpy()),
         "Tanggal Kejadian": format_dates(ev["event_date"].to_numpy(), "dmy0"),
         "Jenis Kejadian": sumsel._words(rng, ev["event_kind"].to_numpy(), sumsel.EVENT_WORDS)},
    )  # fmt: skip
    sheet = RawSheet("", "events", data, titles=["DATA KEJADIAN PASCA BEBAS WBP NARKOTIKA "
                                                 "BUKAN PESERTA REHABILITASI",
                                                 "KANWIL SUMATERA SELATAN 2021-2025"],
                     numbering_column=True)  # fmt: skip
    return RawFile("kanwil_sumsel/kejadian_pasca_bebas_non_peserta_2021_2025.csv", [sheet],
                   format="csv", encoding="utf-8", delimiter="\t")  # fmt: skip


def true_att(participants: pd.DataFrame, sumsel) -> dict:
    """The planted effect on the released participants, exact under the exponential model.

    Per participant the offence hazard with the programme, h₁, and without it, h₀; the net
    offence-free restricted mean to τ is (1 − e^(−hτ))/h and the net risk by τ 1 − e^(−hτ).
    Averages over the released participants (sample ATT given their covariates).
    """
    p = participants[participants["release"].notna()]
    lp0 = _lp(p["level"].to_numpy(), p["age_release"].to_numpy(), p["prior"].to_numpy(),
              sumsel.LOG_HR) + NO_PROGRAMME_LOG_HR  # fmt: skip
    lp1 = lp0 - NO_PROGRAMME_LOG_HR + sumsel.LOG_HR["completed"] * p["completed"].to_numpy()
    h0 = sumsel.BASELINE_HAZARD_PER_DAY * np.exp(lp0)
    h1 = sumsel.BASELINE_HAZARD_PER_DAY * np.exp(lp1)
    out = {"n_participants_released": int(len(p))}
    for tau in HORIZONS:
        out[f"rmst_difference_days_{tau}"] = float(
            np.mean((1 - np.exp(-h1 * tau)) / h1 - (1 - np.exp(-h0 * tau)) / h0)
        )
        out[f"risk_difference_{tau}"] = float(np.mean(np.exp(-h0 * tau) - np.exp(-h1 * tau)))
    out["mean_conditional_log_hr"] = float(np.mean(lp1 - lp0))
    return out


def build_register(
    seed: int, scale: int, emit: Callable[[RawFile], None], participants: pd.DataFrame
) -> tuple[dict, list[list[str]]]:
    """Emit the register files; return the truth entry and the identities (NIK, name, register)."""
    from rehab_eval.synth import sumsel

    parts, ids = [], ([], [], [])
    for year, base in BASE_REGISTER.items():
        rng = stream(seed, "sumsel", year, 99)
        c = _register(rng, year, base * scale, sumsel)
        emit(_register_file(rng, c, year, sumsel))
        for lst, col in zip(ids, ("nik", "name", "register"), strict=True):
            lst.extend(c[col].tolist())
        parts.append(c)
    allc = pd.concat(parts, ignore_index=True)
    emit(_events_file(stream(seed, "sumsel", 0, 99), allc, sumsel))
    kinds = allc["event_kind"].fillna("censored").value_counts().sort_index()
    truth = {
        "design": "participants (enrollments in rehabilitasi_sosial / rehabilitasi_medis) vs "
        "released drug-case inmates of the same facilities and years without any enrollment",
        "register_clients": {str(y): int(n * scale) for y, n in BASE_REGISTER.items()},
        "no_programme_log_hr": NO_PROGRAMME_LOG_HR,
        "log_hr_programme_vs_none": {
            "dropped_out_or_transferred": -NO_PROGRAMME_LOG_HR,
            "completed": -NO_PROGRAMME_LOG_HR + sumsel.LOG_HR["completed"],
        },
        "selection": {
            "register_age_at_release": {"mean": AGE_MEAN, "sd": AGE_SD},
            "register_prior_offences_poisson_mean": PRIOR_MEAN,
            "register_female_share": FEMALE_SHARE,
            "register_male_facility_share": MALE_FACILITIES,
            "register_level_share": {"rendah": 0.25, "sedang": 0.5, "tinggi": 0.25},
            "covariates_confounding": ["age_at_release", "prior_offences"],
        },
        "register_first_event_counts": {k: int(v) for k, v in kinds.items()},
        "att": true_att(participants, sumsel),
    }
    return truth, [list(x) for x in ids]
