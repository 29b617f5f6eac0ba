"""The report as DOCX: the pack's report.docx rendered by docxtpl, tables built from the grids."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from ..errors import PackError
from ..sandbox import guarded, render_bounded
from ..write.atomic import reproducible_zip, write_atomic
from .docxpolicy import check_docx_parts
from .packs import Pack, environment

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
    data = render_docx_bytes(context, template, pack)
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # what the template composed, checked as written
        check_docx_parts(z, f"{template.parent.name}/{template.name}")
    write_atomic(out, data)


def render_docx_bytes(context: dict[str, Any], template: Path, pack: Pack) -> bytes:
    """The rendered document as (deterministic) bytes."""
    tpl = _load(template)
    styles = _style_ids(tpl.docx)
    width = _text_width(tpl.docx)
    env = environment(pack, autoescape=True)
    env.filters["docx_table"] = lambda grid, size=None: _table_filter(grid, styles, width, size)
    # `{{p tables.requests }}` alone also draws the table: each grid knows its own XML.
    tables = {k: _WordGrid(v, styles, width) for k, v in (context.get("tables") or {}).items()}
    where = f"{template.parent.name}/{template.name}"
    try:
        guarded(lambda: tpl.render(context | {"tables": tables}, jinja_env=env, autoescape=True), where)
    except PackError as e:
        raise PackError(f"{e}{_paragraph_of(template, e)}") from e
    props = tpl.docx.core_properties
    # Set after rendering: docxtpl renders properties with the autoescaping env, which would
    # turn “&” in an organ's name into “&amp;” here.
    props.title = str(context.get("title", ""))
    props.author = str((context.get("meta") or {}).get("organ", ""))
    props.last_modified_by = "reportgen"
    buf = io.BytesIO()
    tpl.save(buf)
    return reproducible_zip(buf.getvalue())


def _load(template: Path) -> Any:
    from docxtpl import DocxTemplate

    class BoundedTemplate(DocxTemplate):
        """docxtpl with the pack limits on output size and time (packs are untrusted)."""

        def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None) -> str:
            src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
            self.current_rendering_part = part
            compiled = jinja_env.from_string(src_xml)
            dst_xml = render_bounded(lambda: compiled.generate(context), f"{template.parent.name}/{template.name}")
            dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
            for escaped, tag in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
                dst_xml = dst_xml.replace(escaped, tag)
            return self.resolve_listing(dst_xml)

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
    import zlib

    from ..read.zipguard import guard_zip

    try:
        with zipfile.ZipFile(template) as z:
            guard_zip(z, str(template), what="Word 模板", error=PackError)
            check_docx_parts(z, str(template))
    except PackError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError, zlib.error) as e:
        raise PackError(
            f"无法读取 Word 模板（{type(e).__name__}）", file=str(template),
            hint="请确认它是用 Word 或 WPS 保存的 .docx 文件",
        ) from e


def _style_ids(document: Any) -> dict[str, str]:
    """Style ids of the table and cell styles, looked up by name (Word may rename ids)."""
    ids: dict[str, str] = {}
    for style in document.styles:
        if style.name in (TABLE_STYLE, CELL_STYLE):
            ids[style.name] = style.style_id
    return ids


def _text_width(document: Any) -> int:
    section = document.sections[0]
    try:
        width = section.page_width - section.left_margin - section.right_margin
        return int(width / 635)  # EMU → twips
    except TypeError:
        return FALLBACK_TEXT_WIDTH


# ---- Tables -------------------------------------------------------------------------------

_DEFAULT_SIZE = {"requests": 10.5, "appeals": 9.0}  # points; table 2 takes the 表格文字 style's size
STYLE_SIZE = 12.0  # the 表格文字 size assumed for row heights when a tag gives none
KEEP_TOGETHER_ROWS = 16  # tables this short are kept on one page


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

    if size is None:
        size = _DEFAULT_SIZE.get(str(grid.get("key")))
    return Markup(table_xml(grid, styles, width, float(size) if size is not None else None))


def column_widths(weights: list[int], total: int) -> list[int]:
    """Split `total` twips in proportion to `weights`; the last column takes the rounding."""
    s = sum(weights) or 1
    out = [total * w // s for w in weights]
    out[-1] += total - sum(out)
    return out


def table_xml(grid: dict[str, Any], styles: dict[str, str], width: int, size: float | None) -> str:
    """A grid (tables.Grid.as_dict()) as a w:tbl: gridSpan for colspan, vMerge for rowspan."""
    n_rows, n_cols = grid["n_rows"], grid["n_cols"]
    widths = column_widths(list(grid["col_widths"]), width)
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
    min_height = round((size or STYLE_SIZE) * 20 * 1.8)
    short = n_rows <= KEEP_TOGETHER_ROWS
    for r in range(n_rows):
        parts.append(f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{min_height}" w:hRule="atLeast"/>')
        if r < grid["header_rows"]:
            parts.append("<w:tblHeader/>")
        parts.append("</w:trPr>")
        # keepNext on a row's paragraphs keeps it on the page of the next row: a short table
        # stays whole, and a header never sits alone at the foot of a page.
        keep = r < n_rows - 1 and (short or r < grid["header_rows"])
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


