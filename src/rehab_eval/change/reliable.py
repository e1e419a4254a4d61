"""Reliable change and clinical significance per client (Jacobson & Truax 1991 and successors)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from rehab_eval._deprecation import renamed
from rehab_eval.change._pairs import (
    as_list,
    check_columns,
    check_numeric,
    check_unique,
    order_timepoints,
    pairs,
    warn_baseline_only,
    warn_small,
)
from rehab_eval.change.results import ReliableChange
from rehab_eval.errors import ConfigError, DataQualityWarning, InputError
from rehab_eval.intervals import wilson_interval

__all__ = [
    "CATEGORIES",
    "CATEGORIES_WITH_NORMS",
    "CRIT",
    "cutoff_value",
    "reliable_change",
    "summarize_categories",
]

#: Categories without a cut-off, in display order.
CATEGORIES = ("improved", "unchanged", "deteriorated")
#: Categories of the combined approach (reliable change + cut-off), in display order.
CATEGORIES_WITH_NORMS = ("recovered", "improved", "unchanged", "deteriorated", "harmed")
#: Default critical |RCI| per method (project decision: 1.96 exactly, strict inequality;
#: Hageman–Arrindell's one-sided 1.65 as in their paper and in R clinicalsignificance).
CRIT = {"jt": 1.96, "gln": 1.96, "ha": 1.65, "hlm": 1.96}

Method = Literal["jt", "gln", "ha", "hlm"]


def cutoff_value(
    kind: str,
    *,
    clinical_mean: float,
    clinical_sd: float,
    functional_mean: float | None = None,
    functional_sd: float | None = None,
    higher_is_better: bool = True,
) -> float:
    """Jacobson–Truax cut-off a, b or c.

    Notes
    -----
    With direction s = +1 when higher is better (−1 otherwise), M₀, SD₀ the clinical and M₁,
    SD₁ the functional population:

    - a = M₀ + s·2·SD₀ (beyond two SD of the clinical mean);
    - b = M₁ − s·2·SD₁ (within two SD of the functional mean; the functional SD, as in
      Jacobson & Truax 1991 and JTRCI — R clinicalsignificance uses the clinical SD here);
    - c = (SD₀·M₁ + SD₁·M₀) / (SD₀ + SD₁).

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical approach to
    defining meaningful change in psychotherapy research. J Consult Clin Psychol 59:12–19.

    Examples
    --------
    >>> cutoff_value("c", clinical_mean=40, clinical_sd=7.5, functional_mean=60, functional_sd=7.5)
    50.0
    """
    s = 1.0 if higher_is_better else -1.0
    if kind == "a":
        return float(clinical_mean + s * 2 * clinical_sd)
    if kind not in ("b", "c"):
        raise ConfigError(f"cutoff must be 'a', 'b' or 'c', got {kind!r}.")
    if functional_mean is None or functional_sd is None:
        raise ConfigError(f"cut-off {kind!r} needs functional_mean and functional_sd.")
    if kind == "b":
        return float(functional_mean - s * 2 * functional_sd)
    return float(
        (clinical_sd * functional_mean + functional_sd * clinical_mean)
        / (clinical_sd + functional_sd)
    )


def reliable_change(
    scores: pd.DataFrame,
    measure: str,
    *,
    reliability: float,
    client: str = "client_id",
    timepoint: str = "timepoint",
    pre: str = "pre",
    post: str = "post",
    sd_pre: float | None = None,
    higher_is_better: bool = True,
    functional_mean: float | None = None,
    functional_sd: float | None = None,
    cutoff: Literal["a", "b", "c"] | None = "c",
    method: Method = "jt",
    clinical_mean: float | None = None,
    clinical_sd: float | None = None,
    crit: float | None = None,
    reliability_source: str | None = None,
    norms_source: str | None = None,
    order: Sequence[str] | dict[str, float] | None = None,
    **deprecated: Any,
) -> ReliableChange:
    """Reliable change index and clinical-significance category per client.

    Parameters
    ----------
    scores : DataFrame
        Long by time: one row per client × timepoint, ``measure`` a numeric column.
    measure : str
        Score column.
    reliability : float
        r_xx of the measure, 0 < r_xx < 1 (test–retest or internal consistency: say which and
        where from in ``reliability_source``; it is recorded in the result).
    client, timepoint, pre, post : str
        Client column, timepoint column and the two timepoint codes compared.
    sd_pre : float, optional
        Reference SD₁ for the standard error. Default: SD of the pre scores over the complete
        pairs, ddof=1 (as R ``sd``).
    higher_is_better : bool
        Direction of improvement (True for WHOQOL-BREF; False for symptom scales).
    functional_mean, functional_sd : float, optional
        Norms of the functional (non-clinical) population, needed by cut-offs b and c.
    cutoff : {"a", "b", "c"} or None
        Jacobson–Truax cut-off for clinical significance (see :func:`cutoff_value`). Cut-off
        a uses only the clinical side and is always applied when asked for; b and c are
        applied when functional norms are given. None: reliable change only.
    method : {"jt", "gln", "ha", "hlm"}
        Jacobson–Truax (default), Gulliksen–Lord–Novick, Hageman–Arrindell, or the
        hierarchical-linear-model slope method (needs three or more timepoints).
    clinical_mean, clinical_sd : float, optional
        Clinical-population norms M₀, SD₀ for the cut-offs. Default: mean and SD (ddof=1) of
        the pre scores of the complete pairs.
    crit : float, optional
        Critical |RCI|; default 1.96 (1.65 for "ha"). Reliable change is |RCI| > crit.
    reliability_source, norms_source : str, optional
        Where r_xx and the norms come from (citation); recorded in the result.
    order : sequence or mapping, optional
        For ``method="hlm"``: timepoint order (or code -> numeric time); default canonical
        order, numbered 0, 1, 2, ...

    Returns
    -------
    ReliableChange
        ``.table``: one row per client with a complete pair (``hlm``: with two or more
        measurements):

        - ``<client>``: client identifier (column named as ``client``).
        - ``pre``, ``post``: the two scores (``hlm``: first and last measurement).
        - ``diff``: post − pre.
        - ``rci``: reliable change index (``hlm``: empirical-Bayes slope / its conditional SD).
        - ``reliable``: |rci| > crit.
        - (``rci`` and ``category`` are missing where the RCI is undefined, e.g. a
          Hageman–Arrindell r_dd ≤ 0, which also raises a DataQualityWarning.)
        - ``category``: ordered categorical; ``improved`` / ``unchanged`` / ``deteriorated``
          without a cut-off; ``recovered`` / ``improved`` / ``unchanged`` / ``deteriorated`` /
          ``harmed`` with one.

        The other fields of :class:`ReliableChange`: ``measure``, ``method``, ``n``, ``n_excluded``, ``reliability``,
        ``reliability_source``, ``sd_pre``, ``sd_pre_source``, ``m_pre``, ``se_measurement``,
        ``s_diff`` (denominator of the RCI), ``crit``, ``higher_is_better``, ``cutoff_type``,
        ``cutoff`` (value or None), ``clinical_mean``, ``clinical_sd``, ``functional_mean``,
        ``functional_sd``, ``norms_source``; for ``ha`` also ``r_dd``; for ``hlm``
        ``fixed_slope``, ``cov_re``, ``residual_var``, ``converged`` (``s_diff`` is NaN).

    Warns
    -----
    SmallSampleWarning
        Fewer than 10 complete pairs.

    Notes
    -----
    With s = +1 (higher is better) or −1, SE = SD₁·√(1 − r_xx):

    - JT: RCI = (post − pre) / S_diff, S_diff = √2·SE (Jacobson & Truax 1991).
    - GLN: RCI = [(post − M_pre) − r_xx(pre − M_pre)] / (SD₁·√(1 − r_xx²)) (Hsu 1989).
    - HA: r_xx,i = (SD_i² − SE²)/SD_i²; r_dd = (SD_pre²·r_xx,1 + SD_post²·r_xx,2 −
      2·SD_pre·SD_post·r_pp) / (SD_pre² + SD_post² − 2·SD_pre·SD_post·r_pp);
      RCI = [(post − pre)·r_dd + (M_post − M_pre)(1 − r_dd)] / (√r_dd·√2·SE)
      (Hageman & Arrindell 1999); crit 1.65.
    - HLM: REML fit of ``measure ~ time + (time | id)`` over every timepoint;
      RCI = b̂₁ᵢ / SD(b₁ᵢ | y), the empirical-Bayes estimate of client i's random slope (its
      deviation from the average slope, reported as ``fixed_slope``) over its
      conditional SD, as lme4 ``ranef(condVar = TRUE)`` and R clinicalsignificance
      ``rci_method = "HLM"`` compute it (Raudenbush & Bryk 2002). It flags clients who
      change reliably more (or less) than the cohort as a whole, not change from zero.

    improved: s·RCI > crit; deteriorated: s·RCI < −crit. With a cut-off C: clinical_pre =
    s·pre < s·C, functional_post = s·post > s·C; recovered = clinical_pre ∧ functional_post ∧
    improved; harmed = ¬clinical_pre ∧ ¬functional_post ∧ deteriorated (Claus et al. 2024).
    crit = 1.96 exactly with a strict inequality (J&T's "greater than 1.96"): an |RCI|
    between 1.959964 and 1.96 counts as unchanged here but as changed in clinicalsignificance.

    References
    ----------
    Jacobson & Truax (1991), J Consult Clin Psychol 59:12–19. Hageman, W. J., & Arrindell,
    W. A. (1999). Establishing clinically significant change. Behav Res Ther 37:1169–1193.
    Hsu, L. M. (1989). Reliable changes in psychotherapy. J Consult Clin Psychol 57:131–137.
    Raudenbush, S. W., & Bryk, A. S. (2002). Hierarchical Linear Models, 2nd ed. Sage.
    Claus, B. B., Wager, J., & Bonnet, U. (2024). clinicalsignificance: Clinical
    significance analyses of intervention studies in R. J Stat Softw 111(1).

    Examples
    --------
    >>> import pandas as pd, warnings; warnings.simplefilter("ignore")
    >>> s = pd.DataFrame({"client_id": ["a", "a", "b", "b"], "timepoint": ["pre", "post"] * 2,
    ...                   "score": [40.0, 62.5, 55.0, 50.0]})
    >>> rc = reliable_change(s, "score", reliability=0.8, sd_pre=15, cutoff=None)
    >>> round(float(rc.table["rci"].iloc[0]), 4), str(rc.table["category"].iloc[0])
    (2.3717, 'improved')
    """
    client, timepoint = renamed("reliable_change", deprecated, client=client, timepoint=timepoint)
    if method not in CRIT:
        raise ConfigError(f"method must be one of {sorted(CRIT)}, got {method!r}.")
    if not (isinstance(reliability, int | float) and 0 < reliability < 1):
        raise ConfigError(
            f"reliability must be a number strictly between 0 and 1, got {reliability!r}; "
            "take r_xx from a cited source (test-retest or internal consistency)."
        )
    if (functional_mean is None) != (functional_sd is None):
        raise ConfigError("give both functional_mean and functional_sd, or neither.")
    if cutoff not in (None, "a", "b", "c"):
        raise ConfigError(f"cutoff must be 'a', 'b', 'c' or None, got {cutoff!r}.")
    for name, value in (("sd_pre", sd_pre), ("functional_sd", functional_sd)):
        if value is not None and not value > 0:
            raise ConfigError(f"{name} must be positive, got {value!r}.")
    check_columns(scores, [client, timepoint, measure])
    check_numeric(scores, [measure])
    check_unique(scores, [client, timepoint])
    warn_baseline_only([measure])
    crit_value = float(CRIT[method] if crit is None else crit)
    s = 1.0 if higher_is_better else -1.0

    if method == "hlm":
        frame, info = _hlm(scores, measure, client=client, timepoint=timepoint, order=order)
        n_excluded = info.pop("n_excluded")
        pre_v = frame["pre"].to_numpy()
    else:
        frame, excluded = pairs(
            scores, measure, client=client, timepoint=timepoint, pre=pre, post=post
        )
        n_excluded = int(excluded.iloc[0])
        info = {}
        if frame.empty:
            raise InputError(
                f"no client has both {pre!r} and {post!r} values of {measure!r}; "
                "reliable change needs complete pairs."
            )
        pre_v = frame["pre"].to_numpy()
    n = len(frame)
    warn_small(n, f"reliable_change({measure!r})", stacklevel=3)

    sd_sample = float(np.std(pre_v, ddof=1)) if n > 1 else float("nan")
    sd1 = float(sd_pre) if sd_pre is not None else sd_sample
    m_pre = float(np.mean(pre_v))
    se = sd1 * np.sqrt(1 - reliability)
    pre_a = frame["pre"].to_numpy()
    post_a = frame["post"].to_numpy()
    diff = post_a - pre_a

    if method == "jt":
        denom = np.sqrt(2) * se
        rci = diff / denom
    elif method == "gln":
        denom = sd1 * np.sqrt(1 - reliability**2)
        rci = ((post_a - m_pre) - reliability * (pre_a - m_pre)) / denom
    elif method == "ha":
        sd_post = float(np.std(post_a, ddof=1))
        r_pp = float(np.corrcoef(pre_a, post_a)[0, 1])
        r1 = (sd1**2 - se**2) / sd1**2
        r2 = (sd_post**2 - se**2) / sd_post**2
        num = sd1**2 * r1 + sd_post**2 * r2 - 2 * sd1 * sd_post * r_pp
        den = sd1**2 + sd_post**2 - 2 * sd1 * sd_post * r_pp
        r_dd = num / den
        info["r_dd"] = float(r_dd)
        if not r_dd > 0:
            warnings.warn(
                f"Hageman-Arrindell: the reliability of the difference scores of {measure!r} "
                f"is r_dd = {r_dd:.3f} <= 0 at r_xx = {reliability}, so the RCI is undefined "
                "(NaN, no category). Use method='jt' or a better-founded r_xx.",
                DataQualityWarning,
                stacklevel=2,
            )
            r_dd = float("nan")
        denom = np.sqrt(r_dd) * np.sqrt(2 * se**2)
        rci = (diff * r_dd + (post_a.mean() - pre_a.mean()) * (1 - r_dd)) / denom
    else:
        denom = float("nan")
        rci = frame["rci"].to_numpy()

    improved = s * rci > crit_value
    deteriorated = s * rci < -crit_value
    cat = np.where(improved, "improved", np.where(deteriorated, "deteriorated", "unchanged"))
    undefined = np.isnan(np.asarray(rci, dtype=float))

    c0_mean = m_pre if clinical_mean is None else float(clinical_mean)
    c0_sd = sd_sample if clinical_sd is None else float(clinical_sd)
    use_cutoff = cutoff == "a" or (cutoff in ("b", "c") and functional_mean is not None)
    cut = None
    if use_cutoff:
        cut = cutoff_value(
            cutoff,
            clinical_mean=c0_mean,
            clinical_sd=c0_sd,
            functional_mean=functional_mean,
            functional_sd=functional_sd,
            higher_is_better=higher_is_better,
        )
        clinical_pre = s * pre_a < s * cut
        functional_post = s * post_a > s * cut
        cat = np.where(clinical_pre & functional_post & improved, "recovered", cat)
        cat = np.where(~clinical_pre & ~functional_post & deteriorated, "harmed", cat)
        levels = CATEGORIES_WITH_NORMS
    else:
        levels = CATEGORIES

    out = pd.DataFrame(
        {
            client: frame[client].to_numpy(),
            "pre": pre_a,
            "post": post_a,
            "diff": diff,
            "rci": np.asarray(rci, dtype=float),
            "reliable": np.abs(rci) > crit_value,
            "category": pd.Categorical(
                np.where(undefined, None, cat), categories=list(levels), ordered=True
            ),
        }
    )
    if "cov_re" in info:
        info["cov_re"] = tuple(tuple(float(v) for v in row) for row in info["cov_re"])
    return ReliableChange(
        table=out,
        measure=measure,
        method=method,
        n=n,
        n_excluded=n_excluded,
        reliability=float(reliability),
        reliability_source=reliability_source or "not given",
        sd_pre=sd1,
        sd_pre_source="given" if sd_pre is not None else "pre scores of complete pairs, ddof=1",
        m_pre=m_pre,
        se_measurement=float(se),
        s_diff=float(denom),
        crit=crit_value,
        higher_is_better=bool(higher_is_better),
        cutoff_type=cutoff if use_cutoff else None,
        cutoff=cut,
        clinical_mean=c0_mean if use_cutoff else None,
        clinical_sd=c0_sd if use_cutoff else None,
        functional_mean=None if functional_mean is None else float(functional_mean),
        functional_sd=None if functional_sd is None else float(functional_sd),
        norms_source=norms_source or ("not given" if functional_mean is not None else None),
        **info,
    )


def _hlm(
    scores: pd.DataFrame,
    measure: str,
    *,
    client: str,
    timepoint: str,
    order: Sequence[str] | dict[str, float] | None,
) -> tuple[pd.DataFrame, dict]:
    from rehab_eval.change.mixed import eb_slopes

    data = scores.loc[scores[measure].notna(), [client, timepoint, measure]]
    codes = data[timepoint].astype("string")
    times = order_timepoints(codes.dropna().unique().tolist(), order)
    if len(times) < 3:
        raise InputError(
            f"method='hlm' needs three or more timepoints of {measure!r}; found {list(times)}. "
            "Use method='jt' for two timepoints."
        )
    data = data.assign(_t=codes.map(times).astype(float))
    counts = data.groupby(client, sort=False)[measure].transform("size")
    slopes, info = eb_slopes(data, measure, id=client, tcol="_t")
    enough = data.loc[counts >= 2].sort_values([client, "_t"], kind="stable")
    first = enough.groupby(client, sort=True)[measure].first()
    last = enough.groupby(client, sort=True)[measure].last()
    frame = pd.DataFrame({client: first.index, "pre": first.to_numpy(), "post": last.to_numpy()})
    frame["rci"] = (slopes["eb_slope"] / slopes["eb_sd"]).reindex(first.index).to_numpy()
    info["n_excluded"] = int(data[client].nunique() - len(frame))
    return frame, info


def summarize_categories(
    rc: ReliableChange | pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    conf_level: float = 0.95,
    **deprecated: Any,
) -> pd.DataFrame:
    """Counts and proportions per reliable-change category with Wilson intervals.

    Parameters
    ----------
    rc : ReliableChange or DataFrame
        Output of :func:`reliable_change` (a :class:`ReliableChange`), or a DataFrame with a
        ``category`` column, e.g. its ``table`` with group columns added.
    by : str or sequence of str, optional
        Group columns.
    conf_level : float
        Level of the Wilson interval.

    Returns
    -------
    DataFrame
        One row per (group ×) category, every category listed even when empty:
        ``category``, ``n`` (clients in it), ``n_total`` (clients classified), ``proportion``
        (n / n_total), ``ci_low``, ``ci_high`` (Wilson score interval).

    Notes
    -----
    Wilson: (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹(1 − α/2).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. J Am Stat Assoc 22:209–212.

    Examples
    --------
    >>> import pandas as pd
    >>> rc = pd.DataFrame({"category": pd.Categorical(
    ...     ["improved", "unchanged", "improved"], categories=list(CATEGORIES))})
    >>> summarize_categories(rc)["n"].tolist()
    [2, 1, 0]
    """
    (conf_level,) = renamed("summarize_categories", deprecated, conf_level=conf_level)
    rc = rc.table if isinstance(rc, ReliableChange) else rc
    from scipy import stats

    by_cols = as_list(by)
    check_columns(rc, ["category", *by_cols], what="reliable-change table")
    cats = rc["category"]
    levels = (
        list(cats.cat.categories)
        if isinstance(cats.dtype, pd.CategoricalDtype)
        else sorted(cats.dropna().unique())
    )
    z = stats.norm.ppf(0.5 + conf_level / 2)
    groups = rc.groupby(by_cols, observed=True, sort=True, dropna=False) if by_cols else [((), rc)]
    rows = []
    for key, g in groups:
        key_t = key if isinstance(key, tuple) else (key,)
        total = int(g["category"].notna().sum())
        counts = g["category"].value_counts()
        for level in levels:
            k = int(counts.get(level, 0))
            lo, hi = (float(v) for v in wilson_interval(k, total, z))
            row = dict(zip(by_cols, key_t, strict=True))
            row.update(
                category=level,
                n=k,
                n_total=total,
                proportion=k / total if total else float("nan"),
                ci_low=lo,
                ci_high=hi,
            )
            rows.append(row)
    return pd.DataFrame(
        rows, columns=[*by_cols, "category", "n", "n_total", "proportion", "ci_low", "ci_high"]
    )
