"""The data-entry template: what the workbook really holds, read back with openpyxl.

Drop-downs, text formats, date validations and frozen headers are read from the saved file;
headers are checked against the ETL's own header recognition; a temporary instrument
declaration gets its sheet without any code change.
"""

from __future__ import annotations

import shutil
import warnings
from importlib.resources import files

import pytest
from openpyxl import load_workbook

from rehab_eval import vocab
from rehab_eval.errors import ConfigError
from rehab_eval.etl.headers import load_aliases, map_headers, recognise_table
from rehab_eval.etl.parse import norm_value, value_table
from rehab_eval.instruments import get_instrument, registry
from rehab_eval.template import build_template, template_spec, write_template


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = write_template(tmp_path_factory.mktemp("template") / "templat.xlsx")
    return load_workbook(path), template_spec()


def _range_values(wb, ref: str) -> list:
    sheet, cells = ref.rsplit("!", 1)
    ws = wb[sheet.strip("'").replace("''", "'")]
    return [c[0].value for c in ws[cells.replace("$", "")]]


def test_sheets_in_order_with_instructions_first_and_lists_hidden(saved):
    wb, specs = saved
    assert wb.sheetnames == ["Petunjuk", *[s.name for s in specs], "Daftar Pilihan"]
    assert [s.name for s in specs] == [
        "Klien", "Program", "WHOQOL-BREF", "URICA", "ASSIST", "Kegiatan", "Tes Urine",
        "Residivisme",
    ]  # fmt: skip
    assert wb["Daftar Pilihan"].sheet_state == "hidden"
    assert all(wb[s.name].sheet_state == "visible" for s in specs)


def test_validations_and_formats_are_really_in_the_file(saved):
    wb, specs = saved
    for spec in specs:
        ws = wb[spec.name]
        assert [c.value for c in ws[1]] == [c.header for c in spec.columns]
        n_ids = sum(c.kind == "id" for c in spec.columns)
        assert ws.freeze_panes == f"{'ABC'[n_ids]}2"  # header row and the identity columns
        by_col = {}
        for dv in ws.data_validations.dataValidation:
            for rng in str(dv.sqref).split():
                by_col[rng.split(":")[0].rstrip("0123456789")] = (dv, rng)
        for j, c in enumerate(spec.columns, start=1):
            letter = ws.cell(1, j).column_letter
            dv, rng = by_col[letter]
            assert rng == f"{letter}2:{letter}1048576"
            assert dv.prompt and dv.showInputMessage  # how to fill, on every column
            fmt = ws.column_dimensions[letter].number_format
            if c.kind == "id":
                assert fmt == "@", (spec.name, c.header)  # NIK, register number: Text
            if c.field == "nik":
                assert (dv.type, dv.operator, dv.formula1) == ("textLength", "equal", "16")
            if c.kind == "date":
                assert fmt == "DD/MM/YYYY"
                assert (dv.type, dv.formula1, dv.formula2) == (
                    "date",
                    "DATE(1900,1,1)",
                    "DATE(2100,12,31)",
                )
            if c.kind == "count":
                assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
            if c.choices:
                assert dv.type == "list" and dv.showErrorMessage
                assert _range_values(wb, dv.formula1) == list(c.choices)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_drop_downs_offer_the_declared_vocabularies(lang):
    specs = template_spec(lang=lang)
    cols = {(s.instrument or s.table, c.field): c for s in specs for c in s.columns}
    expect = {
        ("clients", "sex"): ("sex", vocab.SEXES),
        ("enrollments", "program"): ("program", vocab.PROGRAMS),
        ("enrollments", "level"): ("level", vocab.LEVELS),
        ("enrollments", "status"): ("status", vocab.STATUSES),
        ("whoqol_bref", "timepoint"): ("timepoint", vocab.TIMEPOINTS),
        ("contacts", "contact_kind"): ("contact_kind", vocab.CONTACT_KINDS),
        ("contacts", "attended"): ("attended", ("true", "false")),
        ("urine_tests", "urine_result"): ("urine_result", vocab.URINE_RESULTS),
        ("urine_tests", "panel_coc"): ("panel", ("negative", "positive")),
        ("events", "event_kind"): ("event_kind", vocab.EVENT_KINDS),
    }
    for key, (kind, codes) in expect.items():
        table = value_table(kind)
        read = [table.get(v.lower(), table.get(norm_value(v))) for v in cols[key].choices]
        assert read == list(codes), key  # one entry per code, each read by the ETL as it
    sexes = {"id": ("Laki-laki", "Perempuan"), "en": ("Male", "Female")}
    assert cols[("clients", "sex")].choices == sexes[lang]
    # answers: the declared answer set of each item
    for name in ("whoqol_bref", "urica", "assist"):
        inst = get_instrument(name)
        for col in inst.item_columns:
            item = col.rsplit("_", 1)[-1]
            assert [float(v) for v in cols[(name, col)].choices] == list(inst.allowed[item])


def test_headers_are_recognised_by_the_etl_as_the_intended_fields():
    aliases = load_aliases()
    for lang in ("id", "en"):
        for spec in template_spec(lang=lang):
            hmap = map_headers([c.header for c in spec.columns], aliases)
            assert recognise_table(hmap).table == spec.table, (lang, spec.name)
            assert [hmap.fields.get(j) for j in range(len(spec.columns))] == [
                c.field for c in spec.columns
            ]
            assert not hmap.unused and not hmap.duplicates


def test_english_workbook():
    specs = template_spec(lang="en")
    assert [s.name for s in specs][:2] == ["Clients", "Programmes"]
    cols = {c.field: c for c in specs[0].columns}
    assert cols["sex"].choices == ("Male", "Female")
    assert cols["birth_date"].header == "Date of Birth"
    wb = build_template(lang="en", sheets=["clients"])
    assert wb.sheetnames == ["Instructions", "Clients", "Lists"]


def test_options_facility_instruments_sheets():
    specs = template_spec(facility="BAPAS SEMARANG", instruments=["URICA"], sheets=None)
    names = [s.name for s in specs]
    assert "URICA" in names and "WHOQOL-BREF" not in names and "ASSIST" not in names
    fac = {c.choices for s in specs for c in s.columns if c.field == "facility"}
    assert fac == {("Bapas Kelas I Semarang",)}  # the canonical name of the office
    only = template_spec(sheets=["clients", "Tes Urine"])
    assert [s.table for s in only] == ["clients", "urine_tests"]
    with pytest.raises(ConfigError, match="tidak dikenal"):
        template_spec(sheets=["lembar lain"])
    with pytest.raises(ConfigError):
        template_spec(lang="fr")


def test_instruction_sheet_explains_every_column_one_cell_per_row(saved):
    wb, specs = saved
    ws = wb["Petunjuk"]
    lines = []
    for row in ws.iter_rows(values_only=True):
        cells = [v for v in row if v not in (None, "")]
        assert len(cells) <= 1  # so that the ETL never finds a header row here
        lines += [str(c) for c in cells]
    text = "\n".join(lines)
    for spec in specs:
        assert f"«{spec.name}»" in text
        for c in spec.columns:
            if c.kind != "answer":
                assert c.header in lines
        answers = [c.header for c in spec.columns if c.kind == "answer"]
        if answers:
            assert answers[0] in text and answers[-1] in text
    assert "P1 … P26" in lines  # WHOQOL-BREF answers, grouped
    assert "Jawaban: salah satu angka 1, 2, 3, 4, 5, seperti pada formulir." in lines
    assert any(
        line.startswith("Jawaban juga terbaca bila ditulis dengan kata: 1 = sangat")
        for line in lines
    )
    assert "Contoh: 3374010101900001" in text
    assert text.count("Contoh baris:") == len(specs)
    assert "None" not in text


def test_empty_template_reads_cleanly(tmp_path, monkeypatch):
    from rehab_eval.etl import run_etl

    raw = tmp_path / "raw"
    write_template(raw / "templat.xlsx", facility="Bapas Kelas I Semarang")
    monkeypatch.setenv("REHAB_EVAL_SECRET", "test-secret-template-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no data-quality warning about the help or list sheet
        result = run_etl(raw, tmp_path / "out")
    sheets = result.manifest["files"][0]["sheets"]
    assert {s["sheet"]: s["table"] for s in sheets} == {
        "Petunjuk": None, "Klien": "clients", "Program": "enrollments",
        "WHOQOL-BREF": "assessments", "URICA": "assessments", "ASSIST": "assessments",
        "Kegiatan": "contacts", "Tes Urine": "urine_tests", "Residivisme": "events",
        "Daftar Pilihan": None,
    }  # fmt: skip
    assert result.manifest["totals"]["rows_read"] == 0
    assert not result.rejects_by_reason


NEW_INSTRUMENT = """
name = "k6_uji"
title = "Kessler K6 (uji)"
citation = "Kessler RC et al. (2002). Psychological Medicine 32:959-976."
n_items = 6
allowed = [0, 1, 2, 3, 4]
default_profile = "all"

[[scales]]
name = "distress"
items = ["q1", "q2", "q3", "q4", "q5", "q6"]

[[outputs]]
column = "{scale}"
of = "sum"

[profiles.all]
min_answered = { distress = 6 }
"""


@pytest.fixture
def temporary_declaration(tmp_path, monkeypatch):
    """The packaged declarations plus one new questionnaire, seen by the registry."""
    folder = tmp_path / "declarations"
    shutil.copytree(files("rehab_eval.instruments") / "declarations", folder)
    (folder / "k6_uji.toml").write_text(NEW_INSTRUMENT, encoding="utf-8")
    real = registry.files

    class _Root:
        def __truediv__(self, name):
            return folder if name == "declarations" else real("rehab_eval.instruments") / name

    monkeypatch.setattr(registry, "files", lambda package: _Root())
    registry._declarations.cache_clear()
    yield
    monkeypatch.undo()
    registry._declarations.cache_clear()


def test_a_new_declaration_gets_its_sheet(temporary_declaration, tmp_path):
    specs = template_spec()
    (sheet,) = [s for s in specs if s.instrument == "k6_uji"]
    assert sheet.name == "Kessler K6 (uji)"  # no display label yet: the declared title
    items = [c for c in sheet.columns if c.kind == "answer"]
    assert [c.header for c in items] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert all(c.choices == (0, 1, 2, 3, 4) for c in items)
    wb = load_workbook(write_template(tmp_path / "t.xlsx"))
    ws = wb["Kessler K6 (uji)"]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert any(_range_values(wb, dv.formula1) == [0, 1, 2, 3, 4] for dv in lists)


def test_cli_options_and_messages(tmp_path, capsys):
    from rehab_eval.cli import main

    out = tmp_path / "entry.xlsx"
    args = ["template", "--out", str(out), "--lang", "en", "--sheets", "clients,urine_tests"]
    assert main([*args, "--facility", "Bapas Kelas II Entah"]) == 0
    said = capsys.readouterr().out
    assert "facility 'Bapas Kelas II Entah' is not in the ETL's facility list" in said
    wb = load_workbook(out)
    assert wb.sheetnames == ["Instructions", "Clients", "Urine Tests", "Lists"]
    assert main(["template", "--out", str(out), "--sheets", "lembar lain"]) == 2
    assert "lembar 'lembar lain' tidak dikenal" in capsys.readouterr().err
