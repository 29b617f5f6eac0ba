"""What a pack's report.docx may carry: an allow-list of parts and relationships, no external targets, no fetching fields."""

from __future__ import annotations

import re
import zipfile
from typing import Any

from ..errors import PackError

# Every part a report template needs (Word and WPS write these); macros (vbaProject.bin),
# ActiveX controls, embedded OLE objects, alternative-format chunks and anything else are refused.
ALLOWED_PARTS = re.compile(
    r"^(\[Content_Types\]\.xml"
    r"|_rels/\.rels"
    r"|docProps/(core|app|custom)\.xml"
    r"|docProps/thumbnail\.(jpeg|jpg|png|emf|wmf)"
    r"|customXml/(item\d+|itemProps\d+)\.xml|customXml/_rels/item\d+\.xml\.rels"
    r"|word/(document|styles|stylesWithEffects|settings|webSettings|fontTable|numbering|footnotes|endnotes"
    r"|comments|commentsExtended|commentsIds|commentsExtensible|people)\.xml"
    r"|word/(header|footer)\d+\.xml"
    r"|word/theme/theme\d+\.xml"
    r"|word/media/[^/]+\.(png|jpeg|jpg|gif|bmp|emf|wmf|tif|tiff|svg)"
    r"|word/fonts/[^/]+\.(odttf|ttf)"
    r"|word/_rels/[^/]+\.xml\.rels)$",
    re.IGNORECASE,
)
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships/"
_MS = "http://schemas.microsoft.com/office/"
ALLOWED_RELATIONSHIPS = {
    *(_OFFICE + t for t in (
        "officeDocument", "extended-properties", "custom-properties", "styles", "settings", "webSettings",
        "fontTable", "theme", "numbering", "footer", "header", "footnotes", "endnotes", "customXml",
        "customXmlProps", "image", "hyperlink", "comments", "font",
    )),
    _PACKAGE + "metadata/core-properties",
    _PACKAGE + "metadata/thumbnail",
    _MS + "2007/relationships/stylesWithEffects",
    _MS + "2011/relationships/people",
    _MS + "2011/relationships/commentsExtended",
    _MS + "2016/09/relationships/commentsIds",
    _MS + "2018/08/relationships/commentsExtensible",
}
# Only a hyperlink may point outside the document, and only to a web page or an e-mail address:
# a file:// or \\server link would make Word reach into the network (and send NTLM credentials).
SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
# Field codes that make Word fetch something when the report is opened or updated.
FETCHING_FIELDS = re.compile(r"\b(INCLUDEPICTURE|INCLUDETEXT|INCLUDE|LINK|DDE|DDEAUTO|IMPORT|DATABASE)\b", re.IGNORECASE)
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_INSTR_TEXT = re.compile(rb"<w:instrText\b[^>]*>([^<]*)</w:instrText>")
_FLD_SIMPLE = re.compile(rb'<w:fldSimple\b[^>]*\bw:instr="([^"]*)"')
REMEDY = "请在 Word 或 WPS 中删除它后另存；报告模板只能使用模板本身所含的内容"


def check_docx_parts(z: zipfile.ZipFile | Any, source: str) -> None:
    """Refuse a report template (or a rendered report) that would reach outside when opened.

    `z` is a zip or anything that reads like one (render/prepared.py's Parts). Called on the pack's report.docx before it is parsed (so `templates check` and `build`
    refuse it) and on the rendered document before it is written (so a template cannot
    compose such a field out of its own placeholders). Parts are zipguard-checked before this.
    """
    for name in z.namelist():
        if name.endswith("/"):
            continue
        if not ALLOWED_PARTS.match(name):
            raise PackError(f"Word 模板中含有不允许的部件“{name}”（如宏、控件或嵌入对象），为安全起见拒绝使用",
                            file=source, hint=REMEDY)
        data = z.read(name)
        if name.endswith(".rels"):
            _check_relationships(name, data, source)
        elif name.startswith("word/") and name.endswith(".xml"):
            _check_fields(name, data, source)


def _check_relationships(name: str, data: bytes, source: str) -> None:
    for tag in _RELATIONSHIP.findall(data):
        attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}
        kind, target = attrs.get("Type", ""), attrs.get("Target", "")
        if kind not in ALLOWED_RELATIONSHIPS:
            shown = kind.rsplit("/", 1)[-1] or "未知"
            raise PackError(f"Word 模板中含有不允许的关系“{shown}”（{target}），为安全起见拒绝使用",
                            file=source, where=name, hint=REMEDY)
        if attrs.get("TargetMode", "").lower() == "external" and not (
            kind.endswith("/hyperlink") and SAFE_LINK.match(target)
        ):
            what = "超链接" if kind.endswith("/hyperlink") else "外部资源"
            raise PackError(f"Word 模板中含有指向外部的{what}（{target}），打开生成的报告时会访问该地址，为安全起见拒绝使用",
                            file=source, where=name, hint=REMEDY)


def _check_fields(name: str, data: bytes, source: str) -> None:
    # A field's code may be split over several runs: join them before looking.
    codes = b"".join(_INSTR_TEXT.findall(data)).decode("utf-8", "replace")
    simple = " ".join(v.decode("utf-8", "replace") for v in _FLD_SIMPLE.findall(data))
    for text in (codes, simple):
        m = FETCHING_FIELDS.search(text)
        if m:
            raise PackError(f"Word 模板中含有会从外部读取内容的域“{m.group(1).upper()}”，为安全起见拒绝使用",
                            file=source, where=name, hint=REMEDY)
        for target in _HYPERLINK_FIELD.findall(text):
            if not SAFE_LINK.match(target):
                raise PackError(f"Word 模板中含有指向外部的超链接域（{target}），为安全起见拒绝使用",
                                file=source, where=name, hint=REMEDY)


_HYPERLINK_FIELD = re.compile(r'\bHYPERLINK\s+"([^"]*)"', re.IGNORECASE)
