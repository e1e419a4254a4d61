"""The declared disclosure policy (rehab_eval.disclosure.policy): load, hash, merge, resolve."""

from __future__ import annotations

import doctest
import tomllib
from importlib import resources

import pytest

import rehab_eval.disclosure as disclosure
from rehab_eval.disclosure import (
    audience,
    cells,
    counts,
    default_policy,
    load_policy,
    merge_stricter,
    policy,
    policy_document,
    resolve,
    stats,
    survival,
    tables,
    values,
)
from rehab_eval.disclosure.values import round_for_display
from rehab_eval.errors import ConfigError


def test_packaged_policy_declares_the_product_decision():
    p = default_policy()
    assert p.thresholds == {"min_cell": 5, "display_min": 10, "stats_min": 10}
    assert p.data["audiences"]["default"] == "publik"
    for kind in (
        "enrolled",
        "assessed_pre",
        "assessed_post",
        "pairs",
        "completed",
        "contacts",
        "tests",
    ):
        assert p.kind_of(kind) == "operational"
    for kind in (
        "urine_positive",
        "relapse",
        "reoffence",
        "reliable_deterioration",
        "reliable_improvement",
        "risk_level",
        "readiness_stage",
        "prior_offences",
        "death",
    ):
        assert p.is_sensitive(kind)
    assert p.data["stamp"]["id"] == "TERBATAS — untuk internal, bukan untuk publikasi"
    assert p.data["stamp"]["en"] == "RESTRICTED — internal use, not for publication"
    with pytest.raises(ConfigError, match="'relaps' is not declared"):
        p.kind_of("relaps")


def test_hash_is_of_the_content_not_the_file_layout():
    p = default_policy()
    assert len(p.sha256) == 64
    assert default_policy().sha256 == p.sha256
    # the same data, merged with an empty office file, hashes the same
    assert merge_stricter(p, {}).sha256 == p.sha256
    stricter = merge_stricter(p, {"thresholds": {"min_cell": 10}})
    assert stricter.sha256 != p.sha256


def test_office_may_declare_a_stricter_policy(tmp_path):
    office = tmp_path / "bapas_semarang.toml"
    office.write_text(
        '[thresholds]\nmin_cell = 10\ndisplay_min = 20\n[counts]\nsensitive = ["contacts"]\n'
        "[precision]\nscore = 0\n",
        encoding="utf-8",
    )
    p = load_policy(office)
    assert p.thresholds == {"min_cell": 10, "display_min": 20, "stats_min": 10}
    assert p.is_sensitive("contacts")
    assert p.precision["score"] == 0
    assert p.sources == ("rehab_eval", "bapas_semarang.toml")
    d = resolve(policy=p)
    assert (d.min_cell, d.display_min, d.stats_min) == (10, 20, 10)


@pytest.mark.parametrize(
    ("office", "match"),
    [
        ({"thresholds": {"min_cell": 3}}, "thresholds.min_cell = 3 is lower"),
        ({"thresholds": {"stats_min": 5}}, "thresholds.stats_min = 5 is lower"),
        ({"counts": {"operational": ["relapse"]}}, "'relapse' is sensitive"),
        ({"precision": {"score": 3}}, "more decimals"),
        ({"audiences": {"publik": {"per_person_marks": True}}}, "looser"),
        ({"audiences": {"publik": {"suppress_counts": False}}}, "looser"),
        ({"audiences": {"internal": {"stamp": False}}}, "looser"),
        ({"audiences": {"default": "internal"}}, "cannot be changed"),
        ({"thresholds": {"cells": 5}}, "unknown threshold"),
    ],
)
def test_a_looser_office_policy_is_refused(office, match):
    with pytest.raises(ConfigError, match=match):
        merge_stricter(default_policy(), office, source="kantor.toml")


def test_bad_policy_files_name_the_problem(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_policy(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[thresholds\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_policy(bad)


def test_publik_is_the_default_and_refuses_a_lower_threshold():
    d = resolve()
    assert (d.audience, d.min_cell, d.display_min, d.stats_min, d.stamped) == (
        "publik",
        5,
        10,
        10,
        False,
    )
    assert d.stamp("id") is None
    for value in (1, 2, 4):
        with pytest.raises(ConfigError) as err:
            resolve("publik", value)
        message = str(err.value)
        assert "\n" not in message
        assert "audience: internal" in message
        assert "di bawah ambang kebijakan (5)" in message
    with pytest.raises(ConfigError, match="display_min=5"):
        resolve("publik", display_min=5)
    with pytest.raises(ConfigError, match="use audience: internal"):
        resolve("publik", 1, lang="en")
    # raising is allowed, and raises the statistics and display thresholds with it
    assert (resolve("publik", 12).min_cell, resolve("publik", 12).stats_min) == (12, 12)


def test_internal_takes_any_threshold_and_is_stamped():
    d = resolve("internal")
    assert (d.min_cell, d.display_min, d.stats_min, d.stamped) == (None, 0, 0, True)
    assert d.stamp("id") == "TERBATAS — untuk internal, bukan untuk publikasi"
    assert d.stamp("en") == "RESTRICTED — internal use, not for publication"
    assert resolve("internal", 1).min_cell is None
    assert resolve("internal", 3).min_cell == 3
    with pytest.raises(ConfigError, match="audience='press' tidak dikenal"):
        resolve("press")
    with pytest.raises(ConfigError, match="whole number"):
        resolve("publik", 5.5)  # type: ignore[arg-type]


def test_record_for_run_json_and_closing_slide():
    record = resolve("internal", 3).record()
    assert record == {
        "policy": "rehab_eval",
        "version": 1,
        "sha256": default_policy().sha256,
        "sources": ["rehab_eval"],
        "audience": "internal",
        "min_cell": 3,
        "display_min": 0,
        "stats_min": 0,
        "stamp": "TERBATAS — untuk internal, bukan untuk publikasi",
    }
    assert resolve().record()["stamp"] is None


def test_closing_line_and_display_rounding():
    sha = default_policy().sha256[:12]
    assert resolve().closing_line("id") == (
        f"Kebijakan pengungkapan rehab_eval v1 (sha256:{sha}), audiens publik, ambang <5"
    )
    assert (
        resolve("internal").closing_line("en").endswith("audience internal, threshold exact counts")
    )
    assert round_for_display(0.380952, "percent", resolve()) == 0.38
    assert round_for_display(0.8125, "effect_size", resolve()) == 0.81
    assert round_for_display(3.14159, "score", resolve()) == 3.1
    assert round_for_display(3.14159, "score", resolve("internal")) == 3.14159
    assert round_for_display(float("nan"), "score", resolve()) is None
    with pytest.raises(ConfigError, match="no display precision 'digits'"):
        round_for_display(1.0, "digits", resolve())


def test_short_form_and_policy_document_in_both_languages():
    d = resolve()
    short_id, short_en = d.short_form("id"), d.short_form("en")
    assert '"<5"' in short_id and "sedikitnya 10 orang" in short_id
    assert '"<5"' in short_en and "at least 10" in short_en
    assert "{" not in short_id + short_en
    assert resolve("publik", 7).short_form("id").count('"<7"') == 1
    document = policy_document()
    assert "## Bahasa Indonesia" in document and "## English" in document
    assert "TERBATAS — untuk internal, bukan untuk publikasi" in document
    # the packaged TOML and the documented numbers agree
    data = tomllib.loads(
        resources.files("rehab_eval.disclosure").joinpath("policy.toml").read_text("utf-8")
    )
    assert data["thresholds"]["min_cell"] == 5 and "sedikitnya 5 orang" in document


@pytest.mark.parametrize(
    "module", [policy, audience, cells, counts, stats, survival, tables, values, disclosure]
)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
