"""The text of the deck's slides: fonts, text boxes, the title that fits, the paragraphs.

Sizes are chosen so that nothing overflows a box: a title takes one or two lines (its font
shrinks to fit, down to 18 pt; a very long one takes three) and the slide's content starts under it; a list that does
not fit a slide at a readable size is split over several (:func:`chunks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

__all__ = [
    "DARK",
    "GREY",
    "MARGIN_IN",
    "chunks",
    "fit",
    "font",
    "long_date",
    "paragraphs",
    "sentence",
    "stamp",
    "textbox",
    "title",
]

MARGIN_IN = 0.45
MONTHS_ID = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
).split()
DARK = (0x22, 0x22, 0x22)
GREY = (0x55, 0x55, 0x55)
STAMP = (0xB0, 0x00, 0x20)
#: One line of a bold title in the 12.4 in box holds about ``TITLE_CHARS / size`` characters
#: (a bold character is about 0.7 em wide in DejaVu Sans, which LibreOffice puts in place of
#: the template's Calibri; narrower fonts leave room to spare).
TITLE_CHARS = 1280


def long_date(day: date, lang: str) -> str:
    if lang == "id":
        return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"
    return f"{day.day} {day:%B %Y}"


def sentence(text: str) -> str:
    """The takeaway as a sentence: capitalised, ending with a full stop."""
    text = " ".join(str(text or "").split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def font(paragraph: Any, size: float, *, bold: bool = False, rgb: tuple[int, int, int] = DARK):
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    for run in paragraph.runs:
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = RGBColor(*rgb)


def textbox(slide: Any, left: int, top: int, width: int, height: int) -> Any:
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    _no_autofit(frame)
    return frame


def paragraphs(frame: Any, lines: Sequence[str], size: float, *, bullet: bool = False) -> None:
    from pptx.util import Pt

    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = f"•  {line}" if bullet else line
        para.space_after = Pt(size * 0.6)
        font(para, size)


def fit(
    lines: Sequence[str], sizes: Sequence[float], capacity: float, *, strict: bool = False
) -> Any:
    """The largest font size at which ``lines`` fill at most ``capacity`` characters at 10 pt
    (with ``strict``, None when even the smallest does not fit; else the smallest).

    A 10 pt character takes about 0.075 × 0.19 in of a text box (with the paragraph spacing),
    so a box of ``w × h`` inches holds about ``w × h × 70`` characters at 10 pt, and
    ``(10 / size)²`` as many at ``size``; each paragraph wastes half a line on average.
    """
    for size in sizes:
        per_line = 165 * 10 / size
        used = sum(max(len(line), 1) + per_line / 2 for line in lines)
        if used * (size / 10) ** 2 <= capacity:
            return size
    return None if strict else sizes[-1]


def stamp(slide: Any, text: str | None, width: int) -> None:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    if not text:
        return
    frame = textbox(slide, width - Inches(6.2), Inches(0.05), Inches(6.1), Inches(0.35))
    frame.text = text
    para = frame.paragraphs[0]
    para.alignment = PP_ALIGN.RIGHT
    font(para, 12, bold=True, rgb=STAMP)


def _no_autofit(frame: Any) -> None:
    """No shrink-on-overflow (LibreOffice applies the template's): the size set here holds."""
    from pptx.enum.text import MSO_AUTO_SIZE

    frame.auto_size = MSO_AUTO_SIZE.NONE


def title(slide: Any, text: str, width: int, size: float = 28) -> int:
    """Write the slide title and return its bottom edge (EMU).

    The largest of ``size``, 26, 24, 22, 20 and 18 pt at which the title takes one line is
    used, else the largest at which it takes two, else 18 pt (a very long title, up to
    three lines); the box is as tall as its lines, so the content starts under it.
    """
    import math

    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches, Pt

    sizes = [pt for pt in (size, 26, 24, 22, 20, 18) if pt <= size]

    def lines(pt: float) -> int:
        return max(1, math.ceil(len(text) / (TITLE_CHARS / pt)))

    fitted = next((pt for pt in sizes if lines(pt) == 1), None)
    if fitted is None:
        fitted = next((pt for pt in sizes if lines(pt) <= 2), sizes[-1])
    height = Pt(fitted * 1.2 * min(lines(fitted), 3)) + Inches(0.12)
    shape = slide.shapes.title
    shape.left, shape.top = Inches(MARGIN_IN), Inches(0.3)
    shape.width, shape.height = width - Inches(2 * MARGIN_IN), max(height, Inches(0.7))
    shape.text = text
    frame = shape.text_frame
    frame.word_wrap = True
    _no_autofit(frame)
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_top = frame.margin_bottom = 0
    para = frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    font(para, fitted, bold=True)
    return int(shape.top + shape.height)


def chunks(lines: Sequence[str], smallest: float, capacity: float) -> list[list[str]]:
    """``lines`` in consecutive groups that each fit ``capacity`` (see :func:`fit`) at
    ``smallest`` pt or larger; a line too long for a slide of its own gets one."""
    out: list[list[str]] = [[]]
    for line in lines:
        trial = [*out[-1], line]
        if out[-1] and fit(trial, (smallest,), capacity, strict=True) is None:
            out.append([line])
        else:
            out[-1] = trial
    return [c for c in out if c]
