"""rehab_eval.screening: ASSIST levels per substance and overall, follow-up, repeated screenings.

The band edges are the WHO ASSIST v3.0 Feedback Report Card's (alcohol 0–10 / 11–26 / 27+,
others 0–3 / 4–26 / 27+); the rows are scored by :func:`rehab_eval.scoring.score` from the
worked examples of instruments.md §3.5, so the counts rest on the real scoring.
"""

from __future__ import annotations

import pandas as pd
import pytest

from rehab_eval import screening
from rehab_eval.errors import InputError

SUBSTANCES = screening.substances()


def _row(client, date, timepoint="pre", level="rendah", **risks):
    row = {f"{s}_{k}": v for s in SUBSTANCES for k, v in (("ssi", 0.0), ("risk", "low"))}
    for substance, (ssi, band) in risks.items():
        row[f"{substance}_ssi"], row[f"{substance}_risk"] = ssi, band
    return {**row, "client_id": client, "instrument": "assist", "timepoint": timepoint,
            "date": pd.Timestamp(date), "level": level}  # fmt: skip


def _scored_forms() -> pd.DataFrame:
    """Three clients' forms scored by rehab_eval.scoring (instruments.md §3.5 A1, A3, A9)."""
    from rehab_eval.scoring import score

    def form(client, **answers):
        base = {f"{s}_q{i}": 0 for s in SUBSTANCES for i in range(1, 8)}
        return {"client_id": client, "instrument": "assist", "timepoint": "pre",
                "date": pd.Timestamp("2024-03-01"), **base, **answers}  # fmt: skip

    rows = [
        # A1: alcohol 4+4+4+0+6+0 = 18 → moderate (sedang)
        form("a1", alcohol_q1=3, alcohol_q2=4, alcohol_q3=4, alcohol_q4=4, alcohol_q6=6),
        # A3: ATS 6+6+6+7+6+6 = 37 → high (tinggi)
        form("a3", ats_q1=3, ats_q2=6, ats_q3=6, ats_q4=6, ats_q5=7, ats_q6=6, ats_q7=6),
        # A9: alcohol 3+3+4 = 10 → low (boundary), plus tobacco 6+6 = 12 → moderate, not in level
        form("a9", alcohol_q1=3, alcohol_q2=3, alcohol_q3=3, alcohol_q4=4,
             tobacco_q1=3, tobacco_q2=6, tobacco_q3=6),
    ]  # fmt: skip
    return score(pd.DataFrame(rows), "assist")


def test_levels_from_scored_worked_examples():
    scored = _scored_forms()
    levels = screening.risk_levels(scored)
    table = levels.table.set_index(["substance", "level"])
    assert levels.n_clients == 3 and levels.n_undetermined == 0
    assert table.loc[("overall", "rendah"), "n"] == 1  # a9: tobacco moderate is not in the level
    assert table.loc[("overall", "sedang"), "n"] == 1
    assert table.loc[("overall", "tinggi"), "n"] == 1
    assert table.loc[("alcohol", "sedang"), "n"] == 1 and table.loc[("alcohol", "rendah"), "n"] == 2
    assert table.loc[("ats", "tinggi"), "n"] == 1
    assert table.loc[("tobacco", "sedang"), "n"] == 1
    assert table.loc[("overall", "tinggi"), "share"] == pytest.approx(1 / 3)
    # every substance lists every level, and the counts add up to the clients screened
    assert len(levels.table) == 3 * (len(SUBSTANCES) + 1)
    sums = levels.table.groupby("substance")["n"].sum()
    assert (sums == 3).all()
    assert list(levels.table["substance"].drop_duplicates())[:2] == ["overall", "tobacco"]


def test_follow_up_per_band():
    levels = screening.risk_levels(_scored_forms())
    plan = screening.follow_up(levels)
    assert plan["level"].tolist() == ["rendah", "sedang", "tinggi"]
    assert plan["follow_up"].tolist() == ["advice", "brief_intervention", "referral"]
    assert plan["n"].tolist() == [1, 1, 1]


def test_first_and_last_screening_and_other_instruments_ignored():
    rows = pd.DataFrame(
        [
            _row("a", "2024-07-01", "post", "sedang", ats=(10.0, "moderate")),
            _row("a", "2024-01-05", "pre", "tinggi", ats=(30.0, "high")),
            _row("b", "2024-02-01", "pre", "rendah"),
            {**_row("c", "2024-02-01"), "instrument": "whoqol_bref"},
        ]
    )
    numbered = screening.assist_rows(rows)
    assert numbered[["client_id", "screening", "n_screenings"]].values.tolist() == [
        ["a", 1, 2], ["a", 2, 2], ["b", 1, 1]
    ]  # fmt: skip
    first = screening.risk_levels(rows).overall().set_index("level")["n"]
    last = screening.risk_levels(rows, screening="last").overall().set_index("level")["n"]
    assert first.to_dict() == {"rendah": 1, "sedang": 0, "tinggi": 1}
    assert last.to_dict() == {"rendah": 1, "sedang": 1, "tinggi": 0}
    with pytest.raises(InputError):
        screening.risk_levels(rows, screening="middle")


def test_changes_between_repeated_screenings():
    rows = pd.DataFrame(
        [
            _row("a", "2024-01-05", "pre", "tinggi", ats=(30.0, "high")),
            _row("a", "2024-04-01", "mid", "tinggi", ats=(28.0, "high")),
            _row("a", "2024-07-04", "post", "sedang", ats=(10.0, "moderate")),
            _row("b", "2024-01-10", "pre", "rendah"),
            _row("b", "2024-03-10", "post", "sedang", cannabis=(6.0, "moderate")),
            _row("c", "2024-01-10", "pre", "sedang", cannabis=(6.0, "moderate")),
            _row("c", "2024-03-30", "post", "sedang", cannabis=(5.0, "moderate")),
            _row("d", "2024-01-10", "pre", "tinggi"),  # screened once: left out
        ]
    )
    changes = screening.level_changes(rows)
    assert changes.n_repeated == 3
    assert changes.median_days == pytest.approx(80.0)  # 181, 60, 80 days
    overall = changes.directions[changes.directions["substance"] == "overall"].set_index(
        "direction"
    )
    assert overall["n"].to_dict() == {"lower": 1, "same": 1, "higher": 1}
    assert (overall["n_repeated"] == 3).all()
    cells = changes.table.set_index(["substance", "level_first", "level_last"])["n"]
    assert (
        cells[("overall", "tinggi", "sedang")] == 1 and cells[("overall", "rendah", "sedang")] == 1
    )
    assert cells.loc["overall"].sum() == 3 and len(cells.loc["overall"]) == 9
    ats = changes.directions[changes.directions["substance"] == "ats"].set_index("direction")["n"]
    assert ats.to_dict() == {"lower": 1, "same": 2, "higher": 0}


def test_no_repeated_screening_gives_empty_tables():
    rows = pd.DataFrame([_row("a", "2024-01-05"), _row("b", "2024-01-06")])
    changes = screening.level_changes(rows)
    assert changes.n_repeated == 0 and changes.table.empty and changes.directions.empty
    assert "n_repeated=0" in repr(changes)


def test_missing_columns_are_named():
    with pytest.raises(InputError, match="level"):
        screening.risk_levels(pd.DataFrame({"client_id": ["a"], "instrument": ["assist"],
                                            "timepoint": ["pre"], "date": [pd.Timestamp("2024-01-01")]}))  # fmt: skip
