"""``programme_effect``: everything a comparison-group report shows, in one result."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rehab_eval.effect._design import html_table
from rehab_eval.effect.balance import Balance, balance
from rehab_eval.effect.cohort import DEFAULT_COVARIATES
from rehab_eval.effect.curves import rmst_difference, weighted_km
from rehab_eval.effect.propensity import PropensityScores, propensity
from rehab_eval.effect.sensitivity import evalue
from rehab_eval.effect.weights import Weights, ipw, match_nearest
from rehab_eval.errors import ConfigError

__all__ = ["EFFECT_COLUMNS", "ProgrammeEffect", "programme_effect"]

#: Columns of :attr:`ProgrammeEffect.table`.
EFFECT_COLUMNS = ["analysis", "measure", "time", "estimate", "ci_low", "ci_high", "p_value"]
METHODS = ("ipw", "matching")


@dataclass(frozen=True, eq=False)
class ProgrammeEffect:
    """The comparison of participants with non-participants, adjusted and unadjusted.

    Attributes
    ----------
    table : DataFrame
        The estimates, tidy: ``analysis`` (``"unadjusted"`` or ``"adjusted"``), ``measure``
        (``hazard_ratio``, ``rmst_difference``, ``rmst_ratio``, ``risk_difference``, and
        with competing ends ``subdistribution_hazard_ratio``),
        ``time`` (horizon of RMST and risks, NaN for the hazard ratio), ``estimate``,
        ``ci_low``, ``ci_high``, ``p_value``. Programme versus comparison: a hazard ratio
        under 1, a positive RMST difference (more offence-free time) and a negative risk
        difference favour the programme.
    curves : DataFrame
        Kaplan–Meier curves at every event time, both analyses: ``analysis`` and the
        columns of :func:`rehab_eval.effect.weighted_km` (``group`` = 0/1).
    risks : DataFrame
        Cumulative re-offending 1 − S at ``times``: ``analysis``, ``treated``, ``time``,
        ``risk``, ``ci_low``, ``ci_high``, ``n_at_risk``.
    propensity : PropensityScores
    weights : Weights
    balance : Balance
        Before and after weighting.
    evalue : dict
        ``rr``, ``evalue``, ``evalue_ci`` of the adjusted hazard ratio (outcome not rare).
    settings : dict
        ``treatment``, ``covariates``, ``method``, ``estimand``, ``tau``, ``times``,
        ``cluster``, ``conf_level``, ``duration``, ``event``, ``n_treated``,
        ``n_comparison``, ``events_treated``, ``events_comparison``.
    notes : tuple of str
        Warnings raised on the way, in words.
    incidence : DataFrame or None
        With competing ends: the cumulative incidence of re-offending per group at
        ``times``, both analyses (:func:`rehab_eval.effect.weighted_incidence`: ``group`` =
        0/1, ``time``, ``cum_incidence``, ``std_err``, ``ci_low``, ``ci_high``,
        ``analysis``); ``table`` then also has ``subdistribution_hazard_ratio`` rows
        (Fine–Gray).
    tests : DataFrame
        Unadjusted tests of no difference: ``test`` (``logrank``; ``logrank_stratified``
        by ``cluster`` when given; ``gray``, Gray's test of the cumulative incidence, with
        competing ends), ``statistic``, ``df``, ``p_value``.
    """

    table: pd.DataFrame
    curves: pd.DataFrame
    risks: pd.DataFrame
    propensity: PropensityScores
    weights: Weights
    balance: Balance
    evalue: dict
    settings: dict
    notes: tuple[str, ...] = field(default=())
    incidence: pd.DataFrame | None = None
    tests: pd.DataFrame | None = None

    @property
    def summary(self) -> pd.DataFrame:
        """One row: group sizes and events, the adjusted hazard ratio with its interval, the
        RMST difference at ``tau``, the E-value and the largest |SMD| before and after."""
        adj = self.table[self.table["analysis"] == "adjusted"].set_index("measure")
        hr = adj.loc["hazard_ratio"]
        rd = adj.loc["rmst_difference"]
        b = self.balance.summary.iloc[0]
        s = self.settings
        return pd.DataFrame(
            [
                {
                    "n_treated": s["n_treated"],
                    "n_comparison": s["n_comparison"],
                    "events_treated": s["events_treated"],
                    "events_comparison": s["events_comparison"],
                    "method": s["method"],
                    "estimand": s["estimand"],
                    "hr": hr["estimate"],
                    "hr_ci_low": hr["ci_low"],
                    "hr_ci_high": hr["ci_high"],
                    "rmst_difference": rd["estimate"],
                    "rmst_ci_low": rd["ci_low"],
                    "rmst_ci_high": rd["ci_high"],
                    "tau": s["tau"],
                    "evalue": self.evalue["evalue"],
                    "evalue_ci": self.evalue["evalue_ci"],
                    "max_abs_smd_before": b["max_abs_smd_before"],
                    "max_abs_smd_after": b["max_abs_smd_after"],
                }
            ]
        )

    def __repr__(self) -> str:
        s = self.summary.iloc[0].to_dict()
        return (
            f"ProgrammeEffect({s['method']}, {s['estimand']}: {s['n_treated']} participants vs "
            f"{s['n_comparison']} comparison; HR {s['hr']:.2f} ({s['hr_ci_low']:.2f}–"
            f"{s['hr_ci_high']:.2f}), RMST difference {s['rmst_difference']:.1f} to "
            f"{s['tau']:g}, E-value {s['evalue']:.2f})"
        )

    def _repr_html_(self) -> str:
        return f"<p><b>Programme effect</b>: {self!r}</p>" + html_table(self.table)


def programme_effect(
    frame: pd.DataFrame,
    *,
    treatment: str = "treated",
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    duration: str = "duration",
    event: str = "event",
    client: str = "client_id",
    method: str = "ipw",
    estimand: str = "ATT",
    trim: float | None = None,
    caliper: float | None = 0.2,
    cluster: str | None = None,
    tau: float = 730.0,
    times: Sequence[float] = (365.0, 730.0),
    conf_level: float = 0.95,
    event_kind: str | None = "event_kind",
) -> ProgrammeEffect:
    """Did the programme change re-offending? Participants against a weighted comparison group.

    Parameters
    ----------
    frame : DataFrame
        One row per person with follow-up, e.g. :func:`rehab_eval.effect.comparison_cohort`.
    treatment : str
        0/1 column, 1 = participant.
    covariates : sequence of str
        Declared confounders for the propensity score (default: age at release, sex, prior
        offences, facility, release year).
    duration, event, client : str
        Follow-up time, 0/1 re-offence and identifier columns.
    method : {"ipw", "matching"}
        Inverse-probability weighting (:func:`~rehab_eval.effect.ipw`, stabilised) or
        nearest-neighbour matching on the logit score (:func:`~rehab_eval.effect.match_nearest`).
    estimand : {"ATT", "ATE"}
        Effect on the participants (default) or on everyone (IPW only).
    trim : float, optional
        IPW: leave out scores outside [trim, 1 − trim].
    caliper : float, optional
        Matching: caliper in SDs of the logit score.
    cluster : str, optional
        Cluster column for the robust variance of the hazard ratio (e.g. ``"facility"``).
    tau : float
        Horizon of the restricted mean (unit of ``duration``; default 730 days = 24 months).
    times : sequence of float
        Horizons of the cumulative risks and risk differences.
    conf_level : float
        Level of every interval.
    event_kind : str, optional
        Column saying what ended follow-up (as :func:`~rehab_eval.recidivism.followup`
        writes it). When it holds competing ends (death, transfer, loss to supervision) the
        result adds the cumulative incidence per group and the Fine–Gray subdistribution
        hazard ratio, unadjusted and weighted (:func:`rehab_eval.effect.fine_gray`).

    Returns
    -------
    ProgrammeEffect
        See :class:`ProgrammeEffect`.

    Notes
    -----
    The adjusted analysis weights each person (weights 0 are left out) and reports: the
    weighted Cox hazard ratio with the robust sandwich variance (clustered when asked); the
    weighted Kaplan–Meier curves with infinitesimal-jackknife SEs; the RMST difference and
    ratio; the risk differences at ``times``. The unadjusted analysis is the same without
    weights (model-based variances). The intervals treat the weights as known, which is
    conservative for IPW (Austin 2016). An observational comparison removes only the
    differences in the declared covariates: the E-value says how strong an unmeasured
    confounder would have to be to explain the hazard ratio away.

    References
    ----------
    Austin, P. C. (2016). Variance estimation when using inverse probability of treatment
    weighting (IPTW) with survival analysis. *Stat Med*, 35, 5642–5655.
    """
    from rehab_eval.effect.finegray import fine_gray
    from rehab_eval.effect.incidence import gray_test, weighted_incidence
    from rehab_eval.recidivism.cox import cox
    from rehab_eval.vocab import COMPETING_EVENT_KINDS, OFFENCE_EVENT_KINDS

    if method not in METHODS:
        raise ConfigError(f"programme_effect: method {method!r}; choose one of {METHODS}.")
    if method == "matching" and estimand != "ATT":
        raise ConfigError("programme_effect: matching estimates the ATT only.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ps = propensity(frame, treatment=treatment, covariates=covariates, client=client)
        if method == "ipw":
            w = ipw(ps, estimand=estimand, stabilized=True, trim=trim)
        else:
            w = match_nearest(ps, caliper=caliper)
        data = frame.reset_index(drop=True).assign(_w=w.table["weight"].to_numpy())
        data[treatment] = ps.table["treated"].to_numpy()
        bal = balance(data, treatment=treatment, covariates=covariates, weights="_w")
        used = data[data["_w"] > 0].reset_index(drop=True)
        rows, curves, risks = [], [], []
        competing = (
            event_kind is not None
            and event_kind in frame.columns
            and bool(frame[event_kind].isin(COMPETING_EVENT_KINDS).any())
        )
        for analysis, d, wcol in (("unadjusted", data, None), ("adjusted", used, "_w")):
            rob = {"weights": wcol, "cluster": cluster} if wcol else {}
            fit = cox(d, [treatment], duration=duration, event=event, conf_level=conf_level, **rob)
            h = fit.summary.iloc[0]
            rows.append([analysis, "hazard_ratio", np.nan, h["hr"], h["hr_ci_low"],
                         h["hr_ci_high"], h["p_value"]])  # fmt: skip
            rm = rmst_difference(d, duration=duration, event=event, by=treatment, tau=tau,
                                 weights=wcol, reference=0, conf_level=conf_level)  # fmt: skip
            for q in ("difference", "ratio"):
                r = rm[rm["quantity"] == q].iloc[0]
                rows.append([analysis, f"rmst_{q}", float(tau), r["estimate"], r["ci_low"],
                             r["ci_high"], r["p_value"]])  # fmt: skip
            km = weighted_km(d, duration=duration, event=event, by=treatment, weights=wcol,
                             conf_level=conf_level)  # fmt: skip
            curves.append(km.assign(analysis=analysis))
            at = weighted_km(d, duration=duration, event=event, by=treatment, weights=wcol,
                             times=list(times), conf_level=conf_level)  # fmt: skip
            risks.append(
                pd.DataFrame(
                    {"analysis": analysis, "treated": at["group"].astype(int),
                     "time": at["time"], "risk": 1 - at["survival"], "ci_low": 1 - at["ci_high"],
                     "ci_high": 1 - at["ci_low"], "n_at_risk": at["n_at_risk"],
                     "se": at["std_err"]}
                )
            )  # fmt: skip
            rows += _risk_differences(risks[-1], analysis, conf_level)
            if competing:
                fg = fine_gray(d, duration=duration, event_kind=event_kind,
                               event_of_interest=OFFENCE_EVENT_KINDS,
                               competing=COMPETING_EVENT_KINDS, covariates=[treatment],
                               weights=wcol, conf_level=conf_level).iloc[0]  # fmt: skip
                rows.append([analysis, "subdistribution_hazard_ratio", np.nan, fg["shr"],
                             fg["shr_ci_low"], fg["shr_ci_high"], fg["p_value"]])  # fmt: skip
        incidence = None
        if competing:
            incidence = pd.concat(
                [
                    weighted_incidence(
                        d, duration=duration, event_kind=event_kind,
                        event_of_interest=OFFENCE_EVENT_KINDS, competing=COMPETING_EVENT_KINDS,
                        by=treatment, weights=wcol, times=list(times), conf_level=conf_level,
                    ).assign(analysis=analysis)
                    for analysis, d, wcol in (("unadjusted", data, None), ("adjusted", used, "_w"))
                ],
                ignore_index=True,
            )  # fmt: skip
    notes = list(dict.fromkeys(str(c.message).splitlines()[0] for c in caught))
    table = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    adj = table[(table["analysis"] == "adjusted") & (table["measure"] == "hazard_ratio")].iloc[0]
    ev = evalue(adj["estimate"], adj["ci_low"], adj["ci_high"], rare=False)
    z = data[treatment].to_numpy()
    e = pd.to_numeric(data[event]).to_numpy()
    tests = [_logrank_row("logrank", data, duration, event, treatment, None)]
    if cluster is not None:
        tests.append(_logrank_row("logrank_stratified", data, duration, event, treatment, cluster))
    if competing:
        g = gray_test(data, duration=duration, event_kind=event_kind,
                      event_of_interest=OFFENCE_EVENT_KINDS, competing=COMPETING_EVENT_KINDS,
                      by=treatment)  # fmt: skip
        tests.append({"test": "gray", **g})
    settings = {
        "treatment": treatment, "covariates": tuple(covariates), "method": method,
        "estimand": w.estimand, "tau": float(tau), "times": tuple(float(t) for t in times),
        "cluster": cluster, "conf_level": conf_level, "duration": duration, "event": event,
        "n_treated": int((z == 1).sum()), "n_comparison": int((z == 0).sum()),
        "events_treated": int(e[z == 1].sum()), "events_comparison": int(e[z == 0].sum()),
    }  # fmt: skip
    risk_table = pd.concat(risks, ignore_index=True).drop(columns="se")
    return ProgrammeEffect(
        table=table,
        curves=pd.concat(curves, ignore_index=True),
        risks=risk_table,
        propensity=ps,
        weights=w,
        balance=bal,
        evalue=ev,
        settings=settings,
        notes=tuple(notes),
        incidence=incidence,
        tests=pd.DataFrame(tests, columns=["test", "statistic", "df", "p_value"]),
    )


def _logrank_row(name, data, duration, event, treatment, strata) -> dict:
    from rehab_eval.recidivism.km import logrank

    lr = logrank(data, duration=duration, event=event, by=treatment, strata=strata).iloc[0]
    return {"test": name, "statistic": lr["statistic"], "df": lr["df"], "p_value": lr["p_value"]}


def _risk_differences(risks: pd.DataFrame, analysis: str, conf_level: float) -> list[list]:
    from scipy.stats import norm

    from rehab_eval.recidivism._input import z_value

    z = z_value(conf_level)
    out = []
    for t, g in risks.groupby("time", sort=True):
        r = g.set_index("treated")
        if not {0, 1} <= set(r.index):
            continue
        d = float(r.loc[1, "risk"] - r.loc[0, "risk"])
        se = float(np.hypot(r.loc[1, "se"], r.loc[0, "se"]))
        p = float(2 * norm.sf(abs(d / se))) if se > 0 else np.nan
        out.append([analysis, "risk_difference", float(t), d, d - z * se, d + z * se, p])
    return out
