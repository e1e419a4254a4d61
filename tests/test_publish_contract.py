"""The publish contract: disclosure record, key points, sections, no-data sentences, the slide
variant of a figure (no own title, stamp in internal) and tables kept for the workbook."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from rehab_eval import disclosure
from rehab_eval.errors import ReportError
from rehab_eval.plots.style import slide_style
from rehab_eval.reports import publish


@pytest.fixture()
def displayed(monkeypatch):
    shown = []
    monkeypatch.setattr(publish, "_display", shown.append)
    return shown


def _framed_figure():
    """A figure framed like rehab_eval.plots does it: title and subtitle above the axes."""
    with slide_style():
        fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [3, 1, 2])
    fig.text(0.03, 0.965, "Judul sendiri gambar", fontsize=28, fontweight="bold", va="top")
    fig.text(0.03, 0.88, "n = 35 · 2024", fontsize=18, va="top")
    fig.text(0.03, 0.018, "Sumber: data sintetis", fontsize=13, va="bottom")
    fig.subplots_adjust(top=0.79, bottom=0.15)
    return fig


def _record(tmp_path):
    return json.loads((tmp_path / "publish.json").read_text(encoding="utf-8"))


def _red_pixels(path, box=None):
    from PIL import Image

    with Image.open(path) as img:
        arr = np.asarray(img.convert("RGB").crop(box) if box else img.convert("RGB"))
    r, g, b = arr[..., 0].astype(int), arr[..., 1].astype(int), arr[..., 2].astype(int)
    return int(((r > 140) & (g < 80) & (b < 90)).sum())


def test_start_records_the_disclosure_and_office(tmp_path, displayed):
    policy = disclosure.resolve("internal")
    publish.start(
        tmp_path, title="Laporan", lang="en", disclosure=policy, office="Bapas Kelas I Semarang"
    )
    record = _record(tmp_path)
    assert record["office"] == "Bapas Kelas I Semarang"
    shown = record["disclosure"]
    assert shown["record"] == json.loads(json.dumps(policy.record()))
    assert shown["record"]["audience"] == "internal" and len(shown["record"]["sha256"]) == 64
    assert shown["stamp"] == policy.stamp("en") and shown["stamp"].startswith("RESTRICTED")
    assert shown["short_form"] == policy.short_form("en")
    assert shown["closing_line"] == policy.closing_line("en")
    publish.start(tmp_path, title="Laporan", disclosure=disclosure.resolve())
    assert _record(tmp_path)["disclosure"]["stamp"] is None
    publish.start(tmp_path, title="Laporan")
    assert _record(tmp_path)["disclosure"] is None


def test_slide_variant_drops_the_figures_own_title_and_is_cropped(tmp_path, displayed):
    from PIL import Image

    publish.start(tmp_path, title="t", disclosure=disclosure.resolve())
    publish.figure(
        _framed_figure(),
        "trend",
        title="Tren",
        takeaway="Skor naik 8 poin.",
        notes="Definisi: skor 0–100. n = 35.",
    )
    entry = _record(tmp_path)["figures"][0]
    assert entry["notes"] == "Definisi: skor 0–100. n = 35."
    assert entry["slide_png"] == "figures/trend_slide.png"
    with Image.open(tmp_path / "figures" / "trend.png") as full:
        full_size = full.size
    with Image.open(tmp_path / entry["slide_png"]) as slide:
        slide_size = slide.size
        assert slide.info["dpi"] == pytest.approx((200, 200), abs=0.1)
    # the header band (title + subtitle, ~20 % of the height) is gone, most of the width kept
    assert slide_size[1] < 0.85 * full_size[1]
    assert slide_size[0] > 0.8 * full_size[0]
    # publik: no stamp anywhere
    assert _red_pixels(tmp_path / "figures" / "trend.png") == 0
    assert _red_pixels(tmp_path / entry["slide_png"]) == 0


def test_single_axes_title_is_dropped_on_the_slide(tmp_path, displayed):
    from PIL import Image

    fig, ax = plt.subplots(figsize=(13.333, 7.5))
    ax.plot([0, 1], [0, 1])
    ax.set_title("Judul", loc="left", pad=30, fontsize=22, fontweight="bold")
    ax.text(0, 1.02, "n = 12", transform=ax.transAxes, fontsize=15, va="bottom")
    publish.start(tmp_path, title="t")
    publish.figure(fig, "one", title="Satu", takeaway="x")
    with Image.open(tmp_path / "figures" / "one_slide.png") as slide:
        arr = np.asarray(slide.convert("L"))
    # the top rows of the crop are the axes' frame region, not a 22 pt bold title: the first
    # dark row is within a few pixels of the top (the axes spine / tick label)
    dark_rows = np.where((arr < 100).any(axis=1))[0]
    assert dark_rows[0] < 60


def test_internal_stamp_is_drawn_on_figure_and_slide(tmp_path, displayed):
    publish.start(tmp_path, title="t", disclosure=disclosure.resolve("internal"))
    publish.figure(_framed_figure(), "trend", title="Tren", takeaway="x")
    png, slide = tmp_path / "figures" / "trend.png", tmp_path / "figures" / "trend_slide.png"
    from PIL import Image

    with Image.open(png) as img:
        w, h = img.size
    # top right corner of the full figure, top of the slide variant
    assert _red_pixels(png, (w // 2, 0, w, h // 20)) > 50
    assert _red_pixels(slide) > 50
    svg = (tmp_path / "figures" / "trend.svg").read_text(encoding="utf-8")
    assert "TERBATAS" in svg


def test_sections_no_data_and_key_points(tmp_path, displayed):
    publish.start(tmp_path, title="t", lang="id")
    first = publish.section("Residivisme")
    publish.no_data("Belum ada data residivisme untuk pilihan ini.")
    second = publish.section("Residivisme")  # same title twice: unique ids
    publish.figure(_framed_figure(), "km", title="KM", takeaway="x")
    publish.key_points(["Satu.", "Dua.", "Tiga."])
    record = _record(tmp_path)
    assert first == "sec-residivisme" and second == "sec-residivisme-2"
    assert record["sections"] == [
        {
            "id": first,
            "title": "Residivisme",
            "no_data": ["Belum ada data residivisme untuk pilihan ini."],
        },
        {"id": second, "title": "Residivisme", "no_data": []},
    ]
    assert record["no_data"] == [
        {"section": first, "text": "Belum ada data residivisme untuk pilihan ini."}
    ]
    assert record["figures"][0]["section"] == second
    # summary.json tells a reading job "no source" apart from zero
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["no_data"] == [
        {"section": "Residivisme", "text": "Belum ada data residivisme untuk pilihan ini."}
    ]
    assert record["key_points"] == ["Satu.", "Dua.", "Tiga."]
    html = [getattr(d, "data", "") for d in displayed]
    assert '<h2 class="rehab-section" id="sec-residivisme">Residivisme</h2>' in html
    assert '<p class="rehab-no-data">Belum ada data residivisme untuk pilihan ini.</p>' in html
    assert any("rehab-key-points" in h and "<h2>Ringkasan</h2>" in h for h in html)
    with pytest.raises(ReportError, match="five"):
        publish.key_points([f"{i}." for i in range(6)])
    with pytest.raises(ReportError, match="list"):
        publish.key_points("Satu kalimat.")
    with pytest.raises(ReportError):
        publish.no_data("  ")


def test_tables_are_kept_for_the_workbook(tmp_path, displayed):
    publish.start(tmp_path, title="t")
    publish.section("Karakteristik")
    frame = pd.DataFrame(
        {"Kelompok": ["Laki-laki", "Perempuan"], "n": [30, "<5"], "Skor": [61.25, np.nan]}
    )
    publish.table(frame, "table_one", caption="Karakteristik klien")
    publish.table(pd.DataFrame({"a": [np.int64(1)]}))
    record = _record(tmp_path)
    assert [t["key"] for t in record["tables"]] == ["table_one", "tabel_2"]
    kept = json.loads((tmp_path / "tables" / "table_one.json").read_text(encoding="utf-8"))
    assert kept == {
        "key": "table_one",
        "caption": "Karakteristik klien",
        "section": "sec-karakteristik",
        "columns": ["Kelompok", "n", "Skor"],
        "rows": [["Laki-laki", 30, 61.25], ["Perempuan", "<5", None]],
    }
    # a new start forgets the tables of an earlier run in the same folder
    publish.start(tmp_path, title="t")
    assert not (tmp_path / "tables").exists()
    with pytest.raises(ReportError, match="key"):
        publish.table(frame, "Bad Key")


def test_a_figure_made_without_pyplot_gets_its_slide_variant(tmp_path, displayed):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13.333, 7.5))
    ax = fig.subplots()
    ax.plot([0, 1], [1, 0])
    fig.text(0.03, 0.965, "Judul", fontsize=28, fontweight="bold", va="top")
    fig.subplots_adjust(top=0.8)
    publish.start(tmp_path, title="t", disclosure=disclosure.resolve("internal"))
    publish.figure(fig, "plain", title="Polos", takeaway="x")
    assert (tmp_path / "figures" / "plain_slide.png").is_file()
    assert _red_pixels(tmp_path / "figures" / "plain_slide.png") > 50
