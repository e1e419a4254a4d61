"""The notebook side of a report: publish figures, tables, key numbers and narrative.

A report notebook calls, after its parameters cell::

    from rehab_eval.reports import publish
    from rehab_eval import disclosure
    from rehab_eval.reports import publish
    policy = disclosure.resolve(audience, min_cell)
    publish.start(output_dir, title="Laporan kohort", subtitle="Bapas Kelas I Semarang, 2024",
                  lang=lang, disclosure=policy, office="Bapas Kelas I Semarang")
    publish.section("Alur klien")
    publish.figure(fig, "flow", title="Alur klien", takeaway="31 dari 35 klien menyelesaikan program",
                   notes="Selesai: klien dengan status selesai. n = 35 terdaftar.")
    publish.table(table, "table_one", caption="Karakteristik klien")
    publish.section("Residivisme")
    publish.no_data("Belum ada data residivisme untuk pilihan ini.")
    publish.key_points(["31 dari 35 klien menyelesaikan program.", "..."])
    publish.summary(n_enrolled="35", completed_share="88,6 %")
    publish.definitions(["Residivisme: ...", "..."])

With ``output_dir`` set (the runner injects it) figures are saved as PNG (200 dpi) and SVG in
``<output_dir>/figures/``, the deck's contents (titles, takeaways, definitions) are recorded in
``<output_dir>/publish.json`` and key numbers are merged into ``<output_dir>/summary.json``; with
``output_dir=None`` (interactive Jupyter) everything is only displayed. Each figure also gets a
slide variant ``figures/<key>_slide.png`` without its own title and subtitle (the slide carries
the title); published tables are kept as ``tables/<key>.json`` for ``tables.xlsx``; sections,
no-data sentences and key points are recorded in ``publish.json`` for the HTML's contents list
and summary and for the deck. In the ``internal`` audience the policy's stamp is drawn on every
figure. Every number passed here
must already be disclosure-controlled (:mod:`rehab_eval.privacy`): this module publishes, it does
not compute. As a last guard it refuses tables and summary keys that carry direct identifiers
(``client_id``, NIK, names).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rehab_eval.errors import ReportError
from rehab_eval.reports.figure_variants import draw_stamp, save_slide_variant

__all__ = [
    "FIGURE_DPI",
    "definitions",
    "figure",
    "key_points",
    "markdown",
    "no_data",
    "section",
    "start",
    "state",
    "summary",
    "table",
    "values",
]

FIGURE_DPI = 200
#: Column or key names that identify a person and must never be published.
IDENTIFIER_NAMES = frozenset(
    {
        "client_id",
        "nik",
        "name",
        "nama",
        "full_name",
        "register",
        "register_number",
        "no_register",
        "address",
        "alamat",
    }
)
_KEY = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
_STATE: dict[str, Any] = {
    "output_dir": None,
    "lang": "id",
    "record": None,
    "disclosure": None,
    "section": None,
}
#: The fixed headings of the key points, in the report's language.
KEY_POINTS_TITLE = {"id": "Ringkasan", "en": "Summary"}


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def _record_path() -> Path | None:
    out = _STATE["output_dir"]
    return None if out is None else Path(out) / "publish.json"


def _save_record() -> None:
    from rehab_eval.reports.runs import write_json

    path = _record_path()
    if path is not None:
        write_json(path, _STATE["record"])


def state() -> dict[str, Any]:
    """A copy of what has been published so far (title, figures, definitions)."""
    return json.loads(json.dumps(_STATE["record"] or {}))


def start(
    output_dir: str | Path | None,
    *,
    title: str,
    subtitle: str = "",
    lang: str = "id",
    report: str | None = None,
    disclosure: Any = None,
    office: str | None = None,
) -> None:
    """Begin publishing a report (resets what an earlier run of the notebook recorded).

    Parameters
    ----------
    output_dir
        The run folder (injected by the runner), or ``None`` to only display.
    title, subtitle
        The report's title and subtitle (cohort, facility, period) for the deck's first slide.
    lang
        ``id`` or ``en``: the language of the deck's fixed texts.
    report
        The report's name (for the record).
    disclosure
        The :class:`rehab_eval.disclosure.Disclosure` in force (from
        ``rehab_eval.disclosure.resolve(audience, min_cell)``). Its record (policy name, hash,
        audience, thresholds), stamp (``None`` in ``publik``), short form and closing line are
        written into ``publish.json`` under ``"disclosure"`` (the runner copies them into
        ``run.json``); in ``internal`` the stamp is drawn on every figure.
    office
        The office that publishes the report (the deck's author).

    Notes
    -----
    ``publish.json`` holds ``report``, ``title``, ``subtitle``, ``lang``, ``office``,
    ``disclosure`` (``None`` when not given), ``key_points``, ``sections`` (``id``,
    ``title``, ``no_data``), ``figures``, ``tables``, ``no_data`` and ``definitions``.
    """
    _STATE["output_dir"] = None if output_dir is None else str(output_dir)
    _STATE["lang"] = lang
    _STATE["disclosure"] = disclosure
    _STATE["section"] = None
    _STATE["record"] = {
        "report": report,
        "title": title,
        "subtitle": subtitle,
        "lang": lang,
        "office": office,
        "disclosure": _disclosure_record(disclosure, lang),
        "key_points": [],
        "sections": [],
        "figures": [],
        "tables": [],
        "no_data": [],
        "definitions": [],
    }
    if output_dir is not None:
        import shutil

        (Path(output_dir) / "figures").mkdir(parents=True, exist_ok=True)
        shutil.rmtree(Path(output_dir) / "tables", ignore_errors=True)
        summary_path = Path(output_dir) / "summary.json"
        if summary_path.exists():
            summary_path.unlink()
        _save_record()


def _disclosure_record(disclosure: Any, lang: str) -> dict[str, Any] | None:
    """What ``publish.json`` states about the disclosure policy in force."""
    if disclosure is None:
        return None
    return {
        "record": disclosure.record(),
        "stamp": disclosure.stamp(lang),
        "short_form": disclosure.short_form(lang),
        "closing_line": disclosure.closing_line(lang),
    }


def _stamp() -> str | None:
    disclosure = _STATE["disclosure"]
    return None if disclosure is None else disclosure.stamp(_STATE["lang"])


def _ensure_started() -> dict[str, Any]:
    if _STATE["record"] is None:
        start(None, title="")
    return _STATE["record"]


def figure(fig: Any, key: str, *, title: str, takeaway: str, notes: str | None = None) -> None:
    """Publish a matplotlib figure: PNG (200 dpi) + SVG + a slide PNG, record it, display it.

    Parameters
    ----------
    fig
        A matplotlib Figure (or an Axes: its figure is used).
    key
        File stem, lower-case letters, digits, ``_`` or ``-`` (e.g. ``"km_by_level"``).
    title
        The slide title.
    takeaway
        One sentence saying what the figure shows (with disclosure-controlled numbers).
    notes
        The definition and the n behind the figure, for the slide's speaker notes (after the
        takeaway).

    Notes
    -----
    Saved figures are recorded in ``publish.json`` as ``{"key", "title", "takeaway",
    "notes", "section", "png", "svg", "slide_png"}`` (paths relative to the run folder; see
    :func:`state`). ``slide_png`` is the figure without its own title and subtitle, cropped
    to what remains, for a slide whose title says it. In ``internal`` the stamp is drawn on
    all three files. The figure is closed afterwards. Nothing is returned, so a call ending a
    notebook cell prints nothing.
    """
    import base64
    import html
    import io

    import matplotlib.pyplot as plt
    from IPython.display import HTML, Markdown

    if not _KEY.match(str(key)):
        raise ReportError(f"publish.figure: key {key!r} must be lower-case letters, digits, _ or -")
    fig = getattr(fig, "figure", fig) if not hasattr(fig, "savefig") else fig
    record = _ensure_started()
    out = _STATE["output_dir"]
    stamp = _stamp()
    if out is not None:
        import matplotlib

        folder = Path(out) / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        png, svg = folder / f"{key}.png", folder / f"{key}.svg"
        slide = folder / f"{key}_slide.png"
        mark = draw_stamp(fig, stamp)
        fig.savefig(png, dpi=FIGURE_DPI, metadata={"Software": None})
        with matplotlib.rc_context({"svg.hashsalt": key}):
            fig.savefig(svg, metadata={"Date": None})
        data = png.read_bytes()
        if mark is not None:
            mark.remove()
        save_slide_variant(fig, slide, stamp, dpi=FIGURE_DPI)
        entry = {
            "key": key,
            "title": title,
            "takeaway": takeaway,
            "notes": notes,
            "section": _STATE["section"],
            "png": f"figures/{key}.png",
            "svg": f"figures/{key}.svg",
            "slide_png": f"figures/{key}_slide.png",
        }
        record["figures"] = [f for f in record["figures"] if f["key"] != key] + [entry]
        _save_record()
    else:
        draw_stamp(fig, stamp)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        data = buffer.getvalue()
    plt.close(fig)
    encoded = base64.b64encode(data).decode("ascii")
    _display(
        HTML(
            f'<figure class="rehab-figure" data-figure="{html.escape(key)}" style="margin:0">'
            f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(title)}" '
            'style="max-width:100%;height:auto;width:1000px"></figure>'
        )
    )
    if takeaway:
        _display(Markdown(f"*{takeaway}*"))


def _check_identifiers(names: Iterable[Any], where: str) -> None:
    bad = sorted(str(n) for n in names if str(n).strip().lower() in IDENTIFIER_NAMES)
    if bad:
        raise ReportError(
            f"{where}: refusing to publish identifier column(s) {', '.join(bad)}; "
            "aggregate first or drop them"
        )


def table(df: Any, key: str | None = None, *, caption: str | None = None) -> None:
    """Display a (disclosure-controlled) table as HTML without the index; keep it for Excel.

    Parameters
    ----------
    df
        A DataFrame whose cells are ready to read (formatted, ``<5`` applied): this module
        publishes what it is given and suppresses nothing.
    key
        A name for the table (the HTML element's id and the sheet of ``tables.xlsx``);
        default ``tabel_<n>``.
    caption
        Optional text shown above the table (and atop its sheet).

    Notes
    -----
    With an output folder the table is kept as ``tables/<key>.json`` (``key``, ``caption``,
    ``section``, ``columns``, ``rows``) and listed in ``publish.json`` under ``"tables"``;
    :func:`rehab_eval.reports.export.export_tables` writes them into ``tables.xlsx``.
    """
    from IPython.display import HTML, Markdown

    _check_identifiers(df.columns, f"publish.table({key!r})")
    record = _ensure_started()
    if key is None:
        key = f"tabel_{len(record['tables']) + 1}"
    elif not _KEY.match(str(key)):
        raise ReportError(f"publish.table: key {key!r} must be lower-case letters, digits, _ or -")
    if caption:
        _display(Markdown(f"**{caption}**"))
    html = df.to_html(index=False, escape=True, na_rep="–", border=0, classes="rehab-table")
    html = html.replace("<table", f'<table id="table-{key}"', 1)
    _display(HTML(html))
    out = _STATE["output_dir"]
    if out is not None:
        from rehab_eval.reports.runs import write_json

        columns = [str(c) for c in df.columns]
        rows = [[_cell(v) for v in row] for row in df.itertuples(index=False, name=None)]
        payload = {
            "key": key,
            "caption": caption,
            "section": _STATE["section"],
            "columns": columns,
            "rows": rows,
        }
        write_json(Path(out) / "tables" / f"{key}.json", payload)
        entry = {
            "key": key,
            "caption": caption,
            "section": _STATE["section"],
            "path": f"tables/{key}.json",
        }
        record["tables"] = [t for t in record["tables"] if t["key"] != key] + [entry]
        _save_record()


def _cell(value: Any) -> Any:
    """A table cell as JSON: text, number, bool, ISO date, or None for a missing value."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _anchor(title: str, taken: Iterable[str]) -> str:
    """A readable, unique HTML id for a section title."""
    import unicodedata

    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:48] or "bagian"
    base, n, used = f"sec-{slug}", 1, set(taken)
    anchor = base
    while anchor in used:
        n += 1
        anchor = f"{base}-{n}"
    return anchor


def section(title: str) -> str:
    """Start a section: a heading in the HTML (contents entry, page break in print).

    Figures, tables and no-data sentences published afterwards belong to it (their
    ``section`` in ``publish.json``; the deck opens a section with a divider slide when it
    holds no figure of its own, e.g. one without data).

    Returns
    -------
    str
        The section's HTML id (``sec-…``).
    """
    import html

    from IPython.display import HTML

    title = str(title).strip()
    if not title:
        raise ReportError("publish.section: give the section a title")
    record = _ensure_started()
    anchor = _anchor(title, (s["id"] for s in record["sections"]))
    record["sections"].append({"id": anchor, "title": title, "no_data": []})
    _STATE["section"] = anchor
    _save_record()
    _display(HTML(f'<h2 class="rehab-section" id="{anchor}">{html.escape(title)}</h2>'))
    return anchor


def no_data(sentence: str) -> None:
    """Say, in one sentence, that a section has no data for this selection (never a 0 %).

    Examples
    --------
    ``publish.no_data("Belum ada data residivisme untuk pilihan ini.")``: the HTML shows the
    sentence where the figures would be, the deck shows it on the section's slide, the
    record lists it under ``no_data`` with its section, and ``summary.json`` gets
    ``"no_data": [{"section": title, "text": sentence}, ...]`` so that a job reading the
    numbers can tell "no source" from zero.
    """
    import html

    from IPython.display import HTML

    sentence = " ".join(str(sentence).split())
    if not sentence:
        raise ReportError("publish.no_data: give the sentence that says which data is absent")
    record = _ensure_started()
    anchor = _STATE["section"]
    record["no_data"].append({"section": anchor, "text": sentence})
    title = None
    for entry in record["sections"]:
        if entry["id"] == anchor:
            entry["no_data"].append(sentence)
            title = entry["title"]
    _save_record()
    merged = dict(record.get("summary", {}))
    merged["no_data"] = [*merged.get("no_data", []), {"section": title, "text": sentence}]
    record["summary"] = merged
    out = _STATE["output_dir"]
    if out is not None:
        from rehab_eval.reports.runs import write_json

        write_json(Path(out) / "summary.json", merged)
    _display(HTML(f'<p class="rehab-no-data">{html.escape(sentence)}</p>'))


def key_points(sentences: Iterable[str]) -> None:
    """Record the report's 3–5 takeaways: the deck's summary slide and the top of the HTML.

    Parameters
    ----------
    sentences
        Whole sentences built from disclosure-controlled numbers; a later call replaces an
        earlier one.
    """
    import html

    from IPython.display import HTML

    if isinstance(sentences, str):
        raise ReportError("publish.key_points: give a list of sentences, not one text")
    points = [" ".join(str(s).split()) for s in sentences]
    if not points or not all(points):
        raise ReportError("publish.key_points: give one to five non-empty sentences")
    if len(points) > 5:
        raise ReportError(
            f"publish.key_points: {len(points)} sentences; keep the five that matter most"
        )
    record = _ensure_started()
    record["key_points"] = points
    _save_record()
    heading = KEY_POINTS_TITLE.get(_STATE["lang"], KEY_POINTS_TITLE["en"])
    items = "".join(f"<li>{html.escape(p)}</li>" for p in points)
    _display(
        HTML(f'<div class="rehab-key-points"><h2>{html.escape(heading)}</h2><ul>{items}</ul></div>')
    )


def _plain(value: Any, key: str) -> Any:
    if isinstance(value, Mapping):
        _check_identifiers(value.keys(), f"publish.summary({key})")
        return {str(k): _plain(v, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, key) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise ReportError(f"publish.summary: {key} has a {type(value).__name__}; give text or numbers")


def summary(**numbers: Any) -> None:
    """Merge key numbers into ``summary.json`` (already disclosure-controlled).

    What has been merged so far is in ``state()["summary"]``.
    """
    _check_identifiers(numbers.keys(), "publish.summary")
    record = _ensure_started()
    merged = dict(record.get("summary", {}))
    merged.update({k: _plain(v, k) for k, v in numbers.items()})
    record["summary"] = merged
    out = _STATE["output_dir"]
    if out is not None:
        from rehab_eval.reports.runs import write_json

        write_json(Path(out) / "summary.json", merged)


#: The key of ``summary.json`` holding the machine-readable numbers of :func:`values`.
VALUES_KEY = "values"


def _measure(value: Any, key: str) -> Any:
    """A statistic for :func:`values`: a float (NaN → None), or a mapping / list of them."""
    if isinstance(value, Mapping):
        _check_identifiers(value.keys(), f"publish.values({key})")
        return {str(k): _measure(v, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_measure(v, key) for v in value]
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, float):
        raise ReportError(
            f"publish.values: {key} = {value!r} is a {type(value).__name__}; give floats only "
            "(counts are published as disclosure-controlled text through publish.summary)"
        )
    return value if math.isfinite(value) else None


def values(**numbers: Any) -> None:
    """Merge machine-readable statistics into ``summary.json`` under the key ``"values"``.

    The display strings of :func:`summary` (``"8,3"``, ``"< 0,001"``, ``"<5"``) are for
    people; a scheduled job reads these instead: means, differences, confidence limits,
    effect sizes, p-values and shares as JSON numbers (NaN as ``null``). Only floats (or
    mappings / lists of floats) are accepted: counts stay in :func:`summary`, as
    disclosure-controlled text, and an integer here is refused with a :class:`ReportError`.
    A share or estimate whose count is hidden must be given as ``None``.

    Examples
    --------
    ``publish.values(whoqol={"physical_0_100": {"mean_diff": 8.3, "ci_low": 1.1,
    "ci_high": 15.4, "p_value": 0.026}})`` gives ``summary.json`` →
    ``{"values": {"whoqol": {"physical_0_100": {"mean_diff": 8.3, ...}}}}``.
    """
    _check_identifiers(numbers.keys(), "publish.values")
    checked = {k: _measure(v, k) for k, v in numbers.items()}
    record = _ensure_started()
    merged = dict(record.get("summary", {}))
    merged[VALUES_KEY] = {**merged.get(VALUES_KEY, {}), **checked}
    record["summary"] = merged
    out = _STATE["output_dir"]
    if out is not None:
        from rehab_eval.reports.runs import write_json

        write_json(Path(out) / "summary.json", merged)


def definitions(items: Iterable[str] | Mapping[str, str]) -> None:
    """Record the definitions for the deck's closing slide (e.g. the outcome definition)."""
    record = _ensure_started()
    if isinstance(items, Mapping):
        lines = [f"{k}: {v}" for k, v in items.items()]
    else:
        lines = [str(i) for i in items]
    record["definitions"] = [*record.get("definitions", []), *lines]
    _save_record()


def markdown(text: str) -> None:
    """Display narrative text (Markdown) built from computed, disclosure-controlled numbers."""
    from IPython.display import Markdown

    _display(Markdown(text))
