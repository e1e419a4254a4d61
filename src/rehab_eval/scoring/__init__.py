"""Score declared instruments: ``score(responses, instrument) -> DataFrame``, vectorised.

One generic scorer computes every instrument from its declaration
(:mod:`rehab_eval.instruments`): range check, reversal, skip logic (gates), scale means /
sums with a minimum answered, affine output steps, derived scores, bands and the
across-block summary. The arithmetic runs column by column in numpy over blocks of rows
that stay in the processor cache (:mod:`rehab_eval.instruments.blocks`), with no per-row
Python and no intermediate rounding.

The pipeline step :func:`score_processed` (``assessments.parquet`` → ``scores.parquet``,
streamed in row batches) lives in :mod:`rehab_eval.scoring.pipeline`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rehab_eval.errors import ConfigError, InputError
from rehab_eval.instruments import Instrument, Profile, get_instrument, read_answers
from rehab_eval.instruments.answers import answer_floats, warn_out_of_range
from rehab_eval.instruments.blocks import score_blocks
from rehab_eval.instruments.consistency import reliability
from rehab_eval.instruments.engine import warn_gated
from rehab_eval.instruments.reversal import check_reversal
from rehab_eval.scoring.pipeline import score_processed

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = ["check_reversal", "reliability", "score", "score_processed"]


def _resolve(inst: Instrument, options: dict[str, Any]) -> tuple[Profile, bool]:
    """(profile, prereversed) from ``score`` options; unknown options raise ConfigError."""
    accepted = {"profile", *inst.option_profiles}
    if inst.prereversed_option:
        accepted.add("prereversed")
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ConfigError(
            f"{inst.name}: unknown option(s) {', '.join(unknown)}; accepted: "
            f"{', '.join(sorted(accepted))}"
        )
    name = options.get("profile") or inst.default_profile
    for flag, flag_profile in inst.option_profiles.items():
        value = options.get(flag)
        if value is None or value is False:
            continue
        if value is not True:
            raise ConfigError(f"{inst.name}: option {flag} must be True or False, not {value!r}")
        if options.get("profile") not in (None, flag_profile):
            raise ConfigError(
                f"{inst.name}: {flag}=True selects profile {flag_profile!r}, which conflicts "
                f"with profile={options['profile']!r}; give one of them"
            )
        name = flag_profile
    if name not in inst.profiles:
        raise ConfigError(
            f"{inst.name}: unknown profile {name!r}; declared profiles: {', '.join(inst.profiles)}"
        )
    prereversed = options.get("prereversed", False)
    if prereversed not in (True, False):
        raise ConfigError(f"{inst.name}: prereversed must be True or False, not {prereversed!r}")
    return inst.profiles[name], bool(prereversed)


class _Bad(Exception):
    """An answer outside the allowed set under ``strict=True``."""


def _first_bad(column: str, bad: np.ndarray) -> None:
    raise _Bad(column)


def score(
    responses: pd.DataFrame,
    instrument: str | Instrument,
    *,
    strict: bool = False,
    keep_items: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """Score one instrument on every row of ``responses``.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per completed form. Item columns ``q1`` … ``qN`` (ASSIST:
        ``<substance>_q1`` … ``<substance>_q7`` for ``tobacco, alcohol, cannabis, cocaine,
        ats, inhalants, sedatives, hallucinogens, opioids, other``), answers as printed on
        the form; NaN is a missing answer. Never modified.
    instrument : str or Instrument
        ``"whoqol_bref"``, ``"urica"`` or ``"assist"`` (see :func:`list_instruments`).
        The URICA 24-item form is refused with an InstrumentError.
    strict : bool, default False
        Raise :class:`InstrumentError` (naming column, rows, values) on an answer outside
        the allowed set; by default it counts as missing and a
        :class:`DataQualityWarning` gives the counts.
    keep_items : bool, default False
        Keep the instrument's item columns in the result.
    **options
        ``profile`` (WHOQOL-BREF: ``"who_spss_syntax"`` default or ``"who_manual_prose"``),
        ``prereversed`` (WHOQOL-BREF: Q3, Q4, Q26 were printed reversed, do not reverse
        again; default False), ``prorate`` (URICA: a subscale with ≥ 6 of 7 answered is
        the mean of the answered items; default False).

    Returns
    -------
    pandas.DataFrame
        Same index and row order; every column that is not an item of the instrument is
        carried through unchanged, followed by the score columns:

        ``whoqol_bref``
            ``overall_qol``, ``overall_health`` (Q1, Q2 raw, 1–5);
            ``physical_4_20``, ``psychological_4_20``, ``social_4_20``,
            ``environment_4_20`` (mean of answered items × 4);
            ``physical_0_100`` … ``environment_0_100`` ((x − 4) × 100/16);
            ``<domain>_n_answered``; ``n_answered`` (of 26); ``valid`` (≥ 21 answered);
            ``invalid_reason`` (None when valid). Domains (and Q1/Q2) are NaN on an invalid
            case or below the domain minimum (syntax 6/5/2/6 of 7/6/3/8; prose 5/4/3/6).
        ``urica``
            ``precontemplation``, ``contemplation``, ``action``, ``maintenance`` (means,
            1–5); ``<subscale>_sum`` (7–35; mean × 7 when prorated);
            ``<subscale>_n_answered``; ``readiness`` = C + A + M − PC (−2 … 14);
            ``stage``: ``precontemplation`` (R ≤ 8), ``contemplation`` (8 < R < 11),
            ``preparation_action`` (R ≥ 11).
        ``assist``
            ``<substance>_ssi`` (Q2 + … + Q7; tobacco without Q5; 0 when Q1 = No; Q3–Q5
            count 0 when Q2 = Never); ``<substance>_risk`` (``low`` / ``moderate`` /
            ``high``: alcohol 0–10 / 11–26 / 27+, others 0–3 / 4–26 / 27+);
            ``highest_risk_substance`` (non-tobacco substance with the highest risk, ties
            by SSIS then form order; None when all are 0); ``level`` (``rendah`` /
            ``sedang`` / ``tinggi`` from that risk; None when an unscored substance could
            change it).

        Answers outside the allowed range are counted per item in a
        :class:`DataQualityWarning`.

    Notes
    -----
    URICA readiness is a baseline measure (UMBC): report change on the action and
    maintenance subscales, not on readiness or stage; the stage cut-offs are arbitrary, so
    the continuous score is always reported beside the band.

    Answers outside the allowed set become missing before any count (WHO syntax:
    ``RECODE … (ELSE=SYSMIS)``). Reversed items are 6 − x. No intermediate rounding:
    compare with a tolerance, and round half-up only for display (Python's ``round``
    gives 65.62 for 65.625).

    References
    ----------
    WHOQOL Group (1996), WHOQOL-BREF field trial version, WHO/MNH/PSF/96.4, and the WHO
    SPSS syntax (Harper & Power). McConnaughy, Prochaska & Velicer (1983); UMBC Habits
    Lab URICA scoring. Humeniuk et al. (2010), WHO ASSIST manual; WHO ASSIST v3.0
    Feedback Report Card.

    Examples
    --------
    >>> import pandas as pd
    >>> form = pd.DataFrame({f"q{i}": [3.0] for i in range(1, 27)})
    >>> score(form, "whoqol_bref")["physical_0_100"].iloc[0]
    np.float64(50.0)
    """
    return _score(responses, instrument, strict=strict, keep_items=keep_items, **options)[0]


def _score(
    responses: pd.DataFrame,
    instrument: str | Instrument,
    *,
    strict: bool,
    keep_items: bool,
    quiet: bool = False,
    **options: Any,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """:func:`score` and what it did: instrument, profile, options, out-of-range counts and
    answers overruled by skip logic. ``quiet`` leaves the warnings to the caller (the
    pipeline scores a table in pieces and warns once with the totals)."""
    import pandas as pd

    inst = get_instrument(instrument)
    profile, prereversed = _resolve(inst, options)
    floats = answer_floats(responses, inst, prereversed=prereversed)
    on_bad = _first_bad if strict else None
    try:
        scored = score_blocks(
            inst, floats, profile, len(responses), prereversed=prereversed, on_bad=on_bad
        )
    except _Bad:  # the error counts the bad answers of the first such column: clean it whole
        read_answers(responses, inst, prereversed=prereversed, strict=True, warn=False)
        raise  # pragma: no cover - read_answers raised
    if scored.out_of_range and not quiet:
        warn_out_of_range(inst.name, scored.out_of_range, stacklevel=4)
    if scored.overruled and not quiet:
        warn_gated(inst.name, scored.overruled, stacklevel=4)
    cols = scored.columns
    items = set(inst.item_columns)
    keep = [c for c in responses.columns if keep_items or c not in items]
    rest = responses[keep]  # a copy: the result never shares memory with the input
    clash = [c for c in cols if c in rest.columns]
    if clash:
        raise InputError(
            f"{inst.name}: the responses already have column(s) {', '.join(clash)}, which "
            "the scores would overwrite; rename or drop them before scoring"
        )
    # labels as object Series: pandas would otherwise scan every value to infer a type
    cols = {
        c: pd.Series(x, index=responses.index, dtype=object, copy=False) if x.dtype == object else x
        for c, x in cols.items()
    }
    if rest.columns.is_unique:  # one frame from column arrays: no intermediate copies
        data = {c: rest[c].array for c in rest.columns} | cols
        result = pd.DataFrame(data, index=responses.index, copy=False)
    else:
        result = pd.concat([rest, pd.DataFrame(cols, index=responses.index)], axis=1)
    info = {
        "instrument": inst.name,
        "profile": profile.name,
        "profile_description": profile.description,
        "prereversed": prereversed,
        "out_of_range": scored.out_of_range,
        "overruled": scored.overruled,
    }
    return result, info
