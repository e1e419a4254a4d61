"""Write the golden files ``<instrument>/responses.csv`` and ``expected.csv``.

The expected values are the worked examples of the published scoring rules (see each
folder's SOURCES.md), written out as exact fractions here and stored as the nearest float.
They are never produced by rehab_eval itself. Run: ``python tests/golden/make_golden.py``.
"""

import csv
import os
from fractions import Fraction as F

ROOT = os.path.dirname(os.path.abspath(__file__))


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, str):
        return v
    return repr(float(v))


def write(inst, items, cases, exp):
    os.makedirs(f"{ROOT}/{inst}", exist_ok=True)
    with open(f"{ROOT}/{inst}/responses.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["case", "options", *items])
        for case, opts, row in cases:
            w.writerow([case, opts, *[fmt(row.get(i)) for i in items]])
    with open(f"{ROOT}/{inst}/expected.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["case", "column", "expected", "source"])
        for r in exp:
            w.writerow([r[0], r[1], fmt(r[2]), r[3]])


# ---------------- WHOQOL-BREF
Q = [f"q{i}" for i in range(1, 27)]
W1 = dict(
    zip(
        Q,
        [4, 4, 4, 5, 4, 3, 4, 5, 3, 4, 5, 3, 4, 3, 4, 3, 4, 4, 5, 4, 3, 5, 4, 3, 4, 4],
        strict=True,
    )
)
DOM = {
    "physical": [3, 4, 10, 15, 16, 17, 18],
    "psychological": [5, 6, 7, 11, 19, 26],
    "social": [20, 21, 22],
    "environment": [8, 9, 12, 13, 14, 23, 24, 25],
}


def t(mean):
    return (mean * 4 - 4) * F(100, 16)


cases, exp = [], []


def add(case, opts, row, values, src):
    cases.append((case, opts, row))
    for col, v in values.items():
        exp.append((case, col, v, src))


SW = "WHOQOL-BREF manual (WHO 1996) + WHO SPSS syntax (Harper & Power)"
AW = "awell-score whoqol_bref random_response test (raw form order)"
dom = {"physical": F(22, 7), "psychological": F(23, 6), "social": F(4), "environment": F(29, 8)}
v = {"overall_qol": 4, "overall_health": 4, "n_answered": 26, "valid": True, "invalid_reason": None}
for d, m in dom.items():
    v[f"{d}_4_20"] = m * 4
    v[f"{d}_0_100"] = t(m)
    v[f"{d}_n_answered"] = len(DOM[d])
add("W1", "", W1, v, f"W1: {AW}; {SW}")
pre = dict(W1, q3=2, q4=1, q26=2)
add(
    "W1_prereversed",
    "prereversed=true",
    pre,
    {f"{d}_0_100": t(m) for d, m in dom.items()},
    "W1 keyed from a pre-reversed form (own case): same scores as W1",
)
add(
    "W1_reversed_twice",
    "",
    pre,
    {
        "physical_0_100": t(F(2 + 1 + 4 + 4 + 3 + 4 + 4 - 2 - 1 + 4 + 5, 7)),
        "psychological_0_100": t(F(4 + 3 + 4 + 5 + 5 + 4, 6)),
    },
    "own case: pre-reversed data scored without prereversed=True, Q3=4, Q4=5, Q26=4 after 6-x",
)
add(
    "W2",
    "",
    {q: 3 for q in Q},
    {**{f"{d}_4_20": 12 for d in DOM}, **{f"{d}_0_100": 50 for d in DOM}},
    f"W2 all answers 3; {SW}",
)
best = {q: 5 for q in Q} | {"q3": 1, "q4": 1, "q26": 1}
worst = {q: 1 for q in Q} | {"q3": 5, "q4": 5, "q26": 5}
add(
    "W3_best",
    "",
    best,
    {**{f"{d}_4_20": 20 for d in DOM}, **{f"{d}_0_100": 100 for d in DOM}},
    f"W3 best case; {SW}",
)
add(
    "W3_worst",
    "",
    worst,
    {**{f"{d}_4_20": 4 for d in DOM}, **{f"{d}_0_100": 0 for d in DOM}},
    f"W3 worst case; {SW}",
)
for opts, suffix in (("", ""), ("profile=who_manual_prose", "_prose")):
    add(
        "W4a" + suffix,
        opts,
        dict(W1, q10=None),
        {"physical_0_100": 50, "physical_n_answered": 6},
        f"W4a Q10 missing; {SW}",
    )
add(
    "W4b",
    "",
    dict(W1, q10=None, q15=None),
    {"physical_0_100": None, "physical_4_20": None, "physical_n_answered": 5, "valid": True},
    "W4b syntax MEAN.6: physical missing; WHO SPSS syntax",
)
add(
    "W4b_prose",
    "profile=who_manual_prose",
    dict(W1, q10=None, q15=None),
    {"physical_0_100": 45, "physical_4_20": F(112, 10)},
    "W4b prose (at most 2 missing): mean 2.8; WHOQOL-BREF manual prose",
)
add(
    "W4c",
    "",
    dict(W1, q21=None),
    {"social_0_100": F(175, 2), "social_4_20": 18},
    "W4c syntax MEAN.2: social 87.5; WHO SPSS syntax",
)
add(
    "W4c_prose",
    "profile=who_manual_prose",
    dict(W1, q21=None),
    {"social_0_100": None},
    "W4c prose (social needs all 3): missing; WHOQOL-BREF manual prose",
)
w5a = dict(W1, q1=None, q2=None, q5=None, q8=None, q21=None)
add(
    "W5a",
    "",
    w5a,
    {
        "n_answered": 21,
        "valid": True,
        "overall_qol": None,
        "physical_0_100": t(F(22, 7)),
        "psychological_0_100": t(F(3 + 4 + 5 + 5 + 2, 5)),
        "social_0_100": t(F(9, 2)),
        "environment_0_100": t(F(3 + 3 + 4 + 3 + 4 + 3 + 4, 7)),
    },
    "W5 case rule: 21 of 26 answered is valid (WHO syntax COUNT, >= 21); domain values: own arithmetic on the W1 items left",
)
w5b = dict(w5a, q12=None)
add(
    "W5b",
    "",
    w5b,
    {
        "n_answered": 20,
        "valid": False,
        "invalid_reason": "fewer than 21 of 26 items answered (20)",
        **{f"{d}_0_100": None for d in DOM},
        **{f"{d}_4_20": None for d in DOM},
        "overall_health": None,
    },
    "W5 case rule: 20 of 26 answered discards the assessment (WHOQOL-BREF manual: more than 20% missing)",
)
add(
    "W6",
    "",
    dict(W1, q16=7, q9=0),
    {
        "n_answered": 24,
        "valid": True,
        "physical_0_100": t(F(19, 6)),
        "environment_0_100": t(F(26, 7)),
        "psychological_0_100": t(F(23, 6)),
        "social_0_100": 75,
        "physical_n_answered": 6,
        "environment_n_answered": 7,
    },
    "W6 out-of-range answers become missing (WHO syntax RECODE ELSE=SYSMIS)",
)
add(
    "noninteger",
    "",
    dict(W1, q5=2.5),
    {"psychological_n_answered": 5, "psychological_0_100": t(F(3 + 4 + 5 + 5 + 2, 5))},
    "own case: a non-integer answer is out of range (WHO syntax RECODE ELSE=SYSMIS)",
)
add(
    "all_missing",
    "",
    {},
    {"n_answered": 0, "valid": False, "physical_0_100": None, "overall_qol": None},
    "own case: an empty form is discarded",
)
write("whoqol_bref", Q, cases, exp)

# ---------------- URICA
Q = [f"q{i}" for i in range(1, 33)]
SUB = {
    "precontemplation": [1, 5, 11, 13, 23, 26, 29],
    "contemplation": [2, 8, 12, 15, 19, 21, 24],
    "action": [3, 7, 10, 14, 17, 25, 30],
    "maintenance": [6, 16, 18, 22, 27, 28, 32],
}
DECOY = [4, 9, 20, 31]
cases, exp = [], []


def urow(pc, c, a, m, decoy):
    r = {}
    for val, s in (
        (pc, "precontemplation"),
        (c, "contemplation"),
        (a, "action"),
        (m, "maintenance"),
    ):
        for i in SUB[s]:
            r[f"q{i}"] = val
    for i in DECOY:
        r[f"q{i}"] = decoy
    return r


US = "UMBC Habits Lab URICA scoring; Mid-Atlantic ATTC (VCU) 28-item grid"
add(
    "U1",
    "",
    {q: 3 for q in Q},
    {
        **{s: 3 for s in SUB},
        **{f"{s}_sum": 21 for s in SUB},
        **{f"{s}_n_answered": 7 for s in SUB},
        "readiness": 6,
        "stage": "precontemplation",
    },
    f"U1 all 3; {US}",
)
add(
    "U2",
    "",
    urow(1, 5, 4, 3, 5),
    {
        "precontemplation": 1,
        "contemplation": 5,
        "action": 4,
        "maintenance": 3,
        "precontemplation_sum": 7,
        "contemplation_sum": 35,
        "action_sum": 28,
        "maintenance_sum": 21,
        "readiness": 11,
        "stage": "preparation_action",
    },
    f"U2 decoys ignored, readiness 11 on the boundary -> preparation_action (UMBC cut-offs as project decision); {US}",
)
U3 = dict(
    zip(
        Q,
        [
            2,
            4,
            4,
            4,
            1,
            3,
            4,
            5,
            3,
            4,
            2,
            4,
            2,
            3,
            5,
            3,
            3,
            3,
            4,
            4,
            4,
            3,
            2,
            5,
            3,
            1,
            3,
            2,
            2,
            4,
            2,
            3,
        ],
        strict=True,
    )  # fmt: skip
)
add(
    "U3",
    "",
    U3,
    {
        "precontemplation": F(12, 7),
        "contemplation": F(31, 7),
        "action": F(25, 7),
        "maintenance": F(20, 7),
        "precontemplation_sum": 12,
        "contemplation_sum": 31,
        "action_sum": 25,
        "maintenance_sum": 20,
        "readiness": F(64, 7),
        "stage": "contemplation",
    },
    f"U3; {US} (the integer-division implementation gives 8, U4)",
)
add(
    "U3_missing",
    "",
    dict(U3, q1=None),
    {
        "precontemplation": None,
        "precontemplation_sum": None,
        "precontemplation_n_answered": 6,
        "readiness": None,
        "stage": None,
        "contemplation": F(31, 7),
    },
    "own case: a subscale needs all 7 items by default (project decision)",
)
add(
    "U3_prorate",
    "prorate=true",
    dict(U3, q1=None),
    {
        "precontemplation": F(10, 6),
        "precontemplation_sum": F(10, 6) * 7,
        "precontemplation_n_answered": 6,
        "readiness": F(76, 7) - F(10, 6),
        "stage": "contemplation",
    },
    "own case: prorated mean of 6 answered items, sum = mean x 7 (project decision)",
)
add(
    "U3_prorate_two_missing",
    "prorate=true",
    dict(U3, q1=None, q5=None),
    {"precontemplation": None, "readiness": None, "stage": None},
    "own case: prorating needs at least 6 of 7 (project decision)",
)
add(
    "R8",
    "",
    urow(1, 3, 3, 3, 1),
    {"readiness": 8, "stage": "precontemplation"},
    "own case: readiness exactly 8 is precontemplation (R <= 8; UMBC cut-offs)",
)
add(
    "R14",
    "",
    urow(1, 5, 5, 5, 1),
    {"readiness": 14, "stage": "preparation_action"},
    "own case: maximum readiness 14 (UMBC range -2..14), no maintenance band",
)
add(
    "Rmin",
    "",
    urow(5, 1, 1, 1, 1),
    {"readiness": -2, "stage": "precontemplation"},
    "own case: minimum readiness -2 (UMBC range)",
)
add(
    "decoy_out_of_range",
    "",
    dict(U3, q4=9),
    {"readiness": F(64, 7)},
    "own case: decoys are not scored, even when out of range",
)
add(
    "out_of_range",
    "",
    dict(U3, q2=6),
    {"contemplation": None, "contemplation_n_answered": 6, "readiness": None},
    "own case: an answer outside 1-5 is missing",
)
write("urica", Q, cases, exp)

# ---------------- ASSIST
S = [
    "tobacco",
    "alcohol",
    "cannabis",
    "cocaine",
    "ats",
    "inhalants",
    "sedatives",
    "hallucinogens",
    "opioids",
    "other",
]
Q = [f"{s}_q{i}" for s in S for i in range(1, 8)]
none = {f"{s}_q1": 0 for s in S}


def a(sub, q1, q2, q3, q4, q5, q6, q7, base=None):
    r = dict(base or none)
    for i, v in enumerate([q1, q2, q3, q4, q5, q6, q7], 1):
        r[f"{sub}_q{i}"] = v
    return r


AS = "WHO ASSIST v3.0 manual + Feedback Report Card bands"
cases, exp = [], []
add(
    "A1",
    "",
    a("alcohol", 3, 4, 4, 4, 0, 6, 0),
    {
        "alcohol_ssi": 18,
        "alcohol_risk": "moderate",
        "level": "sedang",
        "highest_risk_substance": "alcohol",
        "tobacco_ssi": 0,
    },
    f"A1; {AS}",
)
add(
    "A2",
    "",
    a("tobacco", 3, 6, 6, 0, 8, 3, 6),
    {
        "tobacco_ssi": 21,
        "tobacco_risk": "moderate",
        "level": "rendah",
        "highest_risk_substance": None,
    },
    f"A2 tobacco excludes Q5 (assist-php Tabaco); {AS}; level ignores tobacco (project decision)",
)
add(
    "A3",
    "",
    a("ats", 3, 6, 6, 6, 7, 6, 6),
    {"ats_ssi": 37, "ats_risk": "high", "level": "tinggi", "highest_risk_substance": "ats"},
    f"A3; {AS}",
)
add(
    "A4",
    "",
    a("cannabis", 3, 0, None, None, None, 3, 0),
    {
        "cannabis_ssi": 3,
        "cannabis_risk": "low",
        "level": "rendah",
        "highest_risk_substance": "cannabis",
    },
    f"A4 Q2 never zeroes Q3-Q5 (skip logic); {AS}",
)
add(
    "A5",
    "",
    a("cannabis", 3, 0, None, None, None, 3, 3),
    {"cannabis_ssi": 6, "cannabis_risk": "moderate", "level": "sedang"},
    f"A5; {AS}",
)
add(
    "A6",
    "",
    a("opioids", 1, 6, 6, 7, 8, 6, 6),
    {"opioids_ssi": 39, "opioids_risk": "high", "level": "tinggi"},
    f"A6 maximum; {AS}",
)
add(
    "A7",
    "",
    a("tobacco", 1, 6, 6, 7, 8, 6, 6),
    {"tobacco_ssi": 31, "tobacco_risk": "high", "level": "rendah"},
    f"A7 tobacco maximum without Q5; {AS}",
)
add(
    "A8",
    "",
    a("alcohol", 3, 3, 3, 0, 0, 0, 0),
    {"alcohol_ssi": 6, "alcohol_risk": "low", "level": "rendah"},
    f"A8; {AS}",
)
add(
    "A9",
    "",
    a("alcohol", 3, 3, 3, 4, 0, 0, 0),
    {"alcohol_ssi": 10, "alcohol_risk": "low"},
    f"A9 boundary (11 would be moderate); {AS}",
)
add(
    "A9b",
    "",
    a("alcohol", 3, 3, 3, 5, 0, 0, 0),
    {"alcohol_ssi": 11, "alcohol_risk": "moderate", "level": "sedang"},
    f"own case: alcohol 11 is moderate; {AS}",
)
add(
    "A10",
    "",
    a("tobacco", 0, None, None, None, None, None, 6),
    {"tobacco_ssi": 0, "tobacco_risk": "low"},
    f"A10 Q1 = No gives 0 (assist-php test); {AS}",
)
php = {f"tobacco_q{i}": 0 for i in range(1, 8)} | {"tobacco_q7": 6}
for s in S[1:]:
    php |= {
        f"{s}_q1": 1,
        f"{s}_q2": 0,
        f"{s}_q3": 0,
        f"{s}_q4": 0,
        f"{s}_q5": 0,
        f"{s}_q6": 0,
        f"{s}_q7": 6,
    }
add(
    "php_factory",
    "",
    php,
    {
        "tobacco_ssi": 0,
        "tobacco_risk": "low",
        "alcohol_ssi": 6,
        "alcohol_risk": "low",
        **{f"{s}_ssi": 6 for s in S[2:]},
        **{f"{s}_risk": "moderate" for s in S[2:]},
        "level": "sedang",
        "highest_risk_substance": "cannabis",
    },
    "OsvaldoGDelRio/assist-php tests/FactoryTest.php vector; highest substance: tie broken by form order (project decision)",
)
add(
    "cocaine_4",
    "",
    a("cocaine", 1, 4, 0, 0, 0, 0, 0),
    {"cocaine_ssi": 4, "cocaine_risk": "moderate", "level": "sedang"},
    f"own case: 4 is moderate for drugs other than alcohol; {AS}",
)
add(
    "cocaine_3",
    "",
    a("cocaine", 1, 3, 0, 0, 0, 0, 0),
    {"cocaine_ssi": 3, "cocaine_risk": "low", "level": "rendah"},
    f"own case: 3 is low; {AS}",
)
add(
    "opioids_27",
    "",
    a("opioids", 1, 6, 6, 7, 8, 0, 0),
    {"opioids_ssi": 27, "opioids_risk": "high", "level": "tinggi"},
    f"own case: 27 is high; {AS}",
)
add(
    "missing_q6",
    "",
    a("cannabis", 3, 4, 4, 0, 0, None, 0),
    {"cannabis_ssi": None, "cannabis_risk": None, "level": None, "highest_risk_substance": None},
    "own case: an item the skip logic asks for is missing -> SSIS missing, and the level is undetermined (project decision)",
)
add(
    "missing_but_high",
    "",
    a("opioids", 1, 6, 6, 7, 8, 6, 6, base=a("cannabis", 3, 4, 4, 0, 0, None, 0)),
    {
        "cannabis_ssi": None,
        "opioids_ssi": 39,
        "level": "tinggi",
        "highest_risk_substance": "opioids",
    },
    "own case: a missing substance cannot raise a level that is already tinggi",
)
add(
    "out_of_range_q4",
    "",
    a("alcohol", 3, 4, 4, 3, 0, 0, 0),
    {"alcohol_ssi": None, "level": None},
    "own case: Q4 = 3 is not a Q4 weight (0/4/5/6/7) -> missing",
)
add(
    "q1_missing",
    "",
    {k: v for k, v in a("alcohol", None, None, None, None, None, None, None).items()},
    {"alcohol_ssi": None, "alcohol_risk": None, "level": None},
    "own case: substance not asked -> SSIS missing",
)
write("assist", Q, cases, exp)
