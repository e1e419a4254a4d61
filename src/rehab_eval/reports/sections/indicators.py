"""Performance-indicator report (LAKIP / LKjIP): the table of the report year (indikator,
target, realisasi, capaian, formulasi with the two counts), the same for the previous years,
a year-on-year figure per indicator with Wilson intervals, and the definitions.

The numbers come from :func:`rehab_eval.indicators.compute_indicators`; here the
disclosure policy is applied. A numerator counts people with an outcome (improved, no
relapse, no re-offence, a risk level): a sensitive count, shown as ``<5`` under the
threshold in ``publik``, its share coarsened to a bound and its interval withheld; when the
people *without* the outcome are few, the share reads ``≥…%`` and the numerator ``x``. The
denominators (participants assessed, followed, ended) are operational counts, shown exactly
once the group reaches the threshold. Completion is operational as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rehab_eval.reports.sections import _sink
from rehab_eval.reports.sections._model import Context, FigureOut, Section, TableOut
from rehab_eval.reports.sections._texts import in_words, speaker

__all__ = [
    "DISCLOSURE_KINDS",
    "indicators_context",
    "indicators_summary",
    "lakip_section",
    "open_indicators_report",
    "previous_years_section",
    "shown_rows",
    "year_on_year_section",
]

#: Event kind of an indicator → policy kinds of (numerator, its complement, denominator).
#: An event kind an office declares that is not listed is treated as sensitive.
DISCLOSURE_KINDS: dict[str, tuple[str, str, str]] = {
    "status": ("completed", "dropped_out", "enrolled"),
    "reliable_change": ("reliable_improvement", "reliable_no_change", "pairs"),
    "score_increase": ("reliable_improvement", "reliable_no_change", "pairs"),
    "no_relapse": ("relapse", "relapse", "followed_up"),
    "no_reoffence": ("reoffence", "reoffence", "followed_up"),
    "category": ("risk_level", "risk_level", "enrolled"),
    "enrolled_after": ("risk_level", "risk_level", "enrolled"),
}
_SENSITIVE_DEFAULT = ("events", "events", "enrolled")
#: Words that name the example targets shipped with the package.
EXAMPLE_TARGETS = ("contoh", "example")


_say = speaker("indicators_texts.toml")


@dataclass(frozen=True)
class ShownRow:
    """One indicator × category × year as published (every field a display text or None).

    ``realisasi``, ``ci_low``, ``ci_high``, ``capaian`` and ``target`` are the values
    ``summary.json`` keeps, in percent (rounded as displayed in ``publik``; None when hidden
    or absent).
    """

    key: str
    indicator: str
    category: str
    year: int
    name: str
    numerator: str
    denominator: str
    percent: str
    ci: str
    target_text: str
    capaian_text: str
    formula: str
    notes: str
    realisasi: float | None
    ci_low: float | None
    ci_high: float | None
    target: float | None
    capaian: float | None


def _is_example(targets: Any) -> bool:
    """``"contoh"``/``"example"`` (also as a path the runner made absolute, when no such file)."""
    from pathlib import Path

    if targets is None:
        return False
    path = Path(str(targets).strip())
    return path.name.lower() in EXAMPLE_TARGETS and not path.is_file()


def _targets(targets: Any) -> Any:
    if _is_example(targets):
        from rehab_eval.indicators import example_targets

        return example_targets()
    return targets


def indicators_context(
    processed_dir: Any,
    *,
    indicator_set: str = "ditjenpas_rehabilitasi",
    year: int,
    first_year: int | None = None,
    facility: Any = None,
    province: Any = None,
    targets: Any = None,
    end_date: Any = None,
    audience: str | None = None,
    min_cell: int | None = None,
    lang: str = "id",
) -> Context:
    """Compute the indicator set for the selection and years, and resolve the policy.

    ``targets`` is a YAML file, or ``"contoh"``/``"example"`` for the example targets
    shipped with :mod:`rehab_eval.indicators`; ``first_year`` drops earlier years.
    """
    import dataclasses

    import rehab_eval
    from rehab_eval import indicators as ri
    from rehab_eval.disclosure import resolve
    from rehab_eval.errors import ConfigError

    disclosure = resolve(audience, min_cell, lang=lang)
    if first_year is not None and int(first_year) > int(year):
        raise ConfigError(_say("first_year", lang, first_year=first_year, year=year))
    data = rehab_eval.load_processed(processed_dir)
    result = ri.compute_indicators(
        data,
        indicator_set,
        year=int(year),
        facility=facility,
        province=province,
        end_date=end_date,
        targets=_targets(targets),
        lang=lang,
    )
    if first_year is not None:
        kept = result.table[result.table["year"] >= int(first_year)].reset_index(drop=True)
        result = dataclasses.replace(result, table=kept, years=tuple(sorted(set(kept["year"]))))
    ctx = Context(
        data=result, disclosure=disclosure, lang=lang, period=(min(result.years), int(year))
    )
    ctx.shown["targets"] = targets
    return ctx


def shown_rows(ctx: Context) -> dict[tuple[str, str, int], ShownRow]:
    """Every row of the result with the policy applied (built once per report)."""
    if "rows" not in ctx.shown:
        result = ctx.data
        kinds = {
            i.id: DISCLOSURE_KINDS.get(i.event["kind"], _SENSITIVE_DEFAULT)
            for i in result.indicator_set.indicators
        }
        ctx.shown["rows"] = {
            (r["indicator"], r["category"], int(r["year"])): _shown_row(
                ctx, r, kinds[r["indicator"]]
            )
            for r in result.table.to_dict("records")
        }
    return ctx.shown["rows"]


def _name(r: dict[str, Any], lang: str) -> str:
    from rehab_eval.i18n import label

    text = f"{r['name']} ({r['label']})" if r["label"] else r["name"]
    return f"{text}: {label('level', r['category'], lang)}" if r["category"] else text


def _shown_row(ctx: Context, r: dict[str, Any], kinds: tuple[str, str, str]) -> ShownRow:
    import math

    from rehab_eval.disclosure import show_count, show_share
    from rehab_eval.disclosure.values import round_half_even, text
    from rehab_eval.i18n import format_number, format_percent

    lang, d = ctx.lang, ctx.disclosure
    kind, complement, denominator = kinds
    share = show_share(
        r["numerator"],
        r["denominator"],
        d,
        kind=kind,
        complement_kind=complement,
        denominator_kind=denominator,
        conf_level=ctx.data.conf_level,
        lang=lang,
    )
    digits = d.precision("percent")
    exact = share.percent.status == "shown" and share.percent.value is not None

    def value(x: Any) -> float | None:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return None
        return float(x) if not d.public else round_half_even(x, digits)

    target = None if math.isnan(r["target"]) else float(r["target"])
    hidden = text("disclosure.hidden", lang)
    if target is None:
        target_text = capaian_text = "–"
        capaian = None
    else:
        target_text = format_number(target, 0 if target == int(target) else 1, lang) + "%"
        capaian = value(r["capaian"]) if exact else None
        capaian_text = (
            format_percent(r["capaian"] / 100, digits, lang)
            if capaian is not None
            else (hidden if share.percent.text != "–" else "–")
        )
    sign = "÷" if lang == "en" else ":"
    formula = (
        f"{share.numerator.text} {sign} {share.denominator.text} × 100% = {share.percent.text}"
    )
    population = show_count(r["n_population"], "enrolled", d, lang=lang)
    notes = (
        (r["excluded"] or "–") if population.value is not None or not r["n_population"] else hidden
    )
    key = f"{r['indicator']}.{r['category']}" if r["category"] else r["indicator"]
    return ShownRow(
        key=key,
        indicator=r["indicator"],
        category=r["category"],
        year=int(r["year"]),
        name=_name(r, lang),
        numerator=share.numerator.text,
        denominator=share.denominator.text,
        percent=share.percent.text,
        ci=share.ci.text,
        target_text=target_text,
        capaian_text=capaian_text,
        formula=formula,
        notes=notes,
        realisasi=value(r["realisasi"]) if exact else None,
        ci_low=value(r["ci_low"]) if exact else None,
        ci_high=value(r["ci_high"]) if exact else None,
        target=target,
        capaian=capaian,
    )


def _rows_of(ctx: Context, year: int) -> list[ShownRow]:
    return [row for (_, _, y), row in shown_rows(ctx).items() if y == year]


def _table(ctx: Context, year: int) -> Any:
    import pandas as pd

    from rehab_eval.indicators.display import HEADERS

    h = HEADERS["en" if ctx.lang == "en" else "id"]
    rows = _rows_of(ctx, year)
    return pd.DataFrame(
        {
            h["no"]: [str(i + 1) for i in range(len(rows))],
            h["indicator"]: [r.name for r in rows],
            h["target"]: [r.target_text for r in rows],
            h["realisasi"]: [r.percent for r in rows],
            h["capaian"]: [r.capaian_text for r in rows],
            h["formula"]: [r.formula for r in rows],
            h["ci"].replace("95", f"{ctx.data.conf_level * 100:g}"): [r.ci for r in rows],
            h["notes"]: [r.notes for r in rows],
        }
    )


def _sentence(ctx: Context, row: ShownRow, previous: ShownRow | None = None) -> str:
    lang = ctx.lang
    target = (
        _say("take.target", lang, target=row.target_text, capaian=row.capaian_text)
        if row.target is not None
        else ""
    )
    out = _say(
        "take",
        lang,
        name=row.name,
        year=row.year,
        percent=row.percent,
        num=in_words(row.numerator, lang),
        den=in_words(row.denominator, lang),
        target=target,
    )
    change = _change(ctx, previous, row)
    if change is not None:
        out += _say("take.change", lang, prev=previous.year, change=change)  # type: ignore[union-attr]
    return out


def _change(ctx: Context, previous: ShownRow | None, row: ShownRow) -> str | None:
    from rehab_eval.i18n import format_number

    if previous is None or previous.realisasi is None or row.realisasi is None:
        return None
    diff = row.realisasi - previous.realisasi
    digits = ctx.disclosure.precision("percent")  # as the percentages are shown
    text = format_number(diff, digits, ctx.lang)
    return "+" + text if diff > 0 and any(ch in "123456789" for ch in text) else text


def open_indicators_report(
    ctx: Context, output_dir: Any, *, office: Any = None, key_points: list[str] | None = None
) -> None:
    """Start publishing (title, selection and years, policy) and show the opening paragraph."""
    lang, result, d = ctx.lang, ctx.data, ctx.disclosure
    years = f"{min(result.years)}–{result.year}" if len(result.years) > 1 else str(result.year)
    subtitle = f"{result.selection} · {years}"
    _sink.start(
        output_dir,
        title=result.title,
        subtitle=subtitle,
        lang=lang,
        report="indicators_report",
        disclosure=d,
        office=office,
    )
    given = ctx.shown.get("targets")
    if given is None:
        targets = _say("no_targets", lang)
    else:
        import pathlib

        source = (
            _say("example_targets", lang) if _is_example(given) else pathlib.Path(str(given)).name
        )
        targets = _say("targets", lang, source=source)
    policy = (
        _say("policy", lang, min_cell=d.min_cell) if d.min_cell else _say("policy_internal", lang)
    )
    intro = _say(
        "intro", lang, selection=result.selection, year=result.year, targets=targets, policy=policy
    )
    stamp = d.stamp(lang)
    _sink.markdown(
        f"# {result.title}\n\n**{subtitle}**\n\n" + (f"**{stamp}**\n\n" if stamp else "") + intro
    )
    if key_points:
        _sink.key_points(key_points)
    _sink.summary(
        report="indicators_report",
        indicator_set=result.set_name,
        selection=result.selection,
        year=str(result.year),
        years=[str(y) for y in result.years],
        audience=d.audience,
        end_date=result.end_date.isoformat(),
    )


def _values(rows: list[ShownRow]) -> dict[str, Any]:
    return {
        str(r.year): {
            "realisasi": r.realisasi,
            "ci_low": r.ci_low,
            "ci_high": r.ci_high,
            "target": r.target,
            "capaian": r.capaian,
        }
        for r in rows
    }


def lakip_section(ctx: Context, year: int | None = None) -> Section:
    """The LAKIP-style table of one year (default: the report year), key points and values."""
    lang, result = ctx.lang, ctx.data
    year = result.year if year is None else int(year)
    title = _say("h.table", lang, year=year)
    rows = _rows_of(ctx, year)
    if not rows:
        return Section(title=title, no_data=_say("empty", lang))
    caption = _say("cap.table", lang, title=result.title, selection=result.selection, year=year)
    by_key: dict[str, list[ShownRow]] = {}
    for row in shown_rows(ctx).values():
        by_key.setdefault(row.key, []).append(row)
    return Section(
        title=title,
        items=[TableOut(_table(ctx, year), f"lakip_{year}", caption)],
        summary={
            "indicators": {
                r.key: {
                    "numerator": r.numerator,
                    "denominator": r.denominator,
                    "realisasi": r.percent,
                    "capaian": r.capaian_text,
                }
                for r in rows
            }
        },
        values={"indicators": {k: _values(v) for k, v in by_key.items()}},
        key_points=[_sentence(ctx, r) for r in rows],
    )


def previous_years_section(ctx: Context) -> Section:
    """The same table for each earlier year present (newest first)."""
    lang, result = ctx.lang, ctx.data
    earlier = sorted((y for y in result.years if y < result.year), reverse=True)
    title = _say("h.previous", lang)
    if not earlier:
        return Section(title=title, no_data=_say("previous.none", lang, year=result.year))
    items: list[Any] = []
    for y in earlier:
        caption = _say("cap.table", lang, title=result.title, selection=result.selection, year=y)
        items.append(TableOut(_table(ctx, y), f"lakip_{y}", caption))
    return Section(title=title, items=items)


def _relabel(ax: Any, rows: list[ShownRow]) -> None:
    """The figure's value labels as the table prints them (rounded as displayed)."""
    from matplotlib.text import Annotation

    for t in ax.texts:
        if isinstance(t, Annotation) and t.get_text().endswith("%"):
            i = int(round(t.xy[0]))
            if 0 <= i < len(rows):
                t.set_text(rows[i].percent)


def year_on_year_section(ctx: Context) -> Section:
    """Realisasi per year for every indicator: a table and one figure (slide) per indicator."""
    import pandas as pd

    from rehab_eval.indicators import plot_year_on_year

    lang, result, d = ctx.lang, ctx.data, ctx.disclosure
    rows = shown_rows(ctx)
    keys = list(dict.fromkeys((i, c) for i, c, _ in rows))
    if not keys:
        return Section(title=_say("h.yoy", lang), no_data=_say("empty", lang))
    years = sorted(result.years)
    sign = "÷" if lang == "en" else ":"
    table, figures = [], []
    for n, (ind, cat) in enumerate(keys, start=1):
        mine = [rows[(ind, cat, y)] for y in years if (ind, cat, y) in rows]
        last = mine[-1]
        record = {"No": str(n), _say("col.year", lang): last.name}
        for y in years:
            row = rows.get((ind, cat, y))
            record[str(y)] = (
                f"{row.percent} ({row.numerator} {sign} {row.denominator})" if row else "–"
            )
        change = _change(ctx, mine[-2] if len(mine) > 1 else None, last)
        record[_say("col.change", lang)] = change or "–"
        table.append(record)
        ax = plot_year_on_year(result, ind, category=cat, lang=lang, min_cell=d.min_cell)
        _relabel(ax, mine)
        previous = mine[-2] if len(mine) > 1 else None
        definition = result.indicator_set[ind].definition(lang)
        notes = _say("notes", lang, definition=definition, year=last.year, den=last.denominator)
        key = "yoy_" + last.key.replace(".", "_")
        figures.append(FigureOut(ax, key[:64], last.name, _sentence(ctx, last, previous), notes))
    caption = _say("cap.yoy", lang, title=result.title, selection=result.selection)
    frame = pd.DataFrame(table).rename(columns={_say("col.year", lang): _header(lang)})
    return Section(
        title=_say("h.yoy", lang), items=[TableOut(frame, "year_on_year", caption), *figures]
    )


def _header(lang: str) -> str:
    from rehab_eval.indicators.display import HEADERS

    return HEADERS["en" if lang == "en" else "id"]["indicator"]


def indicators_summary(ctx: Context, table: Section) -> Section:
    """The definitions (each indicator's, the formula, the policy) and the key points."""
    lang, result = ctx.lang, ctx.data
    definitions = [
        f"{result.indicator_set[i].name(lang)}: {result.indicator_set[i].definition(lang)}"
        for i in dict.fromkeys(result.table["indicator"])
    ]
    definitions.append(_say("def.formula", lang, end=result.end_date.isoformat()))
    definitions.append(ctx.disclosure.short_form(lang))
    points = table.key_points[:5] or [_say("empty", lang)]
    return Section(
        title=_say("h.definitions", lang),
        items=["\n".join(f"- {x}" for x in definitions)],
        key_points=points,
        definitions=definitions,
    )
