"""The pipeline as a library: load → check → compute → render, usable without the CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import checks
from .context import build_context, fill_placeholders, placeholder_namespace
from .errors import OutputError, UserError, os_reason
from .facts import build_facts
from .findings import ERROR, WARNING, Finding, has_errors
from .model import Report
from .numbers import Settings
from .outputs import write_atomic
from .packs import Pack, find_pack, pack_for
from .readers import load
from .textcheck import stale_numbers, stale_percentages

FORMATS = ("docx", "html", "pdf", "json")
DEFAULT_FORMATS = ("docx", "html")


def check(report: Report) -> list[Finding]:
    """Every finding: reading notes, identities, years, placeholders and stale numbers in text."""
    findings = checks.check(report)
    filled = report.narrative
    if any("{{" in t or "{%" in t for t in report.narrative.values()):
        namespace = placeholder_namespace(report, build_facts(report, Settings()))
        filled, problems = fill_placeholders(report, namespace)
        findings += problems
    texts = filled | report.extra_text
    findings += stale_numbers(report, texts)
    findings += stale_percentages(report, texts)
    return findings


def safe_name(stem: str) -> str:
    """`stem` usable as a file name on Windows too."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", stem).strip(" .") or "report"


def output_stem(report: Report) -> str:
    """临沂市兰山区人民政府2021年政府信息公开工作年度报告 (safe as a Windows file name)."""
    organ = str(report.meta.get("organ") or "未命名机关")
    year = report.meta.get("year") or ""
    return safe_name(f"{organ}{year}年政府信息公开工作年度报告")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(type(value).__name__)


def computed_model(report: Report, context: dict[str, Any], findings: list[Finding]) -> dict[str, Any]:
    """The whole computed model for `--format json`: inputs, derived figures, facts, sentences."""
    fmt = report.format
    return {
        "format": fmt.key,
        "meta": context["meta"],
        "title": context["title"],
        "settings": context["settings"],
        "active_disclosure": context.get(fmt.active.key, {}),
        "requests": context.get(fmt.requests.key, {}),
        "appeals": context.get(fmt.appeals.key, {}),
        "other_matters": context.get("other_matters", {}),
        "previous": context["previous"],
        "facts": context["facts"],
        "sentences": context["sentences"],
        "headings": context["headings"],
        "narrative": context["narrative"],
        "units": context["units"],
        "findings": [f.as_dict() for f in findings],
    }


def check_summary(file: str, findings: list[Finding], *, strict: bool = False) -> dict[str, Any]:
    """One file's result as `reportgen check --json` gives it; with `strict`, warnings fail too."""
    failing = any(f.severity == ERROR or (strict and f.severity == WARNING) for f in findings)
    return {"file": file, "ok": not failing, "findings": [f.as_dict() for f in findings]}


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, default=_default) + "\n"


def check_output_dir(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise OutputError("已有同名的文件，不能用作输出文件夹", file=str(outdir), hint="请换一个输出文件夹")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"无法创建输出文件夹（{os_reason(e)}）", file=str(outdir)) from e
    if not os.access(outdir, os.W_OK):
        raise OutputError("输出文件夹不可写", file=str(outdir), hint="请换一个文件夹，或检查文件夹权限")


@dataclass
class BuildResult:
    source: str
    outputs: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return has_errors(self.findings)


def build(
    source: str | Path,
    outdir: str | Path,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    pack: Pack | None = None,
) -> BuildResult:
    """Check `source`, and when it has no errors render it into `outdir` in `formats`."""
    report = load(source)
    result = BuildResult(str(source))
    result.findings = check(report)
    if result.failed:
        return result
    pack = pack_for(report.format.key, pack)
    context, problems = build_context(report, pack)
    result.findings += [p for p in problems if p not in result.findings]
    out = Path(outdir)
    check_output_dir(out)
    stem = output_stem(report)
    # All or nothing: every format is rendered into a hidden folder beside the outputs, and only
    # when all succeeded are they renamed into place, so a failure (a pack error, LibreOffice
    # crashing, Ctrl-C) leaves last time's report as it was and no half-written file behind.
    try:
        staging = Path(tempfile.mkdtemp(prefix=".reportgen-", dir=out))
    except OSError as e:
        raise OutputError(f"无法在输出文件夹中写入（{os_reason(e)}）", file=str(out),
                          hint="请换一个文件夹，或检查文件夹权限") from e
    try:
        staged = _render_all(report, context, result.findings, pack, formats, staging, stem)
        finals = [out / p.name for p in staged]
        for final in finals:
            if final.is_dir():
                raise OutputError("已有同名的文件夹，无法写入报告", file=str(final))
        for path, final in zip(staged, finals, strict=True):
            try:
                path.replace(final)
            except OSError as e:
                raise OutputError(
                    f"无法写入（{os_reason(e)}）", file=str(final), hint="如果该文件正在Word或WPS中打开，请先关闭后重试"
                ) from e
            result.outputs.append(final)
    except OSError as e:
        if isinstance(e, OutputError):
            raise
        raise OutputError(f"无法写入输出文件（{os_reason(e)}）", file=str(e.filename or out)) from e
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _render_all(report: Report, context: dict[str, Any], findings: list[Finding], pack: Pack,
                formats: tuple[str, ...], folder: Path, stem: str) -> list[Path]:
    """Render the chosen formats into `folder`; the paths in the order they are reported."""
    staged: list[Path] = []
    if "json" in formats:
        path = folder / f"{stem}.json"
        write_atomic(path, to_json(computed_model(report, context, findings)).encode("utf-8"))
        staged.append(path)
    if "html" in formats:
        from .render_html import render_html

        path = folder / f"{stem}.html"
        write_atomic(path, render_html(context, pack).encode("utf-8"))
        staged.append(path)
    if "docx" in formats or "pdf" in formats:
        from .render_docx import render_docx

        docx = folder / f"{stem}.docx"
        render_docx(context, pack, docx)
        if "docx" in formats:
            staged.append(docx)
        if "pdf" in formats:
            from .render_pdf import docx_to_pdf

            pdf = folder / f"{stem}.pdf"
            docx_to_pdf(docx, pdf)
            staged.append(pdf)
    return staged


SAVE_SUFFIXES = (".xlsx", ".json")


def save(report: Report, path: str | Path) -> None:
    """Write `report` as a workbook (.xlsx) for people or a JSON document (.json) for programs."""
    from .readers import to_document

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from .workbook import write_workbook

        write_workbook(path, report=report)
    elif suffix == ".json":
        write_atomic(path, to_json(to_document(report)).encode("utf-8"))
    else:
        raise UserError("文件名应以 .xlsx（工作簿）或 .json（JSON数据）结尾", file=str(path))


def parse_formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(x.strip().lower() for x in text.split(",") if x.strip()))
    unknown = [x for x in chosen if x not in FORMATS]
    if unknown or not chosen:
        raise UserError(
            f"不认识的输出格式：{'、'.join(unknown) or '（空）'}", hint=f"可选：{','.join(FORMATS)}"
        )
    return chosen


__all__ = ["load", "check", "build", "build_context", "find_pack", "computed_model", "output_stem"]
