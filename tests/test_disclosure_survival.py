"""Kaplan–Meier curves cut where the risk set falls under the display threshold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rehab_eval.disclosure import at_risk_display, resolve, truncate_km
from rehab_eval.errors import InputError
from rehab_eval.recidivism import kaplan_meier

PUBLIK = resolve()
INTERNAL = resolve("internal")


@pytest.fixture
def follow_up() -> pd.DataFrame:
    rng = np.random.default_rng(12)
    n_a, n_b = 40, 14
    return pd.DataFrame(
        {
            "duration": np.concatenate([rng.integers(1, 25, n_a), rng.integers(1, 25, n_b)]),
            "event": np.concatenate([rng.integers(0, 2, n_a), rng.integers(0, 2, n_b)]),
            "level": ["tinggi"] * n_a + ["sedang"] * n_b,
        }
    )


def _km(frame, **kwargs):
    result = kaplan_meier(frame, by="level", **kwargs)
    return getattr(result, "table", result)


def test_publik_curves_stop_where_fewer_than_ten_are_at_risk(follow_up):
    table = _km(follow_up, all_times=True)
    cut = truncate_km(table, PUBLIK)
    assert cut.threshold == 10
    assert (cut.table["at_risk"] >= 10).all()
    assert list(cut.table.columns) == list(table.columns)
    for group, rows in table.groupby("group"):
        first_under = rows.loc[rows["at_risk"] < 10, "time"].min()
        assert cut.cut_time(group) == first_under
        kept = cut.table[cut.table["group"] == group]
        assert kept["time"].max() < first_under
        # every step of the full curve before the cut is kept, none after it
        assert len(kept) == (rows["time"] < first_under).sum()
    # a step past the cut (one person's event) is nowhere in the published table
    past = table[table["at_risk"] < 10]
    assert not past.empty
    assert cut.table.merge(past[["group", "time"]], on=["group", "time"]).empty


def test_internal_keeps_every_step(follow_up):
    table = _km(follow_up)
    cut = truncate_km(table, INTERNAL)
    pd.testing.assert_frame_equal(cut.table.reset_index(drop=True), table.reset_index(drop=True))
    assert cut.cuts["cut_time"].isna().all()


def test_at_risk_table_agrees_with_the_cut_curve(follow_up):
    full = _km(follow_up)
    cut = truncate_km(full, PUBLIK)
    grid = _km(follow_up, times=[0, 3, 6, 9, 12, 15, 18, 21, 24])
    shown = at_risk_display(grid, cut)
    assert list(shown.columns) == ["group", "time", "at_risk", "at_risk_value", "status"]
    for row in shown.itertuples():
        cut_at = cut.cut_time(row.group)
        if row.at_risk_value is not None:
            assert row.at_risk_value >= 10 and (np.isnan(cut_at) or row.time < cut_at)
        else:
            assert row.at_risk == "<10"
    true = grid.set_index(["group", "time"])["at_risk"]
    for row in shown.itertuples():
        if row.at_risk_value is None:
            assert true[(row.group, row.time)] < 10 or row.time >= cut.cut_time(row.group)
    exact = at_risk_display(grid, truncate_km(full, INTERNAL))
    assert exact["at_risk_value"].tolist() == grid["at_risk"].tolist()


def test_a_group_under_the_threshold_has_no_curve():
    frame = pd.DataFrame({"duration": [3, 5, 8, 12, 14, 20], "event": [1, 0, 1, 1, 0, 0]})
    km = kaplan_meier(frame)
    cut = truncate_km(km, PUBLIK)
    assert cut.table.empty
    assert cut.cut_time("all") == pytest.approx(float(getattr(km, "table", km)["time"].min()))
    with pytest.raises(InputError, match="truncate_km"):
        truncate_km(pd.DataFrame({"t": [1]}), PUBLIK)
