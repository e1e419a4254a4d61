"""Report parameters that help: aliases resolved against the processed data, "did you mean",
defaults that fit the data, the parameter listing and the policy checked up front."""

from __future__ import annotations

import pandas as pd
import pytest

from rehab_eval.cli import main
from rehab_eval.errors import ConfigError
from rehab_eval.reports import choices, params


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    """Three facilities, two provinces, two programs; scores at pre/post and m1/m3/m6."""
    folder = tmp_path_factory.mktemp("processed")
    clients = pd.DataFrame(
        {
            "client_id": ["s1", "s2", "p1", "p2", "r1"],
            "facility": [
                "Bapas Kelas I Semarang",
                "Bapas Kelas I Semarang",
                "Lapas Kelas I Palembang",
                "Lapas Kelas I Palembang",
                "Kelurahan Rejosari",
            ],
            "province": ["Jawa Tengah"] * 2 + ["Sumatera Selatan"] * 2 + ["Jawa Tengah"],
        }
    )
    enrollments = pd.DataFrame(
        {
            "client_id": ["s1", "s2", "p1", "p2", "r1"],
            "program": ["pascarehabilitasi"] * 2 + ["rehabilitasi_sosial"] * 2 + ["ibm"],
            "facility": [None, "Bapas Kelas I Semarang", None, None, None],
            "cohort": [
                "Angkatan I 2024",
                "Angkatan 2025",
                "Angkatan I 2022",
                "Angkatan I 2022",
                None,
            ],
            "start_date": pd.to_datetime(
                ["2024-03-01", "2025-02-10", "2022-01-15", "2022-04-20", "2025-01-05"]
            ),
        }
    )
    scores = pd.DataFrame(
        {
            "client_id": ["s1", "s1", "s2", "p1", "p1", "p1", "p2"],
            "instrument": ["whoqol_bref"] * 7,
            "timepoint": ["pre", "post", "pre", "m1", "m3", "m6", "m1"],
        }
    )
    clients.to_parquet(folder / "clients.parquet")
    enrollments.to_parquet(folder / "enrollments.parquet")
    scores.to_parquet(folder / "scores.parquet")
    return folder


def _resolve(name, processed, **given):
    spec = params.load_spec(name)
    resolved = params.validate(spec, {"processed_dir": str(processed), **given})
    return choices.resolve_from_data(spec, resolved, lang=resolved["lang"])


@pytest.mark.parametrize(
    "written",
    ["Bapas Semarang", "bapas kls i smg", "BAPAS KELAS 1 SEMARANG", "Bapas Kelas I Semarang"],
)
def test_a_facility_alias_resolves_like_the_etl(processed, written):
    out = _resolve("cohort_report", processed, facility=written)
    assert out["facility"] == "Bapas Kelas I Semarang"


def test_a_miss_says_did_you_mean_and_lists_the_values_there_are(processed):
    with pytest.raises(ConfigError) as info:
        _resolve("cohort_report", processed, facility="Bapas Kelas I Semarng Barat")
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith('fasilitas "Bapas Kelas I Semarng Barat" tidak ada di data')
    assert '(maksud Anda "Bapas Kelas I Semarang"?)' in text
    assert text.endswith(
        "fasilitas yang ada: Bapas Kelas I Semarang, Kelurahan Rejosari, Lapas Kelas I Palembang"
    )
    with pytest.raises(ConfigError, match='province "Jawa Tangah" is not in the data'):
        _resolve("recidivism_report", processed, province="Jawa Tangah", lang="en")


def test_provinces_programs_and_cohorts_are_matched_loosely(processed):
    out = _resolve("recidivism_report", processed, province="Jateng", program="Pasca Rehab")
    assert (out["province"], out["program"]) == ("Jawa Tengah", "pascarehabilitasi")
    out = _resolve("recidivism_report", processed, province="Provinsi Sumatera Selatan")
    assert out["province"] == "Sumatera Selatan"
    out = _resolve("cohort_report", processed, cohort="angkatan  i 2024")
    assert out["cohort"] == "Angkatan I 2024"
    with pytest.raises(ConfigError, match="program yang ada: ibm, pascarehabilitasi, rehab"):
        _resolve("recidivism_report", processed, program="rehabilitasi medis")


def test_period_end_follows_period_start(processed):
    # the README example: only period_start is given
    out = _resolve("cohort_report", processed, facility="Bapas Semarang", period_start="2025-01-01")
    assert (out["period_start"], out["period_end"]) == ("2025-01-01", "2025-12-31")
    out = _resolve("cohort_report", processed, period_start="2024-01-01", period_end="2025-06-30")
    assert out["period_end"] == "2025-06-30"


def test_pre_and_post_default_to_the_first_and_last_timepoints_present(processed):
    out = _resolve("cohort_report", processed)
    assert (out["pre"], out["post"]) == ("pre", "post")
    out = _resolve("program_overview", processed)
    assert (out["province"], out["pre"], out["post"]) == ("Sumatera Selatan", "m1", "m6")
    # the overview's period defaults to the whole years of the selection's start dates
    assert (out["period_start"], out["period_end"]) == ("2022-01-01", "2022-12-31")
    # given values win; one timepoint only: no "after"; none at all: both stay empty
    assert _resolve("program_overview", processed, pre="bulan 3")["pre"] == "m3"
    out = _resolve("cohort_report", processed, period_start="2025-01-01")
    assert (out["pre"], out["post"]) == ("pre", None)
    out = _resolve(
        "cohort_report", processed, facility="Rejosari", program="ibm", period_start="2025-01-01"
    )
    assert (out["facility"], out["pre"], out["post"]) == ("Kelurahan Rejosari", None, None)


def test_a_timepoint_the_selection_lacks_is_refused_with_the_ones_there_are(processed):
    with pytest.raises(ConfigError) as info:
        _resolve("cohort_report", processed, pre="m1")
    assert str(info.value) == (
        'pre "m1": tidak ada penilaian pada waktu itu untuk pilihan ini; '
        "waktu yang ada: pre, post (atau kosongkan pre)"
    )


def test_an_empty_selection_says_when_its_clients_started(processed):
    with pytest.raises(ConfigError) as info:
        _resolve("cohort_report", processed, period_start="2026-01-01")
    assert str(info.value).startswith("tidak ada klien untuk pilihan ini (facility Bapas")
    assert str(info.value).endswith("klien ini mulai program antara 2024-03-01 dan 2025-02-10")


def test_the_parameter_listing(processed):
    spec = params.load_spec("cohort_report")
    text = params.describe(spec, "id", available=choices.available_values(processed))
    for name in spec.parameters:
        if name != "output_dir":
            assert f"\n  {name} " in text, name
    assert "output_dir" not in text
    assert "  min_cell       bilangan bulat; 1 sampai 100; boleh kosong; bawaan: kosong" in text
    assert "tanggal TTTT-BB-HH; boleh kosong; bawaan: kosong" in text
    assert (
        "ada di data: Bapas Kelas I Semarang, Kelurahan Rejosari, Lapas Kelas I Palembang" in text
    )
    english = params.describe(spec, "en")
    assert "  min_cell       whole number; 1 to 100; may be empty; default: empty" in english
    assert "(empty: 31 December of period_start's year)" in english


def test_cli_lists_reports_and_parameters(processed, capsys):
    assert main(["report", "--list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Laporan (rehab-eval report NAMA --help")
    for name in params.available_reports():
        assert f"  {name} " in out
    assert main(["report", "cohort_report", "--help", "-p", "processed_dir", str(processed)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("cohort_report — Laporan kohort rehabilitasi")
    assert "ada di data: Bapas Kelas I Semarang" in out
    assert main(["report", "recidivism_report", "-h", "-p", "lang", "en"]) == 0
    assert "Parameters:" in capsys.readouterr().out


def test_publik_below_the_policy_fails_before_anything_runs(processed, tmp_path, capsys):
    code = main(
        [
            "report",
            "cohort_report",
            "-p",
            "processed_dir",
            str(processed),
            "-p",
            "min_cell",
            "3",
            "--out",
            str(tmp_path / "reports"),
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == (
        "rehab-eval: galat: min_cell=3 di bawah ambang kebijakan (5) tidak boleh untuk audiens "
        "publik; gunakan audience: internal untuk angka persis"
    )
    assert not (tmp_path / "reports").exists()
