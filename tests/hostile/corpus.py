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
