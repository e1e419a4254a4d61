"""Table 1 (baseline characteristics) with the policy applied.

Categories of sensitive variables (risk level, prior offences, substance) are protected
counts: under ``min_cell`` read ``"<5"``, with complementary cells hidden against each
variable's total (the cohort size the report prints). Ages and other continuous values
are summarised only for groups of at least ``stats_min`` (whole years for ages); a group
under ``min_cell`` gets no table, only a sentence.
"""

from __future__ import annotations

from typing import Any

from rehab_eval.reports.sections._model import Context, Section, TableOut
from rehab_eval.reports.sections._texts import say

__all__ = ["VARIABLE_KINDS", "table_one_section"]

#: Policy count kind of the categories of each Table 1 variable.
VARIABLE_KINDS = {
    "level": "risk_level",
    "prior_offences": "prior_offences",
    "substance": "substance",
    "stage": "readiness_stage",
}


def _whole(value: Any, digits: int, lang: str) -> str:
    from rehab_eval.i18n import format_number

    return format_number(value, digits, lang)


def table_one_section(
    ctx: Context,
    variables: tuple[str, ...] = ("age", "sex", "level", "program", "prior_offences"),
) -> Section:
    """Table 1 of the cohort: categories as n (%), continuous values as mean (SD), median [IQR].

    Returns
    -------
    Section
        One table ``table_one`` with columns Variable, Category, n (%) / value (all text),
        or a sentence when the group is under ``min_cell``.
    """
    import pandas as pd

    from rehab_eval import cohort as cohorts
    from rehab_eval.disclosure import show_table
    from rehab_eval.i18n import format_percent, label, t

    lang, d = ctx.lang, ctx.disclosure
    title = say("h.table1", lang)
    size = ctx.flow.get("enrolled", 0)
    if d.min_cell and size < d.min_cell:
        return Section(title=title, items=[say("t1.tiny", lang, n=d.min_cell)])
    raw = cohorts.table_one(ctx.data, variables=list(variables), lang=lang, min_cell=1)
    raw = raw[(raw["statistic"] != "missing") | (raw["n"] > 0)].reset_index(drop=True)
    categorical = raw[raw["statistic"].isin(["n_pct", "missing"])].reset_index(drop=True)
    kinds = [VARIABLE_KINDS.get(v, "enrolled") for v in categorical["variable"]]
    shown_cells: list[Any] = []
    for kind in dict.fromkeys(kinds):
        part = categorical[[k == kind for k in kinds]].reset_index()
        shown = show_table(
            part, ["n"], d, kinds=kind, total="column", by="variable", group_size=size, lang=lang
        )
        shown_cells += list(zip(part["index"], shown.table["n"], shown.values["n"], strict=True))
    cell_of = {i: (txt, val) for i, txt, val in shown_cells}
    stats_ok = not d.public or size >= d.stats_min
    digits = 0  # ages and counts of offences: whole numbers
    out = []
    for _, r in raw.iterrows():
        var, stat = r["variable"], r["statistic"]
        name = say("t1.age", lang) if var == "age" else t(f"column.{var}", lang)
        if stat in ("n_pct", "missing"):
            j = int(
                categorical.index[
                    (categorical["variable"] == var)
                    & (categorical["level"].astype(str) == str(r["level"]))
                    & (categorical["statistic"] == stat)
                ][0]
            )
            txt, val = cell_of[j]
            value = txt if val is None else f"{txt} ({format_percent(r['percent'] / 100, 0, lang)})"
            category = label(var, r["level"], lang) if stat == "n_pct" else say("t1.missing", lang)
        else:
            category = say(f"t1.{stat}", lang)
            if not stats_ok:
                value = f"n<{d.stats_min}"
            elif stat == "mean_sd":
                value = f"{_whole(r['mean'], digits, lang)} ({_whole(r['sd'], digits, lang)})"
            else:
                value = (
                    f"{_whole(r['median'], digits, lang)} "
                    f"[{_whole(r['q1'], digits, lang)}–{_whole(r['q3'], digits, lang)}]"
                )
        out.append((name, category, value))
    frame = pd.DataFrame(
        out, columns=[say(k, lang) for k in ("t1.variable", "t1.category", "t1.value")]
    )
    first = frame.columns[0]
    frame[first] = [
        v if i == 0 or v != frame[first].iloc[i - 1] else "" for i, v in enumerate(frame[first])
    ]
    return Section(title=title, items=[TableOut(frame, "table_one")])
