"""Indicators on the synthetic records: against truth.json, every number reproduced from its
printed formula and the processed tables, the CLI and the Excel layout."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import rehab_eval.indicators as ri
from rehab_eval.cli import main
from rehab_eval.errors import ConfigError, InputError
from rehab_eval.etl import load_processed, run_etl
from rehab_eval.scoring import score_processed
from rehab_eval.synth import generate_synthetic

SUMSEL = "Sumatera Selatan"
SECRET = "indicators-secret-3e8d1f0a9c7b5e2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5"
SEMARANG = "Bapas Kelas I Semarang"
REHAB = ["rehabilitasi_sosial", "rehabilitasi_medis"]
DOMAINS = ["physical_0_100", "psychological_0_100", "social_0_100", "environment_0_100"]
ALPHA = np.array([0.82, 0.81, 0.68, 0.80])
FORMULA = re.compile(r"^([\d.]+) : ([\d.]+) × 100% = (\d+),(\d)%$")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = tmp_path_factory.mktemp("indicators")
    generate_synthetic(root / "raw", seed=7)
    run_etl(root / "raw", root / "processed", secret=SECRET)
    score_processed(root / "processed")
    truth = json.loads((root / "truth.json").read_text("utf-8"))
    return root, load_processed(root / "processed"), truth


@pytest.fixture(scope="module")
def sumsel(synthetic):
    _, data, _ = synthetic
    return ri.compute_indicators(data, "ditjenpas_rehabilitasi", year=2023, province=SUMSEL,
                                 targets=ri.example_targets(), end_date="2025-12-31")  # fmt: skip


@pytest.fixture(scope="module")
def semarang(synthetic):
    _, data, _ = synthetic
    return ri.compute_indicators(data, "bnn_pascarehabilitasi", year=2025, facility=SEMARANG,
                                 targets=ri.example_targets(), end_date="2025-12-31")  # fmt: skip


def _row(result, indicator, year, category=""):
    t = result.table
    hit = t[(t["indicator"] == indicator) & (t["year"] == year) & (t["category"] == category)]
    assert len(hit) == 1
    return hit.iloc[0]


def _programs(truth, key_prefix):
    return {p["key"]: p for p in truth["programs"] if p["key"].startswith(key_prefix)}


def test_sumsel_completion_matches_the_generators_statuses(synthetic, sumsel):
    _, _, truth = synthetic
    assert sumsel.years == (2021, 2022, 2023)
    defects = [d for d in truth["defects"] if d["column"] == "Status" and "sumsel" in d["file"]]
    for key, p in _programs(truth, "sumsel_").items():
        year = int(key[-4:])
        r = _row(sumsel, "selesai_program", year)
        assert r["n_population"] == sum(p["statuses"].values())
        lost = sum(str(year) in d["file"] for d in defects)  # statuses the ETL could not read
        assert r["denominator"] == r["n_population"] - lost
        assert r["numerator"] <= p["statuses"]["completed"] <= r["numerator"] + lost


def test_semarang_completion_matches_the_generators_statuses(synthetic, semarang):
    _, _, truth = synthetic
    by_year: dict[int, list[int]] = {}
    for p in _programs(truth, "semarang_").values():
        y = int(p["period_start"][:4])
        done, total = by_year.get(y, [0, 0])
        by_year[y] = [done + p["statuses"].get("completed", 0), total + p["clients"]]
    for y, (done, total) in by_year.items():
        r = _row(semarang, "selesai_program", y)
        assert (r["numerator"], r["denominator"]) == (done, total)


def test_assist_levels_match_the_generator_less_the_unreadable_dates(synthetic):
    _, data, truth = synthetic
    x = ri.compute_indicators(data, "bnn_pascarehabilitasi", year=2024,
                              indicators=["asesmen_assist"], previous_years=False)  # fmt: skip
    levels = _programs(truth, "banjarnegara_")["banjarnegara_2024"]["levels"]
    assist = data.scores[data.scores["instrument"] == "assist"]
    undated = assist[assist["date"].isna()]["level"].astype(object).value_counts()
    for level, n in levels.items():
        assert _row(x, "asesmen_assist", 2024, level)["numerator"] + undated.get(level, 0) == n


def test_every_printed_formula_gives_its_numbers(sumsel, semarang):
    for x in (sumsel, semarang):
        for r in x.table.itertuples():
            m = FORMULA.match(r.formula)
            assert m, r.formula
            num, den = (int(m.group(i).replace(".", "")) for i in (1, 2))
            assert (num, den) == (r.numerator, r.denominator)
            assert float(f"{m.group(3)}.{m.group(4)}") == pytest.approx(round(r.realisasi, 1))
            assert r.denominator + r.n_excluded == r.n_population and r.numerator <= r.denominator
            assert r.ci_low <= r.realisasi <= r.ci_high
            if not np.isnan(r.target):
                assert r.capaian == pytest.approx(num / den * 100 / r.target * 100)


def test_completion_reproduced_from_the_enrollments_table(synthetic, sumsel):
    _, data, _ = synthetic
    en = data.enrollments
    prov = en["client_id"].map(data.clients.set_index("client_id")["province"])
    en = en[en["program"].isin(REHAB) & (prov == SUMSEL)]
    for year in sumsel.years:
        ep = en[en["start_date"].dt.year == year].sort_values(["client_id", "start_date"])
        ep = ep.drop_duplicates("client_id", keep="last")
        ended = ep[ep["status"].notna() & (ep["status"] != "active")]
        r = _row(sumsel, "selesai_program", year)
        assert (r["numerator"], r["denominator"]) == ((ended["status"] == "completed").sum(),
                                                      len(ended))  # fmt: skip


def test_reliable_change_reproduced_from_the_scores_table(synthetic, sumsel):
    _, data, _ = synthetic
    en = data.enrollments
    prov = en["client_id"].map(data.clients.set_index("client_id")["province"])
    ids = set(en.loc[en["program"].isin(REHAB) & (prov == SUMSEL)
                     & (en["start_date"].dt.year == 2023), "client_id"])  # fmt: skip
    sc = data.scores[(data.scores["instrument"] == "whoqol_bref")
                     & data.scores["client_id"].isin(ids)].dropna(subset=DOMAINS)  # fmt: skip
    pre = sc[sc["timepoint"] == "m1"].set_index("client_id")[DOMAINS]
    post = sc[sc["timepoint"] == "m6"].set_index("client_id")[DOMAINS]
    both = pre.index.intersection(post.index)
    pre, post = pre.loc[both].to_numpy(), post.loc[both].to_numpy()
    s_diff = np.sqrt(2) * pre.std(axis=0, ddof=1) * np.sqrt(1 - ALPHA)
    rci = (post - pre) / s_diff
    improved = ((rci > 1.96).any(axis=1) & ~(rci < -1.96).any(axis=1)).sum()
    simple = (post.mean(axis=1) > pre.mean(axis=1)).sum()
    assert (_row(sumsel, "kualitas_hidup_rci", 2023)["numerator"],
            _row(sumsel, "kualitas_hidup_rci", 2023)["denominator"]) == (improved, len(both))  # fmt: skip
    assert _row(sumsel, "kualitas_hidup_sederhana", 2023)["numerator"] == simple
    assert simple > improved  # the simple comparison counts changes within measurement error


def test_no_relapse_reproduced_from_the_urine_and_events_tables(synthetic, semarang):
    _, data, _ = synthetic
    en = data.enrollments
    en = en[(en["program"] == "pascarehabilitasi") & (en["facility"] == SEMARANG)]
    window = pd.Timedelta(days=6 * 365.25 / 12)
    for year in semarang.years:
        ep = en[en["start_date"].dt.year == year].drop_duplicates("client_id", keep="last")
        num = den = 0
        for cid, start in zip(ep["client_id"], ep["start_date"], strict=True):
            ur = data.urine_tests[(data.urine_tests["client_id"] == cid)
                                  & (data.urine_tests["date"] > start)
                                  & (data.urine_tests["date"] <= start + window)]  # fmt: skip
            ev = data.events[(data.events["client_id"] == cid) & (data.events["date"] > start)]
            if ev["kind"].isin(["death", "transfer", "lost_to_supervision"]).any():
                pytest.skip("a competing end in the Semarang data: the hand count needs it")
            tested = ur["result"].isin(["negative", "positive"]).sum()
            relapse = (ur["result"] == "positive").any() or (
                (ev["kind"] == "relapse") & (ev["date"] <= start + window)
            ).any()
            if tested >= 2 and start + window <= pd.Timestamp("2025-12-31"):
                den += 1
                num += int(not relapse)
        r = _row(semarang, "tanpa_relaps", year)
        assert (r["numerator"], r["denominator"]) == (num, den)


def test_year_on_year_and_display(sumsel):
    yoy = ri.year_on_year(sumsel)
    g = yoy[yoy["indicator"] == "selesai_program"].set_index("year")
    assert list(g.index) == [2021, 2022, 2023]
    assert g.at[2023, "change_pp"] == pytest.approx(g.at[2023, "realisasi"]
                                                    - g.at[2022, "realisasi"])  # fmt: skip
    shown = ri.display_table(sumsel)
    assert list(shown.columns) == ["No", "Indikator Kinerja", "Target", "Realisasi", "Capaian",
                                   "Formulasi Perhitungan", "IK 95%", "Keterangan"]  # fmt: skip
    assert len(shown) == len(sumsel.current)
    wide = ri.display_year_on_year(sumsel)
    assert {"2021", "2022", "2023"} <= set(wide.columns)
    en = ri.display_table(sumsel.table, year=2022, lang="en")
    assert "Performance indicator" in en.columns and en["Actual"].str.contains(r"\.").all()


def test_cli_prints_the_table_and_writes_the_workbook(synthetic, capsys):
    from openpyxl import load_workbook

    root, _, _ = synthetic
    out = root / "tables.xlsx"
    code = main(["indicators", "--processed", str(root / "processed"), "--set",
                 "bnn_pascarehabilitasi", "--year", "2025", "--facility", "Bapas Semarang",
                 "--targets", str(ri.example_targets()), "--end-date", "2025-12-31",
                 "--out", str(out)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "Persentase klien pascarehabilitasi yang tidak relaps" in printed
    assert "Perbandingan tahun" in printed and "Definisi" in printed
    wb = load_workbook(out)
    assert wb.sheetnames == ["Indikator", "Perbandingan tahun"]
    cells = [[c for c in r if c is not None] for r in wb["Indikator"].iter_rows(values_only=True)]
    header = next(r for r in cells if r and r[0] == "No")
    assert header[:5] == ["No", "Indikator Kinerja", "Target", "Realisasi", "Capaian"]
    first = cells[cells.index(header) + 1]
    assert first[1] == "Persentase klien pascarehabilitasi yang tidak relaps"
    assert any("Tidak relaps" in r[0] for r in cells if r)  # the definitions under the table
    ids = set(load_processed(root / "processed").clients["client_id"])
    assert not any(cid in printed for cid in ids)  # no pseudonym in the output


def test_excel_takes_already_displayed_cells(tmp_path, semarang):
    from openpyxl import load_workbook

    shown = ri.display_table(semarang)
    shown.loc[0, "Realisasi"] = "<5"  # as the disclosure control writes it
    shown["n"] = [1.5] * len(shown)
    path = ri.write_excel(shown, tmp_path / "t.xlsx", title="Judul", subtitle=["Bapas, 2025"],
                          definitions=semarang.definitions)  # fmt: skip
    ws = load_workbook(path)["Indikator"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Judul" and rows[1][0] == "Bapas, 2025"
    data_row = rows[4]
    assert data_row[3] == "<5" and data_row[-1] == 1.5
    with pytest.raises(InputError):
        ri.write_excel(shown, tmp_path / "t.csv")


def test_year_on_year_figure_draws_each_year_and_hides_small_counts(semarang):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = ri.plot_year_on_year(semarang, "tanpa_relaps", min_cell=None)
    labels = [t.get_text() for t in ax.texts]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2024", "2025"]
    assert "38,1%" in labels and "45,7%" in labels
    plt.close(ax.figure)
    # 8 of 21 without relapse in 2024: under 14, so 2024 is not drawn; 2025 has 16 and 19
    ax = ri.plot_year_on_year(semarang, "tanpa_relaps", min_cell=14)
    labels = [t.get_text() for t in ax.texts]
    assert "x" in labels and "38,1%" not in labels and "45,7%" in labels
    plt.close(ax.figure)
    ax = ri.plot_year_on_year(semarang, "selesai_program", min_cell=14)  # operational: all shown
    assert "x" not in [t.get_text() for t in ax.texts]
    plt.close(ax.figure)
    with pytest.raises(ConfigError):
        ri.plot_year_on_year(semarang, "tidak_ada")
