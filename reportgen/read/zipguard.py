"""Refuse zip bombs and XML entity bombs in Office files before anything inflates or parses them."""

from __future__ import annotations

import zipfile
import zlib

from ..errors import UserError

# What reading a damaged zip raises: a bad directory, a member cut short (EOFError), an encrypted
# one (RuntimeError), an unknown compression method, a broken deflate stream, a bad date or size.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError, ValueError,
              NotImplementedError, zlib.error)

MAX_PART = 20 * 1024 * 1024  # one XML part inflated; the standard workbook's largest is ~50 kB
MAX_INFLATED = 400 * 1024 * 1024  # all members together, as the zip directory declares them
MAX_RATIO = 100  # deflated XML of a real Office file is 5–20×; a zip bomb is 1000×
XML_SUFFIXES = (".xml", ".rels", ".vml")


def guard_zip(z: zipfile.ZipFile, source: str, *, what: str, error: type[UserError]) -> None:
    """Refuse a zip bomb or an XML entity bomb before anything inflates or parses it.

    The directory's declared sizes are checked first (nothing inflated); then each XML part is
    inflated here in chunks under a cap, so a part that lies about its size is caught too
    (zipfile stops at the declared size, and the CRC then fails), and scanned for DOCTYPE:
    Excel, Word and WPS never write one, and it is how billion-laughs and external entities
    come in. `what` names the file for the message (工作簿, Word 模板); `error` is raised.
    """
    bomb = f"{what}的压缩内容异常（疑似“压缩炸弹”），为安全起见拒绝读取"
    remedy = "请用Excel、Word或WPS打开后“另存为”新文件再试"
    infos = z.infolist()
    if sum(i.file_size for i in infos) > MAX_INFLATED:
        raise error(bomb, file=source, where="解压后总计超过400 MB", hint=remedy)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        is_xml = info.filename.lower().endswith(XML_SUFFIXES)
        if (is_xml and info.file_size > MAX_PART) or (info.file_size > 1024 * 1024 and ratio > MAX_RATIO):
            raise error(bomb, file=source, where=info.filename, hint=remedy)
    for info in infos:
        if info.filename.lower().endswith(XML_SUFFIXES):
            _scan_xml(z, info, source, what, error)


def _scan_xml(z: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, what: str, error: type[UserError]) -> None:
    tail = b""
    seen = 0
    with z.open(info) as fh:
        while chunk := fh.read(1024 * 1024):
            seen += len(chunk)
            if seen > MAX_PART:
                raise error(f"{what}的压缩内容异常，为安全起见拒绝读取", file=source, where=info.filename)
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                raise error(
                    f"{what}中含有XML实体声明（DOCTYPE），Excel、Word和WPS不会生成这样的文件，为安全起见拒绝读取",
                    file=source, where=info.filename, hint="请用Excel、Word或WPS打开后“另存为”新文件再试",
                )
            tail = chunk[-16:]


MAX_XML_DEPTH = 200  # Word nests a table in a content control in a table … some 20 levels deep


def check_xml_tree(data: bytes, source: str, part: str, *, what: str, error: type[UserError]) -> None:
    """Refuse an XML part that is malformed or nested deeper than any real document, before a
    parser that recurses in Python (ElementTree walkers) meets it: 5,000 nested content controls
    would end in RecursionError. Streamed by lxml (C, no entities, no network), nothing kept."""
    import io

    from lxml import etree

    depth = 0
    try:
        for event, el in etree.iterparse(io.BytesIO(data), events=("start", "end"), resolve_entities=False,
                                         no_network=True, huge_tree=False):
            depth += 1 if event == "start" else -1
            if depth > MAX_XML_DEPTH:
                raise error(f"{what}的结构嵌套过深（超过{MAX_XML_DEPTH}层），不像正常的文档，为安全起见拒绝读取",
                            file=source, where=part, hint="请在Word或WPS中打开后“另存为”新文件再试")
            if event == "end":
                el.clear()
    except etree.XMLSyntaxError as e:
        raise error(f"{what}已损坏，无法读取（{part} 不是完整的XML）", file=source, where=part,
                    hint="请在Word或WPS中打开后“另存为”新文件再试") from e
