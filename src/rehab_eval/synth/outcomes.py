"""The true outcome models behind the synthetic records.

Each function draws answers or times from a stated model whose parameters are written to
``truth.json`` (``effects``) so that the statistics can be checked for recovery.

WHOQOL-BREF: every client has a latent item mean per domain at the first measurement,
``mu_pre ~ N(PRE_MEAN[d], BETWEEN_SD)``, and a personal change ``delta ~ N(CHANGE_MEAN[d],
CHANGE_SD)`` reached linearly over the program; an answer is ``round(mu + offset_item + e)``
clipped to 1–5 with ``e ~ N(0, ITEM_NOISE)``; reversed items (Q3, Q4, Q26) are written as
``6 − answer``. On the 0–100 domain scale the true mean change is ``25 × CHANGE_MEAN[d]``
(WHOQOL Group 1996: domain = (mean item − 1) × 25).

URICA: the same construction per subscale (means on 1–5); A and M rise, PC falls slightly.

Re-offending (Sumatera Selatan): an exponential proportional-hazards model from release,
``h(t) = h0 × exp(b_level + b_age × (age − 35) + b_prior × prior + b_completed × completed)``
(time in days), with independent competing ends (death, transfer, lost to supervision) at
constant hazards, censored at the data cut-off.
"""

from __future__ import annotations

import numpy as np

from rehab_eval.synth.values import URICA_SUBSCALES, URICA_UNSCORED, WHOQOL_DOMAINS, likert

__all__ = ["EFFECTS", "assist_answers", "urica_answers", "whoqol_answers", "whoqol_domain_scores"]

DOMAINS = tuple(WHOQOL_DOMAINS)
SUBSCALES = tuple(URICA_SUBSCALES)

EFFECTS = {
    "whoqol": {
        "pre_item_mean": {"physical": 3.2, "psychological": 3.1, "social": 3.2, "environment": 2.9},
        "between_sd_item": 0.45,
        "change_item_mean": {
            "physical": 0.22,
            "psychological": 0.26,
            "social": 0.18,
            "environment": 0.20,
        },
        "change_item_sd": 0.40,
        "item_noise_sd": 0.55,
        "global_items_follow": "q1 follows the mean of the four domains, q2 the physical domain",
    },
    "urica": {
        "pre_mean": {
            "precontemplation": 2.3,
            "contemplation": 3.9,
            "action": 3.4,
            "maintenance": 3.0,
        },
        "between_sd": 0.45,
        "change_mean": {
            "precontemplation": -0.15,
            "contemplation": 0.05,
            "action": 0.35,
            "maintenance": 0.30,
        },
        "change_sd": 0.40,
        "item_noise_sd": 0.6,
        "unscored_items_mean": 3.0,
    },
}


def _domain_of_items() -> np.ndarray:
    out = np.zeros(26, dtype=int)
    for k, d in enumerate(DOMAINS):
        for q in WHOQOL_DOMAINS[d]:
            out[q - 1] = k
    return out


_ITEM_DOMAIN = _domain_of_items()
_ITEM_OFFSET = np.zeros(26)
_ITEM_OFFSET[[11, 20, 24]] = (-0.3, -0.2, 0.1)  # money, sex life, transport


def whoqol_latent(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Latent domain item means at the first measurement and personal changes, (n, 4) each."""
    p = EFFECTS["whoqol"]
    pre = np.array([p["pre_item_mean"][d] for d in DOMAINS]) + rng.normal(
        0, p["between_sd_item"], (n, 4)
    )
    change = np.array([p["change_item_mean"][d] for d in DOMAINS]) + rng.normal(
        0, p["change_item_sd"], (n, 4)
    )
    return pre, change


def whoqol_answers(rng: np.random.Generator, domain_means: np.ndarray) -> np.ndarray:
    """Raw answers q1…q26 (n, 26) as written on the form (Q3, Q4, Q26 not yet reversed)."""
    n = len(domain_means)
    latent = domain_means[:, _ITEM_DOMAIN] + _ITEM_OFFSET
    latent[:, 0] = domain_means.mean(axis=1)
    latent[:, 1] = domain_means[:, 0]
    ans = likert(latent, rng.normal(0, EFFECTS["whoqol"]["item_noise_sd"], (n, 26)))
    for q in (3, 4, 26):
        ans[:, q - 1] = 6 - ans[:, q - 1]
    return ans


def whoqol_domain_scores(answers: np.ndarray) -> np.ndarray:
    """0–100 domain scores (n, 4) of complete raw answers, by the WHO rule (for truth.json)."""
    a = answers.astype(float).copy()
    for q in (3, 4, 26):
        a[:, q - 1] = 6 - a[:, q - 1]
    cols = [a[:, [q - 1 for q in WHOQOL_DOMAINS[d]]].mean(axis=1) for d in DOMAINS]
    return (np.column_stack(cols) - 1) * 25


def urica_latent(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Latent subscale means at pre and personal changes, (n, 4) each (PC, C, A, M)."""
    p = EFFECTS["urica"]
    pre = np.array([p["pre_mean"][s] for s in SUBSCALES]) + rng.normal(0, p["between_sd"], (n, 4))
    change = np.array([p["change_mean"][s] for s in SUBSCALES]) + rng.normal(
        0, p["change_sd"], (n, 4)
    )
    return pre, change


def urica_answers(rng: np.random.Generator, sub_means: np.ndarray) -> np.ndarray:
    """Answers q1…q32 (n, 32) of the 32-item URICA form."""
    n = len(sub_means)
    latent = np.full((n, 32), EFFECTS["urica"]["unscored_items_mean"])
    for k, s in enumerate(SUBSCALES):
        for q in URICA_SUBSCALES[s]:
            latent[:, q - 1] = sub_means[:, k]
    for q in URICA_UNSCORED:
        latent[:, q - 1] = EFFECTS["urica"]["unscored_items_mean"]
    return likert(latent, rng.normal(0, EFFECTS["urica"]["item_noise_sd"], (n, 32)))


# ASSIST v3.0: answers are written as the weights printed on the form (WHO 2010):
# Q1 No 0 / Yes 3; Q2 0,2,3,4,6; Q3 0,3,4,5,6; Q4 0,4,5,6,7; Q5 0,5,6,7,8; Q6, Q7 0,6,3.
ASSIST_PRIMARY = {"ats": 0.6, "cannabis": 0.2, "alcohol": 0.1, "sedatives": 0.05, "opioids": 0.05}
ASSIST_LEVEL_SHARE = {"rendah": 0.25, "sedang": 0.55, "tinggi": 0.20}


def assist_answers(
    rng: np.random.Generator, substances: tuple[str, ...], n: int
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """ASSIST answers per substance (dict of (n, 7) arrays, NaN = not asked), primary
    substance and intended level per client."""
    prim = rng.choice(list(ASSIST_PRIMARY), size=n, p=list(ASSIST_PRIMARY.values()))
    level = rng.choice(list(ASSIST_LEVEL_SHARE), size=n, p=list(ASSIST_LEVEL_SHARE.values()))
    out = {}
    for s in substances:
        a = np.zeros((n, 7))
        lifetime = rng.random(n) < (0.85 if s == "tobacco" else 0.25 if s != "other" else 0.03)
        lifetime |= prim == s
        a[:, 0] = np.where(lifetime, 3, 0)
        # occasional past use: concern expressed in the past, nothing recent
        a[:, 5] = np.where(lifetime & (rng.random(n) < 0.4), 3, 0)
        if s == "tobacco":
            a[:, 1] = np.where(lifetime, 6, 0)
            a[:, 2] = np.where(lifetime, rng.choice([4, 6], n), 0)
            a[:, 4] = np.nan  # Q5 is not asked for tobacco
            a[:, 6] = np.where(lifetime & (rng.random(n) < 0.3), 6, 0)
        is_p = prim == s
        hi, mid, lo = (
            is_p & (level == "tinggi"),
            is_p & (level == "sedang"),
            is_p & (level == "rendah"),
        )
        if hi.any():
            k = hi.sum()
            a[hi, 1:7] = np.column_stack(
                [np.full(k, 6), rng.choice([5, 6], k), rng.choice([5, 6], k),
                 rng.choice([6, 7], k), np.full(k, 6), np.full(k, 6)]
            )  # fmt: skip
        if mid.any():
            k = mid.sum()
            a[mid, 1:7] = np.column_stack(
                [rng.choice([3, 4], k), np.full(k, 4), rng.choice([0, 4], k),
                 np.zeros(k), np.full(k, 6), rng.choice([0, 3], k)]
            )  # fmt: skip
        if lo.any():
            k = lo.sum()
            a[lo, 1:7] = np.column_stack([np.zeros((k, 4)), rng.choice([0, 3], k), np.zeros(k)])
        out[s] = a
    return out, prim, level
