"""run_etl on hand-made raw files (tests/fixtures/etl plus workbooks built here).

The fixtures hold one example of each container quirk: UTF-8 with BOM and ``;`` with title
rows, numbering column, empty and totals rows (klien_semarang.csv); a Google Forms export
with a month-first timestamp and a quoted field spanning two lines (whoqol_google_form.csv);
Windows-1252 text with ``|`` and register-only rows (urine_cp1252.txt); tab-separated
events (events.tsv). Every expected reject below was worked out by hand from those files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest

from rehab_eval.errors import DataQualityWarning, InputError
from rehab_eval.etl import load_processed, run_etl
from rehab_eval.etl import write as write_mod
from rehab_eval.etl.identity import key_fingerprint

FIXTURES = Path(__file__).parent / "fixtures" / "etl"
AS_OF = dt.date(2025, 6, 30)

EXPECTED_REJECTS = [
    ("events.tsv", "", 4, "Jenis Kejadian", "Entah", "unparseable value"),
    ("events.tsv", "", 5, "Tanggal Kejadian", "", "missing required value"),
    ("events.tsv", "", 6, "NIK", "**********9100", "invalid nik"),
    ("semarang/klien_semarang.csv", "", 6, "NIK", "*********15", "nik unrecoverable"),
    ("semarang/klien_semarang.csv", "", 7, "NIK", "", "no identifier"),
    ("semarang/klien_semarang.csv", "", 8, "JK", "Z", "unparseable value"),
    ("semarang/klien_semarang.csv", "", 8, "Jumlah Pidana Sebelumnya", "x", "unparseable value"),
    ("semarang/klien_semarang.csv", "", 9, "Tgl PB", "1/1/1990", "release before birth"),
    ("semarang/klien_semarang.csv", "", 11, "Tgl PB", "31/02/2024", "unparseable date"),
    (
        "semarang/whoqol_google_form.csv",
        "",
        3,
        "1. Bagaimana menurut anda kualitas hidup anda?",
        "7",
        "out of range",
    ),
    (
        "semarang/whoqol_google_form.csv",
        "",
        5,
        "1. Bagaimana menurut anda kualitas hidup anda?",
        "4",
        "conflicting duplicate",
    ),
    (
        "semarang/whoqol_google_form.csv",
        "",
        6,
        "1. Bagaimana menurut anda kualitas hidup anda?",
        "5",
        "conflicting duplicate",
    ),
    ("semarang/whoqol_google_form.csv", "", 7, "Timestamp", "12/1/2030 10:00:00", "future date"),
    ("semarang/whoqol_google_form.csv", "", 8, "Tahap", "Kapan2", "missing required value"),
    ("urine_cp1252.txt", "", 6, "No Reg", "", "no identifier"),
    ("urine_cp1252.txt", "", 7, "Tgl Tes", "", "missing required value"),
    ("urine_cp1252.txt", "", 8, "Tgl Tes", "31/04/2024", "unparseable date"),
]

EXPECTED_COUNTS = {  # rows_read, accepted, rejected, duplicate, empty, totals
    "events.tsv": (5, 3, 2, 0, 0, 0),
    "semarang/klien_semarang.csv": (8, 4, 3, 1, 2, 1),
    "semarang/whoqol_google_form.csv": (7, 3, 4, 0, 0, 0),
    "urine_cp1252.txt": (6, 3, 3, 0, 0, 0),
}


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv(
        "REHAB_EVAL_SECRET", "fixture-secret-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8"
    )
    return "fixture-secret-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8"


@pytest.fixture
def raw(tmp_path):
    dst = tmp_path / "raw"
    shutil.copytree(FIXTURES, dst)
    return dst


@pytest.fixture
def done(raw, tmp_path, secret):
    lines: list[str] = []
    result = run_etl(
        raw, tmp_path / "out", as_of=AS_OF, progress=lines.append, show_reject_values=True
    )
    return result, load_processed(tmp_path / "out"), lines


def test_rejects_are_exactly_the_worked_out_ones(done):
    _, p, _ = done
    got = [tuple(r) for r in p.rejects.itertuples(index=False)]
    assert got == EXPECTED_REJECTS
    assert list(p.rejects.columns) == [
        "source_file",
        "sheet",
        "source_row",
        "column",
        "value",
        "reason",
    ]


def test_manifest_counts_add_up(done):
    result, _, lines = done
    files = {f["path"]: f for f in result.manifest["files"]}
    assert set(files) == set(EXPECTED_COUNTS)
    for path, expected in EXPECTED_COUNTS.items():
        (s,) = files[path]["sheets"]
        got = tuple(
            s[k]
            for k in (
                "rows_read",
                "rows_accepted",
                "rows_rejected",
                "rows_duplicate",
                "rows_empty",
                "rows_totals",
            )
        )
        assert got == expected, path
        assert s["rows_read"] == s["rows_accepted"] + s["rows_rejected"] + s["rows_duplicate"]
        assert len(files[path]["sha256"]) == 64
    assert files["urine_cp1252.txt"]["encoding"] == "cp1252"
    assert files["urine_cp1252.txt"]["delimiter"] == "|"
    assert files["semarang/klien_semarang.csv"]["encoding"] == "utf-8-sig"
    assert files["semarang/klien_semarang.csv"]["delimiter"] == ";"
    assert files["events.tsv"]["delimiter"] == "\t"
    assert len(lines) == 4 and all(":" in line for line in lines)
    assert result.manifest["tables"]["assessments"]["rows_written"] == 3


def test_manifest_lists_header_mapping_and_unused_columns(done):
    result, _, _ = done
    files = {f["path"]: f for f in result.manifest["files"]}
    (s,) = files["semarang/whoqol_google_form.csv"]["sheets"]
    assert s["mapping"]["Timestamp"] == "timestamp"
    assert (
        s["mapping"][
            "3. Seberapa jauh rasa sakit fisik anda mencegah anda dalam beraktivitas, sesuai kebutuhan anda?"
        ]
        == "q3"
    )
    assert s["unused_columns"] == ["Catatan"]
    assert s["inferred"] == {"instrument": "whoqol_bref"}


def test_canonical_values(done, secret):
    result, p, _ = done
    c = p.clients.set_index("sex", drop=False)
    assert list(p.clients.columns) == [
        "client_id",
        "sex",
        "birth_date",
        "facility",
        "facility_type",
        "province",
        "release_date",
        "prior_offences",
    ]
    budi = p.clients[p.clients["birth_date"] == pd.Timestamp(1990, 1, 12)].iloc[0]
    assert budi["sex"] == "male"
    assert budi["facility"] == "Bapas Kelas I Semarang"
    assert budi["facility_type"] == "bapas"
    assert budi["province"] == "Jawa Tengah"
    assert budi["release_date"] == pd.Timestamp(2024, 11, 7)
    assert budi["prior_offences"] == 0
    assert len(c) == 4
    siti = p.clients[p.clients["birth_date"] == pd.Timestamp(1991, 2, 15)].iloc[0]
    # the Google Forms timestamp 11/8/2024 is 8 November, month first
    a = p.assessments[p.assessments["client_id"] == siti["client_id"]]
    assert a["date"].tolist() == [pd.Timestamp(2024, 11, 8), pd.Timestamp(2025, 5, 1)]
    assert a["timepoint"].tolist() == ["pre", "post"]
    assert pd.isna(a["q1"].iloc[0]) and a["q2"].iloc[0] == 4.0
    # "Sangat buruk" is answer 1
    assert p.assessments.loc[p.assessments["client_id"] == budi["client_id"], "q3"].tolist() == [
        1.0
    ]
    # register-only urine rows are the same people as in the clients file
    u = p.urine_tests
    assert set(u["client_id"]) == {budi["client_id"], siti["client_id"]}
    pairs = sorted(zip(u["result"], u["substances"], strict=True))  # rows sort by client_id
    assert pairs == [("negative", ""), ("positive", "met"), ("positive", "thc")]
    assert sorted(p.events["kind"].dropna()) == ["death", "rearrest"]
    assert result.unknown_facilities == ["Lapas Kelas IIA Magelang"]
    assert p.clients["client_id"].str.match(r"^c[0-9a-f]{16}$").all()
    assert "Lapas Kelas IIA Magelang" in result.summary()
    assert result.manifest["key_fingerprint"] == key_fingerprint(secret.encode())


def test_rejects_csv_and_repr(done, tmp_path):
    _, p, _ = done
    csv = pd.read_csv(tmp_path / "out" / "rejects.csv", dtype=str, keep_default_na=False)
    assert len(csv) == len(p.rejects)
    assert "assessments=3" in repr(p)
    assert p.scores is None


def test_idempotent_and_keyed(raw, tmp_path, secret, monkeypatch):
    run_etl(raw, tmp_path / "a", as_of=AS_OF)
    run_etl(raw, tmp_path / "b", as_of=AS_OF)
    for f in sorted((tmp_path / "a").glob("*.parquet")):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
    # running again over the same output replaces it and gives the same bytes
    before = (tmp_path / "a" / "clients.parquet").read_bytes()
    run_etl(raw, tmp_path / "a", as_of=AS_OF)
    assert (tmp_path / "a" / "clients.parquet").read_bytes() == before
    monkeypatch.setenv(
        "REHAB_EVAL_SECRET", "another-key-8f7e6d5c4b3a281706f5e4d3c2b1a0f8e6c4d3b7a2e9c1f5"
    )
    run_etl(raw, tmp_path / "c", as_of=AS_OF)
    a = pd.read_parquet(tmp_path / "a" / "clients.parquet")
    c = pd.read_parquet(tmp_path / "c" / "clients.parquet")
    assert not set(a["client_id"]) & set(c["client_id"])
    assert len(a) == len(c)


def test_no_identifier_in_outputs(done, tmp_path):
    texts = []
    for path in (tmp_path / "out").iterdir():
        if path.suffix == ".parquet":
            texts.append(pd.read_parquet(path).astype(str).to_csv())
        else:
            texts.append(path.read_text("utf-8-sig"))
    blob = "\n".join(texts)
    for ident in (
        "3374011201900001",
        "3374015502910002",
        "33740155029100",
        "PB.001/2024",
        "PB.002/2024",
        "XX.999",
        "Budi Santoso",
        "Siti Rahayu",
        "Dedi Kurniawan",
        "Semarang, 12 Januari 1990",
    ):
        assert ident not in blob, ident


def _workbook(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Program"
    ws.append(["DATA PROGRAM PASCAREHABILITASI"])
    ws.merge_cells("A1:H1")
    ws.append(["Periode Mei s.d. Oktober 2024"])
    ws.append([])
    ws.append(
        [
            "No",
            "No. Register",
            "Nama",
            "Jenis Program",
            "Tingkat",
            "Angkatan",
            "Tgl Masuk",
            "Tgl Keluar",
            "Keterangan",
            "Bapas",
            "Mitra",
        ]
    )
    ws.append(
        [
            1,
            "PB.001/2024",
            "Budi Santoso",
            "Pasca Rehabilitasi",
            "Sedang",
            "Angkatan  I   2024",
            dt.datetime(2024, 5, 6),
            45600,
            "Selesai",
            "Bapas Kelas I Semarang",
            "BNNP Jawa Tengah",
        ]
    )
    ws.append(
        [
            2,
            "PB.002/2024",
            "Siti Rahayu",
            "Pasca Rehabilitasi",
            "Menengah",
            "Angkatan I 2024",
            "6 Mei 2024",
            "Kamis, 7 November 2024",
            "DO",
            "BAPAS SEMARANG",
            "BNNP Jawa Tengah",
        ]
    )
    ws.append([None] * 11)
    ws.append(["Jumlah", None, "2 orang"])
    u = wb.create_sheet("URICA Pretest")
    u.append(["NIK", "Nama", "Tanggal"] + [f"Q{i}" for i in range(1, 33)])
    u.append(["3374011201900001", "Budi Santoso", dt.datetime(2024, 5, 6)] + [3] * 32)
    u.append([3374015502910002.0, "Siti Rahayu", dt.datetime(2024, 5, 6)] + [4] * 32)
    n = wb.create_sheet("Catatan")
    n.append(["Kolom A", "Kolom B"])
    n.append(["x", "y"])
    wb.save(path)


def test_xlsx_workbook(tmp_path, secret):
    raw = tmp_path / "raw"
    raw.mkdir()
    _workbook(raw / "program_2024.xlsx")
    shutil.copy(FIXTURES / "semarang" / "klien_semarang.csv", raw / "klien.csv")
    with pytest.warns(DataQualityWarning, match="Catatan"):
        result = run_etl(raw, tmp_path / "out", as_of=AS_OF)
    p = load_processed(tmp_path / "out")
    sheets = {s["sheet"]: s for f in result.manifest["files"] for s in f["sheets"]}
    prog = sheets["Program"]
    assert (prog["header_row"], prog["rows_read"], prog["rows_empty"], prog["rows_totals"]) == (
        4,
        2,
        1,
        1,
    )
    assert prog["numbering_column"] is True
    assert prog["unused_columns"] == ["Mitra"]
    assert sheets["Catatan"]["table"] is None
    assert sheets["Catatan"]["headers"] == ["Kolom A", "Kolom B"]
    e = p.enrollments
    assert e["program"].tolist() == ["pascarehabilitasi", "pascarehabilitasi"]
    assert sorted(e["level"]) == ["sedang", "sedang"]
    assert set(e["cohort"]) == {"Angkatan I 2024"}
    assert sorted(e["status"]) == ["completed", "dropped_out"]
    assert sorted(e["end_date"]) == [pd.Timestamp(2024, 11, 4), pd.Timestamp(2024, 11, 7)]
    assert set(e["facility"]) == {"Bapas Kelas I Semarang"}
    assert set(e["client_id"]) <= set(p.clients["client_id"])
    urica = sheets["URICA Pretest"]
    assert urica["inferred"] == {"instrument": "urica", "timepoint": "pre"}
    assert (urica["rows_accepted"], urica["rows_rejected"]) == (1, 1)
    assert p.assessments["instrument"].tolist() == ["urica"]
    assert [f"q{i}" for i in range(1, 33)] == list(p.assessments.columns[4:])
    r = p.rejects[p.rejects["sheet"] == "URICA Pretest"]
    assert r[["source_row", "column", "reason"]].values.tolist() == [
        [3, "NIK", "nik unrecoverable"]
    ]


def test_corrupt_file_among_good_ones(raw, tmp_path, secret):
    (raw / "rusak.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (raw / "junk.csv").write_bytes(bytes(range(256)) * 4)
    result = run_etl(raw, tmp_path / "out", as_of=AS_OF)
    files = {f["path"]: f for f in result.manifest["files"]}
    assert files["rusak.xlsx"]["status"] == "unreadable"
    assert "xlsx" in files["rusak.xlsx"]["reason"]
    assert files["junk.csv"]["status"] == "unreadable"
    assert result.table_rows["assessments"] == 3
    assert "unreadable: rusak.xlsx" in result.summary()


def test_missing_raw_and_nothing_readable(tmp_path, secret):
    with pytest.raises(InputError, match="does not exist"):
        run_etl(tmp_path / "nope", tmp_path / "out")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.xlsx").write_bytes(b"junk")
    with pytest.raises(InputError, match="nothing could be read"):
        run_etl(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_exit_codes(raw, tmp_path, secret, capsys):
    from rehab_eval.cli import main

    assert main(["etl", "--raw", str(raw), "--out", str(tmp_path / "o")]) == 0
    assert main(["etl", "--raw", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err and "Traceback" not in err[-1] and "does not exist" in err[-1]


def test_failed_run_leaves_previous_output(raw, tmp_path, secret, monkeypatch):
    out = tmp_path / "out"
    run_etl(raw, out, as_of=AS_OF)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = {"n": 0}
    real = write_mod._parquet

    def crash(frame, path):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real(frame, path)

    monkeypatch.setattr(write_mod, "_parquet", crash)
    (raw / "events.tsv").unlink()
    with pytest.raises(OSError, match="disk full"):
        run_etl(raw, out, as_of=AS_OF, allow_shrink=True)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before
    # nothing half-written is left: only the published version, the lock and the link
    versions = tmp_path / ".out.versions"
    assert [p.name for p in versions.iterdir()] == [out.resolve().name]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [
        ".out.lock",
        ".out.versions",
    ]


def test_key_file_created_only_on_request_with_mode_0600(raw, tmp_path, monkeypatch):
    from rehab_eval.errors import ConfigError
    from rehab_eval.etl.keys import create_key_file

    monkeypatch.delenv("REHAB_EVAL_SECRET", raising=False)
    monkeypatch.delenv("REHAB_EVAL_KEY_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    key_file = tmp_path / "cfg" / "rehab_eval" / "secret.key"
    with pytest.raises(ConfigError, match="key init"):
        run_etl(raw, tmp_path / "o1", as_of=AS_OF)
    assert not key_file.exists() and not (tmp_path / "o1").exists()
    assert create_key_file() == key_file
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    r1 = run_etl(raw, tmp_path / "o1", as_of=AS_OF)
    key = key_file.read_text().strip()
    r2 = run_etl(raw, tmp_path / "o2", as_of=AS_OF)
    assert r1.manifest["key_fingerprint"] == r2.manifest["key_fingerprint"]
    assert r1.manifest["key_fingerprint"] == key_fingerprint(key.encode())
    assert key not in (tmp_path / "o1" / "manifest.json").read_text()
    a = pd.read_parquet(tmp_path / "o1" / "clients.parquet")
    b = pd.read_parquet(tmp_path / "o2" / "clients.parquet")
    assert a.equals(b)


def test_config_adds_aliases_and_as_of(raw, tmp_path, secret):
    (raw / "events.tsv").write_text(
        (FIXTURES / "events.tsv").read_text("utf-8").replace("Jenis Kejadian", "Peristiwa Hukum"),
        "utf-8",
    )
    cfg = tmp_path / "etl.yaml"
    cfg.write_text(
        "as_of: 2025-06-30\n"
        "header_aliases:\n  event_kind: [Peristiwa Hukum]\n"
        "facility_aliases:\n  Lapas Kelas IIA Magelang: Lapas Kelas IIA Magelang\n"
        "values:\n  event_kind:\n    relapse: [Entah]\n"
    )
    result = run_etl(raw, tmp_path / "out", config=cfg)
    assert result.manifest["as_of"] == "2025-06-30"
    p = load_processed(tmp_path / "out")
    assert sorted(p.events["kind"].tolist()) == ["death", "rearrest", "relapse"]
    assert result.unknown_facilities == []
    json.loads((tmp_path / "out" / "manifest.json").read_text())


def test_nik_typed_into_another_column_is_masked_in_rejects(tmp_path, secret):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "kegiatan.csv").write_text(
        "NIK,Nama,Tanggal,Kegiatan,Hadir\n,,3374011201900001,,\n3374015502910002,Siti,3374015502910002,Konseling,Ya\n",
        "utf-8",
    )
    run_etl(raw, tmp_path / "out", as_of=AS_OF)
    rej = pd.read_parquet(tmp_path / "out" / "rejects.parquet")
    text = rej.to_csv() + (tmp_path / "out" / "rejects.csv").read_text("utf-8-sig")
    assert "3374011201900001" not in text and "3374015502910002" not in text
    assert set(rej["value"]) >= {"************0002"}


def test_unknown_instrument_cell_is_rejected_and_inferred(tmp_path, secret):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "whoqol_bulan_3.csv").write_text(
        "NIK,Instrumen,P1,P2,P3\n"
        "3374011201900001,WHOQOL-BREF,1,2,3\n"
        "3374015502910002,Kuesioner X,4,5,6\n",
        "utf-8",
    )
    result = run_etl(raw, tmp_path / "out", as_of=AS_OF)
    p = load_processed(tmp_path / "out")
    assert p.assessments["instrument"].tolist() == ["whoqol_bref", "whoqol_bref"]
    assert p.assessments["timepoint"].tolist() == ["m3", "m3"]  # from the file name
    r = p.rejects[["source_row", "column", "value", "reason"]].values.tolist()
    r[0][2] = "Kuesioner X" if r[0][2] == "<teks 11 huruf>" else r[0][2]  # described by default
    assert r == [
        [3, "Instrumen", "Kuesioner X", "unparseable value"],
        [3, "P3", "6", "out of range"],
    ]
    (s,) = result.manifest["files"][0]["sheets"]
    assert s["inferred"] == {"instrument": "whoqol_bref", "timepoint": "m3"}
