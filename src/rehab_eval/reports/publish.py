"""The notebook side of a report: publish figures, tables, key numbers and narrative.

A report notebook calls, after its parameters cell::

    from rehab_eval.reports import publish
    publish.start(output_dir, title="Laporan kohort", subtitle="Bapas Kelas I Semarang, 2024", lang=lang)
    publish.figure(fig, "flow", title="Alur klien", takeaway="31 dari 35 klien menyelesaikan program")
    publish.table(table, "table_one")
    publish.summary(n_enrolled="35", completed_share="88,6 %")
    publish.definitions(["Residivisme: ...", "..."])

With ``output_dir`` set (the runner injects it) figures are saved as PNG (200 dpi) and SVG in
``<output_dir>/figures/``, the deck's contents (titles, takeaways, definitions) are recorded in
``<output_dir>/publish.json`` and key numbers are merged into ``<output_dir>/summary.json``; with
``output_dir=None`` (interactive Jupyter) everything is only displayed. Every number passed here
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

__all__ = [
    "FIGURE_DPI",
    "definitions",
    "figure",
    "markdown",
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
_STATE: dict[str, Any] = {"output_dir": None, "lang": "id", "record": None}


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
    """
    _STATE["output_dir"] = None if output_dir is None else str(output_dir)
    _STATE["lang"] = lang
    _STATE["record"] = {
        "report": report,
        "title": title,
        "subtitle": subtitle,
        "lang": lang,
        "figures": [],
        "definitions": [],
    }
    if output_dir is not None:
        (Path(output_dir) / "figures").mkdir(parents=True, exist_ok=True)
        summary_path = Path(output_dir) / "summary.json"
        if summary_path.exists():
            summary_path.unlink()
        _save_record()


def _ensure_started() -> dict[str, Any]:
    if _STATE["record"] is None:
        start(None, title="")
    return _STATE["record"]


def figure(fig: Any, key: str, *, title: str, takeaway: str) -> None:
    """Publish a matplotlib figure: save PNG (200 dpi) + SVG, record it for the deck, display it.

    Parameters
    ----------
    fig
        A matplotlib Figure (or an Axes: its figure is used).
    key
        File stem, lower-case letters, digits, ``_`` or ``-`` (e.g. ``"km_by_level"``).
    title
        The slide title.
    takeaway
        One line saying what the figure shows (with disclosure-controlled numbers).

    Notes
    -----
    Saved figures are recorded in ``publish.json`` as ``{"key", "title", "takeaway", "png",
    "svg"}`` (paths relative to the run folder; see :func:`state`). The figure is closed
    afterwards. Nothing is returned, so a call ending a notebook cell prints nothing.
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
    if out is not None:
        import matplotlib

        folder = Path(out) / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        png, svg = folder / f"{key}.png", folder / f"{key}.svg"
        fig.savefig(png, dpi=FIGURE_DPI, metadata={"Software": None})
        with matplotlib.rc_context({"svg.hashsalt": key}):
            fig.savefig(svg, metadata={"Date": None})
        data = png.read_bytes()
        entry = {
            "key": key,
            "title": title,
            "takeaway": takeaway,
            "png": f"figures/{key}.png",
            "svg": f"figures/{key}.svg",
        }
        record["figures"] = [f for f in record["figures"] if f["key"] != key] + [entry]
        _save_record()
    else:
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
    """Display a (disclosure-controlled) table as HTML without the index.

    Parameters
    ----------
    df
        A DataFrame whose cells are ready to read (formatted, ``<5`` applied).
    key
        A name for the table (used as the HTML element's id).
    caption
        Optional text shown above the table.
    """
    from IPython.display import HTML, Markdown

    _check_identifiers(df.columns, f"publish.table({key!r})")
    if caption:
        _display(Markdown(f"**{caption}**"))
    html = df.to_html(index=False, escape=True, na_rep="–", border=0, classes="rehab-table")
    if key:
        html = html.replace("<table", f'<table id="table-{key}"', 1)
    _display(HTML(html))


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
