"""Header inference pieces: data rows are never headers, group rows combine, Kobo and Google
Forms headers map to items, and identity is masked in structural texts."""

from __future__ import annotations

import pytest

from rehab_eval.etl.headers import item_column, load_aliases, map_headers
from rehab_eval.etl.masking import mask_identifiers
from rehab_eval.etl.read import combine_header, is_data_row, is_note_label

ALIASES = load_aliases()


@pytest.mark.parametrize(
    ("row", "data"),
    [
        (["No", "NIK", "Nama", "Tgl Lahir"], False),
        (["", "", "", *map(str, range(1, 27)), *map(str, range(1, 27))], False),  # item numbers
        (["1", "3374014501900001", "Budi", "L"], True),  # a NIK
        (["1", "33.74.01.450190.0001", "Budi"], True),  # a NIK with dots
        (["Budi", "Lapas", "Selesai", "12/01/1990"], True),  # a date
        (["Budi", "Selesai", "2024-11-07"], True),  # an Excel date
        (["Budi", "3", "4", "2", "5", "1", "3"], True),  # answers
        (["Budi", "Bapas"], False),
    ],
)
def test_data_rows_are_never_headers(row, data):
    assert is_data_row(row) is data


def test_group_row_combines_with_item_numbers():
    above = ["No", "NIK", "Pretest", "", "", "Posttest", "", ""]
    header = ["", "", "1", "2", "3", "1", "2", "3"]
    headers, groups = combine_header(above, header)
    assert headers == ["No", "NIK", "1", "2", "3", "1", "2", "3"]
    assert groups == ["", "", "Pretest", "Pretest", "Pretest", "Posttest", "Posttest", "Posttest"]
    # a title row above (nothing over the item columns) is not a group row
    assert combine_header(["DATA KLIEN", "", "", ""], ["NIK", "1", "2", "3"])[1] == [""] * 4


@pytest.mark.parametrize(
    ("header", "item"),
    [
        ("Kualitas Hidup [1. Bagaimana menurut anda kualitas hidup anda?]", "q1"),
        ("Kesiapan berubah [P12]", "q12"),
        ("group_whoqol/q7", "q7"),
        ("group_a/group_b/Q26", "q26"),
        ("3. Seberapa jauh rasa sakit fisik", "q3"),
        ("Alkohol P2", "alcohol_q2"),
        ("identitas/nama", None),
        ("Tanggal [opsional]", None),
    ],
)
def test_item_headers(header, item):
    assert item_column(header) == item


def test_kobo_tool_columns_and_path_fields():
    h = map_headers(
        ["start", "end", "identitas/nik", "identitas/tahap", "group_whoqol/q1", "_uuid", "_index"],
        ALIASES,
    )
    assert [h.fields.get(i) for i in range(7)] == [
        "tool", "tool", "nik", "timepoint", "q1", "tool", "tool",
    ]  # fmt: skip
    # without Kobo markers, Start/End are the enrollment dates
    h = map_headers(["NIK", "Start", "End", "Program"], ALIASES)
    assert h.column_of("start_date") == 1 and h.column_of("end_date") == 2


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("Keterangan: JK = jenis kelamin", True),
        ("Mengetahui,", True),
        ("Kepala Bapas Kelas I Semarang", True),
        ("NIP. 197001011990031001", True),
        ("Semarang, 31 Oktober 2024", True),
        ("Senin, 4 Maret 2024", False),
        ("Budi Santoso", False),
        ("*", False),
    ],
)
def test_note_labels(text, note):
    assert is_note_label(text) is note


def test_identity_masked_in_structural_texts():
    names = frozenset({"budi santoso", "wati"})
    assert mask_identifiers("hasil Budi Santoso 3374014501900001.csv", names) == (
        "hasil <nama> ************0001.csv"
    )
    assert mask_identifiers("Wati", names) == "<nama>"
    assert mask_identifiers("Data Wati Lestari", names) == "Data Wati Lestari"
    assert mask_identifiers("kirim ke budi@contoh.co.id", names) == "kirim ke <e-mail>"
    assert mask_identifiers("33 74 01 450190 0001") == "************0001"
    assert mask_identifiers("Periode 2024") == "Periode 2024"
