"""A new year's workbook: blank, or carried on from last year's report (one unit or a folder of them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReportgenError, UserError
from ..formats import get_format
from ..model import Report, following_year
from ..read import load
from ..write import save
from ..write.atomic import refuse_overwriting_input
from .batch import expand_inputs
from .pipeline import safe_name


def new_year(organ: str, year: int | None, previous: Path | None, edition: str | None = None) -> Report:
    """A blank report for `organ` and `year`, or the year after `previous`'s report."""
    fmt = get_format(edition) if edition else get_format()
    if previous is not None:
        return following_year(load(previous), organ=organ, year=year, fmt=fmt)
    report = Report(format=fmt)
    report.meta = {f.key: "" for f in report.format.meta} | {"organ": organ, "short_name": "", "year": year}
    return report


@dataclass
class InitResult:
    made: dict[Path, Path] = field(default_factory=dict)  # new workbook → last year's file
    failed: list[ReportgenError] = field(default_factory=list)


def init_many(previous_dir: Path, outdir: Path, year: int | None, *, force: bool = False,
              progress: Callable[[Path, Path | None, ReportgenError | None], None] | None = None) -> InitResult:
    """This year's workbook for every unit of last year's folder, named after the unit."""
    outdir.mkdir(parents=True, exist_ok=True)
    result = InitResult()
    sources = expand_inputs([previous_dir])
    for source in sources:
        try:
            last = load(source)
            this_year = year or ((last.year + 1) if last.year else None)
            name = safe_name(f"{last.meta.get('organ') or source.stem}{this_year or ''}") + ".xlsx"
            target = outdir / name
            if target in result.made:
                raise UserError(f"与{result.made[target].name}是同一单位（机关名称相同）", file=str(source))
            refuse_overwriting_input(target, sources, "新工作簿")
            if target.exists() and not force:
                raise UserError("文件已存在", file=str(target), hint="如需覆盖，请加 --force")
            save(following_year(last, year=this_year), target)
            result.made[target] = source
            if progress:
                progress(source, target, None)
        except ReportgenError as e:
            result.failed.append(e)
            if progress:
                progress(source, None, e)
    return result
