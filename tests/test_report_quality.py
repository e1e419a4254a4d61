"""The data-quality report: section builders on a hand-made ETL output (counts, reasons in
words, the trend over earlier versions, the workbooks), and the notebook rendered on the demo
data with a scan of every output for the demo's identities."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from rehab_eval.quality import explain
from rehab_eval.reports import run_report, sections
from rehab_eval.reports.sections.quality import earlier_manifests
from test_notebooks import NOTEBOOKS, _html_text, _texts_of  # the demo fixture is in conftest

NIK = "3374012345678901"


def _manifest(run_time, semarang=(10, 7, 2, 1), rejects=None):
    read, accepted, rejected, dup = semarang
    return {
        "run_time": run_time,
        "as_of": run_time[:10],
        "files": [
            {
                "path": "bapas_semarang/klien_2024.xlsx",
                "sheets": [
                    {
                        "sheet": "Klien",
                        "table": "clients",
                        "rows_read": read,
                        "rows_accepted": accepted,
                        "rows_rejected": rejected,
                        "rows_duplicate": dup,
                        "cells_rejected": 1,
                    }
                ],
            },
            {
                "path": "ibm_rejosari/ibm_rejosari_2025.xlsx",
                "sheets": [
                    {
                        "sheet": "Peserta",
                        "table": "clients",
                        "rows_read": 20,
                        "rows_accepted": 19,
                        "rows_rejected": 1,
                        "rows_duplicate": 0,
                        "cells_rejected": 0,
                    },
                    {"sheet": "Petunjuk", "table": None},
                ],
            },
        ],
        "rejects": {"by_reason": rejects or {"nik unrecoverable": 2, "unparseable date": 1}},
    }


def _version(root, name, manifest, rejects_csv=None):
    folder = root / ".processed.versions" / name
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    if rejects_csv is not None:
        (folder / "rejects.csv").write_text(rejects_csv)
    return folder


@pytest.fixture
def processed(tmp_path):
    """A versioned ETL output: two earlier runs and the published one."""
    rejects = (
        "source_file,sheet,source_row,column,value,reason\n"
        f"bapas_semarang/klien_2024.xlsx,Klien,4,NIK,{NIK[:15]}E+15,nik unrecoverable\n"
        f"bapas_semarang/klien_2024.xlsx,Klien,7,NIK,{NIK},nik unrecoverable\n"
        "ibm_rejosari/ibm_rejosari_2025.xlsx,Peserta,3,Tgl Lahir,31/02/1990,unparseable date\n"
    )
    _version(
        tmp_path,
        "20250101T000000000000Z-aaaaaaaa",
        _manifest("2025-01-01T00:00:00+00:00", (10, 4, 5, 1)),
    )
    _version(
        tmp_path,
        "20250201T000000000000Z-bbbbbbbb",
        _manifest("2025-02-01T00:00:00+00:00", (10, 6, 3, 1)),
    )
    current = _version(
        tmp_path, "20250301T000000000000Z-cccccccc", _manifest("2025-03-01T00:00:00+00:00"), rejects
    )
    (tmp_path / ".processed.versions" / ".tmp-crashed").mkdir()
    link = tmp_path / "processed"
    link.symlink_to(current.relative_to(tmp_path))
    return link


def test_earlier_versions_are_the_history_oldest_first(processed, tmp_path):
    found = earlier_manifests(processed)
    assert [p.parent.name[:8] for p in found] == ["20250101", "20250201"]
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "manifest.json").write_text(json.dumps(_manifest("2025-03-01T00:00:00+00:00")))
    assert earlier_manifests(plain) == []
    # the version folder itself (a path whose link was resolved): the versions before it
    assert [p.parent.name[:8] for p in earlier_manifests(processed.resolve())] == [
        "20250101",
        "20250201",
    ]
    older = tmp_path / ".processed.versions" / "20250201T000000000000Z-bbbbbbbb"
    assert [p.parent.name[:8] for p in earlier_manifests(older)] == ["20250101"]


def test_sections_count_rows_per_facility_and_explain_each_reason(processed):
    ctx = sections.quality_context(processed)
    fac = sections.quality_facilities_section(ctx)
    frame = fac.tables()["per_facility"].set_index("UPT")
    semarang = frame.loc["Bapas Kelas I Semarang"]
    assert (
        semarang["Baris dibaca"],
        semarang["Diterima"],
        semarang["Ditolak"],
        semarang["Ganda (dibuang)"],
    ) == ("10", "7", "2", "1")
    assert semarang["% ditolak"] == "20,0%"
    assert fac.summary["rows_read"] == "30" and fac.summary["rows_rejected"] == "3"
    assert fac.values["share_rejected"] == pytest.approx(3 / 30)
    assert not [i for i in fac.items if isinstance(i, str)]  # every row in its file's facility
    # the highest share first: Semarang 20 % against Rejosari 5 %
    assert fac.key_points[0].startswith(
        "Persentase baris ditolak tertinggi: Bapas Kelas I Semarang, 2 dari 10"
    )
    files = sections.quality_files_section(ctx).tables()["per_file"]
    assert list(files["Lembar"]) == ["Klien", "Peserta"]  # the instruction sheet is no data
    reasons = sections.quality_reasons_section(ctx)
    table = reasons.tables()["reasons"]
    text, hint = explain("nik unrecoverable", "id")
    assert list(table.iloc[0]) == [text, "2", hint]
    assert "NIK harus 16 digit dan disimpan sebagai teks" in hint
    per_fac = reasons.tables()["reasons_per_facility"]
    assert set(per_fac["UPT"]) == {"Bapas Kelas I Semarang", "Kelurahan Rejosari"}
    # no value of a rejected cell anywhere in what the report shows
    shown = json.dumps(
        [f.to_dict() for s in (fac, reasons) for f in s.tables().values()], ensure_ascii=False
    )
    assert NIK[:10] not in shown and "31/02/1990" not in shown


def test_trend_covers_every_stored_run(processed):
    ctx = sections.quality_context(processed, lang="en")
    trend = sections.quality_trend_section(ctx)
    assert trend.no_data is None
    assert trend.values["share_rejected_by_run"] == pytest.approx([6 / 30, 4 / 30, 3 / 30])
    assert [f.key for f in trend.figures()] == ["trend"]
    assert trend.key_points[0].startswith("Rows rejected: 20.0% in the run of 1 January 2025")
    plain = shutil.copytree(processed.resolve(), processed.parent / "plain")  # no history
    single = sections.quality_context(plain)
    assert sections.quality_trend_section(single).no_data.startswith("Baru ada satu pengolahan")


def test_fix_workbooks_are_written_per_facility_with_masked_values(processed, tmp_path):
    from openpyxl import load_workbook

    ctx = sections.quality_context(processed)
    out = tmp_path / "run"
    section = sections.fix_workbooks_section(ctx, out)
    assert section.summary["fix_workbooks"] == [
        "perbaikan/bapas-kelas-i-semarang.xlsx",
        "perbaikan/kelurahan-rejosari.xlsx",
    ]
    frame = section.tables()["workbooks"]
    assert list(frame["Baris/sel perlu diperbaiki"]) == ["2", "1"]
    cells = [
        str(c.value)
        for name in section.summary["fix_workbooks"]
        for ws in load_workbook(out / name).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert not any(re.search(r"\d{16}", c) for c in cells)
    assert any("NIK harus 16 digit" in c for c in cells)
    assert sections.fix_workbooks_section(ctx, None).summary["fix_workbooks"] == []


def test_summary_has_three_key_points_and_the_policy(processed):
    ctx = sections.quality_context(processed)
    parts = [
        sections.quality_facilities_section(ctx),
        sections.quality_reasons_section(ctx),
        sections.quality_trend_section(ctx),
    ]
    closing = sections.quality_summary(ctx, *parts)
    assert 3 <= len(closing.key_points) <= 5
    assert (
        closing.key_points[-1]
        == "2 UPT mendapat buku kerja berisi 3 baris atau sel yang perlu diperbaiki di berkas asal."
    )
    assert closing.definitions[-1] == ctx.disclosure.short_form("id")


# --------------------------------------------------------------------------- the rendering


@pytest.mark.slow
def test_data_quality_renders_with_history_workbooks_and_no_identity(demo):
    from openpyxl import load_workbook

    processed = demo["processed"]
    # an earlier ETL run kept beside the published one (same layout as rehab_eval.etl.versions)
    current = processed.resolve()
    earlier = current.parent / "20200101T000000000000Z-00000000"
    if not earlier.exists():
        earlier.mkdir()
        manifest = json.loads((current / "manifest.json").read_text())
        manifest["run_time"] = "2020-01-01T00:00:00+00:00"
        (earlier / "manifest.json").write_text(json.dumps(manifest))
    try:
        run = run_report(
            "data_quality",
            {"processed_dir": str(processed), "raw_dir": str(demo["root"] / "raw")},
            out=demo["root"] / "reports-quality",
            notebooks_dir=NOTEBOOKS,
        )
    finally:
        shutil.rmtree(earlier, ignore_errors=True)
    assert run.status == "ok"
    record = json.loads((run.run_dir / "publish.json").read_text())
    assert [f["key"] for f in record["figures"]] == ["rejected_by_facility", "reasons", "trend"]
    assert run.summary["runs"] == "2"
    total = json.loads((current / "manifest.json").read_text())["totals"]
    assert run.summary["rows_read"] == f"{total['rows_read']:,}".replace(",", ".")
    assert run.summary["rows_rejected"] == str(total["rows_rejected"])
    books = run.summary["fix_workbooks"]
    assert books and all((run.run_dir / b).is_file() for b in books)
    text = _html_text(run.html)
    assert "Cara memperbaiki" in text and "Section(" not in text
    # the province's combined files are one line; their rows' reasons go to each facility
    assert "berkas gabungan (misalnya kanwil_sumsel)" in text
    # no identity in any output: HTML, JSON, notebook, SVG, deck, and the workbooks
    identities = demo["truth"]["identities"]
    niks = set(identities["niks"])
    phrases = {
        str(n).strip().lower()
        for n in [*identities["register_nos"], *identities["names"]]
        if " " in str(n).strip() or "/" in str(n)
    }
    texts = _texts_of(run.run_dir)
    for b in books:
        texts[b] = " ".join(
            str(c.value)
            for ws in load_workbook(run.run_dir / b).worksheets
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        )
    assert len(texts) > 10
    for where, content in texts.items():
        assert not niks & set(re.findall(r"\d{16}", content)), where
        lowered = content.lower()
        found = [p for p in phrases if p in lowered]
        assert found == [], f"{where}: {len(found)} identifier(s) found"


# --------------------------------------------------------------------------- the notebook file


def check_thin_notebook(name):
    """Stored without outputs, parameters first (audience publik), within the line budget,
    no number formatted in the notebook, and the spec declaring exactly its parameters."""
    import ast

    import nbformat
    import papermill as pm

    from rehab_eval.reports import params
    from test_notebooks import LINE_BUDGET, _code_lines

    nb = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert re.search(r'^audience = "publik"', code[0].source, flags=re.M)
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert sum(_code_lines(c) for c in code) <= LINE_BUDGET
    for cell in code[1:]:
        for banned in ("format_", "privacy.", ".round(", "def ", "lambda"):
            assert banned not in cell.source, (banned, cell.source[:80])
    inferred = pm.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    spec = params.load_spec(name)
    assert set(inferred) == set(spec.parameters)
    resolved = params.validate(spec, {"processed_dir": str(NOTEBOOKS)})
    for pname, info in inferred.items():
        if pname not in ("processed_dir", "output_dir", "targets"):
            assert resolved[pname] == ast.literal_eval(info["default"]), pname


def test_data_quality_notebook_is_thin_and_matches_its_spec():
    check_thin_notebook("data_quality")


def test_trend_per_facility_over_the_runs(processed):
    ctx = sections.quality_context(processed)
    table = sections.quality_trend_section(ctx).tables()["trend_per_facility"].set_index("UPT")
    assert list(table.columns) == ["1. 1 Januari 2025", "2. 1 Februari 2025", "3. 1 Maret 2025"]
    assert list(table.loc["Bapas Kelas I Semarang"]) == [
        "5 / 10 (50,0%)",
        "3 / 10 (30,0%)",
        "2 / 10 (20,0%)",
    ]
    assert table.loc["Kelurahan Rejosari"].iloc[-1] == "1 / 20 (5,0%)"
