"""The selection vocabulary: who is in an indicator's population, and who has its event.

Each declared selection kind is one function here. A *population* function returns one row
per person of the report year (with what places them in it: their episode, their release,
their screening); an *event* function returns, for those persons, whether they count
in the denominator (``eligible``, with the ``reason`` when not) and in the numerator
(``event``). :mod:`rehab_eval.indicators.compute` counts them. The analysis itself is done by
the library's functions: :func:`rehab_eval.change.reliable_change`,
:func:`rehab_eval.recidivism.followup` and :func:`rehab_eval.recidivism.rates_at`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError, InputError, SmallSampleWarning
from rehab_eval.etl.processed import restrict, table, table_columns

__all__ = ["EPISODE_AFTER_DAYS", "EPISODE_BEFORE_DAYS", "evaluate_event", "population"]

#: Assessments belong to an episode when dated from this many days before its start ...
EPISODE_BEFORE_DAYS = 31
#: ... to this many days after its end (any later date when the episode has no end date).
EPISODE_AFTER_DAYS = 92
_MONTH_DAYS = 365.25 / 12

#: Reasons a person of the population is left out of the denominator (codes; labels in
#: :data:`REASONS`).
REASONS = {
    "status_undetermined": ("program belum selesai", "programme not yet ended"),
    "status_missing": ("status tidak tercatat", "status not recorded"),
    "no_pair": ("tanpa penilaian pra dan pasca lengkap", "no complete pre and post assessment"),
    "rci_undefined": (
        "RCI tak terdefinisi (kurang dari 2 pasangan)",
        "RCI undefined (fewer than 2 pairs)",
    ),
    "not_followed": ("belum diikuti penuh", "not followed the full window"),
    "untested": ("tes urine kurang dari syarat", "fewer urine tests than required"),
    "no_value": ("nilai tidak tercatat", "value not recorded"),
    "no_matching": ("tanpa layanan padanan", "no matching service declared"),
}


def _dates(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s) and getattr(s.dt, "tz", None) is None:
        return s.astype("datetime64[ns]")
    return pd.to_datetime(s, errors="coerce").astype("datetime64[ns]")


def _in_year(s: pd.Series, year: int) -> pd.Series:
    d = _dates(s)
    return (d.dt.year == year).fillna(False).astype(bool)


def population(data: Any, spec: dict[str, Any], period: str, year: int) -> pd.DataFrame:
    """One row per person of the population in ``year``.

    Returns
    -------
    DataFrame
        ``client_id``, ``anchor`` (the date placing the person in the year) and, for
        ``participants``, the episode's ``program``, ``start_date``, ``end_date``,
        ``status``; for ``screened``, ``date`` and every column of the score row.

    Notes
    -----
    *participants*, period ``program_start``: the clients with an enrollment in one of the
    ``programs`` starting in ``year``; a client with several is counted once, by the latest
    (ties: the later end date). Period ``release_date``: the clients with an enrollment in one
    of the programs (any year) whose ``release_date`` falls in ``year``. *screened*: the
    clients with a score row of ``instrument`` dated in ``year`` (the first one counts).
    """
    kind = spec["kind"]
    if kind == "participants":
        en = table(data, "enrollments", columns=["client_id", "program", "start_date"])
        en = en[en["program"].astype(object).isin(spec["programs"])].copy()
        if "statuses" in spec:
            en = en[en["status"].astype(object).isin(spec["statuses"])]
        en["start_date"] = _dates(en["start_date"])
        en["end_date"] = _dates(en["end_date"]) if "end_date" in en else pd.NaT
        if period == "program_start":
            en = en[_in_year(en["start_date"], year)]
            en = en.sort_values(["client_id", "start_date", "end_date"], na_position="first")
            en = en.drop_duplicates("client_id", keep="last")
            keep = ["client_id", "program", "start_date", "end_date", "status"]
            out = en[[c for c in keep if c in en.columns]].assign(anchor=en["start_date"])
            return out.reset_index(drop=True)
        if period == "release_date":
            cl = table(data, "clients", columns=["client_id", "release_date"])
            cl = cl.drop_duplicates("client_id")
            cl = cl[cl["client_id"].isin(en["client_id"]) & _in_year(cl["release_date"], year)]
            return pd.DataFrame(
                {"client_id": cl["client_id"].to_numpy(), "anchor": _dates(cl["release_date"])}
            ).reset_index(drop=True)
        raise ConfigError(f"population 'participants' cannot use period {period!r}.")
    if kind == "screened":
        if period != "assessment_date":
            raise ConfigError("population 'screened' needs period = 'assessment_date'.")
        sc = _scores(data, spec["instrument"])
        sc = sc[_in_year(sc["date"], year)].sort_values(["client_id", "date"], kind="mergesort")
        sc = sc.drop_duplicates("client_id", keep="first")
        return sc.assign(anchor=_dates(sc["date"])).reset_index(drop=True)
    raise ConfigError(f"unknown population kind {kind!r}.")  # pragma: no cover (checked on load)


def _scores(data: Any, instrument: str) -> pd.DataFrame:
    if table_columns(data, "scores") is None:
        raise InputError(
            "the processed data have no scores table; run `rehab-eval score --processed DIR` first."
        )
    sc = table(data, "scores", filters=[("instrument", "==", instrument)]).copy()
    sc["client_id"] = sc["client_id"].astype(object)
    sc["timepoint"] = sc["timepoint"].astype(object)
    sc["date"] = _dates(sc["date"]) if "date" in sc else pd.NaT
    return sc


def _frame(pop: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"client_id": pop["client_id"].to_numpy(), "eligible": True, "reason": "", "event": False}
    )


def _pairs(pop: pd.DataFrame, data: Any, spec: dict[str, Any], measures: list[str]):
    """Per person, the pre and post score rows of the episode (long: client_id, timepoint)."""
    sc = _scores(data, spec["instrument"])
    sc = sc[sc["client_id"].isin(pop["client_id"])]
    if sc.empty:
        return pd.DataFrame({"client_id": [], "timepoint": [], **{m: [] for m in measures}})
    for m in measures:
        if m not in sc.columns:
            raise InputError(
                f"scores have no column {m!r} for {spec['instrument']}; "
                "check the indicator declaration."
            )
    if "start_date" in pop:
        ep = pop.set_index("client_id")
        start = sc["client_id"].map(ep["start_date"])
        end = sc["client_id"].map(ep["end_date"])
        lo = start - pd.Timedelta(days=EPISODE_BEFORE_DAYS)
        hi = end + pd.Timedelta(days=EPISODE_AFTER_DAYS)
        inside = sc["date"].isna() | ((sc["date"] >= lo) & (hi.isna() | (sc["date"] <= hi)))
        sc = sc[inside.to_numpy()]
    sc = sc.dropna(subset=measures)
    rows = []
    for role in ("pre", "post"):
        codes = list(spec[role])
        pick = sc[sc["timepoint"].isin(codes)].copy()
        pick["_rank"] = pick["timepoint"].map({c: i for i, c in enumerate(codes)})
        pick = pick.sort_values(["client_id", "_rank", "date"], kind="mergesort")
        pick = pick.drop_duplicates("client_id", keep="first")
        rows.append(pick[["client_id", *measures]].assign(timepoint=role))
    long = pd.concat(rows, ignore_index=True)
    both = long.groupby("client_id")["timepoint"].transform("nunique") == 2
    return long[both.to_numpy()].reset_index(drop=True)


def _reliable_change(pop, data, spec, end_date) -> pd.DataFrame:
    from rehab_eval.change import reliable_change
    from rehab_eval.instruments import get_instrument

    out = _frame(pop)
    measures = list(spec.get("measures") or spec["reliability"])
    # r_xx: the indicator's own value when it declares one, else the instrument declaration's
    # published reliability (one source for the reports and the indicators)
    inst = get_instrument(spec["instrument"])
    declared = inst.published_reliability
    reliability = {
        m: spec.get("reliability", {}).get(m) or inst.reliability_of(m) for m in measures
    }
    missing = [m for m, r in reliability.items() if r is None]
    if missing:
        raise ConfigError(
            f"indikator: reliabilitas {', '.join(missing)} tidak dideklarasikan; tambahkan di "
            "deklarasi instrumen atau di berkas indikator"
        )
    source = spec.get("reliability_source") or (declared.source if declared else None)
    long = _pairs(pop, data, spec, measures)
    paired = set(long["client_id"])
    out.loc[~out["client_id"].isin(paired), ["eligible", "reason"]] = [False, "no_pair"]
    if not paired:
        return out
    cats = {}
    for m in measures:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            rc = reliable_change(
                long,
                m,
                reliability=float(reliability[m]),
                sd_pre=spec.get("sd_pre", {}).get(m),
                cutoff=None,
                crit=spec.get("crit"),
                reliability_source=source,
            )
        cats[m] = rc.table.set_index("client_id")["category"].astype(object)
    cat = pd.DataFrame(cats)
    undefined = cat.isna().any(axis=1)
    improved = (cat == "improved").sum(axis=1)
    deteriorated = (cat == "deteriorated").sum(axis=1)
    rule = spec.get("rule", "any_improved_none_deteriorated")
    if rule == "any_improved_none_deteriorated":
        hit = (improved >= 1) & (deteriorated == 0)
    elif rule == "any_improved":
        hit = improved >= 1
    else:
        hit = improved == len(measures)
    ids = out["client_id"]
    bad = ids.map(undefined).fillna(False).astype(bool)
    out.loc[bad & out["eligible"], ["eligible", "reason"]] = [False, "rci_undefined"]
    out["event"] = out["eligible"] & ids.map(hit & ~undefined).fillna(False).astype(bool)
    return out


def _score_increase(pop, data, spec, end_date) -> pd.DataFrame:
    out = _frame(pop)
    measures = list(spec["measures"])
    long = _pairs(pop, data, spec, measures)
    out.loc[~out["client_id"].isin(long["client_id"]), ["eligible", "reason"]] = [False, "no_pair"]
    pre = long[long["timepoint"] == "pre"].set_index("client_id")[measures]
    post = long[long["timepoint"] == "post"].set_index("client_id")[measures].reindex(pre.index)
    combine = spec.get("combine", "mean")
    if combine == "mean":
        hit = post.mean(axis=1) > pre.mean(axis=1)
    elif combine == "any":
        hit = (post > pre).any(axis=1)
    else:
        hit = (post > pre).all(axis=1)
    out["event"] = out["eligible"] & out["client_id"].map(hit).fillna(False).astype(bool)
    return out


def _status(pop, data, spec, end_date) -> pd.DataFrame:
    out = _frame(pop)
    status = pop["status"].astype(object) if "status" in pop else pd.Series(None, index=pop.index)
    undetermined = status.isin(spec.get("undetermined", [])).to_numpy()
    missing = status.isna().to_numpy()
    out.loc[missing, ["eligible", "reason"]] = [False, "status_missing"]
    out.loc[undetermined & ~missing, ["eligible", "reason"]] = [False, "status_undetermined"]
    out["event"] = out["eligible"] & status.isin(spec["statuses"]).to_numpy()
    return out


def _windowed(pop, data, spec, end_date, *, outcome: str, start: str) -> pd.DataFrame:
    """Follow-up of the population over the window; eligible = outcome known at its end."""
    from rehab_eval.recidivism import followup

    window = float(spec["window_months"])
    ids = set(pop["client_id"])
    if start == "program_start":
        en = pop[["client_id", "program", "start_date", "end_date", "status"]].assign(level=None)
    else:
        en = table(data, "enrollments")
        en = en[en["client_id"].isin(ids)]
    sub = restrict(data, ids, {"enrollments": en})  # only what followup reads is read
    fu = followup(sub, outcome=outcome, start=start, end_date=end_date, unit="months")
    t = fu.table.set_index("client_id")
    out = _frame(pop)
    cid = out["client_id"]
    in_fu = cid.isin(t.index).to_numpy()
    event = cid.map(t["event"]).fillna(0).astype(int).to_numpy()
    duration = cid.map(t["duration"]).astype(float).to_numpy()
    within = (event == 1) & (duration <= window)
    known = in_fu & (within | (duration >= window))
    out.loc[~known, ["eligible", "reason"]] = [False, "not_followed"]
    out["event"] = out["eligible"] & ~within  # the indicator counts people WITHOUT the outcome
    out["_duration"] = duration
    out["_outcome"] = event
    out["_start"] = cid.map(t["start"]).to_numpy()
    return out


def _no_relapse(pop, data, spec, end_date) -> pd.DataFrame:
    out = _windowed(pop, data, spec, end_date, outcome="relapse", start="program_start")
    ur = table(data, "urine_tests", columns=["client_id", "date", "result"])
    counted = spec.get("tested_results", ["negative", "positive"])
    ur = ur[ur["result"].astype(object).isin(counted)]
    start = out.set_index("client_id")["_start"]
    d = _dates(ur["date"])
    s = ur["client_id"].map(start)
    stop = s + pd.to_timedelta(float(spec["window_months"]) * _MONTH_DAYS, unit="D")
    inside = (d > s) & (d <= stop) & (d <= pd.Timestamp(end_date))
    n_tests = ur[inside.to_numpy()].groupby("client_id").size()
    out["n_tests"] = out["client_id"].map(n_tests).fillna(0).astype(int)
    few = out["eligible"] & (out["n_tests"] < int(spec["min_tests"]))
    out.loc[few, ["eligible", "reason"]] = [False, "untested"]
    out["event"] = out["event"] & out["eligible"]
    return out


def _no_reoffence(pop, data, spec, end_date) -> pd.DataFrame:
    outcome = spec.get("outcome", "any")
    return _windowed(pop, data, spec, end_date, outcome=outcome, start="release_date")


def _category(pop, data, spec, end_date) -> pd.DataFrame:
    column = spec["column"]
    if column not in pop.columns:
        raise InputError(f"scores have no column {column!r}; check the indicator declaration.")
    value = pop[column].astype(object)
    parts = []
    for cat in spec["categories"]:
        f = _frame(pop)
        f.loc[value.isna().to_numpy(), ["eligible", "reason"]] = [False, "no_value"]
        f["event"] = f["eligible"] & (value == cat).to_numpy()
        parts.append(f.assign(category=str(cat)))
    return pd.concat(parts, ignore_index=True)


def _enrolled_after(pop, data, spec, end_date) -> pd.DataFrame:
    out = _frame(pop)
    value = pop[spec["column"]].astype(object)
    matching = {str(k): list(v) for k, v in spec["matching"].items()}
    out.loc[value.isna().to_numpy(), ["eligible", "reason"]] = [False, "no_value"]
    declared = value.isin(list(matching)).to_numpy()
    out.loc[~declared & out["eligible"].to_numpy(), ["eligible", "reason"]] = [
        False,
        "no_matching",
    ]
    en = table(data, "enrollments", columns=["client_id", "program", "start_date"])
    en = en.assign(start_date=_dates(en["start_date"]), program=en["program"].astype(object))
    screen = pop.set_index("client_id")
    en = en[en["client_id"].isin(screen.index)]
    at = en["client_id"].map(screen["anchor"])
    level = en["client_id"].map(screen[spec["column"]].astype(object))
    ok = np.array([p in matching.get(lv, ()) for p, lv in zip(en["program"], level, strict=True)])
    window = pd.Timedelta(days=int(spec["within_days"]))
    inside = (en["start_date"] >= at) & (en["start_date"] <= at + window)
    referred = set(en.loc[(inside.to_numpy() & ok) if len(en) else [], "client_id"])
    out["event"] = out["eligible"] & out["client_id"].isin(referred)
    return out


_EVENTS = {
    "status": _status,
    "reliable_change": _reliable_change,
    "score_increase": _score_increase,
    "no_relapse": _no_relapse,
    "no_reoffence": _no_reoffence,
    "category": _category,
    "enrolled_after": _enrolled_after,
}


def evaluate_event(
    pop: pd.DataFrame, data: Any, spec: dict[str, Any], end_date: Any
) -> pd.DataFrame:
    """Per person of ``pop``: ``client_id``, ``eligible``, ``reason``, ``event`` (and
    ``category`` for the ``category`` kind, one row per person × category)."""
    if pop.empty:
        out = pd.DataFrame(
            {"client_id": pd.Series(dtype=object), "eligible": pd.Series(dtype=bool),
             "reason": pd.Series(dtype=object), "event": pd.Series(dtype=bool)}
        )  # fmt: skip
        if spec["kind"] == "category":
            cats = [str(c) for c in spec["categories"]]
            return pd.concat([out.assign(category=c) for c in cats], ignore_index=True)
        return out
    return _EVENTS[spec["kind"]](pop, data, spec, end_date)
