"""Every declared instrument is recognised by the ETL from its declaration alone, in the
long layout (an instrument column), the wide pre/post layout (a two-row header) and a
Google Forms export (answers as the declared words), with its answers read back exactly.

The instrument's names, answer words and allowed answers live only in
``instruments/declarations/*.toml``: a new questionnaire is one declaration plus its tests.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest

import etl_corpus
from rehab_eval.etl import load_processed, run_etl
from rehab_eval.instruments.registry import declared_instruments

AS_OF = dt.date(2025, 6, 30)
INSTRUMENTS = declared_instruments()

KEY = "etl-test-key-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8"  # a test key strong enough for the ETL


def _columns(inst) -> list[str]:
    return list(inst.item_columns)


def _header(inst, col: str) -> str:
    """A raw header for an item column: ``P3`` or ``Alkohol P2`` (blocks)."""
    if "_" in col:
        block, q = col.rsplit("_", 1)
        return f"{block} P{q[1:]}"
    return f"P{col[1:]}"


def _answers(inst, j: int) -> dict[str, float]:
    out = {}
    for k, col in enumerate(_columns(inst)):
        allowed = inst.allowed[col.rsplit("_", 1)[-1]]
        out[col] = allowed[(j * 3 + k) % len(allowed)]
    return out


def _word(inst, value: float) -> str | int:
    words = [w for w, v in inst.raw_forms.answer_words.items() if v == value]
    return max(words, key=len).title() if words else int(value)


def _write_csv(path, rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), "utf-8")


def _long(inst, c, raw) -> dict[str, dict]:
    cols = _columns(inst)
    rows = [["NIK", "Nama", "Instrumen", "Tahap", *(_header(inst, x) for x in cols)]]
    want = {}
    for j in range(3):
        nik, name = c.person(j)
        a = _answers(inst, j)
        rows.append([nik, name, inst.raw_forms.names[0], "pre", *(a[x] for x in cols)])
        want[(nik, "pre")] = a
    _write_csv(raw / "asesmen_long.csv", rows)
    return want


def _wide(inst, c, raw) -> dict[str, dict]:
    from openpyxl import Workbook

    cols = _columns(inst)
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.cell(1, 1, inst.title)
    ws.cell(2, 1, "NIK")
    ws.cell(2, 2, "Nama")
    ws.cell(2, 3, "Pretest")
    ws.cell(2, 3 + len(cols), "Posttest")
    want = {}
    for k, x in enumerate(cols):
        ws.cell(3, 3 + k, _header(inst, x))
        ws.cell(3, 3 + len(cols) + k, _header(inst, x))
    for j in range(2):
        nik, name = c.person(10 + j)
        ws.cell(4 + j, 1, nik)
        ws.cell(4 + j, 2, name)
        pre, post = _answers(inst, j), _answers(inst, j + 1)
        for k, x in enumerate(cols):
            ws.cell(4 + j, 3 + k, pre[x])
            ws.cell(4 + j, 3 + len(cols) + k, post[x])
        want[(nik, "pre")], want[(nik, "post")] = pre, post
    wb.save(raw / "asesmen_lebar.xlsx")
    return want


def _forms(inst, c, raw) -> dict[str, dict]:
    cols = _columns(inst)
    if inst.blocks:
        heads = [_header(inst, x) for x in cols]
    else:
        heads = [f"{inst.title} [{x[1:]}. Pertanyaan {x[1:]}]" for x in cols]
    rows = [["Timestamp", "NIK", "Tahap", *heads]]
    want = {}
    for j in range(3):
        nik, _ = c.person(20 + j)
        a = _answers(inst, j)
        rows.append(
            [f"11/{7 + j}/2024 10:23:45", nik, "Posttest", *(_word(inst, a[x]) for x in cols)]
        )
        want[(nik, "post")] = a
    _write_csv(raw / "google_form.csv", rows)
    return want


@pytest.mark.parametrize("layout", [_long, _wide, _forms], ids=["long", "wide", "forms"])
@pytest.mark.parametrize("inst", INSTRUMENTS, ids=[i.name for i in INSTRUMENTS])
def test_every_declared_instrument_is_recognised(inst, layout, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    c = etl_corpus.Corpus(raw)
    want = layout(inst, c, raw)
    run_etl(raw, tmp_path / "out", secret=KEY, as_of=AS_OF)
    p = load_processed(tmp_path / "out")
    assert p.rejects.empty, p.rejects.to_string()
    a = p.assessments
    assert set(a["instrument"].astype(str)) == {inst.name}
    assert len(a) == len(want)
    from rehab_eval.etl.identity import client_ids

    for (nik, tp), answers in want.items():
        cid = client_ids(pd.Series(["nik:" + nik]), KEY.encode()).iat[0]
        row = a[(a["client_id"] == cid) & (a["timepoint"].astype(str) == tp)]
        assert len(row) == 1, (nik, tp)
        got = row[list(answers)].iloc[0].to_numpy(dtype=float)
        np.testing.assert_array_equal(got, np.array(list(answers.values()), dtype=float))


def test_answer_words_are_declared_answers():
    for inst in INSTRUMENTS:
        values = {v for vals in inst.allowed.values() for v in vals}
        assert set(inst.raw_forms.answer_words.values()) <= values, inst.name
        assert inst.raw_forms.names, inst.name


def test_canonical_instrument_codes_are_the_declared_ones():
    from rehab_eval import vocab

    assert set(vocab.INSTRUMENTS) == {i.name for i in INSTRUMENTS}
