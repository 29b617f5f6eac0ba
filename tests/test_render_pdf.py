"""PDF through LibreOffice: sentences and figures in the text, CJK fonts embedded, escaping, errors."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from helpers import needs_soffice

from reportgen.app.pipeline import build_context
from reportgen.errors import UserError
from reportgen.read import load
from reportgen.render.docx import render_docx
from reportgen.render.packs import find_pack
from reportgen.render.pdf import FONTS_CONF, docx_to_pdf

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "lanshan-2021.json"
HOSTILE = "<script>alert(1)</script> & <b>"

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None, reason="poppler-utils 未安装"
)
slow = pytest.mark.slow


def squeeze(text: str) -> str:
    """pdftotext breaks lines and spaces CJK from digits; compare without any whitespace."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: Path, *, layout: bool = False) -> str:
    """The PDF's text without the page-number lines, so a paragraph reads on across pages."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(pdf), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return "\n".join(line for line in text.splitlines() if not PAGE_NUMBER.match(line))


PAGE_NUMBER = re.compile(r"^\f?\s*—\s*\d+\s*—\s*$")



@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory, context: dict[str, Any]) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    docx = folder / "report.docx"
    render_docx(context, find_pack("standard"), docx)
    pdf = folder / "report.pdf"
    docx_to_pdf(docx, pdf)
    return pdf


@slow
@needs_soffice
@needs_poppler
def test_pdf_has_the_sentences_and_figures(sample_pdf: Path, context: dict[str, Any]) -> None:
    text = squeeze(pdf_text(sample_pdf))
    assert "办结的224件中，予以公开90件，占40.2%" in text
    assert "较上年提高38.1个百分点" in text
    for key in (
        "requests_summary",
        "outcomes",
        "outcomes_change",
        "active",
        "review",
        "litigation",
        "processing_fees",
    ):
        for paragraph in context["sentences"][key]:
            assert squeeze(paragraph) in text, key
    for heading in context["headings"].values():
        assert squeeze(heading) in text
    assert "1210.06" in text and "295613" in text


@slow
@needs_soffice
@needs_poppler
def test_pdf_table_rows_read_across(sample_pdf: Path, context: dict[str, Any]) -> None:
    layout = pdf_text(sample_pdf, layout=True)
    appeals = [c["text"] for c in context["tables"]["appeals"]["rows"][-1]]
    assert re.search(r"\s+".join(appeals), layout), appeals
    # table 3, row 一: the label, then the seven figures of the row
    first = [c for c in context["tables"]["requests"]["rows"][3]]
    figures = [c["text"] for c in first if c["kind"] == "number"]
    assert figures == ["230", "0", "0", "2", "0", "0", "232"]
    assert re.search(r"本年新收政府信息公开申请数量\s+" + r"\s+".join(figures), layout)


@slow
@needs_soffice
@needs_poppler
def test_pdf_embeds_cjk_fonts_only(sample_pdf: Path) -> None:
    listing = subprocess.run(["pdffonts", str(sample_pdf)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows, listing
    assert any("NotoSerifCJK" in r for r in rows), listing  # 仿宋/宋体/小标宋 → Noto Serif CJK
    assert any("NotoSansCJK" in r for r in rows), listing  # 黑体 → Noto Sans CJK
    # every font embedded (the emb column), so the PDF prints the same anywhere
    assert all(re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", r) for r in rows), listing


@slow
@needs_soffice
@needs_poppler
def test_hostile_staff_text_prints_literally(tmp_path: Path) -> None:
    report = load(SAMPLE)
    report.narrative["problems"] = HOSTILE
    ctx, _ = build_context(report, find_pack("standard"))
    docx = tmp_path / "hostile.docx"
    render_docx(ctx, find_pack("standard"), docx)
    pdf = tmp_path / "hostile.pdf"
    docx_to_pdf(docx, pdf)
    assert squeeze(HOSTILE) in squeeze(pdf_text(pdf))


@slow
@needs_soffice
def test_conversions_can_run_side_by_side(tmp_path: Path, sample_pdf: Path) -> None:
    docx = sample_pdf.with_suffix(".docx")
    targets = [tmp_path / f"copy{i}.pdf" for i in range(2)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda t: docx_to_pdf(docx, t), targets))
    assert all(t.read_bytes().startswith(b"%PDF") for t in targets)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy0.pdf", "copy1.pdf"]


@slow
@needs_soffice
def test_timeout_is_a_user_error(tmp_path: Path, sample_pdf: Path) -> None:
    with pytest.raises(UserError, match="超过"):
        docx_to_pdf(sample_pdf.with_suffix(".docx"), tmp_path / "late.pdf", timeout=0.01)
    assert not (tmp_path / "late.pdf").exists()


def test_missing_libreoffice_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no soffice on this PATH
    docx = tmp_path / "r.docx"
    docx.write_bytes(b"")
    with pytest.raises(UserError, match="未找到 LibreOffice") as info:
        docx_to_pdf(docx, tmp_path / "r.pdf")
    assert "apt-get install" in str(info.value)


@needs_soffice
def test_missing_input_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="找不到要转换的文件"):
        docx_to_pdf(tmp_path / "none.docx", tmp_path / "none.pdf")


def test_fontconfig_file_ships_with_the_package() -> None:
    text = FONTS_CONF.read_text(encoding="utf-8")
    assert '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>' in text
    for family in ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"):
        assert f"<family>{family}</family>" in text or f"<string>{family}</string>" in text


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig 未安装")
def test_fontconfig_maps_report_fonts_to_cjk(monkeypatch: pytest.MonkeyPatch) -> None:
    if "Noto" not in subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout:
        pytest.skip("fonts-noto-cjk 未安装")
    monkeypatch.setenv("FONTCONFIG_FILE", str(FONTS_CONF))
    found = {
        family: subprocess.run(
            ["fc-match", "-f", "%{family[0]} %{style[0]}", family], capture_output=True, text=True
        ).stdout
        for family in ("仿宋_GB2312", "方正小标宋简体", "黑体")
    }
    assert found["仿宋_GB2312"].startswith("Noto Serif CJK")
    assert found["方正小标宋简体"] == "Noto Serif CJK SC Bold"
    assert found["黑体"].startswith("Noto Sans CJK")


def _style_ids(styles_xml: bytes) -> set[str]:
    return set(re.findall(r'<w:style\b[^>]*\bw:styleId="([^"]+)"', styles_xml.decode("utf-8")))


def test_libreoffice_copy_keeps_only_the_styles_in_use(tmp_path: Path, context: dict[str, Any]) -> None:
    """The copy LibreOffice converts drops the styles nothing refers to, keeps those the document
    uses with every style they are based on, and has no character grid; the DOCX itself is untouched."""
    import zipfile

    from reportgen.render.docx import for_libreoffice

    docx = tmp_path / "report.docx"
    render_docx(context, find_pack("standard"), docx)
    original = zipfile.ZipFile(docx)
    copy = zipfile.ZipFile(io.BytesIO(for_libreoffice(docx.read_bytes())))
    before, after = _style_ids(original.read("word/styles.xml")), _style_ids(copy.read("word/styles.xml"))
    document = copy.read("word/document.xml").decode("utf-8")
    used = set(re.findall(r'<w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', document))
    assert used and used <= after < before
    styles = copy.read("word/styles.xml").decode("utf-8")
    for based_on in re.findall(r'<w:basedOn w:val="([^"]+)"', styles):
        assert based_on in after
    assert 'w:type="linesAndChars"' not in document
    assert 'w:type="linesAndChars"' in original.read("word/document.xml").decode("utf-8")
    assert all(i.compress_type == zipfile.ZIP_STORED for i in copy.infolist())


def test_libreoffice_copy_of_a_word_made_template_drops_most_of_its_styles(tmp_path: Path,
                                                                           context: dict[str, Any]) -> None:
    """A pack's template saved by Word carries every built-in style (the standard pack's no longer
    does): LibreOffice's copy keeps the few in use."""
    import zipfile

    from docx import Document

    from reportgen.render.docx import for_libreoffice

    pack_dir = tmp_path / "word"
    pack_dir.mkdir()
    (pack_dir / "pack.toml").write_text('name = "word"\n', encoding="utf-8")
    doc = Document()  # python-docx's default package: Word's full set of built-in styles
    doc.add_paragraph("{{ title }}", style="Title")
    doc.save(str(pack_dir / "report.docx"))
    docx = tmp_path / "report.docx"
    render_docx(context, find_pack(str(pack_dir)), docx)
    before = _style_ids(zipfile.ZipFile(docx).read("word/styles.xml"))
    after = _style_ids(zipfile.ZipFile(io.BytesIO(for_libreoffice(docx.read_bytes()))).read("word/styles.xml"))
    assert "Title" in after and len(after) < len(before) / 3


@needs_soffice
@needs_poppler
@pytest.mark.parametrize("pack", ["standard", "lanshan", "department", "graphic"])
def test_dropping_unused_styles_draws_the_same_pages(tmp_path: Path, pack: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Each built-in pack's report, converted with and without the unused styles, gives the same
    pages pixel for pixel."""
    from reportgen.render import docx as docx_module

    context, _ = build_context(load(SAMPLE), find_pack(pack))
    docx = tmp_path / "report.docx"
    render_docx(context, find_pack(pack), docx)
    pages = {}
    for variant in ("pruned", "whole"):
        if variant == "whole":
            monkeypatch.setattr(docx_module, "keep_styles", lambda xml, used: xml)
        docx_to_pdf(docx, tmp_path / f"{variant}.pdf")
        subprocess.run(["pdftoppm", "-r", "60", "-gray", str(tmp_path / f"{variant}.pdf"), str(tmp_path / variant)],
                       check=True)
        pages[variant] = [p.read_bytes() for p in sorted(tmp_path.glob(f"{variant}-*.pgm"))]
    assert len(pages["pruned"]) >= 3
    assert pages["pruned"] == pages["whole"]
