"""A new year's workbook: blank, or carried on from last year's report (one unit or a folder of them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidData, ReportgenError, UserError
from ..formats import get_format
from ..model import Report, following_year
from ..read import load
from ..write import save
from ..write.atomic import refuse_overwriting_input
from .batch import expand_inputs
from .pipeline import safe_name


@dataclass
class Carried:
    """What a new year took from last year's report, and what it could not find there."""

    taken: list[str] = field(default_factory=list)  # Chinese descriptions
    missing: list[str] = field(default_factory=list)


def carried_from(last: Report) -> Carried:
    """What `last` gives a new year: its rows read, and those not read (published reports)."""
    out = Carried()
    unread = [f for f in last.findings if f.code == "not_read"]
    out.missing = [f.message.removeprefix("报告中未能读取") for f in unread]
    fmt = last.format
    out.taken.append(f"上年数据：{len(last.figures)}个数字（{last.year or '年度不详'}年度）")
    req = fmt.requests
    carried_out = req.balance_right[1]
    pending = [last.figures.get(f"{req.key}.{carried_out}.{c.key}") for c in req.input_columns()]
    if all(v is not None for v in pending):
        out.taken.append("上年结转：" + "、".join(f"{c.label}{v}" for c, v in zip(req.input_columns(), pending,
                                                                            strict=True)))
    return out


def refuse_incomplete(last: Report, source: Path) -> None:
    """A published report whose table 3 or its 结转下年度 row was not read cannot start a year
    (上年结转 would be blank or wrong): refused unless the caller accepts a partial start."""
    req = last.format.requests
    carried_out = req.balance_right[1]
    if any(f"{req.key}.{carried_out}.{c.key}" not in last.figures for c in req.input_columns()):
        raise InvalidData(
            f"未能从上年报告中读取表三的“{req.row(carried_out).label}”一行，无法填写本年的上年结转",
            file=str(source),
            hint="请改用上年的工作簿或JSON；或加 --partial 只带入已读取的数字（上年结转需手工填写）",
        )


def new_year(organ: str, year: int | None, previous: Path | None, edition: str | None = None,
             *, partial: bool = False) -> Report:
    """A blank report for `organ` and `year`, or the year after `previous`'s report."""
    fmt = get_format(edition) if edition else get_format()
    if previous is not None:
        last = load(previous)
        if not partial:
            refuse_incomplete(last, previous)
        return following_year(last, organ=organ, year=year, fmt=fmt)
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
