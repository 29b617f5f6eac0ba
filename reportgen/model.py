"""The in-memory report: figures (int / Decimal) keyed as in the data model, text, metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .findings import Finding, Location
from .formats import Format, get_format

Number = int | Decimal


@dataclass
class Previous:
    """Last year's figures. Any may be missing; group rows and totals may be given directly."""

    year: int | None = None
    figures: dict[str, Number] = field(default_factory=dict)
    where: dict[str, Location] = field(default_factory=dict)
    year_where: Location | None = None  # the cell (or key) the year was read from


@dataclass
class Report:
    """One report's inputs, each figure remembering where it was read."""

    format: Format = field(default_factory=get_format)
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Number] = field(default_factory=dict)  # every input figure
    given: dict[str, Number] = field(default_factory=dict)  # derived figures as typed in the input
    where: dict[str, Location] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    narrative_where: dict[str, Location] = field(default_factory=dict)
    previous: Previous | None = None
    findings: list[Finding] = field(default_factory=list)  # what the reader noticed
    units: list[dict[str, Any]] = field(default_factory=list)  # a merged report's units (单位汇总)
    # Prose a published report prints beside its tables (checked, never rendered: reportgen
    # writes those statements itself); keyed by where it stood, located in narrative_where.
    extra_text: dict[str, str] = field(default_factory=dict)
    # Read from a report as published (web page, Word, PDF, text), not a workbook or JSON: its
    # findings are for an auditor, whose remedy is not to fill in a sheet.
    published: bool = False

    def location(self, key: str) -> Location:
        return self.where.get(key) or Location(file=self.source, key=key)

    @property
    def year(self) -> int | None:
        year = self.meta.get("year")
        return year if isinstance(year, int) else None


def following_year(last: Report, *, organ: str = "", year: int | None = None, fmt: Format | None = None) -> Report:
    """This year's report, blank but for what last year's gives: the body's name, website and
    contacts; last year's figures as 上年数据; its 结转下年度继续办理 as this year's 上年结转."""
    # A new year is always written in the current edition; last year's figures that the current
    # edition also knows come along (from a 2019-edition year: table 3 by group, and table 4).
    fmt = fmt or get_format()
    meta: dict[str, Any] = {f.key: "" for f in fmt.meta} | {"contact": dict(last.meta.get("contact") or {})}
    meta.update({k: last.meta.get(k, "") for k in ("organ", "short_name", "website")})
    if organ:
        if meta["short_name"] in ("", meta["organ"]):
            meta["short_name"] = organ
        meta["organ"] = organ
    meta["year"] = year if year is not None else (last.year + 1 if last.year else None)
    this = Report(format=fmt, meta=meta)
    known = {k for k, _ in fmt.input_figures()} | set(fmt.derived_figures())
    this.previous = Previous(year=last.year, figures={k: v for k, v in last.figures.items() if k in known})
    req = fmt.requests
    carried_in, carried_out = req.balance_left[1], req.balance_right[1]
    for c in req.input_columns():
        pending = last.figures.get(f"{req.key}.{carried_out}.{c.key}")
        if pending is not None:
            this.figures[f"{req.key}.{carried_in}.{c.key}"] = pending
    return this


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"requests.denied.state_secret.total": 1}`` → nested dicts, for templates and JSON."""
    root: dict[str, Any] = {}
    for key in sorted(flat, key=lambda k: k.count(".")):
        node = root
        *parents, leaf = key.split(".")
        for p in parents:
            nxt = node.setdefault(p, {})
            if not isinstance(nxt, dict):  # a value and a group share a name: keep the group
                nxt = node[p] = {}
            node = nxt
        node.setdefault(leaf, flat[key])
    return root
