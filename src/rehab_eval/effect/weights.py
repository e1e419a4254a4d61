"""Weights that make the comparison group resemble the participants: IPW and matching."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rehab_eval.effect._design import html_table
from rehab_eval.effect.propensity import PropensityScores
from rehab_eval.errors import ConfigError, InputError

__all__ = ["ESTIMANDS", "Weights", "effective_size", "ipw", "match_nearest"]

ESTIMANDS = ("ATT", "ATE")


def effective_size(w: np.ndarray) -> float:
    """Kish's effective sample size (Σw)² / Σw² of the positive weights."""
    w = np.asarray(w, dtype=float)
    w = w[w > 0]
    return float(w.sum() ** 2 / (w**2).sum()) if w.size else 0.0


@dataclass(frozen=True, eq=False)
class Weights:
    """Analysis weights of participants and comparison people.

    Attributes
    ----------
    table : DataFrame
        One row per person: the client column, ``treated``, ``ps``, ``weight`` (0 = left
        out: trimmed or unmatched), and for matching ``match_id`` (the matched set, -1 when
        unmatched).
    method : str
        ``"ipw"`` or ``"matching"``.
    estimand : str
        ``"ATT"`` (effect on the participants) or ``"ATE"`` (on everyone).
    details : dict
        Settings (``stabilized``, ``trim`` or ``caliper``, ``ratio``, ``replace``).
    """

    table: pd.DataFrame
    method: str
    estimand: str
    details: dict

    @property
    def summary(self) -> pd.DataFrame:
        """Per group (``treated``): ``n``, ``n_used`` (weight > 0), ``sum_weights``,
        ``max_weight``, ``ess`` (Kish effective sample size)."""
        rows = []
        for g in (1, 0):
            w = self.table.loc[self.table["treated"] == g, "weight"].to_numpy(float)
            rows.append(
                {
                    "treated": g,
                    "n": int(w.size),
                    "n_used": int((w > 0).sum()),
                    "sum_weights": float(w.sum()),
                    "max_weight": float(w.max()) if w.size else np.nan,
                    "ess": effective_size(w),
                }
            )
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        s = self.summary.set_index("treated")
        return (
            f"Weights({self.method}, {self.estimand}: {s.loc[1, 'n_used']} of {s.loc[1, 'n']} "
            f"participants, {s.loc[0, 'n_used']} of {s.loc[0, 'n']} comparison, effective "
            f"size {s.loc[1, 'ess']:.0f} / {s.loc[0, 'ess']:.0f})"
        )

    def _repr_html_(self) -> str:
        return f"<p><b>Weights</b>: {self!r}</p>" + html_table(self.summary)


def ipw(
    scores: PropensityScores,
    *,
    estimand: str = "ATT",
    stabilized: bool = True,
    trim: float | None = None,
) -> Weights:
    """Inverse-probability-of-treatment weights from propensity scores.

    Parameters
    ----------
    scores : PropensityScores
        From :func:`rehab_eval.effect.propensity`.
    estimand : {"ATT", "ATE"}
        ``"ATT"``: effect on the participants (participants weight 1, comparison people
        e/(1 − e)); ``"ATE"``: effect on everyone (1/e and 1/(1 − e)).
    stabilized : bool
        Rescale so each group's weights sum to its size (ATE: multiply by the group share,
        Robins et al. 2000; ATT: comparison weights normalised to their count). Point
        estimates do not change; the weights are easier to read and to check.
    trim : float, optional
        Leave out (weight 0) people whose score lies outside [trim, 1 − trim] (Crump et al.
        2009 suggest 0.1); the estimand then refers to the people kept.

    Returns
    -------
    Weights
        ``table`` with ``weight``; see :class:`Weights`.

    References
    ----------
    Robins, J. M., Hernán, M. A., & Brumback, B. (2000). Marginal structural models and
    causal inference in epidemiology. *Epidemiology*, 11, 550–560.
    Crump, R. K., Hotz, V. J., Imbens, G. W., & Mitnik, O. A. (2009). Dealing with limited
    overlap in estimation of average treatment effects. *Biometrika*, 96, 187–199.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from rehab_eval.effect import propensity
    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame({"client_id": range(300), "age": rng.normal(35, 8, 300)})
    >>> f["treated"] = (rng.random(300) < 1 / (1 + np.exp((f["age"] - 35) / 8))).astype(int)
    >>> w = ipw(propensity(f, treatment="treated", covariates=["age"]))
    >>> s = w.summary.set_index("treated")
    >>> bool(np.isclose(s.loc[0, "sum_weights"], s.loc[0, "n"])), float(s.loc[1, "max_weight"])
    (True, 1.0)
    """
    if estimand not in ESTIMANDS:
        raise ConfigError(f"ipw: estimand {estimand!r}; choose one of {ESTIMANDS}.")
    if trim is not None and not 0 <= trim < 0.5:
        raise ConfigError(f"ipw: trim must lie in [0, 0.5), got {trim!r}.")
    t = scores.table
    e = t["ps"].to_numpy(float)
    z = t["treated"].to_numpy(np.int64)
    keep = np.ones(len(e), bool) if trim is None else (e >= trim) & (e <= 1 - trim)
    if not (keep & (z == 1)).any() or not (keep & (z == 0)).any():
        raise InputError(f"ipw: trimming at {trim} leaves one group empty; choose a smaller trim.")
    if estimand == "ATE":
        w = np.where(z == 1, 1 / e, 1 / (1 - e))
    else:
        w = np.where(z == 1, 1.0, e / (1 - e))
    w = np.where(keep, w, 0.0)
    if stabilized:
        for g in (0, 1):
            m = z == g
            total = w[m].sum()
            if estimand == "ATE" or g == 0:
                w[m] = w[m] * (keep & m).sum() / total
    out = t.assign(weight=w)
    return Weights(
        table=out,
        method="ipw",
        estimand=estimand,
        details={"stabilized": stabilized, "trim": trim},
    )


def match_nearest(
    scores: PropensityScores,
    *,
    caliper: float | None = 0.2,
    ratio: int = 1,
    replace: bool = False,
) -> Weights:
    """Greedy nearest-neighbour matching on the logit of the propensity score.

    Parameters
    ----------
    scores : PropensityScores
        From :func:`rehab_eval.effect.propensity`.
    caliper : float, optional
        Largest distance allowed, in standard deviations of the logit score (Austin 2011
        recommends 0.2); ``None`` for no caliper.
    ratio : int
        Comparison people per participant (1:k).
    replace : bool
        Whether a comparison person may serve several participants.

    Returns
    -------
    Weights
        Estimand ATT among the matched participants: matched participants weight 1,
        comparison people 1/k per participant they serve, the rest 0; ``match_id`` names
        the matched set (the participant's row number).

    Notes
    -----
    Participants are matched in order of decreasing score (hardest first); ties in
    distance go to the earlier row, so the result is reproducible.

    References
    ----------
    Austin, P. C. (2011). Optimal caliper widths for propensity-score matching when
    estimating differences in means and differences in proportions in observational
    studies. *Pharm Stat*, 10, 150–161.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from rehab_eval.effect import propensity
    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame({"client_id": range(300), "age": rng.normal(35, 8, 300)})
    >>> f["treated"] = (rng.random(300) < 1 / (1 + np.exp((f["age"] - 35) / 8))).astype(int)
    >>> m = match_nearest(propensity(f, treatment="treated", covariates=["age"]))
    >>> s = m.summary.set_index("treated")
    >>> bool(s.loc[1, "n_used"] == s.loc[0, "n_used"])
    True
    """
    if ratio < 1:
        raise ConfigError(f"match_nearest: ratio must be at least 1, got {ratio!r}.")
    t = scores.table
    lp = t["logit_ps"].to_numpy(float)
    z = t["treated"].to_numpy(np.int64)
    width = np.inf if caliper is None else caliper * float(np.std(lp, ddof=1))
    treated = np.flatnonzero(z == 1)
    controls = np.flatnonzero(z == 0)
    treated = treated[np.argsort(-lp[treated], kind="stable")]
    available = np.ones(controls.size, bool)
    w = np.zeros(len(z))
    match_id = np.full(len(z), -1, np.int64)
    for i in treated:
        dist = np.abs(lp[controls] - lp[i])
        if not replace:
            dist = np.where(available, dist, np.inf)
        order = np.argsort(dist, kind="stable")[:ratio]
        chosen = order[dist[order] <= width]
        if chosen.size == 0:
            continue
        w[i] = 1.0
        match_id[i] = i
        w[controls[chosen]] += 1.0 / ratio
        match_id[controls[chosen]] = i
        if not replace:
            available[chosen] = False
    out = t.assign(weight=w, match_id=match_id)
    return Weights(
        table=out,
        method="matching",
        estimand="ATT",
        details={"caliper": caliper, "ratio": ratio, "replace": replace},
    )
