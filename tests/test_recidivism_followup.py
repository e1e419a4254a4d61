"""followup(): from hand-built canonical tables to one row per client, with counted exclusions."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from rehab_eval.errors import ConfigError, InputError
from rehab_eval.recidivism import followup, kaplan_meier

D = pd.to_datetime


def _data() -> SimpleNamespace:
    clients = pd.DataFrame(
        {
            "client_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "sex": ["male", "female", "male", "male", "female", "male"],
            "birth_date": D(
                ["1990-06-15", "1985-01-01", "2000-02-29", None, "1970-12-31", "1999-01-01"]
            ),
            "facility": ["Bapas A", "Bapas A", "Lapas B", "Lapas B", "Bapas A", "Lapas B"],
            "facility_type": ["bapas", "bapas", "lapas", "lapas", "bapas", "lapas"],
            "province": ["Sumatera Selatan"] * 6,
            "release_date": D(
                ["2023-06-15", "2023-01-01", "2023-03-01", None, "2023-02-01", "2025-01-01"]
            ),
            "prior_offences": pd.array([2, 0, 1, 3, 0, 1], dtype="Int64"),
        }
    )
    enrollments = pd.DataFrame(
        {
            "client_id": ["c1", "c1", "c2", "c3", "c5"],
            "program": [
                "asesmen",
                "pascarehabilitasi",
                "pascarehabilitasi",
                "ibm",
                "rehabilitasi_sosial",
            ],
            "facility": ["Bapas A", "Bapas A", "Bapas A", "Lapas B", "Bapas A"],
            "level": ["rendah", "sedang", "tinggi", "rendah", "sedang"],
            "cohort": ["2022", "2023", "2022", "2023", "2023"],
            "start_date": D(["2022-01-01", "2023-01-10", "2022-10-01", "2023-04-01", "2023-01-05"]),
            "end_date": D(["2022-02-01", "2023-07-10", "2022-12-31", "2023-10-01", "2023-06-30"]),
            "status": ["completed", "active", "completed", "dropped_out", "completed"],
        }
    )
    events = pd.DataFrame(
        {
            "client_id": ["c1", "c1", "c2", "c2", "c3", "c3", "c5", "c5", "c4"],
            "date": D(
                [
                    "2023-01-01",  # c1 before release: ignored, counted
                    "2023-08-14",  # c1 rearrest 60 days after release
                    "2023-01-01",  # c2 on the release day: ignored, counted
                    "2023-05-01",  # c2 death: competing end (no offence after)
                    "2023-05-31",  # c3 transfer ...
                    "2023-05-31",  # ... and reconviction the same day: the event counts
                    "2024-03-01",  # c5 rearrest after end_date: ignored
                    "2023-03-03",  # c5 relapse (recorded event)
                    "2023-05-05",  # c4 has no release date: excluded
                ]
            ),
            "kind": [
                "rearrest",
                "rearrest",
                "reincarceration",
                "death",
                "transfer",
                "reconviction",
                "rearrest",
                "relapse",
                "rearrest",
            ],
        }
    )
    urine = pd.DataFrame(
        {
            "client_id": ["c1", "c1", "c3", "c5"],
            "date": D(["2023-01-10", "2023-02-20", "2023-04-20", "2023-02-01"]),
            "result": ["positive", "positive", "negative", "positive"],
            "substances": ["met", "met", "", "thc"],
        }
    )
    return SimpleNamespace(
        clients=clients, enrollments=enrollments, events=events, urine_tests=urine
    )


def test_any_offence_from_release():
    data = _data()
    before = {k: v.copy() for k, v in vars(data).items()}
    fu = followup(data, outcome="any", end_date="2023-12-31")
    for k, v in vars(data).items():  # inputs not mutated
        pd.testing.assert_frame_equal(v, before[k])
    f = fu.table.set_index("client_id")
    assert list(f.index) == ["c1", "c2", "c3", "c5"]
    assert f.loc["c1", ["duration", "event", "event_kind"]].tolist() == [60.0, 1, "rearrest"]
    assert f.loc["c2", ["duration", "event", "event_kind"]].tolist() == [120.0, 0, "death"]
    assert f.loc["c3", ["duration", "event", "event_kind"]].tolist() == [91.0, 1, "reconviction"]
    assert f.loc["c5", ["event", "event_kind"]].tolist() == [0, "end_of_study"]
    assert f.loc["c5", "stop"] == pd.Timestamp("2023-12-31")
    assert f.loc["c5", "duration"] == (D("2023-12-31") - D("2023-02-01")).days
    a = fu.summary.iloc[0]
    assert a["n_clients"] == 6 and a["n_included"] == 4
    assert a["n_excluded_no_start"] == 1  # c4
    assert a["n_excluded_start_after_end"] == 1  # c6 released in 2025
    assert a["n_outcome_before_start_ignored"] == 2  # c1 before release, c2 on release day
    assert (a["n_events"], a["n_censored_competing"], a["n_censored_end_of_study"]) == (2, 1, 1)
    assert a["outcome"] == "any" and a["unit"] == "days" and str(a["end_date"]) == "2023-12-31"


def test_covariates_from_latest_enrollment_before_release():
    f = followup(_data(), outcome="any", end_date="2023-12-31").table.set_index("client_id")
    # c1: two enrollments start before release; the later (pascarehabilitasi, active) is used
    assert f.loc["c1", ["program", "level", "status"]].tolist() == [
        "pascarehabilitasi",
        "sedang",
        "active",
    ]
    assert not f.loc["c1", "completion"]
    assert f.loc["c2", "completion"]
    # c3's only enrollment starts after release (a post-release program): it describes c3
    assert f.loc["c3", ["program", "level", "status"]].tolist() == ["ibm", "rendah", "dropped_out"]
    assert not f.loc["c3", "completion"]
    # age in completed years; c1 turns 33 on the release day, c3 born on 29 February
    assert f.loc["c1", "age_at_start"] == 33
    assert f.loc["c3", "age_at_start"] == 23
    assert f.loc["c5", "age_at_start"] == 52
    assert f.loc["c1", "prior_offences"] == 2
    assert f.loc["c1", ["sex", "facility", "facility_type"]].tolist() == [
        "male",
        "Bapas A",
        "bapas",
    ]


def test_relapse_from_program_start():
    fu = followup(_data(), outcome="relapse", end_date="2023-12-31")
    assert fu.start == "program_start"  # the default for relapse
    f = fu.table.set_index("client_id")
    # c1: latest enrollment starts 2023-01-10; the positive test that day is intake, the next counts
    assert f.loc["c1", "start"] == pd.Timestamp("2023-01-10")
    assert f.loc["c1", ["duration", "event", "event_kind"]].tolist() == [41.0, 1, "relapse"]
    # c5: positive urine 2023-02-01 comes before the recorded relapse event 2023-03-03
    assert f.loc["c5", "stop"] == pd.Timestamp("2023-02-01")
    assert f.loc["c5", "event"] == 1
    # c3: only a negative test; censored by the transfer on 2023-05-31
    assert f.loc["c3", ["event", "event_kind"]].tolist() == [0, "transfer"]
    assert fu.n_excluded_no_start == 2  # c4 and c6 have no enrollment
    assert fu.n_outcome_before_start_ignored == 1


def test_relapse_from_release():
    fu = followup(_data(), outcome="relapse", start="release_date", end_date="2023-12-31")
    f = fu.table.set_index("client_id")
    # c1 released 2023-06-15: both positive tests came before release and are ignored
    assert f.loc["c1", ["event", "event_kind"]].tolist() == [0, "end_of_study"]
    # c5 released 2023-02-01: the positive test that day is ignored, the relapse event counts
    assert f.loc["c5", ["stop", "event"]].tolist() == [pd.Timestamp("2023-03-03"), 1]
    assert fu.n_outcome_before_start_ignored == 3


def test_single_offence_kind_and_units():
    days = followup(_data(), outcome="rearrest", end_date="2023-12-31").table.set_index("client_id")
    weeks = followup(_data(), outcome="rearrest", end_date="2023-12-31", unit="weeks").table
    fu_months = followup(_data(), outcome="rearrest", end_date="2023-12-31", unit="months")
    months = fu_months.table
    assert days.loc["c3", "event_kind"] == "transfer"  # a reconviction is not a rearrest
    assert weeks.set_index("client_id").loc["c1", "duration"] == pytest.approx(60 / 7)
    assert months.set_index("client_id").loc["c1", "duration"] == pytest.approx(60 / (365.25 / 12))
    assert fu_months.unit == "months"


def test_program_filter_and_program_end():
    f = followup(
        _data(),
        outcome="any",
        start="program_end",
        end_date="2023-12-31",
        program="pascarehabilitasi",
    ).table.set_index("client_id")
    assert list(f.index) == ["c1", "c2"]
    assert f.loc["c1", "start"] == pd.Timestamp("2023-07-10")
    assert f.loc["c1", "event_kind"] == "rearrest"
    assert f.loc["c2", "start"] == pd.Timestamp("2022-12-31")


def test_program_filter_restricts_clients_when_following_from_release():
    fu = followup(_data(), outcome="any", end_date="2023-12-31", program="pascarehabilitasi")
    f = fu.table
    # only c1 and c2 are in the program; the others are excluded and counted, not diluting it
    assert list(f["client_id"]) == ["c1", "c2"]
    assert f["program"].tolist() == ["pascarehabilitasi", "pascarehabilitasi"]
    assert fu.n_excluded_other_program == 4
    assert fu.n_clients == 6


def test_feeds_kaplan_meier():
    f = followup(_data(), outcome="any", end_date="2023-12-31")
    km = kaplan_meier(f, duration="duration", event="event").table
    assert km["events"].sum() == 2 and km["at_risk"].iloc[0] == 4


def test_errors_name_the_problem():
    with pytest.raises(ConfigError, match="outcome"):
        followup(_data(), outcome="arrest", end_date="2023-12-31")
    with pytest.raises(ConfigError, match="unit"):
        followup(_data(), outcome="any", end_date="2023-12-31", unit="years")
    with pytest.raises(ConfigError, match="end_date"):
        followup(_data(), outcome="any", end_date="not a date")
    d = _data()
    del d.urine_tests
    with pytest.raises(InputError, match="urine_tests"):
        followup(d, outcome="relapse", end_date="2023-12-31")
    d = _data()
    d.events = d.events.drop(columns="kind")
    with pytest.raises(InputError, match="kind"):
        followup(d, outcome="any", end_date="2023-12-31")


def test_empty_events_and_dict_input():
    d = _data()
    tables = {**vars(d), "events": d.events.iloc[:0], "urine_tests": d.urine_tests.iloc[:0]}
    f = followup(tables, outcome="any", end_date="2023-12-31").table
    assert f["event"].sum() == 0 and set(f["event_kind"]) == {"end_of_study"}


def test_followup_is_a_frozen_result_that_keeps_its_unit():
    import dataclasses

    fu = followup(_data(), outcome="any", end_date="2023-12-31", unit="weeks")
    text = repr(fu)
    assert text.startswith("FollowUp(") and "\n" not in text
    assert "unit='weeks'" in text and "n_included=4" in text and "end_date=2023-12-31" in text
    assert fu.exclusions == {"no_start": 1, "start_after_end": 1, "other_program": 0}
    assert fu.summary.loc[0, "n_events"] == 2 and "<table" in fu._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        fu.unit = "days"
    # a column added through assign keeps the unit, and pandas operations cannot drop it
    more = fu.assign(year=fu.table["start"].dt.year)
    assert more.unit == "weeks" and "year" in more.table and "year" not in fu.table
    km = kaplan_meier(more, by="year")
    assert km.unit == "weeks" and km.n == 4
