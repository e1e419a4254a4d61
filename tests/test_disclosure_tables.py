"""Count tables with the policy applied (rehab_eval.disclosure.tables)."""

from __future__ import annotations

import pandas as pd
import pytest

from rehab_eval.disclosure import resolve, show_table
from rehab_eval.errors import ConfigError

PUBLIK = resolve()
INTERNAL = resolve("internal")


@pytest.fixture
def table1() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "variable": ["sex", "sex", "level", "level", "level"],
            "value": ["male", "female", "rendah", "sedang", "tinggi"],
            "n": [32, 3, 10, 15, 10],
        }
    )


def test_table1_lines_within_variables(table1):
    before = table1.copy()
    out = show_table(table1, ["n"], PUBLIK, kinds="risk_level", total="column", by="variable")
    assert out.table["n"].tolist() == ["x", "<5", "10", "15", "10"]
    assert out.values["n"].tolist() == [None, None, 10, 15, 10]
    assert out.status["n"].tolist() == ["complementary", "primary", "shown", "shown", "shown"]
    assert out.totals_shown
    pd.testing.assert_frame_equal(table1, before)
    exact = show_table(table1, ["n"], INTERNAL, kinds="risk_level", total="column", by="variable")
    assert exact.table["n"].tolist() == ["32", "3", "10", "15", "10"]


@pytest.mark.parametrize("size", [1, 2, 4])
def test_table1_of_a_tiny_selection_shows_nothing_about_anyone(table1, size):
    out = show_table(table1, ["n"], PUBLIK, kinds="risk_level", group_size=size)
    assert set(out.table["n"]) == {"x"} and set(out.values["n"]) == {None}
    exact = show_table(table1, ["n"], INTERNAL, kinds="risk_level", group_size=size)
    assert exact.table["n"].tolist() == ["32", "3", "10", "15", "10"]


def test_operational_columns_stay_exact_and_linked_shares_follow_their_count():
    frame = pd.DataFrame(
        {
            "facility": ["A", "B", "C"],
            "enrolled": [21, 63, 8],
            "relapse": [3, 12, 0],
            "share": ["14%", "19%", "0%"],
        }
    )
    out = show_table(
        frame,
        ["enrolled", "relapse"],
        PUBLIK,
        kinds={"enrolled": "enrolled", "relapse": "relapse"},
        total="column",
        linked={"share": "relapse"},
    )
    assert out.table["enrolled"].tolist() == ["21", "63", "8"]
    assert out.table["relapse"].tolist() == ["<5", "x", "0"]
    assert out.table["share"].tolist() == ["<5", "x", "0%"]


def test_show_table_errors():
    frame = pd.DataFrame({"n": [3, 4]})
    with pytest.raises(ConfigError, match="total='margin'"):
        show_table(frame, ["n"], PUBLIK, kinds="relapse", total="margin")
    with pytest.raises(ConfigError, match=r"no count kind for column\(s\) \['n'\]"):
        show_table(frame, ["n"], PUBLIK, kinds={})
    with pytest.raises(ConfigError, match="linked column 'share'"):
        show_table(frame, ["n"], PUBLIK, kinds="relapse", linked={"share": "n"})
