"""Property tests: mangled cells and header spellings never crash the ETL and never lose a row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehab_eval.etl import run_etl
from rehab_eval.etl.identity import check_nik, check_niks
from rehab_eval.etl.parse import parse_date_text, parse_number_text

SETTINGS = settings(
    max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

# canonical field -> a few of its aliases, for a contacts sheet
FIELDS = {
    "nik": ["NIK", "No. KTP", "Nomor Induk Kependudukan"],
    "name": ["Nama", "Nama Klien", "Nama Lengkap"],
    "date": ["Tanggal", "Tanggal Kegiatan", "Tgl"],
    "contact_kind": ["Kegiatan", "Jenis Kegiatan"],
    "attended": ["Hadir", "Kehadiran"],
}


@st.composite
def spelling(draw, alias: str) -> str:
    """The same header written another way: case, separators, surrounding spaces."""
    words = re.split(r"[\s.]+", alias.strip())
    case = draw(st.sampled_from([str.upper, str.lower, str.title, lambda s: s]))
    sep = draw(st.sampled_from([" ", "_", ".", "  ", ". "]))
    pad = draw(st.sampled_from(["", " ", "  "]))
    return pad + sep.join(case(w) for w in words if w) + pad


# any printable text (spreadsheets hold no control characters except line breaks)
cell = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(
        [
            "3374011201900001",
            "3374015502910002",
            "3.37401E+15",
            "7/11/2024",
            "31/02/2024",
            "Kamis, 7 November 2024",
            "45600",
            "Kunjungan Rumah",
            "konseling",
            "Ya",
            "tidak hadir",
            "✓",
            "",
            "Jumlah",
            '"',
            "a,b;c|d\te",
            "baris\nbaru",
        ]
    ),
)


@st.composite
def contacts_file(draw):
    headers = [draw(spelling(draw(st.sampled_from(a)))) for a in FIELDS.values()]
    n = draw(st.integers(1, 12))
    rows = [[draw(cell) for _ in headers] for _ in range(n)]
    titles = draw(
        st.lists(st.sampled_from(["DATA KEGIATAN", "BAPAS KELAS I SEMARANG"]), max_size=2)
    )
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    return headers, rows, titles, delim, encoding


@SETTINGS
@given(contacts_file())
def test_mangled_cells_and_headers_never_crash_nor_lose_rows(spec):
    headers, rows, titles, delim, encoding = spec
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator="\n")
    for t in titles:
        w.writerow([t] + [""] * (len(headers) - 1))
    w.writerow(headers)
    w.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "raw").mkdir()
        (root / "raw" / "kegiatan.csv").write_bytes(buf.getvalue().encode(encoding))
        result = run_etl(
            root / "raw",
            root / "out",
            secret="prop-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8",
            as_of=dt.date(2025, 1, 1),
        )
        (f,) = result.manifest["files"]
        assert f["status"] == "read"
        (s,) = f["sheets"]
        assert s["table"] == "contacts"
        assert s["header_row"] == len(titles) + 1
        assert s["rows_read"] + s["rows_empty"] + s["rows_totals"] == len(rows)
        assert s["rows_read"] == s["rows_accepted"] + s["rows_rejected"] + s["rows_duplicate"]
        contacts = pd.read_parquet(root / "out" / "contacts.parquet")
        rejects = pd.read_parquet(root / "out" / "rejects.parquet")
        assert len(contacts) == s["rows_accepted"]
        whole = rejects[
            rejects["reason"].isin(
                [
                    "no identifier",
                    "nik unrecoverable",
                    "invalid nik",
                    "future date",
                    "missing required value",
                    "unparseable date",
                ]
            )
        ]
        assert whole["source_row"].nunique() == s["rows_rejected"]
        assert not rejects["value"].str.contains("3374011201900001", regex=False).any()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.one_of(
        st.text(max_size=20),
        st.from_regex(r"\A[0-9 '\-]{10,20}\Z"),
        st.from_regex(r"\A33740[0-9]{11}\Z"),
    )
)
def test_vectorised_nik_check_agrees_with_scalar(text):
    clean, problem = check_niks(pd.Series([text], dtype=object))
    assert (clean.iloc[0], problem.iloc[0]) == check_nik(text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=30), st.booleans())
def test_parsers_never_raise(text, month_first):
    d = parse_date_text(text, month_first=month_first)
    assert d is None or isinstance(d, dt.date)
    n = parse_number_text(text)
    assert n is None or isinstance(n, float)
