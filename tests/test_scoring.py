"""score(): API behaviour (carry-through, index, no mutation, options, strict, warnings)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import rehab_eval
from rehab_eval import ConfigError, DataQualityWarning, InputError, InstrumentError
from rehab_eval.instruments import get_instrument
from rehab_eval.scoring import check_reversal, score

W1 = [4, 4, 4, 5, 4, 3, 4, 5, 3, 4, 5, 3, 4, 3, 4, 3, 4, 4, 5, 4, 3, 5, 4, 3, 4, 4]
Q26 = [f"q{i}" for i in range(1, 27)]


def _whoqol(rng: np.random.Generator, n: int) -> pd.DataFrame:
    frame = pd.DataFrame(rng.integers(1, 6, size=(n, 26)).astype(float), columns=Q26)
    return frame.assign(client_id=[f"C{i:04d}" for i in range(n)], site="Bapas Palembang")


def test_lazy_reexport_is_this_function():
    assert rehab_eval.score is score
    from rehab_eval.scoring import reliability

    assert rehab_eval.reliability is reliability


def test_other_columns_carried_index_kept_input_untouched():
    rng = np.random.default_rng(1)
    frame = _whoqol(rng, 20)
    frame.index = pd.Index(np.arange(100, 120)[::-1], name="row")
    frame.loc[frame.index[3], "q7"] = 9.0
    before = frame.copy(deep=True)
    with pytest.warns(DataQualityWarning, match=r"1 answer\(s\) outside.*q7: 1"):
        out = score(frame, "whoqol_bref")
    pd.testing.assert_frame_equal(frame, before)
    assert out.index.equals(frame.index)
    assert list(out.columns[:2]) == ["client_id", "site"]
    assert list(out.columns[2:]) == list(get_instrument("whoqol_bref").score_columns())
    pd.testing.assert_series_equal(out["client_id"], frame["client_id"])
    assert out.attrs == {}  # the out-of-range count travels in the warning, not in attrs
    with pytest.warns(DataQualityWarning):
        kept = score(frame, "whoqol_bref", keep_items=True, strict=False)
    assert set(Q26) <= set(kept.columns)
    out.iloc[0, 0] = "changed"  # the result shares no memory with the input
    kept.iloc[0, kept.columns.get_loc("q1")] = 99.0
    pd.testing.assert_frame_equal(frame, before)


def test_duplicate_index_labels_are_kept_in_order():
    frame = pd.DataFrame([W1, [3] * 26], columns=Q26, index=["a", "a"])
    out = score(frame, "whoqol_bref")
    assert list(out.index) == ["a", "a"]
    assert out["social_0_100"].tolist() == [75.0, 50.0]


def test_strict_names_column_rows_and_values():
    frame = pd.DataFrame([W1, W1, W1], columns=Q26, index=["r1", "r2", "r3"])
    frame.loc["r2", "q16"] = 7
    frame.loc["r3", "q16"] = 0
    with pytest.raises(
        InstrumentError,
        match=r"'q16'.*2 answer.*allowed set \[1, 2, 3, 4, 5\].*r2, r3.*value.*7, 0",
    ):
        score(frame, "whoqol_bref", strict=True)


def test_text_answers_count_as_out_of_range():
    frame = pd.DataFrame([W1], columns=Q26).astype(object)
    frame.loc[0, "q5"] = "sangat"
    with pytest.warns(DataQualityWarning, match="q5: 1"):
        out = score(frame, "whoqol_bref")
    assert out.loc[0, "psychological_n_answered"] == 5


def test_missing_item_columns_raise_input_error():
    frame = pd.DataFrame([W1[:25]], columns=Q26[:25])
    with pytest.raises(InputError, match="lack 1 item column.*q26"):
        score(frame, "whoqol_bref")


def test_score_column_clash_is_refused():
    frame = pd.DataFrame([W1], columns=Q26).assign(valid="yes")
    with pytest.raises(InputError, match="already have column.*valid"):
        score(frame, "whoqol_bref")


@pytest.mark.parametrize(
    ("instrument", "options", "message"),
    [
        ("whoqol_bref", {"profile": "lenient"}, "unknown profile 'lenient'"),
        ("whoqol_bref", {"prorate": True}, "unknown option.*prorate"),
        ("whoqol_bref", {"prereversed": "ya"}, "prereversed must be True or False"),
        ("urica", {"prereversed": True}, "unknown option.*prereversed"),
        ("urica", {"prorate": True, "profile": "complete"}, "conflicts"),
    ],
)
def test_bad_options_raise_config_error(instrument, options, message):
    n = get_instrument(instrument).n_items
    frame = pd.DataFrame([[3.0] * n], columns=[f"q{i}" for i in range(1, n + 1)])
    with pytest.raises(ConfigError, match=message):
        score(frame, instrument, **options)


def test_refused_form_cannot_be_scored():
    frame = pd.DataFrame([[3.0] * 24], columns=[f"q{i}" for i in range(1, 25)])
    with pytest.raises(InstrumentError, match="24-item"):
        score(frame, "urica_24")


def test_nullable_and_integer_dtypes_are_read():
    frame = pd.DataFrame([W1, W1], columns=Q26).astype("Int64")
    frame.loc[1, "q10"] = pd.NA
    out = score(frame, "whoqol_bref")
    assert out["physical_0_100"].tolist() == pytest.approx([53.571428571428571, 50.0], abs=1e-12)


def test_empty_input_gives_empty_scores():
    out = score(pd.DataFrame(columns=Q26, dtype=float), "whoqol_bref")
    assert len(out) == 0
    assert list(out.columns) == list(get_instrument("whoqol_bref").score_columns())


def test_urica_and_assist_results_have_declared_columns():
    for name in ("urica", "assist"):
        inst = get_instrument(name)
        frame = pd.DataFrame(np.zeros((2, len(inst.item_columns))), columns=inst.item_columns)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            out = score(frame, name)
        assert tuple(out.columns) == inst.score_columns()


# --- reversal check ---------------------------------------------------------------------


def _cohort(rng: np.random.Generator, n: int, prereversed: bool) -> pd.DataFrame:
    """Forms driven by one latent quality of life; Q3/Q4/Q26 answered in the negative
    direction (raw) or already reversed on the paper (prereversed)."""
    latent = rng.normal(size=n)
    noise = rng.normal(scale=0.7, size=(n, 26))
    items = np.clip(np.rint(3 + latent[:, None] + noise), 1, 5)
    negative = [2, 3, 25]  # q3, q4, q26 (0-based)
    if not prereversed:
        items[:, negative] = 6 - items[:, negative]
    return pd.DataFrame(items, columns=Q26)


def test_reversal_check_silent_on_correctly_declared_data():
    rng = np.random.default_rng(7)
    for prereversed in (False, True):
        frame = _cohort(rng, 200, prereversed)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            table = check_reversal(frame, prereversed=prereversed)
        assert list(table["item"]) == ["q3", "q4", "q26"]
        assert list(table["scale"]) == ["physical", "physical", "psychological"]
        assert (table["r_rest"] > 0.3).all() and not table["negative"].any()
        assert (table["n"] == 200).all()


def test_reversal_check_warns_on_double_reversal():
    frame = _cohort(np.random.default_rng(8), 200, prereversed=True)
    with pytest.warns(DataQualityWarning, match="q3 .*q4 .*q26 .*prereversed=True"):
        table = check_reversal(frame)
    assert table["negative"].all() and (table["r_rest"] < -0.3).all()


def test_answers_after_a_skip_gate_are_counted_as_zero_with_a_warning():
    inst = get_instrument("assist")
    frame = pd.DataFrame([dict.fromkeys(inst.item_columns, 0.0)])
    frame["tobacco_q7"] = 6.0  # Q1 = No, yet Q7 entered (assist-php test vector)
    frame[["alcohol_q1", "alcohol_q2", "alcohol_q3"]] = [3.0, 0.0, 4.0]  # Q2 never, Q3 entered
    with pytest.warns(
        DataQualityWarning, match=r"2 non-zero.*tobacco_q1 = 0: 1.*alcohol_q2 = 0: 1"
    ):
        out = score(frame, "assist")
    assert out.loc[0, "tobacco_ssi"] == 0 and out.loc[0, "alcohol_ssi"] == 0


def test_strict_error_masks_identifier_like_row_labels():
    frame = pd.DataFrame([W1], columns=Q26, index=["3171234567890001"])
    frame.iloc[0, 4] = 8
    with pytest.raises(InstrumentError) as info:
        score(frame, "whoqol_bref", strict=True)
    assert "3171234567890001" not in str(info.value)
    assert "************0001" in str(info.value)


def _urica_form(sums: dict[str, int]) -> dict[str, float]:
    """A URICA form whose four subscale sums are as given (answers spread over 7 items)."""
    inst = get_instrument("urica")
    form = {f"q{i}": 3.0 for i in range(1, 33)}
    for scale in inst.scales:
        total = sums[scale.name]
        base, extra = divmod(total, 7)
        for k, item in enumerate(scale.items):
            form[item] = float(base + (1 if k < extra else 0))
    return form


@pytest.mark.parametrize(
    ("sums", "readiness", "stage"),
    [
        # readiness exactly 11 (35 + 35 + 16 - 9 = 77 = 11 * 7): the sum of means in floating
        # point is 10.999999999999998, which must still band as "at or above 11"
        (
            {"precontemplation": 9, "contemplation": 16, "action": 35, "maintenance": 35},
            11.0,
            "preparation_action",
        ),
        # readiness exactly 8 (7 + 26 + 35 - 12 = 56): 8.000000000000002 must band as "8 or less"
        (
            {"precontemplation": 12, "contemplation": 7, "action": 26, "maintenance": 35},
            8.0,
            "precontemplation",
        ),
    ],
)
def test_urica_stage_at_exact_cut_offs(sums, readiness, stage):
    """UMBC cut-offs: precontemplation if R <= 8, contemplation if 8 < R < 11, else prep/action."""
    out = score(pd.DataFrame([_urica_form(sums)]), "urica")
    assert out["readiness"].iloc[0] == pytest.approx(readiness, abs=1e-12)
    assert out["stage"].iloc[0] == stage
