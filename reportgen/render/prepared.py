"""A pack's report.docx prepared once and kept per user: rendered with Jinja and lxml, without
importing docxtpl or python-docx on every build.

docxtpl renders a Word template in three steps: it rewrites the document's XML so that Jinja can
read the tags Word split across runs (``patch_xml``), renders that with Jinja, and has python-docx
parse and write every part of the package again. For one template the first and last steps give
the same result on every build, yet they cost more than the report itself: importing docxtpl and
python-docx, opening the package and writing it back are half the time of a build.

So the first build with a template *prepares* it with docxtpl and python-docx themselves: the
Jinja source of the body and of each header and footer, exactly as docxtpl hands it to Jinja, and
every other part exactly as python-docx writes it, with a mark in place of the body. That is kept
in the user's private cache folder under the template's content (and the versions of the libraries
that made it). Every later build renders the kept sources with the same Jinja environment and the
same after-steps as docxtpl (its ``resolve_listing``, ``fix_tables`` and docPr numbering, called
from docxtpl itself whenever they would change anything), puts the body back in place of the mark
and writes the package. tests/test_docx_prepared.py holds both ways to the same bytes.

Not prepared (rendered by docxtpl as before): a report with charts, which adds image parts, and
a template with footnotes, which docxtpl renders once per section.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import PackError
from ..read.zipguard import ZIP_ERRORS
from ..sandbox import guarded, render_bounded
from .compiled import cache_root, from_string, private_folder

PREPARED_VERSION = "1"
DOCUMENT = "word/document.xml"
CORE = "docProps/core.xml"
MARK = "reportgen:body"  # the comment that stands in for the body
BODY_MARK = f"<!--{MARK}-->".encode()
FACTS = "reportgen-prepared.json"  # a member of the kept zip beside the parts
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
MAX_TEMPLATE_BYTES = 50 * 1024 * 1024  # read whole to be hashed; the shipped one is 13 kB
_MEMORY_LIMIT = 8  # prepared templates kept per process: one per pack in use

_memory: dict[str, Prepared | None] = {}


class Prepared:
    """A template ready to render: its parts, the Jinja sources, and what the renderer must
    know of its styles and page (`facts`)."""

    __slots__ = ("members", "sources", "facts")

    def __init__(self, members: dict[str, bytes], sources: dict[str, str], facts: dict[str, Any]) -> None:
        self.members = members  # every part as python-docx writes it; the body is BODY_MARK
        self.sources = sources  # member → the Jinja source docxtpl renders for it
        self.facts = facts


def prepared_template(template: Path, prepare: Any) -> Prepared | None:
    """The prepared form of `template`, from memory, the user's cache or `prepare(path)` (which
    returns None for a template that must be rendered by docxtpl); None then."""
    try:
        with template.open("rb") as fh:
            data = fh.read(MAX_TEMPLATE_BYTES + 1)
    except OSError:
        return None  # docxtpl's path says what is wrong with it
    if len(data) > MAX_TEMPLATE_BYTES:
        return None  # and refuses what is too large to be a report template
    key = _key(data)
    if key in _memory:
        return _memory[key]
    folder = cache_root() / "docx"
    path = folder / f"{key}.zip"
    prepared = _read(path)
    if prepared is None:
        prepared = prepare(template)
        if private_folder(folder):
            _write(path, prepared)
    if len(_memory) >= _MEMORY_LIMIT:
        _memory.clear()
    _memory[key] = prepared if isinstance(prepared, Prepared) else None
    return _memory[key]


def _key(data: bytes) -> str:
    """The template's content and the code that prepares it."""
    digest = hashlib.sha256(data)
    digest.update(_preparer().encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _preparer() -> str:
    """What prepares a template: this code's version and the installed docxtpl, python-docx and
    lxml (a new install rewrites their files). The same for the whole process."""
    import importlib.util

    from lxml import etree

    stamps = [PREPARED_VERSION, str(etree.LXML_VERSION)]
    for package, module in (("docxtpl", "template.py"), ("docx", "__init__.py")):
        spec = importlib.util.find_spec(package)
        origin = Path(spec.origin).parent / module if spec is not None and spec.origin else None
        try:
            info = origin.stat() if origin is not None else None
        except OSError:
            info = None
        stamps.append(f"{package}:{info.st_size}:{info.st_mtime_ns}" if info else f"{package}:-")
    return "\0".join(stamps)


def _read(path: Path) -> Prepared | str | None:
    """A kept preparation; "docxtpl" for a template kept as one docxtpl must render; None when
    there is none or it is damaged (it is prepared again)."""
    try:
        with zipfile.ZipFile(path) as z:
            members = {name: z.read(name) for name in z.namelist()}
        facts = json.loads(members.pop(FACTS))
        if facts.get("docxtpl"):
            return "docxtpl"
        sources = facts.pop("sources")
        if DOCUMENT not in sources or CORE not in members or members.get(DOCUMENT, b"").count(BODY_MARK) != 1:
            return None
        facts["styles"], facts["width"], facts["signoff"]["sizes"], facts["signoff"]["known"]  # noqa: B018 - all there
        return Prepared(members, sources, facts)
    except (*ZIP_ERRORS, KeyError, TypeError, AttributeError):
        return None  # never a reason to fail a build


def _write(path: Path, prepared: Prepared | None) -> None:
    from ..write.atomic import write_atomic

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        if prepared is None:
            z.writestr(FACTS, json.dumps({"docxtpl": True}))
        else:
            for name, blob in prepared.members.items():
                z.writestr(name, blob)
            z.writestr(FACTS, json.dumps(prepared.facts | {"sources": prepared.sources}, ensure_ascii=False))
    try:
        write_atomic(path, buf.getvalue())
    except OSError:
        pass  # a full or vanished folder: the next build prepares it again


def prepare(tpl: Any, facts: dict[str, Any]) -> Prepared | None:
    """Prepare the docxtpl template `tpl` (loaded, not rendered; it is spent afterwards)."""
    from lxml import etree

    docx = tpl.docx
    if any(part.content_type.endswith(".footnotes+xml") for part in docx.part.package.parts):
        return None
    sources = {DOCUMENT: paragraph_lines(tpl.patch_xml(tpl.get_xml()))}
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            xml = tpl.get_part_xml(part)
            if tpl.get_headers_footers_encoding(xml).lower().replace("-", "") != "utf8":
                return None
            sources[str(part.partname).lstrip("/")] = paragraph_lines(tpl.patch_xml(xml))
    if any(node.text == MARK for node in docx.element.iter(etree.Comment)):
        return None  # the template holds the mark itself: the body could not be told from it
    docx.core_properties  # noqa: B018 - python-docx adds the part a template lacks, as rendering does
    root = docx.element
    root.replace(root.body, etree.Comment(MARK))
    buf = io.BytesIO()
    docx.save(buf)
    with zipfile.ZipFile(buf) as z:
        members = {name: z.read(name) for name in z.namelist()}
    return Prepared(members, sources, facts)


def paragraph_lines(xml: str) -> str:
    """Each paragraph on a line of its own, as docxtpl gives it to Jinja (so that an error's line
    number points at a paragraph)."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def render_part(env: Any, source: str, context: dict[str, Any], where: str) -> str:
    """One part's Jinja source rendered and finished as docxtpl finishes it."""
    compiled = from_string(env, source, where)
    xml = render_bounded(lambda: compiled.generate(context), where)
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    for escaped, tag in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
        xml = xml.replace(escaped, tag)
    if any(c in xml for c in "\t\a\n\f"):  # otherwise resolve_listing returns the text unchanged
        from docxtpl import DocxTemplate

        xml = DocxTemplate.resolve_listing(None, xml)  # uses nothing of the instance
    return xml


def render_prepared(prepared: Prepared, context: dict[str, Any], env: Any, where: str,
                    signoff: dict[str, Any]) -> tuple[dict[str, bytes], Any]:
    """The rendered package's parts, and the report's time for its core properties."""
    return guarded(lambda: _render(prepared, context, env, where, signoff), where)


def _render(prepared: Prepared, context: dict[str, Any], env: Any, where: str,
            signoff: dict[str, Any]) -> tuple[dict[str, bytes], Any]:
    from lxml import etree

    members = dict(prepared.members)
    body_xml = render_part(env, prepared.sources[DOCUMENT], context, where)
    body = etree.fromstring(body_xml, etree.XMLParser(recover=True))  # as docxtpl's fix_tables reads it
    if not _tables_whole(body):
        from docxtpl import DocxTemplate

        body = DocxTemplate.fix_tables(None, body_xml)  # uses nothing of the instance
    for number, element in enumerate(body.iter(f"{_WP}docPr"), start=1001):  # docxtpl's fix_docpr_ids
        element.attrib["id"] = str(number)
    indent_signoff(body, prepared.facts["signoff"], signoff)
    parser = _python_docx_parser()
    # In place of the mark, as docxtpl puts the body back: lxml then drops the namespace
    # declarations the body repeats from the document, and python-docx writes the whole part.
    document = etree.fromstring(members[DOCUMENT], parser)
    mark = next(node for node in document.iter(etree.Comment) if node.text == MARK)
    document.replace(mark, body)
    members[DOCUMENT] = etree.tostring(document, encoding="UTF-8", standalone=True)
    for name, source in prepared.sources.items():
        if name != DOCUMENT:
            part = etree.fromstring(render_part(env, source, context, where).encode("utf-8"), parser)
            members[name] = etree.tostring(part, encoding="UTF-8", standalone=True)
    core = etree.fromstring(members[CORE], parser)
    render_core_templates(core, env, context, where)
    published = set_core(core, context)
    members[CORE] = etree.tostring(core, encoding="UTF-8", standalone=True)
    return members, published


def _python_docx_parser() -> Any:
    """The parser python-docx reads a part with (its whitespace handling decides the bytes)."""
    from lxml import etree

    return etree.XMLParser(remove_blank_text=True, resolve_entities=False)


def _tables_whole(body: Any) -> bool:
    """True when docxtpl's fix_tables would change nothing: no row has more cells than the
    grid has columns, and no column is left over beyond the widest row's spans."""
    try:
        for table in body.iter(f"{_W}tbl"):
            columns = len(table.find(f"{_W}tblGrid").findall(f"{_W}gridCol"))
            widest = 0
            for row in table.iter(f"{_W}tr"):
                cells = row.findall(f"{_W}tc")
                if len(cells) > columns:
                    return False
                widest = max(widest, sum(_span(cell) for cell in cells))
            if columns > widest:
                return False
    except (AttributeError, TypeError, ValueError):
        return False  # docxtpl's own pass says what is wrong
    return True


def _span(cell: Any) -> int:
    props = cell.find(f"{_W}tcPr")
    span = None if props is None else props.find(f"{_W}gridSpan")
    return 1 if span is None else int(span.get(f"{_W}val"))


# ---- What both ways do to the rendered document -----------------------------------------------

# w:pPr's children in schema order (ECMA-376 CT_PPrBase, then rPr, sectPr, pPrChange): a new
# w:ind goes before the first of those after it, as Word requires.
_PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd "
    "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
    "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
_AFTER_IND = {f"{_W}{tag}" for tag in _PPR_ORDER[_PPR_ORDER.index("ind") + 1 :]}
EMU_PER_PT, EMU_PER_TWIP = 12700, 635


def signoff_facts(styles: Any, paragraph_type: Any, name: str) -> dict[str, Any]:
    """Which paragraph styles are the sign-off style `name`, as python-docx resolves a
    paragraph's style (an id that is missing, unknown or not a paragraph style's is the default
    paragraph style, kept under ""): their font sizes (pt; 16 when the style gives none) under
    "sizes", and every style id the template knows under "known"."""
    from docx.oxml.ns import qn

    known = [s.get(qn("w:styleId")) for s in styles.element.iterfind(qn("w:style"))]
    sizes: dict[str, float] = {}
    for style_id in [None, *known]:
        style = styles.get_by_id(style_id, paragraph_type)
        if style is not None and style.name == name:
            sizes[style_id or ""] = style.font.size.pt if style.font.size else 16.0
    return {"sizes": sizes, "known": sorted(k for k in known if k)}


def indent_signoff(body: Any, styles: dict[str, Any], signoff: dict[str, Any]) -> None:
    """GB/T 9704-2012 7.3.5.2 for the two 落款 paragraphs: the organ 右空二字, the date's first
    character two characters right of the organ's (or the date 右空二字 and the organ moved left,
    when the date is the longer). Word's rightChars keeps this true at any font size.

    `styles` (from `signoff_facts`) says which paragraphs are 落款 paragraphs. Only the body's
    own paragraphs count, as in python-docx's Document.paragraphs."""
    if not signoff:
        return
    known, sizes = set(styles["known"]), styles["sizes"]
    paras = []
    for p in body.iterfind(f"{_W}p"):
        style = p.find(f"{_W}pPr/{_W}pStyle")
        style_id = style.get(f"{_W}val") if style is not None else None
        size = sizes.get(style_id if style_id and style_id in known else "")
        if size is not None:
            paras.append((p, size))
    if len(paras) != 2:  # a pack that lays out its own sign-off keeps it as drawn
        return
    from lxml import etree

    for (p, size), chars in zip(paras, (signoff["organ_indent"], signoff["date_indent"]), strict=True):
        ppr = p.find(f"{_W}pPr")
        if ppr is None:  # a default-style paragraph: its properties come first, as python-docx adds them
            ppr = etree.Element(f"{_W}pPr")
            p.insert(0, ppr)
        ind = ppr.find(f"{_W}ind")
        if ind is None:
            ind = etree.Element(f"{_W}ind")
            later = next((child for child in ppr if child.tag in _AFTER_IND), None)
            if later is None:
                ppr.append(ind)
            else:
                later.addprevious(ind)
        # python-docx's Pt() and twips, which Word reads the same: int(EMU), then the nearest twip
        emu = int(chars * size * EMU_PER_PT)
        ind.set(f"{_W}right", str(int(round(emu / float(EMU_PER_TWIP)))))
        ind.set(f"{_W}rightChars", str(int(round(chars * 100))))


# Core properties that docxtpl renders as templates (the rest it leaves alone): python-docx's
# names and the elements of docProps/core.xml that hold them.
_DC = "{http://purl.org/dc/elements/1.1/}"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
CORE_ELEMENTS = {
    "author": f"{_DC}creator", "comments": f"{_DC}description", "identifier": f"{_DC}identifier",
    "language": f"{_DC}language", "subject": f"{_DC}subject", "title": f"{_DC}title",
    "last_modified_by": f"{_CP}lastModifiedBy", "category": f"{_CP}category", "keywords": f"{_CP}keywords",
    "revision": f"{_CP}revision",
}
TEMPLATED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
MAX_PROPERTY_CHARS = 255  # python-docx and Word keep no more in one core property


def render_core_templates(core: Any, env: Any, context: dict[str, Any], where: str) -> None:
    """docxtpl renders each core property as a template; only one that holds a tag is compiled
    (a lexer and six compiles on every build otherwise, for texts that hold none)."""
    from markupsafe import Markup

    for name in TEMPLATED_PROPERTIES:
        text = _core_text(core, name)
        if "{{" in text or "{%" in text:
            compiled = from_string(env, text, where)
            text = render_bounded(lambda c=compiled: c.generate(context), name)
            _set_core_text(core, name, Markup(text).unescape())  # plain text, not XML: “&”, not “&amp;”


def set_core(core: Any, context: dict[str, Any]) -> Any:
    """Title, subject and author from the report (never the template's); returns the report's
    publication date as the document's time when SOURCE_DATE_EPOCH gives none."""
    from datetime import UTC, datetime

    from .typeset import date_parts

    meta = context.get("meta") or {}
    organ = str(meta.get("organ", ""))
    year = meta.get("year", "")
    values = {
        "title": str(context.get("title", "")),
        "subject": f"{year}年度政府信息公开工作年度报告" if year else "政府信息公开工作年度报告",
        "author": organ, "last_modified_by": organ, "category": "政府信息公开工作年度报告",
        "keywords": "政府信息公开", "comments": "", "language": "zh-CN", "revision": "1",
    }
    for name, value in values.items():
        _set_core_text(core, name, value)
    parts = date_parts(str(meta.get("publish_date") or ""))
    if parts is None:
        return None
    try:
        return datetime(*parts, tzinfo=UTC)
    except ValueError:  # 2月30日: shown as written, but no document time
        return None


def _core_text(core: Any, name: str) -> str:
    element = core.find(CORE_ELEMENTS[name])
    return "" if element is None or element.text is None else element.text


def _set_core_text(core: Any, name: str, value: str) -> None:
    """As python-docx sets a core property: the element added at the end when missing."""
    from lxml import etree

    element = core.find(CORE_ELEMENTS[name])
    if element is None:
        element = etree.SubElement(core, CORE_ELEMENTS[name])
    element.text = str(value)[:MAX_PROPERTY_CHARS]


class Parts(dict[str, bytes]):
    """A package's parts by name, read as check_docx_parts reads a zip."""

    def namelist(self) -> list[str]:
        return list(self)

    def read(self, name: str) -> bytes:
        return bytes(self[name])


__all__ = ["Prepared", "prepared_template", "prepare", "paragraph_lines", "render_prepared", "render_part", "indent_signoff",
           "signoff_facts", "set_core", "render_core_templates", "Parts", "PackError"]
