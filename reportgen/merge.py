"""Add the units' reports up into the district's: every figure, last year's too, and who gave what."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import UserError
from .findings import ERROR
from .formats import Format
from .model import Number, Previous, Report, derive

UNITS_SHEET = "单位汇总"


def unit_columns(fmt: Format) -> list[tuple[str, str]]:
    """The key figures listed per unit: (figure key, column title), from the format definition."""
    req, ap = fmt.requests, fmt.appeals
    total = req.total_column().key
    cols = [(f"{req.key}.{row.key}.{total}", row.prose) for _, row in req.top_rows()]
    ap_total = next(f for f in ap.fields if f.derived).key
    combined, combined_label, _ = ap.combined
    cols += [(f"{ap.key}.{b.key}.{ap_total}", b.label) for b in ap.blocks if not b.parent]
    cols.append((f"{ap.key}.{combined}.{ap_total}", combined_label))
    return cols


def unit_row(report: Report) -> dict[str, Any]:
    values = derive(report.format, report.figures)
    row: dict[str, Any] = {"organ": report.meta.get("organ") or Path(report.source).stem, "source": report.source}
    for key, _ in unit_columns(report.format):
        row[key] = values.get(key, 0)
    return row


def _sum(values: list[Number]) -> Number:
    return sum(values, start=Decimal(0) if any(isinstance(v, Decimal) for v in values) else 0)


def merge_reports(units: list[Report], *, organ: str, year: int | None = None) -> Report:
    """The district report: every figure the sum of the units'; last year's where all units know it."""
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
    merged.previous = _merge_previous(fmt, units)
    merged.units = [unit_row(u) for u in units]
    return merged


def _merge_previous(fmt: Format, units: list[Report]) -> Previous | None:
    lasts = [derive(fmt, u.previous.figures, keep_given=True) if u.previous else None for u in units]
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


def _load_checked(source: Path) -> tuple[str, Report | None, list[str]]:
    """Load and check one unit (runs in a worker process): the report or why it is refused."""
    from .pipeline import check
    from .readers import load

    try:
        report = load(source)
    except UserError as e:
        return str(source), None, [str(e)]
    errors = [str(f) for f in check(report) if f.severity == ERROR]
    if errors:
        return str(source), None, errors
    report.findings = []  # notes are not needed to merge, and they are the bulk to send back
    report.narrative_where = {}
    report.where = {}
    return str(source), report, []


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

    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(sources) >= PARALLEL_FROM:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            loaded = _counted(pool.map(_load_checked, sources, chunksize=max(1, len(sources) // (jobs * 8))),
                              progress)
    else:
        loaded = _counted(map(_load_checked, sources), progress)
    good: list[Report] = []
    result = MergeResult()
    for source, report, errors in loaded:
        if report is None:
            result.problems.append(UnitProblem(source, errors))
        else:
            good.append(report)
    if result.problems and not skip_invalid:
        return result
    result.skipped = [p.source for p in result.problems]
    result.report = merge_reports(good, organ=organ, year=year)
    return result


# ---- The 单位汇总 sheet ------------------------------------------------------------------

_UNIT_HEAD = ("单位", "来源文件")


def write_units_sheet(wb: Any, fmt: Format, units: list[dict[str, Any]]) -> None:
    """Add the 单位汇总 sheet: one row per unit with its key figures, and their sum."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(UNITS_SHEET)
    cols = unit_columns(fmt)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.cell(1, 1, "各单位主要数据（由 reportgen merge 生成，供核对各单位的贡献；报告中可作为附表）").font = Font(bold=True, size=12)
    header = (*_UNIT_HEAD, *(title for _, title in cols))
    for j, title in enumerate(header, start=1):
        c = ws.cell(2, j, title)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE4EE")
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = border
    for i, unit in enumerate(units, start=3):
        ws.cell(i, 1, str(unit.get("organ", ""))).border = border
        ws.cell(i, 2, Path(str(unit.get("source", ""))).name).border = border
        for j, (key, _) in enumerate(cols, start=3):
            ws.cell(i, j, unit.get(key, 0)).border = border
    last = 2 + len(units)
    total_row = last + 1
    ws.cell(total_row, 1, "合计").font = Font(bold=True)
    for j in range(3, len(header) + 1):
        letter = get_column_letter(j)
        ws.cell(total_row, j, f"=SUM({letter}3:{letter}{last})" if units else 0).font = Font(bold=True)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 24
    for j in range(3, len(header) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 10
    ws.freeze_panes = "C3"


def read_units(fmt: Format, rows: list[list[Any]]) -> list[dict[str, Any]]:
    """The 单位汇总 sheet's rows back into unit dicts (stops at 合计); figures are informational."""
    cols = unit_columns(fmt)
    units: list[dict[str, Any]] = []
    for row in rows[2:]:
        name = str(row[0]).strip() if row and row[0] not in (None, "") else ""
        if not name or name == "合计":
            break
        unit: dict[str, Any] = {"organ": name, "source": str(row[1] or "") if len(row) > 1 else ""}
        for j, (key, _) in enumerate(cols, start=2):
            value = row[j] if j < len(row) else 0
            unit[key] = int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
        units.append(unit)
    return units
