"""Read a published report (web page, Word file, PDF or text) back into a `Report`.

Last year's figures often survive only in last year's published report, and an auditor checks
published reports by the hundred. Web pages, Word files and PDFs are read as grids
(read/pages.py); each of the edition's tables is found by its row labels — from the format
definition and the variants real reports print (formats/published.py) — and row × column
mapped through that definition. A text copy (one cell a line) is read line by line.

A figure not found is unknown, never 0: it is left out of ``report.figures`` and a
``not_read`` finding names its row. A blank cell of a row that was found is 0, with a note.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from ..errors import UnreadableInput, os_reason
from ..findings import Finding, Location, finding
from ..formats import FORMATS, Format, get_format
from ..formats import published as words
from ..formats.base import COUNT, MONEY, Field
from ..model import Report
from .document import check_meta
from .files import read_capped
from .pages import TABLE_MARK, GridRow, Page, cell_text, read_page
from .values import parse_figure

MAX_BYTES = 50 * 1024 * 1024  # a PDF or Word file with its pictures
# A web page or text is parsed whole into a tree of some hundred bytes an element: real report
# pages are under 1 MB (Word-pasted ones 2–3 MB); 10 MB of cells would already take a gigabyte.
MAX_TEXT_BYTES = 10 * 1024 * 1024
TEXT_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".txt")
FUZZY = words.FUZZY
_NUMBER = re.compile(r"^[-+−－]?[\d０-９][\d０-９,，.．]*$|^[/／—\-–－]$|^无$")  # 本年增/减 may be -4


def _norm(text: str) -> str:
    """Compare labels as printed: width, spaces, quote styles and 1、/1. vary between copies."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    text = text.replace("“", '"').replace("”", '"').replace("（", "(").replace("）", ")")
    return re.sub(r"^(\d+)[、,]", r"\1.", text)


def read_published(path: str | Path, fmt: Format | None = None) -> Report:
    """The figures of a published report's three tables, its organ, year and prose.

    Without `fmt`, every edition is tried and the one whose rows the report prints wins (a
    2020 report is in the 2019 edition: other columns in table 2, one row for （六）其他处理).
    """
    p = Path(path)
    try:
        data = read_capped(p, MAX_TEXT_BYTES if p.suffix.lower() in TEXT_SUFFIXES else MAX_BYTES)
    except OSError as e:
        raise UnreadableInput(f"无法打开文件（{os_reason(e)}）", file=str(p)) from e
    page = _text_page(data, p) if p.suffix.lower() == ".txt" else read_page(p, data)
    candidates = [fmt] if fmt else [get_format(), *(f for f in FORMATS.values() if f.key != get_format().key)]
    best: tuple[Report, dict[str, int]] | None = None
    for candidate in candidates:
        read = _read_tables(candidate, page, p)
        if best is None or len(read[0].figures) > len(best[0].figures):
            best = read
    assert best is not None
    report, ends = best
    if not report.figures:
        raise UnreadableInput(
            "没有找到年度报告的统计表（表二、表三、表四）", file=str(p),
            hint="请提供从政府网站保存的年度报告全文（网页、Word、PDF或文本），或填写好的工作簿（.xlsx）",
        )
    _not_read(report)
    _fees(report.format, page, report)
    _narrative(report.format, page, report, ends)
    _sections_missing(report)
    # the edition is told by the tables as a whole: a finding about it has no one place
    report.where["format"] = Location(file=str(p))
    _meta(report.format, page, report)
    _notice(page, report)
    return report


# ---- text copies: one cell a line ---------------------------------------------------------------


def _text_page(data: bytes, path: Path) -> Page:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableInput("无法识别文本编码", file=str(path), hint="请另存为UTF-8编码的文本")
    lines = [line.strip() for line in text.splitlines()]
    return Page(kind="text", paragraphs=[x for x in lines if x], titles=[x for x in lines if x][:3], lines=lines)


class _Cursor:
    """Walks the lines once, in the order the format prints its tables."""

    def __init__(self, lines: list[str], source: str, notes: list[Finding]) -> None:
        self.lines = lines
        self.norm = [_norm(x) for x in lines]
        self.at = 0
        self.source = source
        self.notes = notes

    def find(self, label: str, *, within: int | None = None) -> int | None:
        """The next line that is `label` (or begins with it), searching forward."""
        want = _norm(label)
        stop = len(self.lines) if within is None else min(len(self.lines), self.at + within)
        for i in range(self.at, stop):
            if self.norm[i] == want or (len(want) >= 4 and self.norm[i].startswith(want)):
                return i
        # Published copies carry typos in the labels (“三类内容事务信息”, “只计这一情况”):
        # a line nearly the label, at the same place, is that row.
        if len(want) >= 6:
            from difflib import SequenceMatcher

            for i in range(self.at, stop):
                line = self.norm[i]
                if abs(len(line) - len(want)) <= 3 and SequenceMatcher(None, line, want).ratio() >= FUZZY:
                    return i
        return None

    def find_title(self, table: str, title: str) -> int | None:
        """The next line that is a table's section heading, as the format or a report words it."""
        found = [i for i in (self.find(x) for x in _title_words(table, title)) if i is not None]
        return min(found, default=None)

    def find_from(self, at: int, label: str) -> int | None:
        want = _norm(label)
        return next((i for i in range(at, len(self.lines)) if self.norm[i] == want), None)

    def numbers(self, start: int, count: int) -> list[tuple[int, str]]:
        """The next `count` number cells after line `start` (blank lines skipped)."""
        out: list[tuple[int, str]] = []
        i = start + 1
        while i < len(self.lines) and len(out) < count:
            text = self.lines[i]
            if text:
                if not _NUMBER.match(_undebris(_norm(text))):
                    break
                out.append((i, text))
            i += 1
        if len(out) == count:
            self.at = out[-1][0] + 1
        return out

    def where(self, line: int) -> Location:
        return Location(file=self.source, key=f"第{line + 1}行")


def _store(cur: _Cursor, report: Report, key: str, kind: str, line: int, text: str, *, given: bool = False) -> None:
    where = cur.where(line)
    clean = _undebris(cell_text(text))
    if clean != cell_text(text):
        cur.notes.append(finding("cell_debris", where, key, value=text.strip(), number=clean))
        text = clean
    parsed = parse_figure(text, kind, where, key, text_ok=True)
    cur.notes.extend(parsed.findings)
    report.where[key] = where
    if parsed.value is not None:
        (report.given if given else report.figures)[key] = parsed.value


def _active(fmt: Format, cur: _Cursor, report: Report) -> int:
    t = fmt.active
    start = cur.find_title(t.key, t.title)
    if start is None:
        return 0
    cur.at = start + 1
    found = 0
    for block in t.blocks:
        for item in block.items:
            line = cur.find(item.label, within=60)
            if line is None and item.label.startswith("行政"):
                line = cur.find(item.label.removeprefix("行政"), within=60)  # 规范性文件, as some print it
            found += _read_row(cur, report, line, f"{t.key}.{item.key}", block.fields, derived=False)
    return found


def _requests(fmt: Format, cur: _Cursor, report: Report) -> int:
    t = fmt.requests
    start = cur.find_title(t.key, t.title)
    if start is None:
        return 0
    cur.at = start + 1
    found = 0
    for _, _, row in t.rows():
        line = cur.find(row.label, within=80)
        found += _read_row(cur, report, line, f"{t.key}.{row.key}", t.columns, derived=row.derived)
    return found


def _title_words(table: str, title: str) -> tuple[str, ...]:
    return (title, *words.TITLE_VARIANTS.get(table, ()))


def _is_title(text: str, table: str, title: str) -> bool:
    """Whether a paragraph is a table's section heading: as the format or a report words it, or
    misprinted (平潭 2022: 四、政府信息公开行政法复议、行政诉讼情况)."""
    printed = _norm(text)
    wanted = [_norm(x) for x in _title_words(table, title)]
    return printed in wanted or any(
        abs(len(printed) - len(w)) <= 3 and SequenceMatcher(None, printed, w).ratio() >= FUZZY for w in wanted)


def _read_row(cur: _Cursor, report: Report, line: int | None, prefix: str, fields: tuple[Field, ...],
              *, derived: bool) -> int:
    """The numbers after a row's label, one per field; a derived figure is kept only to check."""
    if line is None:
        return 0
    cells = cur.numbers(line, len(fields))
    if len(cells) != len(fields):
        return 0
    for f, (i, text) in zip(fields, cells, strict=True):
        _store(cur, report, f"{prefix}.{f.key}", f.kind, i, text, given=derived or f.derived)
    return 1


def _appeals(fmt: Format, cur: _Cursor, report: Report) -> int:
    t = fmt.appeals
    start = cur.find_title(t.key, t.title)
    if start is None:
        return 0
    width = len(t.fields) * len(t.blocks)
    for i in range(start + 1, min(len(cur.lines), start + 80)):
        if cur.lines[i] and _NUMBER.match(_norm(cur.lines[i])):
            cells = cur.numbers(i - 1, width)
            if len(cells) == width:
                for (key, _, f), (j, text) in zip(t.figures(), cells, strict=True):
                    _store(cur, report, key, f.kind, j, text, given=f.derived)
                return 1
            break
    return 0


# ---- grids ------------------------------------------------------------------------------------


@dataclass
class _Want:
    """A row the edition prints: its key prefix, label, fields, and whether it is derived."""

    prefix: str
    label: str
    fields: tuple[Field, ...]
    derived: bool
    table: str
    norms: tuple[str, ...] = field(default=())


def _wanted(fmt: Format) -> list[_Want]:
    out: list[_Want] = []
    for block in fmt.active.blocks:
        for item in block.items:
            out.append(_Want(f"{fmt.active.key}.{item.key}", item.label, block.fields, False, "active"))
    req = fmt.requests
    for row in req.all_rows():
        out.append(_Want(f"{req.key}.{row.key}", row.label, req.columns, row.derived or row.is_group, "requests"))
    for w in out:
        w.norms = tuple(_norm(x) for x in (w.label, *words.LABEL_VARIANTS.get(w.label, ())))
    return out


def _undebris(text: str) -> str:
    """A cell's text without the encoding debris around its figure (“? 0” is 0, “?” is blank);
    a cell that holds more than a figure is left as it is (a label may well end in “？”)."""
    if not any(c in text for c in words.DEBRIS):
        return text
    rest = text.translate(dict.fromkeys(map(ord, words.DEBRIS)))
    return rest if not rest or rest in words.BLANK_CELLS or words.VALUE_CELL.match(rest) else text


def _is_value(text: str) -> bool:
    text = _undebris(text)
    return not text or text in words.BLANK_CELLS or bool(words.VALUE_CELL.match(text))


def _split(row: GridRow) -> tuple[str, list[tuple[int, str]]]:
    """A row's label (its last text cell) and its value cells (spanned copies left out)."""
    end = -1
    for i, c in enumerate(row.cells):
        if c.text and not _is_value(c.text):
            end = i
    label = row.cells[end].text if end >= 0 else ""
    values = [(i, c.text) for i, c in enumerate(row.cells) if i > end and not c.copy]
    return label, values


def _fit(values: list[tuple[int, str]], width: int) -> list[tuple[int, str]]:
    """Drop empty cells some layouts add around the numbers (a blank label column in a PDF,
    an empty column at the right) until the row is as wide as the table's fields."""
    values = list(values)
    while len(values) > width and not values[0][1]:
        values.pop(0)
    while len(values) > width and not values[-1][1]:
        values.pop()
    return values


def _match(label: str, wants: list[_Want]) -> _Want | None:
    """The format row a printed label is: exactly, as a known variant, by prefix, or nearly."""
    printed = _norm(label)
    if not printed:
        return None
    for w in wants:
        if printed in w.norms:
            return w
    for w in wants:
        if any(len(n) >= 4 and (printed.startswith(n) or (len(printed) >= 6 and n.startswith(printed)))
               for n in w.norms):
            return w
    if len(printed) >= 6:
        scored = [(SequenceMatcher(None, printed, n).ratio(), w) for w in wants for n in w.norms
                  if abs(len(n) - len(printed)) <= 3]
        if scored:
            ratio, best = max(scored, key=lambda x: x[0])
            if ratio >= FUZZY:
                return best
    return None


def _read_tables(fmt: Format, page: Page, p: Path) -> tuple[Report, dict[str, int]]:
    """The figures `fmt`'s rows and columns find in the page's grids, and where each table ended
    (its place in the paragraphs)."""
    report = Report(format=fmt, source=str(p), published=True)
    if page.kind == "text":
        return report, _read_text_tables(fmt, page, report, p)
    wants = _wanted(fmt)
    seen: set[str] = set()
    ends: dict[str, int] = {}
    for row in page.rows:
        label, values = _split(row)
        if not label or not values:
            continue
        w = _match(label, [x for x in wants if x.prefix not in seen])
        if w is None:
            continue
        values = _fit(values, len(w.fields))
        if len(values) != len(w.fields):
            continue
        seen.add(w.prefix)
        ends[w.table] = max(ends.get(w.table, 0), row.mark)
        for f, (col, text) in zip(w.fields, values, strict=True):
            where = Location(file=str(p), key=f"{row.where}第{col + 1}列")
            _store_cell(report, f"{w.prefix}.{f.key}", f, text, where, given=w.derived or f.derived)
    at = _appeals_grid(fmt, page, report, p)
    if at is not None:
        ends["appeals"] = at
    return report, ends


def _appeals_grid(fmt: Format, page: Page, report: Report, p: Path) -> int | None:
    """Table 4: under a header naming 行政复议 and 行政诉讼, one row of numbers (5 × 3)."""
    t = fmt.appeals
    width = len(t.fields) * len(t.blocks)
    header = [b.label for b in t.blocks if not b.parent] + [t.combined[1]]
    for i, row in enumerate(page.rows):
        texts = {c.text for c in row.cells}
        if not all(h in texts for h in header):
            continue
        for below in page.rows[i + 1 : i + 8]:
            label, values = _split(below)
            if label and label not in {f.label for f in t.fields}:
                if any(_is_value(c.text) and c.text for c in below.cells):
                    break  # another table's row
                continue  # more header rows (结果维持 …)
            values = _fit(values, width)
            if label or len(values) != width:
                continue
            for (key, _, f), (col, text) in zip(t.figures(), values, strict=True):
                where = Location(file=str(p), key=f"{below.where}第{col + 1}列")
                _store_cell(report, key, f, text, where, given=f.derived)
            return below.mark
    return None


def _store_cell(report: Report, key: str, f: Field, text: str, where: Location, *, given: bool) -> None:
    """One printed cell: a blank total is not given (nothing to check); a blank input is 0."""
    report.where[key] = where
    raw, text = text, _undebris(text)
    blank = not text or text in words.BLANK_CELLS
    if given and blank:
        return
    if text != raw:  # “? 0”: the figure read, the debris named; “?” alone: a blank cell
        if blank:
            report.findings.append(finding("blank_as_zero", where, key, value=raw))
            report.figures[key] = 0
            return
        report.findings.append(finding("cell_debris", where, key, value=raw, number=text))
    if f.kind == MONEY:
        for unit, factor in words.MONEY_UNITS.items():
            if text.endswith(unit):
                text = text.removesuffix(unit)
                if factor != 1 and words.VALUE_CELL.match(text):
                    amount = (Decimal(text.replace(",", "").replace("，", "")) / factor).normalize()
                    report.findings.append(finding("unit_in_cell", where, key, value=raw, unit=unit, number=amount))
                    text = str(amount)
                break
    else:
        text = re.sub(r"(件|个|项|次)$", "", text)
    parsed = parse_figure(text, COUNT if given else f.kind, where, key, text_ok=True)
    report.findings.extend(parsed.findings)
    if parsed.value is not None:
        (report.given if given else report.figures)[key] = parsed.value


def _not_read(report: Report) -> None:
    """A `not_read` finding for every row (or whole table) of the edition that was not found."""
    fmt = report.format
    # the message names the table or row; a key such as requests.carried_out means nothing to a reader
    nowhere = Location(file=report.source)
    wants = [w for w in _wanted(fmt) if not w.derived]
    names = {"active": "表二（主动公开政府信息情况）", "requests": "表三（收到和处理政府信息公开申请情况）"}
    for table, name in names.items():
        rows = [w for w in wants if w.table == table]
        missing = [w for w in rows if f"{w.prefix}.{w.fields[0].key}" not in report.figures]
        if missing and len(missing) == len(rows):
            report.findings.append(finding("not_read", nowhere, rows[0].prefix.split(".")[0], what=name))
            continue
        for w in missing:
            report.findings.append(finding("not_read", nowhere, w.prefix, what=f"{name}“{w.label}”一行"))
    t = fmt.appeals
    if not any(key in report.figures for key, _, f in t.figures() if not f.derived):
        report.findings.append(finding("not_read", nowhere, t.key, what="表四（政府信息公开行政复议、行政诉讼情况）"))


# ---- text copies ------------------------------------------------------------------------------


def _read_text_tables(fmt: Format, page: Page, report: Report, p: Path) -> dict[str, int]:
    cur = _Cursor(page.lines, str(p), report.findings)
    ends: dict[str, int] = {}
    for name, read in (("active", _active), ("requests", _requests), ("appeals", _appeals)):
        if read(fmt, cur, report):
            ends[name] = cur.at - 1
    return ends


# ---- prose, fees, organ and year --------------------------------------------------------------


def _paragraphs(page: Page) -> list[str]:
    return page.lines if page.kind == "text" else page.paragraphs


def _fees(fmt: Format, page: Page, report: Report) -> None:
    """Section 六's processing fees, from the sentence that states them (no table holds them).
    A report that states neither leaves them unknown."""
    keys = [f"other_matters.{key}" for key, _ in fmt.other_matters]
    paragraphs = _paragraphs(page)
    for i, text in enumerate(paragraphs):
        flat = _norm(text)
        where = Location(file=report.source, key=f"第{i + 1}段")
        m = words.FEES.search(flat)
        if m:
            count, amount = m.groups()
            if count is None and Decimal(amount) == 0:
                count = "0"  # 收取信息处理费0元: charged no times
            for key, value in zip(keys, (count, amount), strict=True):
                report.where[key] = where
                if value is not None:
                    parsed = parse_figure(value, COUNT, where, key, text_ok=True)
                    report.findings.extend(parsed.findings)
                    if parsed.value is not None:
                        report.figures[key] = parsed.value
            return
        if any(x in flat for x in words.NO_FEES):
            for key in keys:
                report.figures[key] = 0
                report.where[key] = where
            return


def _find(paragraphs: list[str], pattern: re.Pattern[str], start: int = 0, stop: int | None = None) -> int | None:
    stop = len(paragraphs) if stop is None else stop
    return next((i for i in range(start, stop) if pattern.match(re.sub(r"\s+", "", paragraphs[i]))), None)


def _narrative(fmt: Format, page: Page, report: Report, ends: dict[str, int] | None = None) -> None:
    """The prose of each section, so `check` can hold the published text against its tables.

    Headings vary between reports and often open their paragraph (（一）主动公开方面。有序推进……),
    so the parts are found by their shape: the subsections （一）…（五） of 一、总体情况 before
    table 2, then 五 and 六 after table 4; and the prose printed after each table.
    """
    paragraphs = _paragraphs(page)
    where = lambda i: Location(file=report.source, key=f"第{i + 1}段")  # noqa: E731
    titles = {name: next((i for i, x in enumerate(paragraphs) if _is_title(x, t.key, t.title)), None)
              for name, t in (("active", fmt.active), ("requests", fmt.requests), ("appeals", fmt.appeals))}
    first_mark = next((i for i, x in enumerate(paragraphs) if x == TABLE_MARK), len(paragraphs))
    tables = titles["active"] if titles["active"] is not None else first_mark
    overview = _find(paragraphs, words.OVERVIEW_HEADING, 0, tables)
    if overview is not None:
        _overview(fmt, report, paragraphs, overview, tables)
    last_table = max([v for v in (ends or {}).values()] + [tables])
    problems = _find(paragraphs, words.PROBLEMS_HEADING, last_table)
    other = _find(paragraphs, words.OTHER_HEADING, problems if problems is not None else last_table)
    if problems is not None:
        _keep(report, "problems", paragraphs[problems + 1 : other or len(paragraphs)], where(problems))
    if other is not None:
        _keep(report, "other", _without_signoff(paragraphs[other + 1 :]), where(other))
    # the prose printed after each table: its comparison with last year, its statements
    stops = sorted(x for x in [*(v for v in titles.values() if v is not None), problems] if x is not None)
    # a block title of table 2 printed outside its grid (a PDF's one-cell row) is the table's, not prose
    blocks = {_norm(b.title) for b in fmt.active.blocks}
    for name, end in (ends or {}).items():
        stop = next((x for x in stops if x > end), len(paragraphs))
        stop = next((i for i in range(end + 1, stop) if paragraphs[i] == TABLE_MARK), stop)
        kept = [x.strip() for x in paragraphs[end + 1 : stop]
                if x.strip() and x != TABLE_MARK and not _NUMBER.match(_norm(x)) and _norm(x) not in blocks]
        if kept:
            report.extra_text[f"after.{name}"] = "\n\n".join(kept)
            report.narrative_where[f"after.{name}"] = where(end)


def _sections_missing(report: Report) -> None:
    """A section of the prose not found in the page: said as what it is (the page lacks it), not
    as a workbook's part left for the generated sentences."""
    for section in report.format.narrative:
        if section.key not in report.narrative and section.part not in report.extra_text:
            report.findings.append(finding("section_missing", Location(file=report.source),
                                           f"narrative.{section.key}", label=section.heading))


def _overview(fmt: Format, report: Report, paragraphs: list[str], overview: int, tables: int) -> None:
    """一、总体情况 by its subsections: one per aspect of the format, in its order, or named by
    their headings. An outline of the organ's own is kept whole (checked, not split by guess)."""
    where = Location(file=report.source, key=f"第{overview + 1}段")
    keys = [s.key for s in fmt.narrative if s.part == "overview"]
    starts: list[tuple[int, str, str]] = []  # paragraph, text after the heading, the heading
    for i in range(overview + 1, tables):
        text = paragraphs[i].strip()
        m = words.SUBSECTION.match(text)
        if m:
            starts.append((i, text[m.end():].strip(), re.split(r"[。：:；;]", text, maxsplit=1)[0]))
    named = [_aspect(heading, fmt) for _, _, heading in starts]
    if len(starts) != len(keys) and (not starts or None in named or len(set(named)) < len(named)):
        # with the text that may open the heading's own paragraph (一、总体情况。2019年，我区……)
        m = words.OVERVIEW_HEADING.match(paragraphs[overview].strip())
        opening = paragraphs[overview].strip()[m.end():].lstrip("。：: ") if m else ""
        _keep(report, "overview", [opening, *paragraphs[overview + 1 : tables]], where)
        if "overview" in report.narrative:
            report.extra_text["overview"] = report.narrative.pop("overview")
        return
    order = keys if len(starts) == len(keys) else [k for k in named if k]
    bounds = [i for i, _, _ in starts[1:]] + [tables]
    for key, (a, rest, _), b in zip(order, starts, bounds, strict=False):
        _keep(report, key, [rest, *paragraphs[a + 1 : b]], Location(file=report.source, key=f"第{a + 1}段"))


def _aspect(heading: str, fmt: Format) -> str | None:
    """The aspect a subsection heading names first (平台建设管理情况: 平台, not 管理), if any."""
    at = {s.key: min((i for w in s.named_by if (i := heading.find(w)) >= 0), default=None)
          for s in fmt.narrative if s.part == "overview"}
    found = [(i, k) for k, i in at.items() if i is not None]
    return min(found)[1] if found else None


def _notice(page: Page, report: Report) -> None:
    """A warning when the prose cites only the notice of an edition replaced before the report's
    year (周至县 2021 cited 国办公开办函〔2019〕60号). A report printed in that edition has the
    `format_outdated` warning already, which names the notice."""
    fmt, year = report.format, report.year
    if not year or (fmt.superseded_from and year >= fmt.superseded_from):
        return
    def number(text: str) -> tuple[str, str] | None:
        m = words.NOTICE.search(cell_text(text))
        return (m.group(1), m.group(2)) if m else None

    editions = {number(f.notice): f for f in FORMATS.values()}
    cited: dict[tuple[str, str], int] = {}
    for i, text in enumerate(_paragraphs(page)):
        for m in words.NOTICE.finditer(cell_text(text)):
            cited.setdefault((m.group(1), m.group(2)), i)
    known = [(editions[n], i) for n, i in cited.items() if n in editions]
    if not known or any(not f.superseded_from or year < f.superseded_from for f, _ in known):
        return  # the notice in force is cited (perhaps beside the old one), or none the format knows
    old, at = known[0]
    report.findings.append(finding("notice_outdated", Location(file=report.source, key=f"第{at + 1}段"), "format",
                                   cited=old.notice, year=year, notice=get_format().notice))


_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_BODY = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}(?:政府|局|委员会|委|办公室|办公厅|厅|院|办|中心|管委会|署|会)$")


def _without_signoff(paragraphs: list[str]) -> list[str]:
    """Section 六 without the organ and date printed under it."""
    out = [x for x in paragraphs if x.strip()]
    while out and (_DATE.match(re.sub(r"\s+", "", out[-1])) or _BODY.match(re.sub(r"\s+", "", out[-1]))):
        out.pop()
    return out


def _keep(report: Report, key: str, lines: list[str], where: Location) -> None:
    paragraphs = [x for x in (line.strip() for line in lines)
                  if x and x != TABLE_MARK and not x.startswith("[image")]
    if paragraphs:
        report.narrative[key] = "\n\n".join(paragraphs)
        report.narrative_where[key] = where


def _meta(fmt: Format, page: Page, report: Report) -> None:
    """Organ and year: from the title (年 or 年度), 本报告由…, 发布机构/来源, or the sign-off."""
    meta: dict[str, Any] = {f.key: "" for f in fmt.meta} | {"contact": {f.key: "" for f in fmt.contact}}
    paragraphs = [x for x in _paragraphs(page) if x and x != TABLE_MARK]
    # titles are short: a long paragraph naming “…2021年政府信息公开工作年度报告” is not one
    head = [t for t in (cell_text(x) for x in [*page.titles, " ".join(paragraphs[:2]), *paragraphs[:12]])
            if len(t) <= 80]
    organ, year = "", None
    for text in head:
        m = words.TITLE.search(text)
        if m:
            year = year or int(m.group("year"))
            name = (m.group("after") or m.group("before") or "").strip("_-—|:： ")
            if name and not organ:
                organ = name
        if organ and year:
            break
    flat = cell_text("".join(paragraphs[:40]))
    by = words.COMPILED_BY.search(flat)
    if by:
        compiled = by.group(1)
        for office in words.COMPILING_OFFICES:
            compiled = compiled.removesuffix(office) if compiled.endswith(office) and len(compiled) > len(office) + 2 \
                else compiled
        # 洪泽区人民政府 in the title, 淮安市洪泽区人民政府办公室 compiled it: the fuller name
        if not organ or ((compiled.endswith(organ) or compiled.startswith(organ)) and len(compiled) > len(organ)):
            organ = compiled
    if not organ:
        publisher = words.PUBLISHER.search(cell_text("".join(page.paragraphs[:30] + page.titles)))
        if publisher:
            organ = publisher.group(1)
    if not organ:
        tail = [re.sub(r"\s+", "", x) for x in paragraphs[-4:]]
        organ = next((x for x in reversed(tail) if _BODY.match(x)), "")
    meta["organ"] = organ
    meta["year"] = year or ""
    report.meta = meta
    check_meta(fmt, meta, lambda k: Location(file=report.source, key=f"meta.{k}"), report.findings)
