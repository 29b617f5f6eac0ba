"""The pipeline as a library: load → compute → check → render, usable without the CLI."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks import check as run_checks
from ..compute import Computed, compute
from ..errors import OutputError, PackError, UserError, os_hint, os_reason
from ..findings import Finding, has_errors
from ..formats import PUBLISHED_ONLY
from ..model import Report
from ..read import load
from ..render.context import build_context as context_of
from ..render.packs import Pack, find_pack, pack_for
from ..write import SAVE_SUFFIXES, save, to_json
from ..write.atomic import folder_lock, replace_together, write_atomic

FORMATS = ("docx", "html", "pdf", "json")
DEFAULT_FORMATS = ("docx", "html")


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(frozen=True, eq=False, repr=False)
class Analysis:
    """A report read, computed under its pack's settings and checked — each done once."""

    report: Report
    pack: Pack
    computed: Computed
    findings: list[Finding]
    narrative: dict[str, str]  # staff text, placeholders filled

    @property
    def failed(self) -> bool:
        return has_errors(self.findings)

    def context(self) -> dict[str, Any]:
        """The template context for the pack's renderers."""
        return context_of(self.report, self.computed, self.narrative, self.pack)


def analyse(report: Report, pack: Pack | None = None, *, facts: bool = True) -> Analysis:
    """Compute `report`'s figures under `pack`'s number settings (default: its edition's
    standard pack) and check it: the one pass every command makes. `facts=False` leaves out the
    facts the prose quotes (to check, not render, a report whose text has no placeholders)."""
    if pack is None and report.format.key in PUBLISHED_ONLY:
        # an edition only published reports print (洪泽区: 2021 table 2, 2019 table 3) has no pack
        # of its own; it is checked under the standard pack's number settings
        pack = find_pack()
    else:
        pack = pack_for(report.format.key, pack)
    computed = compute(report, pack.settings, facts=facts)
    checked = run_checks(report, computed)
    return Analysis(report, pack, computed, checked.findings, checked.narrative)


def check(report: Report) -> list[Finding]:
    """Every finding: reading notes, identities, years, placeholders and stale numbers in text."""
    return analyse(report).findings


def build_context(report: Report, pack: Pack | None = None) -> tuple[dict[str, Any], list[Finding]]:
    """The template context of `report` in `pack`, and the report's findings."""
    analysis = analyse(report, pack)
    return analysis.context(), analysis.findings


MAX_STEM_BYTES = 200  # a file name is at most 255 bytes (ext4) or 255 UTF-16 units (NTFS)


def safe_name(stem: str) -> str:
    """`stem` usable as a file name on Windows too, and displayed as what it is: no control,
    bidi, zero-width or other invisible characters (a U+202E would show "fdp.exe" as "exe.pdf"),
    and short enough for any file system."""
    import unicodedata

    visible = "".join(c for c in stem if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
    name = re.sub(r'[\\/:*?"<>|]', "_", visible).strip(" .")
    while len(name.encode("utf-8")) > MAX_STEM_BYTES:
        name = name[:-1]
    return name.rstrip(" .") or "report"


def output_stem(report: Report) -> str:
    """临沂市兰山区人民政府2021年政府信息公开工作年度报告 (safe as a Windows file name)."""
    organ = str(report.meta.get("organ") or "未命名机关")
    year = report.meta.get("year") or ""
    return safe_name(f"{organ}{year}年政府信息公开工作年度报告")


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


def check_output_dir(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise OutputError("已有同名的文件，不能用作输出文件夹", file=str(outdir), hint="请换一个输出文件夹")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"无法创建输出文件夹（{os_reason(e)}）", file=str(outdir), hint=os_hint(e)) from e
    if not os.access(outdir, os.W_OK):
        raise OutputError("输出文件夹不可写", file=str(outdir), hint="请换一个文件夹，或检查文件夹权限")


@dataclass
class BuildResult:
    """What `build` made of one input: the files written and the findings."""

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
    analysis = analyse(load(source), pack)
    result = BuildResult(str(source), findings=analysis.findings)
    if result.failed:
        return result
    report, pack, context = analysis.report, analysis.pack, analysis.context()
    out = Path(outdir)
    check_output_dir(out)
    stem = output_stem(report)
    # All or nothing: every format is rendered into a hidden folder beside the outputs, and only
    # when all succeeded are they moved into place, together or not at all (a .docx open in Word
    # puts the .json and .html back too), so a failure (a pack error, LibreOffice crashing,
    # Ctrl-C) leaves last time's report as it was and no half-written file behind.
    try:
        staging = Path(tempfile.mkdtemp(prefix=".reportgen-", dir=out))
    except OSError as e:
        raise OutputError(f"无法在输出文件夹中写入（{os_reason(e)}）", file=str(out), hint=os_hint(e)) from e
    try:
        try:
            staged = _render_all(report, context, result.findings, pack, formats, staging, stem)
        except PackError as e:
            raise PackError(f"生成报告时模板出错：{e}", file=str(source)) from e
        except OSError as e:  # named as the output it was for, not the hidden staging folder
            raise _output_error(e, out, staging) from e
        finals = [out / p.name for p in staged]
        for final in finals:
            if final.is_dir():
                raise OutputError("已有同名的文件夹，无法写入报告", file=str(final))
        # Two builds into one folder swap their sets one after the other, never interleaved.
        with folder_lock(out):
            try:
                replace_together(list(zip(staged, finals, strict=True)), staging)
            except OSError as e:
                raise _output_error(e, out, staging) from e
        result.outputs.extend(finals)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _output_error(e: OSError, out: Path, staging: Path) -> OutputError:
    """An `OSError` while writing outputs, in Chinese, naming the output file (never the staging
    folder) and a remedy that fits the cause."""
    cause = e.__cause__ if isinstance(e, OutputError) and isinstance(e.__cause__, OSError) else e
    named = Path(str(getattr(e, "file", "") or cause.filename or out))
    if named.is_relative_to(staging):
        inner = named.relative_to(staging).parts[0] if named != staging else ""
        named = out / inner if inner and not inner.startswith(".old-") else out
    return OutputError(f"无法写入（{os_reason(cause)}）", file=str(named), hint=os_hint(cause))


def _render_all(report: Report, context: dict[str, Any], findings: list[Finding], pack: Pack,
                formats: tuple[str, ...], folder: Path, stem: str) -> list[Path]:
    """Render the chosen formats into `folder`; the paths in the order they are reported."""
    staged: list[Path] = []
    if "json" in formats:
        path = folder / f"{stem}.json"
        write_atomic(path, to_json(computed_model(report, context, findings)).encode("utf-8"))
        staged.append(path)
    if "html" in formats:
        from ..render.html import render_html

        path = folder / f"{stem}.html"
        write_atomic(path, render_html(context, pack).encode("utf-8"))
        staged.append(path)
    if "docx" in formats or "pdf" in formats:
        from ..render.docx import render_docx

        docx = folder / f"{stem}.docx"
        render_docx(context, pack, docx)
        if "docx" in formats:
            staged.append(docx)
        if "pdf" in formats:
            from ..render.pdf import docx_to_pdf

            pdf = folder / f"{stem}.pdf"
            docx_to_pdf(docx, pdf)
            staged.append(pdf)
    return staged


def parse_formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(x.strip().lower() for x in text.split(",") if x.strip()))
    unknown = [x for x in chosen if x not in FORMATS]
    if unknown or not chosen:
        raise UserError(
            f"不认识的输出格式：{'、'.join(unknown) or '（空）'}", hint=f"可选：{','.join(FORMATS)}"
        )
    return chosen


__all__ = ["Analysis", "analyse", "load", "check", "build", "build_context", "find_pack", "computed_model",
           "output_stem", "save", "SAVE_SUFFIXES"]
