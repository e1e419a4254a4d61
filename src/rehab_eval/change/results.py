"""Result object of :func:`rehab_eval.change.reliable_change`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rehab_eval.results import Result

__all__ = ["ReliableChange"]


@dataclass(frozen=True, eq=False, repr=False)
class ReliableChange(Result):
    """Reliable change index and clinical-significance category per client.

    Attributes
    ----------
    table : DataFrame
        One row per client: the client column, ``pre``, ``post``, ``diff``, ``rci``,
        ``reliable``, ``category`` (see :func:`reliable_change`).
    measure, method : str
        The score column and the RCI method (``"jt"``, ``"gln"``, ``"ha"``, ``"hlm"``).
    n, n_excluded : int
        Clients classified; clients without a complete pair.
    reliability : float
        r_xx used; ``reliability_source`` says where it comes from.
    sd_pre, m_pre : float
        Reference SD₁ and the mean of the pre scores; ``sd_pre_source`` says which SD.
    se_measurement : float
        Standard error of measurement, SD₁·√(1 − r_xx).
    s_diff : float
        Denominator of the RCI (standard error of the difference for ``jt``; NaN for
        ``hlm``).
    crit : float
        Critical |RCI|.
    higher_is_better : bool
        Direction of improvement.
    cutoff_type, cutoff : str or None, float or None
        Jacobson–Truax cut-off used (``"a"``, ``"b"``, ``"c"``) and its value; None without.
    clinical_mean, clinical_sd, functional_mean, functional_sd : float or None
        Norms used for the cut-off; ``norms_source`` says where they come from.
    r_dd : float or None
        Reliability of the difference scores (``ha`` only).
    fixed_slope, residual_var : float or None
        Average slope and residual variance of the mixed model (``hlm`` only).
    cov_re : tuple of tuple of float or None
        Random-effects covariance of the mixed model (``hlm`` only).
    converged : bool or None
        Whether the mixed model converged (``hlm`` only).
    """

    table: pd.DataFrame
    measure: str
    method: str
    n: int
    n_excluded: int
    reliability: float
    reliability_source: str
    sd_pre: float
    sd_pre_source: str
    m_pre: float
    se_measurement: float
    s_diff: float
    crit: float
    higher_is_better: bool
    cutoff_type: str | None = None
    cutoff: float | None = None
    clinical_mean: float | None = None
    clinical_sd: float | None = None
    functional_mean: float | None = None
    functional_sd: float | None = None
    norms_source: str | None = None
    r_dd: float | None = None
    fixed_slope: float | None = None
    residual_var: float | None = None
    cov_re: tuple[tuple[float, ...], ...] | None = None
    converged: bool | None = None

    _what = "reliable change per client"
    _key_fields = ("measure", "method", "n", "reliability", "s_diff", "crit", "cutoff")

    @property
    def categories(self) -> pd.Series:
        """Clients per category (all categories listed, in display order)."""
        return self.table["category"].value_counts(sort=False)
