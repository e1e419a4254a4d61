"""The cohort package by role: one facility definition, one table accessor, reach(by=...)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rehab_eval import cohort
from rehab_eval.errors import ConfigError, InputError
from rehab_eval.etl.processed import Processed, replace_tables, table, tables

PACKAGE = Path(cohort.__file__).parent


@pytest.fixture()
def data():
    clients = pd.DataFrame(
        {
            "client_id": ["a", "b", "c", "d"],
            "facility": ["Bapas X", "Bapas Y", None, "Bapas Y"],
            "province": ["Jawa Tengah", "Jawa Tengah", "Sumatera Selatan", "Jawa Tengah"],
        }
    )
    enrollments = pd.DataFrame(
        {
            "client_id": ["a", "a", "b", "c", "d"],
            "program": ["ibm", "pascarehabilitasi", "ibm", "ibm", "pascarehabilitasi"],
            "facility": [None, "Lapas Z", None, None, "Lapas Z"],
            "start_date": pd.to_datetime(
                ["2024-01-10", "2025-02-01", "2024-03-01", "2024-05-01", "2024-06-01"]
            ),
            "status": ["completed", "active", "dropped_out", "completed", "completed"],
        }
    )
    return {"clients": clients, "enrollments": enrollments}


def test_enrollment_facility_is_the_enrollments_else_the_clients(data):
    got = cohort.enrollment_facility(data)
    assert got.name == "facility"
    assert got.index.equals(data["enrollments"].index)
    assert got.tolist() == ["Bapas X", "Lapas Z", "Bapas Y", None, "Lapas Z"]
    no_clients = cohort.enrollment_facility({"enrollments": data["enrollments"]})
    assert no_clients.isna().tolist() == [True, False, True, True, False]


def test_select_and_reach_share_the_facility_definition(data):
    chosen = cohort.select(data, facility="bapas   y")  # b's enrollment has no facility
    assert chosen["enrollments"]["client_id"].tolist() == ["b"]
    reach = cohort.reach(data)
    pairs = set(zip(reach["year"], reach["facility"], strict=True))
    assert pairs == {
        (2024, "Bapas X"),
        (2024, "Bapas Y"),
        (2024, "unknown"),
        (2024, "Lapas Z"),
        (2025, "Lapas Z"),
    }
    for facility in ("Bapas X", "Bapas Y", "Lapas Z"):
        selected = cohort.select(data, facility=facility)["enrollments"]
        counted = reach.loc[reach["facility"] == facility, "n_clients"].sum()
        per_year = selected.groupby(selected["start_date"].dt.year)["client_id"].nunique().sum()
        assert counted == per_year


def test_reach_by_other_columns_and_none(data):
    by_program = cohort.reach(data, by="program")
    assert list(by_program.columns) == [
        "year",
        "program",
        "n_clients",
        "n_completed",
        "completion_share",
    ]
    assert by_program.set_index(["year", "program"])["n_clients"].to_dict() == {
        (2024, "ibm"): 3,
        (2024, "pascarehabilitasi"): 1,
        (2025, "pascarehabilitasi"): 1,
    }
    both = cohort.reach(data, by=["province", "facility"])
    assert list(both.columns[:3]) == ["year", "province", "facility"]
    assert both["n_clients"].sum() == 5
    total = cohort.reach(data, by=None)
    assert total["facility"].tolist() == ["all", "all"]
    assert total["n_clients"].tolist() == [4, 1] and total["n_completed"].tolist() == [3, 0]
    with pytest.raises(InputError, match="no column 'colour'"):
        cohort.reach(data, by="colour")


def test_reach_by_facility_is_deprecated_but_equal(data):
    with pytest.warns(DeprecationWarning, match="by='facility' or by=None"):
        old_false = cohort.reach(data, by_facility=False)
    pd.testing.assert_frame_equal(old_false, cohort.reach(data, by=None))
    with pytest.warns(DeprecationWarning):
        old_true = cohort.reach(data, by_facility=True)
    pd.testing.assert_frame_equal(old_true, cohort.reach(data))
    with pytest.raises(ConfigError), pytest.warns(DeprecationWarning):
        cohort.reach(data, by="program", by_facility=True)


def test_urine_positivity_conf_level():
    enr = pd.DataFrame({"client_id": ["a", "b"], "start_date": pd.to_datetime(["2024-01-01"] * 2)})
    urine = pd.DataFrame(
        {
            "client_id": ["a", "a", "b", "b"],
            "date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-01-06", "2024-01-21"]),
            "result": ["positive", "negative", "negative", "negative"],
        }
    )
    data = {"enrollments": enr, "urine_tests": urine}
    default = cohort.urine_positivity(data)
    wide = cohort.urine_positivity(data, conf_level=0.99)
    narrow = cohort.urine_positivity(data, conf_level=0.80)
    assert default["share"].tolist() == [0.25]
    # Wilson interval for 1 of 4: R 4.x, prop.test(1, 4, correct = FALSE, conf.level = ...)
    assert default["ci_low"].iloc[0] == pytest.approx(0.0455872608097, abs=1e-12)
    assert default["ci_high"].iloc[0] == pytest.approx(0.6993581574176, abs=1e-12)
    assert wide["ci_low"].iloc[0] == pytest.approx(0.030065595549, abs=1e-11)
    assert wide["ci_high"].iloc[0] == pytest.approx(0.781874277961, abs=1e-11)
    assert wide["ci_low"].iloc[0] < default["ci_low"].iloc[0] < narrow["ci_low"].iloc[0]
    assert wide["ci_high"].iloc[0] > default["ci_high"].iloc[0] > narrow["ci_high"].iloc[0]
    with pytest.raises(ConfigError, match="conf_level"):
        cohort.urine_positivity(data, conf_level=95)


def test_one_accessor_for_every_kind_of_processed_data(data, tmp_path):
    frames = {
        name: pd.DataFrame({"client_id": pd.Series([], dtype="string")})
        for name in ("clients", "assessments", "contacts", "urine_tests", "events", "rejects")
    }
    frames["enrollments"] = data["enrollments"]
    processed = Processed(path=tmp_path, manifest={}, **frames)
    assert processed.table("enrollments") is data["enrollments"]
    assert table(processed, "enrollments") is data["enrollments"]
    assert set(tables(processed)) == set(frames)  # scores None and path are left out

    @dataclasses.dataclass
    class Mine:
        enrollments: pd.DataFrame
        note: str = "x"

    assert table(Mine(data["enrollments"]), "enrollments") is data["enrollments"]
    with pytest.raises(InputError, match="followup: data olahan tidak memuat tabel events"):
        table(data, "events", what="followup")
    with pytest.raises(InputError, match="table 'clients' lacks column\\(s\\) sex"):
        processed.table("clients", columns=["client_id", "sex"])
    empty = table(data, "contacts", required=False)
    assert empty.empty and "kind" in empty.columns
    # select keeps the kind of object it was given
    chosen = cohort.select(processed, program="ibm")
    assert isinstance(chosen, Processed) and chosen.path == tmp_path
    assert chosen.enrollments["client_id"].tolist() == ["a", "b", "c"]
    swapped = replace_tables(data, {"clients": data["clients"].head(1)})
    assert len(swapped["clients"]) == 1 and len(data["clients"]) == 4


def test_modules_are_small_and_the_package_only_re_exports():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("*.py")}
    assert set(sizes) >= {"selection.py", "participant_flow.py", "baseline.py", "attendance.py"}
    assert max(sizes.values()) < 400, sizes
    init = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    assert "def " not in init
    for name in cohort.__all__:
        assert getattr(cohort, name) is not None
    assert not hasattr(cohort, "_table") and not hasattr(cohort, "_tables")
    assert np.isclose(cohort.DAYS_PER_MONTH, 30.4375)
