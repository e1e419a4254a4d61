"""Display labels and Indonesian/English number and date formats (rehab_eval.i18n).

Expected formats follow Unicode CLDR v45, locale ``id``: decimal ",", grouping ".",
percent "#,##0%" (no space), long date "d MMMM y", months Januari … Desember.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys
from importlib import resources

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehab_eval import i18n, vocab
from rehab_eval.errors import ConfigError
from rehab_eval.i18n import (
    format_ci,
    format_date,
    format_number,
    format_p,
    format_percent,
    format_period,
    label,
    measure_label,
    t,
)

VOCAB_TUPLES = {
    name: value
    for name, value in vars(vocab).items()
    if name.isupper() and isinstance(value, tuple) and all(isinstance(v, str) for v in value)
}


def test_every_vocab_tuple_has_a_namespace():
    # a new code list in vocab.py must get its labels too
    assert set(VOCAB_TUPLES) == set(i18n.VOCAB_NAMESPACES)


@pytest.mark.parametrize(
    ("constant", "code"),
    [(name, code) for name, codes in VOCAB_TUPLES.items() for code in codes],
)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_vocab_code_has_a_label(constant, code, lang):
    key = f"{i18n.VOCAB_NAMESPACES[constant]}.{code}"
    text = t(key, lang)
    assert text.strip(), key
    assert "_" not in text, f"{key} label looks like a code: {text!r}"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_table_and_column_has_a_label(lang):
    for table, columns in vocab.TABLES.items():
        assert t(f"table.{table}", lang).strip()
        for column in columns:
            assert t(f"column.{column}", lang).strip()


def test_label_table_is_well_formed():
    text = resources.files("rehab_eval").joinpath("i18n_labels.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)), "duplicate keys"
    for row in rows:
        assert row["id"].strip() and row["en"].strip(), row["key"]
        # the same {placeholders} in both languages
        assert set(re.findall(r"{(\w+)}", row["id"])) == set(re.findall(r"{(\w+)}", row["en"]))


def test_indonesian_is_the_default_and_english_on_request():
    assert t("level.tinggi") == "Tinggi"
    assert t("level.tinggi", "en") == "High"
    assert t("status.dropped_out") == "Putus program"
    assert t("program.ibm", "en") == "Community-based intervention"
    assert t("subtitle.n", "id", n="35") == "n = 35 klien"
    assert t("subtitle.n", "en", n="35") == "n = 35 clients"


def test_unknown_key_or_language_is_refused_with_a_clear_message():
    with pytest.raises(ConfigError, match="no display label for key 'level.extreme'"):
        t("level.extreme")
    with pytest.raises(ConfigError, match="lang='fr'"):
        t("level.tinggi", "fr")
    with pytest.raises(ConfigError, match="lang='fr'"):
        format_number(1.5, 1, "fr")


def test_label_falls_back_to_the_code():
    assert label("level", "sedang", "en") == "Moderate"
    assert label("facility", "Bapas Kelas I Semarang") == "Bapas Kelas I Semarang"


@pytest.mark.parametrize(
    ("measure", "lang", "expected"),
    [
        ("physical_0_100", "id", "Fisik"),
        ("physical_0_100", "en", "Physical"),
        ("psychological_4_20", "id", "Psikologis"),
        ("social_0_100", "en", "Social relationships"),
        ("environment_0_100", "id", "Lingkungan"),
        ("overall_qol", "id", "Kualitas hidup umum"),
        ("action", "en", "Action"),
        ("maintenance_sum", "id", "Pemeliharaan"),
        ("readiness", "id", "Kesiapan berubah"),
        ("cannabis_ssi", "id", "Ganja (SSI)"),
        ("some_new_score", "id", "some_new_score"),
    ],
)
def test_measure_labels(measure, lang, expected):
    assert measure_label(measure, lang) == expected


@pytest.mark.parametrize(
    ("x", "decimals", "lang", "expected"),
    [
        (1234.5, 1, "id", "1.234,5"),
        (1234.5, 1, "en", "1,234.5"),
        (870, 0, "id", "870"),
        (15000, 0, "id", "15.000"),
        (15000, 0, "en", "15,000"),
        (1234567.891, 2, "id", "1.234.567,89"),
        (0.125, 3, "id", "0,125"),
        (-3.25, 1, "id", "−3,2"),  # half to even, typographic minus
        (-0.04, 1, "id", "0,0"),  # no negative zero
        (float("nan"), 1, "id", "–"),
        (None, 0, "en", "–"),
        (pd.NA, 0, "id", "–"),
    ],
)
def test_format_number(x, decimals, lang, expected):
    assert format_number(x, decimals, lang) == expected


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=4),
)
def test_format_number_round_trips_through_the_indonesian_separators(x, decimals):
    text = format_number(x, decimals, "id")
    parsed = float(text.replace(".", "").replace(",", ".").replace("−", "-"))
    assert parsed == pytest.approx(float(f"{x:.{decimals}f}"), abs=10 ** (-decimals))
    # the English form carries the same digits
    english = format_number(x, decimals, "en")
    assert english.replace(",", "").replace(".", "") == text.replace(".", "").replace(",", "")


def test_format_percent_and_interval_and_p():
    assert format_percent(0.125, 1) == "12,5%"
    assert format_percent(0.125, 1, "en") == "12.5%"
    assert format_percent(1.0) == "100%"
    assert format_ci(2.14, 8.76, 1) == "[2,1; 8,8]"
    assert format_ci(-1.5, 5.5, 1, "en") == "[−1.5; 5.5]"
    assert format_p(0.0342) == "= 0,034"
    assert format_p(0.0004, "en") == "< 0.001"


def test_format_date_has_indonesian_month_names():
    months = [format_date(dt.date(2025, m, 1)) for m in range(1, 13)]
    assert [m.split()[1] for m in months] == list(i18n.MONTHS["id"])
    # CLDR id wide month names, including Mei, Agustus, Desember
    assert months[4] == "1 Mei 2025"
    assert months[7] == "1 Agustus 2025"
    assert format_date("2025-01-24") == "24 Januari 2025"
    assert format_date("2025-01-24", "en") == "24 January 2025"
    assert format_date(pd.Timestamp("2024-12-31 13:45")) == "31 Desember 2024"
    assert format_date(dt.datetime(2024, 2, 29, 8)) == "29 Februari 2024"
    with pytest.raises(ConfigError, match="cannot read '24/01/2025' as a date"):
        format_date("24/01/2025")


@pytest.mark.parametrize(
    ("start", "end", "lang", "expected"),
    [
        ("2025-01-06", "2025-06-30", "id", "6 Januari – 30 Juni 2025"),
        ("2025-01-06", "2025-06-30", "en", "6 January – 30 June 2025"),
        ("2024-07-01", "2025-06-30", "id", "1 Juli 2024 – 30 Juni 2025"),
        ("2025-03-03", "2025-03-28", "id", "3–28 Maret 2025"),
        ("2025-03-03", "2025-03-03", "id", "3 Maret 2025"),
        ("2024-07-01", None, "id", "sejak 1 Juli 2024"),
        ("2024-07-01", None, "en", "from 1 July 2024"),
    ],
)
def test_format_period(start, end, lang, expected):
    assert format_period(start, end, lang) == expected


def test_format_period_refuses_a_reversed_period():
    with pytest.raises(ConfigError, match="starts 2025-06-30 after it ends 2025-01-01"):
        format_period("2025-06-30", "2025-01-01")


def test_importing_i18n_and_privacy_loads_neither_pandas_nor_matplotlib():
    code = (
        "import sys, rehab_eval.i18n, rehab_eval.privacy, rehab_eval.plots;"
        "print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
