"""The report as DOCX: the pack's report.docx rendered by docxtpl, tables built from the grids."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from ..errors import PackError
from ..sandbox import guarded
from ..write.atomic import office_zip, write_atomic
from .docxpolicy import check_docx_parts
from .packs import Pack, environment
from .prepared import (
    Parts,
    Prepared,
    indent_signoff,
    paragraph_lines,
    prepare,
    prepared_template,
    render_core_templates,
    render_part,
    render_prepared,
    set_core,
    signoff_facts,
)

TEMPLATE_NAME = "report.docx"
TABLE_STYLE = "报告表格"
CELL_STYLE = "表格文字"
FALLBACK_TEXT_WIDTH = 8844  # twips: A4 less 28mm + 26mm margins (GB/T 9704)

# XML 1.0 forbids most control characters; a stray one from a spreadsheet would break the file.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_docx(context: dict[str, Any], pack: Pack, out: Path) -> None:
    """Render `context` into the pack's report.docx and write it to `out` atomically."""
    template = pack.find_file(TEMPLATE_NAME)
    if template is None:
        raise PackError(
            f"模板包“{pack.name}”及其继承链中都没有 {TEMPLATE_NAME}",
            hint="请在模板包文件夹中放入 report.docx",
        )
    members, published = render_docx_parts(context, template, pack)
    check_docx_parts(Parts(members), f"{template.parent.name}/{template.name}")  # what the template composed
    write_atomic(out, office_zip(members, default_time=published))


def render_docx_parts(context: dict[str, Any], template: Path, pack: Pack,
                      *, prepared: bool = True) -> tuple[dict[str, bytes], Any]:
    """The rendered document's parts, and its time (the publication date) for office_zip.

    A template is rendered from its prepared form (render/prepared.py) unless the report has
    charts; `prepared=False` renders it with docxtpl, the way the prepared form is held to."""
    where = f"{template.parent.name}/{template.name}"
    env = environment(pack, autoescape=True)
    ready = prepared_template(template, _prepare) if prepared and not context.get("charts") else None
    tpl: Any = None
    if ready is None:
        tpl = _load(template)
        facts = word_facts(tpl)
    else:
        facts = ready.facts
    styles, width = facts["styles"], facts["width"]
    env.filters["docx_table"] = lambda grid, size=None: _table_filter(grid, styles, width, size)
    # `{{p tables.requests }}` alone also draws the table: each grid knows its own XML.
    tables = {k: _WordGrid(v, styles, width) for k, v in (context.get("tables") or {}).items()}
    signoff = context.get("signoff") or {}
    try:
        full = context | {"tables": tables} | chart_images(tpl, context, width, styles)
        if ready is not None:
            return render_prepared(ready, full, env, where, signoff)
        guarded(lambda: tpl.render(full, jinja_env=env, autoescape=True), where)
    except PackError as e:
        raise PackError(f"{e}{_paragraph_of(template, e)}") from e
    indent_signoff(tpl.docx.element.body, facts["signoff"], signoff)
    # Set after rendering: docxtpl renders properties with the autoescaping env, which would
    # turn “&” in an organ's name into “&amp;” here.
    published = set_core(tpl.docx.core_properties._element, context)
    buf = io.BytesIO()
    tpl.save(buf)
    with zipfile.ZipFile(buf) as z:
        return {name: z.read(name) for name in z.namelist()}, published


def _prepare(template: Path) -> Prepared | None:
    """The template prepared by docxtpl; None for one that docxtpl's own path must render (and
    say what is wrong with, as a build says it). A template it cannot open is a PackError here."""
    tpl = _load(template)
    try:
        return prepare(tpl, word_facts(tpl))
    except Exception:  # noqa: BLE001 - python-docx and docxtpl raise many kinds for an odd document
        return None


def word_facts(tpl: Any) -> dict[str, Any]:
    """What rendering needs of the template's styles and page: the ids of the report's styles
    by name, the text width in twips, and which paragraphs are the sign-off."""
    from docx.enum.style import WD_STYLE_TYPE

    document = tpl.docx
    names = (TABLE_STYLE, CELL_STYLE, FIGURE_STYLE, TABLE_TITLE_STYLE, NOTE_STYLE)
    styles = {s.name: s.style_id for s in document.styles if s.name in names}  # Word may rename ids
    return {"styles": styles, "width": _text_width(document),
            "signoff": signoff_facts(document.styles, WD_STYLE_TYPE.PARAGRAPH, SIGNOFF_STYLE)}


_CHAR_GRID = re.compile(rb'(<w:docGrid\b[^>]*?) w:type="(?:linesAndChars|snapToChars)"')


_STYLE_REF = re.compile(rb'<w:\w*Style\w*\b[^>]*?\bw:val="([^"]*)"')  # pStyle, rStyle, tblStyle, numStyleLink …
_WNS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def for_libreoffice(data: bytes) -> bytes:
    """The DOCX as LibreOffice should lay it out: without Word's character grid, and with only
    the styles it uses.

    The template's 28 × 22 grid (docGrid linesAndChars) is what Word and WPS show in 页面设置,
    but LibreOffice (7.4) gives each 三号 character two cells of the 15.79 pt grid, 14 a line.
    The body is condensed to fit 28 characters without the grid, and exact 28.95 pt lines give
    22 a page, so dropping the grid type leaves the page as Word draws it.
    A Word template carries some 170 styles; LibreOffice creating every one of them was a third
    of its time per document, and a style no paragraph, run, table or numbering refers to draws
    nothing. The copy is only read once by LibreOffice, so it is stored uncompressed.
    """
    used = style_references(data)

    def edit(name: str, blob: bytes) -> bytes:
        if name == "word/document.xml":
            return _CHAR_GRID.sub(rb"\1", blob)
        if name == "word/styles.xml":
            return keep_styles(blob, used)
        return blob

    return rewrite_members(data, edit)


def style_references(data: bytes) -> set[str]:
    """The style ids the DOCX `data` refers to outside styles.xml: its paragraphs, runs, tables
    and numbering, in the body, headers and footers."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        used: set[bytes] = set()
        for name in z.namelist():
            if name.startswith("word/") and name.endswith(".xml") and not name.startswith("word/styles"):
                used.update(_STYLE_REF.findall(z.read(name)))
    return {html.unescape(v.decode("utf-8", "replace")) for v in used}


def keep_styles(xml: bytes, used: set[str]) -> bytes:
    """styles.xml with only the styles in `used`, the default ones, and those they build on."""
    from lxml import etree

    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return xml  # LibreOffice says what is wrong with it
    styles = {s.get(f"{_WNS}styleId"): s for s in root.iterfind(f"{_WNS}style")}
    keep = used | {k for k, s in styles.items() if s.get(f"{_WNS}default") in ("1", "true", "on")}
    todo = list(keep)
    while todo:
        style = styles.get(todo.pop())
        for tag in ("basedOn", "link", "next"):
            ref = style.find(f"{_WNS}{tag}") if style is not None else None
            value = ref.get(f"{_WNS}val") if ref is not None else None
            if value and value not in keep:
                keep.add(value)
                todo.append(value)
    for key, style in styles.items():
        if key not in keep:
            root.remove(style)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def rewrite_members(data: bytes, edit: Any) -> bytes:
    """The zip `data`, stored uncompressed, with each member's bytes replaced by `edit(name, bytes)`."""
    import copy
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            stored = copy.copy(info)
            stored.compress_type = zipfile.ZIP_STORED
            dst.writestr(stored, edit(info.filename, src.read(info.filename)))
    return out.getvalue()


SIGNOFF_STYLE = "落款"


def _load(template: Path) -> Any:
    from docxtpl import DocxTemplate

    class BoundedTemplate(DocxTemplate):
        """docxtpl with the pack limits on output size and time (packs are untrusted)."""

        def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None) -> str:
            self.current_rendering_part = part
            return render_part(jinja_env, paragraph_lines(src_xml), context, f"{template.parent.name}/{template.name}")

        def render_properties(self, context: Any, jinja_env: Any = None) -> None:
            render_core_templates(self.docx.core_properties._element, jinja_env, context,
                                  f"{template.parent.name}/{template.name}")

    _guard_template(template)
    tpl = BoundedTemplate(str(template))
    try:
        tpl.init_docx()
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds for a broken file
        raise PackError(
            f"无法读取 Word 模板（{type(e).__name__}：{e}）",
            file=str(template),
            hint="请确认它是用 Word 或 WPS 保存的 .docx 文件",
        ) from e
    if tpl.docx.element.body is None:
        raise PackError("Word 模板中没有正文（word/document.xml 缺少 w:body）", file=str(template),
                        hint="请确认它是用 Word 或 WPS 保存的 .docx 文件")
    return tpl


_UNDEFINED = re.compile(r"has no attribute '([^']+)'|'([^']+)' is undefined")


def _paragraph_of(template: Path, error: PackError) -> str:
    """Where in the Word template an unknown name is used (docxtpl renders XML, so Jinja's line
    numbers mean nothing to the person who edits the document in Word)."""
    import zipfile

    from defusedxml import ElementTree

    match = _UNDEFINED.search(str(error))
    if not match:
        return ""
    name = match.group(1) or match.group(2)
    try:
        with zipfile.ZipFile(template) as z:
            body = ElementTree.fromstring(z.read("word/document.xml"))
    except Exception:  # noqa: BLE001 - a location is a courtesy, never a new failure
        return ""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for i, para in enumerate(body.iter(f"{w}p"), start=1):
        text = "".join(t.text or "" for t in para.iter(f"{w}t"))
        if name in text and ("{{" in text or "{%" in text):
            shown = text if len(text) <= 60 else text[:60] + "…"
            return f"（Word 模板第{i}段：“{shown}”）"
    return ""


def _guard_template(template: Path) -> None:
    """A pack's report.docx is untrusted: no zip bomb, no XML entities, before python-docx parses it."""
    import zipfile

    from ..read.zipguard import ZIP_ERRORS, guard_zip

    try:
        with zipfile.ZipFile(template) as z:
            guard_zip(z, str(template), what="Word 模板", error=PackError)
            check_docx_parts(z, str(template))
    except PackError:
        raise
    except ZIP_ERRORS as e:
        raise PackError(
            f"无法读取 Word 模板（{type(e).__name__}）", file=str(template),
            hint="请确认它是用 Word 或 WPS 保存的 .docx 文件",
        ) from e


def _text_width(document: Any) -> int:
    """The first section's text width in twips; A4's when the template gives no page."""
    try:
        section = document.sections[0]
        width = section.page_width - section.left_margin - section.right_margin
        return int(width / 635)  # EMU → twips
    except (TypeError, IndexError):
        return FALLBACK_TEXT_WIDTH


# ---- Charts and the comparison table (图解) ------------------------------------------------

FIGURE_STYLE, TABLE_TITLE_STYLE, NOTE_STYLE = "图表", "表题", "表注"


def chart_images(tpl: Any, context: dict[str, Any], width: int, styles: dict[str, str]) -> dict[str, Any]:
    """``charts`` and ``comparison`` as the Word template places them: ``{{p charts.outcomes }}`` becomes
    the chart's PNG (the text width `width` twips wide, at the pack's resolution) in a paragraph of
    its own, ``{{p comparison }}`` the title, table and note; both vanish when the pack has them off.
    One tag each, so a report without them costs no more to render. `styles` are the template's
    style ids by name; `tpl` (docxtpl's template) is needed only for charts."""
    charts = context.get("charts") or {}
    comparison = context.get("comparison")
    out: dict[str, Any] = {"charts": _NoCharts(), "comparison": ""}
    if charts:
        from reportgen.render.charts import png

        for key, chart in charts.items():
            image = png(chart, round(width / 1440 * chart["style"]["dpi"]))
            out["charts"][key] = _WordChart(tpl, image, width, f"{chart['title']}：{chart['desc']}",
                                            styles.get(FIGURE_STYLE))
    if comparison:
        parts = []
        grid = (context.get("tables") or {}).get("comparison")
        if grid:
            parts.append(_paragraph(comparison["title"], styles.get(TABLE_TITLE_STYLE), keep=True))
            parts.append(table_xml(grid, styles, width, 10.5))
        if comparison["note"]:
            parts.append(_paragraph(comparison["note"], styles.get(NOTE_STYLE)))
        out["comparison"] = _Xml("".join(parts))
    return out


class _Xml(str):
    """Word XML that autoescaping leaves as it is (what ``{{p … }}`` puts in place of its paragraph)."""

    def __html__(self) -> str:
        return str(self)


class _NoCharts(dict):
    """The charts by key; a chart the pack does not draw is no paragraph at all."""

    def __missing__(self, key: str) -> str:
        return ""


class _WordChart:
    """One chart as a centred paragraph holding the PNG, with alternative text (docPr descr)."""

    def __init__(self, tpl: Any, image: bytes, width: int, desc: str, style: str | None) -> None:
        self.tpl, self.image, self.width, self.desc, self.style = tpl, image, width, desc, style

    def __html__(self) -> str:
        from docx.shared import Emu

        inline = self.tpl.current_rendering_part.new_pic_inline(io.BytesIO(self.image), Emu(self.width * 635), None)
        inline.docPr.set("descr", _XML_INVALID.sub("", self.desc))
        return f"<w:p>{_ppr(self.style, keep=False)}<w:r><w:drawing>{inline.xml}</w:drawing></w:r></w:p>"


def _ppr(style: str | None, *, keep: bool) -> str:
    # Without the pack's style (a report.docx made before charts existed) the paragraph is centred.
    props = f'<w:pStyle w:val="{_attr(style)}"/>' if style else '<w:jc w:val="center"/>'
    return f"<w:pPr>{props}{'<w:keepNext/>' if keep else ''}</w:pPr>"


def _paragraph(text: str, style: str | None, *, keep: bool = False) -> str:
    return f'<w:p>{_ppr(style, keep=keep)}<w:r><w:t xml:space="preserve">{_text(text)}</w:t></w:r></w:p>'


# ---- Tables -------------------------------------------------------------------------------

STYLE_SIZE = 10.5  # 五号: the 表格文字 size assumed when the template's style gives none
KEEP_TOGETHER_ROWS = 6  # tables this short are kept on one page; longer ones may break
KEEP_BODY_ROWS = 2  # a longer table's header stays with this many body rows
CELL_MARGINS = 114  # twips: the 报告表格 style's 57 left + 57 right
SLACK = 40  # twips a column keeps spare, so rounding never pushes a line's last character over

# Words of the table labels of the formats (forward maximum matching): a header breaks between
# them, never inside one (“自然人”, not “自然/人”). A character outside them is a word of its own.
_WORDS = frozenset(
    """自然人 申请人 本年度 上一年 规范性 总数量 总金额 本年 上年 下年 年度 新收 制作 制发 公开 件数 数量
    废止 现行 有效 处理 决定 收费 金额 单位 万元 采购 项目 结果 维持 纠正 其他 尚未 审结 总计 合计 商业
    企业 科研 机构 社会 公益 组织 法律 服务 不予 无法 提供 予以 部分 办理 未经 复议 直接 起诉 行政 诉讼
    法人 情况 信息 内容 政府 单位 主动 申请 结转 继续 本列 数据 勾稽 关系 第一项 第二项 第三项 第四项 之和 等于""".split()
)
_ATTACH_BEFORE = set("、，。；：）」』”’.%/")  # never starts a line
_ATTACH_AFTER = set("（「『“‘/")  # never ends a line


class _WordGrid(dict):
    """A grid (still a plain dict to templates) that autoescaping renders as its w:tbl."""

    def __init__(self, grid: dict[str, Any], styles: dict[str, str], width: int) -> None:
        super().__init__(grid)
        self._styles = styles
        self._width = width

    def __html__(self) -> str:
        return str(_table_filter(self, self._styles, self._width, None))


def _table_filter(grid: dict[str, Any], styles: dict[str, str], width: int, size: Any) -> Any:
    from markupsafe import Markup

    return Markup(table_xml(grid, styles, width, float(size) if size is not None else None))


def label_words(text: str) -> list[str]:
    """`text` cut into words that a line may not split: lexicon words, a short bracket like
    “（三）”, a run of digits or letters; punctuation stays with its neighbour."""
    atoms: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "（":
            close = text.find("）", i)
            if 0 < close - i <= 4:
                atoms.append(text[i : close + 1])
                i = close + 1
                continue
        run = re.match(r"[0-9A-Za-z]+", text[i:])
        if run:
            atoms.append(run.group())
            i += run.end()
            continue
        for n in (3, 2):
            if text[i : i + n] in _WORDS:
                atoms.append(text[i : i + n])
                i += n
                break
        else:
            atoms.append(text[i])
            i += 1
    words: list[str] = []
    glue = False
    for atom in atoms:
        if words and (glue or atom[0] in _ATTACH_BEFORE):
            words[-1] += atom
        else:
            words.append(atom)
        glue = atom[-1] in _ATTACH_AFTER
    return words


def break_label(text: str, chars: float) -> str:
    """`text` with line breaks between words so that no line is wider than `chars` characters
    (a word wider than that gets a line of its own)."""
    from .typeset import text_width

    if text_width(text) <= chars or "\n" in text:
        return text
    lines: list[str] = []
    for word in label_words(text):
        if lines and text_width(lines[-1] + word) <= chars:
            lines[-1] += word
        else:
            lines.append(word)
    return "\n".join(lines)


def column_widths(weights: list[int], total: int, minimum: list[int] | None = None) -> list[int]:
    """Split `total` twips in proportion to `weights`; a column below its `minimum` is raised
    to it, the others giving up width in proportion to what they have to spare. The last
    column takes the rounding."""
    s = sum(weights) or 1
    out = [total * w // s for w in weights]
    if minimum is not None and sum(minimum) <= total:
        for _ in range(len(out)):
            short = sum(max(0, m - w) for w, m in zip(out, minimum, strict=True))
            if not short:
                break
            spare = [max(0, w - m) for w, m in zip(out, minimum, strict=True)]
            total_spare = sum(spare) or 1
            out = [
                max(w, m) - (short * sp // total_spare)
                for w, m, sp in zip(out, minimum, spare, strict=True)
            ]
    out[-1] += total - sum(out)
    return out


def minimum_widths(grid: dict[str, Any], size: float) -> list[int]:
    """Per column, the twips its single-column cells need: the widest word of a label, or the
    whole of a number, at `size` points."""
    from .typeset import text_width

    need = [0.0] * grid["n_cols"]
    for row in grid["rows"]:
        for cell in row:
            if cell["colspan"] != 1 or not cell["text"]:
                continue
            if cell["kind"] == "number":
                chars = text_width(cell["text"])
            else:
                chars = max(text_width(w) for w in label_words(cell["text"].replace("\n", "")))
            need[cell["col"]] = max(need[cell["col"]], chars)
    return [round(c * size * 20) + CELL_MARGINS + SLACK for c in need]


def table_xml(grid: dict[str, Any], styles: dict[str, str], width: int, size: float | None) -> str:
    """A grid (tables.Grid.as_dict()) as a w:tbl: gridSpan for colspan, vMerge for rowspan."""
    n_rows, n_cols = grid["n_rows"], grid["n_cols"]
    text_size = size or STYLE_SIZE
    widths = column_widths(list(grid["col_widths"]), width, minimum_widths(grid, text_size))
    # Which cell starts at or covers each (row, col): covered cells still need a <w:tc>.
    owner: dict[tuple[int, int], dict[str, Any]] = {}
    for row in grid["rows"]:
        for cell in row:
            for r in range(cell["row"], cell["row"] + cell["rowspan"]):
                for c in range(cell["col"], cell["col"] + cell["colspan"]):
                    owner[(r, c)] = cell
    table_style = styles.get(TABLE_STYLE)
    parts = ["<w:tbl><w:tblPr>"]
    if table_style:
        parts.append(f'<w:tblStyle w:val="{_attr(table_style)}"/>')
    parts.append(f'<w:tblW w:w="{width}" w:type="dxa"/><w:jc w:val="center"/>')
    if not table_style:
        parts.append(_BORDERS)
    parts.append('<w:tblLayout w:type="fixed"/>')
    parts.append(
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>'
    )
    parts += [f'<w:gridCol w:w="{w}"/>' for w in widths]
    parts.append("</w:tblGrid>")
    # At least 1.8 lines high: the text gets air above and below, as in printed reports.
    min_height = round(text_size * 20 * 1.8)
    short = n_rows <= KEEP_TOGETHER_ROWS
    kept = grid["header_rows"] + KEEP_BODY_ROWS - 1  # rows up to this one stay with the next
    for r in range(n_rows):
        parts.append(f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{min_height}" w:hRule="atLeast"/>')
        if r < grid["header_rows"]:
            parts.append("<w:tblHeader/>")
        parts.append("</w:trPr>")
        # keepNext on a row's paragraphs keeps it on the page of the next row: a short table
        # stays whole, and a header goes with its first body rows; a long table may break
        # anywhere else (kept whole, it would leave most of a page blank before it).
        keep = r < n_rows - 1 and (short or r < kept)
        c = 0
        while c < n_cols:
            cell = owner.get((r, c))
            if cell is None:  # a hole in the grid: keep the row full so Word draws it
                parts.append(_tc(widths[c], 1, None, "", "center", styles, size, keep))
                c += 1
                continue
            span = cell["colspan"]
            cell_width = sum(widths[cell["col"] : cell["col"] + span])
            if cell["rowspan"] > 1:
                merge = "restart" if cell["row"] == r else "continue"
            else:
                merge = None
            text = cell["text"] if cell["row"] == r else ""
            if cell["kind"] != "number":
                # Lines break between words, at the column's width in characters.
                text = break_label(text, (cell_width - CELL_MARGINS - SLACK) / (text_size * 20))
            parts.append(_tc(cell_width, span, merge, text, _align(cell), styles, size, keep))
            c = cell["col"] + span
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def _align(cell: dict[str, Any]) -> str:
    return "left" if cell["kind"] == "label" else "center"


def _tc(
    width: int,
    span: int,
    merge: str | None,
    text: str,
    align: str,
    styles: dict[str, str],
    size: float | None,
    keep: bool,
) -> str:
    props = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if span > 1:
        props.append(f'<w:gridSpan w:val="{span}"/>')
    if merge == "restart":
        props.append('<w:vMerge w:val="restart"/>')
    elif merge == "continue":
        props.append("<w:vMerge/>")
    props.append('<w:vAlign w:val="center"/>')
    ppr = ""
    if styles.get(CELL_STYLE):
        ppr += f'<w:pStyle w:val="{_attr(styles[CELL_STYLE])}"/>'
    if keep:
        ppr += "<w:keepNext/>"
    ppr += f'<w:jc w:val="{align}"/>'
    if size is None and not styles.get(CELL_STYLE):
        size = 10.5
    sz = ""
    if size is not None:
        half_points = round(size * 2)
        sz = f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    rpr = f"<w:rPr>{sz}</w:rPr>" if sz else ""
    # The paragraph mark gets the size too, or an empty merged cell keeps the style's height.
    mark = rpr
    runs = []
    for i, line in enumerate(text.split("\n")):
        if i:
            runs.append(f"<w:r>{rpr}<w:br/></w:r>")
        if line:
            runs.append(f'<w:r>{rpr}<w:t xml:space="preserve">{_text(line)}</w:t></w:r>')
    return (
        f"<w:tc><w:tcPr>{''.join(props)}</w:tcPr><w:p><w:pPr>{ppr}{mark}</w:pPr>{''.join(runs)}</w:p></w:tc>"
    )


def _text(s: str) -> str:
    s = _XML_INVALID.sub("", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(s: str) -> str:
    return _text(s).replace('"', "&quot;")


_BORDERS = (
    "<w:tblBorders>"
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)


# ---- Deterministic, atomic output ----------------------------------------------------------


