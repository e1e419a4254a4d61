"""Export an executed notebook to a code-free HTML report with nbconvert.

``exclude_input=True`` plus no input/output prompts is what ``jupyter nbconvert --to html
--no-input`` does ("ideal for generating code-free reports", nbconvert docs); papermill's
``report_mode`` is not used because nbconvert ignores it. Warnings and other ``stderr`` output,
cells tagged ``remove-cell`` and papermill's error banners are dropped as well, so the page shows
only figures, tables and narrative. Output images are already inline (``data:`` URIs) and the
template's scripts (require.js, MathJax, mermaid from a CDN) are removed, so the file is
self-contained: it opens offline and contacts no server.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

__all__ = ["REMOVE_TAGS", "REPORT_CSS", "export_html", "strip_for_report"]

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
</style>
"""

# The page needs no JavaScript (tables and figures are static, no math); the template's scripts
# would load require.js, MathJax and mermaid from cdnjs whenever the report is opened.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", flags=re.S | re.I)

REMOVE_TAGS = ("remove-cell", "papermill-error-cell-tag", "injected-parameters", "parameters")


def strip_for_report(nb: Any) -> Any:
    """A copy of ``nb`` without removed cells, ``stderr`` streams or error outputs."""
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
            ]
            if not cell.outputs:
                continue
        kept.append(cell)
    nb.cells = kept
    return nb


def export_html(
    notebook: str | Path, html: str | Path, *, lang: str = "id", title: str | None = None
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
    body = _SCRIPT.sub("", body).replace("</head>", REPORT_CSS + "</head>", 1)
    tmp = html.with_name(f".{html.name}.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(html)
    return html
