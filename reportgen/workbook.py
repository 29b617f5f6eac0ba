"""The standard workbook: model/format → a blank or filled .xlsx with the official tables."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OutputError
from .formats import Format, get_format
from .formats.base import COUNT, MONEY, Balance
from .model import Number, Previous, Report
from .tables import LABEL, NUMBER, TITLE, Cell, Grid, grids

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# Slot roles: what a cell holds and how the reader treats it.
INPUT = "input"  # a figure a clerk types
DERIVED = "derived"  # a total shown as a formula; read into `given`, never trusted
META = "meta"
TEXT = "text"  # a narrative section
PREVIOUS = "previous"  # last year's figure; blank means unknown
YEAR = "year"  # a kind: a four-digit year

TABLE_TOP = 3  # row of a table's first header row: row 1 is the title, row 2 a note
CHECK_OK = "✓"


@dataclass(frozen=True)
class Slot:
    """Where one value lives in the workbook."""

    sheet: str
    cell: str  # A1 address of the (top-left) cell
    role: str
    kind: str = COUNT  # count | money | text | year

    @property
    def row(self) -> int:
        return _split(self.cell)[1]

    @property
    def col(self) -> int:
        return _split(self.cell)[0]


@dataclass
class Layout:
    """Every position in the standard workbook, computed once from the format definition."""

    sheets: tuple[str, ...]  # in order
    slots: dict[str, Slot] = field(default_factory=dict)
    # (sheet, cell, text): the labels a reader verifies; the first of a sheet is its anchor.
    labels: list[tuple[str, str, str]] = field(default_factory=list)
    tables: dict[str, tuple[str, int]] = field(default_factory=dict)  # grid key -> (sheet, top row)

    def anchors(self) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        for sheet, cell, text in self.labels:
            out.setdefault(sheet, (cell, text))
        return out

    def on_sheet(self, sheet: str, role: str | None = None) -> dict[str, Slot]:
        return {k: s for k, s in self.slots.items() if s.sheet == sheet and (role is None or s.role == role)}


def col_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    text = ""
    while col:
        col, rem = divmod(col - 1, 26)
        text = chr(65 + rem) + text
    return text


def addr(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


def _split(cell: str) -> tuple[int, int]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch.upper()) - 64
    return col, int(cell[len(letters) :])


def table_grids(fmt: Format) -> dict[str, Grid]:
    """The three official tables with empty number cells (positions only)."""
    return grids(fmt, lambda key: "")


def _table_sheet(fmt: Format, grid_key: str) -> str:
    return {"active": fmt.active.sheet, "requests": fmt.requests.sheet, "appeals": fmt.appeals.sheet}[grid_key]


@cache
def _layout(fmt_key: str) -> Layout:
    fmt = get_format(fmt_key)
    sheets = (
        fmt.meta_sheet,
        fmt.active.sheet,
        fmt.requests.sheet,
        fmt.appeals.sheet,
        fmt.previous_sheet,
        fmt.narrative_sheet,
    )
    lay = Layout(sheets=sheets)
    _meta_layout(fmt, lay)
    inputs = dict(fmt.input_figures())
    derived = set(fmt.derived_figures())
    for grid_key, grid in table_grids(fmt).items():
        sheet = _table_sheet(fmt, grid_key)
        lay.tables[grid_key] = (sheet, TABLE_TOP)
        for c in grid.cells:
            at = addr(TABLE_TOP + c.row, 1 + c.col)
            if c.kind == NUMBER:
                if c.key in inputs:
                    lay.slots[c.key] = Slot(sheet, at, INPUT, inputs[c.key].kind)
                elif c.key in derived:
                    lay.slots[c.key] = Slot(sheet, at, DERIVED)
            elif c.text:
                lay.labels.append((sheet, at, c.text))
    _previous_layout(fmt, lay)
    _narrative_layout(fmt, lay)
    return lay


def layout(fmt: Format | None = None) -> Layout:
    """Key → where it lives, for every input figure, shown total, meta field and text section.

    Keys: figure keys of the data model (``requests.new.natural_person``), ``meta.organ``,
    ``meta.contact.phone``, ``narrative.problems``, ``previous.<figure key>``, ``previous.year``.
    Both the writer and the reader use this, so a cell is placed in one place only.
    """
    return _layout((fmt or get_format()).key)


META_FIRST = 3  # first meta row (row 2 holds column headers)


def _meta_rows(fmt: Format) -> list[tuple[str, str, str, str]]:
    """(key, label, hint, kind) for every row of 基本信息, or a sub-heading when key is ''."""
    rows = []
    for f in fmt.meta:
        hint = f"必填。{f.hint}" if f.required else f.hint
        rows.append((f"meta.{f.key}", f.label, hint, YEAR if f.key == "year" else TEXT))
    rows.append(("", "联系方式（用于报告中的“如对本报告有任何疑问，请与……联系”）", "", ""))
    for f in fmt.contact:
        rows.append((f"meta.contact.{f.key}", f.label, f.hint, TEXT))
    return rows


def _meta_layout(fmt: Format, lay: Layout) -> None:
    sheet = fmt.meta_sheet
    for i, (key, label, _, kind) in enumerate(_meta_rows(fmt)):
        row = META_FIRST + i
        lay.labels.append((sheet, addr(row, 1), label))
        if key:
            lay.slots[key] = Slot(sheet, addr(row, 2), META, kind)


# 上年数据: label column A, numbers from column B. Every cell is an input, groups and totals
# included, because last year's figures often survive only as totals quoted in last year's report.
PREV_YEAR_ROW = 3


@dataclass
class _PrevBlock:
    title: str
    headers: list[tuple[str, int, int, int, int]]  # (text, row offset, col, rowspan, colspan)
    rows: list[tuple[str, list[str | None], bool]]  # (label, keys per column, is a group row)
    header_rows: int


def _previous_blocks(fmt: Format) -> list[_PrevBlock]:
    kinds = dict(fmt.input_figures())
    act = fmt.active
    active_rows = [(f"{item.label} · {f.label}", [key], False) for key, item, f in act.figures()]
    blocks = [_PrevBlock(act.title, [("项目", 0, 1, 1, 1), ("上年数值", 0, 2, 1, 1)], active_rows, 1)]

    req = fmt.requests
    headers = [("项目", 0, 1, 2, 1)]
    col = 2
    parents_done: set[str] = set()
    for c in req.columns:
        if c.parent:
            if c.parent not in parents_done:
                width = sum(1 for x in req.columns if x.parent == c.parent)
                headers.append((c.parent, 0, col, 1, width))
                parents_done.add(c.parent)
            headers.append((c.label, 1, col, 1, 1))
        else:
            headers.append((c.label, 0, col, 2, 1))
        col += 1
    req_rows = []
    for row in req.all_rows():
        label = row.label
        if "." in row.key:
            label = f"　　{label}"
        elif row.is_group:
            label = f"{label}（小计）"
        req_rows.append((label, [f"{req.key}.{row.key}.{c.key}" for c in req.columns], row.is_group))
    blocks.append(_PrevBlock(req.title, headers, req_rows, 2))

    ap = fmt.appeals
    headers = [("项目", 0, 1, 1, 1)] + [(f.label, 0, 2 + j, 1, 1) for j, f in enumerate(ap.fields)]
    ap_rows = []
    for b in ap.blocks:
        label = f"{b.parent} · {b.label}" if b.parent else b.label
        ap_rows.append((label, [f"{ap.key}.{b.key}.{f.key}" for f in ap.fields], False))
    combined, combined_label, _ = ap.combined
    ap_rows.append(
        (f"{combined_label}（合计，不区分是否经复议）", [f"{ap.key}.{combined}.{f.key}" for f in ap.fields], True)
    )
    blocks.append(_PrevBlock(ap.title, headers, ap_rows, 1))

    other = [(f.label, [f"other_matters.{key}"], False) for key, f in fmt.other_matters]
    blocks.append(_PrevBlock(fmt.other_matters_title, [("项目", 0, 1, 1, 1), ("上年数值", 0, 2, 1, 1)], other, 1))
    assert all(k is None or k in kinds or k in fmt.derived_figures() for b in blocks for _, ks, _ in b.rows for k in ks)
    return blocks


def _previous_placed(fmt: Format) -> list[tuple[int, _PrevBlock]]:
    """Each block of 上年数据 with the row of its title."""
    out = []
    row = PREV_YEAR_ROW + 2
    for block in _previous_blocks(fmt):
        out.append((row, block))
        row += 1 + block.header_rows + len(block.rows) + 1
    return out


def _previous_layout(fmt: Format, lay: Layout) -> None:
    sheet = fmt.previous_sheet
    kinds = {k: f.kind for k, f in fmt.input_figures()}
    lay.labels.append((sheet, addr(PREV_YEAR_ROW, 1), "上年度"))
    lay.slots["previous.year"] = Slot(sheet, addr(PREV_YEAR_ROW, 2), PREVIOUS, YEAR)
    for top, block in _previous_placed(fmt):
        lay.labels.append((sheet, addr(top, 1), block.title))
        first = top + 1 + block.header_rows
        for i, (label, keys, _) in enumerate(block.rows):
            lay.labels.append((sheet, addr(first + i, 1), label))
            for j, key in enumerate(keys):
                if key:
                    lay.slots[f"previous.{key}"] = Slot(sheet, addr(first + i, 2 + j), PREVIOUS, kinds.get(key, COUNT))


NARRATIVE_FIRST = 3


def _narrative_layout(fmt: Format, lay: Layout) -> None:
    sheet = fmt.narrative_sheet
    row = NARRATIVE_FIRST
    for s in fmt.narrative:
        lay.labels.append((sheet, addr(row, 1), s.heading))
        lay.slots[f"narrative.{s.key}"] = Slot(sheet, addr(row, 3), TEXT, TEXT)
        row += 1
    # The figures behind the generated sentence on 信息处理费 sit under section 六's text.
    row += 1
    for key, f in fmt.other_matters:
        lay.labels.append((sheet, addr(row, 1), f.label))
        lay.slots[f"other_matters.{key}"] = Slot(sheet, addr(row, 3), INPUT, f.kind)
        row += 1


# ---- Formulas ---------------------------------------------------------------------------


def _sum_expr(cells: Iterable[str]) -> str:
    """SUM over cells, contiguous runs in a row or a column written as ranges."""
    points = sorted({_split(c) for c in cells})  # (col, row)
    if not points:
        return "0"
    if len({r for _, r in points}) == 1:
        runs = _runs(points, along=0)
    else:
        runs = _runs(sorted(points, key=lambda p: (p[0], p[1])), along=1)
    return f"SUM({','.join(runs)})"


def _runs(points: list[tuple[int, int]], along: int) -> list[str]:
    out: list[list[tuple[int, int]]] = []
    for p in points:
        last = out[-1][-1] if out else None
        if last and p[along] == last[along] + 1 and p[1 - along] == last[1 - along]:
            out[-1].append(p)
        else:
            out.append([p])
    return [
        addr(run[0][1], run[0][0]) + ("" if len(run) == 1 else f":{addr(run[-1][1], run[-1][0])}") for run in out
    ]


def _cells_of(fmt: Format, lay: Layout, key: str, sheet: str) -> list[str] | None:
    """The cells whose sum is `key` on `sheet`, expanding totals not shown there."""
    slot = lay.slots.get(key)
    if slot and slot.sheet == sheet and slot.role in (INPUT, DERIVED):
        return [slot.cell]
    sums = {s.target: s for s in fmt.sums}
    if key not in sums:
        return None
    out: list[str] = []
    for part in sums[key].parts:
        cells = _cells_of(fmt, lay, part, sheet)
        if cells is None:
            return None
        out += cells
    return out


def _text(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _message(template: str, **values: str) -> str:
    """A Chinese message template as an Excel string expression; values are expressions."""
    marks = {k: f"\x00{k}\x00" for k in values}
    pieces = template.format(**marks).split("\x00")
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:
            out.append(values[piece])
        elif piece:
            out.append(_text(piece))
    return "&".join(out)


@dataclass
class _Check:
    sheet: str
    row_of: int  # the row of the checked figure; 0 when the identity spans rows
    label: str
    formula: str


def checks(fmt: Format, lay: Layout) -> list[_Check]:
    """A live check for every balance and every sum whose total is shown on a sheet."""
    out: list[_Check] = []
    for s in fmt.sums:
        target = lay.slots.get(s.target)
        if not target or target.role != DERIVED:
            continue
        parts = [c for p in s.parts for c in (_cells_of(fmt, lay, p, target.sheet) or [])]
        expr = _sum_expr(parts)
        wrong = _message(s.message, label=_text(fmt.label(s.target)), parts=expr, given=target.cell)
        formula = f'=IFERROR(IF({expr}={target.cell},"{CHECK_OK}",{wrong}),"有单元格不是数字，请检查")'
        same_row = all(_split(c)[1] == target.row for c in parts)
        out.append(_Check(target.sheet, target.row if same_row else 0, fmt.label(s.target), formula))
    for b in fmt.balances:
        out.append(_balance_check(fmt, lay, b))
    # Two checks of one row cannot share the cell beside it: list them under the table.
    seen: dict[tuple[str, int], int] = {}
    for c in out:
        seen[(c.sheet, c.row_of)] = seen.get((c.sheet, c.row_of), 0) + 1
    for c in out:
        if c.row_of and seen[(c.sheet, c.row_of)] > 1:
            c.row_of = 0
    return out


def _balance_check(fmt: Format, lay: Layout, b: Balance) -> _Check:
    sheet = lay.slots[b.anchor].sheet
    left = _sum_expr(c for k in b.left for c in _cells_of(fmt, lay, k, sheet) or [])
    right = _sum_expr(c for k in b.right for c in _cells_of(fmt, lay, k, sheet) or [])
    wrong = _message(b.message, where=_text(b.where), left=left, right=right)
    formula = f'=IFERROR(IF({left}={right},"{CHECK_OK}",{wrong}),"有单元格不是数字，请检查")'
    return _Check(sheet, 0, f"勾稽关系（{b.where}）", formula)


def total_formula(fmt: Format, lay: Layout, key: str) -> str:
    slot = lay.slots[key]
    s = next(x for x in fmt.sums if x.target == key)
    parts = [c for p in s.parts for c in (_cells_of(fmt, lay, p, slot.sheet) or [])]
    return f"={_sum_expr(parts)}"


# ---- Writing ----------------------------------------------------------------------------

FONT = "宋体"
INPUT_FILL = "FFF9D6"  # light yellow: type here
HEAD_FILL = "F2F2F2"
BAD_FILL = "FFC7CE"
BAD_FONT = "9C0006"
OK_FONT = "2E7D32"
COUNT_PROMPT = "请填写非负整数（件数），没有的填0。"
MONEY_PROMPT = "请填写金额（单位：万元），最多两位小数，没有的填0。"
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
    previous: Report | None = None,
) -> None:
    """Write the standard workbook: blank, or filled with `report`'s figures, meta and text.

    `previous` (last year's report) fills 上年数据 and this year's 二、上年结转 row from last
    year's 四、结转下年度继续办理. The file is written atomically.
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
        _write_checks(ws, st, grid, top, [c for c in sheet_checks if c.sheet == sheet])
        _print_setup(ws, grid, top, landscape=grid_key != "active")
    _write_previous_sheet(wb[fmt.previous_sheet], fmt, lay, st)
    _write_narrative_sheet(wb[fmt.narrative_sheet], fmt, lay, st)
    _validate_inputs(wb, fmt, lay)

    values = _values(fmt, report, organ, year, previous)
    for key, value in values.items():
        slot = lay.slots.get(key)
        if slot is None or value is None or value == "":
            continue
        ws = wb[slot.sheet]
        ws[slot.cell].value = value
        if slot.role == TEXT and isinstance(value, str):
            ws.row_dimensions[slot.row].height = _text_height(value)
    for ws in wb.worksheets:
        ws.protection.sheet = True  # no password: this guards against slips, not people
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
    wb.active = 0
    _save(wb, Path(path))


def _values(
    fmt: Format, report: Report | None, organ: str, year: int | None, previous: Report | None
) -> dict[str, Any]:
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
    if previous is not None:
        prev = Previous(year=previous.year, figures=dict(previous.figures))
        values.update(_previous_values(prev))
        req = fmt.requests
        carried_in, carried_out = req.balance_left[1], req.balance_right[1]
        for c in req.input_columns():
            last = previous.figures.get(f"{req.key}.{carried_out}.{c.key}")
            if last is not None:
                values[f"{req.key}.{carried_in}.{c.key}"] = last
        if year is None and values.get("meta.year") in (None, "") and previous.year:
            values["meta.year"] = previous.year + 1
    return values


def _previous_values(prev: Previous) -> dict[str, Number | int | None]:
    out: dict[str, Number | int | None] = {f"previous.{k}": v for k, v in prev.figures.items()}
    out["previous.year"] = prev.year
    return out


def _save(wb: Any, path: Path) -> None:
    folder = path.parent if str(path.parent) else Path()
    tmp_name = ""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.stem}-", suffix=".xlsx", delete=False) as tmp:
            tmp_name = tmp.name
            wb.save(tmp)
        # A temporary file is private (0600); the workbook should get the usual permissions.
        Path(tmp_name).chmod(0o666 & ~_umask())
        Path(tmp_name).replace(path)
    except OSError as e:
        if tmp_name:
            Path(tmp_name).unlink(missing_ok=True)
        raise OutputError(
            f"无法写入（{e.strerror or e}）", file=str(path), hint="请检查文件夹是否存在、是否有写权限，或文件是否正在Excel/WPS中打开"
        ) from e


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
    widths = _col_widths(grid)
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
                cell.number_format = "0.00" if slot.kind == MONEY else "0"
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


def _col_widths(grid: Grid) -> list[float]:
    if grid.key == "requests":
        return [7, 12, 46] + [9.5] * (grid.n_cols - 3)
    if grid.key == "appeals":
        return [8.5] * grid.n_cols
    return [24] + [18] * (grid.n_cols - 1)


def _span_borders(ws: Worksheet, st: _Styles, r: int, col: int, c: Cell) -> None:
    # A merged range draws the borders of every cell it covers, not only its first.
    for rr in range(r, r + c.rowspan):
        for cc in range(col, col + c.colspan):
            ws.cell(rr, cc).border = st.border


def _write_checks(ws: Worksheet, st: _Styles, grid: Grid, top: int, sheet_checks: list[_Check]) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill

    beside = grid.n_cols + 2
    below = top + grid.n_rows + 1
    ok_font = Font(name=FONT, size=11, color=OK_FONT)
    placed: list[str] = []
    side = [c for c in sheet_checks if c.row_of]
    if side:
        head = ws.cell(top, beside, "检查")
        head.font = st.bold
        ws.column_dimensions[col_letter(beside)].width = 12
    for c in side:
        cell = ws.cell(c.row_of, beside, c.formula)
        cell.font = ok_font
        cell.alignment = Alignment(vertical="center")
        placed.append(cell.coordinate)
    rest = [c for c in sheet_checks if not c.row_of]
    if rest:
        ws.cell(below, 1, "勾稽关系检查").font = st.bold
        label_width = max(1, _label_cols(grid)) if grid.key != "appeals" else 4
        for i, c in enumerate(rest):
            r = below + 1 + i
            ws.cell(r, 1, c.label).font = st.font
            ws.cell(r, 1).alignment = Alignment(vertical="center")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=label_width)
            cell = ws.cell(r, label_width + 1, c.formula)
            cell.font = ok_font
            ws.merge_cells(start_row=r, start_column=label_width + 1, end_row=r, end_column=grid.n_cols)
            placed.append(cell.coordinate)
    red = PatternFill("solid", start_color=BAD_FILL, end_color=BAD_FILL)
    for at in placed:
        ws.conditional_formatting.add(
            at, FormulaRule(formula=[f'{at}<>"{CHECK_OK}"'], fill=red, font=Font(color=BAD_FONT, bold=True))
        )


def _print_setup(ws: Worksheet, grid: Grid, top: int, *, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:{addr(top + grid.n_rows - 1, grid.n_cols)}"
    if grid.header_rows:
        ws.print_title_rows = f"{top}:{top + grid.header_rows - 1}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5


def _write_meta_sheet(ws: Worksheet, fmt: Format, lay: Layout, st: _Styles) -> None:
    _write_title(ws, st, "政府信息公开工作年度报告 · 基本信息", 3)
    for j, (text, width) in enumerate((("项目", 26), ("填写", 48), ("说明", 44))):
        _style_cell(ws.cell(2, 1 + j, text), st, fill=st.head_fill, font=st.bold)
        ws.column_dimensions[col_letter(1 + j)].width = width
    for i, (key, label, hint, kind) in enumerate(_meta_rows(fmt)):
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
    r = META_FIRST + len(_meta_rows(fmt)) + 1
    ws.cell(r, 1, "报告格式").font = st.font
    ws.cell(r, 2, f"{fmt.name}（{fmt.notice}）").font = st.font
    ws.freeze_panes = "A3"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


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
    _style_cell(ws.cell(PREV_YEAR_ROW, 1, "上年度"), st, align="left", font=st.bold)
    year_cell = ws[lay.slots["previous.year"].cell]
    _style_cell(year_cell, st, fill=st.input_fill, locked=False)
    year_cell.number_format = "0"
    ws.cell(PREV_YEAR_ROW, 3, "不填则为统计年度减一").font = st.font
    for top, block in _previous_placed(fmt):
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
                cell.number_format = "0.00" if slot and slot.kind == MONEY else "0"
    ws.freeze_panes = "B4"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
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
        cell.number_format = "0.00" if f.kind == MONEY else "0"
        ws.row_dimensions[slot.row].height = 22
    ws.freeze_panes = "A3"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _validate_inputs(wb: Any, fmt: Format, lay: Layout) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    rules = {
        (COUNT, False): ("whole", COUNT_PROMPT, "应填写非负整数（件数），不能填文字、小数或负数。"),
        (MONEY, False): ("decimal", MONEY_PROMPT, "应填写不小于0的金额（万元），最多两位小数。"),
        (COUNT, True): ("whole", PREV_PROMPT, "应填写非负整数，或留空表示不知道。"),
        (MONEY, True): ("decimal", PREV_PROMPT, "应填写不小于0的金额，或留空表示不知道。"),
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
        dv = DataValidation(
            type=vtype, operator="greaterThanOrEqual", formula1="0", allow_blank=True,
            showInputMessage=True, showErrorMessage=True,
            promptTitle="填写说明", prompt=prompt, errorTitle="输入有误", error=error,
        )
        for cell in cells:
            dv.add(cell)
        wb[sheet].add_data_validation(dv)
    for sheet, cells in years.items():
        dv = DataValidation(
            type="whole", operator="between", formula1="1990", formula2="2200", allow_blank=True,
            showInputMessage=True, showErrorMessage=True, promptTitle="填写说明",
            prompt="填写四位年份，如2025。", errorTitle="输入有误", error="应为四位年份，如2025。",
        )
        for cell in cells:
            dv.add(cell)
        wb[sheet].add_data_validation(dv)


def init_workbook(out: str | Path, organ: str, year: int | None, previous_path: str | Path | None = None) -> None:
    """Write a blank workbook for `organ` and `year`, prefilled from last year's file if given."""
    previous = None
    if previous_path:
        from .readers import load

        previous = load(previous_path)
    write_workbook(out, organ=organ, year=year, previous=previous)
