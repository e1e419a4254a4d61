"""WHOQOL-BREF trajectories of the program overview: model means per timepoint and domain.

Each domain gets a linear mixed model with time as a factor (``rehab_eval.change.trajectory``,
every observed value used); its means with 95 % intervals are statistics, withheld in
``publik`` where they rest on fewer than the policy's ``stats_min`` clients.

With more than :data:`MODEL_CLIENTS` clients (a province over years, the whole country) the
model is fitted on a seeded random sample of that many clients (``change.sample_clients``,
seed 0, the same clients for every domain, every observation of a sampled client kept):
statsmodels' REML evaluates the likelihood client by client, about 6 s of CPU per domain for
2 000 clients on one core, and 2 000 clients already give a mean per time to about ±0.7–0.9
on the 0–100 scale (95 % interval, for the usual domain SDs of 15–20), far inside the
differences that matter (about 5–10 points).
The estimates stay unbiased, the intervals are the sample's, and the report says so: a
sentence "model fitted on a random sample of N of M clients", the definitions line, and the
table's client counts are those of the sample. The figure's n per time counts every client.
"""

from __future__ import annotations

from rehab_eval.reports.sections._model import Context, FigureOut, Section, TableOut
from rehab_eval.reports.sections._texts import say

__all__ = ["MODEL_CLIENTS", "trajectory_definition", "whoqol_trajectory_section"]

DOMAINS = ["physical_0_100", "psychological_0_100", "social_0_100", "environment_0_100"]
#: Above this many clients the model is fitted on a seeded random sample of this many.
MODEL_CLIENTS = 2_000
#: Seed of that sample (the same data give the same sample, so a report renders the same).
SAMPLE_SEED = 0


def whoqol_trajectory_section(ctx: Context) -> Section:
    """WHOQOL-BREF domain means per timepoint (mixed model, 95 % intervals): figure, table and
    takeaway; one sentence when fewer than two timepoints or ``stats_min`` clients exist."""
    import warnings

    import pandas as pd

    from rehab_eval import change, plots
    from rehab_eval.disclosure import show_count, show_statistics
    from rehab_eval.i18n import label, measure_label
    from rehab_eval.vocab import TIMEPOINTS

    lang, d = ctx.lang, ctx.disclosure
    title = say("ov.h.trajectory", lang)
    scores = ctx.data.chosen.scores
    whoqol = None
    if scores is not None:
        whoqol = scores[scores["instrument"].astype(str) == "whoqol_bref"]
    present = set() if whoqol is None else set(whoqol["timepoint"].astype(str))
    order = [tp for tp in TIMEPOINTS if tp in present]
    n_clients = 0 if whoqol is None else int(whoqol["client_id"].nunique())
    if len(order) < 2 or n_clients < max(d.stats_min or 0, 2):
        return Section(
            title=title, no_data=say("ov.trajectory_none", lang, stats_min=d.stats_min or 2)
        )
    whoqol = whoqol.assign(timepoint=whoqol["timepoint"].astype(str))
    modelled = whoqol
    if n_clients > MODEL_CLIENTS:  # one sample for every domain: the same clients throughout
        sample = change.sample_clients(whoqol["client_id"], MODEL_CLIENTS, seed=SAMPLE_SEED)
        modelled = whoqol[whoqol["client_id"].isin(sample)]
    rows, shown = [], {}
    for measure in DOMAINS:
        data = modelled.dropna(subset=[measure])
        if data["client_id"].nunique() < 2:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            means = change.trajectory(data, measure, order=order, shape="categorical").means
        for r in means.to_dict("records"):
            n = show_count(int(r["n"]), "assessed_post", d, lang=lang)
            s = show_statistics(
                {k: r[k] for k in ("mean", "ci_low", "ci_high")},
                int(r["n"]),
                d,
                n_shown=n.value is not None,
                lang=lang,
            )
            shown[(measure, r["timepoint"])] = s
            ci = (
                f"[{s['ci_low'].text}; {s['ci_high'].text}]"
                if s["ci_low"].value is not None
                else ""
            )
            rows.append(
                {
                    say("ov.domain", lang): measure_label(measure, lang),
                    say("ov.timepoint", lang): label("timepoint", r["timepoint"], lang),
                    say("ov.clients", lang): n.text,
                    say("ov.model_mean", lang): f"{s['mean'].text} {ci}".strip(),
                }
            )
    if not any(s["mean"].value is not None for s in shown.values()):
        return Section(title=title, no_data=say("ov.trajectory_hidden", lang))
    drawn = pd.DataFrame(
        [
            {"measure": m, "timepoint": tp} | {k: s[k].value for k in ("mean", "ci_low", "ci_high")}
            for (m, tp), s in shown.items()
        ]
    )
    changes = []
    for measure in DOMAINS:
        if (measure, order[0]) not in shown or (measure, order[-1]) not in shown:
            continue
        first, last = shown[(measure, order[0])]["mean"], shown[(measure, order[-1])]["mean"]
        if first.value is not None and last.value is not None:
            changes.append(f"{measure_label(measure, lang)} {first.text} → {last.text}")
    per_time = whoqol.groupby("timepoint")["client_id"].nunique()
    n_texts = {
        tp: show_count(int(per_time[tp]), "assessed_post", d, lang=lang).text for tp in order
    }
    fig_title = say("ov.trajectory_title", lang)
    fig = plots.plot_trajectory(
        drawn,
        order=order,
        lang=lang,
        n_texts=n_texts,
        title=fig_title,
        period=ctx.period,
    ).figure
    first_tp, last_tp = (
        f"{label('timepoint', tp, lang)} (n = {n_texts[tp]})" for tp in (order[0], order[-1])
    )
    if changes:
        takeaway = say(
            "ov.trajectory_takeaway", lang, first=first_tp, last=last_tp, changes="; ".join(changes)
        )
    else:  # the first or the last time is withheld for every domain
        takeaway = say("ov.trajectory_hidden", lang)
    notes = say("ov.trajectory_notes", lang)
    sample = _sample_sentence(modelled, n_clients, d, lang)
    return Section(
        title=title,
        items=[
            FigureOut(fig, "whoqol_trajectory", fig_title, takeaway, f"{notes} {sample}".strip()),
            *([sample] if sample else []),
            TableOut(pd.DataFrame(rows), "whoqol_trajectory"),
        ],
        values={
            "whoqol_trajectory": {f"{m}|{tp}": s["mean"].value for (m, tp), s in shown.items()}
        },
        key_points=[takeaway] if changes else [],
    )


def _sample_sentence(modelled, n_clients: int, d, lang: str) -> str:
    """The sentence "model fitted on a random sample of N of M clients", or "" unsampled."""
    from rehab_eval.disclosure import show_count

    n_model = int(modelled["client_id"].nunique())
    if n_model >= n_clients:
        return ""
    return say(
        "ov.trajectory_sample",
        lang,
        n=show_count(n_model, "assessed_post", d, lang=lang).text,
        total=show_count(n_clients, "assessed_post", d, lang=lang).text,
    )


def trajectory_definition(lang: str) -> str:
    """The definitions line of the trajectories, with the sampling rule and its cap."""
    from rehab_eval.i18n import format_number

    return say("ov.def.trajectory", lang, cap=format_number(MODEL_CLIENTS, lang=lang))
