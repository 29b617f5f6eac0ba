"""GB/T 9704 layout of the Word file, read from LibreOffice's PDF: title lines, 28 characters a
line, 22 lines a page, the sign-off, one table size, header labels whole; and the words of
Word and web from one place (pack.toml headings, typed-over headings, document properties)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree

from reportgen.app.packcheck import pack_warnings, typed_over_headings
from reportgen.app.pipeline import build_context
from reportgen.read import load
from reportgen.render.docx import label_words, render_docx
from reportgen.render.fonts import font_status, template_fonts
from reportgen.render.html import render_html
from reportgen.render.packs import find_pack
from reportgen.render.pdf import docx_to_pdf
from reportgen.render.typeset import signoff, signoff_date, text_width, title_lines

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "lanshan-2021.json"
needs_tools = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None, reason="需要 LibreOffice 和 poppler"
)
PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$")

CASES = {
    # organ, year, publish date as typed, title lines, sign-off date
    "test": ("测试区人民政府", 2025, "2026-01-20", ["测试区人民政府2025年", "政府信息公开工作年度报告"], "2026年1月20日"),
    "lanshan": ("临沂市兰山区人民政府", 2021, "二〇二二年一月二十五日",
                ["临沂市兰山区人民政府2021年", "政府信息公开工作年度报告"], "2022年1月25日"),
}


def report_json(tmp: Path, case: str) -> Path:
    organ, year, date, _, _ = CASES[case]
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    doc["meta"].update(organ=organ, year=year, publish_date=date)
    # A paragraph longer than a page: a page of nothing else shows how many lines a page holds.
    doc["narrative"]["problems"] += "\n" + "一是政务公开工作仍需加强。" * 130
    path = tmp / f"{case}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=sorted(CASES))
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp(request.param)
    pack = find_pack("lanshan")
    context, _ = build_context(load(report_json(folder, request.param)), pack)
    docx = folder / "report.docx"
    render_docx(context, pack, docx)
    out: dict[str, Any] = {"case": request.param, "context": context, "docx": docx}
    if shutil.which("soffice") and shutil.which("pdftotext"):
        pdf = folder / "report.pdf"
        docx_to_pdf(docx, pdf)
        out["pdf"] = pdf
    return out


def pages(pdf: Path) -> list[list[str]]:
    """Each page's non-blank lines (pdftotext -layout), whitespace removed, page number dropped."""
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    out = []
    for page in text.split("\f"):
        lines = [re.sub(r"\s+", "", line) for line in page.splitlines() if line.strip()]
        out.append([line for line in lines if not PAGE_NUMBER.match(line)])
    return [p for p in out if p]


def words(pdf: Path) -> list[tuple[str, float, float]]:
    """Every word of the PDF as pdftotext -bbox separates them (a line of a table cell is one
    word, cells apart): (text, height, top)."""
    xhtml = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    root = ElementTree.fromstring(xhtml)
    ns = "{http://www.w3.org/1999/xhtml}"
    return [
        (unescape(w.text or ""), float(w.get("yMax")) - float(w.get("yMin")), float(w.get("yMin")))
        for w in root.iter(f"{ns}word")
    ]


# ---- Pure rules -------------------------------------------------------------------------------


def test_title_breaks_between_words_into_even_lines() -> None:
    assert title_lines("测试区人民政府2025年政府信息公开工作年度报告", "测试区人民政府", 2025) == [
        "测试区人民政府2025年", "政府信息公开工作年度报告"]
    assert title_lines("某局2021年政府信息公开工作年度报告", "某局", 2021) == ["某局2021年政府信息公开工作年度报告"]
    long = "山东省临沂市兰山区经济开发区管理委员会2021年政府信息公开工作年度报告"
    lines = title_lines(long, "山东省临沂市兰山区经济开发区管理委员会", 2021)
    assert "".join(lines) == long and all(text_width(x) <= 20 for x in lines)
    assert lines[0].endswith(("委员会", "2021年", "开发区"))


def test_signoff_date_is_arabic_and_indented_as_gbt_9704() -> None:
    assert [signoff_date(d) for d in ("2026-01-20", "2026/1/5", "二〇二一年十二月三十一日",
                                      "２０２６年０１月０５日", "2026-01-20 00:00:00", "年初")] == [
        "2026年1月20日", "2026年1月5日", "2021年12月31日", "2026年1月5日", "2026年1月20日", "年初"]
    s = signoff({"organ": "临沂市兰山区人民政府", "publish_date": "2022-01-25"})
    # the date's first character two characters right of the organ's
    assert s["organ_indent"] + 10 - 2 == s["date_indent"] + text_width("2022年1月25日")
    short = signoff({"organ": "某局", "publish_date": "2022-01-25"})
    assert short["date_indent"] == 2 and short["organ_indent"] > 2
    assert signoff({"organ": "某局", "publish_date": ""}) == {}


def test_table_labels_split_into_words() -> None:
    assert label_words("自然人") == ["自然人"]
    assert label_words("社会公益组织") == ["社会", "公益", "组织"]
    assert label_words("（三）不予公开") == ["（三）", "不予", "公开"]
    assert label_words("三、本年度办理结果") == ["三、", "本年度", "办理", "结果"]


# ---- The Word file itself -----------------------------------------------------------------------


def test_docx_properties_come_from_the_report(rendered: dict[str, Any]) -> None:
    organ, year, _, lines, _ = CASES[rendered["case"]]
    with zipfile.ZipFile(rendered["docx"]) as z:
        core = z.read("docProps/core.xml").decode()
        everything = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    assert f"<dc:title>{''.join(lines)}</dc:title>" in core
    assert f"<dc:creator>{organ}</dc:creator>" in core
    assert f"<dc:subject>{year}年度政府信息公开工作年度报告</dc:subject>" in core
    published = {"test": "2026-01-20", "lanshan": "2022-01-25"}[rendered["case"]]
    assert f">{published}T00:00:00Z</dcterms:created>" in core
    for leftover in ("make_docx_template", "ＭＳ", "ja-JP", "Macintosh", "lastModifiedBy>reportgen"):
        assert leftover not in everything
    assert 'w:type="linesAndChars"' in everything and 'w:linePitch="579"' in everything


def test_docx_ends_with_the_signoff(rendered: dict[str, Any]) -> None:
    from docx import Document

    organ, _, _, _, date = CASES[rendered["case"]]
    paragraphs = [p for p in Document(str(rendered["docx"])).paragraphs if p.text.strip()]
    before_annex = [p.text for p in paragraphs if p.style.name == "落款"]
    assert before_annex == [organ, date]
    last_body = max(i for i, p in enumerate(paragraphs) if p.style.name == "正文")
    assert paragraphs[last_body + 1].text == organ  # straight after section 六's last paragraph


# ---- What LibreOffice draws ------------------------------------------------------------------


@pytest.mark.slow
@needs_tools
def test_pdf_title_lines_and_the_28_by_22_grid(rendered: dict[str, Any]) -> None:
    _, _, _, lines, _ = CASES[rendered["case"]]
    pdf_pages = pages(rendered["pdf"])
    assert pdf_pages[0][:2] == lines
    body = [line for page in pdf_pages for line in page if not re.search(r"[0-9A-Za-z]", line)]
    # a full line of Chinese text holds 28 characters, never more
    lengths = [len(line) for line in body]
    assert max(lengths) == 28 and lengths.count(28) > 50
    # a page of one running paragraph holds 22 lines (the others may end short: widow control)
    full = [p for p in pdf_pages if all(line in "一是政务公开工作仍需加强。" * 3 for line in p)]
    assert full and {len(p) for p in full} == {22}


@pytest.mark.slow
@needs_tools
def test_pdf_signoff_follows_section_six(rendered: dict[str, Any]) -> None:
    organ, _, _, _, date = CASES[rendered["case"]]
    flat = [line for page in pages(rendered["pdf"]) for line in page]
    at = flat.index(organ)
    assert flat[at + 1] == date
    other = rendered["context"]["narrative"]["other"][-1]
    assert re.sub(r"\s+", "", other).endswith(flat[at - 1])


@pytest.mark.slow
@needs_tools
def test_pdf_tables_share_one_size_and_keep_header_words_whole(rendered: dict[str, Any]) -> None:
    lines = words(rendered["pdf"])
    tables = rendered["context"]["tables"]
    headers = {c["text"] for k in ("active", "requests", "appeals") for row in tables[k]["rows"]
               for c in row if c["kind"] == "header" and len(c["text"]) <= 12}
    # one size: every header line of the three tables is as high as every other, and as much
    # smaller than the body's 三号 (16 pt) as 五号 (10.5 pt) is
    heights = {round(h, 1) for text, h, _ in lines if text in headers or text in {"结果", "维持", "自然人"}}
    body = max((h for text, h, _ in lines if text.startswith("一是政务公开工作")), default=0)
    assert heights and body and max(heights) - min(heights) < 0.5
    assert abs(max(heights) / body - 10.5 / 16) < 0.03
    row_labels = [c["text"] for k in ("active", "requests", "appeals") for row in tables[k]["rows"]
                  for c in row if c["kind"] == "label"]
    # table text only (smaller than the body), and not a piece of a row label (those are sentences)
    lines = [line for line in lines if line[1] < 0.8 * body and not any(line[0] in r for r in row_labels)]
    # a header broken over lines breaks between its words: each piece is whole words
    for label in headers:
        pieces = label_words(label)
        allowed = {"".join(pieces[i:j]) for i in range(len(pieces)) for j in range(i + 1, len(pieces) + 1)}
        for text, _, _ in lines:
            if text != label and text in label and len(text) >= 2:
                assert text in allowed, f"表头“{label}”在词中间换行：“{text}”"
    flat = {text for text, _, _ in lines}
    assert "自然人" in flat and "自然" not in flat


# ---- One source of words for Word and web ----------------------------------------------------


def _pack(tmp: Path, name: str, toml: str) -> Path:
    folder = tmp / name
    folder.mkdir()
    (folder / "pack.toml").write_text(toml, encoding="utf-8")
    return folder


def test_heading_in_pack_toml_shows_in_word_and_web(tmp_path: Path) -> None:
    from docx import Document

    folder = _pack(tmp_path, "mine", 'name = "mine"\nextends = "standard"\n[headings]\n'
                   '"overview.active" = "（一）主动公开工作"\nproblems = "五、存在的问题和改进措施"\n'
                   '[title]\nlines = ["{{ meta.organ }}", "{{ meta.year }}年度政务公开报告"]\n')
    pack = find_pack(str(folder))
    context, _ = build_context(load(SAMPLE), pack)
    docx = tmp_path / "r.docx"
    render_docx(context, pack, docx)
    word = [p.text for p in Document(str(docx)).paragraphs]
    web = render_html(context, pack)
    for heading in ("（一）主动公开工作", "五、存在的问题和改进措施"):
        assert heading in word and f">{heading}<" in web
    assert word[:2] == ["临沂市兰山区人民政府", "2021年度政务公开报告"]
    assert '<span class="title-line">临沂市兰山区人民政府</span><span class="title-line">2021年度政务公开报告</span>' in web
    assert context["title"] == "临沂市兰山区人民政府2021年度政务公开报告"


def test_web_signs_off_like_word(tmp_path: Path) -> None:
    context, _ = build_context(load(report_json(tmp_path, "test")), find_pack("standard"))
    web = render_html(context, find_pack("standard"))
    assert re.search(r'<p style="margin-right: [0-9.]+em">测试区人民政府</p>\s*<p style="margin-right: [0-9.]+em">'
                     r"2026年1月20日</p>", web)


def test_heading_typed_over_in_word_template_is_warned(tmp_path: Path) -> None:
    from docx import Document

    folder = _pack(tmp_path, "typed", 'name = "typed"\nextends = "standard"\n')
    doc = Document(str(ROOT / "templates" / "standard" / "report.docx"))
    (number,) = [i for i, p in enumerate(doc.paragraphs, start=1) if p.text == '{{ headings["overview.requests"] }}']
    doc.paragraphs[number - 1].runs[0].text = "（二）依申请公开情况"
    doc.save(str(folder / "report.docx"))
    warnings = typed_over_headings(find_pack(str(folder)))
    assert len(warnings) == 1
    assert f"第{number}段" in warnings[0] and "（二）依申请公开情况" in warnings[0]
    assert 'headings["overview.requests"]' in warnings[0] and "[headings]" in warnings[0]
    assert pack_warnings("standard") == [] and pack_warnings("lanshan") == []


def test_fonts_of_the_template_and_their_stand_ins() -> None:
    names = template_fonts(ROOT / "templates" / "standard" / "report.docx")
    assert names[:5] == ["方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312", "宋体"]
    if shutil.which("fc-list") is None:
        pytest.skip("没有 fontconfig")
    status = font_status("方正小标宋简体")
    if status.installed:
        pytest.skip("本机装有方正小标宋简体")
    assert status.installed is False and status.stand_in and status.role == "标题"
