"""Read: any input reportgen understands → `Report`, every value remembering where it was read.

Readers know the format only through its definition: a workbook (read.workbook), a JSON data
document (read.document) or a published report's Word file, web page or text (read.published).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UnreadableInput, UserError
from ..model import Report
from .files import regular_file

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
# Files a clerk may hand us that we cannot read, with what to do instead.
OTHER_SUFFIXES = {
    ".xls": "这是旧版Excel格式（.xls），请在Excel或WPS中“另存为”Excel工作簿（.xlsx）后再试",
    ".et": "这是WPS表格格式（.et），请在WPS中“另存为”Excel工作簿（.xlsx）后再试",
    ".ods": "请在LibreOffice或WPS中“另存为”Excel工作簿（.xlsx）后再试",
    ".csv": "CSV文件无法保存表格结构，请用 reportgen init 生成的工作簿（.xlsx）填写",
    ".doc": "这是旧版Word文档（.doc），请在Word或WPS中“另存为”.docx 后再试（可读取已发布报告中的表格）",
    ".wps": "这是WPS文字文档；reportgen读取的是填好的工作簿（.xlsx）或JSON数据",
}
UNSUPPORTED_HINT = "请提供工作簿（.xlsx）、JSON文件，或已发布年度报告的网页（.html）或文本（.txt）"
# A published report copied from a website: its tables are read back (see published.py).
PUBLISHED_SUFFIXES = {".txt", ".html", ".htm", ".shtml", ".docx", ".pdf"}

def load(path: str | Path) -> Report:
    """Read a workbook (.xlsx), a JSON document, or the tables of a published report (.txt, .html)
    into a `Report`.

    Raises `UserError` when the file cannot be read at all; every problem with a value is a
    finding in ``report.findings`` instead.
    """
    p = Path(path)
    if not p.exists():
        raise UserError("文件不存在", file=str(p), hint="请检查文件名和路径")
    if p.is_dir():
        raise UserError("这是一个文件夹，不是工作簿或JSON文件", file=str(p))
    regular_file(p)
    if p.name.startswith(("~$", ".~")):
        raise UnreadableInput(
            "这是Excel或WPS打开工作簿时生成的临时锁定文件，不是工作簿本身", file=str(p),
            hint=f"请选择名为“{p.name.lstrip('~$.')}”的文件；若提示文件被占用，请先在Excel或WPS中关闭它",
        )
    suffix = p.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        from .workbook import read_workbook

        return read_workbook(p)
    if suffix == ".json":
        from .document import read_json

        return read_json(p)
    if suffix in PUBLISHED_SUFFIXES:
        from .published import read_published

        return read_published(p)
    if suffix in OTHER_SUFFIXES:
        raise UnreadableInput("无法读取", file=str(p), hint=OTHER_SUFFIXES[suffix])
    raise UnreadableInput(f"不支持的文件类型“{p.suffix or '无扩展名'}”", file=str(p), hint=UNSUPPORTED_HINT)
