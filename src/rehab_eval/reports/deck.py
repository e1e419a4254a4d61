"""A 16:9 slide deck for coordination meetings (rakor) from a run's published figures.

Slides: a title slide (report title, subtitle, date); one slide per published figure, in the
order the notebook published them, with its title, the PNG (decks take PNG: python-pptx cannot
embed SVG, python-pptx issue #1112) and the one-line takeaway; a closing slide with the
definitions and the data provenance (run id, input manifest hash, package version, git commit).
Each figure slide carries the run id and figure key in its speaker notes.

python-pptx's default template is 4:3 (10 × 7.5 in); the slide size is set to 13.333 × 7.5 in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["SLIDE_HEIGHT_IN", "SLIDE_WIDTH_IN", "build_deck"]

SLIDE_WIDTH_IN = 13.333
SLIDE_HEIGHT_IN = 7.5

_TEXT = {
    "id": {
        "closing": "Definisi dan sumber data",
        "provenance": "Sumber data",
        "generated": "Dibuat",
        "definitions": "Definisi",
    },
    "en": {
        "closing": "Definitions and data provenance",
        "provenance": "Data provenance",
        "generated": "Generated",
        "definitions": "Definitions",
    },
}
_MONTHS_ID = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
).split()


def _long_date(day: date, lang: str) -> str:
    if lang == "id":
        return f"{day.day} {_MONTHS_ID[day.month - 1]} {day.year}"
    return f"{day.day} {day:%B %Y}"


def _style(paragraph: Any, size: int, *, bold: bool = False, grey: bool = False) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    for run in paragraph.runs:
        run.font.size = Pt(size)
        run.font.bold = bold
        if grey:
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def build_deck(
    run_dir: str | Path,
    path: str | Path | None = None,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    lang: str | None = None,
    provenance: Mapping[str, Any] | None = None,
    definitions: Sequence[str] | None = None,
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
        Label → value lines for the closing slide (run id, manifest sha256, version, commit).
    definitions
        Extra definition lines, after those the notebook recorded.
    today
        The date printed on the title slide (default: today).

    Returns
    -------
    Path
        The deck's path. Slide count = 2 + number of published figures.
    """
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

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
    provenance = dict(provenance or {})
    run_id = str(provenance.get("run id", provenance.get("run_id", "")))

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    width, height = prs.slide_width, prs.slide_height
    margin = Inches(0.5)

    # title slide
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = title
    _style(slide.shapes.title.text_frame.paragraphs[0], 40, bold=True)
    body = slide.placeholders[1]
    day = _long_date(today or date.today(), lang)
    body.text = f"{subtitle}\n{text['generated']}: {day}" if subtitle else f"{day}"
    for para in body.text_frame.paragraphs:
        _style(para, 22, grey=True)

    # figure slides
    from PIL import Image

    title_top, title_h = Inches(0.25), Inches(0.9)
    take_h = Inches(0.7)
    pic_top = title_top + title_h + Inches(0.05)
    pic_box_h = height - pic_top - take_h - Inches(0.2)
    pic_box_w = width - 2 * margin
    for fig in record.get("figures", []):
        png = run_dir / fig["png"]
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = (
            margin,
            title_top,
            width - 2 * margin,
            title_h,
        )
        shape.text = fig.get("title", "")
        _style(shape.text_frame.paragraphs[0], 30, bold=True)
        with Image.open(png) as img:
            w_px, h_px = img.size
        scale = min(pic_box_w / w_px, pic_box_h / h_px)
        pic_w, pic_h = int(w_px * scale), int(h_px * scale)
        left = int((width - pic_w) / 2)
        slide.shapes.add_picture(str(png), Emu(left), Emu(pic_top), width=Emu(pic_w))
        box = slide.shapes.add_textbox(
            margin, Emu(pic_top + pic_h + Inches(0.1)), width - 2 * margin, take_h
        )
        frame = box.text_frame
        frame.word_wrap = True
        frame.text = fig.get("takeaway", "")
        _style(frame.paragraphs[0], 20)
        slide.notes_slide.notes_text_frame.text = (
            f"{fig.get('key', '')} · run {run_id}" if run_id else str(fig.get("key", ""))
        )

    # closing slide: definitions and provenance
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = text["closing"]
    _style(slide.shapes.title.text_frame.paragraphs[0], 32, bold=True)
    frame = slide.placeholders[1].text_frame
    frame.word_wrap = True
    lines: list[tuple[str, int]] = []
    for line in [*record.get("definitions", []), *(definitions or [])]:
        lines.append((line, 0))
    if provenance:
        lines.append((text["provenance"], 0))
        lines.extend((f"{k}: {v}", 1) for k, v in provenance.items() if v not in (None, ""))
    size = 18 if len(lines) <= 8 else 14
    for i, (line, level) in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        para.level = level
        for run in para.runs:
            run.font.size = Pt(size - 2 * level)

    tmp = path.with_name(f".{path.name}.tmp")
    prs.save(str(tmp))
    tmp.replace(path)
    return path
