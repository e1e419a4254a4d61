"""Containers: encodings, delimiters, title rows, source row numbers, Excel cell values."""

from __future__ import annotations

import datetime as dt

import pytest

from rehab_eval.errors import InputError
from rehab_eval.etl.headers import load_aliases
from rehab_eval.etl.read import _cell_text, read_container, sniff_delimiter, sniff_encoding

ALIASES = load_aliases()


@pytest.mark.parametrize(
    ("blob", "encoding"),
    [
        (b"NIK;Nama\n1;Budi\n", "utf-8"),
        ("NIK;Nama\n1;Budi\n".encode("utf-8-sig"), "utf-8-sig"),
        ("NIK;Nama\n1;Ren\u00e9 \u2013 x\n".encode("cp1252"), "cp1252"),
    ],
)
def test_sniff_encoding(blob, encoding):
    assert sniff_encoding(blob) == encoding


def test_binary_is_not_text():
    with pytest.raises(InputError, match="binary"):
        sniff_encoding(b"\x00\x01\x02PK")


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_sniff_delimiter(delim):
    rows = [
        ["DATA KLIEN", "", "", ""],
        ["No", "NIK", "Nama", "Tanggal, Lahir"],
        ["1", "2", "x", "1/2/2024"],
    ]
    text = "\n".join(delim.join(f'"{c}"' if "," in c else c for c in r) for r in rows) + "\n"
    assert sniff_delimiter(text) == delim


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("Budi", "Budi"),
        (3, "3"),
        (3.0, "3"),
        (3.5, "3.5"),
        (True, "TRUE"),
        (dt.datetime(2024, 11, 7), "2024-11-07"),
        (dt.datetime(2024, 11, 7, 10, 23, 45), "2024-11-07 10:23:45"),
        (dt.date(2024, 11, 7), "2024-11-07"),
        (3374011201900001, "3374011201900001.0"),  # a NIK held as a number: unrecoverable
        (3.37401e15, "3374010000000000.0"),
    ],
)
def test_excel_cell_text(value, text):
    assert _cell_text(value) == text


def test_csv_titles_header_and_record_numbers(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text(
        'LAPORAN,,\nBAPAS KELAS I SEMARANG,,\n\nNo,NIK,Catatan\n1,3374011201900001,"dua\nbaris"\n2,3374011201900002,x\n',
        "utf-8",
    )
    (t,) = read_container(p, ALIASES)
    assert t.header_row == 4
    assert t.titles == ["LAPORAN", "BAPAS KELAS I SEMARANG", ""]
    assert t.headers == ["No", "NIK", "Catatan"]
    assert t.body.shape == (2, 3)
    assert t.body.iloc[0, 2] == "dua\nbaris"
    assert t.source_rows.tolist() == [5, 6]  # records, not lines


def test_xlsx_worksheet_row_numbers(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"] = "DATA KLIEN"
    ws["A4"] = "No"
    ws["B4"] = "NIK"
    ws["C4"] = "Nama"
    ws["A5"], ws["B5"], ws["C5"] = 1, "3374011201900001", "Budi"
    ws["A8"], ws["B8"], ws["C8"] = 2, "3374011201900002", "Siti"
    wb.create_sheet("Kosong")
    wb.save(tmp_path / "a.xlsx")
    data, empty = read_container(tmp_path / "a.xlsx", ALIASES)
    assert (data.sheet, data.header_row) == ("Data", 4)
    assert data.source_rows.tolist() == [5, 6, 7, 8]
    assert data.body.iloc[3].tolist() == ["2", "3374011201900002", "Siti"]
    assert empty.header_row == 0 and empty.body.empty


def test_unreadable_files(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="xlsx"):
        read_container(tmp_path / "a.xlsx", ALIASES)
    (tmp_path / "b.csv").write_bytes(b"")
    with pytest.raises(InputError, match="kosong"):
        read_container(tmp_path / "b.csv", ALIASES)
