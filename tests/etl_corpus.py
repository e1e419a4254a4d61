"""A corpus of raw exports written by real writers, with what each file holds.

xlwt writes the legacy ``.xls`` (BIFF8), odfpy (through pandas) the ``.ods``, openpyxl the
``.xlsx``/``.xlsm`` (one with its ``<dimension>`` rewritten as other writers leave it), the
standard library the ``.zip`` and the CSV files shaped as KoboToolbox and Google Forms export
them. ``build(root)`` writes every file and returns a :class:`Corpus` with the identifiers
written (for leak scans) and, per file, the number of data rows it holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

WORDS = {1: "Sangat buruk", 2: "Buruk", 3: "Biasa-biasa saja", 4: "Baik", 5: "Sangat baik"}
FIRST = ["Budi", "Siti", "Agus", "Dewi", "Rudi", "Wati", "Yoga", "Rina", "Joko", "Tuti"]
LAST = ["Santoso", "Rahayu", "Wibowo", "Lestari", "Hartono", "Susanti", "Pratama", "Utami"]


@dataclass
class Corpus:
    root: Path
    niks: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    data_rows: dict[str, int] = field(default_factory=dict)  # file -> data rows written
    not_read: dict[str, str] = field(default_factory=dict)  # file -> words of the reason
    ignored: list[str] = field(default_factory=list)  # lock, hidden and system files

    def person(self, i: int, *, woman: bool = False) -> tuple[str, str]:
        day = 1 + i % 28 + (40 if woman else 0)
        nik = f"337401{day:02d}0190{i:04d}"
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
        self.niks.append(nik)
        self.names.append(name)
        return nik, name


def answers(i: int, n: int = 26) -> list[int]:
    return [1 + (i * 7 + k * 3) % 5 for k in range(n)]


def _csv(path: Path, rows: list[list[object]], delimiter: str = ",") -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_text(buf.getvalue(), "utf-8")


def kobo_csv(c: Corpus, path: Path) -> None:
    """KoboToolbox 'XLS/CSV' export: path headers, tool columns, ISO timestamps."""
    head = ["start", "end", "today", "deviceid", "identitas/nik", "identitas/nama",
            "identitas/tahap"] + [f"group_whoqol/q{k}" for k in range(1, 27)] + [
            "_id", "_uuid", "_submission_time", "_validation_status", "_index"]  # fmt: skip
    rows = [head]
    for j in range(4):
        nik, name = c.person(10 + j)
        rows.append(
            ["2024-11-07T10:23:45.000+07:00", "2024-11-07T10:41:02.000+07:00", "2024-11-07",
             "enketo.kobotoolbox.org:abc", nik, name, "pre" if j < 3 else "post"]
            + answers(j) + [str(1000 + j), f"0f1e2d3c-{j:04d}-4b5a-8c7d-000000000000",
                            "2024-11-07T03:41:05", "", str(j + 1)]
        )  # fmt: skip
    _csv(path, rows)
    c.data_rows[path.name] = 4


def forms_grid_csv(c: Corpus, path: Path) -> None:
    """Google Forms export with a grid question: ``Kualitas Hidup [n. item]``, answers as words.

    One answer is a word the instrument does not declare ("Lumayan"): it must be rejected.
    """
    items = [f"Kualitas Hidup [{k}. Pertanyaan nomor {k}]" for k in range(1, 27)]
    rows = [["Timestamp", "Alamat email", "NIK", "Nama Lengkap", "Tahap", *items]]
    for j in range(3):
        nik, name = c.person(20 + j, woman=True)
        email = f"{name.split()[0].lower()}{j}@contoh.co.id"
        c.emails.append(email)
        words = [WORDS[a] for a in answers(j)]
        if j == 2:
            words[4] = "Lumayan"
        rows.append([f"11/{7 + j}/2024 10:23:45", email, nik, name, "Pretest", *words])
    _csv(path, rows)
    c.data_rows[path.name] = 3


def two_row_header_xlsx(c: Corpus, path: Path) -> None:
    """Pre and post side by side: merged 'Pretest'/'Posttest' cells above item numbers."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "WHOQOL"
    ws["A1"] = "DATA WHOQOL-BREF KLIEN PASCAREHABILITASI"
    ws.merge_cells("A1:H1")
    for col, text in ((1, "No"), (2, "NIK"), (3, "Nama")):
        ws.cell(2, col, text)
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    ws.cell(2, 4, "Pretest")
    ws.merge_cells(start_row=2, start_column=4, end_row=2, end_column=29)
    ws.cell(2, 30, "Posttest")
    ws.merge_cells(start_row=2, start_column=30, end_row=2, end_column=55)
    for k in range(26):
        ws.cell(3, 4 + k, k + 1)
        ws.cell(3, 30 + k, k + 1)
    for j in range(3):
        nik, name = c.person(30 + j)
        ws.cell(4 + j, 1, j + 1)
        ws.cell(4 + j, 2, nik)
        ws.cell(4 + j, 3, name)
        for k, a in enumerate(answers(j)):
            ws.cell(4 + j, 4 + k, a)
            if j < 2:  # the third client has no posttest yet
                ws.cell(4 + j, 30 + k, 6 - a)
    wb.save(path)
    c.data_rows[path.name] = 5  # 3 pretest rows, 2 posttest rows (the third is blank there)


def stale_dimension_xlsx(c: Corpus, path: Path) -> None:
    """An xlsx as a web application writes it: ``<dimension ref="A1"/>`` whatever it holds."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Klien"
    ws.append(["NIK", "Nama", "Jenis Kelamin", "Tanggal Lahir", "Tanggal Bebas"])
    for j in range(5):
        nik, name = c.person(40 + j)
        ws.append([nik, name, "L", dt.date(1990, 1, 1 + j), dt.date(2024, 5, 1 + j)])
    buf = io.BytesIO()
    wb.save(buf)
    _rewrite_member(buf.getvalue(), path, "xl/worksheets/sheet1.xml",
                    lambda x: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', x))  # fmt: skip
    c.data_rows[path.name] = 5


def _rewrite_member(blob: bytes, path: Path, member: str, fn) -> None:
    src = zipfile.ZipFile(io.BytesIO(blob))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, fn(data) if info.filename == member else data)


def legacy_xls(c: Corpus, path: Path) -> None:
    """Excel 97-2003 by xlwt: titles, a real date cell, NIK with dots, 'Agst', a totals row,
    a note and signature block under the data, and a hidden sheet of valid values."""
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Klien")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    ws.write(0, 0, "DATA KLIEN PASCAREHABILITASI")
    ws.write(1, 0, "BAPAS KELAS I SEMARANG")
    head = ["No", "NIK", "Nama", "JK", "Tgl Lahir", "Tgl PB", "UPT"]
    for k, h in enumerate(head):
        ws.write(3, k, h)
    r = 4
    for j in range(4):
        nik, name = c.person(50 + j)
        shown = f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}.{nik[6:12]}.{nik[12:]}" if j == 0 else nik
        if j == 0:
            c.niks.append(shown)
        ws.write(r, 0, j + 1)
        ws.write(r, 1, shown)
        ws.write(r, 2, name)
        ws.write(r, 3, "L")
        if j == 1:
            ws.write(r, 4, "17 Agst 1990")
        else:
            ws.write(r, 4, dt.datetime(1990, 1, 1 + j), date_style)
        ws.write(r, 5, dt.datetime(2024, 6, 1 + j), date_style)
        ws.write(r, 6, "Bapas Kelas I Semarang")
        r += 1
    ws.write(r, 0, "Jumlah")
    ws.write(r, 2, "4 klien")
    for text in ("Keterangan: JK = jenis kelamin", "Mengetahui,", "Kepala Bapas Kelas I Semarang",
                 "Drs. Pejabat Contoh", "NIP. 197001011990031001"):  # fmt: skip
        r += 1
        ws.write(r, 1, text)
    hidden = wb.add_sheet("Daftar")
    hidden.visibility = 1
    hidden.write(0, 0, "Jenis Kelamin")
    hidden.write(0, 1, "Program")
    for k, (a, b) in enumerate((("L", "Pascarehabilitasi"), ("P", "IBM"))):
        hidden.write(k + 1, 0, a)
        hidden.write(k + 1, 1, b)
    wb.save(str(path))
    c.data_rows[path.name] = 4


def ods_with_rekap(c: Corpus, path: Path) -> None:
    """LibreOffice Calc file (odfpy through pandas): enrollments and a 'Rekap' pivot sheet."""
    import pandas as pd

    rows = []
    for j in range(4):
        nik, name = c.person(60 + j)
        rows.append([j + 1, nik, name, "Pascarehabilitasi", "Risiko Sedang" if j % 2 else "Rendah",
                     "01/07/2024", "31/12/2024", "Selesai"])  # fmt: skip
    data = pd.DataFrame(rows, columns=["No", "NIK", "Nama", "Program", "Tingkat Risiko",
                                       "Tgl Mulai", "Tgl Selesai", "Status"])  # fmt: skip
    rekap = pd.DataFrame({"UPT": ["Bapas Semarang", "Jumlah"], "Program": ["Pascarehab", ""],
                          "Jumlah": [4, 4]})  # fmt: skip
    with pd.ExcelWriter(path, engine="odf") as xw:
        data.to_excel(xw, sheet_name="Layanan", index=False)
        rekap.to_excel(xw, sheet_name="Rekap", index=False)
    c.data_rows[path.name] = 4


def html_as_xls(c: Corpus, path: Path) -> None:
    """What a web application sends as 'Excel': an HTML table under an .xls name."""
    cells = []
    for j in range(3):
        nik, name = c.person(70 + j)
        cells.append(
            f"<tr><td>{j + 1}</td><td>{nik}</td><td>{name}</td><td>0{j + 1}/10/2024</td>"
            f"<td>{'Negatif' if j else 'Positif'}</td></tr>"
        )
    path.write_text(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "</head><body><table border=1><tr><th colspan=5>HASIL TES URINE</th></tr>"
        "<tr><th>No</th><th>NIK</th><th>Nama</th><th>Tgl Tes</th><th>Hasil</th></tr>"
        + "".join(cells)
        + "</table></body></html>",
        "utf-8",
    )
    c.data_rows[path.name] = 3


def xlsm_events(c: Corpus, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Kejadian"
    ws.append(["NIK", "Nama", "Tanggal Kejadian", "Jenis Kejadian"])
    for j in range(2):
        nik, name = c.person(75 + j)
        ws.append([nik, name, dt.date(2025, 1, 10 + j), "Ditangkap ulang"])
    wb.save(path)
    c.data_rows[path.name] = 2


def data_row_not_header_csv(c: Corpus, path: Path) -> None:
    """Headers that match no alias, a first data row whose values do ('Lapas', 'Selesai')."""
    rows = [["Identitas Klien", "Lokasi Layanan", "Status Akhir"]]
    for j in range(2):
        nik, _ = c.person(78 + j)
        rows.append([nik, "Lapas", "Selesai"])
    _csv(path, rows, ";")
    c.data_rows[path.name] = 0  # fits no table: listed, not read as data


def zip_of_exports(c: Corpus, path: Path) -> None:
    """A WhatsApp-forwarded zip: a contacts CSV in a folder, and a PDF that is not data."""
    rows = [["No Reg", "NIK", "Nama", "Tanggal Kegiatan", "Jenis Kegiatan", "Hadir"]]
    for j in range(3):
        nik, name = c.person(80 + j)
        rows.append([f"PB.{j:03d}/2024", nik, name, f"{5 + j}/11/2024", "Konseling", "Ya"])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("semarang/kontak.csv", buf.getvalue())
        zf.writestr("semarang/surat.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    c.data_rows[f"{path.name}/semarang/kontak.csv"] = 3
    c.not_read[f"{path.name}/semarang/surat.pdf"] = "tipe berkas tidak didukung: .pdf"


def build(root: Path) -> Corpus:
    """Write the whole corpus under ``root`` (a folder for ``--raw``)."""
    root.mkdir(parents=True, exist_ok=True)
    c = Corpus(root)
    kobo_csv(c, root / "ekspor_kobo_2024.csv")
    forms_grid_csv(c, root / "google_form_kualitas_hidup.csv")
    two_row_header_xlsx(c, root / "whoqol_pre_post.xlsx")
    stale_dimension_xlsx(c, root / "klien_dari_aplikasi.xlsx")
    legacy_xls(c, root / "klien_lama.xls")
    ods_with_rekap(c, root / "layanan.ods")
    html_as_xls(c, root / "tes_urine_web.xls")
    xlsm_events(c, root / "kejadian.xlsm")
    data_row_not_header_csv(c, root / "tanpa_judul_kolom.csv")
    zip_of_exports(c, root / "kiriman_wa.zip")
    identity_named_files(c, root)
    (root / "laporan.pdf").write_bytes(b"%PDF-1.4\n")
    c.not_read["laporan.pdf"] = "tipe berkas tidak didukung: .pdf"
    (root / "terkunci.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le")
    )
    c.not_read["terkunci.xlsx"] = "dilindungi kata sandi"
    (root / "rusak.xls").write_bytes(b"\x00\x01 this is no workbook at all")
    c.not_read["rusak.xls"] = "berkas rusak"
    (root / "~$klien_lama.xls").write_bytes(b"\x00" * 162)  # Excel's lock file
    (root / ".gitkeep").write_bytes(b"")
    c.ignored += ["~$klien_lama.xls", ".gitkeep"]
    return c


def identity_named_files(c: Corpus, root: Path) -> None:
    """A file named after a client (name and NIK), and a sheet whose first row is data."""
    from openpyxl import Workbook

    nik, name = c.person(90)
    path = root / f"hasil {name} {nik}.csv"
    _csv(path, [["NIK", "Nama", "Tanggal", "Jenis Kejadian"], [nik, name, "3/2/2025", "Relapse"]])
    c.data_rows[f"hasil <nama> ************{nik[-4:]}.csv"] = 1
    wb = Workbook()
    ws = wb.active
    ws.title = "Catatan"
    nik2, name2 = c.person(91)
    ws.append([nik2, name2, "12/01/1990", "sering terlambat lapor"])
    ws.append([None, name2, None, "sudah ditegur"])
    other = wb.create_sheet(name2)
    other.append(["NIK", "Nama", "Tanggal Lahir", "Jenis Kelamin"])
    other.append([nik2, name2, "12/01/1990", "P"])
    wb.save(root / "catatan_petugas.xlsx")
    c.data_rows["catatan_petugas.xlsx"] = 1


def dimension_bomb(path: Path) -> None:
    """A few KB of xlsx declaring one cell at row 200 000, column 16 000."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.cell(200_000, 16_000, "x")
    wb.save(path)
