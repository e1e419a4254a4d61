"""Cohort selection, flow, Table 1, dosage, urine positivity and reach on hand-built tables."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab_eval import cohort
from rehab_eval.errors import InputError

REFERENCE = Path(__file__).parent / "reference"


def _d(*values: str) -> pd.Series:
    return pd.to_datetime(pd.Series(values))


@pytest.fixture()
def tables() -> dict[str, pd.DataFrame]:
    clients = pd.DataFrame(
        {
            "client_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "sex": pd.Categorical(
                ["male", "male", "female", "male", None, "male"], categories=["male", "female"]
            ),
            "birth_date": _d(
                "1990-01-01", "1985-06-15", "2000-03-01", "1970-01-01", "1995-01-01", "1980-01-01"
            ),
            "facility": ["Bapas Kelas I Semarang"] * 4 + ["Lapas Kelas I Palembang"] * 2,
            "province": ["Jawa Tengah"] * 4 + ["Sumatera Selatan"] * 2,
            "prior_offences": pd.array([0, 1, 2, None, 0, 3], dtype="Int64"),
        }
    )
    enrollments = pd.DataFrame(
        {
            "client_id": ["c1", "c2", "c3", "c4", "c5", "c6", "c1"],
            "program": ["pascarehabilitasi"] * 4 + ["rehabilitasi_sosial"] * 2 + ["ibm"],
            "facility": ["Bapas Kelas I Semarang"] * 4
            + ["Lapas Kelas I Palembang"] * 2
            + ["Bapas Kelas I Semarang"],
            "level": ["sedang", "tinggi", "sedang", "rendah", "sedang", "tinggi", "rendah"],
            "cohort": ["SMG-2024"] * 4 + ["PLG-2022"] * 2 + ["IBM-2025"],
            "start_date": _d(
                "2024-02-01",
                "2024-02-01",
                "2024-03-15",
                "2024-11-30",
                "2022-05-01",
                "2023-01-10",
                "2025-01-05",
            ),
            "end_date": _d(
                "2024-08-01",
                "2024-08-01",
                "2024-09-15",
                None,
                "2022-11-01",
                "2023-07-10",
                None,
            ),
            "status": ["completed", "completed", "dropped_out", "active", "completed", "completed"]
            + ["active"],
        }
    )
    assessments = pd.DataFrame(
        {
            "client_id": ["c1", "c1", "c2", "c2", "c3", "c4", "c1", "c5"],
            "instrument": ["whoqol_bref"] * 6 + ["urica", "whoqol_bref"],
            "timepoint": ["pre", "post", "pre", "post", "pre", "post", "pre", "pre"],
            "date": _d(*["2024-02-01"] * 8),
        }
    )
    contacts = pd.DataFrame(
        {
            "client_id": ["c1", "c1", "c1", "c2", "c2", "c3", "c5"],
            "date": _d(*["2024-03-01"] * 7),
            "kind": ["home_visit", "home_visit", "group", "home_visit", "group", "group", "group"],
            "attended": pd.array([True, False, True, True, None, True, True], dtype="boolean"),
        }
    )
    urine = pd.DataFrame(
        {
            "client_id": ["c1", "c1", "c2", "c2", "c3", "c3", "c1"],
            # c1 starts 2024-02-01: day 0 → month 1, day 30 → month 1, day 31 → month 2
            "date": _d(
                "2024-02-01",
                "2024-03-02",
                "2024-03-03",
                "2024-01-01",
                "2024-03-15",
                "2024-04-20",
                "2025-01-10",
            ),
            "result": ["negative", "positive", "refused", "positive", "positive", "invalid"]
            + ["positive"],
            "substances": ["", "met", "", "thc", "met", "", "met"],
        }
    )
    events = pd.DataFrame(
        {
            "client_id": ["c2", "c6"],
            "date": _d("2025-01-01", "2024-01-01"),
            "kind": ["rearrest"] * 2,
        }
    )
    rejects = pd.DataFrame({"source_file": ["x.csv"], "reason": ["bad date"]})
    return {
        "clients": clients,
        "enrollments": enrollments,
        "assessments": assessments,
        "contacts": contacts,
        "urine_tests": urine,
        "events": events,
        "rejects": rejects,
    }


def _copy(tables):
    return {k: v.copy(deep=True) for k, v in tables.items()}


# --------------------------------------------------------------------------- select


def test_select_restricts_enrollments_and_every_client_table(tables):
    before = _copy(tables)
    out = cohort.select(
        tables,
        program="pascarehabilitasi",
        facility="  bapas kelas i   SEMARANG ",
        period_start="2024-01-01",
        period_end="2024-12-31",
    )
    assert sorted(out["enrollments"]["client_id"]) == ["c1", "c2", "c3", "c4"]
    assert set(out["clients"]["client_id"]) == {"c1", "c2", "c3", "c4"}
    assert set(out["urine_tests"]["client_id"]) == {"c1", "c2", "c3"}
    assert list(out["events"]["client_id"]) == ["c2"]
    # the IBM episode of c1 (2025) is not part of the cohort
    assert "ibm" not in set(out["enrollments"]["program"])
    assert out["rejects"].equals(tables["rejects"])
    for name, frame in before.items():
        pd.testing.assert_frame_equal(tables[name], frame)


def test_select_period_bounds_are_inclusive_and_checked(tables):
    out = cohort.select(tables, period_start="2024-02-01", period_end="2024-11-30")
    assert sorted(out["enrollments"]["client_id"]) == ["c1", "c2", "c3", "c4"]
    with pytest.raises(InputError, match="before period_start"):
        cohort.select(tables, period_start="2024-12-01", period_end="2024-01-01")
    with pytest.raises(InputError, match="period_start='31/12/2024'"):
        cohort.select(tables, period_start="31/12/2024")


def test_select_by_cohort_province_and_lists(tables):
    out = cohort.select(tables, cohort=["plg-2022"])
    assert sorted(out["clients"]["client_id"]) == ["c5", "c6"]
    out = cohort.select(tables, province="Sumatera Selatan", program=["rehabilitasi_sosial", "ibm"])
    assert sorted(out["enrollments"]["client_id"]) == ["c5", "c6"]


def test_select_facility_falls_back_to_the_clients_facility(tables):
    enr = tables["enrollments"].assign(facility=None)
    out = cohort.select({**tables, "enrollments": enr}, facility="Lapas Kelas I Palembang")
    assert sorted(out["enrollments"]["client_id"]) == ["c5", "c6"]


@dataclasses.dataclass(frozen=True)
class Processed:
    clients: pd.DataFrame
    enrollments: pd.DataFrame
    urine_tests: pd.DataFrame
    manifest: dict


def test_select_returns_the_same_kind_of_object(tables):
    data = Processed(tables["clients"], tables["enrollments"], tables["urine_tests"], {"files": 3})
    out = cohort.select(data, cohort="SMG-2024")
    assert isinstance(out, Processed)
    assert out.manifest == {"files": 3}
    assert sorted(out.clients["client_id"]) == ["c1", "c2", "c3", "c4"]
    assert data.clients.shape[0] == 6


def test_missing_table_is_a_clear_error(tables):
    with pytest.raises(InputError, match="tidak memuat tabel enrollments"):
        cohort.flow({"clients": tables["clients"]})


# --------------------------------------------------------------------------- flow


def test_flow_counts_are_nested(tables):
    data = cohort.select(tables, cohort="SMG-2024")
    out = cohort.flow(data)
    assert list(out["step"]) == list(cohort.FLOW_STEPS)
    # c1..c4 enrolled; whoqol pre: c1, c2, c3; post of those: c1, c2 (c4's post has no pre)
    assert list(out["n"]) == [4, 3, 2, 2]
    assert out["share"].tolist() == pytest.approx([1, 0.75, 0.5, 0.5])
    any_instrument = cohort.flow(data, instrument=None)
    assert list(any_instrument["n"]) == [4, 3, 2, 2]
    urica = cohort.flow(data, instrument="urica")
    assert list(urica["n"]) == [4, 1, 0, 2]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 9),
            st.sampled_from(["pre", "post", "m1"]),
            st.sampled_from(["completed", "active", "dropped_out"]),
        ),
        min_size=0,
        max_size=30,
    )
)
def test_flow_is_monotone_for_any_data(rows):
    ids = [f"c{i}" for i, _, _ in rows]
    enr = pd.DataFrame({"client_id": ids, "status": [s for _, _, s in rows]})
    ass = pd.DataFrame(
        {"client_id": ids, "instrument": "whoqol_bref", "timepoint": [t for _, t, _ in rows]}
    )
    out = cohort.flow({"enrollments": enr, "assessments": ass})
    n = dict(zip(out["step"], out["n"], strict=True))
    assert n["enrolled"] == len(set(ids))
    assert n["enrolled"] >= n["assessed_pre"] >= n["assessed_post"] >= 0
    assert n["completed"] <= n["enrolled"]


# --------------------------------------------------------------------------- table one


def test_table_one_continuous_matches_reference_values():
    ages = [20.0, 25.0, 30.0, 35.0, 40.0, np.nan]
    enr = pd.DataFrame({"client_id": list("abcdef"), "score": ages})
    out = cohort.table_one({"enrollments": enr}, variables={"score": "continuous"}, lang="en")
    row = out.set_index("statistic")
    # mean 30, SD sqrt(62.5) = 7.9057 (n − 1), median 30, quartiles 25 / 35 (R quantile type 7)
    assert row.loc["mean_sd", "mean"] == pytest.approx(30.0)
    assert row.loc["mean_sd", "sd"] == pytest.approx(7.905694150420948)
    assert row.loc["median_iqr", ["median", "q1", "q3"]].tolist() == [30.0, 25.0, 35.0]
    assert row.loc["mean_sd", "n"] == 5
    assert row.loc["missing", "n"] == 1
    assert row.loc["mean_sd", "display"] == "30.0 (7.9)"
    assert row.loc["median_iqr", "display"] == "30.0 [25.0–35.0]"


def test_table_one_age_and_categories(tables):
    data = cohort.select(tables, cohort="SMG-2024")
    out = cohort.table_one(data, variables=["age", "sex", "level", "prior_offences"], lang="id")
    age = out[(out["variable"] == "age") & (out["statistic"] == "mean_sd")].iloc[0]
    start = pd.Timestamp("2024-02-01")
    expected = [
        (start - pd.Timestamp("1990-01-01")).days / 365.25,
        (start - pd.Timestamp("1985-06-15")).days / 365.25,
        (pd.Timestamp("2024-03-15") - pd.Timestamp("2000-03-01")).days / 365.25,
        (pd.Timestamp("2024-11-30") - pd.Timestamp("1970-01-01")).days / 365.25,
    ]
    assert age["mean"] == pytest.approx(np.mean(expected))
    assert age["sd"] == pytest.approx(np.std(expected, ddof=1))
    assert "," in age["display"]  # decimal comma in Indonesian
    sex = out[(out["variable"] == "sex") & (out["statistic"] == "n_pct")].set_index("level")
    assert sex.loc["male", "n"] == 3 and sex.loc["female", "n"] == 1
    assert sex.loc["male", "percent"] == pytest.approx(75.0)
    assert sex.loc["male", "display"] == "3 (75,0%)"
    assert list(sex.index) == ["male", "female"]  # categorical order kept
    prior = out[(out["variable"] == "prior_offences") & (out["statistic"] == "missing")]
    assert prior["n"].item() == 1


def test_table_one_suppresses_small_cells_and_their_complement():
    enr = pd.DataFrame(
        {
            "client_id": [f"c{i}" for i in range(20)],
            "level": ["sedang"] * 11 + ["tinggi"] * 6 + ["rendah"] * 3,
        }
    )
    out = cohort.table_one({"enrollments": enr}, variables=["level"], min_cell=5, lang="en")
    rows = out[out["statistic"] == "n_pct"].set_index("level")
    assert rows.loc["rendah", "display"] == "<5"
    # with one hidden level, the smallest other level is hidden too (else 20 − 11 − 6 = 3),
    # marked "x" as rehab_eval.privacy.suppress does
    assert bool(rows.loc["tinggi", "suppressed"]) and rows.loc["tinggi", "display"] == "x"
    assert rows.loc["sedang", "display"] == "11 (55.0%)"
    # numbers stay exact for computation
    assert rows.loc["rendah", "n"] == 3
    unsuppressed = cohort.table_one({"enrollments": enr}, variables=["level"], lang="en")
    assert not unsuppressed["suppressed"].any()


def test_table_one_by_group_and_errors(tables):
    out = cohort.table_one(tables, variables=["level"], by="program", lang="en")
    assert set(out["group"]) == {"pascarehabilitasi", "rehabilitasi_sosial"}
    with pytest.raises(InputError, match="no column 'height'"):
        cohort.table_one(tables, variables=["height"])
    with pytest.raises(InputError, match="kind 'ordinal'"):
        cohort.table_one(tables, variables={"level": "ordinal"})


# --------------------------------------------------------------------------- dosage


def test_dosage_counts_per_client_including_zeros(tables):
    data = cohort.select(tables, cohort="SMG-2024")
    out = cohort.dosage(data).set_index("kind")
    assert list(out.index) == ["home_visit", "group", "urine_test"]
    hv = out.loc["home_visit"]
    # attended home visits per client: c1 1, c2 1, c3 0, c4 0
    assert (hv["n_clients"], hv["n_clients_any"], hv["n_scheduled"], hv["n_attended"]) == (
        4,
        2,
        3,
        2,
    )
    assert hv["attendance_rate"] == pytest.approx(2 / 3)
    assert hv["mean"] == pytest.approx(0.5)
    assert hv["median"] == pytest.approx(0.5)
    assert hv["max"] == 1
    grp = out.loc["group"]  # c2's unknown attendance counts as not attended
    assert (grp["n_scheduled"], grp["n_attended"], grp["n_clients_any"]) == (3, 2, 2)
    urine = out.loc["urine_test"]  # 6 tests of the cohort, one refused
    assert (urine["n_scheduled"], urine["n_attended"]) == (7, 6)


def test_dosage_with_no_contacts():
    enr = pd.DataFrame({"client_id": ["a", "b"]})
    out = cohort.dosage({"enrollments": enr}, kinds=["home_visit"])
    assert out["n_attended"].tolist() == [0, 0]
    assert out.loc[0, "mean"] == 0.0
    assert np.isnan(out.loc[0, "attendance_rate"])


# --------------------------------------------------------------------------- urine positivity


def _r_reference() -> list[tuple[int, int, float, float]]:
    rows = []
    for line in (REFERENCE / "wilson_prop_test.out").read_text().split("\n"):
        if line.strip():
            x, n, lo, hi = line.split()
            rows.append((int(x), int(n), float(lo), float(hi)))
    return rows


def test_wilson_interval_matches_r_prop_test():
    ref = _r_reference()
    low, high = cohort.wilson_interval([r[0] for r in ref], [r[1] for r in ref])
    np.testing.assert_allclose(low, [r[2] for r in ref], atol=1e-9)
    np.testing.assert_allclose(high, [r[3] for r in ref], atol=1e-9)
    low, high = cohort.wilson_interval(0, 0)
    assert np.isnan(low) and np.isnan(high)


def test_urine_positivity_by_program_month(tables):
    data = cohort.select(tables, cohort="SMG-2024")
    out = cohort.urine_positivity(data)
    assert list(out.columns) == [
        "month",
        "n_tests",
        "n_positive",
        "n_clients",
        "share",
        "ci_low",
        "ci_high",
    ]
    got = {int(r.month): (r.n_tests, r.n_positive) for r in out.itertuples()}
    # month 1: c1 day 0 (neg), c1 day 30 (pos), c3 day 0 (pos); c2's refused test is left out,
    # its pre-start test too, c3's invalid test too; c1's 2025 test is in program month 12
    assert got == {1: (3, 2), 12: (1, 1)}
    refused = cohort.urine_positivity(data, refused_as_positive=True, max_month=6)
    assert {int(r.month): (r.n_tests, r.n_positive) for r in refused.itertuples()} == {
        1: (3, 2),
        2: (1, 1),
    }
    row = out.iloc[0]
    low, high = cohort.wilson_interval(2, 3)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((float(low), float(high)))


def test_urine_positivity_uses_the_latest_enrollment_started_before_the_test(tables):
    # c1 also has an IBM episode starting 2025-01-05: the 2025-01-10 test is month 1 of it
    data = cohort.select(tables, facility="Bapas Kelas I Semarang")
    out = cohort.urine_positivity(data)
    assert set(out["month"]) == {1}
    assert out["n_tests"].item() == 4


def test_urine_positivity_empty():
    out = cohort.urine_positivity({"enrollments": pd.DataFrame({"client_id": ["a"]})})
    assert out.empty and "share" in out.columns


# --------------------------------------------------------------------------- reach


def test_reach_by_year_and_facility(tables):
    out = cohort.reach(tables)
    assert list(out.columns) == ["year", "facility", "n_clients", "n_completed", "completion_share"]
    rows = {(r.year, r.facility): (r.n_clients, r.n_completed) for r in out.itertuples()}
    assert rows == {
        (2022, "Lapas Kelas I Palembang"): (1, 1),
        (2023, "Lapas Kelas I Palembang"): (1, 1),
        (2024, "Bapas Kelas I Semarang"): (4, 2),
        (2025, "Bapas Kelas I Semarang"): (1, 0),
    }
    total = cohort.reach(tables, by=None)
    assert set(total["facility"]) == {"all"}
    assert total.set_index("year").loc[2024, "n_clients"] == 4


def test_reach_reproduces_provincial_volumes():
    rng = np.random.default_rng(7)
    years = np.repeat([2021, 2022, 2023], [870, 800, 520])
    enr = pd.DataFrame(
        {
            "client_id": [f"c{i}" for i in range(len(years))],
            "facility": rng.choice(["Lapas A", "Lapas B", "Rutan C"], size=len(years)),
            "start_date": pd.to_datetime([f"{y}-03-01" for y in years]),
            "status": rng.choice(["completed", "dropped_out"], size=len(years)),
        }
    )
    out = cohort.reach({"enrollments": enr})
    assert out.groupby("year")["n_clients"].sum().tolist() == [870, 800, 520]
    assert out["n_completed"].sum() == (enr["status"] == "completed").sum()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["rendah", "sedang", "tinggi", None]), min_size=1, max_size=40),
    st.integers(min_value=2, max_value=10),
)
def test_table_one_never_displays_a_small_count(levels, min_cell):
    enr = pd.DataFrame({"client_id": [f"c{i}" for i in range(len(levels))], "level": levels})
    out = cohort.table_one({"enrollments": enr}, variables=["level"], min_cell=min_cell)
    for row in out.itertuples():
        shown = row.display
        leading = shown.split(" ")[0]
        if leading.isdigit():
            assert not 0 < int(leading) < min_cell, (shown, min_cell)
        if row.suppressed:
            assert shown in (f"<{min_cell}", "x")
    # a single hidden cell is never left alone in a variable with other non-zero cells
    hidden = out["suppressed"].sum()
    nonzero = (out["n"] > 0).sum()
    assert hidden != 1 or nonzero == 1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(-10, 250),
            st.sampled_from(["negative", "positive", "invalid", "refused"]),
        ),
        min_size=0,
        max_size=40,
    )
)
def test_urine_positivity_shares_lie_in_their_intervals(tests):
    start = pd.Timestamp("2024-01-01")
    enr = pd.DataFrame({"client_id": [f"c{i}" for i in range(6)], "start_date": start})
    urine = pd.DataFrame(
        {
            "client_id": [f"c{c}" for c, _, _ in tests],
            "date": [start + pd.Timedelta(days=d) for _, d, _ in tests],
            "result": [r for _, _, r in tests],
        }
    )
    out = cohort.urine_positivity({"enrollments": enr, "urine_tests": urine})
    usable = sum(1 for _, d, r in tests if d >= 0 and r in ("negative", "positive"))
    assert out["n_tests"].sum() == usable
    assert (out["n_positive"] <= out["n_tests"]).all()
    assert (out["month"] >= 1).all()
    assert (
        (out["ci_low"] <= out["share"] + 1e-12) & (out["share"] <= out["ci_high"] + 1e-12)
    ).all()
