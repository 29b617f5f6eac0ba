"""Extract: the figures of many reports (published pages, Word files, PDFs, workbooks, JSON) as
one dataset — a JSON data document per report, or one table with a row per report."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import ReportgenError, UserError
from ..formats import FORMATS, get_format
from ..model import Report
from ..read import load
from ..write import to_json
from ..write.atomic import workbook_bytes, write_atomic
from ..write.document import to_document
from .pipeline import safe_name

TABLE_SUFFIXES = (".xlsx", ".csv")
FIXED_COLUMNS = ("文件", "报告机关", get_format().meta_label("year"), "格式", "未能读取")


@dataclass
class Extracted:
    reports: list[tuple[Path, Report]] = field(default_factory=list)
    failed: list[ReportgenError] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def read_all(inputs: list[Path], progress: Callable[[Path], None] | None = None) -> Extracted:
    """Every input read; one that cannot be read is recorded, not raised."""
    out = Extracted()
    for source in inputs:
        try:
            out.reports.append((source, load(source)))
        except ReportgenError as e:
            out.failed.append(e)
        if progress:
            progress(source)
    return out


def figure_columns() -> list[str]:
    """Every figure key of every edition, in table order (inputs, then printed totals)."""
    keys: dict[str, None] = {}
    for fmt in FORMATS.values():
        keys.update((k, None) for k, _ in fmt.input_figures())
    for fmt in FORMATS.values():
        keys.update((k, None) for k in fmt.derived_figures())
    return list(keys)


def row_of(source: Path, report: Report, columns: list[str]) -> list[Any]:
    """One report as a row: what it printed, blank where a figure was not read."""
    unread = "；".join(f.message.removeprefix("报告中未能读取") for f in report.findings if f.code == "not_read")
    figures: dict[str, Any] = {**report.given, **report.figures}
    row: list[Any] = [str(source), report.meta.get("organ", ""), report.year or "", report.format.key, unread]
    row += [figures.get(k) for k in columns]
    return row


def write_extract(extracted: Extracted, out: Path) -> list[Path]:
    """Write the dataset: OUT.json (one report), OUT.xlsx / OUT.csv (a row per report), or a
    folder of JSON documents (many reports). Nothing is written when nothing was read."""
    if not extracted.reports:
        return []
    suffix = out.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        columns = figure_columns()
        rows = [row_of(s, r, columns) for s, r in extracted.reports]
        header = [*FIXED_COLUMNS, *columns]
        write_atomic(out, _xlsx(header, rows) if suffix == ".xlsx" else _csv(header, rows))
        return [out]
    if suffix == ".json":
        if len(extracted.reports) > 1:
            raise UserError("多个输入时 -o 应为文件夹、.xlsx 或 .csv", file=str(out))
        (_, report), = extracted.reports
        write_atomic(out, to_json(to_document(report, as_printed=True)).encode("utf-8"))
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for source, report in extracted.reports:
        target = out / (safe_name(source.stem) + ".json")
        n = 2
        while target in written:
            target = out / f"{safe_name(source.stem)}_{n}.json"
            n += 1
        write_atomic(target, to_json(to_document(report, as_printed=True)).encode("utf-8"))
        written.append(target)
    return written


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[("" if v is None else _plain(v)) for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")  # Excel and WPS open UTF-8 CSV by its BOM


def _xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(header)
    for row in rows:
        # money as a number Excel can add up; the exact printed text stays in the JSON
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    ws.freeze_panes = "F2"
    return workbook_bytes(wb)
