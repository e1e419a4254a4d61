"""Unattended runs leak nothing: key continuity, identity-free tables and logs, safe rejects."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import stat
from pathlib import Path

import pandas as pd
import pytest

from rehab_eval.cli import main
from rehab_eval.errors import ConfigError
from rehab_eval.etl import load_processed, run_etl
from rehab_eval.etl.keys import FINGERPRINT_LABEL, create_key_file, key_fingerprint, load_key
from rehab_eval.etl.scrub import describe_values, find_identifier
from rehab_eval.etl.write import neutralise_formulas

AS_OF = dt.date(2025, 6, 30)
KEY = "identity-tests-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f"
NIK = "3374011201900001"
NIK2 = "3374015502910002"


@pytest.fixture
def no_key(tmp_path, monkeypatch):
    monkeypatch.delenv("REHAB_EVAL_SECRET", raising=False)
    monkeypatch.delenv("REHAB_EVAL_KEY_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    return tmp_path / "cfg" / "rehab_eval" / "secret.key"


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("REHAB_EVAL_SECRET", KEY)
    return KEY


def _raw(tmp_path: Path, text: str, name: str = "klien.csv") -> Path:
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    (raw / name).write_text(text, "utf-8")
    return raw


CLIENTS = (
    "NIK;Nama Klien;JK;Tgl PB;UPT;Jumlah Pidana Sebelumnya\n"
    f"{NIK};Budi Santoso;L;7/11/2024;Bapas Kelas I Semarang;0\n"
    f"{NIK2};Siti Rahayu;P;1/3/2024;Bapas Kelas I Semarang;1\n"
)


# 3. key continuity ---------------------------------------------------------------------


def test_a_non_interactive_run_never_creates_a_key(tmp_path, no_key, capsys):
    raw = _raw(tmp_path, CLIENTS)
    assert main(["etl", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "rehab-eval key init" in err[0]
    assert not no_key.exists() and not (tmp_path / "out").exists()
    assert main(["key", "init"]) == 0
    assert "simpan salinannya" in capsys.readouterr().out
    assert stat.S_IMODE(no_key.stat().st_mode) == 0o600
    assert len(bytes.fromhex(no_key.read_text().strip())) == 32
    assert main(["key", "init"]) == 2  # never overwritten
    assert main(["etl", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0
    assert main(["key", "show"]) == 0
    assert key_fingerprint(no_key.read_text().strip().encode()) in capsys.readouterr().out


def test_at_a_terminal_the_etl_offers_to_create_the_key(tmp_path, no_key, monkeypatch, capsys):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    raw = _raw(tmp_path, CLIENTS)
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    answers = iter(["t", "y"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["etl", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 2  # "tidak"
    assert not no_key.exists()
    assert main(["etl", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0  # "ya"
    assert no_key.is_file() and stat.S_IMODE(no_key.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "weak",
    ["x", "fixture-secret", "correct horse battery staple", "a" * 80, "0123456789abcdef" * 2],
)
def test_weak_keys_are_refused(weak):
    with pytest.raises(ConfigError, match="terlalu lemah"):
        load_key(weak)


@pytest.mark.parametrize(
    "strong",
    [
        "5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8091a2b3c4d5e6f70",
        "kopi-tubruk 7 Gunung: senja merah, 42 layang! Bantul/Sleman dan",
    ],
)
def test_strong_keys_are_accepted(strong):
    assert load_key(strong) == strong.encode()


def test_a_group_readable_key_file_is_refused_with_the_chmod(tmp_path, no_key):
    create_key_file()
    os.chmod(no_key, 0o640)
    with pytest.raises(ConfigError, match=f"chmod 600 {no_key}"):
        load_key()


def test_fingerprint_is_an_hmac_of_a_label_not_a_hash_of_the_key():
    k = KEY.encode()
    fp = key_fingerprint(k)
    assert fp == hmac.new(k, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]
    assert not hashlib.sha256(k).hexdigest().startswith(fp[:12])


def test_another_key_cannot_write_into_an_output(tmp_path, monkeypatch, capsys):
    raw = _raw(tmp_path, CLIENTS)
    out = tmp_path / "out"
    monkeypatch.setenv("REHAB_EVAL_SECRET", KEY)
    run_etl(raw, out, as_of=AS_OF)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setenv("REHAB_EVAL_SECRET", KEY[::-1])
    assert main(["etl", "--raw", str(raw), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "kunci pseudonimisasi lain" in err[0] and "--rekey" in err[0]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert main(["etl", "--raw", str(raw), "--out", str(out), "--rekey"]) == 0
    assert load_processed(out).manifest["key_fingerprint"] == key_fingerprint(KEY[::-1].encode())


def test_an_output_with_an_old_style_fingerprint_keeps_its_key(tmp_path, monkeypatch):
    raw = _raw(tmp_path, CLIENTS)
    out = tmp_path / "out"
    monkeypatch.setenv("REHAB_EVAL_SECRET", KEY)
    run_etl(raw, out, as_of=AS_OF)
    manifest = out.resolve() / "manifest.json"
    m = json.loads(manifest.read_text())
    m["key_fingerprint"] = hashlib.sha256(KEY.encode()).hexdigest()[:12]
    manifest.write_text(json.dumps(m))
    run_etl(raw, out, as_of=AS_OF)  # same key: accepted
    monkeypatch.setenv("REHAB_EVAL_SECRET", KEY[::-1])
    with pytest.raises(ConfigError, match="--rekey"):
        run_etl(raw, out, as_of=AS_OF)


# 4. identity-free tables, manifest and log ----------------------------------------------


def _all_text(out: Path, lines: list[str]) -> str:
    parts = ["\n".join(lines)]
    for p in out.iterdir():
        if p.suffix == ".parquet":
            parts.append(pd.read_parquet(p).astype(str).to_csv())
        else:
            parts.append(p.read_text("utf-8-sig"))
    return "\n".join(parts)


def test_identifiers_typed_into_free_text_and_numbers_stay_out(tmp_path, key):
    text = (
        "NIK;Nama Klien;JK;Tgl PB;UPT;Jumlah Pidana Sebelumnya\n"
        f"{NIK};Budi Santoso;L;7/11/2024;Budi Santoso 3374 0112 0190 0001;0\n"
        f"{NIK2};Siti Rahayu;P;1/3/2024;Rutan Siti Rahayu;1671010201900014\n"
        "3374012301850003;Ahmad Yani;L;1/3/2024;Bapas Kelas I Semarang;2\n"
    )
    raw = _raw(tmp_path, text, name=f"Budi Santoso {NIK}.csv")
    lines: list[str] = []
    res = run_etl(raw, tmp_path / "out", as_of=AS_OF, progress=lines.append)
    lines.append(res.summary())
    everything = _all_text(tmp_path / "out", lines)
    for secret in (NIK, NIK2, "1671010201900014", "Santoso", "Rahayu", "3374 0112"):
        assert secret not in everything, secret
    p = load_processed(tmp_path / "out")
    assert len(p.clients) == 3  # the rows are kept, the offending cells emptied
    assert p.clients["prior_offences"].isna().sum() == 1
    assert p.clients["prior_offences"].max() == 2
    rej = p.rejects.set_index("reason")
    assert set(rej.loc["identifier in text", "value"]) == {"<teks 32 huruf>", "<teks 17 huruf>"}
    assert rej.loc["implausible value", "value"] == "************0014"
    assert res.unknown_facilities == []
    assert p.manifest["files"][0]["path"] == "<nama> ************0001.csv"


def test_sheet_named_after_a_client_is_masked(tmp_path, key):
    from openpyxl import Workbook

    raw = tmp_path / "raw"
    raw.mkdir()
    wb = Workbook()
    ws = wb.active
    ws.title = "Siti Rahayu"
    ws.append(["NIK", "Nama Klien", "JK", "Tgl PB"])
    ws.append([NIK2, "Siti Rahayu", "P", "1/3/2024"])
    ws.append([NIK, "Budi Santoso", "X", "7/11/2024"])  # a bad cell: a reject names the sheet
    wb.save(raw / "klien.xlsx")
    lines: list[str] = []
    res = run_etl(raw, tmp_path / "out", as_of=AS_OF, progress=lines.append)
    lines.append(res.summary())
    everything = _all_text(tmp_path / "out", lines)
    assert "Rahayu" not in everything
    assert set(load_processed(tmp_path / "out").rejects["sheet"]) == {"<nama>"}


def test_find_identifier():
    assert find_identifier("Lapas 3374-0112-0190-0001")
    assert find_identifier("Lapas 3374.0112.0190.0001")
    assert not find_identifier("Lapas Kelas IIA 2024")
    assert find_identifier("rutan budi santoso", "BUDI SANTOSO")
    assert not find_identifier("Bapas Kelas I Semarang", "Budi Santoso")


# 5. safe rejects ------------------------------------------------------------------------


def test_rejects_describe_values_by_default_and_show_them_on_request(tmp_path, key):
    text = (
        "NIK;Nama Klien;JK;Tanggal Lahir;Tgl PB;UPT\n"
        f"{NIK};Budi Santoso;L;30 Februari 1991;7/11/2024;Bapas Kelas I Semarang\n"
        f'{NIK2};Siti Rahayu;=HYPERLINK("http://x");Siti Rahayu;1/3/2024;Bapas Kelas I Semarang\n'
        "3374 0123 0185 4941;Ahmad Yani;L;1/1/1985;1/3/2024;Bapas Kelas I Semarang\n"
    )
    raw = _raw(tmp_path, text)
    run_etl(raw, tmp_path / "out", as_of=AS_OF)
    out = tmp_path / "out"
    rej = pd.read_parquet(out / "rejects.parquet")
    got = dict(zip(rej["source_row"], rej["value"], strict=False))
    assert got[2] == "<tanggal tidak valid>"
    row3 = sorted(rej.loc[rej["source_row"] == 3, "value"])
    assert row3[0] == "<tanggal tidak valid>" and re.fullmatch(r"<teks \d+ huruf>", row3[1])
    csv = (out / "rejects.csv").read_text("utf-8-sig")
    for secret in ("30 Februari", "Siti Rahayu", "HYPERLINK", "3374 0123"):
        assert secret not in csv, secret
    assert stat.S_IMODE(out.resolve().stat().st_mode) == 0o700
    assert stat.S_IMODE((out / "rejects.csv").stat().st_mode) == 0o600
    # the data manager's view: values as typed, formulas neutralised, NIKs still masked
    run_etl(raw, tmp_path / "dm", as_of=AS_OF, show_reject_values=True)
    csv = pd.read_csv(tmp_path / "dm" / "rejects.csv", dtype=str, keep_default_na=False)
    values = set(csv["value"])
    assert "30 Februari 1991" in values
    assert any(v.startswith("'=HYPERLINK(") for v in values)
    assert not any(v.startswith(("=", "+", "-", "@")) for v in csv.to_numpy().ravel())


def test_describe_values_and_formula_neutralising():
    values = pd.Series(["Entah", "31/02/2024", "7", "3374 0123 0185 4941", "", "**********9100"])
    reasons = pd.Series(
        [
            "unparseable value",
            "unparseable date",
            "out of range",
            "unparseable value",
            "no identifier",
            "invalid nik",
        ]
    )
    assert describe_values(values, reasons).tolist() == [
        "<teks 5 huruf>",
        "<tanggal tidak valid>",
        "7",
        "************4941",
        "",
        "**********9100",
    ]
    shown = describe_values(values, reasons, show=True).tolist()
    assert shown[0] == "Entah" and shown[3] == "************4941"
    cells = pd.DataFrame({"v": ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "ok", None]})
    assert neutralise_formulas(cells)["v"].tolist() == [
        "'=1+1",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "ok",
        None,
    ]
