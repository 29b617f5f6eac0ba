"""Many inputs at once: expand files, folders and globs, build in parallel, keep going past failures."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReportgenError, UserError
from ..findings import ERROR, WARNING, Finding

INPUT_SUFFIXES = (".xlsx", ".xlsm", ".json")


def expand_inputs(items: list[str] | list[Path] | tuple[str | Path, ...], *, published: bool = False) -> list[Path]:
    """Files as given; folders → their workbooks and JSON documents (with `published`, also the
    published reports: web pages, Word files, PDFs); globs expanded here (Windows' shell does
    not). Excel's lock files (~$名称.xlsx) found in a folder are skipped."""
    from ..read import PUBLISHED_SUFFIXES

    suffixes = set(INPUT_SUFFIXES) | (PUBLISHED_SUFFIXES - {".txt"} if published else set())
    out: list[Path] = []
    for item in items:
        text = str(item)
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in suffixes and p.is_file())
            found = [p for p in found if not p.name.startswith(("~$", ".~"))]
            if not found:
                raise UserError("文件夹中没有找到可处理的工作簿（.xlsx）或JSON文件", file=text)
        elif any(ch in text for ch in "*?[") and not path.exists():
            # glob.glob takes absolute patterns too (D:\\各单位\\*.xlsx), Path.glob does not
            found = sorted(Path(p) for p in glob.glob(text, recursive=True))  # noqa: PTH207
            found = [p for p in found if not p.name.startswith(("~$", ".~"))]
            if not found:
                raise UserError(f"没有与“{text}”匹配的文件")
        else:
            found = [path]  # named explicitly: even a lock file gets its own explanation
        out += found
    unique = list(dict.fromkeys(out))
    if not unique:
        named = "、".join(str(i) for i in items) or "（未指定）"
        raise UserError("没有找到可处理的工作簿（.xlsx）或JSON文件", file=named)
    return unique


@dataclass
class UnitResult:
    source: Path
    outputs: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str = ""  # why the unit could not be read or rendered at all

    @property
    def ok(self) -> bool:
        return not self.error and not any(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    def reason(self) -> str:
        if self.error:
            return self.error
        errors = [str(f) for f in self.findings if f.severity == ERROR]
        more = f"（另有{len(errors) - 3}个错误）" if len(errors) > 3 else ""
        return "；".join(errors[:3]) + more


def build_one(source: Path, outdir: Path, formats: tuple[str, ...], pack_ref: str | None,
              templates_dir: Path | None) -> UnitResult:
    """Build one unit; every failure is captured in the result (this runs in a worker process)."""
    from ..render.packs import find_pack
    from .pipeline import build

    try:
        result = build(source, outdir, formats, find_pack(pack_ref, templates_dir) if pack_ref else None)
    except ReportgenError as e:
        return UnitResult(source, error=str(e))
    except Exception as e:  # noqa: BLE001 - one broken unit must not stop a province's batch
        return UnitResult(source, error=f"内部错误（{type(e).__name__}：{e}）")
    return UnitResult(source, result.outputs, result.findings)


def build_many(sources: list[Path], outdir: Path, formats: tuple[str, ...], pack_ref: str | None,
               templates_dir: Path | None, *, jobs: int | None = None,
               progress: Callable[[UnitResult], None] | None = None) -> list[UnitResult]:
    """Build every source across the machine's cores, in the order given."""
    jobs = jobs or os.cpu_count() or 1
    results: dict[Path, UnitResult] = {}
    if jobs == 1 or len(sources) == 1:
        for s in sources:
            results[s] = build_one(s, outdir, formats, pack_ref, templates_dir)
            if progress:
                progress(results[s])
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(sources))) as pool:
            futures = {pool.submit(build_one, s, outdir, formats, pack_ref, templates_dir): s for s in sources}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                if progress:
                    progress(results[futures[fut]])
    ordered = [results[s] for s in sources]
    _flag_collisions(ordered)
    return ordered


def _flag_collisions(results: list[UnitResult]) -> None:
    """Two units with the same organ and year write the same file: the later one is a failure."""
    owner: dict[Path, Path] = {}
    for r in results:
        for out in r.outputs:
            if out in owner:
                r.error = f"输出文件与{owner[out].name}重名（机关名称和年度相同），已被覆盖，请检查“基本信息”"
            else:
                owner[out] = r.source
