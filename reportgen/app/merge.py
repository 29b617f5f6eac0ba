"""Add the units' reports up into the district's: every figure, last year's too, and who gave what."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..compute import derive, figures
from ..errors import UserError
from ..findings import ERROR
from ..formats import Format
from ..model import Number, Previous, Report


def unit_row(report: Report, values: dict[str, Number]) -> dict[str, Any]:
    """A unit's line of the 单位汇总 table: its name and key figures."""
    row: dict[str, Any] = {"organ": report.meta.get("organ") or Path(report.source).stem, "source": report.source}
    for key, _ in report.format.unit_columns():
        row[key] = values.get(key, 0)
    return row


def _sum(values: list[Number]) -> Number:
    return sum(values, start=Decimal(0) if any(isinstance(v, Decimal) for v in values) else 0)


def merge_reports(units: list[Report], *, organ: str, year: int | None = None,
                  derived: list[tuple[dict[str, Number], dict[str, Number]]] | None = None) -> Report:
    """The district report: every figure the sum of the units'; last year's where all units know it.
    `derived`: each unit's (figures, last year's) as computed when it was checked, if at hand."""
    if not units:
        raise UserError("没有可汇总的单位")
    fmt = units[0].format
    editions = sorted({u.format.key for u in units})
    if len(editions) > 1:
        raise UserError(f"各单位使用的报告格式不一致（{'、'.join(editions)}）", hint="请先把各单位的数据转为同一格式")
    years = sorted({u.year for u in units if u.year is not None})
    if len(years) > 1:
        listing = "；".join(f"{Path(u.source).name}：{u.year}年" for u in units)
        raise UserError(f"各单位的统计年度不一致（{listing}）", hint="请只汇总同一年度的工作簿")
    year = year or (years[0] if years else None)
    seen: dict[tuple[str, int | None], str] = {}
    for u in units:
        ident = (str(u.meta.get("organ") or ""), u.year)
        if ident[0] and ident in seen:
            raise UserError(
                f"同一单位给了两次：{ident[0]}{u.year or ''}年（{seen[ident]} 与 {u.source}）",
                hint="请去掉重复的文件",
            )
        seen[ident] = u.source
    merged = Report(format=fmt, source="")
    for key, _ in fmt.input_figures():
        merged.figures[key] = _sum([u.figures.get(key, 0) for u in units])
    merged.meta = {f.key: "" for f in fmt.meta} | {"contact": {f.key: "" for f in fmt.contact}}
    merged.meta.update(organ=organ, short_name=organ, year=year)
    names = "、".join(str(u.meta.get("organ") or Path(u.source).stem) for u in units)
    merged.meta["compiled_from"] = f"{names}{year or ''}年政府信息公开工作年度报告"
    derived = derived if derived is not None else [figures(u) for u in units]
    merged.previous = _merge_previous(fmt, units, [last if u.previous else None for u, (_, last) in zip(units, derived, strict=True)])
    merged.units = [unit_row(u, values) for u, (values, _) in zip(units, derived, strict=True)]
    return merged


def _merge_previous(fmt: Format, units: list[Report], lasts: list[dict[str, Number] | None]) -> Previous | None:
    if any(x is None for x in lasts):
        return None
    known = set.intersection(*(set(x) for x in lasts if x is not None))
    prev = Previous(year=next((u.previous.year for u in units if u.previous and u.previous.year), None))
    # Keep inputs where every unit gave them; otherwise the derived totals every unit knows.
    inputs = {k for k, _ in fmt.input_figures()}
    for key in sorted(known, key=lambda k: (k not in inputs, k)):
        prev.figures[key] = _sum([x[key] for x in lasts if x is not None])
    # A derived figure computable from the kept inputs is left to derive (never stated twice).
    computable = derive(fmt, {k: v for k, v in prev.figures.items() if k in inputs})
    for key in list(prev.figures):
        if key not in inputs and key in computable:
            del prev.figures[key]
    return prev if prev.figures else None


@dataclass
class UnitProblem:
    source: str
    messages: list[str] = field(default_factory=list)


@dataclass
class MergeResult:
    report: Report | None = None
    problems: list[UnitProblem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# The edition's pack, found once per merge (in each worker) rather than once per unit: finding
# it reads and parses pack.toml. Emptied at the start of every merge, so edits to a pack count.
_PACKS: dict[str, Any] = {}


def _checked(report: Report) -> Any:
    """analyse(report), with the edition's pack found once per merge."""
    from ..formats import PUBLISHED_ONLY
    from ..render.packs import pack_for
    from .pipeline import analyse

    key = report.format.key
    # The facts matter to a check only as what placeholders in staff text are filled with.
    facts = any("{{" in t or "{%" in t for t in report.narrative.values())
    if key in PUBLISHED_ONLY:  # checked under another edition's pack: analyse knows which
        return analyse(report, facts=facts)
    if key not in _PACKS:
        _PACKS[key] = pack_for(key)
    return analyse(report, _PACKS[key], facts=facts)


Derived = tuple[dict[str, Number], dict[str, Number]]


def _load_checked(source: Path) -> tuple[str, Report | None, list[str], Derived | None]:
    """Load and check one unit (runs in a worker process): the report or why it is refused."""
    from ..read import load

    try:
        report = load(source)
    except UserError as e:
        return str(source), None, [str(e)], None
    analysis = _checked(report)
    errors = [str(f) for f in analysis.findings if f.severity == ERROR]
    if errors:
        return str(source), None, errors, None
    report.findings = []  # notes are not needed to merge, and they are the bulk to send back
    report.narrative_where = {}
    report.where = {}
    # What merging uses of the computed figures (not all of them: they are sent back to the parent)
    values = analysis.computed.values
    shown = {key: values[key] for key, _ in report.format.unit_columns() if key in values}
    return str(source), report, [], (shown, analysis.computed.last)


def _counted(items: Iterable[Any], progress: Callable[[int], None] | None) -> list[Any]:
    out = []
    for item in items:
        out.append(item)
        if progress:
            progress(len(out))
    return out


PARALLEL_FROM = 16  # below this, starting worker processes costs more than it saves


def merge_files(
    sources: list[Path],
    *,
    organ: str,
    year: int | None = None,
    skip_invalid: bool = False,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> MergeResult:
    """Load and check every unit (across the machine's cores); merge them unless one has errors
    (or skip those, if asked). `progress` is told how many units have been checked so far."""
    import os

    _PACKS.clear()
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(sources) >= PARALLEL_FROM:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            loaded = _counted(pool.map(_load_checked, sources, chunksize=max(1, len(sources) // (jobs * 8))),
                              progress)
    else:
        loaded = _counted(map(_load_checked, sources), progress)
    good: list[Report] = []
    derived: list[Derived] = []
    result = MergeResult()
    for source, report, errors, figures_of in loaded:
        if report is None or figures_of is None:
            result.problems.append(UnitProblem(source, errors))
        else:
            good.append(report)
            derived.append(figures_of)
    if result.problems and not skip_invalid:
        return result
    result.skipped = [p.source for p in result.problems]
    result.report = merge_reports(good, organ=organ, year=year, derived=derived)
    return result
