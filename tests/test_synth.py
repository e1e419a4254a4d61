"""Synthetic program records: the exports are read back from disk (openpyxl, csv, pandas) and
checked against the issue's list of messy features, the four programs and truth.json."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from rehab_eval.errors import ConfigError
from rehab_eval.synth import generate_synthetic
from rehab_eval.synth.identity import make_niks
from rehab_eval.synth.values import DATE_STYLES, format_dates

REASONS = {
    "out of range",
    "unparseable date",
    "unparseable value",
    "no identifier",
    "nik unrecoverable",
    "invalid nik",
    "future date",
    "release before birth",
    "conflicting duplicate",
    "missing required value",
}
MONTHS = {
    name.lower(): i
    for i, names in enumerate(
        [
            ("Januari", "Jan"),
            ("Februari", "Pebruari", "Feb", "Peb"),
            ("Maret", "Mar"),
            ("April", "Apr"),
            ("Mei",),
            ("Juni", "Jun"),
            ("Juli", "Jul"),
            ("Agustus", "Agu", "Agt", "Ags"),
            ("September", "Sep"),
            ("Oktober", "Okt"),
            ("November", "Nopember", "Nov", "Nop"),
            ("Desember", "Des"),
        ],
        start=1,
    )
    for name in names
}
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


# ---------------------------------------------------------------- reading the files back


def parse_date(value) -> dt.date | None:
    """Day-first Indonesian dates as written in the exports; None when not a valid date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, int):  # Excel serial day number
        return dt.date(1899, 12, 30) + dt.timedelta(days=value)
    text = str(value).strip()
    m = re.fullmatch(r"(?:\w+ \()?(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})\)?", text)
    try:
        if m:
            d, mo, y = (int(g) for g in m.groups())
            return dt.date(y + 2000 if y < 100 else y, mo, d)
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        if m:
            return dt.date(*(int(g) for g in m.groups()))
        m = re.fullmatch(r"(?:\w+, )?(\d{1,2}) (\w+) (\d{4})", text)
        if m and m.group(2).lower() in MONTHS:
            return dt.date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    except ValueError:
        return None
    return None


def text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(root: Path, relpath: str, spec: dict, sheet: str) -> list[list]:
    """All rows of one sheet / CSV as a user sees them (index 0 is row 1)."""
    path = root / relpath
    if spec["format"] == "xlsx":
        ws = load_workbook(path)[sheet]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    if spec["format"] == "xls":
        import xlrd

        sh = xlrd.open_workbook(str(path)).sheet_by_name(sheet)
        return [[v if v != "" else None for v in sh.row_values(r)] for r in range(sh.nrows)]
    text = path.read_bytes().decode(spec["encoding"])
    if spec["encoding"] == "utf-8-sig":
        assert not text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=spec["delimiter"]))


def table(root: Path, truth: dict, relpath: str, sheet: str = "") -> list[dict]:
    """Data rows of one sheet as dicts keyed by the raw header."""
    spec = truth["files"][relpath]
    info = spec["sheets"][sheet]
    rows = read_rows(root, relpath, spec, sheet)
    header = [text_of(h) for h in rows[info["header_row"] - 1]]
    body = rows[info["header_row"] : info["header_row"] + info["data_rows"]]
    return [dict(zip(header, r, strict=False)) for r in body]


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("synth")
    truth = generate_synthetic(base / "raw", seed=7)
    return base / "raw", truth


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------- truth.json and the files


def test_truth_json_is_written_beside_the_exports(synth):
    root, truth = synth
    on_disk = json.loads((root.parent / "truth.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(truth))
    assert not list(root.rglob("truth.json"))
    assert set(_hashes(root)) == set(truth["files"])
    assert truth["generated_files"] == len(truth["files"]) >= 15
    assert truth["seed"] == 7 and truth["scale"] == 1 and truth["cutoff_date"] == "2025-12-31"


def test_rows_per_file_match_the_files(synth):
    root, truth = synth
    for relpath, spec in truth["files"].items():
        for sheet, info in spec["sheets"].items():
            rows = read_rows(root, relpath, spec, sheet)
            hr = info["header_row"]
            assert [text_of(h) for h in rows[hr - 1]] == info["columns"], (relpath, sheet)
            for title in rows[: hr - 1]:  # title rows: at most the first cell filled
                assert all(v in (None, "") for v in title[1:])
            rest = rows[hr:]
            while rest and all(v in (None, "") for v in rest[-1]) and info["totals_rows"]:
                rest.pop()  # openpyxl may report styled trailing cells
            if info["totals_rows"]:
                assert str(rest[-1][0]).startswith("JUMLAH"), (relpath, sheet)
                rest = rest[:-1]
            empty = sum(all(v in (None, "") for v in r) for r in rest)
            assert empty == info["empty_rows"], (relpath, sheet)
            assert len(rest) - empty == info["data_rows"], (relpath, sheet)
            if info["numbering_column"]:
                assert info["columns"][0] == "No"


def test_every_defect_location_holds_the_stated_value(synth):
    root, truth = synth
    assert truth["defects"]
    for d in truth["defects"]:
        spec = truth["files"][d["file"]]
        rows = read_rows(root, d["file"], spec, d["sheet"])
        header = [text_of(h) for h in rows[spec["sheets"][d["sheet"]]["header_row"] - 1]]
        row = rows[d["source_row"] - 1]
        assert d["reason"] in REASONS | {None}
        if d["column"]:
            assert text_of(row[header.index(d["column"])]) == d["value"], d
        else:
            assert d["kind"] == "exact_duplicate" and d["reason"] is None
            assert row == rows[d["duplicate_of"] - 1]


def test_defect_kinds_are_each_planted_a_handful_of_times(synth):
    _, truth = synth
    kinds = Counter(d["kind"] for d in truth["defects"])
    for kind in (
        "out_of_range_answer",
        "impossible_date",
        "excel_mangled_nik",
        "exact_duplicate",
        "conflicting_duplicate",
        "future_date",
        "no_identifier",
        "unparseable_value",
        "invalid_nik",
        "release_before_birth",
    ):
        assert 2 <= kinds[kind] <= 10, kind
    reasons = Counter(d["reason"] for d in truth["defects"])
    assert set(reasons) == REASONS | {None}


def test_conflicting_duplicates_differ_in_exactly_the_stated_column(synth):
    root, truth = synth
    conflicts = [d for d in truth["defects"] if d["kind"] == "conflicting_duplicate"]
    by_place = {}
    for d in conflicts:
        by_place.setdefault((d["file"], d["sheet"], d["column"]), []).append(d)
    assert len(by_place) == 3
    for (relpath, sheet, column), group in by_place.items():
        assert len(group) == 2
        rows = read_rows(root, relpath, truth["files"][relpath], sheet)
        header = [
            text_of(h) for h in rows[truth["files"][relpath]["sheets"][sheet]["header_row"] - 1]
        ]
        a, b = (rows[g["source_row"] - 1] for g in group)
        differ = [h for h, x, y in zip(header, a, b, strict=True) if text_of(x) != text_of(y)]
        assert differ == [column]


# ---------------------------------------------------------------- the messy features


def test_workbooks_have_titles_merged_cells_several_sheets_and_totals(synth):
    root, truth = synth
    books = [p for p, s in truth["files"].items() if s["format"] in ("xlsx", "xls")]
    assert len(books) >= 4
    wb = load_workbook(root / "bapas_semarang/pascarehab_bapas_semarang_2024.xlsx")
    assert len(wb.sheetnames) >= 5
    ws = wb["Data Klien"]
    assert ws["A1"].value == "DATA KLIEN PASCAREHABILITASI"
    assert ws["A2"].value == "BAPAS KELAS I SEMARANG"
    assert ws["A3"].value == "Periode Mei s.d. Desember 2024"
    assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
    urine = wb["Tes Urine"]
    last = [c.value for c in urine[urine.max_row]]
    assert last[0] == "JUMLAH POSITIF" and isinstance(last[4], int)
    kinds = Counter(type(c.value).__name__ for c in urine["D"][3:] if c.value is not None)
    assert kinds["datetime"] > 0 and kinds["int"] > 0  # real Excel dates and serial numbers
    totals = sum(i["totals_rows"] for s in truth["files"].values() for i in s["sheets"].values())
    assert totals >= 3


def test_csv_delimiters_encodings_bom_and_embedded_newline(synth):
    root, truth = synth
    csvs = {p: s for p, s in truth["files"].items() if s["format"] == "csv"}
    assert {s["delimiter"] for s in csvs.values()} >= {",", ";"}
    assert {s["encoding"] for s in csvs.values()} >= {"utf-8", "utf-8-sig", "cp1252"}
    cp = root / "ibm_rejosari/konseling_rejosari_2025.csv"
    raw = cp.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "–" in text and "±" in text
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert any("\n" in cell for r in records for cell in r)
    bom = root / "bapas_semarang/tes_urine_2025.csv"
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert csvs["bapas_semarang/tes_urine_2025.csv"]["delimiter"] == ";"


def test_google_forms_export(synth):
    root, truth = synth
    rows = table(root, truth, "bapas_semarang/whoqol_bref_google_form_2025.csv")
    header = list(rows[0])
    assert header[:4] == ["Timestamp", "NIK", "Nama", "Tahap"]
    questions = header[4:]
    assert [int(q.split(".")[0]) for q in questions] == list(range(1, 27))
    assert questions[2].startswith("3. Seberapa jauh rasa sakit fisik")
    stamps = [r["Timestamp"] for r in rows]
    parts = [re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}) \d{1,2}:\d{2}:\d{2}", s) for s in stamps]
    assert all(parts)
    months = [int(p.group(1)) for p in parts]
    days_ = [int(p.group(2)) for p in parts]
    assert max(months) <= 12 and max(days_) > 12  # month first
    assert {r["Tahap"] for r in rows} == {"Sebelum program", "Sesudah program"}


def test_indonesian_headers_and_mixed_date_styles(synth):
    root, truth = synth
    headers = {
        c for s in truth["files"].values() for i in s["sheets"].values() for c in i["columns"]
    }
    assert {
        "Tanggal Lahir",
        "Jenis Kelamin",
        "Tingkat Risiko",
        "Angkatan",
        "Tanggal Bebas",
    } <= headers
    texts = []
    for relpath, spec in truth["files"].items():
        for sheet in spec["sheets"]:
            for r in table(root, truth, relpath, sheet):
                texts += [v for k, v in r.items() if "Tgl" in k or "Tanggal" in k or k == "TTL"]
    texts = [str(t) for t in texts if isinstance(t, str) and t]
    joined = "\n".join(texts)
    for pattern in (
        r"\b\d{1,2}/\d{1,2}/\d{4}\b",  # 7/11/2024
        r"\b\d{2}-\d{2}-\d{4}\b",  # 07-11-2024
        r"\b\d{1,2}/\d{1,2}/\d{2}$",  # 7/11/24
        r"\b\d{4}-\d{2}-\d{2}\b",  # ISO
        r"\d{1,2} (Januari|Maret|Agustus|Oktober|Desember) \d{4}",
        r"\d{1,2} (Pebruari|Nopember) \d{4}",  # legacy spellings
        r"\d{1,2} (Agt|Okt|Des|Nop) \d{4}",  # abbreviations
        r"(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu) \(\d",  # Kamis (7/11/2024)
        r"(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d",  # Kamis, 7 November 2024
    ):
        assert re.search(pattern, joined, re.MULTILINE), pattern


def test_facilities_are_written_several_ways(synth):
    root, truth = synth
    variants = truth["facility_variants"]
    seen: dict[str, set] = {}
    for relpath, spec in truth["files"].items():
        for sheet in spec["sheets"]:
            for r in table(root, truth, relpath, sheet):
                for col in ("UPT", "Bapas", "Satker", "Rutan", "Unit"):
                    if r.get(col):
                        assert r[col] in variants, r[col]
                        seen.setdefault(variants[r[col]], set()).add(r[col])
    assert len(seen["Bapas Kelas I Semarang"]) >= 3
    assert len(seen["Lapas Narkotika Kelas IIA Palembang"]) >= 3
    assert set(variants.values()) == set(truth["facility_types"])


def test_out_of_range_and_impossible_and_mangled_values(synth):
    _, truth = synth
    by_kind: dict[str, list] = {}
    for d in truth["defects"]:
        by_kind.setdefault(d["kind"], []).append(d["value"])
    for v in by_kind["out_of_range_answer"]:
        assert v not in {"1", "2", "3", "4", "5"}
    assert any(not v.isdigit() for v in by_kind["out_of_range_answer"])  # a word
    for v in by_kind["impossible_date"]:
        assert parse_date(v) is None and re.search(r"\d", v)
    for v in by_kind["excel_mangled_nik"]:
        assert re.fullmatch(r"\d\.\d{5}E\+15", v)
    for v in by_kind["future_date"]:
        assert parse_date(v) > dt.date.today()
    for v in by_kind["invalid_nik"]:
        assert not _valid_nik(v)


def _valid_nik(nik: str) -> bool:
    if not re.fullmatch(r"\d{16}", nik):
        return False
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    day = day - 40 if day > 40 else day
    try:
        dt.date(1900 + yy if yy > 26 else 2000 + yy, month, day)
    except ValueError:
        return False
    return True


def test_niks_follow_the_structure_and_encode_sex_and_birth_date(synth):
    root, truth = synth
    niks = truth["identities"]["niks"]
    assert len(niks) == len(set(niks)) > 2000
    assert all(_valid_nik(n) for n in niks)
    checked = 0
    for relpath in ("kanwil_sumsel/klien_rehabilitasi_2021.csv",):
        for r in table(root, truth, relpath):
            if not _valid_nik(r["NIK"]) or r["Jenis Kelamin"] not in {
                "L",
                "P",
                "Laki-laki",
                "Perempuan",
            }:
                continue
            female = r["Jenis Kelamin"] in {"P", "Perempuan"}
            assert (int(r["NIK"][6:8]) > 40) == female
            born = parse_date(r["Tanggal Lahir"])
            assert born is not None
            assert (
                r["NIK"][6:12]
                == f"{born.day + 40 * female:02d}{born.month:02d}{born.year % 100:02d}"
            )
            checked += 1
    assert checked > 800
    assert any(int(n[6:8]) > 40 for n in niks)
    assert {n[:4] for n in niks} >= {"3374", "3304", "1671"}


# ---------------------------------------------------------------- the four programs


def test_semarang_cohorts_counts_and_periods(synth):
    root, truth = synth
    rel = "bapas_semarang/pascarehab_bapas_semarang_2024.xlsx"
    prog = table(root, truth, rel, "Program")
    cohorts = Counter(r["Angkatan"] for r in prog)
    assert cohorts == {"Angkatan I 2024": 16, "Angkatan II 2024": 5}
    for r in prog:
        start, end = parse_date(r["Tanggal Mulai"]), parse_date(r["Tanggal Selesai"])
        if r["Angkatan"] == "Angkatan I 2024":
            assert dt.date(2024, 5, 1) <= start and (end is None or end <= dt.date(2024, 10, 31))
        else:
            assert dt.date(2024, 11, 1) <= start and end <= dt.date(2024, 12, 31)
    assert {r["Mitra"] for r in prog} == {"BNNP Jateng"}
    lay = table(root, truth, "bapas_semarang/pascarehab_bapas_semarang_2025.xlsx", "Layanan")
    assert len(lay) == 35
    assert all(dt.date(2025, 1, 1) <= parse_date(r["Tgl Masuk"]) for r in lay)
    assert all(parse_date(r["Tgl Keluar"]) <= dt.date(2025, 12, 31) for r in lay)
    assert Counter(r["Status"] for r in lay)["selesai"] < 35  # some leave early
    keys = {p["key"]: p["clients"] for p in truth["programs"]}
    assert keys["semarang_2024"] == 16 and keys["semarang_2024_nov"] == 5
    assert keys["semarang_2025"] == 35


def test_semarang_home_visit_first_and_urine_positivity_falls(synth):
    root, truth = synth
    rel = "bapas_semarang/pascarehab_bapas_semarang_2024.xlsx"
    first: dict[str, tuple] = {}
    for r in table(root, truth, rel, "Kegiatan"):
        d = parse_date(r["Tanggal Kegiatan"])
        if r["No. Register"] and d and d.year < 2030:
            key = r["No. Register"]
            if key not in first or d < first[key][0]:
                first[key] = (d, r["Jenis Kegiatan"])
    assert len(first) == 21
    assert {kind for _, kind in first.values()} == {"Kunjungan Rumah"}
    tests = [
        (r["NIK"], parse_date(r["Tgl Tes"]), r["Hasil Tes Urine"])
        for r in table(root, truth, rel, "Tes Urine")
    ]
    tests += [
        (r["NIK"], parse_date(r["Tanggal Tes"]), r["Hasil"].capitalize())
        for r in table(root, truth, "bapas_semarang/tes_urine_2025.csv")
        if parse_date(r["Tanggal Tes"]) and parse_date(r["Tanggal Tes"]).year < 2030
    ]
    by_client: dict[str, list] = {}
    for nik, _d, result in sorted(tests, key=lambda t: (t[0], t[1])):
        by_client.setdefault(nik, []).append(result == "Positif")
    early = [v[0] for v in by_client.values()]
    late = [x for v in by_client.values() for x in v[4:]]
    assert np.mean(early) > 2 * np.mean(late)


def test_rejosari_ibm_from_24_january_2025(synth):
    root, truth = synth
    rel = "ibm_rejosari/ibm_rejosari_2025.xls"
    lay = table(root, truth, rel, "Layanan")
    assert len(lay) == len(table(root, truth, rel, "Peserta")) == 12
    assert min(parse_date(r["Tgl Masuk"]) for r in lay) == dt.date(2025, 1, 24)
    assert {r["Layanan"] for r in lay} == {"Intervensi Berbasis Masyarakat"}
    kons = table(root, truth, "ibm_rejosari/konseling_rejosari_2025.csv")
    assert {r["Kegiatan"] for r in kons} == {"Konseling"}
    assert all(parse_date(r["Tanggal"]) >= dt.date(2025, 1, 24) for r in kons)


def test_banjarnegara_assist_screening_into_levels(synth):
    root, truth = synth
    rel = "rutan_banjarnegara/skrining_asesmen_assist_2024.xlsx"
    assist = table(root, truth, rel, "Skrining ASSIST")
    items = [c for c in assist[0] if re.fullmatch(r"[a-z]+_q[1-7]", c)]
    assert len(items) == 70
    assert {c.split("_")[0] for c in items} == {
        "tobacco", "alcohol", "cannabis", "cocaine", "ats", "inhalants", "sedatives",
        "hallucinogens", "opioids", "other",
    }  # fmt: skip
    hasil = table(root, truth, rel, "Hasil Asesmen")
    words = Counter(r["Tingkat"].lower() for r in hasil)
    known = {"rendah", "ringan", "sedang", "menengah", "tinggi", "berat"}
    assert sum(v for k, v in words.items() if k in known) == len(hasil) - 1
    assert len({w for w in words if w in known}) >= 4
    assert {r["Mitra"] for r in hasil} == {"BNNK Purbalingga"}
    assert (
        len(hasil)
        == len(assist)
        == {p["key"]: p for p in truth["programs"]}["banjarnegara_2024"]["clients"]
    )


def test_sumsel_volumes_facilities_timepoints_and_followup(synth):
    root, truth = synth
    for year, n in ((2021, 870), (2022, 800), (2023, 520)):
        prog = table(root, truth, f"kanwil_sumsel/program_rehabilitasi_{year}.csv")
        assert len(prog) == n
        starts = [parse_date(r["Tgl Masuk"]) for r in prog]
        assert all(s.year == year for s in starts)
        ends = [parse_date(r["Tgl Keluar"]) for r in prog]
        assert max((e - s).days for s, e in zip(starts, ends, strict=True)) <= 183
        facilities = {truth["facility_variants"][r["UPT"]] for r in prog}
        assert len(facilities) >= 5 and "Lapas Narkotika Kelas IIA Palembang" in facilities
        wq = table(root, truth, f"kanwil_sumsel/whoqol_bref_{year}.csv")
        assert {r["Pengukuran"].lower()[-1] for r in wq if r["Pengukuran"]} == {"1", "3", "6"}
        assert Counter(r["Status"] for r in prog)["Selesai"] < n
    cutoff = dt.date.fromisoformat(truth["cutoff_date"])
    released = {}
    for year in (2021, 2022, 2023):
        for r in table(root, truth, f"kanwil_sumsel/klien_rehabilitasi_{year}.csv"):
            released[r["NIK"]] = parse_date(r["Tanggal Bebas"])
    events = table(root, truth, "kanwil_sumsel/residivis_2021_2025.csv")
    kinds = Counter(r["Jenis Kejadian"] for r in events)
    assert kinds["Ditangkap ulang"] > 100 and kinds["Meninggal"] > 0
    assert (
        kinds["Pindah"] + kinds["Mutasi"] > 0 and kinds["Hilang kontak"] + kinds["Tidak lapor"] > 0
    )
    assert len(events) < 0.6 * len(released)  # most clients are censored
    for r in events:
        d = parse_date(r["Tanggal Kejadian"])
        if d and d.year < 2030:
            assert released[r["NIK"]] < d <= cutoff


def test_whoqol_improves_on_average_with_heterogeneity(synth):
    root, truth = synth
    rows = table(root, truth, "kanwil_sumsel/whoqol_bref_2021.csv")
    score: dict[tuple, float] = {}
    for r in rows:
        tp = r["Pengukuran"].lower()[-1:]
        items = [r[f"Q{q}"] for q in (5, 6, 7, 11, 19)]
        if tp and all(i in {"1", "2", "3", "4", "5"} for i in items):
            score[(r["NIK"], tp)] = (np.mean([int(i) for i in items]) - 1) * 25
    change = np.array(
        [score[(k, "6")] - v for (k, tp), v in score.items() if tp == "1" and (k, "6") in score]
    )
    assert len(change) > 600
    assert 2 < change.mean() < 12  # plausible, not dramatic
    assert (change < 0).mean() > 0.15  # some clients deteriorate
    eff = truth["effects"]
    assert set(eff["whoqol_change_mean_0_100"]) == {
        "physical",
        "psychological",
        "social",
        "environment",
    }
    assert set(eff["cox"]["log_hr"]) >= {
        "level_tinggi",
        "age_per_year",
        "prior_offences",
        "completed",
    }


# ---------------------------------------------------------------- determinism and scale


def test_same_seed_is_byte_identical_other_seed_differs(synth, tmp_path):
    root, truth = synth
    again = generate_synthetic(tmp_path / "a" / "raw", seed=7)
    assert _hashes(tmp_path / "a" / "raw") == _hashes(root)
    assert (tmp_path / "a" / "truth.json").read_bytes() == (root.parent / "truth.json").read_bytes()
    assert again == truth
    generate_synthetic(tmp_path / "b" / "raw", seed=8)
    other = _hashes(tmp_path / "b" / "raw")
    assert set(other) == set(_hashes(root))
    assert all(other[k] != v for k, v in _hashes(root).items())


def test_scale_multiplies_the_province_only(synth, tmp_path):
    root, _ = synth
    truth2 = generate_synthetic(tmp_path / "raw", seed=7, scale=2, truth_path=tmp_path / "t.json")
    assert (tmp_path / "t.json").exists() and not (tmp_path / "truth.json").exists()
    h1, h2 = _hashes(root), _hashes(tmp_path / "raw")
    for rel in h1:
        if not rel.startswith("kanwil_sumsel/"):
            assert h1[rel] == h2[rel], rel
    rows = truth2["files"]["kanwil_sumsel/program_rehabilitasi_2021.csv"]["sheets"][""]
    assert rows["data_rows"] == 2 * 870


@pytest.mark.parametrize(
    "kwargs",
    [{"seed": -1}, {"scale": 0}, {"scale": 1.5}, {"truth_path": "INSIDE"}],
)
def test_bad_arguments_raise_config_error(tmp_path, kwargs):
    if kwargs.get("truth_path") == "INSIDE":
        kwargs = {"truth_path": tmp_path / "raw" / "truth.json"}
    with pytest.raises(ConfigError):
        generate_synthetic(tmp_path / "raw", **kwargs)


# ---------------------------------------------------------------- properties of the pieces


@settings(max_examples=60, deadline=None)
@given(
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2049, 12, 31)),
    st.sampled_from(DATE_STYLES),
)
def test_every_date_style_reads_back_day_first(day, style):
    text = format_dates(np.array([np.datetime64(day)]), style)[0]
    if style == "dmy2" and day.year < 2000:
        return  # two-digit years are read as 20xx; the generator uses them for recent dates only
    assert parse_date(text) == day
    if style in ("dayparen", "daylong"):
        assert text.split()[0].rstrip(",") == DAYS[day.weekday()]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2005, 12, 31)),
        min_size=1,
        max_size=30,
    ),
    st.integers(0, 2**32 - 1),
)
def test_make_niks_encodes_birth_date_and_sex_uniquely(births, seed):
    rng = np.random.default_rng(seed)
    female = rng.random(len(births)) < 0.5
    niks = make_niks(rng, "3374", np.array(births, dtype="datetime64[D]"), female)
    assert len(set(niks)) == len(niks)
    for nik, b, f in zip(niks, births, female, strict=True):
        assert nik.startswith("3374") and len(nik) == 16 and nik.isdigit()
        assert nik[6:12] == f"{b.day + 40 * f:02d}{b.month:02d}{b.year % 100:02d}"


def test_reoffending_model_recovers_the_true_log_hazard_ratios():
    """lifelines' Cox fit on the generated follow-up (before export) recovers LOG_HR."""
    import pandas as pd
    from lifelines import CoxPHFitter

    from rehab_eval.synth.common import stream
    from rehab_eval.synth.sumsel import BASE_CLIENTS, CUTOFF, LOG_HR, _cohort

    c = pd.concat(
        [_cohort(stream(8, "sumsel", y), y, 4 * n, 4) for y, n in BASE_CLIENTS.items()],
        ignore_index=True,
    )
    c = c[c["release"].notna()]
    release = pd.to_datetime(c["release"])
    end = pd.to_datetime(c["event_date"]).fillna(pd.Timestamp(CUTOFF))
    assert (end > release).all() and (end <= pd.Timestamp(CUTOFF)).all()
    frame = pd.DataFrame(
        {
            "T": (end - release).dt.days,
            "E": c["event_kind"].isin(["rearrest", "reconviction", "reincarceration"]).astype(int),
            "level_sedang": (c["level"] == "sedang").astype(int),
            "level_tinggi": (c["level"] == "tinggi").astype(int),
            "age_per_year": c["age_release"] - 35,
            "prior_offences": c["prior"],
            "completed": c["completed"].astype(int),
        }
    )
    fit = CoxPHFitter().fit(frame, "T", "E")
    for name, true in LOG_HR.items():
        assert abs(fit.params_[name] - true) < 4 * fit.standard_errors_[name], name
    assert 0.15 < frame["E"].mean() < 0.45  # plausible share re-offending by the cut-off


def test_xlsx_carry_no_save_time(synth):
    import zipfile

    root, truth = synth
    for relpath, spec in truth["files"].items():
        if spec["format"] != "xlsx":
            continue
        with zipfile.ZipFile(root / relpath) as z:
            assert {i.date_time for i in z.infolist()} == {(2024, 1, 1, 0, 0, 0)}
            core = z.read("docProps/core.xml").decode()
        stamps = re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core)
        assert stamps == ["2024-01-01T00:00:00Z"] * 2
