"""Where everything sits in the standard workbook, and the formulas of its totals and checks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from . import Format, get_format
from .base import COUNT
from .derive import typed_parts
from .grids import NUMBER, Grid, grids, requests_grid

# Slot roles: what a cell holds and how the reader treats it.
INPUT = "input"  # a figure a clerk types
DERIVED = "derived"  # a total shown as a formula; read into `given`, never trusted
META = "meta"
TEXT = "text"  # a narrative section
PREVIOUS = "previous"  # last year's figure; blank means unknown
YEAR = "year"  # a kind: a four-digit year

TABLE_TOP = 3  # row of a table's first header row: row 1 is the title, row 2 a note
CHECK_OK = "✓"
UNITS_SHEET = "单位汇总"  # a merged report's units, one row each


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(frozen=True, eq=False, repr=False)
class Slot:
    """Where one value lives in the workbook."""

    sheet: str
    cell: str  # A1 address of the (top-left) cell
    role: str
    kind: str = COUNT  # count | money | text | year

    @property
    def row(self) -> int:
        return split_cell(self.cell)[1]

    @property
    def col(self) -> int:
        return split_cell(self.cell)[0]


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(eq=False, repr=False)
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


# Cell addresses are converted thousands of times a read (every cell of every sheet, and each
# slot the reader looks up); the sheets reportgen reads are small, so remembered conversions
# stay few, and a bound keeps a hostile sheet of a million addresses from filling memory.
_REMEMBERED = 65536


@lru_cache(maxsize=_REMEMBERED)
def col_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    text = ""
    while col:
        col, rem = divmod(col - 1, 26)
        text = chr(65 + rem) + text
    return text


@lru_cache(maxsize=_REMEMBERED)
def addr(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


@lru_cache(maxsize=_REMEMBERED)
def split_cell(cell: str) -> tuple[int, int]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch.upper()) - 64
    return col, int(cell[len(letters) :])


def sheet_names(fmt: Format) -> tuple[str, ...]:
    """The sheets of `fmt`'s workbook, in workbook order (不含单位汇总)."""
    return (fmt.meta_sheet, fmt.active.sheet, fmt.requests.sheet, fmt.appeals.sheet, fmt.previous_sheet,
            fmt.narrative_sheet)


def table_grids(fmt: Format) -> dict[str, Grid]:
    """The three official tables with empty number cells (positions only)."""
    return grids(fmt, lambda key: "")


def _table_sheet(fmt: Format, grid: Grid) -> str:
    """The sheet a table sits on: its grid carries the table's key."""
    return {t.key: t.sheet for t in (fmt.active, fmt.requests, fmt.appeals)}[grid.key]


def _requests_grid(fmt: Format) -> Grid:
    """Table 3 with empty number cells: the checks under and beside it sit by its size."""
    return requests_grid(fmt.requests, lambda key: "")


@cache
def _layout(fmt_key: str) -> Layout:
    fmt = get_format(fmt_key)
    lay = Layout(sheets=sheet_names(fmt))
    _meta_layout(fmt, lay)
    inputs = dict(fmt.input_figures())
    derived = set(fmt.derived_figures())
    for grid_key, grid in table_grids(fmt).items():
        sheet = _table_sheet(fmt, grid)
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


def meta_rows(fmt: Format) -> list[tuple[str, str, str, str]]:
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
    for i, (key, label, _, kind) in enumerate(meta_rows(fmt)):
        row = META_FIRST + i
        lay.labels.append((sheet, addr(row, 1), label))
        if key:
            lay.slots[key] = Slot(sheet, addr(row, 2), META, kind)


# 上年数据: label column A, numbers from column B. Every cell is an input, groups and totals
# included, because last year's figures often survive only as totals quoted in last year's report.
PREVIOUS_YEAR_ROW = 3


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(eq=False, repr=False)
class _PrevBlock:
    """A table of 上年数据: its title, header cells and rows of figure keys."""

    title: str
    headers: list[tuple[str, int, int, int, int]]  # (text, row offset, col, rowspan, colspan)
    rows: Sequence[tuple[str, Sequence[str | None], bool]]  # (label, keys per column, is a group row)
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


def previous_placed(fmt: Format) -> list[tuple[int, _PrevBlock]]:
    """Each block of 上年数据 with the row of its title."""
    out = []
    row = PREVIOUS_YEAR_ROW + 2
    for block in _previous_blocks(fmt):
        out.append((row, block))
        row += 1 + block.header_rows + len(block.rows) + 1
    return out


def _previous_layout(fmt: Format, lay: Layout) -> None:
    sheet = fmt.previous_sheet
    kinds = {k: f.kind for k, f in fmt.input_figures()}
    lay.labels.append((sheet, addr(PREVIOUS_YEAR_ROW, 1), "上年度"))
    lay.slots["previous.year"] = Slot(sheet, addr(PREVIOUS_YEAR_ROW, 2), PREVIOUS, YEAR)
    for top, block in previous_placed(fmt):
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


def cell_ranges(cells: Iterable[str]) -> str:
    """Cells as ranges, contiguous runs in a row or a column joined: D6:D28,D30."""
    points = sorted({split_cell(c) for c in cells})  # (col, row)
    if len({r for _, r in points}) == 1:
        runs = _runs(points, along=0)
    else:
        runs = _runs(sorted(points, key=lambda p: (p[0], p[1])), along=1)
    return ",".join(runs)


def _sum_expr(cells: Iterable[str]) -> str:
    """SUM over cells, contiguous runs in a row or a column written as ranges."""
    ranges = cell_ranges(cells)
    return f"SUM({ranges})" if ranges else "0"


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


CHECK_BAD = "✗"  # every failing check starts with it; the red formatting looks for it
BELOW_TABLE = 1  # rows between a table and its checks: none, they sit directly under it


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(frozen=True, eq=False, repr=False)
class Check:
    """A live check: a formula that shows ✓, nothing (nothing to check yet), or ✗ and what is wrong.

    It mirrors one rule of `reportgen check` (`code`) over cells a clerk types, so it can fail;
    `marks` are the typed cells of its sheet that turn red with it, each with the condition.
    """

    sheet: str
    cell: str
    label: str  # what it checks, in the words beside it
    formula: str
    code: str  # the finding `reportgen check` gives for the same mistake ("" for a summary)
    keys: tuple[str, ...] = ()  # the figure keys it checks (previous.… for last year's)
    marks: tuple[tuple[str, str], ...] = ()  # (cells on `sheet` as ranges, condition)


def _ref(lay: Layout, key: str, from_sheet: str, *, absolute: bool = False) -> str:
    slot = lay.slots[key]
    col, row = split_cell(slot.cell)
    cell = f"${col_letter(col)}${row}" if absolute else slot.cell
    return cell if slot.sheet == from_sheet else f"'{slot.sheet}'!{cell}"


def _ranges(cells: Iterable[str]) -> str:
    """SUM arguments for cells: ranges joined by commas."""
    return cell_ranges(cells) or "0"


def _typed_cells(fmt: Format, lay: Layout, key: str) -> list[str]:
    """The typed cells whose sum `key` is on its table's sheet (totals expanded to their parts)."""
    return [lay.slots[k].cell for k in typed_parts(fmt, [key])]


def checks(fmt: Format, lay: Layout) -> list[Check]:
    """Every live check of the workbook, each over typed cells, so each can fail.

    The totals of the three tables are formulas of their rows and columns: a check of a total
    against its parts would compare a formula with itself. What can be wrong in what a clerk
    types is checked: table 3's balance per column and its 上年结转 against last year's
    结转下年度 (two rows directly under the table, and a summary beside its heading), and on
    上年数据, where totals are typed too, each typed total against its typed parts (beside
    the row) and the year against 统计年度.
    """
    out = _table3_checks(fmt, lay)
    out += _previous_checks(fmt, lay)
    return out


def requests_check_rows(fmt: Format) -> tuple[int, int]:
    """The rows under table 3 holding its balance check and its check against last year."""
    below = TABLE_TOP + _requests_grid(fmt).n_rows - 1 + BELOW_TABLE
    return below, below + 1


def _table3_checks(fmt: Format, lay: Layout) -> list[Check]:
    req = fmt.requests
    sheet = req.sheet
    balance_row, carried_row = requests_check_rows(fmt)
    out: list[Check] = []
    for b in fmt.balances:
        left = _ranges(c for k in b.left for c in _typed_cells(fmt, lay, k))
        right = _ranges(c for k in b.right for c in _typed_cells(fmt, lay, k))
        col = split_cell(lay.slots[b.left[0]].cell)[0]
        at = addr(balance_row, col)
        formula = (
            f'=IFERROR(IF(SUM({left})=SUM({right}),"{CHECK_OK}",'
            f'"{CHECK_BAD}"&SUM({left})&"≠"&SUM({right})),"{CHECK_BAD}非数字")'
        )
        typed = cell_ranges(c for k in b.left + b.right for c in _typed_cells(fmt, lay, k)).replace(",", " ")
        out.append(Check(sheet, at, f"勾稽关系（{b.where}）", formula, b.code, b.left + b.right,
                         ((typed, f'LEFT(${col_letter(col)}${balance_row},1)="{CHECK_BAD}"'),)))
    carried_in, carried_out = req.balance_left[1], req.balance_right[1]
    inputs = req.input_columns()
    for c in (*inputs, req.total_column()):
        this_key, last_key = f"{req.key}.{carried_in}.{c.key}", f"previous.{req.key}.{carried_out}.{c.key}"
        this, last = lay.slots[this_key].cell, _ref(lay, last_key, sheet, absolute=True)
        if c.derived:  # the row's typed cells, not its 总计 formula
            this = f"SUM({cell_ranges(_typed_cells(fmt, lay, this_key))})"
        known = f"ISNUMBER({last})"
        if c.derived:
            # As `check` does: last year's 总计 only when none of its columns is known.
            cols = [_ref(lay, f"previous.{req.key}.{carried_out}.{x.key}", sheet, absolute=True) for x in inputs]
            known = f"AND({known},COUNT({','.join(cols)})=0)"
        col = split_cell(lay.slots[this_key].cell)[0]
        at = addr(carried_row, col)
        formula = f'=IFERROR(IF({known},IF({this}={last},"{CHECK_OK}","{CHECK_BAD}上年"&{last}),""),"")'
        typed = cell_ranges(_typed_cells(fmt, lay, this_key))
        out.append(Check(sheet, at, f"上年结转（{c.label}）", formula, "carried_in_mismatch", (this_key, last_key),
                         ((typed.replace(",", " "), f'LEFT(${col_letter(col)}${carried_row},1)="{CHECK_BAD}"'),)))
    cells = [c.cell for c in out]
    # Beside the heading, in the frozen rows: seen without scrolling down to the checks.
    summary = (
        f'=IF(AND({",".join(f"LEFT({c},1)<>{_text(CHECK_BAD)}" for c in cells)}),'
        f'"{CHECK_OK} 本表检查通过","{CHECK_BAD} 有不符，见表下第{balance_row}、{carried_row}行红色单元格")'
    )
    at = addr(TABLE_TOP, _requests_grid(fmt).n_cols + 2)
    out.append(Check(sheet, at, "本表检查", summary, ""))
    return out


def _previous_checks(fmt: Format, lay: Layout) -> list[Check]:
    sheet = fmt.previous_sheet
    out: list[Check] = []
    year = lay.slots["previous.year"].cell
    this_year = _ref(lay, "meta.year", sheet, absolute=True)
    figures = [s.cell for k, s in lay.slots.items() if s.sheet == sheet and k != "previous.year"]
    any_figure = f"COUNT({cell_ranges(figures)})>0"
    formula = (
        f'=IFERROR(IF(AND(ISNUMBER({year}),ISNUMBER({this_year}),{any_figure}),'
        f'IF({year}={this_year}-1,"{CHECK_OK}","{CHECK_BAD}应为"&({this_year}-1)),""),"")'
    )
    col, row = split_cell(year)
    at = addr(row, previous_check_col(fmt))
    out.append(Check(sheet, at, "上年度", formula, "previous_year", ("previous.year",),
                     ((year, f'LEFT(${col_letter(split_cell(at)[0])}${row},1)="{CHECK_BAD}"'),)))
    # Every sum whose total has a cell here, grouped by the row the total sits on.
    by_row: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    for s in fmt.sums:
        slot = lay.slots.get(f"previous.{s.target}")
        if slot is not None and all(f"previous.{p}" in lay.slots for p in s.parts):
            by_row.setdefault(slot.row, []).append((s.target, s.parts))
    check_col = previous_check_col(fmt)
    for row, sums in sorted(by_row.items()):
        fails, texts, marks, keys = [], [], [], []
        for target, parts in sums:
            t = lay.slots[f"previous.{target}"].cell
            ps = _ranges(lay.slots[f"previous.{p}"].cell for p in parts)
            n = len(parts)
            # As `check` does: all parts typed → they add up to the total; some → not more than it.
            fail = f"AND(ISNUMBER({t}),IF(COUNT({ps})={n},SUM({ps})<>{t},SUM({ps})>{t}))"
            name = _short_label(fmt, target)
            texts.append(
                f'IF({fail},IF(COUNT({ps})={n},"{name}"&{t}&"≠各项之和"&SUM({ps}),'
                f'"{name}"&{t}&"小于已填各项之和"&SUM({ps}))&"；","")'
            )
            fails.append(fail)
            marks.append((t, _absolute(fail)))
            keys.append(f"previous.{target}")
        at = addr(row, check_col)
        row_cells = [s.cell for k, s in lay.slots.items() if s.sheet == sheet and s.row == row]
        formula = (
            f'=IFERROR(IF(OR({",".join(fails)}),"{CHECK_BAD}"&{"&".join(texts)},'
            f'IF(COUNT({cell_ranges(row_cells)})=0,"","{CHECK_OK}")),"")'
        )
        out.append(Check(sheet, at, "上年数据的合计", formula, "previous_sum", tuple(dict.fromkeys(keys)),
                         tuple(dict.fromkeys(marks))))
    return out


def previous_check_col(fmt: Format) -> int:
    """The column beside 上年数据's widest block (table 3: a label column and one per column)."""
    return 2 + len(fmt.requests.columns)


def _short_label(fmt: Format, key: str) -> str:
    """Which total of a row of 上年数据 failed: its column (自然人, 总计, 结果维持…)."""
    field_key = key.rpartition(".")[2]
    for f in (*fmt.requests.columns, *fmt.appeals.fields):
        if f.key == field_key:
            return f.label
    return fmt.label(key)


def _absolute(expr: str) -> str:
    """A1 references made absolute ($D$6), for a conditional format applied to another cell."""
    return re.sub(r"(?<![A-Z$'!])([A-Z]{1,3})([0-9]+)(?![0-9(])", r"$\1$\2", expr)


def total_formula(fmt: Format, lay: Layout, key: str) -> str:
    slot = lay.slots[key]
    s = next(x for x in fmt.sums if x.target == key)
    parts = [c for p in s.parts for c in (_cells_of(fmt, lay, p, slot.sheet) or [])]
    return f"={_sum_expr(parts)}"
