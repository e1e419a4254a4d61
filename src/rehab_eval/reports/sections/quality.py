"""Data-quality report: rows read / accepted / rejected / duplicates per facility and file,
the reasons in words with how to fix each, the trend over ETL runs, the workbooks to fix.

Every figure comes from :func:`rehab_eval.quality.assess_quality` (the ETL's manifest and
rejects). Row counts describe records, not people: they are shown exactly in both
audiences; ``internal`` adds the stamp. No value of a rejected cell is ever shown here:
the rows to fix (with masked values) go only into the per-facility workbooks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rehab_eval.reports.sections import _sink
from rehab_eval.reports.sections._model import Context, FigureOut, Section, TableOut
from rehab_eval.reports.sections._texts import speaker

__all__ = [
    "earlier_manifests",
    "fix_workbooks_section",
    "quality_context",
    "quality_facilities_section",
    "quality_files_section",
    "quality_reasons_section",
    "quality_summary",
    "quality_trend_section",
    "open_quality_report",
]


_say = speaker("quality_texts.toml")


def _n(x: Any, lang: str) -> str:
    from rehab_eval.i18n import format_number

    return format_number(x, 0, lang)


def _pct(share: Any, lang: str, digits: int = 1) -> str:
    from rehab_eval.i18n import format_percent

    return format_percent(share, digits, lang)


def earlier_manifests(processed_dir: str | Path) -> list[Path]:
    """The ``manifest.json`` of the earlier versions of a versioned ETL output, oldest first.

    ``data/processed`` is a link to ``data/.processed.versions/<id>/``; the complete versions
    there older than the one read are the earlier runs (the newest few are kept). The
    version folder itself may be given too (a path with its link resolved). A plain folder
    has no history.
    """
    from rehab_eval.etl.versions import current_version, versions_dir

    out = Path(processed_dir)
    current = current_version(out)
    if current is None:
        return []
    vdir = versions_dir(out)
    if not vdir.is_dir():
        parent = current.resolve().parent
        if not (parent.name.startswith(".") and parent.name.endswith(".versions")):
            return []
        vdir = parent
    name = current.resolve().name
    found = [
        p / "manifest.json"
        for p in sorted(vdir.iterdir())
        if p.is_dir() and not p.name.startswith(".") and p.name < name
    ]
    return [m for m in found if m.is_file()]


def quality_context(
    processed_dir: Any,
    *,
    raw_dir: Any = None,
    audience: str | None = None,
    min_cell: int | None = None,
    lang: str = "id",
) -> Context:
    """Assess one ETL output (with the earlier versions as history) and resolve the policy.

    Parameters
    ----------
    processed_dir : path
        The ETL's output folder (the link ``data/processed`` or a version folder).
    raw_dir : path, optional
        The raw folder the ETL read, to tell each rejected row's facility.
    audience, min_cell
        The report's disclosure parameters (:func:`rehab_eval.disclosure.resolve`).
    lang : {"id", "en"}

    Returns
    -------
    Context
        ``data`` is the :class:`rehab_eval.quality.DataQuality`; ``shown["paths"]`` keeps the
        two folders for :func:`fix_workbooks_section`.
    """
    from rehab_eval.disclosure import resolve
    from rehab_eval.quality import assess_quality

    disclosure = resolve(audience, min_cell, lang=lang)
    history = earlier_manifests(processed_dir)
    quality = assess_quality(processed_dir, raw=raw_dir, history=history, lang=lang)
    ctx = Context(data=quality, disclosure=disclosure, lang=lang)
    ctx.shown["paths"] = {"processed": processed_dir, "raw": raw_dir}
    ctx.shown["manifests"] = [*history, Path(processed_dir) / "manifest.json"]
    return ctx


def _totals(ctx: Context) -> dict[str, Any]:
    files = ctx.data.table
    counts = {
        k: int(files[k].sum())
        for k in ("rows_read", "rows_accepted", "rows_rejected", "rows_duplicate")
    }
    read = counts["rows_read"]
    counts["share"] = counts["rows_rejected"] / read if read else float("nan")
    counts["files"] = int(files["source_file"].nunique())
    return counts


def open_quality_report(
    ctx: Context, output_dir: Any, *, key_points: list[str] | None = None
) -> None:
    """Start publishing (title, run date, policy) and show the opening paragraph."""
    from rehab_eval.i18n import format_date

    lang, q = ctx.lang, ctx.data
    title = _say("title", lang)
    as_of = format_date(q.as_of, lang) if q.as_of else "–"
    subtitle = {"id": "Pengolahan data ", "en": "Data processing of "}[lang] + as_of
    _sink.start(
        output_dir,
        title=title,
        subtitle=subtitle,
        lang=lang,
        report="data_quality",
        disclosure=ctx.disclosure,
    )
    c = _totals(ctx)
    stamp = ctx.disclosure.stamp(lang)
    intro = _say(
        "intro",
        lang,
        as_of=as_of,
        read=_n(c["rows_read"], lang),
        files=_n(c["files"], lang),
        accepted=_n(c["rows_accepted"], lang),
        rejected=_n(c["rows_rejected"], lang),
        share=_pct(c["share"], lang),
        dup=_n(c["rows_duplicate"], lang),
    )
    _sink.markdown(
        f"# {title}\n\n**{subtitle}**\n\n" + (f"**{stamp}**\n\n" if stamp else "") + intro
    )
    if key_points:
        _sink.key_points(key_points)
    _sink.summary(report="data_quality", as_of=str(q.as_of), audience=ctx.disclosure.audience)


def _counts_frame(frame: Any, first: list[str], lang: str) -> Any:
    """Display columns: the keys in ``first`` then the row counts and the share rejected."""
    import pandas as pd

    from rehab_eval.quality import quality_text

    out = pd.DataFrame()
    for c in first:
        out[_say("col.files", lang) if c == "files" else quality_text(f"col.{c}", lang)] = frame[
            c
        ].astype(str)
    for c in ("rows_read", "rows_accepted", "rows_rejected", "rows_duplicate", "cells_rejected"):
        out[quality_text(f"col.{c}", lang)] = [_n(v, lang) for v in frame[c]]
    out[_say("col.share", lang)] = [_pct(v, lang) for v in frame["share_rejected"]]
    return out


def _barh(
    labels: list[str],
    values: list[float],
    texts: list[str],
    *,
    title: str,
    subtitle: str,
    lang: str,
    color: str = "#D55E00",
    shares: bool = False,
) -> Any:
    """Horizontal bars, labelled; ``shares``: values are fractions, the axis in percent."""
    import textwrap

    from rehab_eval.plots._frame import (
        decorate,
        fit_left_margin,
        make_axes,
        number_axis,
        percent_axis,
        resolve_texts,
    )
    from rehab_eval.plots.style import GREY, slide_style

    texts_ = resolve_texts(lang, title=title, subtitle=subtitle, source=None, title_key="")
    with slide_style():
        fig, ax, own = make_axes()
        y = list(range(len(labels)))[::-1]
        ax.barh(y, values, color=color)
        top = max(values) if values and max(values) > 0 else 1
        for yi, v, t in zip(y, values, texts, strict=True):
            ax.annotate(
                t, (v, yi), xytext=(6, 0), textcoords="offset points", va="center", color=GREY
            )
        # names readable from the back of the room: 18 pt for a few bars, 15 pt on two lines
        # for up to ten (a row of 5.3 in / 10 holds two lines of 15 pt)
        size, wrap = (18, 32) if len(labels) <= 6 else (15, 42)
        ax.set_yticks(y, ["\n".join(textwrap.wrap(s, wrap)[:2]) for s in labels], fontsize=size)
        ax.set_xlim(0, top * 1.25)
        if shares:
            percent_axis(ax.xaxis, lang, 1)
        else:
            number_axis(ax.xaxis, lang)
        ax.spines[["top", "right"]].set_visible(False)
        decorate(fig, ax, texts_, own=own, left=0.34, bottom=0.11)
        fit_left_margin(fig, ax, least=0.2, most=0.5)
    return fig


def quality_facilities_section(ctx: Context) -> Section:
    """Rows read / accepted / rejected / duplicates per facility: table, figure, takeaway."""
    from rehab_eval.plots.style import OKABE_ITO

    lang, fac = ctx.lang, ctx.data.summary
    frame = _counts_frame(fac, ["facility", "files"], lang)
    c = _totals(ctx)
    ordered = fac.sort_values(
        ["share_rejected", "rows_rejected", "facility"], ascending=[False, False, True]
    )
    if c["rows_rejected"]:
        w = ordered.iloc[0]
        takeaway = _say(
            "take.facilities",
            lang,
            worst=w["facility"],
            rejected=_n(w["rows_rejected"], lang),
            read=_n(w["rows_read"], lang),
            share=_pct(w["share_rejected"], lang),
        )
    else:
        takeaway = _say("take.clean", lang)
    fig = _barh(
        list(ordered["facility"]),
        [float(v) if v == v else 0.0 for v in ordered["share_rejected"]],
        [
            f"{_n(r, lang)} ({_pct(s, lang)})"
            for r, s in zip(ordered["rows_rejected"], ordered["share_rejected"], strict=True)
        ],
        title=_say("fig.facilities", lang),
        subtitle=_say("take.clean", lang)
        if not c["rows_rejected"]
        else f"n = {_n(c['rows_read'], lang)}",
        lang=lang,
        color=OKABE_ITO["vermillion"],
        shares=True,
    )
    return Section(
        title=_say("h.facilities", lang),
        items=[
            FigureOut(
                fig,
                "rejected_by_facility",
                _say("fig.facilities", lang),
                takeaway,
                _say("notes.rows", lang),
            ),
            TableOut(frame, "per_facility", _say("cap.per_facility", lang)),
            *_mixed_files_note(ctx),
        ],
        summary={
            "rows_read": _n(c["rows_read"], lang),
            "rows_accepted": _n(c["rows_accepted"], lang),
            "rows_rejected": _n(c["rows_rejected"], lang),
            "rows_duplicate": _n(c["rows_duplicate"], lang),
            "share_rejected": _pct(c["share"], lang),
        },
        values={
            "share_rejected": c["share"],
            "share_rejected_by_facility": {
                str(f): float(s)
                for f, s in zip(fac["facility"], fac["share_rejected"], strict=True)
            },
        },
        key_points=[takeaway],
    )


def _mixed_files_note(ctx: Context) -> list[str]:
    """A sentence when a file's rows belong to other facilities than the one its path names
    (a provincial file): the counts above follow the file, the reasons and workbooks the row."""
    by_file = set(ctx.data.summary["facility"])
    by_row = set(ctx.data.reasons["facility"]) if len(ctx.data.reasons) else set()
    if by_row <= by_file:
        return []
    return [_say("note.mixed", ctx.lang, names=", ".join(sorted(by_file - by_row) or by_file))]


def quality_files_section(ctx: Context) -> Section:
    """The same counts per file and sheet (files in their facility's order)."""
    lang, files = ctx.lang, ctx.data.table
    frame = _counts_frame(files, ["facility", "source_file", "sheet", "table"], lang)
    return Section(
        title=_say("h.files", lang), items=[TableOut(frame, "per_file", _say("cap.per_file", lang))]
    )


def quality_reasons_section(ctx: Context) -> Section:
    """Rejects per reason in plain words with how to fix each: overall and per facility."""
    import pandas as pd

    from rehab_eval.quality import quality_text

    lang, reasons = ctx.lang, ctx.data.reasons
    title = _say("h.reasons", lang)
    if not len(reasons):
        return Section(title=title, items=[_say("take.clean", lang)])
    overall = (
        reasons.groupby(["reason", "text", "hint"], sort=False)["n"]
        .sum()
        .reset_index()
        .sort_values(["n", "reason"], ascending=[False, True])
    )
    top = overall.iloc[0]
    takeaway = _say("take.reasons", lang, text=top["text"], n=_n(top["n"], lang), hint=top["hint"])
    col = {k: quality_text(f"col.{k}", lang) for k in ("facility", "reason", "n", "hint")}
    table_all = pd.DataFrame(
        {
            col["reason"]: overall["text"],
            col["n"]: [_n(v, lang) for v in overall["n"]],
            col["hint"]: overall["hint"],
        }
    )
    table_fac = pd.DataFrame(
        {
            col["facility"]: reasons["facility"],
            col["reason"]: reasons["text"],
            col["n"]: [_n(v, lang) for v in reasons["n"]],
            col["hint"]: reasons["hint"],
        }
    )
    fig = _barh(
        list(overall["text"]),
        [float(v) for v in overall["n"]],
        [_n(v, lang) for v in overall["n"]],
        title=_say("fig.reasons", lang),
        subtitle=f"n = {_n(int(overall['n'].sum()), lang)}",
        lang=lang,
    )
    return Section(
        title=title,
        items=[
            FigureOut(fig, "reasons", _say("fig.reasons", lang), takeaway, top["hint"]),
            TableOut(table_all, "reasons", _say("cap.reasons", lang)),
            TableOut(table_fac, "reasons_per_facility", _say("cap.reasons_per_facility", lang)),
        ],
        summary={
            "reasons": {
                str(r): _n(n, lang) for r, n in zip(overall["reason"], overall["n"], strict=True)
            }
        },
        key_points=[takeaway],
        narrative={"reason": takeaway},
    )


def quality_trend_section(ctx: Context) -> Section:
    """Rows read / rejected per ETL run (the earlier versions' manifests): figure and table."""
    import pandas as pd

    from rehab_eval.i18n import format_date
    from rehab_eval.plots._frame import decorate, make_axes, percent_axis, resolve_texts
    from rehab_eval.plots.style import OKABE_ITO, slide_style

    lang, trend = ctx.lang, ctx.data.trend
    title = _say("h.trend", lang)
    if len(trend) < 2:
        return Section(title=title, no_data=_say("trend.one", lang))
    when = [
        format_date(t.tz_convert(None) if t.tzinfo else t, lang) if pd.notna(t) else "–"
        for t in trend["run_time"]
    ]
    labels = [
        f"{w}\n{t:%H:%M}" if pd.notna(t) else w
        for w, t in zip(when, trend["run_time"], strict=True)
    ]
    from rehab_eval.quality import quality_text

    frame = pd.DataFrame(
        {
            _say("col.run", lang): [lb.replace("\n", " ") for lb in labels],
            _say("col.files", lang): [_n(v, lang) for v in trend["files"]],
        }
    )
    for c in ("rows_read", "rows_accepted", "rows_rejected", "rows_duplicate"):
        frame[quality_text(f"col.{c}", lang)] = [_n(v, lang) for v in trend[c]]
    frame[_say("col.share", lang)] = [_pct(v, lang) for v in trend["share_rejected"]]
    texts = resolve_texts(
        lang, title=_say("fig.trend", lang), subtitle=f"{len(trend)} ETL", source=None, title_key=""
    )
    with slide_style():
        fig, ax, own = make_axes()
        x = list(range(len(trend)))
        ax.plot(
            x,
            trend["share_rejected"],
            marker="o",
            color=OKABE_ITO["blue"],
            linewidth=3,
            markersize=10,
        )
        for xi, v in zip(x, trend["share_rejected"], strict=True):
            ax.annotate(
                _pct(v, lang), (xi, v), xytext=(0, 10), textcoords="offset points", ha="center"
            )
        ax.set_xticks(x, labels)
        ax.set_ylim(0, max(float(trend["share_rejected"].max()) * 1.4, 0.01))
        percent_axis(ax.yaxis, lang, 1)
        ax.spines[["top", "right"]].set_visible(False)
        decorate(fig, ax, texts, own=own)
    first, last = trend.iloc[0], trend.iloc[-1]
    takeaway = _say(
        "take.trend",
        lang,
        first=_pct(first["share_rejected"], lang),
        first_date=when[0],
        last=_pct(last["share_rejected"], lang),
        last_date=when[-1],
        runs=len(trend),
    )
    return Section(
        title=title,
        items=[
            FigureOut(fig, "trend", _say("fig.trend", lang), takeaway, _say("notes.rows", lang)),
            TableOut(frame, "trend", _say("cap.trend", lang)),
            TableOut(
                _trend_by_facility(ctx, when), "trend_per_facility", _say("cap.trend_fac", lang)
            ),
        ],
        values={
            "share_rejected_by_run": [
                float(v) if pd.notna(v) else None for v in trend["share_rejected"]
            ]
        },
        summary={"runs": _n(len(trend), lang)},
        key_points=[takeaway],
    )


def _trend_by_facility(ctx: Context, when: list[str]) -> Any:
    """Rows rejected of rows read per facility (rows) and run (columns, oldest first)."""
    import pandas as pd

    from rehab_eval.quality import quality_text, quality_trend

    lang = ctx.lang
    runs = quality_trend(ctx.shown["manifests"], by="facility", lang=lang)
    order = {t: i for i, t in enumerate(sorted(set(runs["run_time"])))}
    labels = [f"{i + 1}. {w}" for i, w in enumerate(when)]
    rows = []
    for fac, g in runs.groupby("facility", sort=True):
        row = {quality_text("col.facility", lang): str(fac), **dict.fromkeys(labels, "–")}
        for r in g.itertuples():
            row[labels[order[r.run_time]]] = (
                f"{_n(r.rows_rejected, lang)} / {_n(r.rows_read, lang)} ({_pct(r.share_rejected, lang)})"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def fix_workbooks_section(ctx: Context, output_dir: Any) -> Section:
    """Write one workbook of rows to fix per facility into ``<output_dir>/perbaikan/`` and
    list them (facility, workbook, rows to fix); with no output folder only the list."""
    import pandas as pd

    from rehab_eval.quality import quality_text, write_fix_workbooks

    lang, fixes = ctx.lang, ctx.data.fixes
    title = _say("h.fix", lang)
    if not len(fixes):
        return Section(title=title, items=[_say("fix.none", lang)])
    counts = fixes.groupby("facility", sort=True).size()
    written: list[str] = []
    if output_dir is not None:
        paths = ctx.shown["paths"]
        folder = Path(output_dir) / ("perbaikan" if lang == "id" else "to_fix")
        books = write_fix_workbooks(paths["processed"], folder, raw=paths["raw"], lang=lang)
        written = [f"{folder.name}/{p.name}" for p in books]  # one per facility, sorted as counts
    frame = pd.DataFrame(
        {
            quality_text("col.facility", lang): counts.index.astype(str),
            _say("col.to_fix", lang): [_n(v, lang) for v in counts],
            _say("col.workbook", lang): written
            if len(written) == len(counts)
            else ["–"] * len(counts),
        }
    )
    intro = _say("fix.intro", lang) if written else _say("fix.not_written", lang)
    return Section(
        title=title,
        items=[intro, TableOut(frame, "workbooks", _say("cap.workbooks", lang))],
        summary={"fix_workbooks": written},
    )


def quality_summary(ctx: Context, *sections: Section) -> Section:
    """The closing paragraph, the key points (3–5) and the definitions (policy included)."""
    lang = ctx.lang
    c = _totals(ctx)
    found = {k: v for s in sections for k, v in s.narrative.items()}
    text = _say(
        "sum.text",
        lang,
        rejected=_n(c["rows_rejected"], lang),
        read=_n(c["rows_read"], lang),
        share=_pct(c["share"], lang),
        dup=_n(c["rows_duplicate"], lang),
        reason=found.get("reason", ""),
    )
    points = [p for s in sections for p in s.key_points][:4]
    fixes = ctx.data.fixes
    if len(fixes):
        points.append(
            _say(
                "take.fix", lang, n=_n(fixes["facility"].nunique(), lang), rows=_n(len(fixes), lang)
            )
        )
    definitions = [_say(k, lang) for k in ("def.rows", "def.cells", "def.privacy")]
    definitions.append(ctx.disclosure.short_form(lang))
    return Section(
        title=_say("h.summary", lang),
        items=[text.strip()],
        key_points=points or [text.strip()],
        definitions=definitions,
    )
