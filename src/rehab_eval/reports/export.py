"""Export an executed notebook to a code-free HTML report with nbconvert; ``tables.xlsx``.

``exclude_input=True`` plus no input/output prompts is what ``jupyter nbconvert --to html
--no-input`` does ("ideal for generating code-free reports", nbconvert docs); papermill's
``report_mode`` is not used because nbconvert ignores it. Warnings and other ``stderr`` output,
cells tagged ``remove-cell`` and papermill's error banners are dropped as well, so the page shows
only figures, tables and narrative. Output images are already inline (``data:`` URIs) and the
template's scripts (require.js, MathJax, mermaid from a CDN) are removed, so the file is
self-contained: it opens offline and contacts no server.

With the run's ``publish.json`` the page is arranged for readers (:func:`arrange`): it opens
with the title, the summary (the key points) and a contents list of the sections; it ends
with a glossary (``glossary.toml``: d_z, IK/CI, p, Holm, RCI, Kaplan–Meier, competing events,
…); in the ``internal`` audience a stamp banner heads the page and every printed page. The
print style makes an A4 PDF from a browser: each section starts a page, figures and table
rows are never cut, and headings stay with what follows them.

The tables go to ``tables.xlsx`` through :func:`rehab_eval.reports.workbook.export_tables`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rehab_eval.reports.workbook import export_tables

__all__ = [
    "PRINT_CSS",
    "REMOVE_TAGS",
    "REPORT_CSS",
    "arrange",
    "export_html",
    "export_tables",
    "glossary",
    "strip_for_report",
]

#: Page style added to nbconvert's lab template: a readable column, larger table text, text
#: columns left-aligned (the template right-aligns every cell), figures at most full width.
REPORT_CSS = """
<style>
  body { background: #fff; }
  main, .jp-Notebook { max-width: 1100px; margin: 0 auto; }
  .jp-RenderedHTMLCommon { font-size: 16px; line-height: 1.5; }
  .jp-RenderedHTMLCommon table.rehab-table { font-size: 15px; margin: 0.5em 0 1.5em 0; }
  .jp-RenderedHTMLCommon table.rehab-table th,
  .jp-RenderedHTMLCommon table.rehab-table td { text-align: right; padding: 0.35em 0.8em; }
  .jp-RenderedHTMLCommon table.rehab-table th:first-child,
  .jp-RenderedHTMLCommon table.rehab-table td:first-child,
  .jp-RenderedHTMLCommon table.rehab-table th:nth-child(2),
  .jp-RenderedHTMLCommon table.rehab-table td:nth-child(2) { text-align: left; }
  figure.rehab-figure img { max-width: 100%; height: auto; }
  .jp-OutputArea-output em { color: #444; }
  .rehab-stamp { background: #B00020; color: #fff; font-weight: bold; text-align: center;
                 font-family: var(--jp-content-font-family, sans-serif);
                 padding: 0.4em 1em; letter-spacing: 0.03em; }
  .rehab-top, .rehab-glossary { font-family: var(--jp-content-font-family, sans-serif);
                                font-size: 16px; line-height: 1.5; }
  .rehab-top { max-width: 1100px; margin: 0 auto; padding: 0 1em; }
  .rehab-top .rehab-subtitle { color: #555; font-size: 1.1em; margin-top: -0.4em; }
  .rehab-key-points { background: #F3F6F9; border-left: 6px solid #0072B2; padding: 0.6em 1.2em;
                      margin: 1em 0; font-size: 17px; }
  .rehab-key-points h2, .rehab-contents h2, .rehab-glossary h2 { margin-top: 0.3em; }
  .rehab-contents ol { columns: 2; column-gap: 2em; }
  .rehab-no-data { font-style: italic; color: #555; border: 1px dashed #999; padding: 0.6em 1em; }
  .rehab-glossary { max-width: 1100px; margin: 2em auto; padding: 0 1em; }
  .rehab-glossary dt { font-weight: bold; margin-top: 0.6em; }
  .rehab-glossary dd { margin-left: 1.5em; }
</style>
"""

#: The print style: A4 pages, a page break before every section, nothing cut in two.
PRINT_CSS = """
<style>
  @page { size: A4; margin: 16mm 14mm 16mm 14mm; }
  @media print {
    body { font-size: 10.5pt; background: #fff; }
    main, .jp-Notebook, .rehab-top, .rehab-glossary { max-width: none; padding: 0; margin: 0; }
    .jp-Cell, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output, .jp-Cell-outputWrapper {
      overflow: visible !important; }
    h2.rehab-section, .rehab-glossary { break-before: page; }
    h1, h2, h3, .jp-RenderedHTMLCommon strong:only-child { break-after: avoid; }
    figure.rehab-figure, figure.rehab-figure img, .rehab-key-points, .rehab-no-data,
    table.rehab-table tr, .rehab-glossary dt, .rehab-glossary dd { break-inside: avoid; }
    figure.rehab-figure img { width: 100% !important; max-height: 235mm; object-fit: contain; }
    table.rehab-table { font-size: 9.5pt; }
    table.rehab-table thead { display: table-header-group; }
    .rehab-contents ol { columns: 1; }
    a { color: inherit; text-decoration: none; }
    .rehab-stamp { background: none; color: #B00020; border: 2px solid #B00020; }
  }
</style>
"""

# The page needs no JavaScript (tables and figures are static, no math); the template's scripts
# would load require.js, MathJax and mermaid from cdnjs whenever the report is opened.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", flags=re.S | re.I)

REMOVE_TAGS = ("remove-cell", "papermill-error-cell-tag", "injected-parameters", "parameters")


def _stray_repr(out: Any) -> bool:
    """An ``execute_result`` with only a ``text/plain`` repr: the value a cell's last line
    returned by accident (a report shows what it publishes, not the objects behind it)."""
    return out.get("output_type") == "execute_result" and set(out.get("data", {})) <= {"text/plain"}


def strip_for_report(nb: Any) -> Any:
    """A copy of ``nb`` without removed cells, ``stderr`` streams, error outputs or stray
    reprs (an ``execute_result`` that has only a ``text/plain`` form)."""
    import copy

    nb = copy.deepcopy(nb)
    kept = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & set(REMOVE_TAGS):
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                out
                for out in cell.get("outputs", [])
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
                and out.get("output_type") != "error"
                and not _stray_repr(out)
            ]
            if not cell.outputs:
                continue
        kept.append(cell)
    nb.cells = kept
    return nb


_TEXT = {
    "id": {"summary": "Ringkasan", "contents": "Daftar isi", "glossary": "Glosarium"},
    "en": {"summary": "Summary", "contents": "Contents", "glossary": "Glossary"},
}
_KEY_POINTS_DIV = re.compile(r'<div class="rehab-key-points">.*?</ul>\s*</div>', flags=re.S)


def glossary(lang: str = "id") -> list[tuple[str, str]]:
    """The glossary's ``(term, definition)`` pairs in ``lang`` (``glossary.toml``)."""
    import tomllib
    from importlib import resources

    text = resources.files("rehab_eval.reports").joinpath("glossary.toml").read_text("utf-8")
    lang = lang if lang in _TEXT else "en"
    return [(t[f"{lang}_term"], t[lang]) for t in tomllib.loads(text)["term"]]


def _cell_end(body: str, start: int) -> int:
    """Index just after the ``<div>`` that opens at ``start`` closes."""
    depth = 0
    for match in re.finditer(r"<div\b|</div>", body[start:]):
        depth += 1 if match.group(0) == "<div" else -1
        if depth == 0:
            return start + match.end()
    return len(body)


def arrange(body: str, record: Mapping[str, Any], lang: str = "id") -> str:
    """The exported page with the summary and contents on top and the glossary at the end.

    Parameters
    ----------
    body
        The HTML nbconvert wrote.
    record
        The run's ``publish.json``.
    lang
        The report's language.

    Returns
    -------
    str
        The page: stamp banner (``internal``), then the notebook's first title cell (or the
        record's title and subtitle), then "Ringkasan" (key points) and "Daftar isi" (the
        sections and the glossary), the rest of the report, and "Glosarium".
    """
    from html import escape

    text = _TEXT.get(lang, _TEXT["en"])
    body = _KEY_POINTS_DIV.sub("", body)
    points = [str(p) for p in record.get("key_points", [])]
    sections = list(record.get("sections", []))
    parts = []
    if points:
        items = "".join(f"<li>{escape(p)}</li>" for p in points)
        parts.append(
            f'<section class="rehab-key-points" id="ringkasan"><h2>{text["summary"]}</h2>'
            f"<ul>{items}</ul></section>"
        )
    entries = [f'<li><a href="#{escape(s["id"])}">{escape(s["title"])}</a></li>' for s in sections]
    entries.append(f'<li><a href="#glosarium">{text["glossary"]}</a></li>')
    parts.append(
        f'<nav class="rehab-contents" aria-label="{text["contents"]}"><h2>{text["contents"]}</h2>'
        f"<ol>{''.join(entries)}</ol></nav>"
    )
    top = '<div class="rehab-top">' + "".join(parts) + "</div>"
    heading = re.search(r"<h1\b", body)
    cell = body.rfind('<div class="jp-Cell ', 0, heading.start()) if heading else -1
    if cell >= 0:
        end = _cell_end(body, cell)
        body = body[:end] + top + body[end:]
    else:
        own = f"<h1>{escape(str(record.get('title') or ''))}</h1>"
        if record.get("subtitle"):
            own += f'<p class="rehab-subtitle">{escape(str(record["subtitle"]))}</p>'
        body = re.sub(
            r"(<main[^>]*>)",
            lambda m: m.group(1) + '<div class="rehab-top">' + own + "</div>" + top,
            body,
            count=1,
        )
    terms = "".join(f"<dt>{escape(t)}</dt><dd>{escape(d)}</dd>" for t, d in glossary(lang))
    closing = (record.get("disclosure") or {}).get("closing_line")
    policy = f'<p class="rehab-policy">{escape(closing)}</p>' if closing else ""
    section = (
        f'<section class="rehab-glossary" id="glosarium"><h2>{text["glossary"]}</h2>'
        f"<dl>{terms}</dl>{policy}</section>"
    )
    end = body.rfind("</main>")
    end = end if end >= 0 else body.rfind("</body>")
    body = body[:end] + section + body[end:] if end >= 0 else body + section
    stamp = (record.get("disclosure") or {}).get("stamp")
    if stamp:
        body = re.sub(
            r"(<body[^>]*>)",
            lambda m: m.group(1) + f'<div class="rehab-stamp" role="note">{escape(stamp)}</div>',
            body,
            count=1,
        )
        page_stamp = stamp.replace("\\", "\\\\").replace('"', '\\"')
        body = body.replace(
            "</head>",
            '<style>@page { @top-center { content: "' + page_stamp + '"; color: #B00020;'
            " font: bold 9pt sans-serif; } }</style></head>",
            1,
        )
    return body


def export_html(
    notebook: str | Path,
    html: str | Path,
    *,
    lang: str = "id",
    title: str | None = None,
    record: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``notebook`` as HTML without code cells; returns the HTML path.

    Parameters
    ----------
    notebook
        An executed notebook.
    html
        Output file.
    lang
        Document language (``<html lang=...>``), ``id`` or ``en``.
    title
        The page title (default: the notebook's file stem).
    record
        The run's ``publish.json``: with it the page gets the summary, contents, glossary and
        stamp (:func:`arrange`).
    """
    import nbformat
    from nbconvert import HTMLExporter

    notebook, html = Path(notebook), Path(html)
    nb = strip_for_report(nbformat.read(str(notebook), as_version=4))
    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.language_code = lang if lang in ("id", "en") else "en"
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": title or notebook.stem}}
    )
    body = _SCRIPT.sub("", body).replace("</head>", REPORT_CSS + PRINT_CSS + "</head>", 1)
    if record is not None:
        body = arrange(body, record, lang)
    from rehab_eval.atomic import write_text

    write_text(html, body)
    return html
