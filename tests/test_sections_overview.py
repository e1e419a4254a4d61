"""Section builders of the program overview on a small hand-built province.

Worked examples: completion is an operational count, so a 63-client facility with 60
completed shows 63, 60 and 95 % in ``publik``; re-offending events per facility are
sensitive (1–4 never shown, no bar drawn for them, exact in the ``internal`` twin); a
selection without a re-offending record shows one sentence and no rate.
"""

from __future__ import annotations

import re
import warnings
from types import SimpleNamespace

import pandas as pd
import pytest

from rehab_eval.disclosure import resolve
from rehab_eval.reports import sections
from rehab_eval.reports.sections import say
from rehab_eval.reports.sections._model import FigureOut, TableOut

#: facility → (clients, completed, re-offences within 12 months of release)
FACILITIES = {"Lapas A": (63, 60, 3), "Lapas B": (120, 100, 20), "Rutan C": (80, 70, 12)}


def _province(with_events: bool = True) -> SimpleNamespace:
    rows, events = [], []
    release = pd.Timestamp("2022-01-01")
    for facility, (n, completed, reoffended) in FACILITIES.items():
        for i in range(n):
            cid = f"{facility[-1]}{i:03d}"
            rows.append((cid, facility, "completed" if i < completed else "dropped_out"))
            if with_events and i < reoffended:
                events.append((cid, release + pd.Timedelta(days=30 + 9 * i), "rearrest"))
    ids = [r[0] for r in rows]
    clients = pd.DataFrame(
        {
            "client_id": ids,
            "sex": "male",
            "birth_date": pd.Timestamp("1990-01-01"),
            "facility": [r[1] for r in rows],
            "release_date": release,
        }
    )
    enrollments = pd.DataFrame(
        {
            "client_id": ids,
            "program": "rehabilitasi_sosial",
            "level": "sedang",
            "start_date": pd.Timestamp("2021-03-01"),
            "end_date": pd.Timestamp("2021-09-01"),
            "status": [r[2] for r in rows],
            "facility": [r[1] for r in rows],
        }
    )
    return SimpleNamespace(
        clients=clients,
        enrollments=enrollments,
        events=pd.DataFrame(events, columns=["client_id", "date", "kind"]),
        urine_tests=pd.DataFrame(columns=["client_id", "date", "result"]),
        scores=None,
    )


def _ctx(audience: str = "publik", with_events: bool = True):
    return sections.overview_inputs(
        _province(with_events),
        end_date="2024-12-31",
        disclosure=resolve(audience),
        period=("2021-01-01", "2021-12-31"),
    )


def _table(section, key):
    return next(i.frame for i in section.items if isinstance(i, TableOut) and i.key == key)


def test_completion_of_a_63_client_facility_is_shown_exactly_in_publik():
    completion = sections.completion_section(_ctx())
    table = _table(completion, "completion").set_index(say("ov.facility", "id"))
    row = table.loc["Lapas A"]
    assert (row[say("ov.clients", "id")], row[say("ov.completed", "id")]) == ("63", "60")
    assert row[say("ov.share", "id")] == "95%"
    assert completion.summary["completed_share"] == "87%"  # 230 of 263 = 87.45 %
    assert completion.values["completed_share"] == 0.87


def test_three_reoffences_of_a_facility_are_never_shown_in_publik_and_exact_internally():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        section = sections.reoffending_section(_ctx())
    table = _table(section, "reoffending_facility").set_index(say("ov.facility", "id"))
    events, km = say("recid.events", "id"), say("recid.km", "id")
    assert table.loc["Lapas A", events] == "<5" and "%" not in table.loc["Lapas A", km]
    assert table.loc["Lapas A", say("ov.clients", "id")] == "63"
    assert table.loc["Lapas B", events] == "20"
    # the whole minus the other facilities would give Lapas A back: not all of them are exact
    exact = [table.loc[f, events].isdigit() for f in ("Lapas B", "Rutan C")]
    total = section.values["reoffended_within_window"]
    assert not (all(exact) and total is not None)
    figure = next(i for i in section.items if isinstance(i, FigureOut))
    assert len(figure.fig.axes[0].patches) <= 2  # no bar for Lapas A
    texts = " ".join([figure.takeaway, *map(str, section.items[:1]), str(section.summary)])
    assert not re.search(r"(?<![\d,.])[1-4] (klien|kejadian)", texts)
    twin = sections.reoffending_section(_ctx("internal"))
    table = _table(twin, "reoffending_facility").set_index(say("ov.facility", "id"))
    assert table.loc["Lapas A", events] == "3" and "%" in table.loc["Lapas A", km]
    assert twin.values["reoffended_within_window"]["km_cum_incidence"] == pytest.approx(35 / 263)


def test_without_a_reoffending_source_one_sentence_and_no_rate():
    ctx = _ctx(with_events=False)
    section = sections.reoffending_section(ctx)
    assert section.no_data.startswith("Belum ada data penangkapan ulang, putusan baru")
    assert section.items == [] and "reoffended_within_window" not in section.values
    closing = sections.overview_summary(
        ctx, sections.completion_section(ctx), section, province="X"
    )
    assert "%" in closing.items[0]  # the completion share, exact
    assert "mengulangi" not in closing.items[0]


def _with_whoqol(n_clients: int, audience: str = "publik"):
    """The province with WHOQOL-BREF at m1, m3, m6 for the first ``n_clients`` clients."""
    import numpy as np

    chosen = _province()
    rng = np.random.default_rng(3)
    ids = chosen.clients["client_id"].iloc[:n_clients]
    rows = []
    for cid in ids:
        person = rng.normal(0, 8)
        for step, tp in enumerate(["m1", "m3", "m6"]):
            row = {"client_id": cid, "instrument": "whoqol_bref", "timepoint": tp}
            for j, m in enumerate(sections.trajectories.DOMAINS):
                row[m] = 50 + 3 * step + j + person + rng.normal(0, 4)
            rows.append(row)
    chosen.scores = pd.DataFrame(rows)
    ctx = sections.overview_inputs(
        chosen,
        end_date="2024-12-31",
        disclosure=resolve(audience),
        period=("2021-01-01", "2021-12-31"),
    )
    return ctx, chosen.scores


def test_whoqol_trajectory_means_are_the_monthly_means_of_complete_data():
    ctx, scores = _with_whoqol(40, "internal")
    section = sections.overview.whoqol_trajectory_section(ctx)
    assert section.no_data is None
    # complete, balanced data: the mixed model's mean per month is the raw mean
    raw = scores.groupby("timepoint")["social_0_100"].mean()
    values = section.values["whoqol_trajectory"]
    for tp in ("m1", "m3", "m6"):
        assert values[f"social_0_100|{tp}"] == pytest.approx(raw[tp], abs=1e-6)
    assert len(_table(section, "whoqol_trajectory")) == 12
    assert any(isinstance(i, FigureOut) for i in section.items)


def test_over_the_cap_the_trajectory_is_fitted_on_a_declared_seeded_sample(monkeypatch):
    from rehab_eval import change

    ctx, scores = _with_whoqol(40, "internal")
    monkeypatch.setattr(sections.trajectories, "MODEL_CLIENTS", 25)
    section = sections.overview.whoqol_trajectory_section(ctx)
    sample = change.sample_clients(scores["client_id"], 25, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = change.trajectory(
            scores[scores["client_id"].isin(sample)], "social_0_100", order=["m1", "m3", "m6"]
        )
    values = section.values["whoqol_trajectory"]
    for r in fit.means.to_dict("records"):  # the published means are the sample's model
        assert values[f"social_0_100|{r['timepoint']}"] == pytest.approx(r["mean"], abs=0.05)
    said = "Model dipasang pada sampel acak 25 dari 40 klien"
    assert any(isinstance(i, str) and i.startswith(said) for i in section.items)
    assert said in section.figures()[0].notes
    assert set(_table(section, "whoqol_trajectory")["Klien"]) == {"25"}
    again = sections.overview.whoqol_trajectory_section(ctx)  # seeded: the same numbers
    assert again.values == section.values


def test_whoqol_trajectory_is_withheld_under_the_statistics_threshold_in_publik():
    ctx, _ = _with_whoqol(ctx_n := 6)
    section = sections.overview.whoqol_trajectory_section(ctx)
    assert ctx.disclosure.stats_min > ctx_n
    assert section.no_data and not section.items


def test_the_trajectory_takeaway_joins_the_overview_summary_with_its_numbers():
    ctx, _ = _with_whoqol(40)
    trajectory = sections.overview.whoqol_trajectory_section(ctx)
    takeaway = trajectory.figures()[0].takeaway
    assert takeaway.startswith("Dari Bulan 1 (n = 40) ke Bulan 6 (n = 40)")
    assert re.search(r"Fisik \d+,\d → \d+,\d", takeaway)
    closing = sections.overview_summary(ctx, sections.completion_section(ctx), trajectory)
    assert takeaway in closing.key_points
    definition = sections.trajectories.trajectory_definition("id")
    assert definition in closing.definitions and "lebih dari 2.000 klien" in definition
    # the figure: one line per domain, named at its end, the n per month in the subtitle
    fig = trajectory.figures()[0].fig
    texts = [t.get_text() for t in fig.texts + fig.axes[0].texts]
    assert any("Bulan 1: 40" in t and "Bulan 6: 40" in t for t in texts)
    assert {"Fisik", "Psikologis", "Hubungan sosial", "Lingkungan"} <= set(texts)
    assert any(t.startswith("Sumber") for t in texts)


def test_a_withheld_trajectory_gives_no_key_point_and_no_definition():
    ctx, _ = _with_whoqol(6)
    trajectory = sections.overview.whoqol_trajectory_section(ctx)
    closing = sections.overview_summary(ctx, sections.completion_section(ctx), trajectory)
    assert len(closing.key_points) == 1
    assert sections.trajectories.trajectory_definition("id") not in closing.definitions
