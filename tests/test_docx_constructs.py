"""Word constructs real .docx reports use that LibreOffice's conversion of a page lacks: each is
written into the document.xml of tests/data/published/shuyang-fgj-2023.docx (a LibreOffice-made
docx of a real report), and the Word file must still read exactly as before."""

from __future__ import annotations

import copy
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from helpers import run_cli
from lxml import etree

from reportgen.read import load
from reportgen.read.pages import read_docx

LIBREOFFICE_DOCX = Path(__file__).parent / "data" / "published" / "shuyang-fgj-2023.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PLACEHOLDER = "单击或点击此处输入文字。"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def rewrite(tmp_path: Path, *edits: Callable[[etree._Element], None], name: str = "报告.docx") -> Path:
    """The LibreOffice-made docx with its document.xml edited; every other part byte for byte."""
    out = tmp_path / name
    with zipfile.ZipFile(LIBREOFFICE_DOCX) as z, zipfile.ZipFile(out, "w") as o:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "word/document.xml":
                root = etree.fromstring(data)
                for edit in edits:
                    edit(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            o.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out


def report_tables(root: etree._Element) -> list[etree._Element]:
    """表二, 表三, 表四 (the first table is the portal's own metadata table)."""
    return root.findall(f".//{w('tbl')}")[1:]


def text(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(w("t")))


def value_cells(root: etree._Element, blank: bool = False) -> list[etree._Element]:
    """The cells of the report's tables printing a number (or, with `blank`, nothing)."""
    found = []
    for tbl in report_tables(root):
        for tc in tbl.iter(w("tc")):
            printed = text(tc).strip()
            if not continues_above(tc) and ((not printed) if blank else printed.isdigit()):
                found.append(tc)
    return found


def continues_above(tc: etree._Element) -> bool:
    """A cell merged down from the cell above (LibreOffice writes w:vMerge w:val="continue")."""
    pr = tc.find(w("tcPr"))
    vmerge = pr.find(w("vMerge")) if pr is not None else None
    return vmerge is not None and vmerge.get(w("val"), "continue") == "continue"


def run(content: str | etree._Element) -> etree._Element:
    r = etree.Element(w("r"))
    if isinstance(content, str):
        etree.SubElement(r, w("t")).text = content
    else:
        r.append(content)
    return r


def wrap(el: etree._Element, tag: str, placeholder: bool = False) -> etree._Element:
    """Put `el` inside a new element: w:sdt (with its w:sdtContent), w:ins, w:del, w:moveTo."""
    outer = etree.Element(w(tag))
    inner = outer
    if tag == "sdt":
        pr = etree.SubElement(outer, w("sdtPr"))
        etree.SubElement(pr, w("id")).set(w("val"), str(id(el) % 100000))
        if placeholder:
            etree.SubElement(pr, w("showingPlcHdr"))
        inner = etree.SubElement(outer, w("sdtContent"))
    else:
        outer.set(w("id"), "1")
        outer.set(w("author"), "科员")
    el.addprevious(outer)
    inner.append(el)
    return outer


def runs_of(tc: etree._Element) -> list[etree._Element]:
    return [r for r in tc.iter(w("r")) if r.find(w("t")) is not None]


def assert_reads_as_the_libreoffice_file(path: Path) -> None:
    word, original = load(path), load(LIBREOFFICE_DOCX)
    assert word.figures["requests.new.natural_person"] == 26 and word.figures["appeals.review.pending"] == 1
    assert word.figures["active_disclosure.normative_documents.in_force"] == 18
    assert (word.figures, word.given) == (original.figures, original.given)
    assert [(f.code, f.key) for f in word.findings] == [(f.code, f.key) for f in original.findings]
    assert (word.meta["organ"], word.year) == ("沭阳县发展和改革局", 2023)


# ---- the edits ---------------------------------------------------------------------------------


def content_controls(root: etree._Element) -> None:
    """Content controls around every row of 表三, every cell, every paragraph and run in a cell,
    and around the whole of 表四 (a Word form, or a template filled in WPS)."""
    tables = report_tables(root)
    for tc in [tc for tbl in tables for tc in tbl.iter(w("tc"))]:
        for p in tc.findall(w("p")):
            for r in p.findall(w("r")):
                wrap(r, "sdt")
            wrap(p, "sdt")
        wrap(tc, "sdt")
    for tr in tables[1].findall(w("tr")):
        wrap(tr, "sdt")
    wrap(tables[2], "sdt")


def placeholders(root: etree._Element) -> None:
    """A content control showing its prompt in every blank figure cell: the cell is still blank."""
    for i, tc in enumerate(value_cells(root, blank=True)):
        p = tc.find(w("p"))
        if i % 2:
            p.append(run(PLACEHOLDER))
            wrap(p[-1], "sdt", placeholder=True)
        else:
            p.append(run(PLACEHOLDER))
            wrap(tc, "sdt", placeholder=True)


def tracked_changes(root: etree._Element) -> None:
    """Every figure retyped with changes tracked: the old figure deleted, the new one inserted;
    every third one moved here from elsewhere; and a deleted copy of 表三's first row (99s)."""
    for i, tc in enumerate(value_cells(root)):
        first = runs_of(tc)[0]
        for r in runs_of(tc):
            wrap(r, "ins")
        old = etree.Element(w("r"))
        etree.SubElement(old, w("delText")).text = "9"
        first.getparent().addprevious(old)
        wrap(old, "del")
        if i % 3 == 0:
            moved = run("7")
            first.getparent().addprevious(moved)
            wrap(moved, "moveFrom")
    table3 = report_tables(root)[1]
    first_row = next(tr for tr in table3.findall(w("tr")) if "本年新收" in text(tr))
    deleted = copy.deepcopy(first_row)
    for t in deleted.iter(w("t")):
        if t.text and t.text.strip().isdigit():
            t.text = "99"
    pr = deleted.find(w("trPr"))
    etree.SubElement(pr, w("del")).set(w("author"), "科员")
    first_row.addprevious(deleted)


def horizontal_merges(root: etree._Element) -> None:
    """Old Word's w:hMerge instead of w:gridSpan: a cell per grid column, the first restarting."""
    for tc in [tc for tbl in report_tables(root) for tc in tbl.iter(w("tc"))]:
        pr = tc.find(w("tcPr"))
        span = pr.find(w("gridSpan")) if pr is not None else None
        if span is None:
            continue
        n = int(span.get(w("val")))
        pr.remove(span)
        etree.SubElement(pr, w("hMerge")).set(w("val"), "restart")
        for _ in range(n - 1):
            follower = etree.Element(w("tc"))
            fpr = copy.deepcopy(pr)
            fpr.find(w("hMerge")).attrib.clear()
            follower.append(fpr)
            etree.SubElement(follower, w("p"))
            tc.addnext(follower)


def layout_table(root: etree._Element) -> None:
    """The whole report inside one cell of a layout table (a page pasted from a portal)."""
    body = root.find(w("body"))
    content = [c for c in body if c.tag != w("sectPr")]
    outer = etree.Element(w("tbl"))
    etree.SubElement(etree.SubElement(outer, w("tblGrid")), w("gridCol")).set(w("w"), "9000")
    tc = etree.SubElement(etree.SubElement(outer, w("tr")), w("tc"))
    for c in content:
        tc.append(c)
    etree.SubElement(tc, w("p"))  # a cell ends with a paragraph
    body.insert(0, outer)


def invisible_characters(root: etree._Element) -> None:
    """Soft hyphens (U+00AD and w:softHyphen) and zero-width spaces inside labels and figures,
    and a non-breaking hyphen (a dash: nothing) in every blank figure cell."""
    for tbl in report_tables(root):
        for t in tbl.iter(w("t")):
            if t.text and len(t.text.strip()) >= 2:
                middle = len(t.text) // 2
                t.text = t.text[:middle] + "\u00ad" + t.text[middle:-1] + "\u200b" + t.text[-1:]
        for r in list(tbl.iter(w("r")))[::3]:
            r.addnext(run(etree.Element(w("softHyphen"))))
    for tc in value_cells(root, blank=True):
        tc.find(w("p")).append(run(etree.Element(w("noBreakHyphen"))))


def symbols(root: etree._Element) -> None:
    """Every figure's digits inserted as symbols (w:sym): the Symbol font's, or Unicode ones."""
    for i, tc in enumerate(value_cells(root)):
        digits = text(tc).strip()
        for r in runs_of(tc):
            r.getparent().remove(r)
        p = tc.find(w("p"))
        for d in digits:
            sym = etree.Element(w("sym"))
            font, base = ("Symbol", 0xF030) if i % 2 else ("Times New Roman", 0x30)
            sym.set(w("font"), font)
            sym.set(w("char"), f"{base + int(d):04X}")
            p.append(run(sym))


def tabs_and_fields(root: etree._Element) -> None:
    """Tabs before every figure and inside labels (with tab stops in the paragraph properties),
    figures as the result of a field (=SUM(ABOVE), or a simple field), and a tab after a heading."""
    for i, tc in enumerate(value_cells(root)):
        p = tc.find(w("p"))
        tabs = etree.SubElement(p.find(w("pPr")), w("tabs"))
        etree.SubElement(tabs, w("tab")).set(w("pos"), "400")
        rs = runs_of(tc)
        rs[0].addprevious(run(etree.Element(w("tab"))))
        if i % 2:
            begin, sep, end = (etree.Element(w("fldChar")) for _ in range(3))
            begin.set(w("fldCharType"), "begin")
            sep.set(w("fldCharType"), "separate")
            end.set(w("fldCharType"), "end")
            instr = etree.Element(w("instrText"))
            instr.text = " =SUM(ABOVE) "
            for part in (begin, instr, sep):
                rs[0].addprevious(run(part))
            rs[-1].addnext(run(end))
        else:
            simple = etree.Element(w("fldSimple"))
            simple.set(w("instr"), " =SUM(LEFT) ")
            rs[0].addprevious(simple)
            for r in rs:
                simple.append(r)
    for t in report_tables(root)[1].iter(w("t")):
        if t.text and t.text.startswith("（") and "）" in t.text:
            r = t.getparent()
            head, rest = t.text.split("）", 1)
            t.text = head + "）"
            r.addnext(run(rest))
            r.addnext(run(etree.Element(w("tab"))))
    heading = next(p for p in root.iter(w("p")) if text(p) == "一、总体情况")
    heading.append(run(etree.Element(w("tab"))))
    heading.append(run("（县发展和改革局）"))


def title_in_a_text_box(root: etree._Element) -> None:
    """The report's title in a text box: Word writes it twice, the drawing (mc:Choice) and a VML
    copy for old readers (mc:Fallback)."""
    title = next(p for p in root.iter(w("p")) if text(p) == "沭阳县发展和改革局2023年政府信息公开年度报告")
    anchor = etree.Element(w("p"))
    r = etree.SubElement(anchor, w("r"))
    alternate = etree.SubElement(r, f"{{{MC}}}AlternateContent")
    choice = etree.SubElement(alternate, f"{{{MC}}}Choice")
    choice.set("Requires", "wps")
    fallback = etree.SubElement(alternate, f"{{{MC}}}Fallback")
    for holder in (choice, fallback):
        box = etree.SubElement(etree.SubElement(holder, w("pict")), w("txbxContent"))
        box.append(copy.deepcopy(title))
    title.addprevious(anchor)
    title.getparent().remove(title)


def rows_starting_further_right(root: etree._Element) -> None:
    """表三's rows under 三、本年度办理结果 as WPS writes them: w:gridBefore instead of the cell
    merged down from above."""
    for tr in report_tables(root)[1].findall(w("tr")):
        first = tr.find(w("tc"))
        if continues_above(first):
            tr.remove(first)
            etree.SubElement(tr.find(w("trPr")), w("gridBefore")).set(w("val"), "1")


# ---- the tests ---------------------------------------------------------------------------------


def test_content_controls_around_cells_rows_paragraphs_and_tables(tmp_path):
    path = rewrite(tmp_path, content_controls)
    assert zipfile.ZipFile(path).read("word/document.xml").count(b"<w:sdtContent>") > 1000
    assert_reads_as_the_libreoffice_file(path)


def test_a_content_control_showing_its_prompt_is_a_blank_cell(tmp_path):
    path = rewrite(tmp_path, placeholders)
    assert zipfile.ZipFile(path).read("word/document.xml").decode().count(PLACEHOLDER) > 100
    assert_reads_as_the_libreoffice_file(path)


def test_tracked_changes_read_as_accepted(tmp_path):
    path = rewrite(tmp_path, tracked_changes)
    xml = zipfile.ZipFile(path).read("word/document.xml")
    assert xml.count(b"<w:delText>9</w:delText>") > 40 and xml.count(b"<w:moveFrom") > 10 and b"99" in xml
    assert_reads_as_the_libreoffice_file(path)


def test_old_words_horizontal_merges(tmp_path):
    path = rewrite(tmp_path, horizontal_merges)
    xml = zipfile.ZipFile(path).read("word/document.xml")
    assert xml.count(b"<w:hMerge") > 50 and xml.count(b"<w:gridSpan") == 1  # the portal's table only
    assert_reads_as_the_libreoffice_file(path)
    # the same grid as w:gridSpan gives: the merged-in cells are copies of the first
    grid = [[(c.text, c.copy) for c in r.cells] for r in read_docx(path.read_bytes(), str(path)).rows]
    assert grid == [[(c.text, c.copy) for c in r.cells] for r in read_docx(LIBREOFFICE_DOCX.read_bytes(), "").rows]


def test_the_report_inside_a_layout_table(tmp_path):
    path = rewrite(tmp_path, layout_table)
    assert len(etree.fromstring(zipfile.ZipFile(path).read("word/document.xml")).find(w("body"))) == 2
    assert_reads_as_the_libreoffice_file(path)
    page = read_docx(path.read_bytes(), str(path))
    assert "一、总体情况" in page.paragraphs and "五、存在的主要问题及整改措施" in page.paragraphs


def test_soft_hyphens_zero_width_spaces_and_non_breaking_hyphens(tmp_path):
    path = rewrite(tmp_path, invisible_characters)
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert "2\u00ad\u200b6" in xml and xml.count("<w:noBreakHyphen/>") > 100 and "<w:softHyphen/>" in xml
    assert_reads_as_the_libreoffice_file(path)


def test_figures_typed_as_symbols(tmp_path):
    path = rewrite(tmp_path, symbols)
    xml = zipfile.ZipFile(path).read("word/document.xml")
    assert b'w:char="F032"' in xml and b'w:char="0036"' in xml
    assert_reads_as_the_libreoffice_file(path)


def test_tabs_and_fields_in_cells(tmp_path):
    path = rewrite(tmp_path, tabs_and_fields)
    xml = zipfile.ZipFile(path).read("word/document.xml")
    assert xml.count(b"=SUM(ABOVE)") > 20 and xml.count(b"<w:fldSimple") > 20 and xml.count(b"<w:tab/>") > 50
    assert_reads_as_the_libreoffice_file(path)
    page = read_docx(path.read_bytes(), str(path))
    assert "一、总体情况 （县发展和改革局）" in page.paragraphs  # a tab prints as a space


def test_a_title_in_a_text_box_is_read_once(tmp_path):
    path = rewrite(tmp_path, title_in_a_text_box)
    boxes = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml")).iter(w("txbxContent"))
    assert [text(box) for box in boxes] == ["沭阳县发展和改革局2023年政府信息公开年度报告"] * 2
    assert_reads_as_the_libreoffice_file(path)
    page = read_docx(path.read_bytes(), str(path))
    assert page.paragraphs.count("沭阳县发展和改革局2023年政府信息公开年度报告") == 1


def test_rows_starting_further_right_keep_the_columns_in_line(tmp_path):
    path = rewrite(tmp_path, rows_starting_further_right)
    assert zipfile.ZipFile(path).read("word/document.xml").count(b"<w:gridBefore") > 15
    assert_reads_as_the_libreoffice_file(path)
    rows = read_docx(path.read_bytes(), str(path)).rows
    secret = next(r for r in rows if r.cells[2].text == "2.其他法律行政法规禁止公开")
    assert (secret.cells[1].text, secret.cells[1].copy, secret.cells[3].text) == ("(三)不予公开", True, "0")


def test_check_and_init_previous_on_a_word_file_with_all_of_them(tmp_path):
    path = rewrite(tmp_path, tabs_and_fields, tracked_changes, content_controls, layout_table,
                   name="沭阳县发展和改革局2023年报告.docx")
    assert_reads_as_the_libreoffice_file(path)
    checked = run_cli("check", path, "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    result = json.loads(checked.stdout)
    blanks = [f for f in result["findings"] if f["code"] == "blank_as_zero"]
    # the five 法人或其他组织 columns, printed blank on every one of 表三's 24 rows, and nothing else
    assert result["ok"] and len(blanks) == len(result["findings"]) == 120
    assert blanks[0]["location"] == "第3个表格第4行第5列" and blanks[0]["key"] == "requests.new.commercial"
    made = run_cli("init", tmp_path / "2024.xlsx", "--previous", path)
    assert made.returncode == 0, made.stdout + made.stderr
    workbook = load(tmp_path / "2024.xlsx")
    assert (workbook.year, workbook.previous.year) == (2024, 2023)
    assert workbook.previous.figures["requests.new.natural_person"] == 26
    assert workbook.previous.figures["requests.granted.natural_person"] == 26
    assert workbook.previous.figures["appeals.review.pending"] == 1
    assert workbook.figures["requests.carried_in.natural_person"] == 0  # 结转下年度 printed 0
