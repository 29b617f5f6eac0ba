"""Tables 2, 3 and 4 as grids of cells with spans, built from the format definition.

Both renderers draw these grids (HTML as rowspan/colspan, DOCX as gridSpan/vMerge) and the
workbook uses the same layout, so the shape of each official table is written once, here,
from the definition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import Format
from .base import ActiveTable, AppealsTable, GridTable, Section

LABEL = "label"
NUMBER = "number"
HEADER = "header"
TITLE = "title"  # a block title row of table 2


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(eq=False, repr=False)
class Cell:
    """A cell of a table grid, placed and spanned as printed."""

    text: str
    row: int  # grid position of the top-left corner
    col: int
    rowspan: int = 1
    colspan: int = 1
    kind: str = LABEL  # header | title | label | number
    scope: str = ""  # col | colgroup | row | rowgroup, for HTML <th>
    key: str = ""  # the figure shown, for numbers

    @property
    def is_header(self) -> bool:
        return self.kind != NUMBER

    def as_dict(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict deep-copies field by field, a noticeable part of a build
        return {"text": self.text, "row": self.row, "col": self.col, "rowspan": self.rowspan,
                "colspan": self.colspan, "kind": self.kind, "scope": self.scope, "key": self.key,
                "is_header": self.kind != NUMBER}


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(eq=False, repr=False)
class Grid:
    """A table as printed: its cells on a grid, with the header rows that repeat."""

    key: str
    title: str
    n_rows: int
    n_cols: int
    header_rows: int  # how many rows at the top repeat as table header
    cells: list[Cell]
    col_widths: list[int]  # relative widths

    def rows(self) -> list[list[Cell]]:
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "n_rows": self.n_rows,
            "n_cols": self.n_cols,
            "header_rows": self.header_rows,
            "col_widths": self.col_widths,
            "rows": [[c.as_dict() for c in r] for r in self.rows()],
        }


Formatter = Callable[[str], str]  # figure key -> displayed text


def active_grid(t: ActiveTable, show: Formatter) -> Grid:
    width = 1 + max(len(b.fields) for b in t.blocks)
    cells: list[Cell] = []
    r = 0
    for block in t.blocks:
        cells.append(Cell(block.title, r, 0, colspan=width, kind=TITLE, scope="colgroup"))
        r += 1
        cells.append(Cell(t.item_header, r, 0, kind=HEADER, scope="col"))
        spans = _spread(width - 1, len(block.fields))
        col = 1
        for f, span in zip(block.fields, spans, strict=True):
            cells.append(Cell(f.label, r, col, colspan=span, kind=HEADER, scope="col"))
            col += span
        r += 1
        for item in block.items:
            cells.append(Cell(item.label, r, 0, kind=LABEL, scope="row"))
            col = 1
            for f, span in zip(block.fields, spans, strict=True):
                key = f"{t.key}.{item.key}.{f.key}"
                cells.append(Cell(show(key), r, col, colspan=span, kind=NUMBER, key=key))
                col += span
            r += 1
    return Grid(t.key, t.title, r, width, 0, cells, [4] + [3] * (width - 1))


def _spread(width: int, n: int) -> list[int]:
    """Split `width` columns among `n` fields (the last takes the rest)."""
    base = width // n
    return [base] * (n - 1) + [width - base * (n - 1)]


def requests_grid(t: GridTable, show: Formatter) -> Grid:
    cols = t.columns
    n = 3 + len(cols)
    cells = [
        Cell(t.corner, 0, 0, rowspan=3, colspan=3, kind=HEADER),
        Cell(t.column_header, 0, 3, colspan=len(cols), kind=HEADER, scope="colgroup"),
    ]
    col = 3
    i = 0
    while i < len(cols):
        c = cols[i]
        if c.parent:
            members = [x for x in cols[i:] if x.parent == c.parent]
            cells.append(Cell(c.parent, 1, col, colspan=len(members), kind=HEADER, scope="colgroup"))
            for j, m in enumerate(members):
                cells.append(Cell(m.label, 2, col + j, kind=HEADER, scope="col"))
            col += len(members)
            i += len(members)
        else:
            cells.append(Cell(c.label, 1, col, rowspan=2, kind=HEADER, scope="col"))
            col += 1
            i += 1
    r = 3

    def numbers(row_key: str, at: int) -> None:
        for j, c in enumerate(cols):
            key = f"{t.key}.{row_key}.{c.key}"
            cells.append(Cell(show(key), at, 3 + j, kind=NUMBER, key=key))

    for entry in t.body:
        if isinstance(entry, Section):
            height = sum(len(x.children) or 1 for x in entry.rows)
            cells.append(Cell(entry.label, r, 0, rowspan=height, kind=LABEL, scope="rowgroup"))
            for row in entry.rows:
                if row.is_group:
                    cells.append(
                        Cell(row.label, r, 1, rowspan=len(row.children), kind=LABEL, scope="rowgroup")
                    )
                    for child in row.children:
                        cells.append(Cell(child.label, r, 2, kind=LABEL, scope="row"))
                        numbers(child.key, r)
                        r += 1
                else:
                    cells.append(Cell(row.label, r, 1, colspan=2, kind=LABEL, scope="row"))
                    numbers(row.key, r)
                    r += 1
        else:
            cells.append(Cell(entry.label, r, 0, colspan=3, kind=LABEL, scope="row"))
            numbers(entry.key, r)
            r += 1
    return Grid(t.key, t.title, r, n, 3, cells, [3, 3, 9] + [2] * len(cols))


def appeals_grid(t: AppealsTable, show: Formatter) -> Grid:
    nf = len(t.fields)
    cells: list[Cell] = []
    col = 0
    i = 0
    blocks = t.blocks
    while i < len(blocks):
        b = blocks[i]
        if b.parent:
            members = [x for x in blocks[i:] if x.parent == b.parent]
            cells.append(Cell(b.parent, 0, col, colspan=nf * len(members), kind=HEADER, scope="colgroup"))
            for m in members:
                cells.append(Cell(m.label, 1, col, colspan=nf, kind=HEADER, scope="colgroup"))
                for j, f in enumerate(t.fields):
                    cells.append(Cell(f.label, 2, col + j, kind=HEADER, scope="col"))
                col += nf
            i += len(members)
        else:
            cells.append(Cell(b.label, 0, col, colspan=nf, kind=HEADER, scope="colgroup"))
            for j, f in enumerate(t.fields):
                cells.append(Cell(f.label, 1, col + j, rowspan=2, kind=HEADER, scope="col"))
            col += nf
            i += 1
    for j, (key, _, _) in enumerate(t.figures()):
        cells.append(Cell(show(key), 3, j, kind=NUMBER, key=key))
    return Grid(t.key, t.title, 4, col, 3, cells, [1] * col)


def units_grid(columns: list[tuple[str, str]], units: list[dict[str, Any]], show: Callable[[Any], str]) -> Grid:
    """The annex of a merged report: one row per unit, its key figures, and their sum."""
    cells = [Cell("单位", 0, 0, kind=HEADER, scope="col")]
    cells += [Cell(title, 0, j, kind=HEADER, scope="col") for j, (_, title) in enumerate(columns, start=1)]
    for i, unit in enumerate(units, start=1):
        cells.append(Cell(str(unit.get("organ", "")), i, 0, kind=LABEL, scope="row"))
        for j, (key, _) in enumerate(columns, start=1):
            cells.append(Cell(show(unit.get(key, 0)), i, j, kind=NUMBER, key=key))
    last = len(units) + 1
    cells.append(Cell("合计", last, 0, kind=LABEL, scope="row"))
    for j, (key, _) in enumerate(columns, start=1):
        cells.append(Cell(show(sum(int(u.get(key, 0)) for u in units)), last, j, kind=NUMBER, key=key))
    return Grid("units", "附表：各单位主要数据", last + 1, len(columns) + 1, 1, cells, [4] + [1] * len(columns))


def grids(fmt: Format, show: Formatter) -> dict[str, Grid]:
    """The three tables of the format, keyed as the data model: active / requests / appeals."""
    return {
        "active": active_grid(fmt.active, show),
        "requests": requests_grid(fmt.requests, show),
        "appeals": appeals_grid(fmt.appeals, show),
    }
