"""Read the tables of a published report (text or HTML) back into a `Report`.

Last year's figures often survive only in last year's published report. Copied out of a
government website (as .html, or as text with one table cell a line, as most copies come out),
its three tables are found by their labels — read from the format definition, like everything
else — and the numbers that follow each label are the figures of that row.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import UnreadableInput
from ..findings import Finding, Location, finding
from ..formats import FORMATS, Format, get_format
from ..formats.base import Field
from ..model import Report
from .document import check_meta
from .values import parse_figure

MAX_BYTES = 20 * 1024 * 1024
FUZZY = 0.85  # how alike a printed label must be to the format's to count as it
_NUMBER = re.compile(r"^[-+−－]?[\d０-９][\d０-９,，.．]*$|^[/／—\-–－]$|^无$")  # 本年增/减 may be -4
_TITLE = re.compile(r"(\d{4})\s*年\s*(?:度\s*)?政府信息公开工作年度报告")
_ORGAN = re.compile(r"本报告由(.{2,40}?)(?:根据|依据|按照)")
# 收取信息处理费1次，共计840元 (Lanshan 2021 wrote 信息管理费1次，涉及金额为840元)
_FEES = re.compile(r"收取信息(?:处理|管理)费(\d+)次[^。；]*?(\d+(?:\.\d+)?)元")


def _norm(text: str) -> str:
    """Compare labels as printed: width, spaces and quote styles vary between copies."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    return text.replace("“", '"').replace("”", '"').replace("（", "(").replace("）", ")")


def _lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise UnreadableInput("文件过大，不像年度报告", file=str(path))
    if path.suffix.lower() in (".html", ".htm"):
        return _html_lines(data, path)
    if path.suffix.lower() == ".docx":
        return _docx_lines(data, path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableInput("无法识别文本编码", file=str(path), hint="请另存为UTF-8编码的文本")
    return [line.strip() for line in text.splitlines()]


def _docx_lines(data: bytes, path: Path) -> list[str]:
    """A Word report (last year's, as the office kept it): paragraphs and table cells in order."""
    import io
    import zipfile

    from .zipguard import check_xml_tree, guard_zip

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            guard_zip(z, str(path), what="Word 文档", error=UnreadableInput)
            body = z.read("word/document.xml")
        check_xml_tree(body, str(path), "word/document.xml", what="Word 文档", error=UnreadableInput)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError) as e:
        raise UnreadableInput("不是可读取的Word文档（.docx）", file=str(path),
                              hint="旧版 .doc 请在Word或WPS中“另存为”.docx") from e
    from defusedxml import ElementTree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = ElementTree.fromstring(body)
    lines: list[str] = []

    def text_of(el: Any) -> str:
        return "".join(t.text or "" for t in el.iter(f"{w}t")).strip()

    def walk(el: Any) -> None:
        for child in el:
            if child.tag == f"{w}p":
                lines.append(text_of(child))
            elif child.tag == f"{w}tbl":
                for row in child.iter(f"{w}tr"):
                    for cell in row.findall(f"{w}tc"):
                        # a cell continuing a vertical merge repeats nothing; it is blank here
                        lines.append(text_of(cell))
            elif child.tag in (f"{w}body", f"{w}sdt", f"{w}sdtContent"):
                walk(child)

    walk(root)
    return lines


def _html_lines(data: bytes, path: Path) -> list[str]:
    """One line a table cell or a block of text, as a text copy of the page would give."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError) as e:
        raise UnreadableInput("无法解析网页", file=str(path)) from e
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    lines: list[str] = []
    for el in root.iter("td", "th", "p", "h1", "h2", "h3", "h4", "caption", "li", "div"):
        if el.tag == "div" and el.xpath(".//td|.//th|.//p|.//div|.//h1|.//h2|.//h3"):
            continue  # a container: its parts come on their own lines
        lines.append(" ".join(el.text_content().split()))
    return lines


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
                if not _NUMBER.match(_norm(text)):
                    break
                out.append((i, text))
            i += 1
        if len(out) == count:
            self.at = out[-1][0] + 1
        return out

    def where(self, line: int) -> Location:
        return Location(file=self.source, key=f"第{line + 1}行")


def read_published(path: str | Path, fmt: Format | None = None) -> Report:
    """The figures of a published report's three tables, its organ, year and prose.

    Without `fmt`, every edition is tried and the one whose rows the report prints wins (a
    2020 report is in the 2019 edition: other columns in table 2, one row for （六）其他处理).
    """
    p = Path(path)
    try:
        lines = _lines(p)
    except OSError as e:
        raise UnreadableInput(f"无法打开文件（{e.strerror}）", file=str(p)) from e
    candidates = [fmt] if fmt else [get_format(), *(f for f in FORMATS.values() if f.key != get_format().key)]
    best: tuple[int, Report] | None = None
    for candidate in candidates:
        found, report = _read_tables(candidate, lines, p)
        if best is None or found > best[0]:
            best = (found, report)
    assert best is not None
    found, report = best
    if found == 0:
        raise UnreadableInput(
            "没有找到年度报告的统计表（表二、表三、表四）", file=str(p),
            hint="请提供从政府网站复制的年度报告全文（网页或文本），或填写好的工作簿（.xlsx）",
        )
    return report


def _read_tables(fmt: Format, lines: list[str], p: Path) -> tuple[int, Report]:
    report = Report(format=fmt, source=str(p))
    notes = report.findings
    cur = _Cursor(lines, str(p), notes)
    found = 0
    ends: list[tuple[str, int]] = []
    for name, read in (("active", _active), ("requests", _requests), ("appeals", _appeals)):
        found += read(fmt, cur, report)
        ends.append((name, cur.at))
    _beside_tables(fmt, lines, cur, report, ends)
    _fees(fmt, lines, cur, report)
    _narrative(fmt, lines, cur, report)
    for key, field in fmt.input_figures():
        if key not in report.figures and key not in {k for k, _ in _notes_keys(notes)}:
            report.figures[key] = Decimal("0.00") if field.kind == "money" else 0
            notes.append(finding("blank_as_zero", Location(file=str(p), key=key), key, value="报告中未找到"))
    _meta(fmt, "\n".join(lines), report)
    return found, report


def _notes_keys(notes: list[Finding]) -> list[tuple[str, str]]:
    return [(f.key, f.code) for f in notes if f.severity == "error"]


def _store(cur: _Cursor, report: Report, key: str, kind: str, line: int, text: str, *, given: bool = False) -> None:
    where = cur.where(line)
    parsed = parse_figure(text, kind, where, key, text_ok=True)
    cur.notes.extend(parsed.findings)
    report.where[key] = where
    if parsed.value is not None:
        (report.given if given else report.figures)[key] = parsed.value


def _active(fmt: Format, cur: _Cursor, report: Report) -> int:
    t = fmt.active
    start = cur.find(t.title)
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
    start = cur.find(t.title)
    if start is None:
        return 0
    cur.at = start + 1
    found = 0
    for _, _, row in t.rows():
        line = cur.find(row.label, within=80)
        found += _read_row(cur, report, line, f"{t.key}.{row.key}", t.columns, derived=row.derived)
    return found


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
    start = cur.find(t.title)
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


def _fees(fmt: Format, lines: list[str], cur: _Cursor, report: Report) -> None:
    """Section 六's processing fees, from the sentence that states them (no table holds them)."""
    keys = [f"other_matters.{key}" for key, _ in fmt.other_matters]
    for i, line in enumerate(lines):
        flat = _norm(line)
        m = _FEES.search(flat)
        if m:
            for key, text in zip(keys, m.groups(), strict=True):
                _store(cur, report, key, "count", i, text)
            return
        if "未收取信息处理费" in flat or "未收取信息管理费" in flat:
            for key in keys:
                report.figures[key] = 0
                report.where[key] = cur.where(i)
            return


_SUBSECTION = re.compile(r"^[(（][一二三四五六七八九十][)）]")


def _narrative(fmt: Format, lines: list[str], cur: _Cursor, report: Report) -> None:
    """The prose of each section, so `check` can hold the published text against its tables.

    Headings vary between reports, so the parts are found by their shape: the subsections
    （一）…（五） of 一、总体情况 before table 2, then 五 and 六 after table 4.
    """
    norm = cur.norm
    overview = next((i for i, x in enumerate(norm) if x.startswith("一、") and "总体情况" in x), None)
    tables = next((i for i, x in enumerate(norm) if x == _norm(fmt.active.title)), len(lines))
    keys = [s.key for s in fmt.narrative if s.part == "overview"]
    if overview is not None:
        starts = [i for i in range(overview + 1, tables) if _SUBSECTION.match(norm[i]) and len(norm[i]) <= 30]
        for key, a, b in zip(keys, starts, [*starts[1:], tables], strict=False):
            _keep(report, key, lines[a + 1 : b], cur.where(a))
    problems = next((i for i, x in enumerate(norm) if i > tables and "存在的主要问题" in x and len(x) <= 30), None)
    other = next((i for i, x in enumerate(norm) if i > tables and "其他需要报告的事项" in x and len(x) <= 30), None)
    if problems is not None:
        _keep(report, "problems", lines[problems + 1 : other or len(lines)], cur.where(problems))
    if other is not None:
        _keep(report, "other", lines[other + 1 :], cur.where(other))


def _beside_tables(fmt: Format, lines: list[str], cur: _Cursor, report: Report, ends: list[tuple[str, int]]) -> None:
    """The prose printed after each table (its comparison with last year, its review and
    litigation statements), up to the next table or section."""
    starts = [cur.find_from(0, t.title) for t in (fmt.active, fmt.requests, fmt.appeals)]
    problems = next((i for i, x in enumerate(cur.norm) if "存在的主要问题" in x and len(x) <= 30
                     and i > max(e for _, e in ends)), len(lines))
    stops = [s for s in starts[1:]] + [problems]
    for (name, end), stop in zip(ends, stops, strict=True):
        if end and stop is not None and stop > end:
            paragraphs = [x.strip() for x in lines[end:stop] if x.strip() and not _NUMBER.match(_norm(x))]
            if paragraphs:
                report.extra_text[f"after.{name}"] = "\n\n".join(paragraphs)
                report.narrative_where[f"after.{name}"] = cur.where(end)


def _keep(report: Report, key: str, lines: list[str], where: Location) -> None:
    paragraphs = [x for x in (line.strip() for line in lines) if x and not x.startswith("[image")]
    if paragraphs:
        report.narrative[key] = "\n\n".join(paragraphs)
        report.narrative_where[key] = where


def _meta(fmt: Format, text: str, report: Report) -> None:
    meta: dict[str, Any] = {f.key: "" for f in fmt.meta} | {"contact": {f.key: "" for f in fmt.contact}}
    flat = re.sub(r"\s+", "", text[:3000])
    organ = _ORGAN.search(flat)
    year = _TITLE.search(flat)
    meta["organ"] = organ.group(1) if organ else ""
    meta["year"] = int(year.group(1)) if year else ""
    report.meta = meta
    check_meta(fmt, meta, lambda k: Location(file=report.source, key=f"meta.{k}"), report.findings)
