"""The presenter's deck: summary slide first, one title per figure slide with the slide
variant as large as the slide allows, speaker notes, properties, stamp, policy, provenance."""

from __future__ import annotations

from datetime import date

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from rehab_eval import disclosure
from rehab_eval.plots.style import slide_style
from rehab_eval.reports import deck, publish

PICTURE = 13  # MSO_SHAPE_TYPE.PICTURE


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setattr(publish, "_display", lambda _obj: None)


def _framed_figure(title="Judul sendiri gambar"):
    with slide_style():
        fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [3, 1, 2])
    fig.text(0.03, 0.965, title, fontsize=28, fontweight="bold", va="top")
    fig.text(0.03, 0.88, "n = 35 · 2024", fontsize=18, va="top")
    fig.subplots_adjust(top=0.79, bottom=0.15)
    return fig


def _publish_report(folder, audience="publik", office="Bapas Kelas I Semarang"):
    publish.start(
        folder,
        title="Laporan kohort rehabilitasi",
        subtitle="Bapas Kelas I Semarang · 2024",
        report="cohort_report",
        disclosure=disclosure.resolve(audience),
        office=office,
    )
    publish.section("Alur klien")
    publish.figure(
        _framed_figure(),
        "flow",
        title="Alur klien",
        takeaway="31 dari 35 klien menyelesaikan program",
        notes="Selesai: status selesai di pendaftaran. n = 35 terdaftar.",
    )
    publish.section("Residivisme")
    publish.no_data("Belum ada data residivisme untuk pilihan ini.")
    publish.definitions(["Residivisme: putusan baru dalam 24 bulan sejak bebas."])
    publish.key_points(
        [
            "31 dari 35 klien menyelesaikan program.",
            "Kualitas hidup fisik naik 8 poin (IK 95 % 1 sampai 15).",
            "Belum ada data residivisme untuk pilihan ini.",
        ]
    )
    return deck.build_deck(
        folder,
        provenance={"run id": "20261202T060000Z-abcdef", "rehab_eval": "0.1.0"},
        today=date(2026, 12, 2),
    )


def _texts(slide):
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def test_summary_slide_comes_first_and_provenance_last(tmp_path):
    from pptx import Presentation

    prs = Presentation(str(_publish_report(tmp_path)))
    slides = list(prs.slides)
    titles = [_texts(s)[0] for s in slides]
    assert titles == [
        "Laporan kohort rehabilitasi",
        "Ringkasan",
        "Alur klien",
        "Residivisme",
        "Definisi",
        "Sumber data dan kebijakan pengungkapan",
    ]
    summary = _texts(slides[1])[1].splitlines()
    assert summary == [
        "•  31 dari 35 klien menyelesaikan program.",
        "•  Kualitas hidup fisik naik 8 poin (IK 95 % 1 sampai 15).",
        "•  Belum ada data residivisme untuk pilihan ini.",
    ]
    # a section without data says so and draws nothing
    assert _texts(slides[3])[1] == "Belum ada data residivisme untuk pilihan ini."
    assert not [s for s in slides[3].shapes if s.shape_type == PICTURE]
    # the policy's short form on the definitions slide, its closing line on the last one
    policy = disclosure.resolve()
    assert policy.short_form("id") in _texts(slides[4])[1]
    assert "Residivisme: putusan baru dalam 24 bulan sejak bebas." in _texts(slides[4])[1]
    last = _texts(slides[-1])[1]
    assert "run id: 20261202T060000Z-abcdef" in last
    assert policy.closing_line("id") in last and policy.policy.sha256[:12] in last


def test_figure_slide_has_one_title_a_large_figure_a_sentence_and_notes(tmp_path):
    from PIL import Image
    from pptx import Presentation

    prs = Presentation(str(_publish_report(tmp_path)))
    slide = list(prs.slides)[2]
    assert _texts(slide) == ["Alur klien", "31 dari 35 klien menyelesaikan program."]
    (picture,) = [s for s in slide.shapes if s.shape_type == PICTURE]
    # the slide variant (no own title), at least 85 % of the slide's width or 72 % of its height
    with Image.open(tmp_path / "figures" / "flow_slide.png") as img:
        assert img.size == picture.image.size
    assert picture.width >= 0.85 * prs.slide_width or picture.height >= 0.72 * prs.slide_height
    assert picture.left >= 0 and picture.left + picture.width <= prs.slide_width
    assert picture.top + picture.height <= prs.slide_height
    notes = slide.notes_slide.notes_text_frame.text
    assert "Pesan utama: 31 dari 35 klien menyelesaikan program." in notes
    assert "Definisi dan n: Selesai: status selesai di pendaftaran. n = 35 terdaftar." in notes


def test_document_properties_name_the_office_not_the_template(tmp_path):
    from pptx import Presentation

    props = Presentation(str(_publish_report(tmp_path))).core_properties
    assert props.title == "Laporan kohort rehabilitasi"
    assert props.subject == "Bapas Kelas I Semarang · 2024"
    assert props.author == "Bapas Kelas I Semarang"
    assert props.last_modified_by == "Bapas Kelas I Semarang"
    assert props.language == "id-ID"
    assert "cohort_report" in props.keywords
    for value in (props.author, props.last_modified_by, props.comments, props.keywords):
        assert "Canny" not in value and "python-pptx" not in value


def test_the_internal_stamp_is_on_every_slide_and_absent_in_publik(tmp_path):
    from pptx import Presentation

    stamp = disclosure.resolve("internal").stamp("id")
    internal = Presentation(str(_publish_report(tmp_path / "internal", "internal")))
    for slide in internal.slides:
        assert stamp in _texts(slide), _texts(slide)[0]
    public = Presentation(str(_publish_report(tmp_path / "publik")))
    assert not any(stamp in t for slide in public.slides for t in _texts(slide))


def test_a_long_title_takes_two_lines_above_the_figure_and_long_definitions_two_slides(
    tmp_path,
):
    """Indicator names are long: the title wraps (never under 18 pt, never cut) and the
    figure starts under it; a long definitions list goes on two slides at 16 pt or more."""
    from pptx import Presentation
    from pptx.util import Pt

    long_title = (
        "Persentase penerima layanan yang mengalami peningkatan kualitas hidup (cara "
        "sederhana: skor pasca lebih tinggi dari pra, bukan perubahan reliabel)"
    )
    publish.start(tmp_path, title="Indikator", report="indicators_report")
    publish.figure(_framed_figure(), "ind", title=long_title, takeaway="Realisasi 2025 71%. " * 9)
    publish.definitions([f"Indikator {k}: " + "pembilang dan penyebut. " * 20 for k in range(6)])
    prs = Presentation(str(deck.build_deck(tmp_path)))
    slide = list(prs.slides)[1]
    title = slide.shapes.title
    size = title.text_frame.paragraphs[0].runs[0].font.size
    assert Pt(18) <= size <= Pt(22)
    assert title.height >= 2 * size  # room for two lines
    (picture,) = [s for s in slide.shapes if s.shape_type == PICTURE]
    assert picture.top >= title.top + title.height
    takeaway = [s for s in slide.shapes if s.has_text_frame and s != title][0]
    assert takeaway.top >= picture.top + picture.height
    assert takeaway.top + takeaway.height <= prs.slide_height
    definitions = [s for s in prs.slides if s.shapes.title.text.startswith("Definisi")]
    assert [s.shapes.title.text for s in definitions] == ["Definisi (1/2)", "Definisi (2/2)"]
    for s in definitions:
        body = [x for x in s.shapes if x.has_text_frame and x != s.shapes.title][0]
        assert all(r.font.size >= Pt(16) for p in body.text_frame.paragraphs for r in p.runs)
