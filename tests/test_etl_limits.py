"""Bounded resources: a sheet or file over the limits is listed as not read, and a
pathological workbook never takes the run down (checked under a real memory ceiling)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import etl_corpus
from rehab_eval.errors import ConfigError, InputError
from rehab_eval.etl.containers import Limits
from rehab_eval.etl.headers import load_aliases
from rehab_eval.etl.read import read_container

ALIASES = load_aliases()

CHILD = textwrap.dedent(
    """
    import datetime as dt, json, resource, sys
    limit = int(sys.argv[3]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from rehab_eval.etl import run_etl
    res = run_etl(sys.argv[1], sys.argv[2], secret="etl-test-key-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8", as_of=dt.date(2025, 6, 30))
    print(json.dumps({f["path"]: [f["status"], f.get("reason", "")] for f in res.manifest["files"]}))
    """
)


def test_dimension_bomb_is_listed_as_not_read_under_a_memory_ceiling(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    etl_corpus.dimension_bomb(raw / "bom.xlsx")
    assert (raw / "bom.xlsx").stat().st_size < 20_000
    etl_corpus.xlsm_events(etl_corpus.Corpus(raw), raw / "kejadian.xlsx")
    src = Path(__file__).resolve().parents[1] / "src"
    env_path = f"{src}"
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(raw), str(tmp_path / "out"), "1536"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    files = __import__("json").loads(out.stdout.strip().splitlines()[-1])
    status, reason = files["bom.xlsx"]
    assert status == "unreadable"
    assert "terlalu besar" in reason and "200,000 baris" in reason and "max_cells" in reason
    assert files["kejadian.xlsx"][0] == "read"


def test_stale_small_dimension_is_capped_on_what_is_found(tmp_path):
    # the declared dimension says A1, the cells say otherwise: the cap applies to what is read
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["NIK", "Nama", "Tanggal Lahir"])
    for k in range(50):
        ws.append([str(k), "x", "1/1/1990"])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    assert len(read_container(path, ALIASES)[0].body) == 50
    with pytest.raises(InputError, match="terlalu besar"):
        read_container(path, ALIASES, Limits(max_cells=100))


def test_file_size_limit_and_config(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("NIK,Nama\n" + "3374014501900001,Budi\n" * 60_000, "utf-8")
    with pytest.raises(InputError, match="terlalu besar.*max_file_mb"):
        read_container(path, ALIASES, Limits(max_file_mb=1))
    assert Limits.from_config({"max_cells": 10}).max_cells == 10
    with pytest.raises(ConfigError, match="unknown keys"):
        Limits.from_config({"max_rows": 10})
    with pytest.raises(ConfigError, match="positive"):
        Limits.from_config({"max_file_mb": 0})


@pytest.mark.parametrize(
    ("name", "blob", "words"),
    [
        (
            "a.xls",
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "XML Spreadsheet 2003",
        ),
        ("b.xls", b"<html><body>" + b" " * 70_000 + b"</body></html>", "tanpa tabel"),
        ("c.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "dilindungi kata sandi"),
        ("d.docx", b"PK\x03\x04", "tipe berkas tidak didukung: .docx"),
        ("e.ods", b"PK\x03\x04 broken", "berkas rusak"),
    ],
)
def test_containers_that_are_not_read_say_why(tmp_path, name, blob, words):
    (tmp_path / name).write_bytes(blob)
    with pytest.raises(InputError, match=words):
        read_container(tmp_path / name, ALIASES)
