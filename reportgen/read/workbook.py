"""The standard workbook (.xlsx) → `Report`, every figure keeping its sheet and cell."""

from __future__ import annotations

import math
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import UnreadableInput, os_reason
from ..findings import Finding, Location, finding
from ..formats import FORMATS, PUBLISHED_ONLY, Format, get_format
from ..formats.base import COUNT, zero_of
from ..formats.workbook import (
    DERIVED,
    INPUT,
    META,
    META_FIRST,
    PREVIOUS,
    TEXT,
    UNITS_SHEET,
    YEAR,
    Layout,
    Slot,
    addr,
    col_letter,
    layout,
    meta_rows,
    sheet_names,
    split_cell,
)
from ..model import Number, Previous, Report
from .document import check_meta
from .values import MAX_COUNT, MAX_TEXT, clean_text, parse_figure, parse_year, read_text
from .zipguard import ZIP_ERRORS, guard_zip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
# A photo pasted into 正文 makes a big file but stays in xl/media, which is never inflated;
# the XML parts are what we and calamine inflate, so they are what is bounded.
MAX_BYTES = 200 * 1024 * 1024
SEARCH_ROWS = 200  # how far a table may have moved when rows were inserted above it
SEARCH_COLS = 30
REMEDY = "请勿插入或删除行列、修改表格标签；可用 reportgen init 生成新的工作簿后把数字填入"

Grid = list[list[Any]]


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(eq=False, repr=False)
class _Sheet:
    """One sheet's values, with formulas and error cells the values reader cannot see."""

    name: str
    values: Grid
    formulas: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    shift: tuple[int, int] = (0, 0)  # (rows, cols) the content moved from where it was written

    def at(self, cell: str) -> str:
        col, row = split_cell(cell)
        return addr(row + self.shift[0], col + self.shift[1])

    def raw(self, cell: str) -> Any:
        """The value at a cell (A1 after shifting): a number, text, bool, date, or None."""
        if cell in self.errors:
            return self.errors[cell]
        col, row = split_cell(cell)
        if row - 1 < len(self.values) and col - 1 < len(self.values[row - 1]):
            value = self.values[row - 1][col - 1]
            return None if value == "" else value
        return None


def read_workbook(path: str | Path, *, engine: str = "calamine") -> Report:
    """Read the standard workbook into a `Report`; never trusts a formula or a typed total."""
    p = Path(path)
    source = str(p)
    _sniff(p)
    parts = _sheet_parts(p)
    names = list(parts)
    # Every sheet any edition reads, in one pass: the edition is told from 基本信息's values.
    known = {n for f in _WORKBOOK_FORMATS for n in sheet_names(f)} | {UNITS_SHEET}
    scan = _scan_sheets(p, parts, [n for n in names if n in known])
    values = VALUE_READERS[engine](p, [n for n in names if n in known], scan.far)
    fmt = _detect_format(values)
    lay = layout(fmt)
    wanted = [n for n in lay.sheets if n in names]
    missing = [n for n in lay.sheets if n not in names and n != fmt.previous_sheet]
    if missing:
        raise UnreadableInput(
            f"缺少工作表“{'”“'.join(missing)}”（现有工作表：{'、'.join(names) or '无'}）",
            file=source,
            hint="请不要删除或重命名工作表；可用 reportgen init 生成新的工作簿后把内容填入",
        )

    sheets = {n: _Sheet(n, values[n], scan.formulas.get(n, {}), scan.errors.get(n, {})) for n in wanted}
    for sheet in sheets.values():
        _locate(sheet, lay, source)

    report = Report(format=fmt, source=source)
    lock = lock_file(p)
    if lock is not None:
        report.findings.append(finding("file_open", Location(file=source), "", lock=lock.name))
    reader = _Reader(fmt, lay, sheets, report)
    reader.meta()
    reader.figures()
    reader.totals()
    reader.narrative()
    report.previous = reader.previous()
    if UNITS_SHEET in values:
        report.units = read_units(fmt, values[UNITS_SHEET])
    return report


# ---- Opening ----------------------------------------------------------------------------


def lock_file(p: Path) -> Path | None:
    """The owner file Excel or WPS (~$name, or ~$ and the name less two characters when it is
    long) or LibreOffice (.~lock.name#) keeps beside a workbook while it is open."""
    for name in (f"~${p.name}", f"~${p.name[2:]}", f".~lock.{p.name}#"):
        candidate = p.with_name(name)
        if candidate.is_file():
            return candidate
    return None


def _detect_format(values: dict[str, Grid]) -> Format:
    """The edition a workbook was made for, from the 报告格式 row `init` writes on 基本信息."""
    default = get_format()
    rows = values.get(default.meta_sheet, [])
    text = " ".join(str(v) for row in rows for v in row if isinstance(v, str))
    for fmt in _WORKBOOK_FORMATS:
        if fmt.notice in text:
            return fmt
    return default


def _sniff(p: Path) -> None:
    """Refuse what is not a workbook with a message a clerk can act on."""
    source = str(p)
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(8)
    except OSError as e:
        raise UnreadableInput(f"无法打开文件（{os_reason(e)}）", file=source) from e
    if size == 0:
        raise UnreadableInput("文件是空的（0字节）", file=source, hint="请重新保存工作簿，或用 reportgen init 重新生成")
    if size > MAX_BYTES:
        raise UnreadableInput(
            f"文件过大（{size // 1024 // 1024} MB），不像年度报告工作簿", file=source,
            hint="请删除工作簿中粘贴的图片等内容后保存再试",
        )
    if head == OLE_MAGIC:
        if ENCRYPTED in p.read_bytes():
            raise UnreadableInput(
                "工作簿设置了打开密码，无法读取", file=source,
                hint="请在Excel或WPS中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后保存再试",
            )
        raise UnreadableInput(
            "这是旧版Excel（.xls）等格式的文件，虽然扩展名是.xlsx", file=source,
            hint="请在Excel或WPS中“另存为”Excel工作簿（.xlsx）后再试",
        )
    if not zipfile.is_zipfile(p):
        raise UnreadableInput(
            "不是Excel工作簿（.xlsx），或文件已损坏", file=source,
            hint="请在Excel或WPS中打开后“另存为”Excel工作簿（.xlsx），或用 reportgen init 重新生成",
        )
    try:
        with zipfile.ZipFile(p) as z:
            members = set(z.namelist())
            if "xl/workbook.xml" not in members:
                what = "Word文档" if "word/document.xml" in members else "压缩文件"
                raise UnreadableInput(
                    f"这是{what}，不是Excel工作簿", file=source, hint="请提供 reportgen init 生成并填好的工作簿（.xlsx）"
                )
            guard_zip(z, source, what="工作簿", error=UnreadableInput)
    except ZIP_ERRORS as e:
        raise _open_error(p, e) from e


def _open_error(p: Path, e: Exception) -> UnreadableInput:
    if isinstance(e, UnreadableInput):
        return e
    if isinstance(e, OSError) and not isinstance(e, zipfile.BadZipFile):
        return UnreadableInput(f"无法读取文件（{os_reason(e)}）", file=str(p))
    return UnreadableInput(
        "工作簿已损坏，无法读取", file=str(p),
        hint="请在Excel或WPS中打开后重新保存再试",
    )


# The part of a sheet that is read: the format's tables are within ~60 rows and ~15 columns,
# they may have moved by SEARCH_ROWS/SEARCH_COLS, and 单位汇总 has a row per unit.
READ_ROWS = 5000
READ_COLS = 200
_LAST_COL = col_letter(READ_COLS)  # GR


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(eq=False, repr=False)
class _Scan:
    """What one streamed pass over the sheets' XML tells that no values reader does."""

    far: set[str] = field(default_factory=set)  # sheets with a cell beyond READ_ROWS × READ_COLS
    formulas: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → cell → =formula
    errors: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → cell → #REF! …


def _scan_sheets(p: Path, parts: dict[str, str], names: list[str]) -> _Scan:
    """One streamed pass over each sheet's XML (bounded by zipguard), for three things:

    - far sheets, with a cell beyond READ_ROWS × READ_COLS (or one without an address):
      calamine allocates a grid from A1 to the furthest cell before anything else, so one cell
      at XFD1048576 in a 30 kB file asks for 512 GB and aborts the process; such sheets are read
      by the bounded reader instead;
    - cells holding a formula (→ its text): neither values reader says whether a number was
      typed or computed;
    - cells holding an error (→ #REF! …), which calamine reads as empty.
    """

    from lxml import etree

    row_tag, formula_tag, value_tag = f"{_NS}row", f"{_NS}f", f"{_NS}v"
    scan = _Scan()
    try:
        with zipfile.ZipFile(p) as z:
            for n in names:
                formulas = scan.formulas.setdefault(n, {})
                errors = scan.errors.setdefault(n, {})
                with z.open(parts[n]) as fh:
                    for _, el in etree.iterparse(fh, tag=(row_tag, f"{_NS}c"), resolve_entities=False,
                                                 no_network=True, huge_tree=False):
                        ref = el.get("r") or ""
                        if el.tag == row_tag:
                            if not ref.isdigit() or int(ref) > READ_ROWS:
                                scan.far.add(n)
                            el.clear()
                            continue
                        if _far_cell(ref):
                            scan.far.add(n)
                            continue  # never read, so neither its formula nor its error matters
                        # The first <f> and <v> among the cell's few children, looked at directly:
                        # el.find runs lxml's path engine in Python, most of this loop's cost.
                        f = v = None
                        for child in el:
                            if child.tag == formula_tag:
                                f = child if f is None else f
                            elif child.tag == value_tag:
                                v = child if v is None else v
                        if f is not None:
                            formulas[ref] = "=" + (f.text or "…")
                        if el.get("t") == "e":
                            errors[ref] = v.text if v is not None and v.text else "#N/A"
    except (*ZIP_ERRORS, KeyError, etree.XMLSyntaxError) as e:  # a damaged member ends early or inflates to nonsense
        raise _open_error(p, e) from e
    return scan


def _far_cell(ref: str) -> bool:
    """Whether the cell at `ref` lies beyond READ_ROWS × READ_COLS (or has no address)."""
    letters = ref.rstrip("0123456789")
    if letters.isascii() and letters.isupper() and letters.isalpha() and len(letters) <= 3 and len(ref) > len(letters):
        # the usual “AB12”, told without converting: a column is beyond when its letters are
        far = len(letters) > len(_LAST_COL) or (len(letters) == len(_LAST_COL) and letters > _LAST_COL)
        return far or int(ref[len(letters):]) > READ_ROWS
    col, row = split_cell(ref) if ref[:1].isalpha() else (READ_COLS + 1, 0)
    return col > READ_COLS or row > READ_ROWS


def _calamine_values(p: Path, names: list[str], far: set[str] | None = None) -> dict[str, Grid]:
    """The sheets' values by calamine, but those in `far` (scanned when not given) by the
    bounded reader."""
    from python_calamine import CalamineWorkbook

    if far is None:
        far = _scan_sheets(p, _sheet_parts(p), names).far
    out = _openpyxl_values(p, sorted(far)) if far else {}
    try:
        with CalamineWorkbook.from_path(str(p)) as wb:
            # Cached results of formulas come back as values; errors as "" (see _scan_sheets).
            out |= {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names if n not in far}
            return {n: out[n] for n in names}
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # calamine's own errors, and Rust panics (a BaseException): a broken file
        raise _open_error(p, Exception(str(e))) from e


def _openpyxl_values(p: Path, names: list[str], far: set[str] | None = None) -> dict[str, Grid]:
    """The sheets' values by openpyxl, never beyond READ_ROWS × READ_COLS (so `far` is moot)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as e:
        raise _open_error(p, e) from e
    try:
        out: dict[str, Grid] = {}
        for n in names:
            ws = wb[n]
            grid: Grid = []
            for row in ws.iter_rows(max_row=READ_ROWS, max_col=READ_COLS):  # nothing beyond is read
                # read_only sheets skip leading empty cells: place each by its own column.
                line: list[Any] = []
                for c in row:
                    col = getattr(c, "column", None)
                    if col is None:
                        continue
                    line.extend([None] * (col - 1 - len(line)))
                    line.append(c.value)
                r = row[0].row if row and getattr(row[0], "row", None) else len(grid) + 1
                grid.extend([[] for _ in range(r - 1 - len(grid))])
                grid.append(line)
            out[n] = grid
        return out
    finally:
        wb.close()


VALUE_READERS = {"calamine": _calamine_values, "openpyxl": _openpyxl_values}
# The editions a workbook can be made in (`init --format`); the hidden mixed edition of some
# published reports never has a workbook.
_WORKBOOK_FORMATS = [f for k, f in FORMATS.items() if k not in PUBLISHED_ONLY]

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheet_parts(p: Path) -> dict[str, str]:
    """Sheet name → its XML part inside the zip, in workbook order."""
    # lxml, which scans the sheets anyway, rather than a second XML library: like defusedxml it
    # is told to expand no entity and fetch nothing (and zipguard refused any DOCTYPE already);
    # comments and processing instructions are dropped, as ElementTree drops them.
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        with zipfile.ZipFile(p) as z:
            book = etree.fromstring(z.read("xl/workbook.xml"), parser)
            rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"), parser)
    except Exception as e:  # a damaged or hostile part: either way unreadable
        raise _open_error(p, e) from e
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts: dict[str, str] = {}
    for s in book.iter(f"{_NS}sheet"):
        target = targets.get(s.get(_REL), "")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        parts[s.get("name", "")] = path
    return parts


# ---- Finding the tables -------------------------------------------------------------------


def _norm(text: Any) -> str:
    if text is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def _locate(sheet: _Sheet, lay: Layout, source: str) -> None:
    """Find where the sheet's content starts (rows may have been inserted) and check its labels."""
    cell, text = lay.anchors()[sheet.name]
    want = _norm(text)
    if _norm(sheet.raw(cell)) != want:
        col0, row0 = split_cell(cell)
        found = next(
            (
                (r - row0, c - col0)
                for r in range(1, min(len(sheet.values), SEARCH_ROWS) + 1)
                for c in range(1, SEARCH_COLS + 1)
                if _norm(sheet.raw(addr(r, c))) == want
            ),
            None,
        )
        if found is None:
            raise UnreadableInput(
                f"找不到表格标签“{text}”（应在{cell}）", file=source, where=sheet.name, hint=REMEDY
            )
        sheet.shift = found
    for name, at, label in lay.labels:
        if name != sheet.name:
            continue
        actual = sheet.raw(sheet.at(at))
        if _norm(actual) != _norm(label):
            shown = "空白" if actual in (None, "") else f"“{actual}”"
            raise UnreadableInput(
                f"此处应为“{label}”，实际为{shown}", file=source, where=f"{sheet.name}!{sheet.at(at)}", hint=REMEDY
            )


# ---- Reading values ---------------------------------------------------------------------


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _as_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # a postcode typed as a number
    return str(raw).replace("\r\n", "\n").replace("\r", "\n").strip()


class _Reader:
    def __init__(self, fmt: Format, lay: Layout, sheets: dict[str, _Sheet], report: Report) -> None:
        self.fmt = fmt
        self.lay = lay
        self.sheets = sheets
        self.report = report
        self.notes: list[Finding] = report.findings
        self.suspect: set[str] = set()  # inputs read from text or a formula

    def loc(self, slot: Slot) -> Location:
        return Location(file=self.report.source, sheet=slot.sheet, cell=self.sheets[slot.sheet].at(slot.cell))

    def slots(self, role: str) -> dict[str, Slot]:
        return {k: s for k, s in self.lay.slots.items() if s.role == role and s.sheet in self.sheets}

    def cell(self, slot: Slot) -> tuple[Any, str | None]:
        """(value, formula) at a slot; the value of a formula is its cached result."""
        sheet = self.sheets[slot.sheet]
        at = sheet.at(slot.cell)
        return sheet.raw(at), sheet.formulas.get(at)

    def is_error(self, slot: Slot) -> bool:
        sheet = self.sheets[slot.sheet]
        return sheet.at(slot.cell) in sheet.errors

    def meta(self) -> None:
        meta: dict[str, Any] = {}
        contact: dict[str, str] = {}
        for key, slot in self.slots(META).items():
            raw, _ = self.cell(slot)
            name = key.removeprefix("meta.")
            if name.startswith("contact."):
                contact[name.removeprefix("contact.")] = _as_text(raw)
            else:
                meta[name] = raw if slot.kind == YEAR and not isinstance(raw, str) else _as_text(raw)
                if meta[name] is None:
                    meta[name] = ""
        meta["contact"] = contact
        where = {k.removeprefix("meta."): self.loc(s) for k, s in self.slots(META).items()}
        if "year" in where:
            self.report.where["meta.year"] = where["year"]
        # The 报告格式 row under the fields, where `init` names the edition.
        edition = addr(META_FIRST + len(meta_rows(self.fmt)) + 1, 2)
        self.report.where["format"] = Location(file=self.report.source, sheet=self.fmt.meta_sheet,
                                               cell=self.sheets[self.fmt.meta_sheet].at(edition))
        check_meta(self.fmt, meta, lambda k: where.get(k, Location(file=self.report.source)), self.notes)
        self.report.meta = meta

    def figures(self) -> None:
        by_sheet: dict[str, list[tuple[str, Slot]]] = {}
        for key, slot in self.slots(INPUT).items():
            by_sheet.setdefault(slot.sheet, []).append((key, slot))
        tables = {
            self.fmt.active.sheet: self.fmt.active.title,
            self.fmt.requests.sheet: self.fmt.requests.title,
            self.fmt.appeals.sheet: self.fmt.appeals.title,
        }
        for sheet, items in by_sheet.items():
            empty = sheet in tables and all(
                _is_blank(self.cell(s)[0]) and self.cell(s)[1] is None for _, s in items
            )
            if empty:
                cells = [self.sheets[sheet].at(s.cell) for _, s in items]
                span = f"{cells[0]}:{max(cells, key=lambda c: split_cell(c)[::-1])}"
                where = Location(file=self.report.source, sheet=sheet, cell=span)
                self.notes.append(finding("table_empty", where, "", table=tables[sheet]))
            for key, slot in items:
                self.report.where[key] = self.loc(slot)
                if empty:
                    self.report.figures[key] = zero_of(slot.kind)
                    continue
                value = self.figure(key, slot)
                if value is not None:
                    self.report.figures[key] = value

    def figure(self, key: str, slot: Slot) -> Number | None:
        raw, formula = self.cell(slot)
        where = self.loc(slot)
        if self.is_error(slot):
            self.notes.append(finding("cell_error", where, key, value=raw))
            return None
        if formula is not None:
            self.suspect.add(key)
            if _is_blank(raw):
                self.notes.append(finding("formula_no_value", where, key, formula=formula))
                return None
            parsed = parse_figure(raw, slot.kind, where, key)
            if parsed.value is not None:
                self.notes.append(finding("formula_input", where, key, formula=formula, value=parsed.value))
            self.notes.extend(parsed.findings)
            return parsed.value
        parsed = parse_figure(raw, slot.kind, where, key)
        self.notes.extend(parsed.findings)
        if any(f.code == "text_number" for f in parsed.findings):
            self.suspect.add(key)
        return parsed.value

    def totals(self) -> None:
        """Totals as the workbook shows them go to `given`, for checks to compare."""
        uncached: dict[str, Slot] = {}
        for key, slot in self.slots(DERIVED).items():
            raw, formula = self.cell(slot)
            if _is_blank(raw) or (isinstance(raw, str) and raw.startswith("#")):
                if formula is not None:
                    uncached.setdefault(slot.sheet, slot)
                continue
            # SUM skips a number typed as text, so such a total disagrees for a reason the
            # warning on that cell already gives.
            if formula is not None and self._inputs_of(key) & self.suspect:
                continue
            parsed = parse_figure(raw, COUNT, self.loc(slot), key)
            self.notes.extend(f for f in parsed.findings if f.code != "text_number")
            if parsed.value is not None:
                self.report.given[key] = parsed.value
                self.report.where[key] = self.loc(slot)
        for key, slot in self.slots(DERIVED).items():
            self.report.where.setdefault(key, self.loc(slot))
        for sheet, slot in uncached.items():
            self.notes.append(finding("total_not_checked", self.loc(slot), "", label=f"“{sheet}”中的总计"))

    def _inputs_of(self, key: str) -> set[str]:
        sums = {s.target: s.parts for s in self.fmt.sums}
        if key not in sums:
            return {key}
        return set().union(*(self._inputs_of(p) for p in sums[key]))

    def narrative(self) -> None:
        for key, slot in self.slots(TEXT).items():
            section = key.removeprefix("narrative.")
            self.report.narrative_where[section] = self.loc(slot)
            text, found = read_text(_as_text(self.cell(slot)[0]), self.loc(slot), key)
            self.notes.extend(found)
            if text:
                self.report.narrative[section] = text

    def previous(self) -> Previous | None:
        slots = self.slots(PREVIOUS)
        if not slots:
            return None
        prev = Previous()
        year_slot = slots.pop("previous.year")
        for key, slot in slots.items():
            raw, _ = self.cell(slot)
            if _is_blank(raw):
                continue  # blank means unknown here, not 0
            figure = key.removeprefix("previous.")
            where = self.loc(slot)
            if self.is_error(slot):
                self.notes.append(finding("cell_error", where, figure, value=raw))
                continue
            parsed = parse_figure(raw, slot.kind, where, figure)
            self.notes.extend(f for f in parsed.findings if f.code != "blank_as_zero")
            if parsed.value is not None:
                prev.figures[figure] = parsed.value
                prev.where[figure] = where
        raw_year, _ = self.cell(year_slot)
        prev.year_where = self.loc(year_slot)
        if not _is_blank(raw_year):
            parsed = parse_year(raw_year, self.loc(year_slot), "previous.year")
            self.notes.extend(parsed.findings)
            prev.year = None if parsed.value is None else int(parsed.value)
        elif not prev.figures:
            return None
        if prev.year is None and self.report.year:
            prev.year = self.report.year - 1
        return prev


def read_units(fmt: Format, rows: list[list[Any]]) -> list[dict[str, Any]]:
    """The 单位汇总 sheet's rows back into unit dicts (stops at 合计); figures are informational."""
    cols = fmt.unit_columns()
    units: list[dict[str, Any]] = []
    for row in rows[2:]:
        name = clean_text(str(row[0]))[0].strip()[:MAX_TEXT] if row and row[0] not in (None, "") else ""
        if not name or name == "合计":
            break
        source = clean_text(str(row[1] or ""))[0][:MAX_TEXT] if len(row) > 1 else ""
        unit: dict[str, Any] = {"organ": name, "source": source}
        for j, (key, _) in enumerate(cols, start=2):
            value = row[j] if j < len(row) else 0
            # Informational (the report's figures come from the tables): a value that is not a
            # count a unit could have (text, 1e309, -5, 2.5) is shown as 0 rather than trusted.
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            unit[key] = int(value) if ok and 0 <= value <= MAX_COUNT and value == int(value) else 0
        units.append(unit)
    return units
