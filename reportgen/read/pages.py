"""A published report's file (web page, Word file, PDF) as paragraphs and table grids.

Every table becomes a grid: each colspan/rowspan (w:gridSpan/w:vMerge/w:hMerge, a PDF's merged
cells) expanded, the continuation cells marked as copies, a cell's text its whole inline content
joined without separators (spans, fonts, <br> inside labels) with spaces, NBSP and invisible
characters (soft hyphens, zero-width spaces) removed. Only the innermost tables are grids: a layout
table around the report's tables is read as text, in HTML and in Word alike.
Nothing here knows the report format; read/published.py matches the grids to it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UnreadableInput

TABLE_MARK = "\x00表格"  # stands in the paragraph stream where a table was
# A report's three tables have some 300 cells, a district's with its units' annex a few thousand.
# A page whose tables expand (colspan × rowspan) to far more is no report, and would otherwise
# take minutes and gigabytes: it is refused once the bound is passed, before the cells exist.
MAX_CELLS = 100_000
MAX_ROW_CELLS = 500
_SPACES = re.compile(r"\s+")
# Characters that print nothing: a soft hyphen (shown only where a line breaks), zero-width
# spaces and joiners, a BOM pasted into a cell. Left in, "2\u00ad6" would not be a number.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# Elements that start a new paragraph (ucapcontent: the 江苏 集约化 portals' article body).
_CONTAINERS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "section", "article",
               "center", "blockquote", "pre", "tr", "td", "th", "tbody", "thead", "body", "form", "dl", "dd",
               "dt", "ucapcontent", "main", "header", "footer"}


@dataclass
class Cell:
    text: str  # normalised: no spaces, NFKC
    copy: bool = False  # a continuation of a spanning cell (its text repeats the original's)


@dataclass
class GridRow:
    cells: list[Cell]
    where: str  # 第2个表格第5行
    mark: int  # index of the table's TABLE_MARK in Page.paragraphs


@dataclass
class Page:
    """What a reader of a published report works on."""

    titles: list[str] = field(default_factory=list)  # <title>, headings, a PDF's first lines
    paragraphs: list[str] = field(default_factory=list)
    rows: list[GridRow] = field(default_factory=list)
    kind: str = "html"
    lines: list[str] = field(default_factory=list)  # a text copy's lines, blank ones kept
    source: str = ""  # the file, for messages
    tables: int = 0  # tables so far (for 第N个表格)
    cells: int = 0  # grid cells so far, bounded by MAX_CELLS

    def table(self) -> tuple[int, int]:
        """A new table's number and its TABLE_MARK's index in `paragraphs`."""
        self.paragraphs.append(TABLE_MARK)
        self.tables += 1
        return self.tables, len(self.paragraphs) - 1

    def add_row(self, cells: list[Cell], where: str, mark: int) -> None:
        self.bound(len(cells))
        self.rows.append(GridRow(cells, where, mark))

    def bound(self, more: int, row: int = 0) -> None:
        """Refuse a page whose tables pass MAX_CELLS cells, or a row MAX_ROW_CELLS."""
        self.cells += more
        if self.cells > MAX_CELLS or row > MAX_ROW_CELLS:
            raise UnreadableInput(f"文件中的表格过大（超过{MAX_CELLS}个单元格或一行超过{MAX_ROW_CELLS}格），不像年度报告",
                                  file=self.source, hint="请提供从政府网站保存的年度报告全文")


def cell_text(text: str) -> str:
    """A cell's text as compared: NFKC (full-width digits, NBSP), every space removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text.translate(_INVISIBLE)))


def para_text(text: str) -> str:
    """A paragraph's text: NBSP and runs of spaces made one space, trimmed."""
    return _SPACES.sub(" ", text.translate(_INVISIBLE).replace("\u3000", " ").replace("\xa0", " ")).strip()


# ---- encoding ---------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode(data: bytes, source: str) -> str:
    """A page's text: its BOM, else the charset its <meta> declares (anywhere in the head), else
    UTF-8 if it is valid, else detected (GB18030/GBK pages are common)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    head = data[: max(data.lower().find(b"</head>"), 0) or 65536]
    declared = _META_CHARSET.search(head)
    if declared:
        name = declared.group(1).decode("ascii").lower()
        if name in ("gb2312", "gbk", "x-gbk", "gb_2312-80"):
            name = "gb18030"  # a superset: pages declared GB2312 often hold GBK characters
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: detect instead
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableInput("无法识别网页的文字编码", file=source, hint="请在浏览器中“另存为”网页（UTF-8）后再试")
    return str(best)


# ---- HTML -------------------------------------------------------------------------------------


def read_html(data: bytes, source: str) -> Page:
    import lxml.html
    from lxml import etree

    text = decode(data, source)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses a str with an encoding declaration
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as e:
        raise UnreadableInput("无法解析网页", file=source) from e
    page = Page(kind="html", source=source)
    for title in root.iter("title"):  # the head's, and a second one some portals put in the body
        page.titles.append(para_text(title.text_content()))
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() in ("articletitle", "title"):
            page.titles.append(para_text(meta.get("content") or ""))
    for bad in root.xpath("//script|//style|//title|//noscript|//select|//option"):
        bad.drop_tree()
    body = root.find("body")
    _walk(body if body is not None else root, page, [])
    for h in root.iter("h1", "h2", "ucaptitle"):
        page.titles.append(para_text(h.text_content()))
    return page


def _is_block(el: Any) -> bool:
    return isinstance(el.tag, str) and el.tag.lower() in _CONTAINERS


def _walk(el: Any, page: Page, pending: list[str]) -> None:
    """Paragraphs and tables in document order; inline runs between blocks are paragraphs too."""
    def flush() -> None:
        text = para_text("".join(pending))
        pending.clear()
        if text:
            page.paragraphs.append(text)

    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag == "table" and not el.xpath(".//table"):
        flush()
        _html_table(el, page)
        return
    if tag == "br":
        pending.append("\n")
        return
    has_blocks = any(_is_block(c) for c in el.iter() if c is not el)
    if not has_blocks and tag not in ("body", "html"):
        if tag in _CONTAINERS:
            flush()
            pending.append(el.text_content())
            flush()
        else:
            pending.append(el.text_content())
        return
    block = tag in _CONTAINERS
    if block:
        flush()
    if el.text:
        pending.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _walk(child, page, pending)
        if child.tail:
            pending.append(child.tail)
    if block:
        flush()


def _html_table(table: Any, page: Page) -> None:
    number, mark = page.table()
    below: dict[int, tuple[int, Cell]] = {}  # column → (rows left, the spanning cell) of rowspans
    for r, tr in enumerate(table.iter("tr"), start=1):
        row: list[Cell] = []
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        for td in cells:
            _fill_rowspans(row, below)
            cell = Cell(cell_text(td.text_content()))
            span = _span(td.get("colspan"))
            down = _span(td.get("rowspan"))
            page.bound(0, len(row) + span)
            for i in range(span):
                col = len(row)
                row.append(cell if i == 0 else Cell(cell.text, copy=True))
                if down > 1:
                    below[col] = (down - 1, cell)
        _fill_rowspans(row, below)
        page.add_row(row, f"第{number}个表格第{r}行", mark)


def _fill_rowspans(row: list[Cell], below: dict[int, tuple[int, Cell]]) -> None:
    """Copies of the cells spanning down from rows above, where the row has reached them."""
    while len(row) in below:
        col = len(row)
        left, cell = below[col]
        row.append(Cell(cell.text, copy=True))
        if left <= 1:
            del below[col]
        else:
            below[col] = (left - 1, cell)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int((value or "1").strip()), 100))
    except ValueError:
        return 1


# ---- DOCX ----------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Wrappers Word and WPS put around paragraphs, tables, rows or cells: content controls (w:sdt),
# custom XML, a tracked move's destination. What they hold is read as if they were not there.
_WRAPPERS = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}moveTo", f"{_W}body"}
# What prints nothing, or not here: properties (w:pPr holds tab stops named w:tab), deleted and
# moved-away text, ruby guide text, a drawing's fallback copy (mc:Fallback repeats mc:Choice),
# a text box (read as paragraphs of its own, after the paragraph it is anchored in).
_UNPRINTED = {f"{_W}pPr", f"{_W}rPr", f"{_W}tcPr", f"{_W}trPr", f"{_W}tblPr", f"{_W}sdtPr", f"{_W}sdtEndPr",
              f"{_W}del", f"{_W}moveFrom", f"{_W}rt", f"{_MC}Fallback", f"{_W}txbxContent"}
# Run content that is a character without being w:t.
_CHARS = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}


def read_docx(data: bytes, source: str) -> Page:
    """A Word report: paragraphs and w:tbl grids (w:gridSpan, w:vMerge, w:hMerge) in body order,
    through content controls, tracked changes (insertions read, deletions not), layout tables
    around the report's tables, text boxes, fields (their shown result) and symbols."""
    import zipfile

    from defusedxml import ElementTree

    from .zipguard import check_xml_tree, guard_zip

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            guard_zip(z, source, what="Word 文档", error=UnreadableInput)
            body = z.read("word/document.xml")
            core = z.read("docProps/core.xml") if "docProps/core.xml" in z.namelist() else b""
        # 5,000 nested w:sdt or a broken document.xml: refused before any parser recurses into it
        check_xml_tree(body, source, "word/document.xml", what="Word 文档", error=UnreadableInput)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError) as e:
        raise UnreadableInput("不是可读取的Word文档（.docx）", file=source,
                              hint="旧版 .doc 请在Word或WPS中“另存为”.docx") from e
    page = Page(kind="docx", source=source)
    if core:
        m = re.search(rb"<dc:title>([^<]*)</dc:title>", core)
        if m:
            page.titles.append(para_text(m.group(1).decode("utf-8", "replace")))
    _docx_blocks(ElementTree.fromstring(body), page)
    page.titles.extend(page.paragraphs[:3])
    return page


def _placeholder(sdt: Any) -> bool:
    """A content control showing its prompt (单击或点击此处输入文字。): nothing was typed in it."""
    pr = sdt.find(f"{_W}sdtPr")
    return pr is not None and pr.find(f"{_W}showingPlcHdr") is not None


def _docx_blocks(el: Any, page: Page) -> None:
    """The paragraphs and tables under `el` (the body, a cell of a layout table, a text box)."""
    for child in el:
        tag = child.tag
        if tag == f"{_W}p":
            text = para_text(_docx_text(child))
            if text:
                page.paragraphs.append(text)
            for box in _text_boxes(child):
                _docx_blocks(box, page)
        elif tag == f"{_W}tbl":
            if any(t is not child for t in child.iter(f"{_W}tbl")):
                # a layout table around the report's tables (a page pasted from a portal): its
                # cells are read as body text, and only the innermost tables as grids
                for tr in _docx_rows(child):
                    for tc, _ in _docx_cells(tr):
                        _docx_blocks(tc, page)
            else:
                _docx_table(child, page)
        elif tag == f"{_W}sdt" and _placeholder(child):
            continue
        elif tag in _WRAPPERS:
            _docx_blocks(child, page)
        elif tag == f"{_MC}AlternateContent":
            choice = child.find(f"{_MC}Choice")
            if choice is not None:
                _docx_blocks(choice, page)


def _docx_text(el: Any) -> str:
    """The text `el` prints: w:t, and tabs, breaks, non-breaking hyphens and symbols as characters."""
    out: list[str] = []

    def walk(node: Any) -> None:
        for child in node:
            tag = child.tag
            if tag == f"{_W}t":
                out.append(child.text or "")
            elif tag in _CHARS:
                out.append(_CHARS[tag])
            elif tag == f"{_W}sym":
                out.append(_symbol(child))
            elif tag in _UNPRINTED or (tag == f"{_W}sdt" and _placeholder(child)):
                continue
            else:
                walk(child)

    walk(el)
    return "".join(out)


def _symbol(sym: Any) -> str:
    """A w:sym's character. Symbol fonts put theirs at F020–F0FF; the Symbol font's are ASCII there."""
    try:
        code = int(sym.get(f"{_W}char") or "", 16)
    except ValueError:
        return ""
    if 0xF020 <= code <= 0xF0FF and (sym.get(f"{_W}font") or "").lower() == "symbol":
        code -= 0xF000
    return chr(code) if 0 < code < 0x110000 else ""


def _text_boxes(el: Any) -> list[Any]:
    """The text boxes anchored in `el`, each once (not the mc:Fallback copy), outermost only."""
    found: list[Any] = []
    for child in el:
        if child.tag == f"{_W}txbxContent":
            found.append(child)
        elif child.tag != f"{_MC}Fallback":
            found.extend(_text_boxes(child))
    return found


def _docx_rows(tbl: Any) -> list[Any]:
    """A table's rows, through content controls around them; a row deleted as a tracked change
    is not printed and is left out."""
    rows: list[Any] = []
    for child in tbl:
        if child.tag == f"{_W}tr":
            pr = child.find(f"{_W}trPr")
            if pr is None or pr.find(f"{_W}del") is None:
                rows.append(child)
        elif child.tag in _WRAPPERS:
            rows.extend(_docx_rows(child))
    return rows


def _docx_cells(tr: Any, placeholder: bool = False) -> list[tuple[Any, bool]]:
    """A row's cells (w:tc), through content controls around them, each with whether it only
    shows a content control's prompt; a cell deleted as a tracked change is left out."""
    cells: list[tuple[Any, bool]] = []
    for child in tr:
        if child.tag == f"{_W}tc":
            pr = child.find(f"{_W}tcPr")
            if pr is None or pr.find(f"{_W}cellDel") is None:
                cells.append((child, placeholder))
        elif child.tag in _WRAPPERS:
            cells.extend(_docx_cells(child, placeholder or (child.tag == f"{_W}sdt" and _placeholder(child))))
    return cells


def _grid_val(pr: Any, name: str) -> int:
    el = pr.find(f"{_W}{name}") if pr is not None else None
    return 0 if el is None else _span(el.get(f"{_W}val"))


def _docx_table(tbl: Any, page: Page) -> None:
    number, mark = page.table()
    above: list[Cell] = []
    for r, tr in enumerate(_docx_rows(tbl), start=1):
        # w:gridBefore/w:gridAfter: grid columns this row leaves out (a row starting further
        # right). They stand as copies, so the columns below a merge stay in line and no value
        # is read from them.
        before = _grid_val(tr.find(f"{_W}trPr"), "gridBefore")
        row: list[Cell] = [Cell("", copy=True) for _ in range(before)]
        for tc, placeholder in _docx_cells(tr):
            pr = tc.find(f"{_W}tcPr")
            span = max(_grid_val(pr, "gridSpan"), 1)
            vmerge = pr.find(f"{_W}vMerge") if pr is not None else None
            hmerge = pr.find(f"{_W}hMerge") if pr is not None else None
            col = len(row)
            if vmerge is not None and (vmerge.get(f"{_W}val") or "continue") == "continue" and col < len(above):
                cell = Cell(above[col].text, copy=True)
            elif hmerge is not None and (hmerge.get(f"{_W}val") or "continue") == "continue" and row:
                cell = Cell(row[-1].text, copy=True)  # old Word's horizontal merge: one cell per column
            else:
                cell = Cell("" if placeholder else cell_text(_docx_text(tc)))
            page.bound(0, len(row) + span)
            row.append(cell)
            row.extend(Cell(cell.text, copy=True) for _ in range(span - 1))
        row.extend(Cell("", copy=True) for _ in range(_grid_val(tr.find(f"{_W}trPr"), "gridAfter")))
        page.bound(0, len(row))
        page.add_row(row, f"第{number}个表格第{r}行", mark)
        above = row


# ---- PDF --------------------------------------------------------------------------------------


def read_pdf(data: bytes, source: str) -> Page:
    """A PDF with a text layer: ruled tables by pdfplumber, the rest as paragraphs."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    page_out = Page(kind="pdf", source=source)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018 -- parses the page tree: a broken file fails here, not later
    except (PDFSyntaxError, PdfminerException, ValueError, OSError, KeyError, TypeError) as e:
        raise UnreadableInput("无法打开PDF文件", file=source,
                              hint="文件已损坏，或不是PDF；扫描件（图片）中的表格无法读取") from e
    with pdf:
        if len(pdf.pages) > 200:
            raise UnreadableInput("PDF页数过多，不像年度报告", file=source)
        lines: list[tuple[float, float, str]] = []  # (x0, x1, text) of prose lines, in order
        width = 0.0
        for number, pdf_page in enumerate(pdf.pages, start=1):
            # Tables and prose lines of the page, ordered by their top edge.
            items: list[tuple[float, int, Any]] = []
            boxes: list[tuple[float, float, float, float]] = []
            for t_index, table in enumerate(pdf_page.find_tables(), start=1):
                multi = [i for i, r in enumerate(table.rows) if sum(c is not None for c in r.cells) >= 2]
                if not multi:
                    continue  # a frame drawn around prose: its text is read as prose below
                for i in multi:  # single-cell rows (prose in a frame, block titles) stay prose too
                    boxes.extend(c for c in table.rows[i].cells if c is not None)
                items.append((table.rows[multi[0]].bbox[1], 0, (t_index, table.extract())))
            def outside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]] = boxes) -> bool:
                return not _inside(obj, boxes)

            prose = pdf_page.filter(outside)
            for line in prose.extract_text_lines():
                text = para_text(line["text"])
                if text and not re.fullmatch(r"-?\s*\d+\s*-?", text):  # page numbers (-5-)
                    items.append((line["top"], 1, (line["x0"], line["x1"], text)))
                    width = max(width, line["x1"])
            items.sort(key=lambda item: (item[0], item[1]))
            for _, is_line, item in items:
                if is_line:
                    lines.append(item)
                    continue
                _flush_lines(lines, page_out, width)
                page_out.paragraphs.append(TABLE_MARK)
                t_index, grid = item
                for i, raw in enumerate(grid, start=1):
                    page_out.bound(0, len(raw))
                    cells = [Cell("", copy=True) if c is None else Cell(cell_text(c)) for c in raw]
                    page_out.add_row(cells, f"第{number}页第{t_index}个表格第{i}行", len(page_out.paragraphs) - 1)
            if number == 1:
                page_out.titles.append("".join(t for _, _, t in lines[:4]))
        _flush_lines(lines, page_out, width)
    return page_out


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    if obj.get("object_type") != "char":
        return False
    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.、．])")


def _flush_lines(lines: list[tuple[float, float, str]], page: Page, width: float) -> None:
    """Wrapped PDF lines joined into paragraphs: a short line, or a heading, ends one."""
    current = ""
    for _, x1, text in lines:
        if current and _HEADING.match(text):
            page.paragraphs.append(current)
            current = ""
        current = f"{current}{text}" if current and not (current[-1].isascii() and text[0].isascii()) \
            else f"{current} {text}".strip()
        if x1 < width - 30:
            page.paragraphs.append(current)
            current = ""
    if current:
        page.paragraphs.append(current)
    lines.clear()


def read_page(path: Path, data: bytes) -> Page:
    """The page of a published report, by its file type."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".shtml", ".xhtml"):
        return read_html(data, str(path))
    if suffix == ".docx":
        return read_docx(data, str(path))
    if suffix == ".pdf":
        return read_pdf(data, str(path))
    raise UnreadableInput(f"不支持的文件类型“{path.suffix}”", file=str(path))
