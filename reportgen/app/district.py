"""The district view of the workbench: the units' workbooks in --data with their status, merged and
built into the district report in a thread whose progress the page polls."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ReportgenError, UserError
from ..findings import ERROR, WARNING
from .answers import zip_files

log = logging.getLogger("reportgen.serve")


def within(data: Path, text: str) -> str:
    """A message naming the units by their place in the --data folder, not by the server's paths."""
    return text.replace(str(data) + os.sep, "").replace(str(data), "")


def unit_rows(data: Path) -> list[dict[str, Any]]:
    """Every workbook in the folder with its status: 通过, 警告 or 错误, and the first problem."""
    from ..read import load
    from .batch import expand_inputs
    from .pipeline import check

    try:
        sources = expand_inputs([data])
    except UserError:
        return []
    rows: list[dict[str, Any]] = []
    for source in sources:
        row: dict[str, Any] = {"file": source.relative_to(data).as_posix(), "organ": "", "year": None,
                               "errors": 0, "warnings": 0, "message": ""}
        try:
            report = load(source)
            findings = check(report)
        except ReportgenError as e:
            rows.append(row | {"status": "错误", "errors": 1, "message": within(data, str(e))})
            continue
        errors = [f for f in findings if f.severity == ERROR]
        warnings = [f for f in findings if f.severity == WARNING]
        status = "错误" if errors else "警告" if warnings else "通过"
        first = (errors or warnings)[0] if errors or warnings else None
        rows.append(row | {"status": status, "organ": str(report.meta.get("organ") or ""), "year": report.year,
                           "errors": len(errors), "warnings": len(warnings), "message": str(first or "")})
    return rows


@dataclass
class Job:
    """One merge-and-build of the district report, run in a thread and polled by the page."""

    total: int = 1
    done: int = 0
    stage: str = "准备"
    finished: bool = False
    error: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    payload: bytes | None = None
    filename: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, **changes: Any) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, value)

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"total": self.total, "done": self.done, "stage": self.stage, "finished": self.finished,
                    "ok": self.payload is not None, "error": self.error, "problems": self.problems,
                    "findings": self.findings, "filename": self.filename}


def run_district(job: Job, data: Path, organ: str, year: int | None, formats: tuple[str, ...], pack: Any,
                 skip_invalid: bool) -> None:
    """Check every unit, merge them, and build the district report and its workbook into one zip."""
    from ..write import save
    from .audit import check_summary
    from .batch import expand_inputs
    from .merge import merge_files
    from .pipeline import build, safe_name

    try:
        sources = expand_inputs([data])
        n = len(sources)
        job.update(total=n + 2, stage=f"检查各单位（0/{n}）")
        merged = merge_files(sources, organ=organ, year=year, skip_invalid=skip_invalid, jobs=1,
                             progress=lambda i: job.update(done=i, stage=f"检查各单位（{i}/{n}）"))
        if merged.report is None:
            problems = [{"file": within(data, p.source), "messages": [within(data, m) for m in p.messages]}
                        for p in merged.problems]
            job.update(problems=problems, error=f"{len(problems)}个单位有错误，未汇总。改正后重试，或勾选“跳过有错误的单位”。")
            return
        job.update(done=n + 1, stage="生成汇总报告")
        with tempfile.TemporaryDirectory(prefix="reportgen-district-") as tmp:
            workbook = Path(tmp) / f"{safe_name(organ)}{merged.report.year or ''}年汇总.xlsx"
            save(merged.report, workbook)
            result = build(workbook, Path(tmp) / "out", formats, pack)
            if result.failed:
                summary = check_summary(workbook.name, result.findings)
                job.update(findings=summary["findings"], error="汇总后的数据有错误，未生成报告。")
                return
            skipped = f"（已跳过{len(merged.skipped)}个有错误的单位）" if merged.skipped else ""
            job.update(payload=zip_files([workbook, *result.outputs]), filename=result.outputs[0].stem + ".zip",
                       done=n + 2, stage=f"已汇总{len(merged.report.units)}个单位{skipped}")
    except ReportgenError as e:
        job.update(error=within(data, str(e)))
    except Exception:
        log.exception("汇总时内部错误")
        job.update(error="内部错误。请把运行 reportgen serve 的窗口中显示的信息报告给维护者。")
    finally:
        job.update(finished=True)


