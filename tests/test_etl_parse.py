"""Every parsing rule of the ETL with a table of raw → expected examples."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from rehab_eval.etl.extract import infer_instrument, infer_timepoint
from rehab_eval.etl.facilities import FacilityResolver
from rehab_eval.etl.headers import item_column, load_aliases, map_headers, recognise_table
from rehab_eval.etl.identity import check_nik, client_ids, mask, nik_birth_date, nik_sex
from rehab_eval.etl.parse import (
    parse_answers,
    parse_codes,
    parse_date_text,
    parse_dates,
    parse_number_text,
    value_table,
)

D = dt.date

DATES = [
    ("7/11/2024", D(2024, 11, 7)),
    ("07-11-2024", D(2024, 11, 7)),
    ("7/11/24", D(2024, 11, 7)),
    ("7.11.2024", D(2024, 11, 7)),
    ("2024-11-07", D(2024, 11, 7)),
    ("2024-11-07 00:00:00", D(2024, 11, 7)),
    ("24 Januari 2025", D(2025, 1, 24)),
    ("24 Jan 2025", D(2025, 1, 24)),
    ("24-Jan-2025", D(2025, 1, 24)),
    ("Kamis (7/11/2024)", D(2024, 11, 7)),
    ("Kamis, 7 November 2024", D(2024, 11, 7)),
    ("Senin, 18 Maret 2024", D(2024, 3, 18)),
    ("1 Pebruari 2024", D(2024, 2, 1)),
    ("3 Nopember 2023", D(2023, 11, 3)),
    ("3 Nop 2023", D(2023, 11, 3)),
    ("17 Agustus 2024", D(2024, 8, 17)),
    ("17 Agt 2024", D(2024, 8, 17)),
    ("17 Ags 2024", D(2024, 8, 17)),
    ("17 Agust 2024", D(2024, 8, 17)),
    ("17 Agu 2024", D(2024, 8, 17)),
    ("5 Mei 2023", D(2023, 5, 5)),
    ("5 Okt 2023", D(2023, 10, 5)),
    ("25 Des 2023", D(2023, 12, 25)),
    ("25 December 2023", D(2023, 12, 25)),
    ("1 May 2023", D(2023, 5, 1)),
    ("45600", D(2024, 11, 4)),  # Excel serial (days since 1899-12-30)
    ("45600.0", D(2024, 11, 4)),
    ("12/01/90", D(1990, 1, 12)),  # two-digit year beyond the pivot → 19xx
    ("  7/11/2024 ", D(2024, 11, 7)),
    ("31/02/2024", None),  # impossible calendar date
    ("30 Februari 2025", None),
    ("29/02/2023", None),
    ("29/02/2024", D(2024, 2, 29)),
    ("13/13/2024", None),
    ("besok", None),
    ("7 Foo 2024", None),
    ("", None),
]


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_dates_day_first(raw, expected):
    assert parse_date_text(raw, pivot=25) == expected


GOOGLE = [
    ("11/7/2024 10:23:45", D(2024, 11, 7)),
    ("1/2/2025 8:00:00", D(2025, 1, 2)),
    ("12/31/2024 23:59:59", D(2024, 12, 31)),
    ("13/1/2025 8:00:00", None),
]


@pytest.mark.parametrize(("raw", "expected"), GOOGLE)
def test_google_forms_timestamps_month_first(raw, expected):
    assert parse_date_text(raw, month_first=True) == expected


def test_parse_dates_flags_bad_cells_only():
    s = pd.Series(["7/11/2024", "", "31/02/2024", "7/11/2024", "  "], index=[10, 11, 12, 13, 14])
    parsed, bad = parse_dates(s)
    assert list(bad) == [False, False, True, False, False]
    assert parsed.iloc[0] == pd.Timestamp(2024, 11, 7)
    assert parsed.isna().tolist() == [False, True, True, False, True]
    assert list(parsed.index) == [10, 11, 12, 13, 14]


NUMBERS = [
    ("3,5", 3.5),
    ("1.234", 1234.0),
    ("1.234,5", 1234.5),
    (" 12 ", 12.0),
    ("3.5", 3.5),
    ("0", 0.0),
    ("-2", -2.0),
    ("1 234", 1234.0),
    ("tiga", None),
    ("", None),
]


@pytest.mark.parametrize(("raw", "expected"), NUMBERS)
def test_numbers(raw, expected):
    assert parse_number_text(raw) == expected


CODES = [
    ("sex", "L", "male"),
    ("sex", "Laki-laki", "male"),
    ("sex", "PRIA", "male"),
    ("sex", "M", "male"),
    ("sex", "Male", "male"),
    ("sex", "P", "female"),
    ("sex", "Perempuan", "female"),
    ("sex", "wanita", "female"),
    ("sex", "F", "female"),
    ("sex", "X", None),
    ("program", "Pascarehabilitasi", "pascarehabilitasi"),
    ("program", "Pasca Rehabilitasi", "pascarehabilitasi"),
    ("program", "Rehabilitasi Sosial", "rehabilitasi_sosial"),
    ("program", "Rehab Medis", "rehabilitasi_medis"),
    ("program", "Intervensi Berbasis Masyarakat", "ibm"),
    ("program", "IBM", "ibm"),
    ("level", "Ringan", "rendah"),
    ("level", "MENENGAH", "sedang"),
    ("level", "berat", "tinggi"),
    ("status", "Selesai", "completed"),
    ("status", "Drop Out", "dropped_out"),
    ("status", "DO", "dropped_out"),
    ("status", "mengundurkan diri", "dropped_out"),
    ("status", "Aktif", "active"),
    ("status", "Pindah", "transferred"),
    ("instrument", "WHOQOL-BREF", "whoqol_bref"),
    ("instrument", "WHOQOL", "whoqol_bref"),
    ("instrument", "URICA", "urica"),
    ("instrument", "ASSIST", "assist"),
    ("timepoint", "Pretest", "pre"),
    ("timepoint", "Pre-Test", "pre"),
    ("timepoint", "awal", "pre"),
    ("timepoint", "Sebelum program", "pre"),
    ("timepoint", "Sesudah program", "post"),
    ("timepoint", "Post Test", "post"),
    ("timepoint", "tengah", "mid"),
    ("timepoint", "Bulan 1", "m1"),
    ("timepoint", "bulan ke-3", "m3"),
    ("timepoint", "M6", "m6"),
    ("timepoint", "Follow up 3 bulan", "fu3"),
    ("timepoint", "follow-up 12 bulan", "fu12"),
    ("timepoint", "kapan-kapan", None),
    ("contact_kind", "Kunjungan Rumah", "home_visit"),
    ("contact_kind", "Home Visit", "home_visit"),
    ("contact_kind", "Pertemuan Kelompok", "group"),
    ("contact_kind", "Konseling", "counselling"),
    ("attended", "Ya", "true"),
    ("attended", "Hadir", "true"),
    ("attended", "1", "true"),
    ("attended", "✓", "true"),
    ("attended", "Tidak Hadir", "false"),
    ("attended", "0", "false"),
    ("urine_result", "Negatif", "negative"),
    ("urine_result", "POSITIF", "positive"),
    ("urine_result", "Invalid", "invalid"),
    ("urine_result", "Menolak", "refused"),
    ("event_kind", "Ditangkap ulang", "rearrest"),
    ("event_kind", "Vonis baru", "reconviction"),
    ("event_kind", "Masuk kembali", "reincarceration"),
    ("event_kind", "Kambuh", "relapse"),
    ("event_kind", "Relapse", "relapse"),
    ("event_kind", "Meninggal", "death"),
    ("event_kind", "Mutasi", "transfer"),
    ("event_kind", "Pindah", "transfer"),
    ("event_kind", "Hilang kontak", "lost_to_supervision"),
    ("event_kind", "Tidak lapor", "lost_to_supervision"),
]


@pytest.mark.parametrize(("kind", "raw", "expected"), CODES)
def test_codes(kind, raw, expected):
    parsed, bad = parse_codes(pd.Series([raw]), value_table(kind))
    assert parsed.iloc[0] == expected
    assert bool(bad.iloc[0]) == (expected is None)


def test_urine_result_with_named_substances_reads_first_word():
    parsed, bad = parse_codes(
        pd.Series(["Positif MET, THC"]), value_table("urine_result"), first_word=True
    )
    assert parsed.iloc[0] == "positive" and not bad.iloc[0]


ANSWERS = [
    ("whoqol_bref", "q1", "3", 3.0, False),
    ("whoqol_bref", "q1", "3,0", 3.0, False),
    ("whoqol_bref", "q1", "Sangat buruk", 1.0, False),
    ("whoqol_bref", "q16", "Sangat memuaskan", 5.0, False),
    ("whoqol_bref", "q26", "Selalu", 5.0, False),
    ("whoqol_bref", "q16", "7", np.nan, True),
    ("whoqol_bref", "q9", "0", np.nan, True),
    ("whoqol_bref", "q9", "2.5", np.nan, True),
    ("whoqol_bref", "q9", "lumayan", np.nan, True),
    ("whoqol_bref", "q9", "", np.nan, False),
    ("urica", "q32", "Sangat setuju", 5.0, False),
    ("urica", "q1", "6", np.nan, True),
    ("assist", "alcohol_q2", "6", 6.0, False),
    ("assist", "alcohol_q2", "5", np.nan, True),
    ("assist", "alcohol_q4", "7", 7.0, False),
    ("assist", "tobacco_q6", "3", 3.0, False),
    ("assist", "tobacco_q6", "4", np.nan, True),
]


@pytest.mark.parametrize(("instr", "item", "raw", "expected", "is_bad"), ANSWERS)
def test_answers(instr, item, raw, expected, is_bad):
    vals, bad = parse_answers(pd.Series([raw]), instr, item)
    assert (np.isnan(expected) and np.isnan(vals.iloc[0])) or vals.iloc[0] == expected
    assert bool(bad.iloc[0]) is is_bad


NIKS = [
    ("3374011201900001", "3374011201900001", ""),
    ("3374015201900001", "3374015201900001", ""),  # woman: day 12 + 40
    (" 3374 0112 0190 0001 ", "3374011201900001", ""),
    ("'3374011201900001", "3374011201900001", ""),
    ("3.37401E+15", "", "nik unrecoverable"),
    ("3,37401E+15", "", "nik unrecoverable"),
    ("3374011201900000.0", "", "nik unrecoverable"),
    ("337401120190001", "", "invalid nik"),  # 15 digits
    ("33740112019000012", "", "invalid nik"),
    ("3374013201900001", "", "invalid nik"),  # day 32
    ("3374017201900001", "", "invalid nik"),  # day 72 (32 + 40)
    ("3374011213900001", "", "invalid nik"),  # month 13
    ("3374013002900001", "", "invalid nik"),  # 30 February
    ("33740112019O0001", "", "invalid nik"),
    ("", "", ""),
]


@pytest.mark.parametrize(("raw", "clean", "problem"), NIKS)
def test_nik_validation(raw, clean, problem):
    assert check_nik(raw) == (clean, problem)


def test_nik_sex_and_birth_date():
    assert nik_sex("3374015201900001") == "female"
    assert nik_sex("3374011201900001") == "male"
    assert nik_birth_date("3374015201900001") == D(1990, 1, 12)
    assert nik_birth_date("3374011201050001", as_of=D(2025, 1, 1)) == D(2005, 1, 12)
    assert nik_birth_date("3374011201300001", as_of=D(2025, 1, 1)) == D(1930, 1, 12)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("3374011201900001", "************0001"),
        ("3.37401E+15", "*********15"),
        ("PB.021/BPS-SMG/2024", "***************2024"),
        ("Budi", "****"),
        ("Siti Rahayu", "*********yu"),
    ],
)
def test_mask(raw, masked):
    out = mask(raw)
    assert out == masked
    assert len(out) == len(raw.strip())
    assert raw not in out


def test_client_ids_keyed_stable_and_prefixed():
    tok = pd.Series(["nik:3374011201900001", "nik:3374011201900001", None, "reg:X|1"])
    a = client_ids(tok, b"key-1")
    b = client_ids(tok, b"key-1")
    c = client_ids(tok, b"key-2")
    assert a.iloc[0] == a.iloc[1] and a.iloc[2] is None
    assert a.iloc[0].startswith("c") and len(a.iloc[0]) == 17
    assert a.equals(b)
    assert a.iloc[0] != c.iloc[0]
    # HMAC-SHA256, RFC 2104: computed independently
    import hashlib
    import hmac

    ref = hmac.new(b"key-1", b"nik:3374011201900001", hashlib.sha256).hexdigest()[:16]
    assert a.iloc[0] == "c" + ref


FACILITIES = [
    ("Bapas Kelas I Semarang", "Bapas Kelas I Semarang", "bapas"),
    ("BAPAS SEMARANG", "Bapas Kelas I Semarang", "bapas"),
    ("Bapas Kls. I Smg", "Bapas Kelas I Semarang", "bapas"),
    ("Balai Pemasyarakatan Semarang", "Bapas Kelas I Semarang", "bapas"),
    ("Bapas Klas I Semarang", "Bapas Kelas I Semarang", "bapas"),
    ("Rutan Klas II B Banjarnegara", "Rutan Kelas IIB Banjarnegara", "rutan"),
    ("Rutan Kelas 2B Banjarnegara", "Rutan Kelas IIB Banjarnegara", "rutan"),
    ("LP Narkotika Kelas 2A Plg", "Lapas Narkotika Kelas IIA Palembang", "lapas"),
    ("Lapas Narkotika Kls. II-A Palembang", "Lapas Narkotika Kelas IIA Palembang", "lapas"),
    ("Lapas Kls. 1 Plg", "Lapas Kelas I Palembang", "lapas"),
    ("Rumah Tahanan Negara Kelas I Palembang", "Rutan Kelas I Palembang", "rutan"),
    ("LPP Palembang", "Lapas Perempuan Kelas IIA Palembang", "lapas"),
    ("Lapas Perempuan Klas II A Palembang", "Lapas Perempuan Kelas IIA Palembang", "lapas"),
    ("Kel. Rejosari", "Kelurahan Rejosari", "other"),
    ("KELURAHAN REJOSARI", "Kelurahan Rejosari", "other"),
    ("BNNP Jawa Tengah", "BNNP Jawa Tengah", "bnnp"),
    ("BNN Kabupaten Purbalingga", "BNNK Purbalingga", "bnnk"),
    ("  Lapas   Kelas IIA Magelang ", "Lapas Kelas IIA Magelang", "lapas"),  # unknown, kept
    ("Panti Sosial X", "Panti Sosial X", "other"),  # unknown, kept
]


@pytest.mark.parametrize(("raw", "name", "ftype"), FACILITIES)
def test_facilities(raw, name, ftype):
    f = FacilityResolver().resolve(raw)
    assert (f.name, f.type) == (name, ftype)
    assert f.known == ("Magelang" not in raw and "Panti" not in raw)


def test_facility_extra_alias():
    r = FacilityResolver({"Panti Rehab Jateng": "BNNP Jawa Tengah"})
    assert r.resolve("PANTI REHAB JATENG").name == "BNNP Jawa Tengah"


HEADERS = [
    ("NIK", "nik"),
    ("No. KTP", "nik"),
    ("Nomor Induk Kependudukan", "nik"),
    ("No. Register", "register_no"),
    ("NO REG", "register_no"),
    ("nomor_registrasi", "register_no"),
    ("Nama WBP", "name"),
    ("L/P", "sex"),
    ("J.K.", "sex"),
    ("Tgl. Lahir", "birth_date"),
    ("Tempat, Tanggal Lahir", "ttl"),
    ("Nama UPT", "facility"),
    ("Kanwil", "province"),
    ("Tgl PB", "release_date"),
    ("Jumlah Pidana Sebelumnya", "prior_offences"),
    ("Residivis (kali)", "prior_offences"),
    ("Jenis Rehabilitasi", "program"),
    ("Tingkat Risiko", "level"),
    ("Angkatan", "cohort"),
    ("Tgl Masuk", "start_date"),
    ("Tgl Keluar", "end_date"),
    ("Keterangan", "status"),
    ("Alat Ukur", "instrument"),
    ("Tahap", "timepoint"),
    ("Tanggal Pengisian", "date"),
    ("Cap waktu", "timestamp"),
    ("Jenis Kegiatan", "contact_kind"),
    ("Kehadiran", "attended"),
    ("Hasil Tes Urine", "urine_result"),
    ("THC", "panel_thc"),
    ("Jenis Kejadian", "event_kind"),
    ("No", "numbering"),
    ("P3", "q3"),
    ("Q26", "q26"),
    ("Item 12", "q12"),
    ("12", "q12"),
    ("3. Seberapa jauh rasa sakit fisik anda mencegah anda beraktivitas?", "q3"),
    ("alcohol_q2", "alcohol_q2"),
    ("Alkohol P2", "alcohol_q2"),
    ("Mitra", None),
]


@pytest.mark.parametrize(("raw", "field"), HEADERS)
def test_header_aliases(raw, field):
    hmap = map_headers([raw], load_aliases())
    assert hmap.fields.get(0) == field


def test_item_column_patterns():
    assert item_column("P1") == "q1"
    assert item_column("Q33") is None
    assert item_column("Catatan") is None


def test_extra_header_alias_from_config():
    aliases = load_aliases({"nik": ["Nomor KTP Klien"]})
    assert map_headers(["NOMOR KTP KLIEN"], aliases).fields == {0: "nik"}


@pytest.mark.parametrize(
    ("headers", "table"),
    [
        (["No", "NIK", "Nama", "JK", "Tgl Lahir", "UPT"], "clients"),
        (["No Reg", "Program", "Tingkat", "Tgl Masuk", "Status"], "enrollments"),
        (["NIK", "Tahap", "P1", "P2", "P3"], "assessments"),
        (["NIK", "Tanggal", "Kegiatan", "Hadir"], "contacts"),
        (["NIK", "Tgl Tes", "Hasil", "MET"], "urine_tests"),
        (["NIK", "Tanggal Kejadian", "Jenis Kejadian"], "events"),
        (["Kolom A", "Kolom B"], None),
        (["NIK", "Hadir", "Hasil"], None),  # contacts and urine tests equally
    ],
)
def test_recognise_table(headers, table):
    assert recognise_table(map_headers(headers, load_aliases())).table == table


@pytest.mark.parametrize(
    ("text", "instrument", "timepoint"),
    [
        ("URICA Pretest", "urica", "pre"),
        ("POST TEST WHOQOL-BREF", "whoqol_bref", "post"),
        ("whoqol_bulan_3", "whoqol_bref", "m3"),
        ("URICA Posttest", "urica", "post"),
        ("ASSIST follow up 6 bulan", "assist", "fu6"),
        ("Lembar 1", None, None),
    ],
)
def test_infer_instrument_and_timepoint(text, instrument, timepoint):
    assert infer_instrument(text) == instrument
    assert infer_timepoint(text) == timepoint
