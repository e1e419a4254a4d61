"""Each shipped indicator on small hand-made tables whose answers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rehab_eval.indicators as ri
from rehab_eval.errors import InputError
from rehab_eval.intervals import wilson_interval
from rehab_eval.recidivism import followup, rates_at

D = pd.Timestamp
DOMAINS = ["physical_0_100", "psychological_0_100", "social_0_100", "environment_0_100"]
ALPHA = dict(zip(DOMAINS, [0.82, 0.81, 0.68, 0.80], strict=True))


def tables(clients, enrollments, *, events=(), urine=(), scores=None):
    """Canonical tables from short row lists (dates as strings)."""
    cl = pd.DataFrame(
        clients, columns=["client_id", "facility", "province", "release_date"]
    ).assign(sex="male", birth_date=D("1990-01-01"), facility_type="lapas")
    cl["release_date"] = pd.to_datetime(cl["release_date"])
    en = pd.DataFrame(
        enrollments,
        columns=["client_id", "program", "facility", "start_date", "end_date", "status"],
    ).assign(level="sedang", cohort=None)
    en["start_date"] = pd.to_datetime(en["start_date"])
    en["end_date"] = pd.to_datetime(en["end_date"])
    ev = pd.DataFrame(list(events), columns=["client_id", "date", "kind"])
    ev["date"] = pd.to_datetime(ev["date"])
    ur = pd.DataFrame(list(urine), columns=["client_id", "date", "result"]).assign(substances="")
    ur["date"] = pd.to_datetime(ur["date"])
    out = {
        "clients": cl,
        "enrollments": en,
        "events": ev,
        "urine_tests": ur,
        "contacts": pd.DataFrame(columns=["client_id", "date", "kind", "attended"]),
        "assessments": pd.DataFrame(columns=["client_id", "instrument", "timepoint", "date"]),
    }
    empty = pd.DataFrame(
        {"client_id": [], "instrument": [], "timepoint": [], "date": pd.to_datetime([]),
         "level": [], **{d: [] for d in DOMAINS}}
    )  # fmt: skip
    out["scores"] = empty if scores is None else scores
    return out


def row(result, indicator, year, category=""):
    t = result.table
    hit = t[(t["indicator"] == indicator) & (t["year"] == year) & (t["category"] == category)]
    assert len(hit) == 1, (indicator, year, category)
    return hit.iloc[0]


# --- completion, and a client in two facilities ---------------------------------------------


@pytest.fixture(scope="module")
def completion_data():
    rs = "rehabilitasi_sosial"
    clients = [(c, "Lapas X", "Provinsi A", None) for c in "abcdefg"]
    enrollments = [
        ("a", rs, "Lapas X", "2023-02-01", "2023-08-01", "completed"),
        ("b", rs, "Lapas X", "2023-03-01", "2023-05-01", "dropped_out"),
        ("c", rs, "Lapas X", "2023-11-01", None, "active"),
        ("d", rs, "Lapas X", "2023-04-01", "2023-10-01", None),
        ("e", rs, "Lapas X", "2022-04-01", "2022-10-01", "completed"),
        ("f", "ibm", "Lapas X", "2023-04-01", "2023-10-01", "completed"),
        # g: completes at Lapas X, then drops out of a later episode at Rutan Y (same province)
        ("g", rs, "Lapas X", "2023-01-10", "2023-06-10", "completed"),
        ("g", "rehabilitasi_medis", "Rutan Y", "2023-07-01", "2023-09-01", "dropped_out"),
    ]
    return tables(clients, enrollments)


def test_completion_counts_ended_episodes_once_per_person(completion_data):
    x = ri.compute_indicators(completion_data, "ditjenpas_rehabilitasi", year=2023,
                              facility="Lapas X", end_date="2024-12-31",
                              indicators=["selesai_program"])  # fmt: skip
    r = row(x, "selesai_program", 2023)
    # a, b, c, d, g at Lapas X; c still active, d without status; completed: a, g
    assert (r["n_population"], r["denominator"], r["numerator"]) == (5, 3, 2)
    assert r["realisasi"] == pytest.approx(200 / 3)
    assert "1 program belum selesai (20,0% dari 5)" in r["excluded"]
    assert "1 status tidak tercatat (20,0% dari 5)" in r["excluded"]
    assert r["formula"] == "2 : 3 × 100% = 66,7%"
    lo, hi = wilson_interval(2, 3)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo * 100, hi * 100))
    assert row(x, "selesai_program", 2022)["formula"] == "1 : 1 × 100% = 100,0%"


def test_a_client_in_two_facilities_counts_at_each_and_once_in_the_province(completion_data):
    def completion(**where):
        x = ri.compute_indicators(completion_data, "ditjenpas_rehabilitasi", year=2023,
                                  previous_years=False, end_date="2024-12-31",
                                  indicators=["selesai_program"], **where)  # fmt: skip
        r = row(x, "selesai_program", 2023)
        return r["numerator"], r["denominator"]

    assert completion(facility="Rutan Y") == (0, 1)  # g dropped out there
    assert completion(facility="Lapas X") == (2, 3)  # g completed there
    # in the province g is one person, described by the latest episode (Rutan Y: dropped out)
    assert completion(province="Provinsi A") == (1, 3)
    assert completion() == (1, 3)


def test_unknown_facility_is_refused_with_the_known_names(completion_data):
    with pytest.raises(InputError) as err:
        ri.compute_indicators(completion_data, "ditjenpas_rehabilitasi", year=2023,
                              facility="Lapas Z")  # fmt: skip
    assert "Lapas X" in str(err.value) and "Rutan Y" in str(err.value)


# --- quality of life: reliable change and the simple comparison ------------------------------


def _scores(rows):
    out = []
    for client, tp, date, values in rows:
        rec = {"client_id": client, "instrument": "whoqol_bref", "timepoint": tp,
               "date": D(date)}  # fmt: skip
        rec.update(dict(zip(DOMAINS, values, strict=True)))
        out.append(rec)
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def qol():
    rs = "rehabilitasi_sosial"
    base = [50.0, 50.0, 50.0, 50.0]
    ids = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"]
    pre_values = {
        "q1": [40.0, 55.0, 45.0, 50.0],
        "q2": [60.0, 45.0, 65.0, 55.0],
        "q3": [50.0, 50.0, 40.0, 45.0],
        "q5": [35.0, 40.0, 55.0, 60.0],
        "q7": [55.0, 60.0, 50.0, 40.0],
        "q8": [45.0, 50.0, 60.0, 50.0],
    }
    rows = [
        ("q1", "pre", "2023-02-01", pre_values["q1"]),
        ("q1", "post", "2023-08-01", [60.0, 55.0, 45.0, 50.0]),  # +20 physical: improved
        ("q2", "pre", "2023-02-01", pre_values["q2"]),
        ("q2", "post", "2023-08-01", [80.0, 45.0, 40.0, 55.0]),  # +20 / -25: not counted
        ("q3", "pre", "2023-02-01", pre_values["q3"]),
        ("q3", "post", "2023-08-01", [53.0, 53.0, 43.0, 48.0]),  # +3 everywhere: simple only
        ("q4", "pre", "2023-02-01", base),  # no post: no pair
        ("q5", "m1", "2023-02-05", pre_values["q5"]),
        ("q5", "m3", "2023-04-05", [40.0, 50.0, 55.0, 60.0]),
        ("q5", "m6", "2023-07-05", [35.0, 65.0, 55.0, 60.0]),  # m1 -> m6: +25 psychological
        ("q6", "pre", "2023-02-01", base),
        ("q6", "post", "2023-08-01", [70.0, 70.0, np.nan, 70.0]),  # social missing: no pair
        ("q7", "pre", "2023-02-01", pre_values["q7"]),
        ("q7", "post", "2023-08-01", [50.0, 60.0, 50.0, 40.0]),  # -5: neither
        # q8: its pre belongs to an earlier episode at another office (2021): no pair here
        ("q8", "pre", "2021-02-01", pre_values["q8"]),
        ("q8", "post", "2023-08-01", [90.0, 90.0, 90.0, 90.0]),
    ]
    clients = [(c, "Lapas X", "A", None) for c in ids]
    enrollments = [(c, rs, "Lapas X", "2023-02-01", "2023-08-01", "completed") for c in ids]
    enrollments.append(("q8", rs, "Rutan Y", "2021-02-01", "2021-03-01", "completed"))
    data = tables(clients, enrollments, scores=_scores(rows))
    return data, pre_values


@pytest.fixture(scope="module")
def qol_result(qol):
    data, _ = qol
    return ri.compute_indicators(data, "ditjenpas_rehabilitasi", year=2023, facility="Lapas X",
                                 end_date="2024-12-31",
                                 indicators=["kualitas_hidup_rci", "kualitas_hidup_sederhana"])  # fmt: skip


def test_reliable_improvement_on_one_domain_without_deterioration(qol, qol_result):
    _, pre_values = qol
    x = qol_result
    r = row(x, "kualitas_hidup_rci", 2023)
    paired = ["q1", "q2", "q3", "q5", "q7"]
    # the RCI by hand: S_diff = sqrt(2) * SD_pre * sqrt(1 - r), SD_pre over the paired clients
    pre = np.array([pre_values[c] for c in paired])
    s_diff = np.sqrt(2) * pre.std(axis=0, ddof=1) * np.sqrt(1 - np.array(list(ALPHA.values())))
    diffs = {"q1": [20, 0, 0, 0], "q2": [20, 0, -25, 0], "q3": [3, 3, 3, 3],
             "q5": [0, 25, 0, 0], "q7": [-5, 0, 0, 0]}  # fmt: skip
    expected = 0
    for c in paired:
        rci = np.array(diffs[c]) / s_diff
        expected += int((rci > 1.96).any() and not (rci < -1.96).any())
    assert expected == 2  # q1 and q5 (the worked values are chosen to give this)
    assert (r["n_population"], r["denominator"], r["numerator"]) == (8, 5, expected)
    assert "3 tanpa penilaian pra dan pasca lengkap" in r["excluded"]  # q4, q6, q8


def test_simple_comparison_counts_any_rise_of_the_domain_mean(qol_result):
    r = row(qol_result, "kualitas_hidup_sederhana", 2023)
    # mean of the domains rises for q1 (+5), q3 (+3), q5 (+6.25); q2 -1.25, q7 -1.25
    assert (r["denominator"], r["numerator"]) == (5, 3)
    assert "bukan perubahan reliabel" in r["label"]


# --- not re-offending within 12 / 24 months, with censoring ----------------------------------


@pytest.fixture(scope="module")
def released():
    rs = "rehabilitasi_sosial"
    clients = [
        ("r1", "Lapas X", "A", "2022-01-01"),
        ("r2", "Lapas X", "A", "2022-01-01"),
        ("r3", "Lapas X", "A", "2022-01-01"),
        ("r4", "Lapas X", "A", "2022-01-01"),
        ("r5", "Lapas X", "A", "2022-12-01"),
        ("r6", "Lapas X", "A", "2022-01-01"),  # not a rehabilitation participant
        ("r7", "Lapas X", "A", "2021-03-01"),  # released the year before
    ]
    enrollments = [
        (c, rs, "Lapas X", "2021-02-01", "2021-08-01", "completed")
        for c in ["r1", "r2", "r3", "r4", "r5", "r7"]
    ]
    enrollments.append(("r6", "ibm", "Lapas X", "2021-02-01", "2021-08-01", "completed"))
    events = [
        ("r1", "2022-05-01", "rearrest"),  # within 12
        ("r3", "2022-06-01", "death"),  # censored before 12 months: not followed
        ("r4", "2023-03-01", "reconviction"),  # 14 months: after 12, within 24
        ("r6", "2022-02-01", "rearrest"),
        ("r7", "2021-04-01", "rearrest"),
    ]
    return tables(clients, enrollments, events=events)


@pytest.fixture(scope="module")
def released_result(released):
    return ri.compute_indicators(released, "ditjenpas_rehabilitasi", year=2022,
                                 end_date="2023-06-30",
                                 indicators=["tidak_mengulangi_12", "tidak_mengulangi_24"])  # fmt: skip


def test_not_reoffending_among_those_followed_the_full_window(released_result):
    x = released_result
    r12 = row(x, "tidak_mengulangi_12", 2022)
    # population r1..r5; r3 (died) and r5 (released Dec 2022, < 12 months of data) not followed
    assert (r12["n_population"], r12["denominator"], r12["numerator"]) == (5, 3, 2)
    assert r12["excluded"] == "2 belum diikuti penuh (40,0% dari 5)"
    r24 = row(x, "tidak_mengulangi_24", 2022)
    # only r1 (4 months) and r4 (14 months) have a known outcome at 24 months: both re-offended
    assert (r24["denominator"], r24["numerator"]) == (2, 0)
    r7 = row(x, "tidak_mengulangi_12", 2021)
    assert (r7["denominator"], r7["numerator"]) == (1, 0)


def test_reoffending_counts_agree_with_followup_and_rates_at(released, released_result):
    x = released_result
    ids = ["r1", "r2", "r3", "r4", "r5"]
    sub = {k: (v[v["client_id"].isin(ids)] if "client_id" in v else v) for k, v in released.items()}
    fu = followup(sub, outcome="any", end_date="2023-06-30", unit="months")
    rates = rates_at(fu, [12, 24]).table.set_index("window")
    for w in (12, 24):
        r = row(x, f"tidak_mengulangi_{w}", 2022)
        assert r["denominator"] == rates.at[w, "n_full_followup"]
        assert r["numerator"] == rates.at[w, "n_full_followup"] - rates.at[w, "n_events_in_window"]


# --- no relapse, with missing tests ----------------------------------------------------------


@pytest.fixture(scope="module")
def pascarehab():
    pr = "pascarehabilitasi"
    ids = ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]
    clients = [(c, "Bapas S", "B", None) for c in ids]
    enrollments = [(c, pr, "Bapas S", "2024-01-10", "2024-07-10", "completed") for c in ids]
    enrollments[5] = ("p6", pr, "Bapas S", "2025-03-01", None, "active")
    urine = [
        ("p1", "2024-02-10", "negative"), ("p1", "2024-03-10", "negative"),
        ("p2", "2024-02-10", "negative"), ("p2", "2024-04-10", "positive"),
        ("p3", "2024-02-10", "negative"),
        ("p5", "2024-01-10", "positive"),  # on the start day: intake, ignored
        ("p5", "2024-02-10", "negative"), ("p5", "2024-03-10", "negative"),
        ("p5", "2024-09-10", "positive"),  # after the 6-month window
        ("p6", "2025-04-01", "negative"), ("p6", "2025-05-01", "negative"),
        ("p7", "2024-02-10", "refused"), ("p7", "2024-03-10", "negative"),
    ]  # fmt: skip
    events = [("p4", "2024-03-01", "relapse")]
    return tables(clients, enrollments, events=events, urine=urine)


@pytest.fixture(scope="module")
def pascarehab_result(pascarehab):
    return ri.compute_indicators(pascarehab, "bnn_pascarehabilitasi", year=2025,
                                 end_date="2025-06-30")  # fmt: skip


def test_no_relapse_among_clients_tested_enough_with_the_untested_share(pascarehab_result):
    x = pascarehab_result
    r = row(x, "tanpa_relaps", 2024)
    # p1, p5 no relapse; p2 relapsed; p3, p4, p7 fewer than 2 counted tests (refused not counted)
    assert (r["n_population"], r["denominator"], r["numerator"]) == (6, 3, 2)
    assert r["excluded"] == "3 tes urine kurang dari syarat (50,0% dari 6)"
    r25 = row(x, "tanpa_relaps", 2025)  # p6 started 2025-03-01: not followed 6 months yet
    assert (r25["n_population"], r25["denominator"]) == (1, 0)
    assert np.isnan(r25["realisasi"]) and r25["formula"] == "0 : 0 × 100% = –"


# --- ASSIST levels and referral ---------------------------------------------------------------


@pytest.fixture(scope="module")
def screened():
    ids = ["s1", "s2", "s3", "s4", "s5", "s6"]
    levels = ["rendah", "sedang", "tinggi", "tinggi", None, "rendah"]
    dates = ["2024-03-01"] * 5 + ["2023-12-30"]
    scores = pd.DataFrame({"client_id": ids, "instrument": "assist", "timepoint": "pre",
                           "date": pd.to_datetime(dates), "level": levels})  # fmt: skip
    clients = [(c, "Rutan B", "B", None) for c in ids]
    enrollments = [(c, "asesmen", "Rutan B", d, d, "completed") for c, d in zip(ids, dates,
                                                                              strict=True)]  # fmt: skip
    enrollments += [
        ("s1", "ibm", "IBM K", "2024-03-31", None, "active"),  # 30 days, matching: referred
        ("s2", "ibm", "IBM K", "2024-03-10", None, "active"),  # sedang -> ibm: not matching
        ("s3", "rehabilitasi_medis", "BNNP", "2024-06-09", None, "active"),  # 100 days: late
        ("s4", "rehabilitasi_medis", "BNNP", "2024-03-11", None, "active"),  # referred
    ]
    return tables(clients, enrollments, scores=scores)


def test_assist_levels_and_share_referred(screened):
    x = ri.compute_indicators(screened, "bnn_pascarehabilitasi", year=2024,
                              end_date="2024-12-31")  # fmt: skip
    got = {c: (row(x, "asesmen_assist", 2024, c)["numerator"],
               row(x, "asesmen_assist", 2024, c)["denominator"])
           for c in ("rendah", "sedang", "tinggi")}  # fmt: skip
    assert got == {"rendah": (1, 4), "sedang": (1, 4), "tinggi": (2, 4)}
    assert row(x, "asesmen_assist", 2024, "tinggi")["excluded"] == (
        "1 nilai tidak tercatat (20,0% dari 5)"
    )
    ref = row(x, "rujukan_sesuai", 2024)
    assert (ref["denominator"], ref["numerator"]) == (4, 2)
    assert np.isnan(row(x, "asesmen_assist", 2024, "rendah")["capaian"])  # a distribution
    assert row(x, "asesmen_assist", 2023, "rendah")["numerator"] == 1  # s6, screened in 2023


def test_every_number_follows_from_the_per_person_detail(pascarehab_result, released_result):
    for x in (pascarehab_result, released_result):
        d = x.clients
        for r in x.table.itertuples():
            g = d[(d["indicator"] == r.indicator) & (d["year"] == r.year)
                  & (d["category"] == r.category)]  # fmt: skip
            assert r.n_population == g["client_id"].nunique()
            assert r.denominator == g["eligible"].sum()
            assert r.numerator == (g["eligible"] & g["event"]).sum()
