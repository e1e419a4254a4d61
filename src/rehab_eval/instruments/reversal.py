"""Cohort check for double reversal of negatively worded items (WHOQOL-BREF Q3, Q4, Q26)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from rehab_eval.errors import DataQualityWarning, SmallSampleWarning
from rehab_eval.instruments.answers import read_answers
from rehab_eval.instruments.model import Instrument
from rehab_eval.instruments.registry import get_instrument

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["check_reversal"]


def check_reversal(
    responses: pd.DataFrame,
    instrument: str | Instrument = "whoqol_bref",
    *,
    prereversed: bool = False,
) -> pd.DataFrame:
    """Look for double reversal: reversed items that correlate negatively with their domain.

    Parameters
    ----------
    responses : pandas.DataFrame
        A cohort of forms with the item columns.
    instrument : str or Instrument, default ``"whoqol_bref"``
    prereversed : bool
        As in :func:`score`: whether the data claim to be pre-reversed.

    Returns
    -------
    pandas.DataFrame
        One row per reversed item: ``item``, ``scale``, ``n`` (forms with the item and
        every other item of the scale answered), ``r_rest`` (Pearson correlation of the
        item, as scored, with the mean of the other items of its scale), ``negative``
        (``r_rest < 0``), ``prereversed``.

    Warns
    -----
    DataQualityWarning
        When any ``r_rest`` is negative: the items are probably reversed twice (a form
        printed 5…1 scored without ``prereversed=True``) or not at all.
    SmallSampleWarning
        When an item rests on fewer than 10 forms.

    Notes
    -----
    A corrected item–rest correlation (item excluded from its own scale mean). After
    correct reversal every WHOQOL-BREF item should correlate positively with its domain.
    """
    import pandas as pd

    inst = get_instrument(instrument)
    answers = read_answers(responses, inst, prereversed=prereversed, warn=False)
    rows = []
    for block in inst.block_names:
        for item in inst.reversed:
            for scale in (s for s in inst.scales if item in s.items_for(block)):
                x = answers.values[inst.column(item, block)]
                others = [answers.values[inst.column(i, block)] for i in scale.items_for(block)]
                others = [
                    o for i, o in zip(scale.items_for(block), others, strict=True) if i != item
                ]
                rest = (
                    np.mean(np.stack(others, axis=1), axis=1) if others else np.full(len(x), np.nan)
                )
                ok = ~np.isnan(x) & ~np.isnan(rest)
                n = int(ok.sum())
                r = np.nan
                if n >= 3 and np.std(x[ok]) > 0 and np.std(rest[ok]) > 0:
                    r = float(np.corrcoef(x[ok], rest[ok])[0, 1])
                rows.append(
                    {
                        "item": inst.column(item, block),
                        "scale": scale.name,
                        "n": n,
                        "r_rest": r,
                        "negative": bool(r < 0),
                        "prereversed": prereversed,
                    }
                )
    table = pd.DataFrame(rows, columns=["item", "scale", "n", "r_rest", "negative", "prereversed"])
    small = table.loc[table["n"] < 10, "item"].tolist()
    if small:
        warnings.warn(
            f"{inst.name} reversal check: fewer than 10 complete forms for {', '.join(small)}",
            SmallSampleWarning,
            stacklevel=2,
        )
    flagged = table.loc[table["negative"]]
    if len(flagged):
        listed = ", ".join(
            f"{r.item} (r = {r.r_rest:.2f} with {r.scale}, n = {r.n})" for r in flagged.itertuples()
        )
        hint = (
            "the form may print these items reversed (5…1): score with prereversed=True"
            if not prereversed
            else "the data were declared pre-reversed but look raw: score with prereversed=False"
        )
        warnings.warn(
            f"{inst.name}: reversed item(s) correlate negatively with the rest of their "
            f"scale: {listed}; {hint}, after checking the paper form",
            DataQualityWarning,
            stacklevel=2,
        )
    return table
