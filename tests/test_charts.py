"""图解 (the graphic pack): charts and the comparison with last year, checked against the computed facts,
and looked at as a reader sees them — the page in Chromium, the Word file through LibreOffice."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree
from helpers import needs_soffice, run_cli
from PIL import Image, ImageChops

from reportgen.app.pipeline import build_context
from reportgen.compute.display import Settings
from reportgen.errors import PackError
from reportgen.read import load
from reportgen.render.charts import png, svg
from reportgen.render.packs import find_pack
from reportgen.render.pdf import docx_to_pdf
from tests.test_render_html import chromium, needs_chromium
from tests.test_render_pdf import needs_poppler, pdf_text, squeeze

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "lanshan-2021.xlsx"
SVG_NS = "{http://www.w3.org/2000/svg}"
RED = (0xA4, 0x16, 0x1A)  # the graphic pack's first series colour
STEM = "临沂市兰山区人民政府2021年政府信息公开工作年度报告"


@pytest.fixture(scope="module")
def graphic() -> dict[str, Any]:
    context, _ = build_context(load(SAMPLE), find_pack("graphic"))
    return context


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The done-when command, run for real: HTML and DOCX of the sample in the graphic pack."""
    out = tmp_path_factory.mktemp("graphic")
    done = run_cli("build", SAMPLE, "-o", out, "--template", "graphic", "--format", "html,docx")
    assert done.returncode == 0, done.stderr
    return out


def svg_texts(markup: str) -> list[str]:
    root = ElementTree.fromstring(str(markup))
    return [t.text or "" for t in root.iter(f"{SVG_NS}text")]


def bar_lengths(image: Image.Image, colour: tuple[int, int, int] = RED) -> list[int]:
    """The length in pixels of each horizontal bar of `colour`, top to bottom."""
    bands = [band.point(lambda v, c=c: 255 if abs(v - c) < 30 else 0) for band, c in
             zip(image.convert("RGB").split(), colour, strict=True)]
    mask = ImageChops.multiply(ImageChops.multiply(bands[0], bands[1]), bands[2]).tobytes()
    width = image.size[0]
    bars: list[int] = []
    current = 0
    for y in range(image.size[1]):
        longest = max(map(len, re.findall(rb"\xff+", mask[y * width : (y + 1) * width])), default=0)
        if longest > 1:
            current = max(current, longest)
        elif current:
            bars.append(current)
            current = 0
    return bars


def assert_bars_match(lengths: list[int], counts: list[int], tolerance: int) -> None:
    """Bars as long as their figures: each is the longest scaled by its count (a zero draws none)."""
    drawn = [c for c in counts if c]
    assert len(lengths) == len(drawn), (lengths, counts)
    longest = max(lengths)
    for length, count in zip(lengths, drawn, strict=True):
        assert abs(length - longest * count / max(drawn)) <= tolerance, (lengths, counts)


# ---- The model ---------------------------------------------------------------------------------


def test_charts_show_the_facts_figures(graphic):
    f = graphic["facts"]
    charts = graphic["charts"]
    assert list(charts) == ["requests", "outcomes", "active", "appeals"]
    outcomes = svg_texts(charts["outcomes"]["svg"])
    for o in f["requests"]["outcomes"]:
        assert o["name"] in outcomes
        assert f"{o['count']}件 {o['share']}" in outcomes
    assert "予以公开" in outcomes and "90件 40.2%" in outcomes
    assert "办理结果（共224件）" in outcomes

    requests = svg_texts(charts["requests"]["svg"])
    assert {"本年新收", "232件", "205件", "自然人", "230件", "2021年", "2020年"} <= set(requests)
    assert "2020年按申请人类型的数据未知，只比较合计。" in requests

    appeals = svg_texts(charts["appeals"]["svg"])
    review, litigation = f["appeals"]["review"], f["appeals"]["litigation"]
    for r, lit in zip(review["results"], litigation["results"], strict=True):
        assert r["name"] in appeals
        assert f"{r['count']}件" in appeals and f"{lit['count']}件" in appeals
    assert "行政复议18件、行政诉讼12件的结果" in appeals

    active = svg_texts(charts["active"]["svg"])
    for d in f["active"]["decisions"]:
        assert d["name"] in active and f"{d['decisions_text']}件" in active


def test_svg_is_accessible_and_self_contained(graphic):
    for key, chart in graphic["charts"].items():
        markup = str(chart["svg"])
        root = ElementTree.fromstring(markup)
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"chart-{key}-title chart-{key}-desc"
        assert root.find(f"{SVG_NS}title").text == chart["title"]
        desc = root.find(f"{SVG_NS}desc").text
        for row in chart["rows"]:  # every figure also in words
            assert row[0] in desc and all(t in desc for t in row[1:] if t != "—")
        assert "<script" not in markup and "href" not in markup and "url(" not in markup
        assert "http" not in markup.replace('xmlns="http://www.w3.org/2000/svg"', "")
        # The pack's font first, then the free faces fonts.conf maps it to; the generic unquoted.
        assert root.get("font-family").startswith("'黑体', 'SimHei', 'Noto Sans CJK SC'")
        assert root.get("font-family").endswith(", sans-serif")


def test_svg_escapes_its_text(graphic):
    chart = graphic["charts"]["outcomes"] | {"title": "<script>alert(1)</script>", "categories": ["A&B", "<i>"]}
    markup = svg(chart)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup and "A&amp;B" in markup and "&lt;i&gt;" in markup
    assert "<script>" not in markup
    assert svg_texts(markup)[:2] == ["<script>alert(1)</script>", "A&B"]


def test_comparison_reads_the_facts(graphic):
    comparison = graphic["comparison"]
    rows = {row[0]: row for row in comparison["rows"]}
    assert rows["本年新收"][:5] == ["本年新收", "232", "205", "+27", "13.2%"]
    assert rows["予以公开"] == ["予以公开", "90", "68", "+22", "32.4%", "40.2%", "33.0%", "+7.2"]
    assert rows["部分公开"][3:] == ["-3", "-21.4%", "4.9%", "6.8%", "-1.9"]
    assert rows["行政复议"][1:5] == ["18", "21", "-3", "-14.3%"]
    for o in graphic["facts"]["requests"]["outcomes"]:  # the same figures the sentences state
        assert rows[o["name"]][1:3] == [str(o["count"]), o["change"]["last_text"]]
        assert rows[o["name"]][5:7] == [o["share"], o["last_share"]]
    # Table 2's decisions have no last year in the sample: left out, and said so.
    assert comparison["left_out"] == ["行政许可决定", "行政处罚决定", "行政强制决定"]
    assert comparison["note"] == "行政许可决定、行政处罚决定、行政强制决定的上年数据未知，未列入对比。"
    grid = graphic["tables"]["comparison"]
    assert [c["text"] for c in grid["rows"][1]][:5] == ["本年新收", "232", "205", "+27", "13.2%"]


def test_without_last_year_no_comparison_and_one_series():
    report = dataclasses.replace(load(SAMPLE), previous=None)
    context, _ = build_context(report, find_pack("graphic"))
    assert context["comparison"]["rows"] == []
    assert context["comparison"]["note"] == "上年数据未知，未与上年对比。"
    assert "comparison" not in context["tables"]
    assert context["charts"]["requests"]["series"] == ["2021年"]
    assert "205件" not in svg_texts(context["charts"]["requests"]["svg"])


def test_standard_pack_draws_nothing(context):
    assert context["charts"] == {} and context["comparison"] is None
    assert context["settings"]["charts"] is False


def test_chart_settings_are_checked(tmp_path):
    pack = tmp_path / "图解坏"
    pack.mkdir()
    (pack / "pack.toml").write_text(
        'extends = "graphic"\n[settings]\nchart_dpi = 5000\nchart_colors = ["red"]\ncharts = "是"\n'
        'chart_font = "黑体\\"><script>"\n',
        encoding="utf-8",
    )
    with pytest.raises(PackError) as e:
        find_pack(str(pack)).settings  # noqa: B018 - reading the settings checks them
    message = str(e.value)
    for name in ("chart_dpi", "chart_colors", "charts", "chart_font"):
        assert name in message
    assert Settings(chart_colors=["#000000"], chart_width=400, chart_font_size=24).problems() == []


def test_png_bars_are_as_long_as_their_figures(graphic):
    chart = graphic["charts"]["outcomes"]
    image = Image.open(io.BytesIO(png(chart, 1800)))
    assert image.size[0] == 1800 and image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert_bars_match(bar_lengths(image), [o["count"] for o in graphic["facts"]["requests"]["outcomes"]], 3)


def test_build_without_charts_imports_no_chart_code(tmp_path):
    code = (
        "import sys\n"
        "from reportgen import build\n"
        f"build({str(SAMPLE)!r}, {str(tmp_path)!r}, ('html', 'docx'))\n"
        "print([m for m in ('PIL', 'reportgen.render.charts', 'reportgen.render.comparison') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_without_pillow_word_charts_exit_2_with_a_chinese_message(tmp_path):
    code = (
        "import sys\n"
        "sys.modules['PIL'] = None  # as if Pillow were not installed\n"
        "from reportgen.cli import main\n"
        f"main(['build', {str(SAMPLE)!r}, '-o', {str(tmp_path)!r}, '--template', 'graphic', '--format', 'html,docx'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 2
    assert "需要 Pillow" in done.stderr and 'pip install "reportgen[charts]"' in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.glob("*.html"))  # all or nothing


def test_two_builds_are_byte_identical(built, tmp_path):
    done = run_cli("build", SAMPLE, "-o", tmp_path, "--template", "graphic", "--format", "html,docx")
    assert done.returncode == 0, done.stderr
    for suffix in (".html", ".docx"):
        assert (tmp_path / f"{STEM}{suffix}").read_bytes() == (built / f"{STEM}{suffix}").read_bytes()


def test_docx_holds_the_charts_of_the_model(built, graphic):
    with zipfile.ZipFile(built / f"{STEM}.docx") as z:
        media = sorted(n for n in z.namelist() if n.startswith("word/media/"))
        images = [z.read(n) for n in media]
        document = z.read("word/document.xml").decode("utf-8")
    assert len(images) == 4
    # Each image is the chart drawn from the computed model, at print resolution over the text width.
    for image, chart in zip(images, graphic["charts"].values(), strict=True):
        assert image == png(chart, Image.open(io.BytesIO(image)).size[0])
        assert Image.open(io.BytesIO(image)).size[0] >= 1800
    assert 'descr="办理结果（共224件）：予以公开90件 40.2%' in document


# ---- As a reader sees them -------------------------------------------------------------------------


@pytest.mark.slow
@needs_chromium
def test_chromium_draws_the_charts_with_their_figures(built, graphic, tmp_path):
    page = (built / f"{STEM}.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 4
    # The page printed by Chromium: the figures in the charts are text a reader can find.
    pdf = tmp_path / "page.pdf"
    chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", (built / f"{STEM}.html").as_uri())
    text = squeeze(pdf_text(pdf))
    for label in ("办理结果（共224件）", "予以公开", "90件40.2%", "无法提供", "93件41.5%", "本年新收政府信息公开申请",
                  "232件", "205件", "行政复议18件、行政诉讼12件的结果", "295613件", "主要数据与上年对比"):
        assert label in text, label
    rows = [squeeze(line) for line in pdf_text(pdf, layout=True).splitlines()]
    assert "本年新收232205+2713.2%———" in rows
    # The outcomes chart alone on a page: its bars are as long as the counts.
    figure = re.search(r'<figure class="chart" id="chart-outcomes">.*?</figure>', page, re.S)
    assert figure
    harness = tmp_path / "chart.html"
    harness.write_text(f'<!DOCTYPE html><meta charset="utf-8"><body style="margin:0">{figure.group(0)}',
                       encoding="utf-8")
    shot = tmp_path / "chart.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=800,400", harness.as_uri())
    counts = [o["count"] for o in graphic["facts"]["requests"]["outcomes"]]
    assert_bars_match(bar_lengths(Image.open(shot)), counts, 2)


@pytest.mark.slow
@needs_soffice
@needs_poppler
def test_libreoffice_renders_the_chart_images(built, graphic, tmp_path):
    pdf = tmp_path / "report.pdf"
    docx_to_pdf(built / f"{STEM}.docx", pdf)
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert len([line for line in listing.splitlines()[2:] if line.strip()]) == 4
    text = squeeze(pdf_text(pdf))
    assert "主要数据与上年对比" in text and "本年新收232205+2713.2%" in text
    assert "予以公开9068+2232.4%40.2%33.0%+7.2" in text
    # The page with the outcomes chart, as a reader sees it: bars as long as the counts.
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(Path(tmp_path).glob("p-*.png"))
    counts = [o["count"] for o in graphic["facts"]["requests"]["outcomes"]]
    found = [bar_lengths(Image.open(p)) for p in pages]
    assert any(_close(bars, counts) for bars in found), found


def _close(lengths: list[int], counts: list[int]) -> bool:
    try:
        assert_bars_match(lengths, counts, 3)
    except AssertionError:
        return False
    return True

