"""Follow-up construction: one row per client, from the canonical tables to (duration, event)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError
from rehab_eval.etl._keys import client_codes
from rehab_eval.etl.processed import table
from rehab_eval.recidivism.results import FollowUp
from rehab_eval.vocab import COMPETING_EVENT_KINDS, OFFENCE_EVENT_KINDS

__all__ = ["OUTCOMES", "START_POINTS", "UNITS", "followup"]

OUTCOMES = (*OFFENCE_EVENT_KINDS, "any", "relapse")
START_POINTS = ("release_date", "program_start", "program_end")
# Length of one unit in days. A month is an average Gregorian month, 365.25 / 12 days.
UNITS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12}

_NEEDED = {
    "clients": ["client_id", "sex", "birth_date", "facility", "release_date"],
    "enrollments": ["client_id", "program", "level", "start_date", "end_date", "status"],
    "events": ["client_id", "date", "kind"],
    "urine_tests": ["client_id", "date", "result"],
}


def _dates(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s) and getattr(s.dt, "tz", None) is None:
        return s.astype("datetime64[ns]")
    return pd.to_datetime(s, errors="coerce").astype("datetime64[ns]")


def _first_after(
    frame: pd.DataFrame, start: pd.Series, *, strictly: bool = True
) -> tuple[pd.DataFrame, int]:
    """Per client, the first row of ``frame`` (client_id, date, kind) after the client's start.

    Returns the first rows (index client_id, columns date, kind) and how many rows lay on or
    before the start (ignored).
    """
    if frame.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "kind": []}), 0
    f = frame.assign(_start=frame["client_id"].map(start))
    f = f[f["_start"].notna() & f["date"].notna()]
    after = f["date"] > f["_start"] if strictly else f["date"] >= f["_start"]
    n_before = int((~after).sum())
    f = f[after].sort_values(["client_id", "date", "kind"], kind="mergesort")
    first = f.drop_duplicates("client_id", keep="first").set_index("client_id")
    return first[["date", "kind"]], n_before


def _aligned(frame: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """The rows of ``frame`` (indexed by a unique client_id) for ``ids``, in their order and
    on their index; missing where absent (``ids.map(frame[c])`` for every column at once):
    NaT in date columns, NaN in the others (object)."""
    at = frame.index.get_indexer(ids.to_numpy())
    absent = at < 0
    out = {}
    for c in frame.columns:
        values = frame[c].to_numpy()
        if values.dtype.kind not in "mM":
            values = values.astype(object, copy=False)
        missing = values.dtype.type("NaT") if values.dtype.kind in "mM" else np.nan
        if len(values):
            taken = values.take(at)
            taken[absent] = missing
        else:
            taken = np.full(len(at), missing, dtype=values.dtype)
        out[c] = taken
    return pd.DataFrame(out, index=ids.index, columns=frame.columns)


def _age_years(birth: pd.Series, at: pd.Series) -> pd.Series:
    """Completed years of age on ``at`` (calendar arithmetic: a birthday counts on its day)."""
    years = at.dt.year - birth.dt.year
    before_birthday = (at.dt.month < birth.dt.month) | (
        (at.dt.month == birth.dt.month) & (at.dt.day < birth.dt.day)
    )
    age = years - before_birthday.astype("int64")
    return age.where(birth.notna() & at.notna()).astype("Int64")


def followup(
    data: Any,
    *,
    outcome: str,
    start: str | None = None,
    end_date: Any,
    unit: str = "days",
    program: str | None = None,
) -> FollowUp:
    """One row per client: follow-up from a start date to the first outcome event or censoring.

    Parameters
    ----------
    data
        Any object with the canonical tables ``clients``, ``enrollments``, ``events`` and
        ``urine_tests`` as attributes (as returned by :func:`rehab_eval.load_processed`), or a
        dict of them. See :data:`rehab_eval.vocab.TABLES`.
    outcome
        ``"rearrest"``, ``"reconviction"``, ``"reincarceration"``, ``"any"`` (the first of
        these three) or ``"relapse"`` (the first positive urine test, ``result ==
        "positive"``, or recorded ``relapse`` event).
    start
        Start of follow-up: ``"release_date"`` (clients.release_date, the usual origin for
        recidivism), ``"program_start"`` or ``"program_end"`` (start_date / end_date of the
        client's enrollment, see Notes). Default: ``"release_date"`` for the offence
        outcomes, ``"program_start"`` for ``relapse`` (relapse counts from program start).
    end_date
        Date of administrative censoring (end of data collection); anything after it is
        ignored.
    unit
        Unit of ``duration``: ``"days"``, ``"weeks"`` (7 days) or ``"months"`` (365.25 / 12
        days).
    program
        Restrict the analysis to the clients with an enrollment in this program (e.g.
        ``"pascarehabilitasi"``) and describe them by those enrollments; other clients are
        excluded and counted (``n_excluded_other_program``).

    Returns
    -------
    FollowUp
        ``.table``: one row per included client, sorted by ``client_id``:

        - ``client_id`` -- pseudonymous client key.
        - ``start`` -- start of follow-up (datetime).
        - ``stop`` -- date of the event or of censoring (datetime).
        - ``duration`` -- ``stop - start`` in ``unit`` (float).
        - ``event`` -- 1 if the outcome occurred by ``stop``, else 0 (int).
        - ``event_kind`` -- what ended follow-up: the outcome's event kind (for ``any``, the
          kind that came first), a competing end (``death``, ``transfer``,
          ``lost_to_supervision``) or ``"end_of_study"`` (administrative censoring). This is
          the column :func:`cumulative_incidence` reads.
        - ``sex``, ``facility_type``, ``prior_offences`` -- from clients (the last two only
          when the clients table has them).
        - ``facility`` -- the facility of the chosen enrollment, else the client's (the
          definition of :func:`rehab_eval.cohort.enrollment_facility`).
        - ``age_at_start`` -- completed years of age at ``start`` (Int64).
        - ``program``, ``level``, ``status`` -- of the chosen enrollment (missing if none).
        - ``completion`` -- ``status == "completed"`` (boolean, missing if no enrollment).

        The other fields record the definitions and counts: ``outcome``, ``start``,
        ``unit``, ``end_date``, ``n_clients`` (in the clients table), ``n_included``,
        ``n_excluded_no_start`` (no start date), ``n_excluded_start_after_end`` (start after
        ``end_date``), ``n_excluded_other_program`` (no enrollment in ``program``),
        ``n_outcome_before_start_ignored`` (outcome records on or before the
        start), ``n_events``, ``n_censored_competing``, ``n_censored_end_of_study``; see
        :class:`FollowUp`.

    Notes
    -----
    *Enrollment.* With ``start="release_date"`` the covariates come from the latest
    enrollment that starts on or before the release date (the program the client was in
    when released), or, when none started by then, from the first enrollment after release
    (a post-release program such as Bapas pascarehabilitasi); with ``"program_start"`` / ``"program_end"`` from the latest enrollment
    that starts on or before ``end_date``, and its start / end date is the start of
    follow-up. Ties on the start date are broken by the later end date.

    *Which records count.* Outcome records strictly after the start date and on or before
    ``end_date`` count; records on the start day are taken as part of the intake (an intake
    urine test, the arrest that led to the program) and are ignored and counted, like
    earlier ones. The first competing end (death, transfer, loss to supervision) strictly
    after the start censors follow-up on its date unless the outcome came first or on the
    same day. Clients without a start date, or whose start lies after ``end_date``, are
    excluded and counted.

    Recidivism is defined here as a cohort measure (time from release to the first new
    arrest, conviction or incarceration), not a share of the current prison population
    flagged as repeat offenders; see Rossi, Berk & Lenihan (1980) for the design.

    References
    ----------
    Rossi, P. H., Berk, R. A., & Lenihan, K. J. (1980). *Money, Work, and Crime: Experimental
    Evidence*. Academic Press.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> d = SimpleNamespace(
    ...     clients=pd.DataFrame({"client_id": ["a"], "sex": ["male"],
    ...         "birth_date": pd.to_datetime(["1990-05-01"]), "facility": ["Bapas X"],
    ...         "release_date": pd.to_datetime(["2023-01-01"])}),
    ...     enrollments=pd.DataFrame(columns=["client_id", "program", "level", "start_date",
    ...         "end_date", "status"]),
    ...     events=pd.DataFrame({"client_id": ["a"], "date": pd.to_datetime(["2023-03-02"]),
    ...         "kind": ["rearrest"]}),
    ...     urine_tests=pd.DataFrame(columns=["client_id", "date", "result"]))
    >>> f = followup(d, outcome="any", end_date="2023-12-31")
    >>> row = f.table.iloc[0]
    >>> float(row["duration"]), int(row["event"]), row["event_kind"]
    (60.0, 1, 'rearrest')
    """
    if outcome not in OUTCOMES:
        raise ConfigError(f"followup: unknown outcome {outcome!r}; choose one of {OUTCOMES}.")
    if start is None:
        start = "program_start" if outcome == "relapse" else "release_date"
    if start not in START_POINTS:
        raise ConfigError(f"followup: unknown start {start!r}; choose one of {START_POINTS}.")
    if unit not in UNITS:
        raise ConfigError(f"followup: unknown unit {unit!r}; choose one of {tuple(UNITS)}.")
    try:
        end = pd.Timestamp(end_date)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"followup: end_date {end_date!r} is not a date.") from exc
    if pd.isna(end):
        raise ConfigError("followup: end_date is required (the date of administrative censoring).")

    def read(name: str, also: tuple[str, ...] = ()) -> pd.DataFrame:
        return table(data, name, columns=_NEEDED[name], keep=also, what="followup")

    clients = read("clients", ("facility_type", "prior_offences"))
    enrollments = read("enrollments", ("facility",))
    events = read("events")
    urine = read("urine_tests")

    # Clients are joined on integer codes of their ids (in the order of the ids as strings);
    # the ids themselves are put back in the result.
    cl_id, en_id, ev_id, ur_id = client_codes(
        clients["client_id"], enrollments["client_id"], events["client_id"], urine["client_id"]
    )
    first = ~pd.Index(cl_id).duplicated(keep="first")
    cl = (
        clients.assign(client_id=cl_id)
        if first.all()
        else clients.loc[first].assign(client_id=cl_id[first])
    )
    names, codes = clients["client_id"].astype(str).to_numpy()[first], cl_id[first]
    by_code = np.argsort(codes, kind="stable")

    def names_of(ids: pd.Series) -> np.ndarray:
        return names[by_code[np.searchsorted(codes, ids.to_numpy(), sorter=by_code)]]

    cl["release_date"] = _dates(cl["release_date"])
    cl["birth_date"] = _dates(cl["birth_date"])

    en = enrollments.assign(client_id=en_id)
    en["start_date"] = _dates(en["start_date"])
    en["end_date"] = _dates(en["end_date"])
    n_other_program = 0
    if program is not None:
        en = en[en["program"].astype(object) == program]
        in_program = cl["client_id"].isin(en["client_id"])
        n_other_program = int((~in_program).sum())
        cl = cl[in_program]
    en = en[en["start_date"].notna()]

    # The enrollment each client is described by, and the start of follow-up.
    # (a missing end date first: NaT is the smallest datetime64 as an integer)
    en = en.iloc[
        np.lexsort(
            (en["end_date"].to_numpy().view("i8"), en["start_date"].to_numpy().view("i8"),
             en["client_id"].to_numpy())
        )
    ]  # fmt: skip
    if start == "release_date":
        start_by_client = cl.set_index("client_id")["release_date"]
        limit = en["client_id"].map(start_by_client)
    else:
        limit = pd.Series(end, index=en.index)
    chosen = en[en["start_date"] <= limit].drop_duplicates("client_id", keep="last")
    if start == "release_date":
        # A post-release program (Bapas supervision, pascarehabilitasi) starts after release:
        # a client with no enrollment before release is described by the first one after it.
        later = en[(en["start_date"] > limit) & ~en["client_id"].isin(chosen["client_id"])]
        chosen = pd.concat([chosen, later.drop_duplicates("client_id", keep="first")])
    chosen = chosen.set_index("client_id")
    if start == "program_start":
        start_by_client = chosen["start_date"].reindex(cl["client_id"])
    elif start == "program_end":
        start_by_client = chosen["end_date"].reindex(cl["client_id"])

    n_clients = len(cl) + n_other_program
    s = cl["client_id"].map(start_by_client)
    no_start = s.isna()
    after_end = s.notna() & (s > end)
    cl = cl.assign(start=s)[~no_start & ~after_end]
    start_ser = cl.set_index("client_id")["start"]

    # Outcome records.
    ev = events.assign(
        client_id=ev_id,
        date=_dates(events["date"]),
        kind=events["kind"].astype(object),
    )[["client_id", "date", "kind"]]
    ev = ev[ev["date"] <= end]
    if outcome == "any":
        out = ev[ev["kind"].isin(OFFENCE_EVENT_KINDS)]
    elif outcome == "relapse":
        ur = urine.assign(client_id=ur_id, date=_dates(urine["date"]), kind="relapse")
        ur = ur[(ur["result"].astype(object) == "positive") & (ur["date"] <= end)]
        out = pd.concat(
            [ev[ev["kind"] == "relapse"], ur[["client_id", "date", "kind"]]], ignore_index=True
        )
    else:
        out = ev[ev["kind"] == outcome]
    first_out, n_before = _first_after(out, start_ser)
    first_comp, _ = _first_after(ev[ev["kind"].isin(COMPETING_EVENT_KINDS)], start_ser)

    ids = cl["client_id"]
    first_out, first_comp = _aligned(first_out, ids), _aligned(first_comp, ids)
    o_date, c_date = first_out["date"], first_comp["date"]
    has_out = o_date.notna() & ~(c_date < o_date)
    has_comp = ~has_out & c_date.notna()
    stop = o_date.where(has_out, c_date.where(has_comp, end))
    kind = np.where(
        has_out,
        first_out["kind"],
        np.where(has_comp, first_comp["kind"], "end_of_study"),
    )
    duration = (stop - cl["start"]).dt.days.astype(float) / UNITS[unit]

    result = pd.DataFrame(
        {
            "client_id": names_of(ids),
            "start": cl["start"].to_numpy(),
            "stop": stop.to_numpy(),
            "duration": duration.to_numpy(),
            "event": has_out.astype("int64").to_numpy(),
            "event_kind": kind,
            "sex": cl["sex"].to_numpy(),
            "age_at_start": _age_years(cl["birth_date"], cl["start"]).to_numpy(),
            "facility": cl["facility"].to_numpy(),
        }
    )
    for col in ("facility_type", "prior_offences"):
        if col in cl.columns:
            result[col] = cl[col].to_numpy()
    described = _aligned(chosen, ids) if len(chosen) else None
    for col in ("program", "level", "status"):
        result[col] = described[col].to_numpy() if len(chosen) else None
    if "facility" in chosen.columns and len(chosen):
        # the one definition of a client's facility (cohort.enrollment_facility): the office
        # of the enrollment followed, else the client's record
        own = described["facility"]
        result["facility"] = own.where(own.notna(), cl["facility"]).to_numpy()
    status = result["status"]
    completion = pd.array((status.astype(object) == "completed").to_numpy(), dtype="boolean")
    completion[status.isna().to_numpy()] = pd.NA
    result["completion"] = completion
    order = np.argsort(ids.to_numpy(), kind="stable")
    if np.any(order != np.arange(len(order))):
        result = result.iloc[order].reset_index(drop=True)
    return FollowUp(
        table=result,
        outcome=outcome,
        start=start,
        unit=unit,
        end_date=end.date(),
        n_clients=n_clients,
        n_excluded_no_start=int(no_start.sum()),
        n_excluded_start_after_end=int(after_end.sum()),
        n_excluded_other_program=n_other_program,
        n_outcome_before_start_ignored=n_before,
        n_censored_competing=int(has_comp.sum()),
    )
