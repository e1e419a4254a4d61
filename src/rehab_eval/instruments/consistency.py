"""Internal consistency: Cronbach's alpha per domain or subscale, with a Feldt interval.

Public as ``rehab_eval.reliability`` and ``rehab_eval.scoring.reliability``. (A top-level
module named ``rehab_eval.reliability`` would shadow that function once imported, so the
code lives here.)
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from rehab_eval.errors import ConfigError, InstrumentError, SmallSampleWarning
from rehab_eval.instruments import Instrument, get_instrument, read_answers

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["cronbach_alpha", "reliability"]


def cronbach_alpha(items: np.ndarray, ci: float = 0.95) -> tuple[float, float, float, int]:
    """Alpha and its Feldt interval for a complete (n × k) item matrix.

    Returns ``(alpha, ci_low, ci_high, n)``; NaN when n < 2 or the total has no variance.
    """
    from scipy.stats import f

    x = np.asarray(items, dtype=float)
    n, k = x.shape
    if n < 2 or k < 2:
        return np.nan, np.nan, np.nan, n
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return np.nan, np.nan, np.nan, n
    alpha = k / (k - 1) * (1.0 - x.var(axis=0, ddof=1).sum() / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    gamma = 1.0 - ci
    low = 1.0 - (1.0 - alpha) * f.ppf(1.0 - gamma / 2.0, df1, df2)
    high = 1.0 - (1.0 - alpha) * f.ppf(gamma / 2.0, df1, df2)
    return float(alpha), float(low), float(high), n


def reliability(
    responses: pd.DataFrame,
    instrument: str | Instrument,
    *,
    prereversed: bool = False,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Cronbach's alpha of each domain or subscale, with a Feldt confidence interval.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per form, item columns as for :func:`rehab_eval.score`. Out-of-range answers
        count as missing (a DataQualityWarning gives the counts).
    instrument : str or Instrument
        ``"whoqol_bref"`` or ``"urica"``. ASSIST is refused: its SSIS is a weighted screening
        sum with skip logic, not a reflective scale.
    prereversed : bool, default False
        As in :func:`rehab_eval.score` (WHOQOL-BREF Q3, Q4, Q26 printed reversed).
    ci : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per scale, in declaration order: ``instrument``, ``scale``, ``n_items``,
        ``n`` (forms with every item of the scale answered: listwise deletion), ``alpha``,
        ``ci_low``, ``ci_high``, ``ci_level``. Unrounded.

    Warns
    -----
    SmallSampleWarning
        When a scale rests on fewer than 10 complete forms.

    Notes
    -----
    alpha = k/(k − 1) · (1 − Σ s²_i / s²_total), variances with n − 1 (Cronbach 1951).
    Feldt interval: with df1 = n − 1 and df2 = (n − 1)(k − 1),
    [1 − (1 − alpha)·F(1 − γ/2; df1, df2), 1 − (1 − alpha)·F(γ/2; df1, df2)], γ = 1 − ci
    (Feldt 1965; Feldt, Woodruff & Salih 1987), as R ``psych::alpha.ci`` computes it.
    Reversed items are reversed first, so alpha is taken on the scored direction.

    References
    ----------
    Cronbach LJ (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika 16:297-334. Feldt LS (1965). The approximate sampling distribution of
    Kuder-Richardson reliability coefficient twenty. Psychometrika 30:357-370. Feldt LS,
    Woodruff DJ, Salih FA (1987). Statistical inference for coefficient alpha. Applied
    Psychological Measurement 11:93-103.
    """
    import pandas as pd

    if not 0.0 < ci < 1.0:
        raise ConfigError(f"ci must lie between 0 and 1, not {ci!r}")
    inst = get_instrument(instrument)
    if not inst.reliability:
        raise InstrumentError(
            f"{inst.name}: internal consistency is not defined for this instrument (its scores "
            "are weighted screening sums with skip logic); report it for whoqol_bref or urica"
        )
    answers = read_answers(responses, inst, prereversed=prereversed)
    rows = []
    for block in inst.block_names:
        for scale in inst.scales:
            cols = [inst.column(i, block) for i in scale.items_for(block)]
            m = np.stack([answers.values[c] for c in cols], axis=1)
            complete = m[~np.isnan(m).any(axis=1)]
            alpha, low, high, n = cronbach_alpha(complete, ci)
            rows.append(
                {
                    "instrument": inst.name,
                    "scale": scale.name if block is None else f"{block}_{scale.name}",
                    "n_items": len(cols),
                    "n": n,
                    "alpha": alpha,
                    "ci_low": low,
                    "ci_high": high,
                    "ci_level": ci,
                }
            )
    table = pd.DataFrame(rows)
    small = table.loc[table["n"] < 10, "scale"].tolist()
    if small:
        warnings.warn(
            f"{inst.name} reliability: fewer than 10 complete forms for {', '.join(small)}",
            SmallSampleWarning,
            stacklevel=2,
        )
    return table
