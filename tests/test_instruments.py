"""Instrument declarations: registry, refusals, and the declared item maps."""

from __future__ import annotations

import dataclasses

import pytest

import rehab_eval
from rehab_eval import InstrumentError, vocab
from rehab_eval.instruments import get_instrument, list_instruments


def test_list_instruments_is_the_shared_vocabulary():
    table = list_instruments()
    assert sorted(table["name"]) == sorted(vocab.INSTRUMENTS)
    assert {"name", "title", "n_items", "scales", "profiles", "citation"} <= set(table.columns)
    assert (table["citation"].str.len() > 40).all()
    assert rehab_eval.list_instruments is list_instruments
    assert rehab_eval.get_instrument is get_instrument


@pytest.mark.parametrize("name", ["urica_24", "URICA-24", "urica24"])
def test_urica_24_item_form_is_refused_with_a_reason(name):
    with pytest.raises(InstrumentError, match="24-item form is not supported.*official"):
        get_instrument(name)


def test_unknown_instrument_names_the_known_ones():
    with pytest.raises(
        InstrumentError, match="unknown instrument 'sf36'.*assist, urica, whoqol_bref"
    ):
        get_instrument("sf36")


def test_names_are_forgiving_and_declarations_frozen():
    inst = get_instrument("WHOQOL-BREF")
    assert inst is get_instrument("whoqol_bref")
    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        inst.allowed["q1"] = (1.0,)  # type: ignore[index]


def test_whoqol_item_map_matches_the_who_syntax():
    # WHO SPSS syntax: PHYS=MEAN.6(Q3,Q4,Q10,Q15,Q16,Q17,Q18) … ENVIR=MEAN.6(Q8,Q9,Q12,Q13,Q14,Q23,Q24,Q25)
    inst = get_instrument("whoqol_bref")
    scales = {s.name: [int(i[1:]) for i in s.items] for s in inst.scales}
    assert scales == {
        "physical": [3, 4, 10, 15, 16, 17, 18],
        "psychological": [5, 6, 7, 11, 19, 26],
        "social": [20, 21, 22],
        "environment": [8, 9, 12, 13, 14, 23, 24, 25],
    }
    assert inst.reversed == ("q3", "q4", "q26") and inst.reverse_sum == 6
    used = sorted(int(i[1:]) for s in inst.scales for i in s.items)
    assert used == list(range(3, 27))  # Q1 and Q2 are in no domain
    assert [r.column for r in inst.raw] == ["overall_qol", "overall_health"]
    syntax = inst.profiles["who_spss_syntax"]
    assert dict(syntax.min_answered) == {
        "physical": 6,
        "psychological": 5,
        "social": 2,
        "environment": 6,
    }
    assert syntax.case_min_answered == 21
    prose = inst.profiles["who_manual_prose"]
    assert dict(prose.min_answered) == {
        "physical": 5,
        "psychological": 4,
        "social": 3,
        "environment": 6,
    }
    assert inst.default_profile == "who_spss_syntax"


def test_urica_uses_28_items_and_ignores_the_decoys():
    inst = get_instrument("urica")
    items = sorted(int(i[1:]) for s in inst.scales for i in s.items)
    assert len(items) == 28 and len(set(items)) == 28
    assert sorted(set(range(1, 33)) - set(items)) == [4, 9, 20, 31]
    assert all(len(s.items) == 7 for s in inst.scales)
    assert not inst.reversed


def test_assist_declares_ten_substances_and_the_form_weights():
    inst = get_instrument("assist")
    assert inst.blocks == vocab.SUBSTANCES
    assert inst.allowed["q2"] == (0, 2, 3, 4, 6)
    assert inst.allowed["q4"] == (0, 4, 5, 6, 7)  # not the 2/3/4 printed in some copies
    assert inst.allowed["q5"] == (0, 5, 6, 7, 8)
    ssi = inst.scales[0]
    assert ssi.items_for("tobacco") == ("q2", "q3", "q4", "q6", "q7")
    assert ssi.items_for("alcohol") == ("q2", "q3", "q4", "q5", "q6", "q7")
    assert len(inst.item_columns) == 70 and inst.item_columns[0] == "tobacco_q1"


@pytest.mark.parametrize("name", vocab.INSTRUMENTS)
def test_labels_in_both_languages(name):
    inst = get_instrument(name)
    assert inst.label_id and inst.label_en
    assert all(s.label_id and s.label_en for s in inst.scales)


def _whoqol_declaration() -> dict:
    import tomllib
    from importlib.resources import files

    text = files("rehab_eval.instruments").joinpath("declarations/whoqol_bref.toml").read_text()
    return tomllib.loads(text)


def test_whoqol_published_reliability_is_declared_with_its_source():
    """Skevington, Lotfy & O'Connell 2004, Table 3; shared by the 4-20 and 0-100 outputs."""
    inst = get_instrument("whoqol_bref")
    rel = inst.published_reliability
    assert dict(rel.values) == {
        "physical": 0.82,
        "psychological": 0.81,
        "social": 0.68,
        "environment": 0.80,
    }
    assert "Skevington" in rel.source and "Table 3" in rel.source
    assert rel.statistic == "Cronbach's alpha"
    assert inst.reliability_of("physical_0_100") == 0.82
    assert inst.reliability_of("social_4_20") == 0.68
    assert inst.reliability_of("environment") == 0.80
    assert inst.reliability_of("overall_qol") is None
    assert get_instrument("urica").reliability_of("action") is None


def test_whoqol_declares_no_norms_until_a_source_gives_them():
    inst = get_instrument("whoqol_bref")
    assert dict(inst.norms) == {}
    assert inst.norms_of("physical_0_100") is None


def test_declared_norms_are_read_and_checked():
    from rehab_eval.instruments.registry import _build

    d = _whoqol_declaration()
    d["norms"] = {
        "physical_0_100": {"functional_mean": 70.0, "functional_sd": 15.0, "source": "Ref 1"}
    }
    inst = _build(d)
    norms = inst.norms_of("physical_0_100")
    assert (norms.functional_mean, norms.functional_sd, norms.clinical_mean) == (70.0, 15.0, None)
    assert norms.source == "Ref 1"
    d["norms"] = {"fisik": {"functional_mean": 70.0, "functional_sd": 15.0, "source": "Ref"}}
    with pytest.raises(InstrumentError, match="norms of unknown column 'fisik'"):
        _build(d)
    d["norms"] = {"physical_0_100": {"functional_mean": 70.0, "functional_sd": 0.0, "source": "R"}}
    with pytest.raises(InstrumentError, match="SDs must be positive"):
        _build(d)


@pytest.mark.parametrize(
    ("values", "match"),
    [({"physical": 1.2}, "must lie in"), ({"fisik": 0.8}, "unknown scale 'fisik'")],
)
def test_bad_published_reliability_is_refused(values, match):
    from rehab_eval.instruments.registry import _build

    d = _whoqol_declaration()
    d["published_reliability"] = {"source": "Ref", "values": values}
    with pytest.raises(InstrumentError, match=match):
        _build(d)
