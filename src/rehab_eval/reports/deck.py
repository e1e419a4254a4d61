"""A 16:9 slide deck a presenter can use, from a run's ``publish.json`` and figures.

Slides, in order:

1. the title slide (report title, subtitle, office, date);
2. the summary ("Ringkasan" / "Summary"): the report's 3–5 key points;
3. one slide per published figure, in the order the notebook published them: one title (the
   slide's, on one or two lines; the figure's own title is dropped: the deck takes
   ``<key>_slide.png``), the figure as large as the slide allows under it, the takeaway as a sentence under it, and speaker notes with
   the takeaway, the definition and the n (``notes``); a section without any figure but with
   a "no data" sentence gets a slide saying so (no rate is drawn);
4. "Definisi" / "Definitions": the notebook's definitions and the disclosure policy's short
   form, on as many slides as keep the text at 16 pt or larger ("Definisi (1/2)", …);
5. the provenance slide, last: run id, input manifest hash, version, commit and the policy's
   closing line (name, version, hash, audience, threshold).

In the ``internal`` audience every slide carries the policy's stamp at its top right. The
document properties are set (title, subject, the office as author and last editor, language,
keywords); nothing of python-pptx's template author remains. python-pptx cannot embed SVG
(python-pptx issue #1112), so the deck takes the PNGs; its default template is 4:3 and the
slide size is set to 13.333 × 7.5 in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rehab_eval.reports.slide_text import (
    GREY,
    MARGIN_IN,
    chunks,
    fit,
    font,
    long_date,
    paragraphs,
    sentence,
    stamp,
    textbox,
)
from rehab_eval.reports.slide_text import title as title_text

__all__ = ["SLIDE_HEIGHT_IN", "SLIDE_WIDTH_IN", "build_deck", "slide_plan"]

SLIDE_WIDTH_IN = 13.333
SLIDE_HEIGHT_IN = 7.5

_TEXT = {
    "id": {
        "summary": "Ringkasan",
        "definitions": "Definisi",
        "provenance": "Sumber data dan kebijakan pengungkapan",
        "generated": "Dibuat",
        "no_data": "Tanpa data",
        "figure": "Gambar",
        "notes_takeaway": "Pesan utama",
        "notes_definition": "Definisi dan n",
        "policy": "Kebijakan pengungkapan",
    },
    "en": {
        "summary": "Summary",
        "definitions": "Definitions",
        "provenance": "Data provenance and disclosure policy",
        "generated": "Generated",
        "no_data": "No data",
        "figure": "Figure",
        "notes_takeaway": "Takeaway",
        "notes_definition": "Definition and n",
        "policy": "Disclosure policy",
    },
}


def slide_plan(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The content slides between the summary and the definitions, in order.

    Returns
    -------
    list of dict
        ``{"kind": "figure", "figure": entry}`` for each published figure, and
        ``{"kind": "no_data", "title": section title, "sentences": [...]}`` for a section
        that has no figure and said that its data is absent.
    """
    figures = list(record.get("figures", []))
    plan: list[dict[str, Any]] = [
        {"kind": "figure", "figure": f} for f in figures if not f.get("section")
    ]
    for section in record.get("sections", []):
        own = [f for f in figures if f.get("section") == section["id"]]
        plan += [{"kind": "figure", "figure": f} for f in own]
        if not own and section.get("no_data"):
            plan.append(
                {"kind": "no_data", "title": section["title"], "sentences": section["no_data"]}
            )
    known = {s["id"] for s in record.get("sections", [])}
    plan += [
        {"kind": "figure", "figure": f}
        for f in figures
        if f.get("section") and f.get("section") not in known
    ]
    return plan


def build_deck(
    run_dir: str | Path,
    path: str | Path | None = None,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    lang: str | None = None,
    provenance: Mapping[str, Any] | None = None,
    definitions: Sequence[str] | None = None,
    office: str | None = None,
    today: date | None = None,
) -> Path:
    """Build ``deck.pptx`` from ``<run_dir>/publish.json`` and the figures it lists.

    Parameters
    ----------
    run_dir
        A run folder written through :mod:`rehab_eval.reports.publish`.
    path
        Output file (default ``<run_dir>/deck.pptx``).
    title, subtitle, lang
        Override (or supply, when the notebook published none) the record's title, subtitle and
        language.
    provenance
        Label → value lines for the provenance slide (run id, manifest sha256, version, commit).
    definitions
        Extra definition lines, after those the notebook recorded.
    office
        The author of the document when the notebook named no office.
    today
        The date printed on the title slide (default: today).

    Returns
    -------
    Path
        The deck's path: title, summary (when there are key points), the content slides of
        :func:`slide_plan`, definitions, provenance.
    """
    from pptx import Presentation
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu, Inches

    run_dir = Path(run_dir)
    path = Path(path) if path is not None else run_dir / "deck.pptx"
    record_path = run_dir / "publish.json"
    record: dict[str, Any] = (
        json.loads(record_path.read_text(encoding="utf-8")) if record_path.is_file() else {}
    )
    lang = lang or record.get("lang") or "id"
    text = _TEXT.get(lang, _TEXT["en"])
    title = record.get("title") or title or "Report"
    subtitle = record.get("subtitle") or subtitle or ""
    office = record.get("office") or office or ""
    shown = record.get("disclosure") or {}
    mark = shown.get("stamp")
    provenance = dict(provenance or {})
    run_id = str(provenance.get("run id", provenance.get("run_id", "")))

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    width, height = prs.slide_width, prs.slide_height
    margin = Inches(MARGIN_IN)
    inner = width - 2 * margin

    # 1. title slide
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = margin, Inches(2.0), inner, Inches(1.8)
    shape.text = title
    frame = shape.text_frame
    frame.word_wrap = True
    frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    font(frame.paragraphs[0], 40 if len(title) <= 50 else 32, bold=True)
    day = long_date(today or date.today(), lang)
    named = office if office and office not in subtitle else ""
    lines = [x for x in (subtitle, named, f"{text['generated']}: {day}") if x]
    body = slide.placeholders[1]
    body.left, body.top, body.width, body.height = margin, Inches(4.0), inner, Inches(2.2)
    frame = body.text_frame
    frame.word_wrap = True
    paragraphs(frame, lines, 22)
    for para in frame.paragraphs:
        para.alignment = PP_ALIGN.LEFT
        font(para, 22, rgb=GREY)
    stamp(slide, mark, width)

    # 2. summary slide
    points = [sentence(p) for p in record.get("key_points", []) if str(p).strip()]
    if points:
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        title_text(slide, text["summary"], width, 32)
        frame = textbox(slide, margin, Inches(1.4), inner, height - Inches(2.0))
        size = fit(points, (28, 26, 24, 22, 20, 18), 12.4 * 5.5 * 70)
        paragraphs(frame, points, size, bullet=True)
        stamp(slide, mark, width)

    # 3. content slides
    from PIL import Image

    for item in slide_plan(record):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        if item["kind"] == "no_data":
            title_text(slide, item["title"], width)
            frame = textbox(slide, margin, Inches(2.6), inner, Inches(2.5))
            paragraphs(frame, [sentence(s) for s in item["sentences"]], 28)
            for para in frame.paragraphs:
                para.alignment = PP_ALIGN.CENTER
                font(para, 28, rgb=GREY)
            slide.notes_slide.notes_text_frame.text = "\n".join(item["sentences"])
            stamp(slide, mark, width)
            continue
        fig = item["figure"]
        png = run_dir / (fig.get("slide_png") or fig["png"])
        if not png.is_file():
            png = run_dir / fig["png"]
        pic_top = max(Inches(1.0), title_text(slide, fig.get("title", ""), width) + Inches(0.1))
        takeaway = sentence(fig.get("takeaway", ""))
        take_pt, take_h = _takeaway_box(takeaway)
        box_h = height - pic_top - take_h - Inches(0.1)
        with Image.open(png) as img:
            w_px, h_px = img.size
        scale = min(inner / w_px, box_h / h_px)
        pic_w, pic_h = int(w_px * scale), int(h_px * scale)
        left = int((width - pic_w) / 2)
        slide.shapes.add_picture(str(png), Emu(left), Emu(pic_top), width=Emu(pic_w))
        if takeaway:
            frame = textbox(slide, margin, Emu(pic_top + pic_h + Inches(0.05)), inner, take_h)
            frame.text = takeaway
            font(frame.paragraphs[0], take_pt)
        notes = [f"{text['notes_takeaway']}: {takeaway}" if takeaway else ""]
        if fig.get("notes"):
            notes.append(f"{text['notes_definition']}: {fig['notes']}")
        notes.append(
            f"{text['figure']}: {fig.get('key', '')}" + (f" · run {run_id}" if run_id else "")
        )
        slide.notes_slide.notes_text_frame.text = "\n\n".join(n for n in notes if n)
        stamp(slide, mark, width)

    # 4. definitions, with the policy's short form
    definitions_lines = [*record.get("definitions", []), *(definitions or [])]
    short_form = shown.get("short_form")
    if short_form and any(short_form.strip() in line for line in definitions_lines):
        short_form = None  # the notebook listed it already
    lines = [*definitions_lines, *([short_form] if short_form else [])]
    capacity = 12.4 * 5.7 * 70
    pages = chunks(lines, 16, capacity) if lines else []
    for k, page in enumerate(pages):  # a long list goes on several slides, never under 16 pt
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        heading = text["definitions"] + (f" ({k + 1}/{len(pages)})" if len(pages) > 1 else "")
        title_text(slide, heading, width, 32)
        frame = textbox(slide, margin, Inches(1.35), inner, height - Inches(1.8))
        size = fit(page, (20, 18, 16), capacity)
        paragraphs(frame, page, size)
        if short_form and page[-1] == short_form:
            font(frame.paragraphs[len(page) - 1], size, rgb=GREY)
        stamp(slide, mark, width)

    # 5. provenance, last
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    title_text(slide, text["provenance"], width, 30)
    lines = [f"{k}: {v}" for k, v in provenance.items() if v not in (None, "")]
    if shown.get("closing_line"):
        lines.append(str(shown["closing_line"]))
    elif shown.get("record"):
        rec = shown["record"]
        lines.append(f"{text['policy']}: {rec.get('policy')} sha256:{str(rec.get('sha256'))[:12]}")
    frame = textbox(slide, margin, Inches(1.5), inner, height - Inches(2.0))
    paragraphs(frame, lines or ["–"], 18 if len(lines) <= 8 else 14)
    stamp(slide, mark, width)

    _properties(prs, title=title, subtitle=subtitle, office=office, lang=lang, record=record)
    from rehab_eval.atomic import atomic_path

    with atomic_path(path) as tmp:
        prs.save(str(tmp))
    return path


def _takeaway_box(takeaway: str) -> tuple[float, int]:
    """Font size (pt) and height (EMU) of the takeaway under a figure: 20 pt, or 18 pt for a
    long one, and as many lines as it needs at about 0.6 em a character (the substitute fonts
    of LibreOffice are wider than Calibri)."""
    import math

    from pptx.util import Inches, Pt

    if not takeaway:
        return 20, 0
    size = 20 if len(takeaway) <= 110 else 18
    lines = math.ceil(len(takeaway) / (12.4 * 72 / (size * 0.6)))
    return size, int(Pt(size * 1.25 * lines) + Inches(0.15))


def _properties(
    prs: Any, *, title: str, subtitle: str, office: str, lang: str, record: Mapping[str, Any]
) -> None:
    """Document properties: title, subject, the office as author, no template leftovers."""
    props = prs.core_properties
    author = office or "rehab_eval"
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    props.title = title
    props.subject = subtitle or title
    props.author = author
    props.last_modified_by = author
    props.keywords = ", ".join(x for x in ("rehab_eval", record.get("report") or "") if x)
    props.category = "rehab_eval"
    props.comments = ""
    props.language = "id-ID" if lang == "id" else "en-US"
    props.created = now
    props.modified = now
    props.revision = 1
