"""Kanwil Sumatera Selatan: medical and social rehabilitation in Lapas and Rutan, 2021–2023.

870 clients in 2021, 800 in 2022 and 520 in 2023 (times ``scale``) in six-month programs in
three intakes a year (Angkatan I–III) across five facilities; WHOQOL-BREF at months 1, 3 and
6; follow-up for re-offending from the release date to the data cut-off, with competing ends
(death, transfer, lost to supervision). Everything is generated with numpy/pandas column
operations, so a large ``scale`` (≈ 160 for a million assessment rows) stays fast.

Exports per year: clients CSV (``,``), enrollments CSV (``,``), WHOQOL-BREF CSV (``;``); and one
events file for all years (tab-separated).

Re-offending model (exponential proportional hazards, time in days from release):
``h(t) = h0 × exp(b_level + b_age × (age_at_release − 35) + b_prior × prior_offences +
b_completed × completed)``; competing ends at constant hazards; administrative censoring at
``CUTOFF``. Cox (1972) estimates of the log-hazard ratios should recover ``LOG_HR``.

The same facilities also export the release register of drug-case inmates who did not join
the programme (the comparison group, :mod:`rehab_eval.synth.sumsel_register`); its truth is
``effects["sumsel_programme_effect"]``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from rehab_eval.synth.common import ProgramBuild, frame, iso, stream
from rehab_eval.synth.identity import FACILITY_VARIANTS, make_names, make_niks
from rehab_eval.synth.outcomes import whoqol_answers, whoqol_domain_scores, whoqol_latent
from rehab_eval.synth.sheets import RawFile, RawSheet, insert_copies
from rehab_eval.synth.values import format_dates

__all__ = ["BASE_CLIENTS", "CUTOFF", "LOG_HR", "build_sumsel"]

BASE_CLIENTS = {2021: 870, 2022: 800, 2023: 520}
CUTOFF = "2025-12-31"
BASELINE_HAZARD_PER_DAY = 0.0003
LOG_HR = {
    "level_sedang": 0.30,  # versus rendah
    "level_tinggi": 0.65,  # versus rendah
    "age_per_year": -0.03,  # age at release, centred at 35
    "prior_offences": 0.25,  # per prior offence
    "completed": -0.45,  # program completed versus not
}
COMPETING_HAZARD_PER_DAY = {"death": 0.00004, "transfer": 0.00008, "lost_to_supervision": 0.0001}
OFFENCE_KIND_SHARE = {"rearrest": 0.7, "reconviction": 0.2, "reincarceration": 0.1}
DROPOUT_SHARE, TRANSFER_SHARE = 0.12, 0.02
MALE_FACILITIES = {
    "Lapas Narkotika Kelas IIA Palembang": 0.40,
    "Lapas Kelas I Palembang": 0.25,
    "Rutan Kelas I Palembang": 0.20,
    "Lapas Narkotika Kelas IIA Muara Beliti": 0.15,
}
WOMEN_FACILITY = "Lapas Perempuan Kelas IIA Palembang"
REGENCIES = np.array(["1671", "1671", "1671", "1601", "1602", "1603", "1604", "1605", "1606",
                      "1607", "1672", "1673", "1674"])  # fmt: skip
COHORT_START = {"I": "02-01", "II": "06-01", "III": "09-01"}
WHOQOL_TIMEPOINTS = {"m1": (30, 0.0), "m3": (90, 0.4), "m6": (175, 1.0)}
TIMEPOINT_WORDS = {
    "m1": ["Bulan 1", "bulan ke-1", "M1"],
    "m3": ["Bulan 3", "bulan ke-3", "M3"],
    "m6": ["Bulan 6", "bulan ke-6", "M6"],
}
EVENT_WORDS = {
    "rearrest": ["Ditangkap ulang"],
    "reconviction": ["Vonis baru"],
    "reincarceration": ["Masuk kembali"],
    "death": ["Meninggal"],
    "transfer": ["Pindah", "Mutasi"],
    "lost_to_supervision": ["Hilang kontak", "Tidak lapor"],
}


def _pick(rng: np.random.Generator, options: dict | list, n: int) -> np.ndarray:
    if isinstance(options, dict):
        return rng.choice(np.array(list(options), dtype=object), n, p=list(options.values()))
    return rng.choice(np.array(options, dtype=object), n)


def _words(rng: np.random.Generator, codes: np.ndarray, words: dict[str, list[str]]) -> np.ndarray:
    out = np.empty(len(codes), dtype=object)
    for code, options in words.items():
        sel = codes == code
        out[sel] = rng.choice(np.array(options, dtype=object), sel.sum())
    return out


def _variants(rng: np.random.Generator, facility: np.ndarray) -> np.ndarray:
    return _words(rng, facility, FACILITY_VARIANTS)


def _cohort(rng: np.random.Generator, year: int, n: int, scale: int) -> pd.DataFrame:
    """One row per client of one year: identity, program, latent outcomes, follow-up."""
    female = rng.random(n) < 0.08
    facility = np.where(female, WOMEN_FACILITY, _pick(rng, MALE_FACILITIES, n)).astype(object)
    intake = _pick(rng, {"I": 0.4, "II": 0.35, "III": 0.25}, n)
    base = np.array([np.datetime64(f"{year}-{COHORT_START[k]}") for k in ("I", "II", "III")])
    start = base[np.searchsorted(["I", "II", "III"], intake)] + rng.integers(0, 40, n).astype(
        "timedelta64[D]"
    )
    age = np.clip(rng.normal(32, 8, n), 19, 60)
    birth = start - (age * 365.25).astype("timedelta64[D]")
    u = rng.random(n)
    status = np.where(
        u < DROPOUT_SHARE, "dropped_out",
        np.where(u < DROPOUT_SHARE + TRANSFER_SHARE, "transferred", "completed"),
    ).astype(object)  # fmt: skip
    length = np.where(status == "completed", 182, rng.integers(20, 170, n))
    end = start + length.astype("timedelta64[D]")
    release = end + (1 + rng.exponential(150, n)).astype(int).astype("timedelta64[D]")
    level = _pick(rng, {"rendah": 0.25, "sedang": 0.5, "tinggi": 0.25}, n)
    prior = np.minimum(rng.poisson(0.7, n), 5)
    region = REGENCIES[rng.integers(0, len(REGENCIES), n)]
    nik = make_niks(rng, region, birth, female, serial_start=1 + (year - 2021) * 3000)
    # re-offending after release
    age_rel = (release - birth).astype(int) / 365.25
    completed = status == "completed"
    lp = (
        np.where(level == "sedang", LOG_HR["level_sedang"], 0.0)
        + np.where(level == "tinggi", LOG_HR["level_tinggi"], 0.0)
        + LOG_HR["age_per_year"] * (age_rel - 35)
        + LOG_HR["prior_offences"] * prior
        + LOG_HR["completed"] * completed
    )
    times = [rng.exponential(1 / (BASELINE_HAZARD_PER_DAY * np.exp(lp)))]
    times += [rng.exponential(1 / h, n) for h in COMPETING_HAZARD_PER_DAY.values()]
    times = np.column_stack(times)
    first = times.argmin(axis=1)
    t = np.ceil(times.min(axis=1)).astype(int)
    follow = (np.datetime64(CUTOFF) - release).astype(int)
    released = follow >= 0
    has_event = released & (t <= follow)
    kinds = np.array(["offence", *COMPETING_HAZARD_PER_DAY], dtype=object)[first]
    offence = _pick(rng, OFFENCE_KIND_SHARE, n)
    kinds = np.where(kinds == "offence", offence, kinds)
    return pd.DataFrame(
        {
            "year": year, "female": female, "facility": facility,
            "cohort": [f"Angkatan {k} {year}" for k in intake], "start": start, "end": end,
            "status": status, "birth": birth, "release": np.where(released, release, None),
            "level": level, "prior": prior, "nik": nik, "name": make_names(rng, female),
            "register": [f"BI.N-{i + 1:06d}/{year}" for i in range(n)],
            "program": _pick(rng, {"rehabilitasi_sosial": 0.8, "rehabilitasi_medis": 0.2}, n),
            "age_release": age_rel, "completed": completed,
            "event_kind": np.where(has_event, kinds, None),
            "event_date": np.where(has_event, release + t.astype("timedelta64[D]"), None),
        }
    )  # fmt: skip


def _clients_file(rng, c: pd.DataFrame, year: int, n_base: int) -> RawFile:
    n = len(c)
    sexw = np.where(rng.random(n) < 0.5, np.where(c["female"], "P", "L"),
                    np.where(c["female"], "Perempuan", "Laki-laki"))  # fmt: skip
    release = pd.to_datetime(c["release"]).to_numpy()
    data = frame(
        ["No", "NIK", "No. Register", "Nama", "Jenis Kelamin", "Tanggal Lahir", "UPT", "Kanwil",
         "Tanggal Bebas", "Jumlah Pidana Sebelumnya"],
        {"No": np.arange(1, n + 1), "NIK": c["nik"], "No. Register": c["register"],
         "Nama": c["name"], "Jenis Kelamin": sexw,
         "Tanggal Lahir": format_dates(
             c["birth"].to_numpy(), _pick(rng, ["dmy", "dmy0", "long", "legacy", "abbr", "iso"], n)),
         "UPT": _variants(rng, c["facility"].to_numpy()), "Kanwil": ["Sumatera Selatan"] * n,
         "Tanggal Bebas": format_dates(release, "dmy"), "Jumlah Pidana Sebelumnya": c["prior"]},
    )  # fmt: skip
    sheet = RawSheet("", "clients", data, numbering_column=True)
    return RawFile(f"kanwil_sumsel/klien_rehabilitasi_{year}.csv", [sheet], format="csv",
                   encoding="utf-8", delimiter=",")  # fmt: skip


def _orphans(rng, year: int, k: int) -> pd.DataFrame:
    """Extra client rows with no program episode (to carry client-level defects)."""
    birth = np.datetime64(f"{year - 30}-03-15") + rng.integers(0, 3000, k).astype("timedelta64[D]")
    female = np.zeros(k, dtype=bool)
    return pd.DataFrame(
        {"nik": make_niks(rng, "1671", birth, female, serial_start=9001 + 10 * (year - 2021)),
         "name": make_names(rng, female), "birth": birth, "female": female,
         "register": [f"BI.N-9{i + 1:05d}/{year}" for i in range(k)],
         "facility": ["Rutan Kelas I Palembang"] * k,
         "release": [np.datetime64(f"{year}-11-20")] * k, "prior": [1] * k}
    )  # fmt: skip


def _program_file(rng, c: pd.DataFrame, year: int) -> RawFile:
    n = len(c)
    status_words = {"completed": ["Selesai"], "dropped_out": ["DO", "Drop Out"],
                    "transferred": ["Pindah"]}  # fmt: skip
    data = frame(
        ["No", "No. Register", "UPT", "Jenis Rehabilitasi", "Tingkat Risiko", "Angkatan",
         "Tgl Masuk", "Tgl Keluar", "Status"],
        {"No": np.arange(1, n + 1), "No. Register": c["register"],
         "UPT": _variants(rng, c["facility"].to_numpy()),
         "Jenis Rehabilitasi": np.where(c["program"] == "rehabilitasi_sosial",
                                        "Rehabilitasi Sosial", "Rehabilitasi Medis"),
         "Tingkat Risiko": _words(rng, c["level"].to_numpy(),
                                  {"rendah": ["Rendah"], "sedang": ["Sedang", "Menengah"],
                                   "tinggi": ["Tinggi"]}),
         "Angkatan": c["cohort"], "Tgl Masuk": format_dates(c["start"].to_numpy(), "dmy0"),
         "Tgl Keluar": format_dates(c["end"].to_numpy(), "dmy0"),
         "Status": _words(rng, c["status"].to_numpy(), status_words)},
    )  # fmt: skip
    sheet = RawSheet("", "enrollments", data, numbering_column=True)
    return RawFile(f"kanwil_sumsel/program_rehabilitasi_{year}.csv", [sheet], format="csv",
                   encoding="utf-8", delimiter=",")  # fmt: skip


def _whoqol(rng, c: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """WHOQOL-BREF rows at m1, m3, m6 (long, sorted by date) and the answers per timepoint."""
    n = len(c)
    pre, change = whoqol_latent(rng, n)
    length = (c["end"] - c["start"]).dt.days.to_numpy()
    parts, answers = [], {}
    for tp, (day, frac) in WHOQOL_TIMEPOINTS.items():
        ans = whoqol_answers(rng, pre + frac * change)
        answers[tp] = ans
        present = length >= day + 5
        date = c["start"].to_numpy() + (day + rng.integers(0, 5, n)).astype("timedelta64[D]")
        idx = np.flatnonzero(present)
        parts.append(
            pd.DataFrame({"client": idx, "tp": tp, "date": date[idx]}).join(
                pd.DataFrame(ans[idx], columns=[f"Q{q}" for q in range(1, 27)])
            )
        )
    rows = pd.concat(parts, ignore_index=True).sort_values(["date", "client"], kind="stable",
                                                           ignore_index=True)  # fmt: skip
    both = length >= 180
    realised = whoqol_domain_scores(answers["m6"][both]) - whoqol_domain_scores(answers["m1"][both])
    return rows, realised.mean(axis=0)


def _whoqol_file(rng, c: pd.DataFrame, rows: pd.DataFrame, year: int) -> RawFile:
    m = len(rows)
    ci = rows["client"].to_numpy()
    data = pd.DataFrame(
        {"No": np.arange(1, m + 1), "NIK": c["nik"].to_numpy()[ci], "Nama": c["name"].to_numpy()[ci],
         "UPT": _variants(rng, c["facility"].to_numpy()[ci]),
         "Instrumen": _pick(rng, ["WHOQOL-BREF", "WHOQOL BREF", "WHOQOL"], m),
         "Pengukuran": _words(rng, rows["tp"].to_numpy(), TIMEPOINT_WORDS),
         "Tanggal Pengisian": format_dates(rows["date"].to_numpy(),
                                           _pick(rng, ["dmy", "dmy0", "iso"], m))}
    ).join(rows[[f"Q{q}" for q in range(1, 27)]])  # fmt: skip
    return RawFile(f"kanwil_sumsel/whoqol_bref_{year}.csv", [RawSheet("", "assessments", data,
                   numbering_column=True)], format="csv", encoding="utf-8", delimiter=";")  # fmt: skip


def _plant_whoqol(raw: RawFile, year: int) -> None:
    sheet = raw.sheets[0]
    if year == 2021:
        sheet.data, pairs = insert_copies(sheet.data, [50, 120])
        for dup, orig in pairs:
            sheet.plant(dup, "", None, "exact_duplicate", None, duplicate_of=orig)
        nik = str(sheet.cell(30, "NIK"))
        sheet.plant(30, "NIK", f"{int(nik) / 1e15:.5f}E+15", "excel_mangled_nik",
                    "nik unrecoverable")  # fmt: skip
        sheet.plant(70, "Q5", "9", "out_of_range_answer", "out of range")
    elif year == 2022:
        old = int(sheet.cell(40, "Q12"))
        sheet.data, pairs = insert_copies(sheet.data, [40], [{"Q12": 1 + old % 5}])
        for dup, orig in pairs:
            for pos in (orig, dup):
                sheet.plant(pos, "Q12", sheet.cell(pos, "Q12"), "conflicting_duplicate",
                            "conflicting duplicate")  # fmt: skip
        sheet.plant(90, "Pengukuran", "", "missing_timepoint", "missing required value")
        sheet.plant(130, "Tanggal Pengisian", "31/04/2022", "impossible_date", "unparseable date")
    else:
        sheet.plant(25, "NIK", "", "no_identifier", "no identifier")
        sheet.plant(60, "NIK", str(sheet.cell(60, "NIK"))[:15], "invalid_nik", "invalid nik")
        sheet.plant(100, "Q20", "6", "out_of_range_answer", "out of range")


def _events_file(rng, allc: pd.DataFrame) -> RawFile:
    ev = allc[allc["event_kind"].notna()].copy()
    ev["event_date"] = pd.to_datetime(ev["event_date"])
    ev = ev.sort_values(["event_date", "nik"], kind="stable", ignore_index=True)
    m = len(ev)
    notes = np.where(ev["event_kind"].isin(list(OFFENCE_KIND_SHARE)).to_numpy(),
                     _pick(rng, ["Pasal 112 UU 35/2009", "Pasal 114 UU 35/2009",
                                 "Pasal 127 UU 35/2009", ""], m), "")  # fmt: skip
    data = frame(
        ["No", "NIK", "Nama", "UPT", "Tanggal Kejadian", "Jenis Kejadian", "Catatan"],
        {"No": np.arange(1, m + 1), "NIK": ev["nik"], "Nama": ev["name"],
         "UPT": _variants(rng, ev["facility"].to_numpy()),
         "Tanggal Kejadian": format_dates(ev["event_date"].to_numpy(),
                                          _pick(rng, ["dmy", "long", "abbr"], m)),
         "Jenis Kejadian": _words(rng, ev["event_kind"].to_numpy(), EVENT_WORDS),
         "Catatan": notes},
    )  # fmt: skip
    sheet = RawSheet("", "events", data, titles=["DATA RESIDIVIS DAN KEJADIAN PASCA BEBAS",
                                                 "KANWIL SUMATERA SELATAN 2021-2025"],
                     numbering_column=True)  # fmt: skip
    sheet.plant(7, "Tanggal Kejadian", "", "missing_event_date", "missing required value")
    sheet.plant(19, "Tanggal Kejadian", "", "missing_event_date", "missing required value")
    sheet.plant(33, "Tanggal Kejadian", "17 Agt 2052", "future_date", "future date")
    return RawFile("kanwil_sumsel/residivis_2021_2025.csv", [sheet], format="csv",
                   encoding="utf-8", delimiter="\t")  # fmt: skip


def build_sumsel(
    seed: int, scale: int = 1, emit: Callable[[RawFile], None] | None = None
) -> ProgramBuild:
    """The Kanwil Sumatera Selatan exports and their truth (see the module docstring).

    With ``emit``, each file is handed to it as soon as it is complete (and not kept in the
    returned build), so a large ``scale`` holds one year's tables in memory at a time.
    """
    files, programs, cohorts, ids, realised = [], [], [], ([], [], []), {}
    out = emit if emit is not None else files.append
    for year, base in BASE_CLIENTS.items():
        rng = stream(seed, "sumsel", year)
        n = base * scale
        c = _cohort(rng, year, n, scale)
        cohorts.append(c)
        clients = _clients_file(rng, c, year, base)
        orph = _orphans(rng, year, 3)
        sheet = clients.sheets[0]
        extra = frame(
            list(sheet.data.columns),
            {"No": np.arange(n + 1, n + 4), "NIK": orph["nik"], "No. Register": orph["register"],
             "Nama": orph["name"], "Jenis Kelamin": ["L"] * 3,
             "Tanggal Lahir": format_dates(orph["birth"].to_numpy(), "dmy"),
             "UPT": ["Rutan Klas I Palembang"] * 3, "Kanwil": ["Sumatera Selatan"] * 3,
             "Tanggal Bebas": format_dates(pd.to_datetime(orph["release"]).to_numpy(), "dmy"),
             "Jumlah Pidana Sebelumnya": orph["prior"]},
        )  # fmt: skip
        sheet.data = pd.concat([sheet.data, extra], ignore_index=True)
        if year in (2021, 2022):
            before = format_dates(np.array([np.datetime64(f"{year - 40}-06-01")]), "dmy")[0]
            sheet.plant(n, "Tanggal Bebas", before, "release_before_birth", "release before birth")
        if year == 2022:
            sheet.plant(11, "Jenis Kelamin", "LP", "unparseable_value", "unparseable value")
        if year == 2023:
            sheet.data, pairs = insert_copies(
                sheet.data, [n + 1], [{"Jumlah Pidana Sebelumnya": 3}]
            )
            for dup, orig in pairs:
                for pos in (orig, dup):
                    sheet.plant(pos, "Jumlah Pidana Sebelumnya",
                                sheet.cell(pos, "Jumlah Pidana Sebelumnya"),
                                "conflicting_duplicate", "conflicting duplicate")  # fmt: skip
        prog = _program_file(rng, c, year)
        if year == 2021:
            prog.sheets[0].plant(14, "Status", "tunda", "unparseable_value", "unparseable value")
        rows, realised[year] = _whoqol(rng, c)
        wq = _whoqol_file(rng, c, rows, year)
        _plant_whoqol(wq, year)
        for lst, col in zip(ids, ("nik", "name", "register"), strict=True):
            lst.extend(c[col].tolist() + orph[col].tolist())
        programs.append(
            {"key": f"sumsel_{year}", "program": "rehabilitasi_sosial+rehabilitasi_medis",
             "facility": "Kanwil Sumatera Selatan (several Lapas and Rutan)",
             "facility_type": "lapas/rutan", "partner": None, "province": "Sumatera Selatan",
             "period_start": iso(c["start"].min()), "period_end": iso(c["end"].max()),
             "clients": int(n), "clients_without_episode": 3,
             "programs": {k: int(v) for k, v in c["program"].value_counts().sort_index().items()},
             "facilities": {k: int(v) for k, v in c["facility"].value_counts().sort_index().items()},
             "statuses": {k: int(v) for k, v in c["status"].value_counts().sort_index().items()},
             "instruments": ["whoqol_bref"], "timepoints": ["m1", "m3", "m6"],
             "assessment_rows": int(len(wq.sheets[0].data))}
        )  # fmt: skip
        for raw in (clients, prog, wq):
            out(raw)
        del clients, prog, wq, rows, sheet
    allc = pd.concat(cohorts, ignore_index=True)
    out(_events_file(stream(seed, "sumsel", 0), allc))
    kinds = allc["event_kind"].fillna("censored").value_counts().sort_index()
    weights = np.array(list(BASE_CLIENTS.values()), dtype=float)
    mean_realised = (np.array(list(realised.values())) * weights[:, None]).sum(0) / weights.sum()
    effects = {
        "cox": {
            "time_origin": "clients.release_date", "time_unit": "day", "cutoff_date": CUTOFF,
            "outcome": "first of rearrest / reconviction / reincarceration",
            "baseline_hazard_per_day": BASELINE_HAZARD_PER_DAY, "log_hr": LOG_HR,
            "age_centre_years": 35, "age_definition": "(release_date - birth_date) / 365.25",
            "completed_definition": "enrollments.status == completed",
            "competing_hazard_per_day": COMPETING_HAZARD_PER_DAY,
            "offence_kind_share": OFFENCE_KIND_SHARE,
            "first_event_counts": {k: int(v) for k, v in kinds.items()},
            "not_released_by_cutoff": int(allc["release"].isna().sum()),
        },
        "sumsel_whoqol_change_realised_m1_m6": dict(zip(
            ("physical", "psychological", "social", "environment"),
            (float(x) for x in mean_realised), strict=True)),
        "sumsel_dropout_share": DROPOUT_SHARE, "sumsel_transfer_share": TRANSFER_SHARE,
        "sumsel_whoqol_timepoint_fraction_of_change": {k: v[1] for k, v in WHOQOL_TIMEPOINTS.items()},
    }  # fmt: skip
    from rehab_eval.synth.sumsel_register import build_register

    effects["sumsel_programme_effect"], reg_ids = build_register(seed, scale, out, allc)
    for lst, extra in zip(ids, reg_ids, strict=True):
        lst.extend(extra)
    variants = {v: f for f in (*MALE_FACILITIES, WOMEN_FACILITY) for v in FACILITY_VARIANTS[f]}
    return ProgramBuild(files, programs, effects, niks=ids[0], names=ids[1], register_nos=ids[2],
                        facility_variants=variants)  # fmt: skip
