"""Round trip: the data-entry template, filled as an office would, read back by the ETL.

The workbook comes from ``rehab-eval template``; the test fills it with openpyxl (realistic
rows that use every drop-down value, plus one deliberately bad value in each validated
column, each on its own row), runs ``rehab-eval etl`` and checks that exactly the planted
rejects come out (file, sheet, row, column, reason) and every other row is accepted. The
same holds after LibreOffice opens and re-saves the workbook, when ``soffice`` is installed.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from rehab_eval import vocab
from rehab_eval.cli import main
from rehab_eval.template import template_spec

AS_OF = "2025-06-30"
D = dt.date


def _nik(day: int, month: int, year: int, serial: int, female: bool = False) -> str:
    return f"337401{day + 40 * female:02d}{month:02d}{year % 100:02d}{serial:04d}"


# clients: NIK, register number (register-only rows on other sheets find the NIK through it)
C = {
    1: (_nik(12, 1, 1990, 1), "REG-001"),
    2: (_nik(15, 3, 1988, 2, female=True), "REG-002"),
    3: (_nik(7, 7, 1995, 3), "REG-003"),
    4: (_nik(4, 10, 1992, 4, female=True), "REG-004"),
    5: (_nik(20, 2, 1991, 5), "REG-005"),
    6: (_nik(1, 6, 1985, 6), "REG-006"),
    7: (_nik(9, 9, 1999, 7), "REG-007"),
    8: (_nik(3, 3, 1993, 8), "REG-008"),
    9: (_nik(28, 2, 1980, 9), "REG-009"),
    10: (_nik(30, 11, 1987, 10), "REG-010"),
}
OFFICE = "Bapas Kelas I Semarang"


def _who(seed: int) -> dict[str, int]:
    return {f"q{i}": 1 + (i * 7 + seed) % 5 for i in range(1, 27)}


def _urica(seed: int) -> dict[str, int]:
    return {f"q{i}": 1 + (i * 3 + seed) % 5 for i in range(1, 33)}


def _assist(primary: str) -> dict[str, int]:
    out = {}
    for s in vocab.SUBSTANCES:
        used = s in (primary, "tobacco")
        out.update(
            {
                f"{s}_q1": 3 if used else 0,
                f"{s}_q2": 4 if used else 0,
                f"{s}_q3": 3 if used else 0,
                f"{s}_q4": 0,
                f"{s}_q5": 5 if used and s != "tobacco" else 0,
                f"{s}_q6": 3 if used else 0,
                f"{s}_q7": 0,
            }
        )
    return out


def _id(k: int, *, nik: bool = True, reg: bool = True) -> dict[str, str]:
    n, r = C[k]
    return {**({"nik": n} if nik else {}), **({"register_no": r} if reg else {})}


def _plan(choices: dict[tuple[str, str], tuple]) -> dict[str, list[dict]]:
    """Rows per table (field → value; ``_bad``: (field, reason, whole row?)) and the rejects
    they must produce. ``choices`` maps (table, field) to the drop-down values."""
    ch = choices
    programs, levels, statuses = (ch[("enrollments", f)] for f in ("program", "level", "status"))
    rows: dict[str, list[dict]] = {t: [] for t in ("clients", "enrollments", "contacts")}
    rows.update({"urine_tests": [], "events": [], "whoqol_bref": [], "urica": [], "assist": []})
    sexes = ch[("clients", "sex")]
    for k in (1, 2, 3, 4):
        rows["clients"].append(
            {
                **_id(k),
                "name": f"Klien Uji {k}",
                "sex": sexes[(k + 1) % 2],
                "birth_date": D(1990, 1, k),
                "facility": OFFICE,
                "province": "Jawa Tengah",
                "release_date": D(2024, 2, k),
                "prior_offences": k % 3,
            }
        )
    good = {"sex": sexes[0], "birth_date": D(1990, 5, 5), "facility": OFFICE}
    rows["clients"] += [
        {**good, "nik": int(C[5][0]), "register_no": C[5][1],
         "_bad": ("nik", "nik unrecoverable", True)},
        {**good, **_id(6), "sex": "X", "_bad": ("sex", "unparseable value", False)},
        {**good, **_id(7), "birth_date": "31/02/1990",
         "_bad": ("birth_date", "unparseable date", False)},
        # an office the ETL does not know is kept as written and listed, never rejected
        {**good, **_id(8), "facility": "Kantor Entah Berantah"},
        {**good, **_id(9), "release_date": "kemarin",
         "_bad": ("release_date", "unparseable date", False)},
        {**good, **_id(10), "prior_offences": "dua",
         "_bad": ("prior_offences", "unparseable value", False)},
    ]  # fmt: skip
    for i, prog in enumerate(programs):  # every programme, level and status the list offers
        k = 1 + i % 4
        rows["enrollments"].append(
            {
                **_id(k, nik=i % 2 == 0),
                "facility": OFFICE,
                "program": prog,
                "level": levels[i % len(levels)],
                "cohort": f"Angkatan {i + 1}",
                "start_date": D(2024, 1 + i, 10),
                "end_date": D(2024, 7 + i, 10),
                "status": statuses[i % len(statuses)],
            }
        )
    base = {
        "facility": OFFICE,
        "program": programs[0],
        "level": levels[0],
        "start_date": D(2023, 3, 1),
        "end_date": D(2023, 9, 1),
        "status": statuses[1],
    }
    rows["enrollments"] += [
        {**base, **_id(1), "status": statuses[-1], "cohort": "X1"},
        {**base, **_id(2), "level": levels[1], "cohort": "X2"},
        {**base, **_id(1), "program": "Rehab Kilat",
         "_bad": ("program", "unparseable value", False)},
        {**base, **_id(2), "level": "Parah", "_bad": ("level", "unparseable value", False)},
        {**base, **_id(3), "start_date": "45/13/2024",
         "_bad": ("start_date", "unparseable date", False)},
        {**base, **_id(4), "end_date": "belum", "_bad": ("end_date", "unparseable date", False)},
        {**base, **_id(4, nik=False), "status": "Lanjut",
         "_bad": ("status", "unparseable value", False)},
    ]  # fmt: skip
    tps = ch[("assessments", "timepoint")]
    inst = ch[("whoqol_bref", "instrument")][0]
    rows.update(whoqol_bref=[], urica=[], assist=[])
    for i, tp in enumerate(tps):  # client 1 at every timepoint, client 2 before and after
        rows["whoqol_bref"].append(
            {**_id(1, reg=i % 2 == 0), "instrument": inst if i % 3 == 0 else None,
             "timepoint": tp, "date": D(2024, 1, 1) + dt.timedelta(days=30 * i), **_who(i)}
        )  # fmt: skip
    rows["whoqol_bref"] += [
        {**_id(2, nik=False), "timepoint": tps[0], "date": D(2024, 2, 1), **_who(20)},
        {**_id(2), "timepoint": tps[-4], "date": D(2024, 8, 1), **_who(21)},
    ]
    rows["urica"] = [
        {**_id(1), "timepoint": tps[0], "date": D(2024, 2, 1), **_urica(1)},
        {**_id(1), "timepoint": tps[-4], "date": D(2024, 8, 1), **_urica(2)},
    ]
    rows["assist"] = [{**_id(1), "timepoint": tps[0], "date": D(2024, 1, 15), **_assist("ats")}]
    answers = {"whoqol_bref": _who, "urica": _urica, "assist": lambda i: _assist("cannabis")}
    wrong = {"whoqol_bref": ("q5", 6), "urica": ("q7", 9), "assist": ("alcohol_q2", 5)}
    for key, make in answers.items():
        item, value = wrong[key]
        rows[key] += [
            {**_id(3), "instrument": "Kuesioner X", "timepoint": tps[0], "date": D(2024, 2, 2),
             **make(22), "_bad": ("instrument", "unparseable value", False)},
            # a timepoint the ETL cannot read leaves the row without one: rejected whole
            {**_id(3), "timepoint": "Awal program", "date": D(2024, 8, 2), **make(23),
             "_bad": ("timepoint", "missing required value", True)},
            {**_id(4), "timepoint": tps[0], "date": "13/13/2024", **make(24),
             "_bad": ("date", "unparseable date", False)},
            {**_id(4), "timepoint": tps[-4], "date": D(2024, 8, 3), **make(25), item: value,
             "_bad": (item, "out of range", False)},
        ]  # fmt: skip
    kinds, attended = ch[("contacts", "contact_kind")], ch[("contacts", "attended")]
    for i, kind in enumerate(kinds):
        rows["contacts"].append(
            {**_id(1 + i % 4, nik=i % 2 == 1), "date": D(2024, 3, 1 + i), "contact_kind": kind,
             "attended": attended[i % 2]}
        )  # fmt: skip
    rows["contacts"] += [
        {**_id(1), "date": D(2024, 4, 1), "contact_kind": kinds[0], "attended": attended[1]},
        {**_id(3), "date": "kemarin", "contact_kind": kinds[0], "attended": attended[0],
         "_bad": ("date", "unparseable date", True)},
        {**_id(4), "date": D(2024, 4, 2), "contact_kind": "Arisan", "attended": attended[0],
         "_bad": ("contact_kind", "unparseable value", False)},
        {**_id(1), "date": D(2024, 4, 3), "contact_kind": kinds[1], "attended": "mungkin",
         "_bad": ("attended", "unparseable value", False)},
    ]  # fmt: skip
    results, panel = ch[("urine_tests", "urine_result")], ch[("urine_tests", "panel_met")]
    neg, pos = panel
    for i, res in enumerate(results):
        rows["urine_tests"].append(
            {**_id(1 + i % 4), "date": D(2024, 5, 1 + i), "urine_result": res,
             "panel_met": pos if res == results[1] else neg, "panel_thc": neg}
        )  # fmt: skip
    rows["urine_tests"] += [
        {**_id(3), "date": "32/05/2024", "urine_result": results[0],
         "_bad": ("date", "unparseable date", True)},
        {**_id(4), "date": D(2024, 6, 1), "urine_result": "Samar",
         "_bad": ("urine_result", "unparseable value", False)},
    ]  # fmt: skip
    rows["urine_tests"] += [
        {**_id(1), "date": D(2024, 6, 2 + i), "urine_result": results[0], f"panel_{p}": "?",
         "_bad": (f"panel_{p}", "unparseable value", False)}
        for i, p in enumerate(vocab.URINE_PANEL)
    ]  # fmt: skip
    kinds = ch[("events", "event_kind")]
    for i, kind in enumerate(kinds):
        rows["events"].append({**_id(1 + i % 4), "date": D(2025, 1, 1 + i), "event_kind": kind})
    rows["events"] += [
        {**_id(2), "date": "kemarin", "event_kind": kinds[0],
         "_bad": ("date", "unparseable date", True)},
        {**_id(3), "date": D(2025, 2, 1), "event_kind": "Hilang",
         "_bad": ("event_kind", "unparseable value", False)},
    ]  # fmt: skip
    # on every sheet, a NIK typed as a number (Excel keeps 15 significant digits): the row
    # cannot be tied to its client and is rejected whole
    for key, data in rows.items():
        if key != "clients":
            row = dict(data[0])
            row.update(nik=int(C[5][0]), register_no="", _bad=("nik", "nik unrecoverable", True))
            data.append(row)
    return rows


def _sheet_key(sheet) -> str:
    return sheet.instrument or sheet.table


def fill(template: Path, out: Path, lang: str = "id") -> tuple[list[tuple], dict[str, int]]:
    """Fill ``template`` into ``out``; returns the expected rejects (sheet, row, header,
    reason, whole) and the number of rows written per sheet."""
    specs = template_spec(lang=lang)
    choices = {(_sheet_key(s), c.field): c.choices for s in specs for c in s.columns}
    choices.update({("assessments", "timepoint"): choices[("whoqol_bref", "timepoint")]})
    rows = _plan(choices)
    wb = load_workbook(template)
    expected: list[tuple] = []
    written: dict[str, int] = {}
    for spec in specs:
        ws = wb[spec.name]
        col = {c.field: j for j, c in enumerate(spec.columns, start=1)}
        head = {c.field: c.header for c in spec.columns}
        data = rows[_sheet_key(spec)]
        for i, r in enumerate(data, start=2):
            for f, v in r.items():
                if f != "_bad" and v is not None:
                    ws.cell(i, col[f], v)
            if "_bad" in r:
                f, reason, whole = r["_bad"]
                expected.append((spec.name, i, head[f], reason, whole))
        written[spec.name] = len(data)
    wb.save(out)
    return expected, written


def _run_etl(raw: Path, out: Path, monkeypatch) -> tuple[dict, pd.DataFrame]:
    monkeypatch.setenv("REHAB_EVAL_SECRET", "test-secret-template-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8")
    assert main(["etl", "--raw", str(raw), "--out", str(out), "--as-of", AS_OF]) == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    rejects = pd.read_csv(out / "rejects.csv", dtype=str, keep_default_na=False)
    return manifest, rejects


def _check(manifest, rejects, out: Path, name: str, expected, written) -> None:
    got = sorted(
        zip(rejects["source_file"], rejects["sheet"], rejects["source_row"].astype(int),
            rejects["column"], rejects["reason"], strict=True)
    )  # fmt: skip
    want = sorted((name, s, r, c, why) for s, r, c, why, _ in expected)
    assert got == want
    # NIK typed as a number: masked in the rejects, never written out in full
    assert not rejects["value"].str.contains(r"\d{10,}", regex=True).any()
    whole: dict[str, int] = {}
    for s, _, _, _, w in expected:
        whole[s] = whole.get(s, 0) + int(w)
    (entry,) = [f for f in manifest["files"] if f["path"] == name]
    sheets = {s["sheet"]: s for s in entry["sheets"]}
    for sheet, n in written.items():
        info = sheets[sheet]
        assert (info["rows_read"], info["rows_rejected"], info["rows_duplicate"]) == (
            n,
            whole.get(sheet, 0),
            0,
        ), sheet
        assert info["rows_accepted"] == n - whole.get(sheet, 0)
    # the instruction and list sheets are not data
    assert {s for s, i in sheets.items() if i["table"] is None} == {"Petunjuk", "Daftar Pilihan"}
    assert manifest["unknown_facilities"] == ["Kantor Entah Berantah"]
    tables = {t: pd.read_parquet(out / f"{t}.parquet") for t in manifest["tables"]}
    accepted = {t: 0 for t in tables}
    for info in sheets.values():
        if info["table"]:
            accepted[info["table"]] += info["rows_accepted"]
    for t in ("enrollments", "assessments", "contacts", "urine_tests", "events"):
        assert len(tables[t]) == accepted[t], t
    assert len(tables["clients"]) == 9  # ten clients, one NIK lost as a number
    # every value offered by a drop-down was read as its code
    assert set(tables["enrollments"]["program"].dropna()) == set(vocab.PROGRAMS)
    assert set(tables["enrollments"]["level"].dropna()) == set(vocab.LEVELS)
    assert set(tables["enrollments"]["status"].dropna()) == set(vocab.STATUSES)
    assert set(tables["assessments"]["timepoint"]) == set(vocab.TIMEPOINTS)
    assert set(tables["assessments"]["instrument"]) == set(vocab.INSTRUMENTS)
    assert set(tables["contacts"]["kind"].dropna()) == set(vocab.CONTACT_KINDS)
    assert set(tables["contacts"]["attended"].dropna()) == {True, False}
    assert set(tables["urine_tests"]["result"].dropna()) == set(vocab.URINE_RESULTS)
    assert set(tables["urine_tests"]["substances"]) == {"", "met"}
    assert set(tables["events"]["kind"].dropna()) == set(vocab.EVENT_KINDS)
    assert set(tables["clients"]["sex"].dropna()) == set(vocab.SEXES)
    who = tables["assessments"].query("instrument == 'whoqol_bref'")
    assert who[[f"q{i}" for i in range(1, 27)]].notna().sum().sum() == 26 * len(who) - 1


def planted_headers(planted: set[tuple[str, str]], sheet: str) -> set[str]:
    return {c for s, c in planted if s == sheet}


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> tuple[Path, list[tuple], dict[str, int]]:
    root = tmp_path_factory.mktemp("template_roundtrip")
    template = root / "templat.xlsx"
    assert main(["template", "--out", str(template)]) == 0
    raw = root / "raw"
    raw.mkdir()
    expected, written = fill(template, raw / "entri_bapas.xlsx")
    return raw / "entri_bapas.xlsx", expected, written


def test_filled_template_gives_exactly_the_planted_rejects(filled, tmp_path, monkeypatch):
    path, expected, written = filled
    # a bad value in each validated column (answers: one item per instrument; an unknown
    # office is not a reject but is listed, see _check)
    planted = {(s, c) for s, _, c, _, _ in expected}
    for spec in template_spec():
        checked = {
            c.header
            for c in spec.columns
            if (c.kind in ("choice", "date", "count") or c.length) and c.field != "facility"
        }
        assert checked <= planted_headers(planted, spec.name), spec.name
        assert (
            any(c.kind == "answer" and (spec.name, c.header) in planted for c in spec.columns)
            or spec.instrument is None
        )
    manifest, rejects = _run_etl(path.parent, tmp_path / "processed", monkeypatch)
    _check(manifest, rejects, tmp_path / "processed", path.name, expected, written)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_roundtrip_survives_a_libreoffice_resave(filled, tmp_path, monkeypatch):
    path, expected, written = filled
    raw = tmp_path / "raw"
    raw.mkdir()
    profile = (tmp_path / "lo_profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(raw), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    resaved = raw / path.name
    assert resaved.is_file()
    wb = load_workbook(resaved)
    ws = wb["Klien"]
    kinds = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    # the drop-downs, the NIK length check, the text format and the hidden lists survive
    # (LibreOffice keeps the validations on the first thousand rows only)
    assert kinds["D2"].type == "list" and kinds["D2"].formula1.startswith("'Daftar Pilihan'!")
    assert (kinds["A2"].type, kinds["A2"].formula1) == ("textLength", "16")
    assert kinds["E2"].type == "date"
    assert ws.column_dimensions["A"].number_format == "@"
    assert wb["Daftar Pilihan"].sheet_state == "hidden"
    manifest, rejects = _run_etl(raw, tmp_path / "processed", monkeypatch)
    _check(manifest, rejects, tmp_path / "processed", path.name, expected, written)
