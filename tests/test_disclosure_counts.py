"""Counts and shares with the policy applied (rehab_eval.disclosure.counts, .cells).

The attacker of these tests knows every published value, every declared relation, that a
"<5" cell holds 1–4 and that an "x" sensitive cell holds 0 or at least 5. The properties
check, on random small tables of a parent group and a sub-group published together, that
no sensitive count of 1–4 is shown, and that none (nor the implied count outside the
sub-group) is determined by linear differencing of the published cells.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab_eval.disclosure import (
    feasible_range,
    protect_cells,
    resolve,
    show_count,
    show_counts,
    show_share,
)
from rehab_eval.disclosure.cells import COMPLEMENTARY, PRIMARY, SHOWN, UNPUBLISHED
from rehab_eval.errors import InputError

PUBLIK = resolve()
INTERNAL = resolve("internal")


@pytest.mark.parametrize(
    ("n", "kind", "group", "publik", "internal"),
    [
        (21, "enrolled", None, "21", "21"),
        (3, "enrolled", None, "<5", "3"),  # a group under the threshold: its size as "<5"
        (19, "completed", 21, "19", "19"),
        (3, "completed", 21, "3", "3"),  # operational counts of a group of 21: exact
        (3, "relapse", 21, "<5", "3"),
        (0, "relapse", 21, "0", "0"),
        (5, "relapse", 21, "5", "5"),
        (1, "completed", 3, "x", "1"),  # nothing is counted inside a group under 5
        (0, "relapse", 3, "x", "0"),
        (1234, "tests", None, "1.234", "1.234"),
        (None, "tests", None, "–", "–"),
    ],
)
def test_show_count(n, kind, group, publik, internal):
    shown = show_count(n, kind, PUBLIK, group_size=group)
    assert shown.text == publik
    assert (shown.value is None) == (publik in ("<5", "x", "–"))
    assert show_count(n, kind, INTERNAL, group_size=group).text == internal
    assert show_count(1234, "tests", PUBLIK, lang="en").text == "1,234"


@settings(max_examples=200)
@given(
    st.integers(0, 60),
    st.sampled_from(["relapse", "urine_positive", "death", "risk_level", "completed", "tests"]),
    st.one_of(st.none(), st.integers(0, 60)),
)
def test_publik_never_shows_a_sensitive_count_under_the_threshold(n, kind, group):
    shown = show_count(n, kind, PUBLIK, group_size=group)
    if shown.value is not None:
        assert shown.text == str(n)
        if kind not in ("completed", "tests") or group is None:
            assert not 0 < n < 5
        assert group is None or not 0 < group < 5
    assert show_count(n, kind, INTERNAL, group_size=group).text == str(n)


def test_semarang_flow_is_shown_exactly():
    # the 21-client 2024 cohort: every operational count of a group of 21 is published
    flow = {"enrolled": 21, "assessed_pre": 19, "assessed_post": 17, "pairs": 17, "completed": 19}
    out = show_counts(flow, {k: k for k in flow}, PUBLIK, group_size=21)
    assert {k: v.text for k, v in out.items()} == {k: str(v) for k, v in flow.items()}
    assert all(v.value == flow[k] for k, v in out.items())


def test_tiny_group_hides_every_count_inside_it():
    out = show_counts(
        {"enrolled": 1, "completed": 1},
        {"enrolled": "enrolled", "completed": "completed"},
        PUBLIK,
        group_size=1,
    )
    assert [v.text for v in out.values()] == ["x", "x"]
    assert show_count(1, "enrolled", PUBLIK).text == "<5"


def test_a_line_against_its_total():
    kinds = {
        "all": "enrolled",
        "rendah": "risk_level",
        "sedang": "risk_level",
        "tinggi": "risk_level",
    }
    values = {"all": 35, "rendah": 3, "sedang": 12, "tinggi": 20}
    out = show_counts(values, kinds, PUBLIK, relations=[("all", ["rendah", "sedang", "tinggi"])])
    assert [v.text for v in out.values()] == ["35", "<5", "x", "20"]
    exact = show_counts(
        values, kinds, INTERNAL, relations=[("all", ["rendah", "sedang", "tinggi"])]
    )
    assert [v.text for v in exact.values()] == ["35", "3", "12", "20"]


def test_difference_with_a_sub_cohort_is_protected():
    # "38% of 21 tests" in the report, "33% of 18 tests" for a sub-cohort: 8 − 6 = 2 positives
    values = {"tests": 21, "pos": 8, "sub_tests": 18, "sub_pos": 6, "rest_tests": 3, "rest_pos": 2}
    kinds = {
        "tests": "tests",
        "sub_tests": "tests",
        "rest_tests": "tests",
        "pos": "urine_positive",
        "sub_pos": "urine_positive",
        "rest_pos": "urine_positive",
    }
    relations = [("tests", ["sub_tests", "rest_tests"]), ("pos", ["sub_pos", "rest_pos"])]
    out = show_counts(
        values, kinds, PUBLIK, relations=relations, unpublished={"rest_tests", "rest_pos"}
    )
    assert "rest_pos" not in out and "rest_tests" not in out
    assert out["tests"].text == "21" and out["sub_tests"].text == "18"  # operational: kept
    hidden = [k for k in ("pos", "sub_pos") if out[k].value is None]
    assert hidden == ["sub_pos"]
    parent = show_share(8, 21, PUBLIK, kind="urine_positive", denominator_kind="tests")
    child = show_share(6, 18, PUBLIK, kind="urine_positive", denominator_kind="tests", hidden=True)
    assert parent.percent.text == "38%" and parent.ci.text == "[21%; 59%]"
    assert child.percent.text == "x" and child.ci.value is None
    # without the declared relation the attack would work: the audit itself says so
    status = {k: SHOWN for k in values} | {"rest_tests": UNPUBLISHED, "rest_pos": UNPUBLISHED}
    assert feasible_range(values, status, relations, "rest_pos", 5) == (2, 2)


@pytest.mark.parametrize(
    ("k", "n", "kwargs", "percent", "ci"),
    [
        (8, 21, {"kind": "urine_positive"}, "38%", "[21%; 59%]"),
        (3, 21, {"kind": "urine_positive"}, "≤20%", "–"),  # 4/21 = 19,05 %: no more than "<5"
        (2, 20, {"kind": "relapse"}, "≤20%", "–"),  # 4/20 = 20 % exactly
        (19, 21, {"kind": "urine_negative", "complement_kind": "urine_positive"}, "≥80%", "–"),
        (19, 21, {"kind": "completed", "complement_kind": "dropped_out"}, "90%", "[71%; 97%]"),
        (0, 21, {"kind": "relapse"}, "0%", "[0%; 15%]"),
    ],
)
def test_show_share(k, n, kwargs, percent, ci):
    share = show_share(k, n, PUBLIK, **kwargs)
    assert share.percent.text == percent
    assert share.ci.text == ci
    assert share.denominator.text == str(n)
    exact = show_share(k, n, INTERNAL, **kwargs)
    assert exact.percent.value == pytest.approx(k / n)
    assert exact.numerator.text == str(k)


def test_share_of_a_tiny_group_is_hidden():
    share = show_share(1, 3, PUBLIK, kind="completed")
    assert share.denominator.text == "<5" and share.percent.text == "x"
    assert show_share(1, 3, INTERNAL, kind="completed").percent.text == "33%"
    assert show_share(3, 21, PUBLIK, kind="urine_positive", lang="en").percent.text == "≤20%"


def test_coarsened_bound_reveals_no_more_than_the_mark():
    # for every n, "≤b%" holds for k = 1 … 4 and excludes nothing else a "<5" would allow
    for n in range(5, 200):
        share = show_share(4, n, PUBLIK, kind="relapse")
        bound = float(share.percent.text.strip("≤%").replace(",", "."))
        assert 4 / n * 100 <= bound + 1e-9


def test_bad_relations_are_named():
    with pytest.raises(InputError, match="does not hold: 10 ≠ 9"):
        protect_cells({"t": 10, "a": 4, "b": 5}, sensitive={"a"}, relations=[("t", ["a", "b"])])
    with pytest.raises(InputError, match="no cell 'c'"):
        protect_cells({"t": 10, "a": 10}, sensitive={"a"}, relations=[("t", ["a", "c"])])
    with pytest.raises(InputError, match="not a whole number"):
        protect_cells({"t": -1}, sensitive=set())


# --- the audit itself against brute force ----------------------------------------------


def _brute_range(values, status, target, m):
    """Feasible values of ``target`` in one line ``total = sum(cells)`` by subset-sum DP."""
    hidden = [k for k in values if k != "total" and status[k] != SHOWN]
    held = values["total"] - sum(values[k] for k in values if k != "total" and status[k] == SHOWN)
    domain = {
        k: set(range(1, m)) if status[k] == PRIMARY else {0, *range(m, held + 1)} for k in hidden
    }
    reachable = {0}
    for k in hidden:
        if k != target:
            reachable = {a + b for a in reachable for b in domain[k] if a + b <= held}
    feasible = [v for v in domain[target] if held - v in reachable]
    return min(feasible), max(feasible)


@settings(max_examples=60)
@given(st.lists(st.integers(0, 9), min_size=2, max_size=4), st.data())
def test_milp_audit_matches_brute_force_on_a_line(cells, data):
    values = {f"c{i}": v for i, v in enumerate(cells)} | {"total": sum(cells)}
    status = {"total": SHOWN}
    for key, v in values.items():
        if key != "total":
            status[key] = (
                PRIMARY if 0 < v < 5 else data.draw(st.sampled_from([SHOWN, COMPLEMENTARY]))
            )
    for target in [k for k in values if status[k] == PRIMARY]:
        expected = _brute_range(values, status, target, 5)
        got = feasible_range(
            values, status, [("total", [k for k in values if k != "total"])], target, 5
        )
        assert got == expected


# --- random parent/sub-group tables ----------------------------------------------------


@st.composite
def nested_tables(draw):
    k = draw(st.integers(2, 4))
    parent = draw(st.lists(st.integers(0, 9), min_size=k, max_size=k))
    child = [draw(st.integers(0, p)) for p in parent]
    values, kinds = {}, {}
    for i in range(k):
        values[f"p{i}"], values[f"c{i}"], values[f"r{i}"] = (
            parent[i],
            child[i],
            parent[i] - child[i],
        )
        for prefix in "pcr":
            kinds[f"{prefix}{i}"] = "risk_level"
    values |= {"P": sum(parent), "C": sum(child), "R": sum(parent) - sum(child)}
    kinds |= {"P": "enrolled", "C": "enrolled", "R": "enrolled"}
    relations = [
        ("P", [f"p{i}" for i in range(k)]),
        ("C", [f"c{i}" for i in range(k)]),
        ("R", [f"r{i}" for i in range(k)]),
        ("P", ["C", "R"]),
        *[(f"p{i}", [f"c{i}", f"r{i}"]) for i in range(k)],
    ]
    unpublished = {f"r{i}" for i in range(k)} | {"R"}
    return values, kinds, relations, unpublished


def _determined(values, shown_keys, relations, target):
    """Linear differencing: is ``target`` fixed by the relations and the shown values alone?"""
    keys = list(values)
    a = np.zeros((len(relations), len(keys)))
    for r, (total, parts) in enumerate(relations):
        a[r, keys.index(total)] += 1
        for p in parts:
            a[r, keys.index(p)] -= 1
    hidden = [i for i, key in enumerate(keys) if key not in shown_keys]
    ah = a[:, hidden]
    e = np.zeros(len(hidden))
    e[hidden.index(keys.index(target))] = 1
    return np.linalg.matrix_rank(np.vstack([ah, e])) == np.linalg.matrix_rank(ah)


@settings(max_examples=60)
@given(nested_tables())
def test_no_small_sensitive_count_is_recoverable_from_a_parent_and_sub_group(table):
    values, kinds, relations, unpublished = table
    out = show_counts(values, kinds, PUBLIK, relations=relations, unpublished=unpublished)
    shown_keys = {k for k, v in out.items() if v.value is not None}
    for key, shown in out.items():
        # publik never shows a sensitive count of 1 … 4
        if kinds[key] == "risk_level" and shown.value is not None:
            assert not 0 < shown.value < 5
            assert shown.text == str(values[key])
        if shown.text == "<5":
            assert 0 < values[key] < 5
    for key, value in values.items():
        if kinds[key] == "risk_level" and 0 < value < 5:
            assert not _determined(values, shown_keys, relations, key), key
    exact = show_counts(values, kinds, INTERNAL, relations=relations, unpublished=unpublished)
    assert all(v.text == str(values[k]) for k, v in exact.items())


@settings(max_examples=40)
@given(st.lists(st.lists(st.integers(0, 12), min_size=3, max_size=3), min_size=2, max_size=4))
def test_two_way_tables_with_margins_resist_linear_differencing(rows):
    # facilities × risk level, with the facility sizes, the level totals and the grand total
    values, kinds, relations = {}, {}, []
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            values[(r, c)], kinds[(r, c)] = v, "risk_level"
        values[("row", r)], kinds[("row", r)] = sum(row), "enrolled"
        relations.append((("row", r), [(r, c) for c in range(3)]))
    for c in range(3):
        values[("col", c)], kinds[("col", c)] = sum(row[c] for row in rows), "risk_level"
        relations.append((("col", c), [(r, c) for r in range(len(rows))]))
    values["all"], kinds["all"] = sum(map(sum, rows)), "enrolled"
    relations += [("all", [("row", r) for r in range(len(rows))])]
    relations += [("all", [("col", c) for c in range(3)])]
    out = show_counts(values, kinds, PUBLIK, relations=relations)
    shown_keys = {k for k, v in out.items() if v.value is not None}
    for key, value in values.items():
        if kinds[key] == "risk_level" and 0 < value < 5:
            assert key not in shown_keys
            assert not _determined(values, shown_keys, relations, key), key
