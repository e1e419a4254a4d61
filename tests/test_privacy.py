"""Small-cell suppression (rehab_eval.privacy).

The rules are the threshold rule with complementary (secondary) suppression of Hundepool et
al. (2012), *Statistical Disclosure Control*, ch. 5. The property test checks the promise
directly: a reader who knows every line total, that a "<5" cell holds 1–4 and that any other
hidden cell holds 0 or at least 5, can never pin a "<5" cell down to a single value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab_eval.errors import ConfigError, InputError
from rehab_eval.privacy import (
    COMPLEMENTARY,
    PRIMARY,
    SHOWN,
    format_count,
    is_suppressed,
    suppress,
    suppress_nested,
    suppression_status,
    threshold_mark,
)


@pytest.mark.parametrize(
    ("n", "min_cell", "expected"),
    [
        (3, 5, True),
        (1, 5, True),
        (4, 5, True),
        (4.0, 5, True),
        (np.int64(2), 5, True),
        (5, 5, False),
        (0, 5, False),  # zero describes nobody
        (35, 5, False),
        (9, 10, True),
        (3, 3, False),
        (3, 1, False),  # threshold 1: off
        (3, 0, False),
        (3, None, False),
        (float("nan"), 5, False),
        (None, 5, False),
    ],
)
def test_is_suppressed(n, min_cell, expected):
    assert is_suppressed(n, min_cell) is expected


@pytest.mark.parametrize(
    ("n", "kwargs", "expected"),
    [
        (3, {}, "<5"),
        (0, {}, "0"),
        (5, {}, "5"),
        (870, {}, "870"),
        (15000, {}, "15.000"),
        (15000, {"lang": "en"}, "15,000"),
        (7, {"min_cell": 10}, "<10"),
        (3, {"min_cell": None}, "3"),
        (float("nan"), {}, "–"),
        (None, {}, "–"),
        (pd.NA, {}, "–"),
    ],
)
def test_format_count(n, kwargs, expected):
    assert format_count(n, **kwargs) == expected
    assert threshold_mark(10) == "<10"


def test_primary_suppression_only_by_default():
    table = pd.DataFrame({"level": ["rendah", "sedang", "tinggi"], "n": [3, 12, 20]})
    before = table.copy()
    out = suppress(table, ["n"])
    assert out["n"].tolist() == ["<5", "12", "20"]
    assert out["level"].tolist() == ["rendah", "sedang", "tinggi"]
    pd.testing.assert_frame_equal(table, before)  # input not mutated
    assert out.index.equals(table.index)


def test_complementary_suppression_against_a_published_column_total():
    # total 35 is in the subtitle: 3 = 35 − 12 − 20 would be recoverable
    table = pd.DataFrame({"n": [3, 12, 20]}, index=["rendah", "sedang", "tinggi"])
    out = suppress(table, ["n"], total="column")
    assert out["n"].tolist() == ["<5", "x", "20"]
    status = suppression_status(table, ["n"], total="column")
    assert status["n"].tolist() == [PRIMARY, COMPLEMENTARY, SHOWN]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # two small cells protect each other: 3 + 2 = 5 splits as 1+4 … 4+1
        ([3, 2, 30], ["<5", "<5", "30"]),
        # 1 + 5 = 6 would still give 1 away (the other hidden cell is at least 5)
        ([1, 5, 30], ["<5", "x", "x"]),
        # 1 + 1 = 2 gives both away: a third cell is needed
        ([1, 1, 30, 40], ["<5", "<5", "x", "40"]),
        # the line holds fewer than 5 in all: nothing can protect it, it is hidden whole
        ([3, 0, 0], ["<5", "x", "x"]),
        # nothing small, nothing hidden
        ([6, 0, 30], ["6", "0", "30"]),
    ],
)
def test_complementary_suppression_examples(counts, expected):
    out = suppress(pd.DataFrame({"n": counts}), ["n"], total="column")
    assert out["n"].tolist() == expected


def test_complementary_suppression_within_groups():
    # Table 1 style: two variables, each adding up to the cohort n
    table = pd.DataFrame(
        {
            "variable": ["sex", "sex", "level", "level", "level"],
            "value": ["male", "female", "rendah", "sedang", "tinggi"],
            "n": [32, 3, 10, 15, 10],
        }
    )
    out = suppress(table, ["n"], total="column", by="variable")
    assert out["n"].tolist() == ["x", "<5", "10", "15", "10"]


def test_row_totals_and_linked_share_columns():
    table = pd.DataFrame(
        {"facility": ["A", "B"], "completed": [3, 20], "dropped_out": [12, 2], "share": [0.2, 0.9]}
    )
    before = table.copy()
    out = suppress(table, ["completed", "dropped_out"], total="row", linked={"share": "completed"})
    # row A: 3 + 12 hidden; row B: 2 alone would be 22 − 20, so 20 is hidden with it
    assert out["completed"].tolist() == ["<5", "x"]
    assert out["dropped_out"].tolist() == ["x", "<5"]
    assert out["share"].tolist() == ["<5", "x"]
    assert out["facility"].tolist() == ["A", "B"]
    pd.testing.assert_frame_equal(table, before)


def test_two_way_table_with_both_margins():
    # URICA stages pre (rows) × post (columns)
    crosstab = pd.DataFrame([[3, 6, 2], [1, 8, 7], [0, 2, 6]])
    out = suppress(crosstab, [0, 1, 2], total="both")
    assert out.to_numpy().tolist() == [["<5", "x", "<5"], ["<5", "8", "x"], ["0", "<5", "x"]]
    # a 3 is never shown, in whatever form
    assert "3" not in out.to_numpy().ravel().tolist()


def test_errors_name_the_problem():
    table = pd.DataFrame({"n": [3]})
    with pytest.raises(InputError, match=r"count column\(s\) \['count'\] not in the table"):
        suppress(table, ["count"])
    with pytest.raises(ConfigError, match="total='margin'"):
        suppress(table, ["n"], total="margin")
    with pytest.raises(InputError, match="linked column 'share'"):
        suppress(table, ["n"], linked={"share": "n"})


def _pinned(values: list[int], status: list[str], m: int) -> bool:
    """Exhaustive check: can a reader who knows the line total fix a "<5" cell to one value?

    The reader knows the sum of the hidden cells, that a "<5" cell holds 1 … m−1 and that
    any other hidden cell holds 0 or m and more. A "<5" cell is pinned when only one of its
    values leaves a sum the other hidden cells can make up.
    """
    hidden = [i for i, s in enumerate(status) if s != SHOWN]
    held = sum(values[i] for i in hidden)
    domain = {
        i: set(range(1, m)) if status[i] == PRIMARY else {0, *range(m, held + 1)} for i in hidden
    }
    for i in hidden:
        if status[i] != PRIMARY:
            continue
        reachable = {0}
        for j in hidden:
            if j != i:
                reachable = {a + b for a in reachable for b in domain[j] if a + b <= held}
        feasible = [v for v in domain[i] if held - v in reachable]
        if len(feasible) < 2:
            return True
    return False


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=14), min_size=2, max_size=5),
    st.sampled_from([3, 5]),
)
def test_no_small_cell_can_be_recovered_from_the_line_total(counts, m):
    status = suppression_status(pd.DataFrame({"n": counts}), ["n"], min_cell=m, total="column")
    flags = status["n"].tolist()
    assert [f == PRIMARY for f in flags] == [0 < c < m for c in counts]
    hidden_all = all(f != SHOWN for f in flags)
    if any(f == PRIMARY for f in flags) and not hidden_all:
        assert not _pinned(counts, flags, m)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 12), min_size=3, max_size=3), min_size=2, max_size=4))
def test_two_way_tables_protect_every_row_and_column(rows):
    frame = pd.DataFrame(rows)
    status = suppression_status(frame, list(frame.columns), total="both")
    values = frame.to_numpy()
    flags = status.to_numpy()
    lines = [(values[r], flags[r]) for r in range(values.shape[0])]
    lines += [(values[:, c], flags[:, c]) for c in range(values.shape[1])]
    for vals, fl in lines:
        fl = list(fl)
        if any(f == PRIMARY for f in fl) and not all(f != SHOWN for f in fl):
            assert not _pinned([int(v) for v in vals], fl, 5)


# --- differences between nested counts (rule 3) -------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([21, 19, 17, 19], ["21", "x", "x", "x"]),  # the Semarang 2024 demo cohort's flow
        ([35, 35, 30, 30], ["35", "35", "30", "30"]),  # differences 0 and 5: all shown
        ([40, 38, 30, 25], ["40", "x", "30", "25"]),  # 38 − 30 no longer matters: 38 hidden
        ([40, 30, 28, 20], ["40", "30", "x", "20"]),
        ([6, 3, 3, 0], ["6", "<5", "<5", "0"]),  # primary cells are not compared further
        ([1200, 1198], ["1.200", "x"]),
    ],
)
def test_suppress_nested_examples(counts, expected):
    assert suppress_nested(counts) == expected


def test_suppress_nested_keeps_mapping_keys_and_switches_off():
    counts = {"enrolled": 21, "assessed_pre": 19, "completed": 12}
    assert suppress_nested(counts, lang="en") == {
        "enrolled": "21",
        "assessed_pre": "x",
        "completed": "12",
    }
    assert counts == {"enrolled": 21, "assessed_pre": 19, "completed": 12}
    assert suppress_nested([21, 19], min_cell=1) == ["21", "19"]
    assert suppress_nested([21, 19], min_cell=2) == ["21", "19"]
    assert suppress_nested([21, 19], min_cell=3) == ["21", "x"]
    assert suppress_nested([21, None]) == ["21", "–"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=6),
    st.integers(2, 11),
)
def test_no_small_difference_between_shown_nested_counts(counts, m):
    shown = suppress_nested(counts, m, lang="en")
    assert len(shown) == len(counts)
    published = [c for c, s in zip(counts, shown, strict=True) if s not in ("x", f"<{m}")]
    for a in published:
        for b in published:
            assert a == b or abs(a - b) >= m
    for c, s in zip(counts, shown, strict=True):
        assert s in ("x", f"<{m}") or s == str(c)
        assert (s == f"<{m}") == (0 < c < m)
