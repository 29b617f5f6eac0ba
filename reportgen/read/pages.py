"""A published report's file (web page, Word file, PDF) as paragraphs and table grids.

Every table becomes a grid: each colspan/rowspan (w:gridSpan/w:vMerge, a PDF's merged cells)
expanded, the continuation cells marked as copies, a cell's text its whole inline content
joined without separators (spans, fonts, <br> inside labels) with spaces and NBSP removed.
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
_SPACES = re.compile(r"\s+")
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


def cell_text(text: str) -> str:
    """A cell's text as compared: NFKC (full-width digits, NBSP), every space removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def para_text(text: str) -> str:
    """A paragraph's text: NBSP and runs of spaces made one space, trimmed."""
    return _SPACES.sub(" ", text.replace("\u3000", " ").replace("\xa0", " ")).strip()


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
    page = Page(kind="html")
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
    page.paragraphs.append(TABLE_MARK)
    mark = len(page.paragraphs) - 1
    number = sum(1 for p in page.paragraphs if p == TABLE_MARK)
    grid: list[list[Cell]] = []
    below: dict[int, tuple[int, Cell]] = {}  # column → (rows left, the spanning cell) of rowspans
    for tr in table.iter("tr"):
        row: list[Cell] = []
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        for td in cells:
            _fill_rowspans(row, below)
            cell = Cell(cell_text(td.text_content()))
            span = _span(td.get("colspan"))
            down = _span(td.get("rowspan"))
            for i in range(span):
                col = len(row)
                row.append(cell if i == 0 else Cell(cell.text, copy=True))
                if down > 1:
                    below[col] = (down - 1, cell)
        _fill_rowspans(row, below)
        grid.append(row)
    for r, row in enumerate(grid, start=1):
        page.rows.append(GridRow(row, f"第{number}个表格第{r}行", mark))


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


# ---- DOCX -------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes, source: str) -> Page:
    """A Word report: paragraphs and w:tbl grids (w:gridSpan, w:vMerge) in body order."""
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
    page = Page(kind="docx")
    if core:
        m = re.search(rb"<dc:title>([^<]*)</dc:title>", core)
        if m:
            page.titles.append(para_text(m.group(1).decode("utf-8", "replace")))

    def text_of(el: Any) -> str:
        return "".join(t.text or "" for t in el.iter(f"{_W}t"))

    def walk(el: Any) -> None:
        for child in el:
            if child.tag == f"{_W}p":
                text = para_text(text_of(child))
                if text:
                    page.paragraphs.append(text)
            elif child.tag == f"{_W}tbl":
                _docx_table(child, page, text_of)
            elif child.tag in (f"{_W}body", f"{_W}sdt", f"{_W}sdtContent"):
                walk(child)

    walk(ElementTree.fromstring(body))
    page.titles.extend(page.paragraphs[:3])
    return page


def _docx_table(tbl: Any, page: Page, text_of: Any) -> None:
    page.paragraphs.append(TABLE_MARK)
    mark = len(page.paragraphs) - 1
    number = sum(1 for p in page.paragraphs if p == TABLE_MARK)
    above: list[Cell] = []
    for r, tr in enumerate(tbl.findall(f"{_W}tr"), start=1):
        row: list[Cell] = []
        for tc in tr.findall(f"{_W}tc"):
            pr = tc.find(f"{_W}tcPr")
            span, merge = 1, None
            if pr is not None:
                gs = pr.find(f"{_W}gridSpan")
                span = _span(gs.get(f"{_W}val")) if gs is not None else 1
                vm = pr.find(f"{_W}vMerge")
                if vm is not None:
                    merge = vm.get(f"{_W}val") or "continue"
            col = len(row)
            if merge == "continue" and col < len(above):
                cell = Cell(above[col].text, copy=True)
            else:
                cell = Cell(cell_text(text_of(tc)))
            row.append(cell)
            row.extend(Cell(cell.text, copy=True) for _ in range(span - 1))
        page.rows.append(GridRow(row, f"第{number}个表格第{r}行", mark))
        above = row


# ---- PDF --------------------------------------------------------------------------------------


def read_pdf(data: bytes, source: str) -> Page:
    """A PDF with a text layer: ruled tables by pdfplumber, the rest as paragraphs."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    page_out = Page(kind="pdf")
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
                    cells = [Cell("", copy=True) if c is None else Cell(cell_text(c)) for c in raw]
                    page_out.rows.append(GridRow(cells, f"第{number}页第{t_index}个表格第{i}行",
                                                 len(page_out.paragraphs) - 1))
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
