"""URICA stage transitions pre → post with the Stuart–Maxwell test of marginal homogeneity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval._deprecation import renamed
from rehab_eval.change._pairs import check_columns, check_unique, warn_small
from rehab_eval.errors import InputError
from rehab_eval.vocab import STAGE_ORDER, URICA_STAGES

__all__ = ["STAGE_ORDER", "StageTransitions", "stage_transitions", "stuart_maxwell"]

#: The bands of the project's URICA scoring; when every stage seen is one of them, all three
#: are shown (an empty band is a finding too).
UMBC_BANDS = URICA_STAGES


@dataclass(frozen=True, eq=False)
class StageTransitions:
    """Stage crosstab pre → post and the test of marginal homogeneity.

    Attributes
    ----------
    table : DataFrame
        Counts, rows = stage at ``pre`` (index name ``pre``), columns = stage at ``post``
        (name ``post``); square, same stages on both axes, in readiness order. When every
        stage seen is one of the three UMBC bands (``precontemplation``, ``contemplation``,
        ``preparation_action``, as the scoring step writes them) all three are listed.
    statistic, df, p_value : float, int, float
        Stuart–Maxwell chi-square, its degrees of freedom and p-value (chi-square reference).
    exact_p_value : float
        Exact McNemar (binomial) p-value when only two stages carry discordant pairs,
        else NaN.
    n : int
        Clients with a stage at both timepoints; the test rests on them.
    n_excluded : int
        Clients with a stage at one of the two timepoints only.
    """

    table: pd.DataFrame
    statistic: float
    df: int
    p_value: float
    exact_p_value: float
    n: int
    n_excluded: int

    @property
    def crosstab(self) -> pd.DataFrame:
        """The pre × post count table (same as ``table``)."""
        return self.table

    @property
    def n_moved_forward(self) -> int:
        """Clients whose post stage is readier than their pre stage (above the diagonal).

        Rows and columns of ``table`` are in order of readiness, so these are the counts
        strictly above the diagonal.
        """
        counts = self.table.to_numpy()
        return int(np.triu(counts, k=1).sum())

    @property
    def n_moved_back(self) -> int:
        """Clients whose post stage is less ready than their pre stage (below the diagonal)."""
        counts = self.table.to_numpy()
        return int(np.tril(counts, k=-1).sum())

    @property
    def summary(self) -> pd.DataFrame:
        """Long crosstab: ``stage_pre``, ``stage_post``, ``n``, ``proportion`` (of n)."""
        long = self.table.stack().rename("n").reset_index()
        long.columns = ["stage_pre", "stage_post", "n"]
        long["proportion"] = long["n"] / self.n if self.n else np.nan
        return long

    @property
    def test(self) -> pd.DataFrame:
        """One row: ``statistic``, ``df``, ``p_value``, ``exact_p_value``, ``n``, ``n_excluded``."""
        return pd.DataFrame(
            [
                {
                    "statistic": self.statistic,
                    "df": self.df,
                    "p_value": self.p_value,
                    "exact_p_value": self.exact_p_value,
                    "n": self.n,
                    "n_excluded": self.n_excluded,
                }
            ]
        )

    def _repr_html_(self) -> str:
        return (
            f"<p><b>Stage transitions</b> (n = {self.n}): Stuart–Maxwell χ² = "
            f"{self.statistic:.3f}, df = {self.df}, p = {self.p_value:.4g}</p>"
            + self.table.to_html()
        )


def stage_transitions(
    urica_scores: pd.DataFrame,
    *,
    client: str = "client_id",
    timepoint: str = "timepoint",
    pre: str = "pre",
    post: str = "post",
    stage: str = "stage",
    **deprecated: Any,
) -> StageTransitions:
    """Crosstab of URICA stage pre → post with the Stuart–Maxwell test.

    Parameters
    ----------
    urica_scores : DataFrame
        URICA scores long by time with a ``stage`` column (stage code per assessment).
    client, timepoint, pre, post, stage : str
        Client column, timepoint column, the two timepoint codes, the stage column.

    Returns
    -------
    StageTransitions
        ``table`` (also as ``crosstab``), ``statistic``, ``df``, ``p_value``, ``exact_p_value``, ``n``,
        ``n_excluded``; ``.summary`` (long crosstab) and ``.test`` (one-row frame).

    Warns
    -----
    SmallSampleWarning
        Fewer than 10 clients with both stages.

    Notes
    -----
    Stuart–Maxwell: with d the vector of differences between row and column margins over
    k − 1 stages and V its covariance (V_ii = n_i. + n_.i − 2n_ii, V_ij = −(n_ij + n_ji)),
    X² = dᵀV⁻¹d on k − 1 df. Stages whose pairs all stay put (no discordant pair) make V
    singular and carry no information about marginal change; they are dropped before the
    test and the df reduced, as is usual. The computation equals
    ``statsmodels.stats.contingency_tables.SquareTable(table).homogeneity("stuart_maxwell")``
    on the remaining stages. With two stages it is McNemar's test, and the exact binomial
    p-value is given too.

    References
    ----------
    Stuart, A. (1955). A test for homogeneity of the marginal distributions in a two-way
    classification. Biometrika 42:412–416. Maxwell, A. E. (1970). Comparing the
    classification of subjects by two independent judges. Br J Psychiatry 116:651–655.

    Examples
    --------
    >>> import pandas as pd, warnings; warnings.simplefilter("ignore")
    >>> s = pd.DataFrame({"client_id": [1, 1, 2, 2, 3, 3], "timepoint": ["pre", "post"] * 3,
    ...                   "stage": ["precontemplation", "contemplation", "contemplation",
    ...                             "contemplation", "precontemplation", "preparation_action"]})
    >>> res = stage_transitions(s)
    >>> res.n, int(res.table.loc["precontemplation", "contemplation"])
    (3, 1)
    """
    client, timepoint = renamed("stage_transitions", deprecated, client=client, timepoint=timepoint)
    check_columns(urica_scores, [client, timepoint, stage], what="urica_scores")
    check_unique(urica_scores, [client, timepoint], what="urica_scores")
    times = urica_scores[timepoint].astype("string")
    sub = urica_scores.loc[
        times.isin([pre, post]).fillna(False).to_numpy(), [client, timepoint, stage]
    ]
    if sub.empty:
        raise InputError(f"no row has {timepoint} = {pre!r} or {post!r}.")
    wide = sub.assign(**{timepoint: sub[timepoint].astype("string")}).pivot(
        index=client, columns=timepoint, values=stage
    )
    wide = wide.reindex(columns=[pre, post])
    complete = wide.notna().all(axis=1)
    both = wide.loc[complete]
    n = len(both)
    warn_small(n, "stage_transitions", stacklevel=3)
    present = set(both[pre].astype(str)) | set(both[post].astype(str))
    if present <= set(UMBC_BANDS):
        present = set(UMBC_BANDS)
    levels = [s for s in STAGE_ORDER if s in present] + sorted(present - set(STAGE_ORDER))
    table = pd.crosstab(
        pd.Categorical(both[pre].astype(str), categories=levels),
        pd.Categorical(both[post].astype(str), categories=levels),
        dropna=False,
    )
    table.index.name, table.columns.name = "pre", "post"
    table.index, table.columns = list(levels), list(levels)
    table = table.rename_axis(index="pre", columns="post")
    stat, df, p, p_exact = stuart_maxwell(table.to_numpy())
    return StageTransitions(
        table=table,
        statistic=stat,
        df=df,
        p_value=p,
        exact_p_value=p_exact,
        n=n,
        n_excluded=int((~complete).sum()),
    )


def stuart_maxwell(table: np.ndarray) -> tuple[float, int, float, float]:
    """Stuart–Maxwell X², df, p-value and (two informative stages) exact McNemar p-value."""
    from scipy import stats
    from statsmodels.stats.contingency_tables import SquareTable

    t = np.asarray(table, dtype=float)
    off = t - np.diag(np.diag(t))
    keep = (off.sum(axis=0) + off.sum(axis=1)) > 0
    t = t[np.ix_(keep, keep)]
    k = t.shape[0]
    if k < 2:
        return 0.0, 0, 1.0, 1.0
    res = SquareTable(t, shift_zeros=False).homogeneity(method="stuart_maxwell")
    p_exact = float("nan")
    if k == 2:
        b, c = int(t[0, 1]), int(t[1, 0])
        p_exact = float(stats.binomtest(b, b + c, 0.5).pvalue)
    return float(res.statistic), int(res.df), float(res.pvalue), p_exact
