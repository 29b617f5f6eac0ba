"""Write: a report as a workbook for people or a JSON document for programs; files atomically."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..model import Report
from .atomic import write_atomic

SAVE_SUFFIXES = (".xlsx", ".json")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(type(value).__name__)


def to_json(data: Any) -> str:
    """`data` as reportgen writes JSON: UTF-8 text, decimals as strings, one space indent."""
    return json.dumps(data, ensure_ascii=False, indent=1, default=_default) + "\n"


def check_save_suffix(path: Path, what: str = "文件名") -> None:
    """Refuse an output that is neither a workbook nor a JSON document (exit 2)."""
    if path.suffix.lower() not in SAVE_SUFFIXES:
        raise UserError(f"{what}应以 .xlsx（工作簿）或 .json（JSON数据）结尾", file=str(path))


def save(report: Report, path: str | Path) -> None:
    """Write `report` as a workbook (.xlsx) for people or a JSON document (.json) for programs."""
    path = Path(path)
    check_save_suffix(path)
    if path.suffix.lower() == ".xlsx":
        from .workbook import write_workbook

        write_workbook(path, report=report)
    else:
        from .document import to_document

        write_atomic(path, to_json(to_document(report)).encode("utf-8"))


__all__ = ["SAVE_SUFFIXES", "check_save_suffix", "save", "to_json"]
