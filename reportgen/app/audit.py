"""Check many files at once: each file's findings, or why it could not be read."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ReportgenError
from ..findings import ERROR, SEVERITY_LABEL, WARNING, Finding, Location, finding
from ..formats import get_format
from ..model import Number, Previous, Report
from ..read import load
from .pipeline import analyse

COLUMN_LABELS = {c.key: c.label for c in get_format().requests.columns}
REPORT_COLUMNS = ("文件", "报告机关", get_format().meta_label("year"), "级别", "代码", "位置", "说明", "处理办法")


def findings_rows(checked: list[FileCheck]) -> list[list[Any]]:
    """One row per finding (and per file that could not be read), for the auditor's workbook."""
    rows: list[list[Any]] = []
    for c in checked:
        if c.unreadable:
            rows.append([str(c.file), "", "", SEVERITY_LABEL[ERROR], "unreadable", "", c.unreadable,
                         "核对文件是否为完整的年度报告"])
        for f in c.findings:
            if f.severity == "info":
                continue
            rows.append([str(c.file), c.organ, c.year or "", SEVERITY_LABEL[f.severity], f.code,
                         str(f.location), f.message, f.remedy])
    return rows


def write_findings_workbook(checked: list[FileCheck], path: Path) -> None:
    """审查结果.xlsx: a row per finding with file, organ, year, code, location, message, remedy."""
    from openpyxl import Workbook

    from ..write.atomic import workbook_bytes, write_atomic

    wb = Workbook()
    ws = wb.active
    ws.title = "审查结果"
    ws.append(list(REPORT_COLUMNS))
    for row in findings_rows(checked):
        ws.append(row)
    ws.freeze_panes = "A2"
    for column, width in zip("ABCDEFGH", (40, 28, 10, 8, 22, 30, 80, 50), strict=True):
        ws.column_dimensions[column].width = width
    write_atomic(path, workbook_bytes(wb))


def failing(findings: list[Finding], strict: bool) -> bool:
    """Errors fail a check; with --strict, warnings do too."""
    return any(f.severity == ERROR or (strict and f.severity == WARNING) for f in findings)


@dataclass
class FileCheck:
    """One file's outcome: its findings, or the message saying why it could not be read."""

    file: Path
    findings: list[Finding] = field(default_factory=list)
    unreadable: str = ""
    strict: bool = False
    organ: str = ""
    year: int | None = None
    carried_in: dict[str, int] | None = None  # this year's 上年结转, by applicant column
    carried_out: dict[str, int] | None = None  # its 结转下年度继续办理
    totals: dict[str, tuple[str, Number]] | None = None  # key totals (单位汇总's columns): title, value
    units: list[str] = field(default_factory=list)  # a district report's units, by organ name

    @property
    def unread(self) -> list[Finding]:
        """Parts of a published report that could not be read (their figures are unknown)."""
        return [f for f in self.findings if f.code == "not_read"]

    @property
    def ok(self) -> bool:
        return not self.unreadable and not failing(self.findings, self.strict)

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"file": str(self.file), "ok": self.ok}
        if self.unreadable:
            row["unreadable"] = self.unreadable
        row["findings"] = [f.as_dict() for f in self.findings]
        return row


def check_summary(file: str, findings: list[Finding], *, strict: bool = False) -> dict[str, Any]:
    """One file's result as `reportgen check --json` gives it; with `strict`, warnings fail too."""
    return FileCheck(Path(file), findings, strict=strict).as_dict()


def check_file(source: Path, *, strict: bool = False) -> FileCheck:
    """Read and check one file; reportgen's own errors raise (a single file's exit status 2)."""
    report = load(source)
    analysis = analyse(report)
    one = FileCheck(source, analysis.findings, strict=strict)
    one.organ, one.year = str(report.meta.get("organ") or ""), report.year
    req = report.format.requests
    carried_in, carried_out = req.balance_left[1], req.balance_right[1]
    one.carried_in = _row(report, f"{req.key}.{carried_in}", req.input_columns())
    one.carried_out = _row(report, f"{req.key}.{carried_out}", req.input_columns())
    values = analysis.computed.values
    one.totals = {key: (title, values[key]) for key, title in report.format.unit_columns() if key in values}
    one.units = unit_names(report)
    return one


def unit_names(report: Report) -> list[str]:
    """The units a district report was compiled from, by organ name: its 单位汇总 rows, else the
    names its 汇总编制依据 lists (“甲局、乙局2024年政府信息公开工作年度报告”)."""
    named = [str(u.get("organ") or "").strip() for u in report.units]
    if any(named):
        return [n for n in named if n]
    text = str(report.meta.get("compiled_from") or "").strip()
    text = re.sub(r"^(根据|汇总)", "", text)
    text = re.sub(r"(\d{4}年度?)?(政府信息公开工作)?年度报告$", "", text)
    names = [n.strip() for n in re.split(r"[、，,；;]", text) if n.strip()]
    return names if len(names) > 1 else []


def _row(report: Report, prefix: str, columns: tuple[Any, ...]) -> dict[str, int] | None:
    values = {c.key: report.figures.get(f"{prefix}.{c.key}") for c in columns}
    return None if any(v is None for v in values.values()) else {k: int(v or 0) for k, v in values.items()}


def _check_one(source: Path, strict: bool) -> FileCheck:
    try:
        one = check_file(source, strict=strict)
    except ReportgenError as e:
        return FileCheck(source, unreadable=str(e), strict=strict)
    return one


def check_files(inputs: list[Path], *, strict: bool = False, jobs: int | None = None,
                progress: Callable[[Path], None] | None = None) -> list[FileCheck]:
    """Every file checked, in parallel when there are many; one that cannot be read is
    recorded, not raised. Results keep the order of `inputs`; then the checks across reports."""
    jobs = jobs or min(os.cpu_count() or 1, 8)
    if jobs <= 1 or len(inputs) < 8:
        out = []
        for source in inputs:
            out.append(_check_one(source, strict))
            if progress:
                progress(source)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            out = []
            for source, one in zip(inputs, pool.map(_check_one, inputs, [strict] * len(inputs), chunksize=8),
                                   strict=True):
                out.append(one)
                if progress:
                    progress(source)
    across_reports(out)
    return out


def across_reports(checked: list[FileCheck]) -> None:
    """Checks that need more than one report of the collection: this year's 上年结转 against the
    same organ's last-year 结转下年度继续办理, this year's “较上年” statements against last
    year's report, and a district's key totals against the sum of its units' reports.
    Findings go to this year's (the district's) file."""
    by_organ: dict[tuple[str, int], FileCheck] = {}
    for c in checked:
        if c.organ and c.year and not c.unreadable:
            by_organ.setdefault((c.organ, c.year), c)
    for (organ, year), this in by_organ.items():
        last = by_organ.get((organ, year - 1))
        if last is not None:
            this.findings.extend(_changes_against(this, last))
        if this.units:
            this.findings.extend(_district_sums(this, by_organ))
        if last is None or this.carried_in is None or last.carried_out is None:
            continue
        for column, value in this.carried_in.items():
            before = last.carried_out.get(column)
            if before is not None and before != value:
                this.findings.append(finding(
                    "cross_carried_in", Location(file=str(this.file), key=f"requests.carried_in.{column}"),
                    f"requests.carried_in.{column}", this_year=year, last_year=year - 1,
                    column=COLUMN_LABELS.get(column, column), this=value, last=before,
                ))


def _changes_against(this: FileCheck, last: FileCheck) -> list[Finding]:
    """This year's “较上年增加N件 / 增长x%” read against last year's published figures. A report
    that carries its own 上年数据 (a workbook) was checked against those already."""
    from ..checks.prose import stated_changes
    from ..compute import compute, figures

    try:
        report, before = load(this.file), load(last.file)
    except ReportgenError:
        return []
    if report.previous is not None or report.format.key != before.format.key:
        return []
    report.previous = Previous(year=before.year, figures=dict(figures(before)[0]))
    texts = dict(report.narrative) | report.extra_text
    return list(stated_changes(report, compute(report), texts))


def _district_sums(district: FileCheck, by_organ: dict[tuple[str, int], FileCheck]) -> list[Finding]:
    """A district's key totals against the sum of its units' reports — only when every unit it
    names is in the collection (same year), since a partial sum says nothing."""
    year = district.year or 0
    units = [by_organ.get((name, year)) for name in district.units]
    if district.totals is None or not all(u is not None and u.totals is not None for u in units):
        return []
    found = []
    for key, (title, value) in district.totals.items():
        parts = [u.totals.get(key) for u in units if u is not None and u.totals is not None]
        if any(p is None for p in parts):
            continue
        total = sum((p[1] for p in parts if p is not None), start=0)
        if total != value:
            found.append(finding(
                "cross_district_sum", Location(file=str(district.file), key=key), key, year=year,
                district=district.organ, label=title, this=value, total=total, count=len(parts),
                units="、".join(district.units),
            ))
    return found
