"""Golden files: every declared instrument is scored on ``tests/golden/<instrument>/``.

``responses.csv`` holds one form per ``case`` (with the ``options`` to score it with, e.g.
``profile=who_manual_prose``); ``expected.csv`` holds the expected value of each checked
output column, with its source (see each folder's SOURCES.md). An empty expected value means
the score must be missing.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rehab_eval import DataQualityWarning
from rehab_eval.instruments import get_instrument, list_instruments
from rehab_eval.scoring import score

GOLDEN = Path(__file__).parent / "golden"


def _options(text: str) -> dict[str, object]:
    options: dict[str, object] = {}
    for pair in filter(None, str(text).split(";")):
        key, value = pair.split("=")
        options[key] = {"true": True, "false": False}.get(value, value)
    return options


def _score_golden(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    responses = pd.read_csv(GOLDEN / name / "responses.csv", keep_default_na=False, na_values=[""])
    responses["options"] = responses["options"].fillna("")
    expected = pd.read_csv(
        GOLDEN / name / "expected.csv", dtype=str, keep_default_na=False, na_values=[]
    )
    parts = []
    for opts, rows in responses.groupby("options", sort=False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            parts.append(score(rows, name, **_options(opts)))
    return pd.concat(parts).set_index("case"), expected


@pytest.mark.parametrize("name", sorted(list_instruments()["name"]))
def test_every_registered_instrument_has_golden_files(name):
    for file in ("responses.csv", "expected.csv", "SOURCES.md"):
        assert (GOLDEN / name / file).is_file(), f"no golden {file} for instrument {name}"
    expected = pd.read_csv(GOLDEN / name / "expected.csv", dtype=str, keep_default_na=False)
    assert (expected["source"].str.len() > 0).all(), "every expected value names its source"
    unknown = set(expected["column"]) - set(get_instrument(name).score_columns())
    assert not unknown, f"expected.csv names columns that score() does not produce: {unknown}"


@pytest.mark.parametrize("name", sorted(list_instruments()["name"]))
def test_golden_scores_match(name):
    scored, expected = _score_golden(name)
    assert scored.index.is_unique
    failures = []
    for row in expected.itertuples():
        actual = scored.at[row.case, row.column]
        if row.expected == "":
            ok = actual is None or (not isinstance(actual, str) and pd.isna(actual))
        elif row.expected in ("True", "False"):
            ok = bool(actual) is (row.expected == "True") and isinstance(actual, bool | np.bool_)
        else:
            try:
                want = float(row.expected)
            except ValueError:
                ok = actual == row.expected
            else:
                ok = actual is not None and abs(float(actual) - want) <= 1e-9
        if not ok:
            failures.append(f"{row.case}.{row.column}: expected {row.expected!r}, got {actual!r}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", sorted(list_instruments()["name"]))
def test_golden_covers_every_case(name):
    responses = pd.read_csv(GOLDEN / name / "responses.csv", dtype=str)
    expected = pd.read_csv(GOLDEN / name / "expected.csv", dtype=str)
    assert set(responses["case"]) == set(expected["case"])
