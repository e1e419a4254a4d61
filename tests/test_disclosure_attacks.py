"""The attacks of issue 12, tried on the OUTPUTS of small demo selections in ``publik``.

Two renders of the cohort report (papermill, through ``run_report``) of the November 2024
group of Bapas Semarang (5 clients, a sub-cohort of the 21-client 2024 cohort): ``publik``
and its ``internal`` twin. The parent report's numbers come from the same section builders
(in-process, no render). Each attack must fail in ``publik``; each twin shows the exact
value, stamped. Figures are inspected through their matplotlib artists, never pixels.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.collections import LineCollection, PathCollection

import rehab_eval
from rehab_eval.disclosure import resolve
from rehab_eval.reports import run_report, sections

NOTEBOOKS = Path(__file__).resolve().parents[1] / "src" / "rehab_eval" / "reports" / "notebooks"
SEMARANG = {"facility": "Bapas Kelas I Semarang", "program": "pascarehabilitasi"}
PARENT = {**SEMARANG, "period_start": "2024-01-01", "period_end": "2024-12-31"}
CHILD = {**SEMARANG, "period_start": "2024-11-01", "period_end": "2024-11-30"}
STAMP = "TERBATAS"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::rehab_eval.SmallSampleWarning"),
    pytest.mark.filterwarnings("ignore::rehab_eval.DataQualityWarning"),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Synthetic raw exports → canonical tables → scores, once for this module."""
    from rehab_eval.etl import run_etl
    from rehab_eval.scoring import score_processed
    from rehab_eval.synth import generate_synthetic

    root = tmp_path_factory.mktemp("attacks")
    generate_synthetic(root / "raw", seed=7, truth_path=root / "truth.json")
    run_etl(root / "raw", root / "processed", secret="attack-tests-secret")
    score_processed(root / "processed")
    return root


@pytest.fixture(scope="module")
def child(demo):
    """The 5-client sub-cohort rendered in publik and in internal."""
    runs = {}
    for audience in ("publik", "internal"):
        values = {"processed_dir": str(demo / "processed"), "audience": audience, **CHILD}
        runs[audience] = run_report(
            "cohort_report", values, out=demo / f"reports-{audience}", notebooks_dir=NOTEBOOKS
        )
    return runs


def _ctx(demo, audience="publik", **selection):
    return sections.cohort_context(demo / "processed", audience=audience, **{**PARENT, **selection})


def _record(run) -> dict:
    return json.loads((run.run_dir / "publish.json").read_text(encoding="utf-8"))


def _tables(run) -> dict[str, list[list[str]]]:
    """Every HTML table of a run: key → rows of cell texts."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(run.html.read_text(encoding="utf-8"), "html.parser")
    out = {}
    for table in soup.find_all("table"):
        key = (table.get("id") or "").removeprefix("table-")
        out[key] = [
            [td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.find_all("tr")
        ]
        out[key] = [r for r in out[key] if r]
    return out


def _marks(fig) -> int:
    """Points drawn one per person (the scatter layer, zorder 3; the group mean is zorder 4)."""
    return sum(
        len(c.get_offsets())
        for ax in fig.axes
        for c in ax.collections
        if isinstance(c, PathCollection) and c.get_zorder() == 3
    )


def _lines(fig) -> int:
    return sum(
        len(c.get_segments())
        for ax in fig.axes
        for c in ax.collections
        if isinstance(c, LineCollection) and c.get_zorder() == 1
    )


def _numbers(tree):
    if isinstance(tree, dict):
        for v in tree.values():
            yield from _numbers(v)
    elif isinstance(tree, list):
        for v in tree:
            yield from _numbers(v)
    else:
        yield tree


# --------------------------------------------------------------------------- attacks


def test_a_hidden_or_tiny_n_cannot_be_solved_from_the_statistics_beside_it(child):
    """d_z and its CI, means and SDs would give n back (t/√n): none is published for the 4
    pairs of the sub-cohort, at any precision; the twin publishes them all, stamped."""
    publik, internal = child["publik"], child["internal"]
    assert all(v is None for v in _numbers(publik.summary["values"]["whoqol"]))
    assert all(v is None for v in _numbers(publik.summary["values"]["urica"]))
    paired = _tables(publik)["whoqol_paired"]
    assert {row[1] for row in paired} == {"4"}  # the pairs: an operational count, exact
    for row in paired:
        assert not any(re.search(r"\d,\d", cell) for cell in row[2:]), row
    assert not any(re.search(r"d_z = ", f["takeaway"]) for f in _record(publik)["figures"])
    # the twin: the statistics, at full precision, under the stamp
    twin = internal.summary["values"]["whoqol"]["physical_0_100"]
    assert isinstance(twin["cohen_dz"], float) and isinstance(twin["ci_low"], float)
    assert STAMP in json.dumps(_record(internal)["disclosure"])
    assert STAMP not in json.dumps(_record(publik)["disclosure"])


def test_scatter_marks_and_lines_cannot_be_counted(demo, child):
    """Jacobson points and one line per client would count a "<5" category by eye."""
    for key in ("whoqol_jacobson", "whoqol_prepost"):  # no figure of 4 pairs at all
        assert key not in {f["key"] for f in _record(child["publik"])["figures"]}
        assert key in {f["key"] for f in _record(child["internal"])["figures"]}
    for audience in ("publik", "internal"):
        ctx = _ctx(demo, audience)
        result = sections.whoqol_change(ctx)
        figs = {f.key: f.fig for f in result.figures()}
        rc = result.tables()["reliable_change"]
        hidden = any(not str(v).isdigit() for v in rc.iloc[:, 2:].to_numpy().ravel())
        pairs = int(rc.iloc[0, 1])
        if audience == "publik":
            assert hidden  # the 2024 cohort has a small category: the attack has a target
            assert _marks(figs["whoqol_jacobson"]) == 0
            assert _lines(figs["whoqol_prepost"]) == 0
        else:  # the twin: one mark per client, one line per client and domain
            assert _marks(figs["whoqol_jacobson"]) == pairs
            assert _lines(figs["whoqol_prepost"]) == pairs * 4


def _sensitive(summary: dict, tables: dict) -> dict[str, int | None]:
    """Sensitive counts a reader can read or derive: reliable-change cells and the positive
    urine tests behind an exact share with its n (share × tests)."""
    out: dict[str, int | None] = {}
    for row in tables.get("reliable_change", []):
        for j, cell in enumerate(row[2:]):
            out[f"rc.{row[0]}.{j}"] = int(cell) if cell.isdigit() else None
    for month, value in (summary["values"].get("urine_positive_share") or {}).items():
        out[f"urine.{month}"] = None if value is None else value["share"]
    return out


def test_differencing_the_sub_cohort_against_its_parent_gives_no_small_count(demo, child):
    """parent − sub-cohort = the other clients' count: never 1 … 4 people or tests."""
    parent = _ctx(demo)
    whoqol = sections.whoqol_change(parent)
    urine = sections.urine_section(parent)
    parent_tables = whoqol.tables()
    parent_rc = [[str(v) for v in row] for row in parent_tables["reliable_change"].to_numpy()]
    parent_counts = _sensitive({"values": urine.values}, {"reliable_change": parent_rc})
    child_run = child["publik"]
    child_counts = _sensitive(child_run.summary, _tables(child_run))
    tests_parent = {str(m): n for m, n in _urine_tests(parent).items()}
    tests_child = {str(m): n for m, n in _urine_tests(_ctx(demo, **CHILD)).items()}
    for key, a in parent_counts.items():
        b = child_counts.get(key)
        if a is None or b is None:
            continue
        if key.startswith("urine."):
            m = key.split(".")[1]
            a, b = round(a * tests_parent[m]), round(b * tests_child[m])
        assert not 0 < a - b < 5, (key, a, b)
    # the twin shows the sub-cohort's exact counts: the difference is there to read
    twin = _sensitive(child["internal"].summary, _tables(child["internal"]))
    assert any(v is not None for v in twin.values())
    assert parent_counts and set(child_counts) & set(parent_counts)  # the pairs were tried


def _urine_tests(ctx) -> dict[int, int]:
    from rehab_eval import cohort as cohorts

    urine = cohorts.urine_positivity(ctx.data)
    return dict(zip(urine["month"].astype(int), urine["n_tests"].astype(int), strict=True))


def test_a_small_count_cannot_be_recovered_from_totals_and_percentages(demo, child):
    """A "<5" beside its row total needs a second hidden cell; a share of a small count is
    a bound without interval or value."""
    result = sections.whoqol_change(_ctx(demo))
    for row in result.tables()["reliable_change"].astype(str).to_numpy():
        cells = list(row[2:])
        if any(c.startswith("<") for c in cells):
            assert sum(not c.isdigit() for c in cells) >= 2, row
    for run in (child["publik"],):
        for key, row in _tables(run).items():
            if key == "reliable_change":
                for r in row:
                    if any(c.startswith("<") for c in r[2:]):
                        assert sum(not c.isdigit() for c in r[2:]) >= 2, r
    urine = sections.urine_section(_ctx(demo))
    figure = urine.figures()[0]
    hidden_months = [float(m) for m, v in urine.values["urine_positive_share"].items() if v is None]
    assert hidden_months  # the 2024 cohort has months with few positives: a target
    for ax in figure.fig.axes:  # hidden or coarsened: no point at that month either
        for line in ax.lines:
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
                if float(x) in hidden_months and len(line.get_xdata()) > 1:
                    assert y != y, (x, y)
    assert "≤" in urine.summary["urine_positive_last_month"]
    twin = sections.urine_section(_ctx(demo, "internal"))
    assert all(v is not None for v in twin.values["urine_positive_share"].values())


@pytest.mark.parametrize("size", [1, 2, 5])
def test_table_one_of_a_tiny_group_prints_no_person(demo, size):
    """Table 1 of 1, 2 and 5 clients: no age, prior offences or risk level of anyone."""
    import pandas as pd

    enrollments = pd.read_parquet(demo / "processed" / "enrollments.parquet")
    starts = sorted(
        enrollments.loc[
            (enrollments["facility"] == SEMARANG["facility"])
            & (enrollments["start_date"] >= "2024-11-01"),
            "start_date",
        ]
    )[:5]
    last = str(starts[size - 1].date())
    publik = sections.table_one_section(_ctx(demo, period_start="2024-11-01", period_end=last))
    internal = sections.table_one_section(
        _ctx(demo, "internal", period_start="2024-11-01", period_end=last)
    )
    if size < 5:
        assert publik.tables() == {} and "tidak ditampilkan" in publik.items[0]
    else:
        table = publik.tables()["table_one"]
        values = table.iloc[:, 2].tolist()
        categories = table.iloc[:, 1].tolist()
        for category, value in zip(categories, values, strict=True):
            if category in ("rata-rata (SD)", "median [IQR]"):
                assert value == "n<10"  # no statistic of 5 ages
        risky = table[
            table.iloc[:, 0].replace("", pd.NA).ffill().isin(["Tingkat risiko", "Riwayat pidana"])
        ]
        for value in risky.iloc[:, 2]:
            count = value.split(" ")[0]
            assert not (count.isdigit() and 0 < int(count) < 5), value
    # the twin: the exact table, ages included
    twin = internal.tables()["table_one"]
    age = twin[twin.iloc[:, 1] == "rata-rata (SD)"].iloc[0, 2]
    assert re.match(r"\d+", age)


def test_kaplan_meier_curves_do_not_step_past_the_threshold(demo):
    """Each step under 10 at risk is one person's re-offence and its month."""
    from rehab_eval import cohort as cohorts
    from rehab_eval import plots, recidivism
    from rehab_eval.disclosure import truncate_km

    data = cohorts.select(
        rehab_eval.load_processed(demo / "processed"), province="Sumatera Selatan"
    )
    fu = recidivism.followup(data, outcome="any", end_date="2025-12-31", unit="months")
    km = recidivism.kaplan_meier(fu, by="level")
    ticks = list(range(0, int(fu.table["duration"].max()) + 1, 6))
    publik = truncate_km(km, resolve("publik"))
    internal = truncate_km(km, resolve("internal"))
    assert publik.cuts["cut_time"].notna().any()  # the attack has a target
    ax = plots.plot_km(km, times=ticks, lang="id", cut=publik)
    steps = [line for line in ax.lines if len(line.get_xdata()) > 2]
    for line, (_, cut) in zip(steps, publik.cuts.iterrows(), strict=True):
        if cut["cut_time"] == cut["cut_time"]:
            assert max(line.get_xdata()) < cut["cut_time"]
    texts = [t.get_text() for t in ax.texts]
    assert "<10" in texts
    table = km.table
    for _, cut in publik.cuts.iterrows():
        kept = publik.table[publik.table["group"] == cut["group"]]
        assert (kept["at_risk"] >= 10).all()
    # the twin: the whole curve
    twin = plots.plot_km(km, times=ticks, lang="id", cut=internal)
    longest = max(max(line.get_xdata()) for line in twin.lines if len(line.get_xdata()) > 2)
    assert longest == pytest.approx(float(table["time"].max()))
    assert "<10" not in [t.get_text() for t in twin.texts]


def test_lowering_min_cell_in_publik_fails_with_the_policy_message(demo):
    with pytest.raises(rehab_eval.ConfigError) as info:  # refused before papermill starts
        run_report(
            "cohort_report",
            {"processed_dir": str(demo / "processed"), "min_cell": 2, **CHILD},
            out=demo / "reports-lowered",
            notebooks_dir=NOTEBOOKS,
        )
    message = str(info.value)
    assert "\n" not in message
    assert not (demo / "reports-lowered").exists()  # nothing written
    assert "min_cell=2 di bawah ambang kebijakan (5)" in message and "audience: internal" in message
    # the twin: internal accepts it (and applies it)
    assert resolve("internal", 2).min_cell == 2
