"""Indicator sets as data: the shipped declarations, refused declarations, a new indicator
declared in TOML without code, and targets / capaian arithmetic."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import rehab_eval.indicators as ri
from rehab_eval.cli import main
from rehab_eval.errors import ConfigError
from test_indicators_handmade import tables

NEW_SET = """
name = "kantor_contoh"
title_id = "Indikator tambahan kantor"
title_en = "An office's own indicators"

[[indicators]]
id = "putus_program"
name_id = "Persentase klien yang putus program"
name_en = "Share of clients who dropped out"
period = "program_start"
definition_id = "Putus: status keikutsertaan 'putus'."
definition_en = "Dropped out: enrollment status 'dropped_out'."
[indicators.population]
kind = "participants"
programs = ["pascarehabilitasi"]
[indicators.event]
kind = "status"
statuses = ["dropped_out"]

[[indicators]]
id = "tanpa_relaps_3_bulan"
name_id = "Persentase klien tanpa relaps 3 bulan"
name_en = "Share of clients without relapse for 3 months"
period = "program_start"
definition_id = "Tanpa tes urine positif dalam 3 bulan, di antara yang dites sekali atau lebih."
definition_en = "No positive urine test within 3 months, among those tested once or more."
[indicators.population]
kind = "participants"
programs = ["pascarehabilitasi"]
[indicators.event]
kind = "no_relapse"
window_months = 3
min_tests = 1
"""


@pytest.fixture(scope="module")
def office_data():
    pr = "pascarehabilitasi"
    clients = [(c, "Bapas S", "B", None) for c in ["k1", "k2", "k3", "k4"]]
    enrollments = [
        ("k1", pr, "Bapas S", "2024-01-10", "2024-07-10", "completed"),
        ("k2", pr, "Bapas S", "2024-01-10", "2024-02-10", "dropped_out"),
        ("k3", pr, "Bapas S", "2024-02-01", "2024-08-01", "completed"),
        ("k4", pr, "Bapas S", "2024-02-01", "2024-08-01", "completed"),
    ]
    urine = [
        ("k1", "2024-02-10", "negative"),
        ("k2", "2024-03-01", "positive"),
        ("k3", "2024-06-01", "positive"),  # after 3 months: not a relapse in this window
        ("k3", "2024-03-01", "negative"),
    ]
    return tables(clients, enrollments, urine=urine)


def test_shipped_sets_declare_the_indicators_of_the_issue():
    assert {"ditjenpas_rehabilitasi", "bnn_pascarehabilitasi"} <= set(ri.list_sets())
    dj = ri.load_set("ditjenpas_rehabilitasi")
    bnn = ri.load_set("bnn_pascarehabilitasi")
    kinds = {i.event["kind"] for s in (dj, bnn) for i in s.indicators}
    assert kinds == {"reliable_change", "score_increase", "status", "no_reoffence",
                     "no_relapse", "category", "enrolled_after"}  # fmt: skip
    assert [dj[f"tidak_mengulangi_{w}"].event["window_months"] for w in (12, 24)] == [12.0, 24.0]
    rc = dj["kualitas_hidup_rci"].event
    assert rc["rule"] == "any_improved_none_deteriorated"
    assert set(rc["measures"]) == {"physical_0_100", "psychological_0_100",
                                   "social_0_100", "environment_0_100"}  # fmt: skip
    # r_xx comes from the instrument declaration, the one source the reports use too
    assert "reliability" not in rc
    assert "sederhana" in dj["kualitas_hidup_sederhana"].label_id
    assert bnn["tanpa_relaps"].event["min_tests"] >= 1
    # completion and referral are operational counts; outcomes are protected
    assert not dj["selesai_program"].sensitive and not bnn["rujukan_sesuai"].sensitive
    assert dj["tidak_mengulangi_12"].sensitive and bnn["tanpa_relaps"].sensitive
    for s in (dj, bnn):
        for ind in s.indicators:
            assert ind.name_id and ind.name_en and ind.definition_id and ind.definition_en


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "status"', "kind = \"__import__('os')\""), "unknown kind"),
        (('statuses = ["dropped_out"]', 'statuses = ["dropped_out"]\nwhere = "x"'), "no parameter"),
        (('statuses = ["dropped_out"]', ""), "needs statuses"),
        (("window_months = 3", 'window_months = "3"'), "should be a float"),
        (('period = "program_start"', 'period = "kapan saja"'), "period"),
        (('id = "tanpa_relaps_3_bulan"', 'id = "putus_program"'), "declared twice"),
    ],
)
def test_declarations_outside_the_vocabulary_are_refused(tmp_path, change, message):
    path = tmp_path / "bad.toml"
    path.write_text(NEW_SET.replace(*change, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        ri.load_set(path)
    assert "bad.toml" in str(err.value)


def test_unknown_set_names_the_shipped_ones():
    with pytest.raises(ConfigError, match="ditjenpas_rehabilitasi"):
        ri.load_set("lapas_tidak_ada")


def test_a_new_indicator_declared_in_toml_appears_without_code(tmp_path, office_data, capsys):
    path = tmp_path / "kantor_contoh.toml"
    path.write_text(NEW_SET, encoding="utf-8")
    x = ri.compute_indicators(office_data, path, year=2024, end_date="2024-12-31")
    t = x.table.set_index("indicator")
    assert list(t.index) == ["putus_program", "tanpa_relaps_3_bulan"]
    assert (t.at["putus_program", "numerator"], t.at["putus_program", "denominator"]) == (1, 4)
    # k1 and k3 no relapse in 3 months; k2 positive; k4 untested
    r = t.loc["tanpa_relaps_3_bulan"]
    assert (r["numerator"], r["denominator"], r["n_excluded"]) == (2, 3, 1)
    shown = ri.display_table(x)
    assert "Persentase klien tanpa relaps 3 bulan" in shown["Indikator Kinerja"].tolist()
    processed = tmp_path / "processed"
    processed.mkdir()
    for name, frame in office_data.items():
        frame.to_parquet(processed / f"{name}.parquet")
    pd.DataFrame({"source_file": []}).to_parquet(processed / "rejects.parquet")
    (processed / "manifest.json").write_text("{}", encoding="utf-8")
    code = main(["indicators", "--processed", str(processed), "--set", str(path),
                 "--year", "2024", "--end-date", "2024-12-31"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "Persentase klien yang putus program" in out and "1 : 4 × 100% = 25,0%" in out
    assert "2 : 3 × 100% = 66,7%" in out
    # and in the report: the section builder of indicators_report takes the office's file
    from rehab_eval.reports import sections
    from rehab_eval.reports.sections._model import TableOut

    ctx = sections.indicators_context(
        processed, indicator_set=str(path), year=2024, end_date="2024-12-31", audience="internal"
    )
    lakip = sections.lakip_section(ctx)
    text = " ".join(item.frame.to_string() for item in lakip.items if isinstance(item, TableOut))
    assert "Persentase klien yang putus program" in text
    assert "Persentase klien tanpa relaps 3 bulan" in text


def test_capaian_is_realisasi_over_target():
    assert ri.capaian(45.0, 50.0) == pytest.approx(90.0)
    assert ri.capaian(66.0, 55.0) == pytest.approx(120.0)
    assert math.isnan(ri.capaian(45.0, float("nan")))
    assert math.isnan(ri.capaian(45.0, 0.0))


def test_targets_from_yaml_give_capaian_and_missing_targets_give_realisasi_only(
    tmp_path, office_data
):
    path = tmp_path / "kantor_contoh.toml"
    path.write_text(NEW_SET, encoding="utf-8")
    targets = tmp_path / "target.yaml"
    targets.write_text("kantor_contoh:\n  putus_program: {2024: 20}\n", encoding="utf-8")
    x = ri.compute_indicators(office_data, path, year=2024, end_date="2024-12-31",
                              targets=targets)  # fmt: skip
    t = x.table.set_index("indicator")
    assert t.at["putus_program", "target"] == 20.0
    assert t.at["putus_program", "capaian"] == pytest.approx(25.0 / 20.0 * 100)
    assert math.isnan(t.at["tanpa_relaps_3_bulan", "target"])
    assert math.isnan(t.at["tanpa_relaps_3_bulan", "capaian"])
    shown = ri.display_table(x).set_index("No")
    assert shown.loc["1", "Capaian"] == "125,0%" and shown.loc["2", "Target"] == "–"


def test_example_targets_file_fits_the_shipped_sets():
    for name in ("ditjenpas_rehabilitasi", "bnn_pascarehabilitasi"):
        t = ri.load_targets(ri.example_targets(), ri.load_set(name))
        assert t.values
    bnn = ri.load_targets(ri.example_targets(), ri.load_set("bnn_pascarehabilitasi"))
    assert bnn.get("tanpa_relaps", "", 2025) == 50.0  # BNN's published target


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"kantor_contoh": {"tidak_ada": {2024: 50}}}, "unknown indicator"),
        ({"kantor_contoh": {"putus_program": {2024: 150}}}, "percent"),
        ({"kantor_contoh": {"putus_program": {"tahun": 50}}}, "must be numbers"),
        ({"kantor_contoh": {"putus_program": 50}}, "year: percent"),
    ],
)
def test_bad_targets_are_refused(tmp_path, targets, message):
    path = tmp_path / "kantor_contoh.toml"
    path.write_text(NEW_SET, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        ri.load_targets(targets, ri.load_set(path))


def test_a_targets_file_without_the_sets_section_gives_no_targets():
    t = ri.load_targets({"lain": {"x": {2024: 1}}}, ri.load_set("bnn_pascarehabilitasi"))
    assert t.values == {}


@pytest.mark.parametrize("module", ["declaration", "compute", "targets"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"rehab_eval.indicators.{module}"))
    assert result.attempted > 0 and result.failed == 0


SD_SET = """
name = "rci_contoh"
[[indicators]]
id = "fisik_membaik"
name_id = "Fisik membaik"
name_en = "Physical improved"
period = "program_start"
[indicators.population]
kind = "participants"
programs = ["rehabilitasi_sosial"]
[indicators.event]
kind = "reliable_change"
instrument = "whoqol_bref"
pre = ["pre"]
post = ["post"]
reliability = { physical_0_100 = 0.8 }
sd_pre = { physical_0_100 = 10.0 }
"""


def test_a_declared_reference_sd_gives_the_hand_computed_rci(tmp_path):
    # S_diff = sqrt(2) * 10 * sqrt(1 - 0.8) = 6.3246; 1.96 * S_diff = 12.396
    clients = [(c, "Lapas X", "A", None) for c in ["a", "b", "c"]]
    enrollments = [(c, "rehabilitasi_sosial", "Lapas X", "2023-02-01", "2023-08-01",
                    "completed") for c in ["a", "b", "c"]]  # fmt: skip
    scores = pd.DataFrame({
        "client_id": ["a", "a", "b", "b", "c", "c"],
        "instrument": "whoqol_bref",
        "timepoint": ["pre", "post"] * 3,
        "date": pd.to_datetime(["2023-02-01", "2023-08-01"] * 3),
        "physical_0_100": [40.0, 53.0, 40.0, 52.0, 60.0, 47.0],
    })  # fmt: skip
    path = tmp_path / "rci.toml"
    path.write_text(SD_SET, encoding="utf-8")
    x = ri.compute_indicators(tables(clients, enrollments, scores=scores), path, year=2023,
                              end_date="2023-12-31")  # fmt: skip
    r = x.table.iloc[0]
    assert (r["numerator"], r["denominator"]) == (1, 3)  # a: +13 > 12.396; b: +12; c: -13
    path.write_text(SD_SET.replace("10.0", "-1.0"), encoding="utf-8")
    with pytest.raises(ConfigError, match="positive"):
        ri.load_set(path)
