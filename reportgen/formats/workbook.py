"""Where everything sits in the standard workbook, and the formulas of its totals and checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from . import Format, get_format
from .base import COUNT, Balance
from .grids import NUMBER, Grid, grids

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


@dataclass(frozen=True)
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


def split_cell(cell: str) -> tuple[int, int]:
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


@dataclass
class _PrevBlock:
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


def _sum_expr(cells: Iterable[str]) -> str:
    """SUM over cells, contiguous runs in a row or a column written as ranges."""
    points = sorted({split_cell(c) for c in cells})  # (col, row)
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
class Check:
    sheet: str
    row_of: int  # the row of the checked figure; 0 when the identity spans rows
    label: str
    formula: str


def checks(fmt: Format, lay: Layout) -> list[Check]:
    """A live check for every balance and every sum whose total is shown on a sheet."""
    out: list[Check] = []
    for s in fmt.sums:
        target = lay.slots.get(s.target)
        if not target or target.role != DERIVED:
            continue
        parts = [c for p in s.parts for c in (_cells_of(fmt, lay, p, target.sheet) or [])]
        expr = _sum_expr(parts)
        wrong = _message(s.message, label=_text(fmt.label(s.target)), parts=expr, given=target.cell)
        formula = f'=IFERROR(IF({expr}={target.cell},"{CHECK_OK}",{wrong}),"有单元格不是数字，请检查")'
        same_row = all(split_cell(c)[1] == target.row for c in parts)
        out.append(Check(target.sheet, target.row if same_row else 0, fmt.label(s.target), formula))
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


def _balance_check(fmt: Format, lay: Layout, b: Balance) -> Check:
    sheet = lay.slots[b.anchor].sheet
    left = _sum_expr(c for k in b.left for c in _cells_of(fmt, lay, k, sheet) or [])
    right = _sum_expr(c for k in b.right for c in _cells_of(fmt, lay, k, sheet) or [])
    wrong = _message(b.message, where=_text(b.where), left=left, right=right)
    formula = f'=IFERROR(IF({left}={right},"{CHECK_OK}",{wrong}),"有单元格不是数字，请检查")'
    return Check(sheet, 0, f"勾稽关系（{b.where}）", formula)


def total_formula(fmt: Format, lay: Layout, key: str) -> str:
    slot = lay.slots[key]
    s = next(x for x in fmt.sums if x.target == key)
    parts = [c for p in s.parts for c in (_cells_of(fmt, lay, p, slot.sheet) or [])]
    return f"={_sum_expr(parts)}"
