"""Re-offending counts and rates shared by the recidivism report and the program overview.

Events are sensitive: :func:`protect_rates` protects them across groups, partitions (facility,
release year, risk level) and windows, since the events by 12 months minus those by 6 months,
or the whole minus the other groups, are counts too. :func:`estimate_texts` publishes a
cumulative incidence or a rate only where its events are shown exactly.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.reports.sections._model import Context
from rehab_eval.reports.sections._texts import say

__all__ = ["estimate_texts", "has_source", "no_source", "protect_rates"]


def has_source(chosen: Any, outcome: str) -> bool:
    """Whether the selection holds any record of ``outcome`` (else no rate is shown)."""
    from rehab_eval.vocab import OFFENCE_EVENT_KINDS

    kinds = {"any": OFFENCE_EVENT_KINDS, "relapse": ("relapse",)}.get(outcome, (outcome,))
    events = getattr(chosen, "events", None)
    found = events is not None and bool(events["kind"].astype(str).isin(kinds).any())
    urine = getattr(chosen, "urine_tests", None)
    if outcome == "relapse" and urine is not None:
        found = found or bool(len(urine))
    return found


def no_source(outcome: str, lang: str = "id") -> str:
    """The one sentence of a selection without any record of ``outcome``."""
    return say(
        "recid.no_source", lang, outcome=say(f"recid.outcome.{outcome}", lang).split(" (")[0]
    )


def protect_rates(ctx: Context, overall: Any, partitions: dict[str, Any]) -> dict[Any, Any]:
    """Events at each window, protected across groups, partitions and windows.

    Parameters
    ----------
    overall : DataFrame
        ``rates_at(...).table`` without ``by``.
    partitions : dict of name → DataFrame
        ``rates_at(..., by=...).table`` of the same follow-up: each adds up to ``overall``
        (clients with a missing group are an implied, unpublished cell).

    Returns
    -------
    dict
        ``(name, group, window)`` → ``{"n": Shown, "events": Shown}``; ``overall`` under
        ``("all", "all", window)``.
    """
    from rehab_eval.disclosure import show_count, show_counts, text
    from rehab_eval.disclosure.values import Shown

    d, lang = ctx.disclosure, ctx.lang
    windows = sorted(overall["window"])
    tables = {"all": overall.assign(group="all"), **partitions}
    counts: dict[Any, Any] = {}
    relations: list[Any] = []
    unpublished: list[Any] = []
    for name, table in tables.items():
        for row in table.to_dict("records"):
            counts[(name, row["group"], row["window"])] = int(row["events"])
    for name in partitions:  # the groups add up to the whole
        for w in windows:
            parts = [k for k in counts if k[0] == name and k[2] == w]
            rest = counts[("all", "all", w)] - sum(counts[p] for p in parts)
            if rest:
                counts[(name, "rest", w, "implied")] = rest
                unpublished.append((name, "rest", w, "implied"))
                parts.append((name, "rest", w, "implied"))
            relations.append((("all", "all", w), parts))
    for key in [k for k in counts if len(k) == 3]:  # a later window adds the events between
        name, group, w = key
        earlier = [v for v in windows if v < w and (name, group, v) in counts]
        if earlier:
            between = (name, group, w, "between")
            counts[between] = counts[key] - counts[(name, group, earlier[-1])]
            unpublished.append(between)
            relations.append((key, [(name, group, earlier[-1]), between]))
    kinds = dict.fromkeys(counts, "reoffence")
    shown = show_counts(counts, kinds, d, relations=relations, unpublished=unpublished, lang=lang)
    out: dict[Any, Any] = {}
    for name, table in tables.items():
        for row in table.to_dict("records"):
            key = (name, row["group"], row["window"])
            n = show_count(row["n"], "followed_up", d, lang=lang)
            events = shown[key]
            if n.value is None and d.min_cell and events.value is not None:
                events = Shown(text("disclosure.hidden", lang), None, "complementary")
            out[key] = {"n": n, "events": events}
    return out


def estimate_texts(row: dict, shown: dict, d: Any, lang: str) -> dict[str, Any]:
    """KM cumulative incidence and rate per 100 person-years, where the events are exact."""
    from rehab_eval.disclosure.values import round_for_display
    from rehab_eval.i18n import format_ci, format_number, format_percent

    if shown["events"].value is None:
        mark = shown["events"].text
        return {"km": mark, "rate": mark, "values": None}
    km_digits, rate_digits = d.precision("survival"), d.precision("rate")
    km, lo, hi = (row[k] for k in ("km_cum_incidence", "km_ci_low", "km_ci_high"))
    km_text = (
        "–"
        if km != km
        else f"{format_percent(km, km_digits, lang)} "
        f"{format_ci(lo * 100, hi * 100, km_digits, lang)}"
    )
    rate, rlo, rhi = (row[k] for k in ("rate_per_100py", "rate_ci_low", "rate_ci_high"))
    rate_text = f"{format_number(rate, rate_digits, lang)} {format_ci(rlo, rhi, rate_digits, lang)}"
    values = {
        k: round_for_display(row[k], "survival", d)
        for k in ("km_cum_incidence", "km_ci_low", "km_ci_high")
    }
    return {
        "km": km_text,
        "km_share": format_percent(km, km_digits, lang) if km == km else "–",
        "rate": rate_text,
        "values": None if values["km_cum_incidence"] is None else values,
    }
