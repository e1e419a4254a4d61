"""Paired pre/post comparison: t test, Wilcoxon signed-rank, effect sizes, adjusted p-values."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval._deprecation import renamed
from rehab_eval.change._pairs import (
    as_list,
    check_columns,
    check_numeric,
    check_unique,
    pairs_of,
    warn_baseline_only,
    warn_small,
)
from rehab_eval.change._walsh import hodges_lehmann
from rehab_eval.errors import ConfigError

__all__ = [
    "PAIRED_COLUMNS",
    "adjust_holm",
    "adjust_fdr_bh",
    "dz_interval",
    "hodges_lehmann",
    "paired",
]

#: Output columns of :func:`paired` after the group columns (API).
PAIRED_COLUMNS = [
    "measure",
    "n",
    "n_excluded",
    "mean_pre",
    "sd_pre",
    "mean_post",
    "sd_post",
    "mean_diff",
    "sd_diff",
    "ci_low",
    "ci_high",
    "t",
    "df",
    "p_value",
    "wilcoxon_w",
    "wilcoxon_p",
    "wilcoxon_method",
    "rank_biserial",
    "hl_estimate",
    "hl_ci_low",
    "hl_ci_high",
    "cohen_dz",
    "dz_ci_low",
    "dz_ci_high",
    "hedges_gav",
    "p_holm",
    "p_fdr",
]


def paired(
    scores: pd.DataFrame,
    measures: str | Sequence[str],
    *,
    client: str = "client_id",
    timepoint: str = "timepoint",
    pre: str = "pre",
    post: str = "post",
    by: str | Sequence[str] | None = None,
    conf_level: float = 0.95,
    correction: bool = False,
    **deprecated: Any,
) -> pd.DataFrame:
    """Paired pre/post statistics, one row per measure (× group).

    Parameters
    ----------
    scores : DataFrame
        Long by time: one row per client × timepoint, the measures as numeric columns.
    measures : str or sequence of str
        Score columns to compare (e.g. ``["physical_0_100", "psychological_0_100"]``).
    client, timepoint : str
        Client and timepoint columns.
    pre, post : str
        Timepoint codes compared; the difference is ``post - pre``.
    by : str or sequence of str, optional
        Group columns (e.g. ``"facility"``); statistics and p-value adjustment per group.
    conf_level : float
        Level of the intervals (default 0.95).
    correction : bool
        Continuity correction of the asymptotic (normal) Wilcoxon p-value and of the
        asymptotic Hodges–Lehmann interval. ``False`` (default) is scipy's default;
        ``True`` is R's default (``wilcox.test(correct = TRUE)``). Exact and permutation
        p-values are not affected.

    Returns
    -------
    DataFrame
        One row per group × measure, group columns first, then:

        - ``measure``: the score column.
        - ``n``: complete pairs (clients with both values); every statistic rests on them.
        - ``n_excluded``: clients with a row at ``pre`` or ``post`` lacking one of the values.
        - ``mean_pre``, ``sd_pre``, ``mean_post``, ``sd_post``: over the complete pairs (SD with
          ddof=1).
        - ``mean_diff``, ``sd_diff``: mean and SD (ddof=1) of ``post - pre``.
        - ``ci_low``, ``ci_high``: t interval of the mean difference.
        - ``t``, ``df``, ``p_value``: paired t test (two-sided), df = n - 1.
        - ``wilcoxon_w``, ``wilcoxon_p``: Wilcoxon signed-rank test exactly as
          ``scipy.stats.wilcoxon(post - pre, correction=correction)`` computes it (zeros
          dropped, W the smaller rank sum, two-sided); ``wilcoxon_method`` says which p-value
          scipy used: ``exact`` (n ≤ 50, no ties or zeros), ``permutation`` (n ≤ 13 with ties
          or zeros: all 2^n sign flips, exact), or ``asymptotic`` (normal approximation with
          the tie-corrected variance, continuity-corrected only with ``correction=True``).
          R's ``wilcox.test(paired = TRUE)`` uses the exact p for n < 50 without ties or
          zeros, otherwise the normal approximation with the correction.
        - ``rank_biserial``: matched-pairs rank-biserial correlation (R+ − R−)/(R+ + R−),
          positive when scores rise.
        - ``hl_estimate``, ``hl_ci_low``, ``hl_ci_high``: Hodges–Lehmann estimate of the
          (pseudo)median change with its interval from inverting the signed-rank test, as
          ``wilcox.test(post, pre, paired = TRUE, conf.int = TRUE, correct = correction)``
          (see :func:`hodges_lehmann`).
        - ``cohen_dz``: mean_diff / sd_diff; ``dz_ci_low``, ``dz_ci_high``: its interval by
          inverting the noncentral t distribution.
        - ``hedges_gav``: mean_diff / ((sd_pre + sd_post)/2), times Hedges' small-sample
          correction J = 1 − 3/(4·df − 1).
        - ``p_holm``, ``p_fdr``: the paired-t ``p_value`` adjusted across the measures of the
          group (Holm 1979; Benjamini–Hochberg 1995).

    Warns
    -----
    SmallSampleWarning
        When a measure has fewer than 10 complete pairs.

    Notes
    -----
    With d_i = post_i − pre_i: t = mean(d)/(sd(d)/√n); CI = mean(d) ± t_{1−α/2,n−1}·sd(d)/√n.
    The dz interval solves F_{nct}(t_obs; n−1, λ) = 1 − α/2 and α/2 for λ and divides by √n
    (Steiger & Fouladi 1997; Cumming & Finch 2001). Statistics that need more data are NaN:
    t and dz need n ≥ 2 and sd_diff > 0; Wilcoxon needs a non-zero difference.

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science.
    Frontiers in Psychology 4:863 (d_z, d_av, g_av).
    Kerby, D. S. (2014). The simple difference formula. Comprehensive Psychology 3:11.IT.3.1.
    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation. In *What if
    there were no significance tests?* (pp. 221–257). Erlbaum.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"client_id": list("aabbcc"), "timepoint": ["pre", "post"] * 3,
    ...                   "score": [10, 14, 12, 13, 9, 15]})
    >>> import warnings; warnings.simplefilter("ignore")
    >>> round(float(paired(s, "score")["mean_diff"].iloc[0]), 4)
    3.6667
    """
    client, timepoint, conf_level = renamed(
        "paired", deprecated, client=client, timepoint=timepoint, conf_level=conf_level
    )
    measures = as_list(measures)
    by_cols = as_list(by)
    if not measures:
        raise ConfigError("measures is empty; name at least one score column.")
    if not 0 < conf_level < 1:
        raise ConfigError(f"conf_level must lie strictly between 0 and 1, got {conf_level!r}.")
    check_columns(scores, [client, timepoint, *by_cols, *measures])
    check_numeric(scores, measures)
    check_unique(scores, [*by_cols, client, timepoint])
    warn_baseline_only(measures)

    rows: list[dict] = []
    found = pairs_of(
        scores, measures, client=client, timepoint=timepoint, pre=pre, post=post, by=by_cols
    )
    for measure in measures:
        complete, excluded = found[measure]
        if by_cols:
            groups = complete.groupby(by_cols, observed=True, dropna=False, sort=True)
            keys = list(excluded.index)
            present = {k if isinstance(k, tuple) else (k,): g for k, g in groups}
            for key in keys:
                key_t = key if isinstance(key, tuple) else (key,)
                g = present.get(key_t, complete.iloc[0:0])
                row = dict(zip(by_cols, key_t, strict=True))
                label = ", ".join(f"{b}={v}" for b, v in zip(by_cols, key_t, strict=True))
                row.update(_one(g, measure, int(excluded.loc[key]), conf_level, label, correction))
                rows.append(row)
        else:
            row = _one(complete, measure, int(excluded.iloc[0]), conf_level, "", correction)
            rows.append(row)

    out = pd.DataFrame(rows, columns=[*by_cols, *PAIRED_COLUMNS[:-2]])
    grouped = out.groupby(by_cols, sort=False, dropna=False)["p_value"] if by_cols else None
    if grouped is None:
        out["p_holm"] = adjust_holm(out["p_value"].to_numpy())
        out["p_fdr"] = adjust_fdr_bh(out["p_value"].to_numpy())
    else:
        out["p_holm"] = grouped.transform(lambda p: adjust_holm(p.to_numpy()))
        out["p_fdr"] = grouped.transform(lambda p: adjust_fdr_bh(p.to_numpy()))
    if by_cols:
        out = out.sort_values([*by_cols], kind="stable").reset_index(drop=True)
    return out


def _one(
    g: pd.DataFrame,
    measure: str,
    n_excluded: int,
    conf_level: float,
    group: str = "",
    correction: bool = False,
) -> dict:
    from scipy import stats

    pre = g["pre"].to_numpy(dtype=float)
    post = g["post"].to_numpy(dtype=float)
    d = post - pre
    n = int(d.size)
    warn_small(n, f"paired({measure!r}{', ' + group if group else ''})", stacklevel=4)
    nan = float("nan")
    row = dict.fromkeys(PAIRED_COLUMNS[:-2], nan)
    row.update(measure=measure, n=n, n_excluded=n_excluded, wilcoxon_method="")
    if n == 0:
        row["df"] = nan
        return row
    row.update(mean_pre=pre.mean(), mean_post=post.mean(), mean_diff=d.mean())
    if n >= 2:
        sd_pre, sd_post, sd_d = (float(np.std(v, ddof=1)) for v in (pre, post, d))
        df = n - 1
        se = sd_d / np.sqrt(n)
        tcrit = stats.t.ppf(0.5 + conf_level / 2, df)
        row.update(sd_pre=sd_pre, sd_post=sd_post, sd_diff=sd_d, df=float(df))
        row.update(ci_low=d.mean() - tcrit * se, ci_high=d.mean() + tcrit * se)
        if sd_d > 0:
            t = d.mean() / se
            row.update(t=t, p_value=float(2 * stats.t.sf(abs(t), df)))
            dz = d.mean() / sd_d
            lo, hi = dz_interval(dz, n, conf_level)
            row.update(cohen_dz=dz, dz_ci_low=lo, dz_ci_high=hi)
        sd_av = (sd_pre + sd_post) / 2
        if sd_av > 0 and df > 1:
            row["hedges_gav"] = d.mean() / sd_av * (1 - 3 / (4 * df - 1))
    nz = d[d != 0]
    if nz.size:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            res = stats.wilcoxon(d, correction=correction)
        ranks = stats.rankdata(np.abs(nz))
        r_plus = ranks[nz > 0].sum()
        r_minus = ranks[nz < 0].sum()
        row.update(
            wilcoxon_w=float(res.statistic),
            wilcoxon_p=float(res.pvalue),
            wilcoxon_method=_wilcoxon_method(d),
            rank_biserial=float((r_plus - r_minus) / (r_plus + r_minus)),
        )
        est, lo, hi = hodges_lehmann(d, conf_level=conf_level, correction=correction)
        row.update(hl_estimate=est, hl_ci_low=lo, hl_ci_high=hi)
    return row


def _wilcoxon_method(d: np.ndarray) -> str:
    """The p-value method ``scipy.stats.wilcoxon(d)`` (method="auto") picks for ``d``."""
    if d.size > 50:
        return "asymptotic"
    nz = np.abs(d[d != 0])
    ties = np.unique(nz).size < nz.size
    if not (ties or nz.size < d.size):
        return "exact"
    return "permutation" if d.size <= 13 else "asymptotic"


def dz_interval(dz: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Interval for Cohen's d_z by inverting the noncentral t distribution.

    With t_obs = d_z·√n and df = n − 1, the limits are λ_L/√n and λ_U/√n where
    F_nct(t_obs; df, λ_L) = 1 − α/2 and F_nct(t_obs; df, λ_U) = α/2.

    The root is bracketed around the large-sample solution of
    (t_obs − λ)² = z²(1 + λ²/(2·df)) (t approximately normal with mean λ and that variance),
    and where scipy's noncentral t cannot be evaluated (far tails at large n) the side of
    the root is known from λ < t_obs; if the exact root still cannot be found, that
    large-sample solution is returned. Stable for any n ≥ 2.
    """
    from scipy import optimize, stats

    if n < 2 or not np.isfinite(dz):
        return float("nan"), float("nan")
    df = n - 1
    t_obs = dz * np.sqrt(n)
    alpha = 1 - confidence
    z = float(stats.norm.ppf(1 - alpha / 2))
    # large-sample limits: roots of (1 - z²/(2df)) λ² - 2 t λ + t² - z² = 0
    qa, qb, qc = 1 - z * z / (2 * df), -2 * t_obs, t_obs * t_obs - z * z
    disc = max(qb * qb - 4 * qa * qc, 0.0)
    if qa > 0:
        approx = ((-qb - np.sqrt(disc)) / (2 * qa), (-qb + np.sqrt(disc)) / (2 * qa))
    else:  # df tiny: fall back to t ± z·√(1 + t²/(2df))
        half = z * np.sqrt(1 + t_obs * t_obs / (2 * df))
        approx = (t_obs - half, t_obs + half)
    width = max(approx[1] - approx[0], 1.0)

    def solve(target: float, guess: float) -> float:
        def f(lam: float) -> float:
            value = float(stats.nct.cdf(t_obs, df, lam))
            if not np.isfinite(value):  # cdf falls from 1 to 0 as λ passes t_obs
                value = 1.0 if lam < t_obs else 0.0
            return value - target

        lo, hi = guess - width, guess + width
        for _ in range(60):
            if f(lo) > 0:
                break
            lo -= width
        for _ in range(60):
            if f(hi) < 0:
                break
            hi += width
        try:
            return optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12)
        except ValueError:
            return guess

    root_n = np.sqrt(n)
    return solve(1 - alpha / 2, approx[0]) / root_n, solve(alpha / 2, approx[1]) / root_n


def adjust_holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values; NaN entries are ignored and stay NaN."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(adj, 1.0)
    return out


def adjust_fdr_bh(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg (1995) step-up adjusted p-values; NaN entries stay NaN."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")][::-1]
    ranks = np.arange(m, 0, -1)
    adj = np.minimum.accumulate(m / ranks * p[order])
    out[order] = np.minimum(adj, 1.0)
    return out
