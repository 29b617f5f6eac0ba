"""Generate templates/standard/report.docx: the standard pack's Word template (GB/T 9704 layout)."""

from __future__ import annotations

import argparse
import io
import math
import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reportgen.formats import get_format
from reportgen.render.docx import keep_styles, rewrite_members, style_references
from reportgen.write.atomic import reproducible_zip

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "templates" / "standard" / "report.docx"

# GB/T 9704-2012 《党政机关公文格式》: 三号 = 16pt, 二号 = 22pt, 四号 = 14pt, 五号 = 10.5pt;
# 28 characters × 22 lines per page, which with a 16pt body gives a fixed 28.95pt line.
BODY_PT = 16
TITLE_PT = 22
LINE_PT = 28.95
# 五号 in all three tables: table 4's fifteen columns need it, and one size reads as one document.
TABLE_PT = 10.5
PAGE_NUMBER_PT = 14
LATIN = "Times New Roman"
CHARS_PER_LINE = 28
CONDENSE_TWENTIETHS = -5  # w:spacing, 1/20 pt: 16 pt − 0.25 pt = 15.75 pt ≤ 156 mm / 28
TEXT_WIDTH_MM = 210 - 28 - 26

# The fonts the styles name, as the font table describes them to Word and WPS: altName is what
# Word substitutes when the font is missing (Windows has 仿宋 and 楷体, rarely the _GB2312 ones).
FONTS = (
    # name, altName, charset, pitch family
    ("仿宋_GB2312", "仿宋", "86", "modern"),
    ("楷体_GB2312", "楷体", "86", "modern"),
    ("黑体", "SimHei", "86", "modern"),
    ("方正小标宋简体", "宋体", "86", "script"),
    ("宋体", "SimSun", "86", "auto"),
    ("Times New Roman", None, "00", "roman"),
)

# style name → ASCII style id (Word and WPS both cope better with ASCII ids than Chinese ones).
STYLE_IDS = {
    "报告标题": "ReportTitle",
    "一级标题": "ReportHeading1",
    "二级标题": "ReportHeading2",
    "正文": "ReportBody",
    "表格文字": "ReportTableText",
    "页码": "ReportPageNumber",
    "落款": "ReportSignoff",
    "报告表格": "ReportTable",
    "图表": "ReportFigure",
    "表题": "ReportTableTitle",
    "表注": "ReportNote",
}


def set_fonts(rpr_owner, east_asia: str, size_pt: float | None = None, latin: str = LATIN) -> None:
    """Set ascii/hAnsi/eastAsia fonts on a style: Word uses w:eastAsia for Chinese text."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    if size_pt is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(round(size_pt * 2)))


def paragraph_style(
    doc, name: str, *, east_asia: str, size_pt: float, base: str = "Normal", latin: str = LATIN
):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = STYLE_IDS[name]
    style.base_style = doc.styles[base]
    style.quick_style = True
    set_fonts(style.element, east_asia, size_pt, latin=latin)
    return style


def first_line_indent_chars(style, chars: int, size_pt: float) -> None:
    """Indent by characters (firstLineChars), so it stays two characters if the size changes."""
    style.paragraph_format.first_line_indent = Pt(chars * size_pt)
    ind = style.element.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def no_grid(style) -> None:
    """Keep a style off the document grid: its characters take their own width, not the body's
    28-a-line pitch, and its lines their own height (table cells, title, page numbers)."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr = style.element.get_or_add_pPr()
    # CT_PPr order: snapToGrid comes before spacing, ind, contextualSpacing, jc, outlineLvl.
    for later in ("w:spacing", "w:ind", "w:contextualSpacing", "w:jc", "w:outlineLvl"):
        found = ppr.find(qn(later))
        if found is not None:
            found.addprevious(snap)
            return
    ppr.append(snap)


def outline_level(style, level: int) -> None:
    """Give a custom heading style an outline level, so Word's navigation pane lists it."""
    ppr = style.element.get_or_add_pPr()
    el = OxmlElement("w:outlineLvl")
    el.set(qn("w:val"), str(level))
    ppr.append(el)


def fixed_lines(style, line_pt: float = LINE_PT) -> None:
    pf = style.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line_pt)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def define_styles(doc) -> None:
    normal = doc.styles["Normal"]
    set_fonts(normal.element, "仿宋_GB2312", BODY_PT)
    # Chinese as the East-Asian language: line breaking and punctuation rules, spell check.
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.widow_control = True

    # Title and headings set digits in their own face, so “2021” matches the characters around it.
    title = paragraph_style(
        doc, "报告标题", east_asia="方正小标宋简体", size_pt=TITLE_PT, latin="方正小标宋简体"
    )
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fixed_lines(title, 36)
    # One blank body line under the title, none between its lines (contextualSpacing); the
    # title keeps its own 二号 width, not the body's 28-character grid.
    title.paragraph_format.space_after = Pt(LINE_PT)
    title.paragraph_format.keep_with_next = True
    title.next_paragraph_style = doc.styles["Normal"]
    title_ppr = title.element.get_or_add_pPr()
    title_ppr.append(OxmlElement("w:contextualSpacing"))
    no_grid(title)

    body = paragraph_style(doc, "正文", east_asia="仿宋_GB2312", size_pt=BODY_PT)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # 28 三号 characters need 15.79 pt each: condensed by 0.25 pt they fit the line without the
    # character grid too (LibreOffice lays the grid out with two cells a character).
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
    body.element.get_or_add_rPr().find(qn("w:sz")).addprevious(spacing)
    fixed_lines(body)
    first_line_indent_chars(body, 2, BODY_PT)

    h1 = paragraph_style(doc, "一级标题", east_asia="黑体", size_pt=BODY_PT, base="正文", latin="黑体")
    h1.paragraph_format.keep_with_next = True
    outline_level(h1, 0)
    h1.next_paragraph_style = body

    h2 = paragraph_style(
        doc, "二级标题", east_asia="楷体_GB2312", size_pt=BODY_PT, base="正文", latin="楷体_GB2312"
    )
    h2.paragraph_format.keep_with_next = True
    outline_level(h2, 1)
    h2.next_paragraph_style = body

    cell = paragraph_style(doc, "表格文字", east_asia="仿宋_GB2312", size_pt=TABLE_PT)
    cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cell.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    cell.paragraph_format.space_before = Pt(0)
    cell.paragraph_format.space_after = Pt(0)
    cell.paragraph_format.first_line_indent = Pt(0)
    no_grid(cell)

    # 图解 (charts = true): a chart image or a table title, centred on its own line; a note under a table.
    figure = paragraph_style(doc, "图表", east_asia="黑体", size_pt=TABLE_PT, latin="黑体")
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    figure.paragraph_format.space_before = Pt(6)
    figure.paragraph_format.space_after = Pt(6)
    table_title = paragraph_style(doc, "表题", east_asia="黑体", size_pt=TABLE_PT, base="图表", latin="黑体")
    table_title.paragraph_format.keep_with_next = True
    note = paragraph_style(doc, "表注", east_asia="仿宋_GB2312", size_pt=TABLE_PT)
    note.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    note.paragraph_format.space_after = Pt(6)

    # GB/T 9704 7.5: page numbers in 4号半角宋体, between two 一字线.
    number = paragraph_style(doc, "页码", east_asia="宋体", size_pt=PAGE_NUMBER_PT)
    number.paragraph_format.space_before = Pt(0)
    number.paragraph_format.space_after = Pt(0)
    set_fonts(number.element, "宋体", PAGE_NUMBER_PT, latin="宋体")
    no_grid(number)

    # 落款: organ and date at the right; the renderer sets each one's right indent
    # (GB/T 9704-2012 7.3.5.2), the blank line above is the space before the organ.
    signoff = paragraph_style(doc, "落款", east_asia="仿宋_GB2312", size_pt=BODY_PT, base="正文")
    signoff.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signoff.paragraph_format.first_line_indent = Pt(0)
    ind = signoff.element.get_or_add_pPr().find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        signoff.element.get_or_add_pPr().append(ind)
    ind.set(qn("w:firstLineChars"), "0")
    signoff.paragraph_format.keep_together = True

    table = doc.styles.add_style("报告表格", WD_STYLE_TYPE.TABLE)
    table.style_id = STYLE_IDS["报告表格"]
    table.base_style = doc.styles["Normal Table"]
    table.quick_style = True
    tbl_pr = table.element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        table.element.append(tbl_pr)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "4")  # eighths of a point: 0.5pt rules as in printed reports
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
        borders.append(b)
    tbl_pr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 0), ("left", 57), ("bottom", 0), ("right", 57)):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(twips))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tbl_pr.append(margins)


def page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(37)
    section.bottom_margin = Mm(35)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    section.header_distance = Mm(15)
    # The number's top sits about 7mm below the text block (GB/T 9704 7.5).
    section.footer_distance = Mm(22)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        # GB/T 9704: 28 characters a line, 22 lines a page. charSpace is what each character
        # of the Normal size gains or loses, in 1/4096 pt: 156 mm / 28 = 15.79 pt for a 16 pt
        # character; one unit less, so rounding never pushes the 28th character to the next line.
        # Tables, title and page numbers stay off the grid (no_grid).
        pitch = TEXT_WIDTH_MM / 25.4 * 72 / CHARS_PER_LINE
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))
        grid.set(qn("w:charSpace"), str(math.floor((pitch - BODY_PT) * 4096) - 1))
    doc.settings.odd_and_even_pages_header_footer = True
    style = doc.styles["页码"]
    page_number(section.footer.paragraphs[0], style, WD_ALIGN_PARAGRAPH.RIGHT)
    page_number(section.even_page_footer.paragraphs[0], style, WD_ALIGN_PARAGRAPH.LEFT)


def page_number(paragraph, style, align) -> None:
    """“— 1 —”: odd pages at the right, even pages at the left, each one character in."""
    paragraph.style = style
    paragraph.alignment = align
    indent = Pt(PAGE_NUMBER_PT)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = indent
    else:
        paragraph.paragraph_format.left_indent = indent
    paragraph.add_run("— ")
    begin = paragraph.add_run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "begin")
    begin._r.append(fld)
    instr = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = " PAGE "
    instr._r.append(text)
    sep = paragraph.add_run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "separate")
    sep._r.append(fld)
    paragraph.add_run("1")
    end = paragraph.add_run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "end")
    end._r.append(fld)
    paragraph.add_run(" —")


def tag(doc, text: str, style: str | None = None) -> None:
    """One paragraph holding a docxtpl tag in a single run, so docxtpl sees the whole tag."""
    p = doc.add_paragraph(style=style)
    p.add_run(text)


def loop(doc, items: str, style: str = "正文") -> None:
    """Paragraph-level loop: the for/endfor paragraphs vanish, an empty list leaves nothing."""
    tag(doc, f"{{%p for p in {items} %}}")
    tag(doc, "{{ p }}", style)
    tag(doc, "{%p endfor %}")


def chart(doc, key: str) -> None:
    """A chart image (pack setting charts = true) after the paragraph it illustrates; nothing when off."""
    tag(doc, f"{{{{p charts.{key} }}}}")


def comparison(doc) -> None:
    """主要数据与上年对比 (pack setting comparison_table = true): title, table and note; nothing when off."""
    tag(doc, "{{p comparison }}")


def _nothing(doc) -> None:
    """A part or subsection the pack adds nothing to."""


def _requests_summary(doc) -> None:
    """After 依申请公开情况: the sentences on requests and outcomes, and their charts."""
    # The applicants' “其中…” continues the summary's last paragraph; a pack's summary
    # may have several paragraphs, which stay paragraphs.
    loop(doc, "sentences.requests_summary[:-1]")
    tag(doc, "{%p if sentences.requests_summary or sentences.applicants %}")
    tag(doc, '{{ (sentences.requests_summary[-1:] + sentences.applicants) | join("") }}', "正文")
    tag(doc, "{%p endif %}")
    chart(doc, "requests")
    loop(doc, "sentences.outcomes")
    chart(doc, "outcomes")


def _active(doc) -> None:
    # The tables take the 表格文字 style's size (五号); docx_table(size=9) would set one.
    tag(doc, "{{p tables.active }}")
    loop(doc, "sentences.active")
    chart(doc, "active")


def _requests(doc) -> None:
    tag(doc, "{{p tables.requests }}")
    loop(doc, "sentences.outcomes_change")


def _appeals(doc) -> None:
    tag(doc, "{{p tables.appeals }}")
    loop(doc, "sentences.review")
    loop(doc, "sentences.litigation")
    chart(doc, "appeals")
    loop(doc, "sentences.appeals_none")


def _other(doc) -> None:
    loop(doc, "sentences.processing_fees")


# What the standard pack prints in a part before its text (tables, sentences), by part key, and
# after a subsection's text, by section key: the pack's choice, the sections are the format's.
_PART_BODY = {"active": _active, "requests": _requests, "appeals": _appeals, "other": _other}
_AFTER_TEXT = {"overview.requests": _requests_summary}


def body(doc) -> None:
    # title_lines: the title broken between words (or as the pack's [title] lines say).
    loop(doc, "title_lines", "报告标题")
    loop(doc, "sentences.intro")
    comparison(doc)

    # The six parts and their subsections come from the format definition (the 2019 and 2021
    # editions share them); what the pack adds to a part or after a subsection's text is below.
    fmt = get_format()
    for part, _ in fmt.sections:
        tag(doc, f"{{{{ headings.{part} }}}}", "一级标题")
        _PART_BODY.get(part, _nothing)(doc)
        for section in fmt.narrative:
            if section.part != part:
                continue
            if section.key == part:  # 五、六: the part's own text, under the part's heading
                loop(doc, f"narrative.{part}")
            else:
                tag(doc, f'{{{{ headings["{section.key}"] }}}}', "二级标题")
                loop(doc, f'narrative["{section.key}"]')
            _AFTER_TEXT.get(section.key, _nothing)(doc)

    # 落款 under section 六 when 发布日期 is given: one blank line, organ, date.
    tag(doc, "{%p if signoff %}")
    doc.add_paragraph(style="正文")
    tag(doc, "{{ signoff.organ }}", "落款")
    tag(doc, "{{ signoff.date }}", "落款")
    tag(doc, "{%p endif %}")

    # A merged report's annex of units, when the pack asks for it (settings.units_table).
    tag(doc, "{%p if settings.units_table %}")
    tag(doc, "{{ tables.units.title }}", "一级标题")
    tag(doc, "{{p tables.units }}")
    tag(doc, "{%p endif %}")


def build() -> bytes:
    doc = Document()
    # python-docx's default template starts with one empty paragraph; drop it.
    for p in list(doc.paragraphs):
        p._p.getparent().remove(p._p)
    define_styles(doc)
    page_setup(doc)
    body(doc)
    # The renderer sets title, subject, author and dates from the report; the template's
    # own are neutral (docxtpl renders them as templates too: no tag characters here).
    props = doc.core_properties
    props.title = "政府信息公开工作年度报告"
    props.subject = ""
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.language = "zh-CN"
    props.revision = 1
    drop_thumbnail(doc)
    drop_styles_with_effects(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return reproducible_zip(chinese_defaults(prune_styles(buf.getvalue())))


_FONT_TABLE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{}</w:fonts>'
)


def font_table() -> str:
    fonts = []
    for name, alt, charset, family in FONTS:
        alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
        fonts.append(
            f'<w:font w:name="{name}">{alt_xml}<w:charset w:val="{charset}"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
        )
    return _FONT_TABLE.format("".join(fonts))


def chinese_defaults(data: bytes) -> bytes:
    """python-docx's default package is a Japanese Word's: its theme, font table and language
    name ＭＳ 明朝 and ja-JP. Make them the report's: Chinese fonts and zh-CN throughout."""
    return rewrite_members(data, _chinese_member)


def _chinese_member(name: str, text: bytes) -> bytes:
    if name == "word/fontTable.xml":
        return font_table().encode()
    if name == "word/settings.xml":
        return text.replace(b'w:eastAsia="ja-JP"', b'w:eastAsia="zh-CN"')
    if name in ("word/styles.xml", "word/stylesWithEffects.xml"):
        # docDefaults: East-Asian text is Chinese, in 仿宋 unless a style says otherwise.
        text = text.replace(b'w:eastAsia="en-US"', b'w:eastAsia="zh-CN"')
        return re.sub(
            rb"<w:rFonts w:asciiTheme=\"minorHAnsi\" w:eastAsiaTheme=\"minorEastAsia\"[^>]*/>",
            '<w:rFonts w:ascii="Times New Roman" w:eastAsia="仿宋_GB2312" '
            'w:hAnsi="Times New Roman" w:cs="Times New Roman"/>'.encode(),
            text,
        )
    if name == "word/theme/theme1.xml":
        text = re.sub(rb'<a:font script="Jpan" typeface="[^"]*"/>', b"", text)
        return text.replace(b'<a:ea typeface=""/>', '<a:ea typeface="宋体"/>'.encode())
    if name == "docProps/app.xml":
        return (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            b"<Application>reportgen</Application><DocSecurity>0</DocSecurity></Properties>"
        )
    return text


def drop_thumbnail(doc) -> None:
    """python-docx's default package carries a thumbnail of some other document; drop it."""
    rels = doc.part.package.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del rels[r_id]


def drop_styles_with_effects(doc) -> None:
    """python-docx's default package repeats all its styles in stylesWithEffects.xml (Word 2010's
    copy, 440 kB), which Word and WPS do without."""
    for r_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del doc.part.rels[r_id]


def prune_styles(data: bytes) -> bytes:
    """python-docx's default package defines some 160 built-in styles, most of them table styles
    nobody here uses: 350 kB of XML that every build would read, check and compress again. Keep
    the defaults, the report's own styles and whatever the document names, with what they build
    on; Word and WPS still offer every built-in style (the latent styles stay), adding it back
    when someone picks it. The renderer prunes LibreOffice's copy of a report the same way."""
    used = style_references(data) | set(STYLE_IDS.values())
    return rewrite_members(data, lambda name, blob: keep_styles(blob, used) if name == "word/styles.xml" else blob)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="只检查已提交的模板是否与脚本生成的一致")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = build()
    if args.check:
        same = args.out.is_file() and args.out.read_bytes() == data
        print("一致" if same else f"{args.out} 与脚本生成的不一致，请重新运行本脚本")
        return 0 if same else 1
    args.out.write_bytes(data)
    print(f"已生成 {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
