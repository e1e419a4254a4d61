"""run_etl on exports written by real writers (tests/etl_corpus.py): every file, sheet and
row accounted for, on the containers and layouts offices really send.

Each test below fails on the ETL before these layouts were supported: .xls/.ods/.zip/.xlsm
were skipped without a line, a stale ``<dimension>`` emptied a sheet, the second header row
of a pre/post sheet was taken for data, Google Forms grid items were left empty, Kobo tool
columns and hidden lookup sheets were not recognised.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import pandas as pd
import pytest

import etl_corpus
from rehab_eval.etl import load_processed, run_etl

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("real_exports")
    corpus = etl_corpus.build(root / "raw")
    lines: list[str] = []
    logger = logging.getLogger("rehab_eval.etl")
    records: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = _Keep(level=logging.DEBUG)
    logger.addHandler(handler)
    try:
        with pytest.warns(Warning):  # the sheet that fits no table is reported
            result = run_etl(
                root / "raw", root / "out", secret="etl-test-key-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8", as_of=AS_OF, progress=lines.append
            )
    finally:
        logger.removeHandler(handler)
    files = {f["path"]: f for f in result.manifest["files"]}
    return corpus, result, files, load_processed(root / "out"), root, lines + records


def _sheets(files, path):
    return {s["sheet"]: s for s in files[path]["sheets"]}


def test_every_file_is_listed_read_or_not_read_with_a_reason(corpus_run):
    corpus, result, files, _, root, _ = corpus_run
    on_disk = {p.relative_to(root / "raw").as_posix() for p in (root / "raw").rglob("*")}
    listed = {f.get("archive") or p for p, f in files.items()}
    # one file is named after a client: listed under its masked name
    assert len(listed) == len(on_disk) and len(listed - on_disk) == 1
    for path, words in corpus.not_read.items():
        assert files[path]["status"] == "unreadable", path
        assert words in files[path]["reason"], (path, files[path]["reason"])
    for path in corpus.data_rows:
        assert files[path]["status"] == "read", (path, files[path].get("reason"))
    summary = result.summary()
    for path in corpus.not_read:
        assert f"unreadable: {path}" in summary
    for path in corpus.ignored:  # listed, not counted as unreadable
        assert files[path]["status"] == "ignored" and path in summary
    assert f"{len(corpus.not_read)} unreadable" in summary


def test_rows_read_are_accepted_rejected_duplicates_or_notes(corpus_run):
    corpus, result, files, p, _, _ = corpus_run
    for path, n in corpus.data_rows.items():
        sheets = [s for s in files[path]["sheets"] if s["status"] == "read"]
        assert sum(s["rows_read"] for s in sheets) == n, path
        for s in sheets:
            assert s["rows_read"] == s["rows_accepted"] + s["rows_rejected"] + s["rows_duplicate"]
    # accepted rows of event-like tables are exactly the rows written to them
    for table, name in [("assessments", "assessments"), ("contacts", "contacts"),
                        ("urine_tests", "urine_tests"), ("events", "events"),
                        ("enrollments", "enrollments")]:  # fmt: skip
        accepted = sum(
            s["rows_accepted"]
            for f in files.values()
            for s in f["sheets"]
            if s.get("table") == table
        )
        assert accepted == len(getattr(p, name)), table
    # nothing is missing without a reject: every rejected row has its reject line
    whole = p.rejects.groupby(["source_file", "sheet"])["source_row"].nunique()
    for path, f in files.items():
        for s in f["sheets"]:
            if s.get("status") == "read" and s["rows_rejected"]:
                assert whole[(path, s["sheet"])] >= s["rows_rejected"]


def test_legacy_xls_notes_totals_and_hidden_lookup_sheet(corpus_run):
    _, _, files, p, _, _ = corpus_run
    sheets = _sheets(files, "klien_lama.xls")
    klien = sheets["Klien"]
    assert (klien["rows_read"], klien["rows_totals"], klien["rows_notes"]) == (4, 1, 5)
    assert klien["rows_rejected"] == 0  # NIK with dots, 'Agst', real date cells all read
    assert sheets["Daftar"]["status"] == "skipped" and sheets["Daftar"]["hidden"]
    assert not (p.rejects["source_file"] == "klien_lama.xls").any()
    born = p.clients.dropna(subset=["birth_date"])["birth_date"]
    assert pd.Timestamp(1990, 8, 17) in set(born)  # "17 Agst 1990"


def test_stale_dimension_does_not_empty_the_sheet(corpus_run):
    _, _, files, _, _, _ = corpus_run
    klien = _sheets(files, "klien_dari_aplikasi.xlsx")["Klien"]
    assert (klien["rows_read"], klien["rows_accepted"]) == (5, 5)


def test_two_row_header_splits_pre_and_post(corpus_run):
    _, _, files, p, _, _ = corpus_run
    sheets = _sheets(files, "whoqol_pre_post.xlsx")
    pre, post = sheets["WHOQOL [Pretest]"], sheets["WHOQOL [Posttest]"]
    assert pre["inferred"] == {"instrument": "whoqol_bref", "timepoint": "pre"}
    assert post["inferred"]["timepoint"] == "post"
    assert (pre["rows_accepted"], post["rows_accepted"], post["rows_empty"]) == (3, 2, 1)
    got = p.assessments[p.assessments["timepoint"] == "post"]
    assert len(got) >= 2 and got[[f"q{k}" for k in range(1, 27)]].notna().all().all()


def test_kobo_export_paths_and_tool_columns(corpus_run):
    _, _, files, p, _, _ = corpus_run
    (s,) = files["ekspor_kobo_2024.csv"]["sheets"]
    assert s["table"] == "assessments" and s["inferred"] == {"instrument": "whoqol_bref"}
    assert {"_uuid", "_submission_time", "_index", "start", "end"} <= set(s["tool_columns"])
    assert s["unused_columns"] == [] and s["rows_accepted"] == 4
    assert "start_date" not in s["mapping"].values()


def test_google_forms_grid_answers_as_words(corpus_run):
    _, _, files, p, _, _ = corpus_run
    (s,) = files["google_form_kualitas_hidup.csv"]["sheets"]
    assert s["inferred"] == {"instrument": "whoqol_bref"} and s["rows_accepted"] == 3
    a = p.assessments
    form = a[a["date"].isin(pd.to_datetime(["2024-11-07", "2024-11-08", "2024-11-09"]))]
    assert len(form) == 3
    # every word answer became its number; the undeclared word is a reject, not a blank
    assert int(form[[f"q{k}" for k in range(1, 27)]].isna().sum().sum()) == 1
    r = p.rejects[p.rejects["source_file"] == "google_form_kualitas_hidup.csv"]
    assert r[["value", "reason"]].values.tolist() == [["<teks 7 huruf>", "out of range"]]


def test_summary_sheet_ods_and_levels(corpus_run):
    _, _, files, p, _, _ = corpus_run
    sheets = _sheets(files, "layanan.ods")
    assert sheets["Rekap"]["status"] == "skipped" and "rekap" in sheets["Rekap"]["problem"]
    assert sheets["Layanan"]["rows_accepted"] == 4
    assert sorted(p.enrollments["level"].astype(str)) == ["rendah", "rendah", "sedang", "sedang"]


def test_html_xls_xlsm_and_zip_members(corpus_run):
    _, _, files, p, _, _ = corpus_run
    assert files["tes_urine_web.xls"]["sheets"][0]["rows_accepted"] == 3
    assert files["kejadian.xlsm"]["sheets"][0]["rows_accepted"] == 2
    member = files["kiriman_wa.zip/semarang/kontak.csv"]
    assert member["archive"] == "kiriman_wa.zip" and member["sheets"][0]["rows_accepted"] == 3
    assert len(p.contacts) == 3 and len(p.urine_tests) == 3 and len(p.events) == 3


def test_data_row_is_never_the_header(corpus_run):
    _, _, files, _, _, _ = corpus_run
    (s,) = files["tanpa_judul_kolom.csv"]["sheets"]
    assert s["header_row"] == 1 and s["rows_unassigned"] == 2
    assert s["headers"] == ["Identitas Klien", "Lokasi Layanan", "Status Akhir"]


def test_file_and_sheet_names_holding_identity_are_masked(corpus_run):
    _, _, files, _, _, _ = corpus_run
    named = [p for p in files if p.startswith("hasil ")]
    assert named == ["hasil <nama> ************0090.csv"]
    sheets = _sheets(files, "catatan_petugas.xlsx")
    assert set(sheets) == {"Catatan", "<nama>"}
    assert sheets["Catatan"]["headers"] == [] and sheets["<nama>"]["rows_accepted"] == 1


def test_no_identity_in_any_output_or_log(corpus_run):
    corpus, result, _, _, root, lines = corpus_run
    texts = [result.summary(), json.dumps(result.manifest), *lines]
    for path in (root / "out").rglob("*"):
        if path.suffix == ".parquet":
            texts.append(pd.read_parquet(path).astype(str).to_csv())
        elif path.is_file():
            texts.append(path.read_text("utf-8-sig"))
    blob = "\n".join(texts)
    assert corpus.niks and corpus.names and corpus.emails
    for ident in [*corpus.niks, *corpus.names, *corpus.emails]:
        assert ident not in blob, ident


def test_client_who_moved_from_lapas_to_bapas(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    c = etl_corpus.Corpus(raw)
    nik, name = c.person(5)
    other, other_name = c.person(6)
    head = "NIK;Nama;UPT;Program;Tgl Mulai;Tgl Selesai\n"
    (raw / "lapas.csv").write_text(
        head
        + f"{nik};{name};Lapas Narkotika Kelas IIA Jakarta;Rehabilitasi Sosial;1/1/2024;31/5/2024\n"
        + f"{other};{other_name};Lapas Narkotika Kelas IIA Jakarta;Rehabilitasi Sosial;1/1/2024;31/5/2024\n",
        "utf-8",
    )
    (raw / "bapas.csv").write_text(
        head
        + f"{nik};{name};Bapas Kelas I Jakarta Pusat;Pascarehabilitasi;10/6/2024;10/12/2024\n"
        + f"{nik};{name};Bapas Kelas I Jakarta Pusat;Pascarehabilitasi;10/6/2024;10/12/2024\n",
        "utf-8",
    )
    head_k = "NIK;Nama;JK;Tgl Lahir;Tgl Bebas;UPT\n"
    (raw / "klien_lapas.csv").write_text(
        head_k + f"{nik};{name};L;1/1/1990;1/6/2024;Lapas Narkotika Kelas IIA Jakarta\n", "utf-8"
    )
    (raw / "klien_bapas.csv").write_text(
        head_k + f"{nik};{name};L;1/1/1990;1/6/2024;Bapas Kelas I Jakarta Pusat\n", "utf-8"
    )
    result = run_etl(raw, tmp_path / "out", secret="etl-test-key-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8", as_of=AS_OF)
    p = load_processed(tmp_path / "out")
    assert p.rejects.empty
    assert len(p.clients) == 2  # one row per client
    cid = p.enrollments.groupby("client_id")["facility"].nunique()
    assert sorted(cid.tolist()) == [1, 2]  # the mover keeps one enrollment per facility
    assert result.manifest["totals"]["clients_moved"] == 1
    assert result.manifest["totals"]["rows_duplicate"] == 1  # the row repeated in bapas.csv
    assert "moved): 1" in result.summary()
