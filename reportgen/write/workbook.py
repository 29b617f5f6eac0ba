"""The standard workbook: model/format → a blank or filled .xlsx with the official tables."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..formats import Format, get_format
from ..formats.base import COUNT, FIRST_YEAR, MONEY, SIGNED
from ..formats.grids import LABEL, NUMBER, TITLE, Cell, Grid
from ..formats.workbook import (
    CHECK_BAD,
    INPUT,
    META_FIRST,
    PREVIOUS,
    PREVIOUS_YEAR_ROW,
    TABLE_TOP,
    TEXT,
    UNITS_SHEET,
    YEAR,
    Check,
    Layout,
    Slot,
    addr,
    checks,
    col_letter,
    layout,
    meta_rows,
    previous_check_col,
    previous_placed,
    requests_check_rows,
    split_cell,
    table_grids,
    total_formula,
)
from ..model import Number, Previous, Report
from .atomic import workbook_bytes, write_atomic

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["Slot", "addr", "layout", "table_grids", "write_workbook", "TABLE_TOP"]

FONT = "宋体"
INPUT_FILL = "FFF9D6"  # light yellow: type here
HEAD_FILL = "F2F2F2"
BAD_FILL = "FFC7CE"
BAD_FONT = "9C0006"
OK_FONT = "2E7D32"
# An amount shows as typed: two places at least, six at most (24252.311082).
MONEY_FORMAT = "0.00####"
COUNT_PROMPT = "请填写非负整数（件数），没有的填0。"
MONEY_PROMPT = "请填写金额（单位：万元），最多六位小数，没有的填0。"
PREV_PROMPT = "只填知道的上年数字；不知道的留空（留空表示不知道，不是0）。"
NOTE = "黄色单元格填写数字（没有的填0）；灰色为表格标签，总计由公式自动计算；“检查”显示勾稽关系是否成立，红色表示有误。"


@dataclass
class _Styles:
    thin: Any
    border: Any
    input_fill: Any
    head_fill: Any
    font: Any
    bold: Any
    title: Any


def _styles() -> _Styles:
    from openpyxl.styles import Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return _Styles(
        thin=thin,
        border=Border(left=thin, right=thin, top=thin, bottom=thin),
        input_fill=PatternFill("solid", start_color=INPUT_FILL, end_color=INPUT_FILL),
        head_fill=PatternFill("solid", start_color=HEAD_FILL, end_color=HEAD_FILL),
        font=Font(name=FONT, size=11),
        bold=Font(name=FONT, size=11, bold=True),
        title=Font(name=FONT, size=14, bold=True),
    )


def write_workbook(
    path: str | Path,
    *,
    fmt: Format | None = None,
    report: Report | None = None,
    organ: str = "",
    year: int | None = None,
) -> None:
    """Write the standard workbook: blank, or filled with `report`'s figures, meta, text and
    last year's figures (see `model.following_year` for a new year's workbook). Written atomically.
    """
    from openpyxl import Workbook

    fmt = fmt or (report.format if report else get_format())
    lay = layout(fmt)
    st = _styles()
    wb = Workbook()
    wb.remove(wb.active)
    for name in lay.sheets:
        wb.create_sheet(name)

    _write_meta_sheet(wb[fmt.meta_sheet], fmt, lay, st)
    all_grids = table_grids(fmt)
    sheet_checks = checks(fmt, lay)
    for grid_key, grid in all_grids.items():
        sheet, top = lay.tables[grid_key]
        ws = wb[sheet]
        _write_table(ws, fmt, lay, st, grid, top)
        extra = 0
        if grid.key == fmt.requests.key:
            _write_table3_checks(ws, fmt, st, grid)
            extra = requests_check_rows(fmt)[1] - (top + grid.n_rows - 1)
        _write_checks(ws, st, [c for c in sheet_checks if c.sheet == sheet])
        _print_setup(ws, grid, top, landscape=grid.key != fmt.active.key, extra_rows=extra)
    _write_previous_sheet(wb[fmt.previous_sheet], fmt, lay, st)
    _write_checks(wb[fmt.previous_sheet], st, [c for c in sheet_checks if c.sheet == fmt.previous_sheet])
    _write_narrative_sheet(wb[fmt.narrative_sheet], fmt, lay, st)
    _validate_inputs(wb, fmt, lay)

    values = _values(report, organ, year)
    for key, value in values.items():
        slot = lay.slots.get(key)
        if slot is None or value is None or value == "":
            continue
        ws = wb[slot.sheet]
        put(ws[slot.cell], value)
        if slot.role == TEXT and isinstance(value, str):
            ws.row_dimensions[slot.row].height = _text_height(value)
    if report is not None and report.units:

        write_units_sheet(wb, fmt, report.units)
    for ws in wb.worksheets:
        ws.protection.sheet = True  # no password: this guards against slips, not people
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
    wb.active = 0
    _save(wb, Path(path))


def _values(report: Report | None, organ: str, year: int | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if report is not None:
        for k, v in report.meta.items():
            if k == "contact" and isinstance(v, dict):
                values.update({f"meta.contact.{ck}": cv for ck, cv in v.items()})
            else:
                values[f"meta.{k}"] = v
        # 简称 equal to the full name is what the reader fills in for a blank cell.
        if values.get("meta.short_name") == values.get("meta.organ"):
            values["meta.short_name"] = ""
        values.update(report.figures)
        values.update({f"narrative.{k}": v for k, v in report.narrative.items()})
        if report.previous is not None:
            values.update(_previous_values(report.previous))
    if organ:
        values["meta.organ"] = organ
    if year is not None:
        values["meta.year"] = year
    return values


# What openpyxl refuses in a cell (XML 1.0 forbids it), and what Excel reads as a formula.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@")


def put(cell: Any, value: Any) -> Any:
    """Write a value reportgen did not compose — a unit's organ, a contact, staff text — into a
    cell. Text is stored as text whatever it starts with: `=HYPERLINK(…)` from a unit's
    workbook stays the characters it was (openpyxl would write it as a formula), marked with a
    quote prefix so Excel keeps it text when the cell is edited. Characters XML forbids are dropped."""
    if not isinstance(value, str):
        cell.value = value
        return cell
    cell.value = _ILLEGAL.sub("", value)
    cell.data_type = "s"
    if value.lstrip().startswith(_FORMULA_START):
        cell.quotePrefix = True
    return cell


def _previous_values(prev: Previous) -> dict[str, Number | int | None]:
    out: dict[str, Number | int | None] = {f"previous.{k}": v for k, v in prev.figures.items()}
    out["previous.year"] = prev.year
    return out


def _save(wb: Any, path: Path) -> None:
    write_atomic(path, workbook_bytes(wb),
                 hint="请检查文件夹是否存在、是否有写权限，或文件是否正在Excel/WPS中打开")


def _text_height(text: str, width_chars: int = 44) -> float:
    lines = sum(max(1, -(-len(p) // width_chars)) for p in text.split("\n"))
    return float(min(409, max(90, lines * 15 + 6)))


def _label_height(text: str, width: float) -> float:
    per_line = max(1, int(width / 2.1))  # a CJK character is about two column-width units
    lines = max(1, -(-len(text) // per_line))
    return max(20.0, lines * 15.0 + 5)


def _style_cell(cell: Any, st: _Styles, *, fill: Any = None, font: Any = None, align: str = "center",
                wrap: bool = True, locked: bool = True) -> None:
    from openpyxl.styles import Alignment, Protection

    cell.border = st.border
    cell.font = font or st.font
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap)
    if fill is not None:
        cell.fill = fill
    cell.protection = Protection(locked=locked)


def _write_title(ws: Worksheet, st: _Styles, title: str, width: int, note: str = "") -> None:
    from openpyxl.styles import Alignment

    ws.cell(1, 1, title).font = st.title
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 30
    if note:
        ws.cell(2, 1, note).font = st.font
        ws.cell(2, 1).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        ws.row_dimensions[2].height = 32


def _write_table(ws: Worksheet, fmt: Format, lay: Layout, st: _Styles, grid: Grid, top: int) -> None:
    from openpyxl.utils import get_column_letter

    _write_title(ws, st, grid.title, grid.n_cols, NOTE)
    widths = _col_widths(fmt, grid)
    for j, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(1 + j)].width = w
    heights: dict[int, float] = {}
    for c in grid.cells:
        r, col = top + c.row, 1 + c.col
        cell = ws.cell(r, col)
        _span_borders(ws, st, r, col, c)
        if c.kind == NUMBER:
            slot = lay.slots.get(c.key)
            if slot and slot.role == INPUT:
                _style_cell(cell, st, fill=st.input_fill, locked=False)
                cell.number_format = MONEY_FORMAT if slot.kind == MONEY else "0"
            else:
                cell.value = total_formula(fmt, lay, c.key) if slot else None
                _style_cell(cell, st, fill=st.head_fill, font=st.bold)
                cell.number_format = "0"
        else:
            cell.value = c.text
            left = c.kind == LABEL and c.rowspan == 1
            _style_cell(cell, st, fill=st.head_fill if c.kind != LABEL else None,
                        font=st.bold if c.kind == TITLE else st.font, align="left" if left else "center")
            if c.rowspan == 1:
                width = sum(widths[c.col : c.col + c.colspan])
                heights[r] = max(heights.get(r, 20.0), _label_height(c.text, width))
        if c.rowspan > 1 or c.colspan > 1:
            ws.merge_cells(start_row=r, start_column=col, end_row=r + c.rowspan - 1, end_column=col + c.colspan - 1)
    for r, h in heights.items():
        ws.row_dimensions[r].height = h
    if grid.header_rows:
        ws.freeze_panes = ws.cell(top + grid.header_rows, 1 + _label_cols(grid))


def _label_cols(grid: Grid) -> int:
    """How many columns at the left hold row labels (0 when the table has none)."""
    firsts = [c.col for c in grid.cells if c.kind == NUMBER]
    return min(firsts) if firsts else 0


def _col_widths(fmt: Format, grid: Grid) -> list[float]:
    if grid.key == fmt.requests.key:
        return [7.0, 12.0, 46.0] + [9.5] * (grid.n_cols - 3)
    if grid.key == fmt.appeals.key:
        return [8.5] * grid.n_cols
    return [24.0] + [18.0] * (grid.n_cols - 1)


def _span_borders(ws: Worksheet, st: _Styles, r: int, col: int, c: Cell) -> None:
    # A merged range draws the borders of every cell it covers, not only its first.
    for rr in range(r, r + c.rowspan):
        for cc in range(col, col + c.colspan):
            ws.cell(rr, cc).border = st.border


def _write_checks(ws: Worksheet, st: _Styles, sheet_checks: list[Check]) -> None:
    """Each live check in its cell; it and the typed cells it reads turn red while it fails."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill

    ok_font = Font(name=FONT, size=11, color=OK_FONT)
    red = PatternFill("solid", start_color=BAD_FILL, end_color=BAD_FILL)
    bad_font = Font(color=BAD_FONT, bold=True)
    for c in sheet_checks:
        cell = ws[c.cell]
        cell.value = c.formula
        cell.font = ok_font
        cell.alignment = Alignment(horizontal="center", vertical="center", shrink_to_fit=True)
        cell.border = st.border
        ws.conditional_formatting.add(
            c.cell, FormulaRule(formula=[f'LEFT({c.cell},1)="{CHECK_BAD}"'], fill=red, font=bad_font)
        )
        for cells, condition in c.marks:
            ws.conditional_formatting.add(cells, FormulaRule(formula=[condition], fill=red, font=bad_font))


def _write_table3_checks(ws: Worksheet, fmt: Format, st: _Styles, grid: Grid) -> None:
    """Labels of the two check rows under table 3 and of its summary beside the heading."""
    from openpyxl.styles import Alignment

    balance_row, carried_row = requests_check_rows(fmt)
    labels = _label_cols(grid)
    for r, text in ((balance_row, "检查：一加二等于三（七）加四"), (carried_row, "检查：二等于上年“结转下年度继续办理”")):
        cell = ws.cell(r, 1, text)
        _style_cell(cell, st, fill=st.head_fill, font=st.bold, align="left")
        _span_borders(ws, st, r, 1, Cell(kind=LABEL, text=text, row=0, col=0, colspan=labels))
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=labels)
        ws.row_dimensions[r].height = 22
    beside = grid.n_cols + 2
    ws.column_dimensions[col_letter(beside)].width = 30
    ws.cell(TABLE_TOP, beside).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _print_setup(ws: Worksheet, grid: Grid, top: int, *, landscape: bool, extra_rows: int = 0) -> None:
    _fit_a4_width(ws, landscape=landscape)
    # The check rows directly under a table print with it: a printed table shows its checks.
    ws.print_area = f"A1:{addr(top + grid.n_rows - 1 + extra_rows, grid.n_cols)}"
    if grid.header_rows:
        ws.print_title_rows = f"{top}:{top + grid.header_rows - 1}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5


def _write_meta_sheet(ws: Worksheet, fmt: Format, lay: Layout, st: _Styles) -> None:
    _write_title(ws, st, "政府信息公开工作年度报告 · 基本信息", 3)
    for j, (text, width) in enumerate((("项目", 26), ("填写", 48), ("说明", 44))):
        _style_cell(ws.cell(2, 1 + j, text), st, fill=st.head_fill, font=st.bold)
        ws.column_dimensions[col_letter(1 + j)].width = width
    for i, (key, label, hint, kind) in enumerate(meta_rows(fmt)):
        r = META_FIRST + i
        if not key:
            _style_cell(ws.cell(r, 1, label), st, fill=st.head_fill, font=st.bold, align="left")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
            continue
        _style_cell(ws.cell(r, 1, label), st, align="left")
        cell = ws.cell(r, 2)
        _style_cell(cell, st, fill=st.input_fill, align="left", locked=False)
        # Text format keeps a phone number's or postcode's leading zero.
        cell.number_format = "0" if kind == YEAR else "@"
        _style_cell(ws.cell(r, 3, hint), st, align="left")
        ws.row_dimensions[r].height = 22
    r = META_FIRST + len(meta_rows(fmt)) + 1
    ws.cell(r, 1, "报告格式").font = st.font
    ws.cell(r, 2, f"{fmt.name}（{fmt.notice}）").font = st.font
    ws.freeze_panes = "A3"
    _fit_a4_width(ws)


def _write_previous_sheet(ws: Worksheet, fmt: Format, lay: Layout, st: _Styles) -> None:
    n_cols = 1 + len(fmt.requests.columns)
    _write_title(
        ws, st, "上年数据（用于与上年比较）", n_cols,
        "可选。只填知道的上年数字，不知道的留空：留空表示不知道，不是0。"
        "只有上年报告中的合计数时，可直接填写各组“小计”行、“总计”列或行政诉讼合计行。",
    )
    ws.column_dimensions["A"].width = 52
    for j in range(2, n_cols + 1):
        ws.column_dimensions[col_letter(j)].width = 11
    _style_cell(ws.cell(PREVIOUS_YEAR_ROW, 1, "上年度"), st, align="left", font=st.bold)
    year_cell = ws[lay.slots["previous.year"].cell]
    _style_cell(year_cell, st, fill=st.input_fill, locked=False)
    year_cell.number_format = "0"
    ws.cell(PREVIOUS_YEAR_ROW, 3, "不填则为统计年度减一").font = st.font
    for top, block in previous_placed(fmt):
        ws.cell(top, 1, block.title).font = st.bold
        for text, dr, col, rs, cs in block.headers:
            r = top + 1 + dr
            for rr in range(r, r + rs):
                for cc in range(col, col + cs):
                    ws.cell(rr, cc).border = st.border
            _style_cell(ws.cell(r, col, text), st, fill=st.head_fill, font=st.bold)
            if rs > 1 or cs > 1:
                ws.merge_cells(start_row=r, start_column=col, end_row=r + rs - 1, end_column=col + cs - 1)
        first = top + 1 + block.header_rows
        for i, (label, keys, group) in enumerate(block.rows):
            r = first + i
            _style_cell(ws.cell(r, 1, label), st, align="left", font=st.bold if group else st.font)
            ws.row_dimensions[r].height = _label_height(label, 52)
            for j, key in enumerate(keys):
                cell = ws.cell(r, 2 + j)
                _style_cell(cell, st, fill=st.input_fill, locked=False)
                slot = lay.slots.get(f"previous.{key}")
                cell.number_format = MONEY_FORMAT if slot and slot.kind == MONEY else "0"
    # The live checks beside the rows (a 检查 heading over the blocks that have totals).
    check_col = previous_check_col(fmt)
    ws.column_dimensions[col_letter(check_col)].width = 36
    rows = {split_cell(c.cell)[1] for c in checks(fmt, lay) if c.sheet == ws.title}
    for top, block in previous_placed(fmt):
        first = top + 1 + block.header_rows
        if rows & set(range(first, first + len(block.rows))):
            _style_cell(ws.cell(top + 1, check_col, "检查"), st, fill=st.head_fill, font=st.bold)
    ws.freeze_panes = "B4"
    _fit_a4_width(ws)


def _fit_a4_width(ws: Worksheet, *, landscape: bool = False) -> None:
    """Print on A4, as wide as the page, as many pages down as it takes."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _write_narrative_sheet(ws: Worksheet, fmt: Format, lay: Layout, st: _Styles) -> None:
    _write_title(ws, st, "正文（报告中由工作人员撰写的文字）", 3)
    for j, (text, width) in enumerate((("部分", 20), ("填写说明", 30), ("内容（多段之间空一行；在单元格内按Alt+Enter换行）", 90))):
        _style_cell(ws.cell(2, 1 + j, text), st, fill=st.head_fill, font=st.bold)
        ws.column_dimensions[col_letter(1 + j)].width = width
    for s in fmt.narrative:
        slot = lay.slots[f"narrative.{s.key}"]
        _style_cell(ws.cell(slot.row, 1, s.heading), st, font=st.bold)
        _style_cell(ws.cell(slot.row, 2, s.hint), st, align="left")
        cell = ws[slot.cell]
        _style_cell(cell, st, fill=st.input_fill, align="left", locked=False)
        cell.number_format = "@"
        from openpyxl.styles import Alignment

        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        ws.row_dimensions[slot.row].height = 90
    first = min(lay.slots[f"other_matters.{k}"].row for k, _ in fmt.other_matters)
    head = ws.cell(first - 1, 1, f"{fmt.other_matters_title}（{fmt.sections[-1][1]}）")
    head.font = st.bold
    ws.merge_cells(start_row=first - 1, start_column=1, end_row=first - 1, end_column=3)
    for key, f in fmt.other_matters:
        slot = lay.slots[f"other_matters.{key}"]
        _style_cell(ws.cell(slot.row, 1, f.label), st, align="left")
        _style_cell(ws.cell(slot.row, 2, "没有收费的填0"), st, align="left")
        cell = ws[slot.cell]
        _style_cell(cell, st, fill=st.input_fill, align="left", locked=False)
        cell.number_format = MONEY_FORMAT if f.kind == MONEY else "0"
        ws.row_dimensions[slot.row].height = 22
    ws.freeze_panes = "A3"
    _fit_a4_width(ws, landscape=True)


def _validate_inputs(wb: Any, fmt: Format, lay: Layout) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    rules = {
        (COUNT, False): ("whole", COUNT_PROMPT, "应填写非负整数（件数），不能填文字、小数或负数。"),
        (MONEY, False): ("decimal", MONEY_PROMPT, "应填写不小于0的金额（万元），最多六位小数。"),
        (COUNT, True): ("whole", PREV_PROMPT, "应填写非负整数，或留空表示不知道。"),
        (MONEY, True): ("decimal", PREV_PROMPT, "应填写不小于0的金额，或留空表示不知道。"),
        (SIGNED, False): ("whole", "请填写整数，减少的填负数（如 -3），没有变化的填0。", "应填写整数，减少的填负数。"),
        (SIGNED, True): ("whole", PREV_PROMPT, "应填写整数，或留空表示不知道。"),
    }
    groups: dict[tuple[str, str, bool], list[str]] = {}
    years: dict[str, list[str]] = {}
    for slot in lay.slots.values():
        if slot.kind == YEAR:
            years.setdefault(slot.sheet, []).append(slot.cell)
        elif slot.role in (INPUT, PREVIOUS):
            groups.setdefault((slot.sheet, slot.kind, slot.role == PREVIOUS), []).append(slot.cell)
    for (sheet, kind, prev), cells in groups.items():
        vtype, prompt, error = rules[(kind, prev)]
        bounds = (
            {"operator": "between", "formula1": "-100000000", "formula2": "100000000"}
            if kind == SIGNED else {"operator": "greaterThanOrEqual", "formula1": "0"}
        )
        dv = DataValidation(
            type=vtype, **bounds, allow_blank=True,
            showInputMessage=True, showErrorMessage=True,
            promptTitle="填写说明", prompt=prompt, errorTitle="输入有误", error=error,
        )
        for cell in cells:
            dv.add(cell)
        wb[sheet].add_data_validation(dv)
    for sheet, cells in years.items():
        dv = DataValidation(
            type="whole", operator="between", formula1=str(FIRST_YEAR), formula2="2100", allow_blank=True,
            showInputMessage=True, showErrorMessage=True, promptTitle="填写说明",
            prompt="填写四位数字的年份，如2025。", errorTitle="输入有误", error=f"应为{FIRST_YEAR}年以后的四位数字年份，如2025。",
        )
        for cell in cells:
            dv.add(cell)
        wb[sheet].add_data_validation(dv)


_UNIT_HEAD = ("单位", "来源文件")


def write_units_sheet(wb: Any, fmt: Format, units: list[dict[str, Any]]) -> None:
    """Add the 单位汇总 sheet: one row per unit with its key figures, and their sum."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(UNITS_SHEET)
    cols = fmt.unit_columns()
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
        put(ws.cell(i, 1), str(unit.get("organ", ""))).border = border
        put(ws.cell(i, 2), Path(str(unit.get("source", ""))).name).border = border
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
