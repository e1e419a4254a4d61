"""What the program delivered: contact dosage (:func:`dosage`) and urine positivity by
program month (:func:`urine_positivity`).

References
----------
Wilson EB. Probable inference, the law of succession, and statistical inference. *J Am Stat
Assoc* 1927;22:209-212.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.cohort._common import DAYS_PER_MONTH, _need
from rehab_eval.errors import ConfigError
from rehab_eval.etl.processed import table
from rehab_eval.intervals import Z95, wilson_interval
from rehab_eval.vocab import CONTACT_KINDS

__all__ = ["dosage", "urine_positivity"]


def _describe(values: np.ndarray) -> dict[str, float]:
    n = len(values)
    if n == 0:
        return dict.fromkeys(("mean", "sd", "median", "q1", "q3", "min", "max"), np.nan)
    q1, med, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    return {
        "mean": float(np.mean(values)),
        "sd": float(np.std(values, ddof=1)) if n > 1 else np.nan,
        "median": float(med),
        "q1": float(q1),
        "q3": float(q3),
        "min": float(np.min(values)),
        "max": float(np.max(values)),
    }


def dosage(
    data: Any,
    *,
    kinds: Sequence[str] | None = None,
    include_urine: bool = True,
) -> pd.DataFrame:
    """Attendance and dosage: per-client counts of each contact kind, summarised.

    Every client with an enrollment in ``data`` counts, with zero for kinds they never had.

    Parameters
    ----------
    data
        Canonical tables, usually restricted with :func:`select`.
    kinds
        Contact kinds to report (default: those of :data:`rehab_eval.vocab.CONTACT_KINDS` seen in
        the data, in that order).
    include_urine
        Add a ``urine_test`` row from the ``urine_tests`` table (a test counts as scheduled; as
        attended unless its result is ``refused``).

    Returns
    -------
    DataFrame with one row per kind:

    - ``kind``: contact kind code (``home_visit``, ``group``, ``counselling``, ``other``,
      ``urine_test``);
    - ``n_clients``: clients in the cohort (the denominator);
    - ``n_clients_any``: clients who attended at least one contact of this kind;
    - ``n_scheduled``, ``n_attended``: contacts recorded and attended (``attended`` missing counts
      as not attended);
    - ``attendance_rate``: ``n_attended / n_scheduled``;
    - ``mean``, ``sd``, ``median``, ``q1``, ``q3``, ``min``, ``max``: of the number of attended
      contacts per client (zeros included).
    """
    enrollments = table(data, "enrollments")
    ids = pd.Index(sorted(set(enrollments["client_id"].dropna())), name="client_id")
    contacts = table(data, "contacts", required=False)
    parts = []
    if len(contacts):
        _need(contacts, "contacts", ["client_id", "kind"])
        attended = (
            contacts["attended"].astype("boolean").fillna(False).astype(bool)
            if "attended" in contacts.columns
            else pd.Series(True, index=contacts.index)
        )
        parts.append(
            pd.DataFrame(
                {
                    "client_id": contacts["client_id"].to_numpy(),
                    "kind": contacts["kind"].astype("object").to_numpy(),
                    "attended": attended.to_numpy(),
                }
            )
        )
    if kinds is None:
        seen = set(parts[0]["kind"]) if parts else set()
        kinds = [k for k in CONTACT_KINDS if k in seen] + sorted(
            str(k) for k in seen - set(CONTACT_KINDS) if pd.notna(k)
        )
    else:
        kinds = list(kinds)
    urine = table(data, "urine_tests", required=False)
    if include_urine:
        if len(urine):
            _need(urine, "urine_tests", ["client_id"])
            done = (
                urine["result"].astype("object") != "refused"
                if "result" in urine.columns
                else pd.Series(True, index=urine.index)
            )
            parts.append(
                pd.DataFrame(
                    {
                        "client_id": urine["client_id"].to_numpy(),
                        "kind": "urine_test",
                        "attended": done.to_numpy(dtype=bool),
                    }
                )
            )
        kinds = [*kinds, "urine_test"]
    records = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({"client_id": [], "kind": [], "attended": []})
    )
    records = records.loc[records["client_id"].isin(ids).to_numpy()]
    rows = []
    for kind in kinds:
        part = records.loc[(records["kind"] == kind).to_numpy()]
        per_client = (
            part.loc[part["attended"].to_numpy(dtype=bool)]
            .groupby("client_id")
            .size()
            .reindex(ids, fill_value=0)
        )
        n_sched, n_att = len(part), int(part["attended"].sum())
        rows.append(
            {
                "kind": kind,
                "n_clients": len(ids),
                "n_clients_any": int((per_client > 0).sum()),
                "n_scheduled": n_sched,
                "n_attended": n_att,
                "attendance_rate": n_att / n_sched if n_sched else np.nan,
                **_describe(per_client.to_numpy(dtype=float)),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "kind",
            "n_clients",
            "n_clients_any",
            "n_scheduled",
            "n_attended",
            "attendance_rate",
            "mean",
            "sd",
            "median",
            "q1",
            "q3",
            "min",
            "max",
        ],
    )
    for col in ("n_clients", "n_clients_any", "n_scheduled", "n_attended"):
        out[col] = out[col].astype("int64")
    return out


def urine_positivity(
    data: Any,
    *,
    refused_as_positive: bool = False,
    max_month: int | None = None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Share of positive urine tests by program month, with Wilson intervals.

    A test's program month is ``floor(days since the start of the client's enrollment /
    30.4375) + 1`` (month 1 = the first 30.44 days), using the latest enrollment that started on
    or before the test. Tests before any enrollment start are left out.

    Parameters
    ----------
    data
        Canonical tables, usually restricted with :func:`select`.
    refused_as_positive
        Count a refused test as positive (a common program rule); by default refused and invalid
        tests are left out of the denominator.
    max_month
        Drop tests after this program month.
    conf_level
        Confidence level of the Wilson intervals (0.95: 95 %).

    Returns
    -------
    DataFrame with one row per program month that has tests:

    - ``month``: program month (1, 2, …);
    - ``n_tests``: tests with a usable result;
    - ``n_positive``: positive tests (and refused ones with ``refused_as_positive``);
    - ``n_clients``: distinct clients tested that month;
    - ``share``: ``n_positive / n_tests``;
    - ``ci_low``, ``ci_high``: Wilson interval (``conf_level``) of the share (tests treated as
      independent; clients tested twice in a month make it somewhat narrow).
    """
    columns = ["month", "n_tests", "n_positive", "n_clients", "share", "ci_low", "ci_high"]
    if not 0 < conf_level < 1:
        raise ConfigError(f"urine_positivity: conf_level={conf_level!r}; give a number like 0.95")
    urine = table(data, "urine_tests", required=False)
    enrollments = table(data, "enrollments")
    if not len(urine):
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}).astype(
            {"month": "int64", "n_tests": "int64", "n_positive": "int64", "n_clients": "int64"}
        )
    _need(urine, "urine_tests", ["client_id", "date", "result"])
    _need(enrollments, "enrollments", ["client_id", "start_date"])
    result = urine["result"].astype("object")
    usable = ["negative", "positive", *(["refused"] if refused_as_positive else [])]
    tests = pd.DataFrame(
        {
            "client_id": urine["client_id"].astype("object").to_numpy(),
            "date": pd.to_datetime(urine["date"]).astype("datetime64[ns]").to_numpy(),
            "positive": result.isin(
                ["positive", "refused"] if refused_as_positive else ["positive"]
            ).to_numpy(dtype=bool),
            "usable": result.isin(usable).to_numpy(dtype=bool),
        }
    )
    tests = tests.loc[tests["usable"] & tests["date"].notna()].sort_values("date", kind="stable")
    starts = pd.DataFrame(
        {
            "client_id": enrollments["client_id"].astype("object").to_numpy(),
            "start": pd.to_datetime(enrollments["start_date"]).astype("datetime64[ns]").to_numpy(),
        }
    ).dropna()
    starts = starts.sort_values("start", kind="stable")
    joined = pd.merge_asof(
        tests, starts, left_on="date", right_on="start", by="client_id", direction="backward"
    ).dropna(subset=["start"])
    days = (joined["date"] - joined["start"]).dt.days.to_numpy()
    joined = joined.assign(month=(np.floor(days / DAYS_PER_MONTH) + 1).astype("int64"))
    if max_month is not None:
        joined = joined.loc[joined["month"] <= max_month]
    grouped = joined.groupby("month", sort=True)
    out = pd.DataFrame(
        {
            "n_tests": grouped.size(),
            "n_positive": grouped["positive"].sum(),
            "n_clients": grouped["client_id"].nunique(),
        }
    ).reset_index()
    out = out.astype({"month": "int64", "n_tests": "int64", "n_positive": "int64"})
    out["n_clients"] = out["n_clients"].astype("int64")
    if conf_level == 0.95:
        z = Z95
    else:
        from scipy.stats import norm

        z = float(norm.ppf(0.5 + conf_level / 2))
    low, high = wilson_interval(out["n_positive"], out["n_tests"], z=z)
    out["share"] = out["n_positive"] / out["n_tests"]
    out["ci_low"], out["ci_high"] = low, high
    return out[columns]
