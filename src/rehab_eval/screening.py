"""ASSIST screening: risk levels per substance and overall, the follow-up each level calls
for, and the change between repeated screenings.

Pure functions over the ASSIST rows of ``scores.parquet`` (:func:`rehab_eval.scoring.score`
with the ``assist`` instrument): one row per client × screening, with ``<substance>_ssi``,
``<substance>_risk`` (``low``/``moderate``/``high``) and the overall ``level``
(``rendah``/``sedang``/``tinggi``: the highest risk over the substances other than tobacco,
as the instrument declaration states). Counts here are raw; a report publishes them through
:mod:`rehab_eval.disclosure` (risk levels are sensitive counts).

Risk bands (WHO ASSIST v3.0 Feedback Report Card, 2009): alcohol 0–10 / 11–26 / 27+,
tobacco and every other substance 0–3 / 4–26 / 27+. The follow-up per band follows the WHO
ASSIST manual for primary care (Humeniuk et al. 2010): low risk — general health advice
(feedback and encouragement not to increase use); moderate risk — a brief intervention;
high risk — a brief intervention and referral to specialist assessment and treatment. In
the Indonesian pathway the moderate and high levels are the ones taken into a
rehabilitation programme ("skrining kategori sedang dan berat akan diikutsertakan dalam
program rehabilitasi") and low-risk users are served by brief intervention or the
community programme (IBM).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rehab_eval.errors import InputError, require_columns
from rehab_eval.results import Result

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "FOLLOW_UP",
    "LEVELS",
    "OVERALL",
    "LevelChanges",
    "RiskLevels",
    "assist_rows",
    "follow_up",
    "level_changes",
    "risk_levels",
    "substances",
]

#: Program levels in order of risk.
LEVELS = ("rendah", "sedang", "tinggi")
#: The ``substance`` code of the overall level in the tables.
OVERALL = "overall"
#: The recommended follow-up of each level (WHO ASSIST manual, 2010).
FOLLOW_UP = {"rendah": "advice", "sedang": "brief_intervention", "tinggi": "referral"}
#: Direction of a change of level between two screenings.
DIRECTIONS = ("lower", "same", "higher")


def _instrument() -> Any:
    from rehab_eval.instruments.registry import get_instrument

    return get_instrument("assist")


def substances() -> tuple[str, ...]:
    """The ASSIST substance classes in form order (the instrument declaration's blocks)."""
    return tuple(_instrument().blocks)


def _band_to_level() -> dict[str, str]:
    return dict(_instrument().summary.level_labels)


def assist_rows(
    scores: pd.DataFrame, *, client: str = "client_id", timepoint: str = "timepoint"
) -> pd.DataFrame:
    """The ASSIST rows of a scores table, each numbered within its client by time.

    Parameters
    ----------
    scores : DataFrame
        ``scores.parquet`` (any instruments); needs ``instrument``, ``client``,
        ``timepoint``, ``date``, ``level`` and ``<substance>_risk``/``_ssi`` columns.
    client, timepoint : str
        Column names.

    Returns
    -------
    DataFrame
        The ASSIST rows (not modified otherwise) with ``screening`` (1 for a client's first
        screening, 2 for the next …, ordered by date, then timepoint) and ``n_screenings``
        (how many the client has). Rows are sorted by client and screening.

    Raises
    ------
    InputError
        A column is missing.
    """
    from rehab_eval.vocab import TIMEPOINTS

    require_columns(
        scores,
        ["instrument", client, timepoint, "date", "level"],
        "assist_rows",
        noun="scores table",
    )
    rows = scores[scores["instrument"].astype(str) == "assist"].copy()
    need = [f"{s}_{k}" for s in substances() for k in ("risk", "ssi")]
    require_columns(
        rows,
        need,
        "assist_rows",
        noun="scores table",
        hint="score the ASSIST forms with rehab-eval score first",
    )
    rank = {code: i for i, code in enumerate(TIMEPOINTS)}
    rows["_tp"] = rows[timepoint].astype(str).map(rank).fillna(len(rank))
    rows = rows.sort_values([client, "date", "_tp"], kind="stable").drop(columns="_tp")
    rows["screening"] = rows.groupby(client, sort=False).cumcount() + 1
    rows["n_screenings"] = rows.groupby(client, sort=False)["screening"].transform("max")
    return rows.reset_index(drop=True)


@dataclass(frozen=True, eq=False, repr=False)
class RiskLevels(Result):
    """Clients per risk level, per substance and overall.

    Attributes
    ----------
    table : DataFrame
        One row per substance × level: ``substance`` (``overall`` first, then the form
        order), ``level`` (rendah/sedang/tinggi), ``n`` (clients), ``n_screened``
        (clients with a determined level for that substance), ``share`` (``n /
        n_screened``; NaN when nobody was screened), ``follow_up`` (the recommended
        action of the level: ``advice``, ``brief_intervention``, ``referral``).
    screening : str
        Which screening of each client is counted (``first`` or ``last``).
    n_clients : int
        Clients with at least one ASSIST form.
    n_undetermined : int
        Clients whose overall level could not be determined (incomplete form).
    """

    table: pd.DataFrame
    screening: str
    n_clients: int
    n_undetermined: int

    _what: ClassVar[str] = "ASSIST risk levels"
    _key_fields: ClassVar[tuple[str, ...]] = ("screening", "n_clients", "n_undetermined")

    def overall(self) -> pd.DataFrame:
        """The rows of the overall level."""
        return self.table[self.table["substance"] == OVERALL].reset_index(drop=True)


def risk_levels(
    scores: pd.DataFrame, *, screening: str = "first", client: str = "client_id"
) -> RiskLevels:
    """Clients per ASSIST risk level, for each substance and for the overall level.

    Parameters
    ----------
    scores : DataFrame
        ``scores.parquet`` rows (other instruments are ignored).
    screening : {"first", "last"}
        Count each client's first screening (the level at entry, the default) or the
        latest one.
    client : str
        Client column.

    Returns
    -------
    RiskLevels
        ``.table`` with one row per substance × level (every level listed, 0 where nobody
        has it); see :class:`RiskLevels`.

    Notes
    -----
    Substance levels are the WHO bands of the specific substance involvement score
    (``<substance>_risk``: low/moderate/high → rendah/sedang/tinggi); the overall level is
    the scored ``level`` column (the highest band over substances other than tobacco).

    Examples
    --------
    >>> import pandas as pd
    >>> from rehab_eval.screening import risk_levels, substances
    >>> row = {f"{s}_{k}": v for s in substances() for k, v in (("ssi", 0.0), ("risk", "low"))}
    >>> rows = pd.DataFrame([{**row, "client_id": c, "instrument": "assist", "timepoint": "pre",
    ...                       "date": pd.Timestamp("2024-03-01"), "level": lvl}
    ...                      for c, lvl in [("a", "rendah"), ("b", "tinggi"), ("c", "tinggi")]])
    >>> risk_levels(rows).overall()[["level", "n"]].values.tolist()
    [['rendah', 1], ['sedang', 0], ['tinggi', 2]]
    """
    import numpy as np
    import pandas as pd

    if screening not in ("first", "last"):
        raise InputError(f"risk_levels: screening={screening!r}; use 'first' or 'last'")
    rows = assist_rows(scores, client=client)
    if screening == "first":
        chosen = rows[rows["screening"] == 1]
    else:
        chosen = rows[rows["screening"] == rows["n_screenings"]]
    to_level = _band_to_level()
    out = []
    columns = {OVERALL: chosen["level"].astype("string")}
    for s in substances():
        columns[s] = chosen[f"{s}_risk"].astype("string").map(to_level, na_action="ignore")
    for substance, levels in columns.items():
        known = levels.dropna()
        counts = known.value_counts()
        for level in LEVELS:
            n = int(counts.get(level, 0))
            out.append(
                {
                    "substance": substance,
                    "level": level,
                    "n": n,
                    "n_screened": int(len(known)),
                    "share": n / len(known) if len(known) else np.nan,
                    "follow_up": FOLLOW_UP[level],
                }
            )
    table = pd.DataFrame(out)
    return RiskLevels(
        table=table,
        screening=screening,
        n_clients=int(chosen[client].nunique()),
        n_undetermined=int(chosen["level"].isna().sum()),
    )


def follow_up(levels: RiskLevels) -> pd.DataFrame:
    """The recommended follow-up of the screened clients, by overall level.

    Parameters
    ----------
    levels : RiskLevels
        From :func:`risk_levels`.

    Returns
    -------
    DataFrame
        One row per level: ``level``, ``follow_up`` (``advice``: general health advice;
        ``brief_intervention``; ``referral``: brief intervention and referral to
        specialist assessment and treatment), ``n`` (clients), ``share`` (of the clients
        with a determined level).
    """
    return levels.overall()[["level", "follow_up", "n", "share"]].reset_index(drop=True)


@dataclass(frozen=True, eq=False, repr=False)
class LevelChanges(Result):
    """Change of level between a client's first and latest screening.

    Attributes
    ----------
    table : DataFrame
        One row per substance × first level × latest level: ``substance`` (``overall``
        first), ``level_first``, ``level_last``, ``n`` (clients; every combination listed),
        ``direction`` (``lower``, ``same``, ``higher``).
    directions : DataFrame
        One row per substance × direction: ``substance``, ``direction``, ``n``,
        ``n_repeated`` (clients screened at least twice with both levels known).
    n_repeated : int
        Clients with at least two ASSIST screenings.
    median_days : float
        Median days between the first and the latest screening (NaN without repeats).
    """

    table: pd.DataFrame
    directions: pd.DataFrame
    n_repeated: int
    median_days: float

    _what: ClassVar[str] = "ASSIST level changes"
    _key_fields: ClassVar[tuple[str, ...]] = ("n_repeated", "median_days")


def level_changes(scores: pd.DataFrame, *, client: str = "client_id") -> LevelChanges:
    """How the overall and per-substance levels changed between repeated screenings.

    Each client screened at least twice is counted once: the first screening against the
    latest one. Clients screened once are left out (``n_repeated`` says how many remain).

    Parameters
    ----------
    scores : DataFrame
        ``scores.parquet`` rows (other instruments are ignored).
    client : str
        Client column.

    Returns
    -------
    LevelChanges
        Empty tables and ``n_repeated == 0`` when no client was screened twice.

    Examples
    --------
    >>> import pandas as pd
    >>> from rehab_eval.screening import level_changes, substances
    >>> row = {f"{s}_{k}": v for s in substances() for k, v in (("ssi", 0.0), ("risk", "low"))}
    >>> rows = pd.DataFrame([{**row, "client_id": "a", "instrument": "assist", "timepoint": tp,
    ...                       "date": pd.Timestamp(d), "level": lvl}
    ...                      for tp, d, lvl in [("pre", "2024-01-05", "tinggi"),
    ...                                         ("post", "2024-07-01", "sedang")]])
    >>> ch = level_changes(rows)
    >>> ch.n_repeated, ch.directions.query("substance == 'overall' and n > 0").direction.tolist()
    (1, ['lower'])
    """
    import numpy as np
    import pandas as pd

    rows = assist_rows(scores, client=client)
    rows = rows[rows["n_screenings"] >= 2]
    first = rows[rows["screening"] == 1].set_index(client)
    last = rows[rows["screening"] == rows["n_screenings"]].set_index(client).loc[first.index]
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    to_level = _band_to_level()
    pairs = {OVERALL: (first["level"].astype("string"), last["level"].astype("string"))}
    for s in substances():
        pairs[s] = tuple(
            f[f"{s}_risk"].astype("string").map(to_level, na_action="ignore") for f in (first, last)
        )
    out, dirs = [], []
    for substance, (a, b) in pairs.items() if len(first) else ():
        both = a.notna() & b.notna()
        a, b = a[both], b[both]
        combos = pd.crosstab(a, b) if len(a) else pd.DataFrame()
        totals = dict.fromkeys(DIRECTIONS, 0)
        for la in LEVELS:
            for lb in LEVELS:
                n = int(combos.loc[la, lb]) if la in combos.index and lb in combos.columns else 0
                d = DIRECTIONS[int(np.sign(rank[lb] - rank[la])) + 1]
                totals[d] += n
                out.append(
                    {
                        "substance": substance,
                        "level_first": la,
                        "level_last": lb,
                        "n": n,
                        "direction": d,
                    }
                )
        for d in DIRECTIONS:
            dirs.append(
                {
                    "substance": substance,
                    "direction": d,
                    "n": totals[d],
                    "n_repeated": int(both.sum()),
                }
            )
    gap = (last["date"] - first["date"]).dt.days
    return LevelChanges(
        table=pd.DataFrame(
            out, columns=["substance", "level_first", "level_last", "n", "direction"]
        ),
        directions=pd.DataFrame(dirs, columns=["substance", "direction", "n", "n_repeated"]),
        n_repeated=int(len(first)),
        median_days=float(gap.median()) if len(gap) else float("nan"),
    )
