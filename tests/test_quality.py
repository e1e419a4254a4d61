"""Data quality fed back to the offices: reasons in words, per-facility figures, rows to fix.

Small raw exports of two offices and a provincial file that mixes offices go through the
real ETL; the figures are checked against the manifest, the fix workbooks against the
rejects, and every output is scanned for the NIKs and names of the raw files.
"""

from __future__ import annotations

import ast
import csv
import importlib
import pkgutil
import re
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import rehab_eval.etl
from rehab_eval.cli import main
from rehab_eval.quality import (
    assess_quality,
    explain,
    facility_summary,
    file_summary,
    load_manifest,
    load_rejects,
    mask_value,
    quality_trend,
    reason_summary,
    reason_texts,
    reason_trend,
    reject_facilities,
    rows_to_fix,
    untranslated,
)

AS_OF = "2025-06-30"
NIKS = ["3374011201900001", "3374015503880002", "3374010707950003", "3374014410920004",
        "3374012002910005", "3374010106850006", "3374010909990007"]  # fmt: skip
NAMES = ["Budi Rahardjo", "Siti Aminah", "Agus Salim", "Dewi Lestari", "Rudi Hartono",
         "Joko Susilo", "Rina Wati"]  # fmt: skip


# --- the reason vocabulary --------------------------------------------------------------


def _etl_reason_codes() -> set[str]:
    """The reject reasons the ETL can write.

    A declared vocabulary (a module-level ``REASONS`` or ``REJECT_REASONS`` in
    ``rehab_eval.etl``) is used when the ETL has one; otherwise the reason literals are
    read from the ETL's source: strings passed to a ``*_bad``/``*reject*`` call, assigned to
    a ``reason``/``why``/``NIK_*`` name or element, or given as a ``_reason`` value.
    """
    codes: set[str] = set()
    for mod in pkgutil.iter_modules(rehab_eval.etl.__path__):
        module = importlib.import_module(f"rehab_eval.etl.{mod.name}")
        for name in ("REASONS", "REJECT_REASONS"):
            declared = getattr(module, name, None)
            if declared:
                codes |= {str(c) for c in declared}
    if codes:
        return codes
    word = re.compile(r"^[a-z]+( [a-z]+){1,4}$")

    def strings(node) -> set[str]:
        if node is None:
            return set()
        return {
            n.value
            for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and word.match(n.value)
        }

    for path in Path(rehab_eval.etl.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                fn = ast.unparse(node.func)
                if re.search(r"_bad$|reject", fn):
                    codes |= {s for a in node.args[-2:] for s in strings(a)}
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(re.search(r"reason|why|^NIK_", ast.unparse(t)) for t in targets):
                    codes |= strings(node.value)
            elif isinstance(node, ast.For) and re.search(r"why|reason", ast.unparse(node.target)):
                codes |= strings(node.iter)
            elif isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=True):
                    if isinstance(k, ast.Constant) and "reason" in str(k.value):
                        codes |= strings(v)
    return codes


def test_every_etl_reason_has_texts_and_a_hint_in_both_languages():
    codes = _etl_reason_codes()
    assert {"invalid nik", "nik unrecoverable", "unparseable date", "out of range"} <= codes
    assert untranslated(codes) == []


def test_reason_table_is_complete_and_plain():
    text = files("rehab_eval.quality").joinpath("reasons.csv").read_text("utf-8")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["reason", "id", "en", "hint_id", "hint_en"]
    assert {len(r) for r in rows} == {5}
    for r in rows[1:]:
        assert all(f.strip() and "\n" not in f for f in r), r[0]
        assert r[1] != r[2] and r[3] != r[4], r[0]
        assert not re.search(r"\bNone\b|\bnan\b|[{}\[\]]", " ".join(r[1:])), r[0]
    table = reason_texts("en")
    assert list(table.columns) == ["reason", "text", "hint"]
    assert len(table) == len(rows) - 1


def test_explain_names_the_fix_and_falls_back_for_a_new_code():
    text, hint = explain("nik unrecoverable")
    assert "angka" in text and hint.startswith("NIK harus 16 digit dan disimpan sebagai teks")
    assert explain("kode baru") == (
        "Masalah lain (kode kode baru)",
        "Periksa nilai ini pada berkas asal dan kirim ulang berkas yang sudah diperbaiki",
    )
    assert untranslated(["kode baru", "invalid nik"]) == ["kode baru"]


def test_mask_value():
    assert mask_value("3374011201900001", "NIK") == "************0001"
    assert mask_value("3374********0001", "NIK") == "************0001"
    assert mask_value("Budi Rahardjo", "Nama Klien") == "****"
    assert mask_value("Semarang, 12 Januari 1990", "TTL") == "****"
    assert mask_value("kode 33740112019", "Keterangan") == "kode *********19"
    assert mask_value("31/02/2024", "Tanggal") == "31/02/2024"
    assert mask_value(None, "NIK") == ""


# --- figures and fix lists from a real ETL run --------------------------------------------


def _csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def _raw(root: Path, *, fixed: bool = False) -> Path:
    raw = root / ("raw_fixed" if fixed else "raw")
    head = ["NIK", "Nama", "Jenis Kelamin", "Tanggal Lahir", "UPT"]
    _csv(
        raw / "bapas_semarang" / "klien.csv",
        [
            head,
            [NIKS[0], NAMES[0], "L", "12/01/1990", "Bapas Semarang"],
            [NIKS[1], NAMES[1], "P", "15/03/1988", "Bapas Semarang"],
            ["3.37401E+15", NAMES[2], "L", "07/07/1995", "Bapas Semarang"],  # NIK as a number
            [NIKS[3], NAMES[3], "X", "04/10/1992", "Bapas Semarang"],  # sex not readable
        ],
    )
    _csv(
        raw / "lapas_semarang" / "kegiatan.csv",
        [
            ["NIK", "Tanggal Kegiatan", "Jenis Kegiatan", "Hadir"],
            [NIKS[0], "03/02/2025", "Konseling", "Ya"],
            [NIKS[1], "10/02/2025" if fixed else "kemarin", "Konseling", "Ya"],
            [NIKS[1], "11/02/2025", "Pertemuan kelompok", "Tidak"],
            [NIKS[3], "11/02/2030", "Konseling", "Ya"],  # future date
        ],
    )
    # a provincial file that mixes offices: its rows belong to the office in their UPT cell
    _csv(
        raw / "kanwil_jateng" / "gabungan.csv",
        [
            head,
            [NIKS[4], NAMES[4], "L", "20/02/1991", "Bapas Kelas I Semarang"],
            [NIKS[5], NAMES[5], "L", "31/02/1985", "Bapas Kelas I Semarang"],
            [NIKS[6], NAMES[6], "L", "09/09/1999", "Lapas Kelas I Semarang"],
            ["337401090999000", NAMES[6], "L", "09/09/1999", "Lapas Kelas I Semarang"],
        ],
    )
    return raw


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("quality")
    mp = pytest.MonkeyPatch()
    mp.setenv("REHAB_EVAL_SECRET", "test-secret-quality-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8")
    try:
        for fixed in (False, True):
            raw = _raw(root, fixed=fixed)
            out = root / ("processed_fixed" if fixed else "processed")
            assert main(["etl", "--raw", str(raw), "--out", str(out), "--as-of", AS_OF]) == 0
    finally:
        mp.undo()
    return root


def test_file_and_facility_summaries_add_up_to_the_manifest(run):
    manifest = load_manifest(run / "processed")
    rejects = load_rejects(run / "processed")
    files_ = file_summary(manifest, rejects)
    assert list(files_.columns) == [
        "facility", "source_file", "sheet", "table", "rows_read", "rows_accepted",
        "rows_rejected", "rows_duplicate", "cells_rejected", "share_rejected",
    ]  # fmt: skip
    by_file = files_.set_index("source_file")
    assert by_file.loc["bapas_semarang/klien.csv", "facility"] == "Bapas Kelas I Semarang"
    assert by_file.loc["lapas_semarang/kegiatan.csv", "facility"] == "Lapas Kelas I Semarang"
    assert by_file.loc["kanwil_jateng/gabungan.csv", "facility"] == "kanwil_jateng"
    assert (
        files_["rows_read"]
        == files_["rows_accepted"] + files_["rows_rejected"] + files_["rows_duplicate"]
    ).all()
    assert by_file.loc["lapas_semarang/kegiatan.csv", ["rows_read", "rows_rejected"]].tolist() == [
        4,
        2,
    ]
    assert by_file.loc["bapas_semarang/klien.csv", "cells_rejected"] == 1
    fac = facility_summary(files_).set_index("facility")
    assert fac["rows_read"].sum() == manifest["totals"]["rows_read"] == 12
    assert fac["rows_rejected"].sum() == manifest["totals"]["rows_rejected"] == 4
    assert fac.loc["Lapas Kelas I Semarang", "share_rejected"] == pytest.approx(0.5)


def test_reasons_per_facility_from_the_raw_rows(run):
    rejects = load_rejects(run / "processed")
    fac = reject_facilities(rejects, raw=run / "raw")
    mixed = rejects["source_file"] == "kanwil_jateng/gabungan.csv"
    # rows of the provincial file go to the office named in their own UPT cell
    assert sorted(fac[mixed]) == ["Bapas Kelas I Semarang", "Lapas Kelas I Semarang"]
    assert set(reject_facilities(rejects)[mixed]) == {"kanwil_jateng"}  # without the raw files
    reasons = reason_summary(rejects, raw=run / "raw")
    assert reasons["n"].sum() == len(rejects)
    lapas = reasons[reasons["facility"] == "Lapas Kelas I Semarang"].set_index("reason")
    assert lapas["n"].to_dict() == {"future date": 1, "invalid nik": 1, "unparseable date": 1}
    assert lapas.loc["invalid nik", "text"] == explain("invalid nik")[0]
    en = reason_summary(rejects, raw=run / "raw", lang="en")
    assert set(en["text"]) == {explain(r, "en")[0] for r in rejects["reason"]}


def test_rows_to_fix_name_file_sheet_row_column(run):
    rejects = load_rejects(run / "processed")
    fixes = rows_to_fix(rejects, raw=run / "raw")
    assert len(fixes) == len(rejects)
    row = fixes[fixes["reason"] == "nik unrecoverable"].iloc[0]
    assert (row["facility"], row["source_file"], row["source_row"], row["column"]) == (
        "Bapas Kelas I Semarang",
        "bapas_semarang/klien.csv",
        4,
        "NIK",
    )
    assert row["hint"].startswith("NIK harus 16 digit dan disimpan sebagai teks")


def _cells(path: Path) -> list[str]:
    wb = load_workbook(path)
    return [str(v) for ws in wb for r in ws.iter_rows(values_only=True) for v in r if v is not None]


def test_quality_cli_writes_one_workbook_per_facility_without_identities(run, tmp_path):
    out = tmp_path / "perbaikan"
    args = ["quality", "--processed", str(run / "processed"), "--out", str(out)]
    assert main([*args, "--raw", str(run / "raw")]) == 0
    names = sorted(p.name for p in out.glob("*.xlsx"))
    assert names == ["bapas-kelas-i-semarang.xlsx", "lapas-kelas-i-semarang.xlsx"]
    rejects = load_rejects(run / "processed")
    fac = reject_facilities(rejects, raw=run / "raw")
    for path in out.glob("*.xlsx"):
        wb = load_workbook(path)
        assert wb.sheetnames == ["Perbaikan", "Ringkasan", "Alasan"]
        ws = wb["Perbaikan"]
        assert [c.value for c in ws[2]] == [
            "Berkas", "Lembar", "Baris", "Kolom", "Nilai (disamarkan)", "Alasan",
            "Cara memperbaiki",
        ]  # fmt: skip
        mine = rejects[fac == ws["A1"].value.split(":")[0]]
        assert ws.max_row - 2 == len(mine) > 0
        got = sorted((r[0], r[2], r[3]) for r in ws.iter_rows(min_row=3, values_only=True))
        want = sorted(
            zip(mine["source_file"], mine["source_row"].astype(int), mine["column"], strict=True)
        )
        assert got == want
        text = "\n".join(_cells(path))
        for secret in (*NIKS, *NAMES, "337401090999000"):
            assert secret not in text
        assert not re.search(r"\d{10,}", text)
    # without the raw files, the provincial file's rejects go to its folder
    assert main([*args[:-1], str(tmp_path / "by_path")]) == 0
    assert (tmp_path / "by_path" / "kanwil-jateng.xlsx").is_file()


def test_trend_over_two_runs(run):
    trend = quality_trend([run / "processed", run / "processed_fixed"])
    assert trend["rows_read"].tolist() == [12, 12]
    assert trend["rows_rejected"].tolist() == [4, 3]  # the bad date was fixed and re-sent
    assert trend["run_time"].is_monotonic_increasing
    by = quality_trend([run], by="facility")  # a folder: every manifest under it
    assert set(by["facility"]) == {
        "Bapas Kelas I Semarang",
        "Lapas Kelas I Semarang",
        "kanwil_jateng",
    }
    assert len(by) == 6 and by["rows_read"].sum() == 24  # two runs × three facilities
    reasons = reason_trend([run / "processed", run / "processed_fixed"])
    dates = reasons[reasons["reason"] == "unparseable date"]["n"].tolist()
    assert dates == [2, 1]
    assert pd.api.types.is_datetime64_any_dtype(reasons["run_time"])


def test_assess_quality_bundles_the_figures(run):
    dq = assess_quality(run / "processed_fixed", raw=run / "raw_fixed", history=[run / "processed"])
    assert dq.table is dq.files and dq.summary is dq.facilities
    assert dq.trend["rows_rejected"].tolist() == [4, 3]
    # Bapas: NIK as a number, sex "X", and a birth date in the provincial file; Lapas: the
    # future date and an invalid NIK in the provincial file
    assert dq.fixes["facility"].value_counts().to_dict() == {
        "Bapas Kelas I Semarang": 3,
        "Lapas Kelas I Semarang": 2,
    }
    assert dq.reasons["n"].sum() == len(dq.fixes)
    assert "rows_rejected=3" in repr(dq) and "<table" in dq._repr_html_()
    assert dq.as_of == AS_OF and dq.unknown_facilities == ()
