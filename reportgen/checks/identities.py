"""Identities, years and sanity rules: pure functions from a report and its computed figures to findings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePath

from ..findings import Finding, Location, finding
from ..formats.derive import typed_parts
from ..formats.workbook import cell_ranges
from ..model import Number, Report

# A figure that moved by this factor from last year is probably a typo.
JUMP_FACTOR = 10
JUMP_FLOOR = 20  # …but 1 → 12 is not worth a warning


def outdated_format(report: Report) -> Iterator[Finding]:
    """A report for a year after its edition was replaced (周至县 2021 still cited the 2019 notice)."""
    since = report.format.superseded_from
    if since and report.year and report.year >= since:
        yield finding(
            "format_outdated", _loc(report, "format"), "format",
            year=report.year, since=since, name=f"{report.format.name}（{report.format.notice}）",
        )


def _loc(report: Report, key: str) -> Location:
    return report.location(key)


def _span(report: Report, keys: Iterable[str]) -> Location:
    """Where the typed figures behind `keys` sit: one sheet's cells as ranges (D6:D28,D30);
    in a JSON document, the keys, a column of rows written requests.*.natural_person."""
    typed = typed_parts(report.format, keys)
    where = [report.where.get(k) for k in typed]
    sheets = {w.sheet for w in where if w is not None}
    if where and all(w is not None and w.cell for w in where) and len(sheets) == 1 and "" not in sheets:
        return Location(file=report.source, sheet=sheets.pop(), cell=cell_ranges(w.cell for w in where if w))
    if len(typed) == 1:
        return Location(file=report.source, key=typed[0])
    head = typed[0].split(".", 1)[0]
    rows = {k.split(".", 1)[1].rsplit(".", 1)[0] for k in typed}
    columns = {k.rsplit(".", 1)[1] for k in typed}
    if len(rows) == 1:
        return Location(file=report.source, key=f"{head}.{rows.pop()}.*")
    return Location(file=report.source, key=f"{head}.*.{columns.pop()}" if len(columns) == 1 else head)


def identities(report: Report, values: dict[str, Number]) -> Iterator[Finding]:
    fmt = report.format
    complete = all(k in report.figures for k, _ in fmt.input_figures())
    reported: set[str] = set()
    for s in fmt.sums:
        # A figure may be derivable two ways (行政诉讼合计 from its kinds or from its results):
        # both give the same value, so one finding is enough.
        if s.target not in report.given or s.target in reported or not all(p in values for p in s.parts):
            continue
        reported.add(s.target)
        given = report.given[s.target]
        parts = values[s.target]
        if given != parts:
            text = s.message.format(label=fmt.label(s.target), parts=parts, given=given)
            yield finding(s.code, _loc(report, s.target), s.target, text=text)
    if not complete:
        return  # a refused cell already has its error; a balance over it would mislead
    for b in fmt.balances:
        left = sum((values[k] for k in b.left), start=0)
        right = sum((values[k] for k in b.right), start=0)
        if left != right:
            # At the typed cells of the column, never at （七）总计: a formula no one can correct.
            text = b.message.format(where=b.where, left=left, right=right)
            yield finding(b.code, _span(report, b.left + b.right), b.anchor, text=text)


def across_years(report: Report, values: dict[str, Number], last: dict[str, Number]) -> Iterator[Finding]:
    prev = report.previous
    if prev is None or not prev.figures:
        return
    fmt = report.format
    if prev.year and report.year and prev.year != report.year - 1:
        where = prev.year_where or Location(file=report.source, key="previous.year")
        yield finding("previous_year", where, "previous.year", last=prev.year, this=report.year,
                      expected=report.year - 1)
    yield from previous_sums(report)
    req = fmt.requests
    carried_in, carried_out = req.balance_left[1], req.balance_right[1]
    compared = False
    for c in req.input_columns():
        this_key = f"{req.key}.{carried_in}.{c.key}"
        last_key = f"{req.key}.{carried_out}.{c.key}"
        if this_key in values and last_key in last:
            compared = True
            if values[this_key] != last[last_key]:
                yield finding(
                    "carried_in_mismatch", _loc(report, this_key), this_key,
                    this=values[this_key], last=last[last_key],
                )
    # Only last year's 总计 known: compare this year's row with it, at the typed cells.
    this_key = f"{req.key}.{carried_in}.{req.total_column().key}"
    last_key = f"{req.key}.{carried_out}.{req.total_column().key}"
    if not compared and this_key in values and last_key in last and values[this_key] != last[last_key]:
        yield finding(
            "carried_in_mismatch", _span(report, [this_key]), this_key, this=values[this_key], last=last[last_key],
        )
    for key in sorted(set(last) & set(values), key=list(values).index):
        a, b = values[key], last[key]
        lo, hi = sorted((a, b))
        if lo > 0 and hi >= JUMP_FLOOR and hi >= lo * JUMP_FACTOR:
            yield finding("jump_10x", _loc(report, key), key, label=fmt.label(key), this=a, last=b)


def previous_sums(report: Report) -> Iterator[Finding]:
    """Last year's typed totals against their typed parts, one finding per total: all parts
    typed and a different sum, or some typed and already more than the total."""
    prev = report.previous
    if prev is None:
        return
    fmt = report.format
    given = prev.figures
    reported: set[str] = set()
    for s in fmt.sums:
        if s.target not in given or s.target in reported:
            continue
        known = [given[p] for p in s.parts if p in given]
        parts = sum(known, start=0)
        total = given[s.target]
        where = prev.where.get(s.target) or Location(file=report.source, key=f"previous.{s.target}")
        if len(known) == len(s.parts) and parts != total:
            code = "previous_sum"
        elif known and parts > total:
            code = "previous_parts_exceed"
        else:
            continue
        reported.add(s.target)
        yield finding(code, where, s.target, label=fmt.label(s.target), parts=parts, given=total)


# A year in a file name: 兰山区2025.xlsx, 2025年报.xlsx — four digits not part of a longer number.
_NAMED_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2})(?![0-9])")


def file_year(report: Report) -> Iterator[Finding]:
    """A file named for another year than the one inside it: last year's workbook, renamed."""
    if not report.source or not report.year:
        return
    named = sorted(set(_NAMED_YEAR.findall(PurePath(report.source).name)))
    if named and str(report.year) not in named:
        # where the year inside was read: a published report has no sheet, only its title
        fmt = report.format
        read_from = "报告标题中的年度" if report.published else f"“{fmt.meta_sheet}”中的{fmt.meta_label('year')}"
        yield finding("file_year", _loc(report, "meta.year"), "meta.year", named="、".join(named), year=report.year,
                      read_from=read_from)


def not_filled(report: Report) -> Iterator[Finding]:
    """Every figure 0 and no text: a blank workbook handed in, or one filled but never saved."""
    if report.figures and not any(report.figures.values()) and not any(t.strip() for t in report.narrative.values()):
        yield finding("not_filled", Location(file=report.source), "")


def missing_text(report: Report) -> Iterator[Finding]:
    if report.published:
        return  # the reader says what a page lacks (section_missing), knowing its own outlines
    for section in report.format.narrative:
        if not report.narrative.get(section.key, "").strip():
            where = report.narrative_where.get(section.key) or Location(
                file=report.source, key=f"narrative.{section.key}"
            )
            yield finding("narrative_missing", where, f"narrative.{section.key}", label=section.heading)
