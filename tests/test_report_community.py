"""community_report: the IBM Rejosari programme (reach, sessions by month, counselling,
outcomes where instruments exist), built through the section builders.

The selection has no instrument and no urine test: each of those sections says so in one
sentence and draws nothing (no 0 %). The render of this selection (the report's default)
is part of tests/test_notebooks.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from rehab_eval.reports.sections import community as report
from rehab_eval.reports.sections._model import TableOut

SELECTION = {"facility": "Kelurahan Rejosari", "program": "ibm"}


@pytest.fixture(scope="module")
def ctx(demo):
    return report.community_context(demo["processed"], **SELECTION)


@pytest.fixture(scope="module")
def ibm(demo):
    enrollments = pd.read_parquet(demo["processed"] / "enrollments.parquet")
    chosen = enrollments[enrollments["program"] == "ibm"]
    contacts = pd.read_parquet(demo["processed"] / "contacts.parquet")
    return chosen, contacts[contacts["client_id"].isin(set(chosen["client_id"]))]


def _table(section):
    return next(i.frame for i in section.items if isinstance(i, TableOut))


def test_open_period_is_the_first_and_last_start(ctx, ibm):
    chosen, _ = ibm
    assert ctx.period == (
        chosen["start_date"].min().date().isoformat(),
        chosen["start_date"].max().date().isoformat(),
    )
    assert ctx.flow["enrolled"] == chosen["client_id"].nunique() == 12


def test_reach_counts_statuses_and_new_clients_by_month(ctx, ibm, demo):
    chosen, _ = ibm
    section = report.reach_section(ctx)
    truth = next(p for p in demo["truth"]["programs"] if p["key"] == "rejosari_2025")["statuses"]
    table = _table(section)
    shown = dict(zip(table.iloc[:, 0], table.iloc[:, 1], strict=True))
    assert shown == {"Selesai": str(truth["completed"]), "Aktif": str(truth["active"]),
                     "Putus program": str(truth["dropped_out"])}  # fmt: skip
    ax = section.figures()[0].fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    expected = chosen["start_date"].dt.to_period("M").value_counts().sort_index()
    assert sum(heights) == 12 and heights[0] == expected.iloc[0]
    assert section.key_points[0].startswith("12 klien mulai antara Jan")


def test_sessions_by_month_add_up_to_the_contacts(ctx, ibm):
    _, contacts = ibm
    section = report.sessions_section(ctx)
    table = _table(section)
    recorded = table["Sesi tercatat"].astype(int)
    attended = table["Sesi dihadiri"].astype(int)
    assert recorded.sum() == len(contacts)
    assert attended.sum() == int(contacts["attended"].fillna(False).sum())
    by_month = contacts.groupby(contacts["date"].dt.to_period("M")).size()
    assert recorded.tolist() == by_month.tolist()
    rate = attended.sum() / recorded.sum()
    assert section.values["attendance_rate"] == pytest.approx(round(rate, 2))
    assert section.summary["sessions_recorded"] == str(len(contacts))


def test_counselling_leaves_out_services_without_records(ctx):
    table = _table(report.counselling_section(ctx))
    assert table.iloc[:, 0].tolist() == ["Konseling"]  # no urine row of 0 / 0
    assert table.iloc[0, 2] == f"{table.iloc[0, 2].split(' / ')[0]} / 65"


def test_no_instrument_is_one_sentence(ctx):
    (section,) = report.outcome_sections(ctx)
    assert section.items == [] and section.no_data.startswith("Belum ada data instrumen")


def test_a_group_under_min_cell_shows_no_count(demo, ibm):
    chosen, _ = ibm
    starts = chosen["start_date"].sort_values().unique()
    small = report.community_context(
        demo["processed"], **SELECTION, period_start=str(pd.Timestamp(starts[-2]).date())
    )
    assert 0 < small.flow["enrolled"] < 5
    for build in (report.reach_section, report.sessions_section, report.counselling_section):
        section = build(small)
        assert section.figures() == [] and "lebih kecil dari 5 orang" in section.items[0]
