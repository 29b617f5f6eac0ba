"""Identities, years and sanity rules: pure functions from a report and its computed figures to findings."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Location, finding
from ..model import Number, Report

# A figure that moved by this factor from last year is probably a typo.
JUMP_FACTOR = 10
JUMP_FLOOR = 20  # …but 1 → 12 is not worth a warning


def outdated_format(report: Report) -> Iterator[Finding]:
    """A report for a year after its edition was replaced (周至县 2021 still cited the 2019 notice)."""
    since = report.format.superseded_from
    if since and report.year and report.year >= since:
        yield finding(
            "format_outdated", Location(file=report.source, key="format"), "format",
            year=report.year, since=since, name=f"{report.format.name}（{report.format.notice}）",
        )


def _loc(report: Report, key: str) -> Location:
    return report.location(key)


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
            text = b.message.format(where=b.where, left=left, right=right)
            yield finding(b.code, _loc(report, b.anchor), b.anchor, text=text)


def across_years(report: Report, values: dict[str, Number], last: dict[str, Number]) -> Iterator[Finding]:
    prev = report.previous
    if prev is None or not prev.figures:
        return
    fmt = report.format
    if prev.year and report.year and prev.year != report.year - 1:
        yield finding(
            "previous_year", Location(file=report.source, key="previous.year"), "previous.year",
            last=prev.year, this=report.year,
        )
    given = prev.figures
    for s in fmt.sums:
        # Last year's figures may be typed as totals and as items: they should agree.
        if s.target in given and all(p in given for p in s.parts):
            parts = sum((given[p] for p in s.parts), start=0)
            if parts != given[s.target]:
                yield finding(
                    "previous_sum", prev.where.get(s.target) or Location(file=report.source, key=f"previous.{s.target}"),
                    s.target, label=fmt.label(s.target), parts=parts, given=given[s.target],
                )
    req = fmt.requests
    carried_in, carried_out = req.balance_left[1], req.balance_right[1]
    for c in req.columns:
        this_key = f"{req.key}.{carried_in}.{c.key}"
        last_key = f"{req.key}.{carried_out}.{c.key}"
        if this_key in values and last_key in last and values[this_key] != last[last_key]:
            yield finding(
                "carried_in_mismatch", _loc(report, this_key), this_key,
                this=values[this_key], last=last[last_key],
            )
    for key in sorted(set(last) & set(values), key=list(values).index):
        a, b = values[key], last[key]
        lo, hi = sorted((a, b))
        if lo > 0 and hi >= JUMP_FLOOR and hi >= lo * JUMP_FACTOR:
            yield finding("jump_10x", _loc(report, key), key, label=fmt.label(key), this=a, last=b)


def missing_text(report: Report) -> Iterator[Finding]:
    for section in report.format.narrative:
        if not report.narrative.get(section.key, "").strip():
            where = report.narrative_where.get(section.key) or Location(
                file=report.source, key=f"narrative.{section.key}"
            )
            yield finding("narrative_missing", where, f"narrative.{section.key}", label=section.heading)
