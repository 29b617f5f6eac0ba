"""A report as the JSON interface document (the inverse of read.document.from_document)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..formats import FIGURE_PARTS, Format
from ..formats.base import zero_of
from ..model import Report, nest


def to_document(report: Report, *, as_printed: bool = False) -> dict[str, Any]:
    """The report as a JSON interface document (the inverse of `from_document`): every input
    figure (decimals as strings), meta, last year's known figures, staff text, units.

    `as_printed` (reportgen extract): a figure not read is null rather than 0, and the totals
    the report printed are kept as printed, even where they disagree with their parts.
    """
    fmt = report.format
    figures: dict[str, Any] = {}
    for key, field in fmt.input_figures():
        value = report.figures.get(key, None if as_printed else zero_of(field.kind))
        figures[key] = str(value) if isinstance(value, Decimal) else value
    if as_printed:
        figures.update(report.given)
    nested = _requests_by_row(fmt, nest(figures))
    doc: dict[str, Any] = {"format": fmt.key, "meta": _plain(report.meta)}
    doc.update({part: nested.get(part, {}) for part in FIGURE_PARTS})
    if report.previous is not None:
        last = {k: str(v) if isinstance(v, Decimal) else v for k, v in report.previous.figures.items()}
        doc["previous"] = {"year": report.previous.year, **_requests_by_row(fmt, nest(last))}
    doc["narrative"] = {s.key: report.narrative.get(s.key, "") for s in fmt.narrative}
    if report.units:
        doc["units"] = report.units
    return doc


def _requests_by_row(fmt: Format, nested: dict[str, Any]) -> dict[str, Any]:
    """Table 3 keyed by dotted row ("denied.state_secret"), as the JSON interface writes it."""
    rows = nested.get(fmt.requests.key)
    if not isinstance(rows, dict):
        return nested
    flat: dict[str, Any] = {}
    for row in fmt.requests.all_rows():
        node: Any = rows
        for part in row.key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            cells = {c.key: node[c.key] for c in fmt.requests.columns if c.key in node}
            if cells:
                flat[row.key] = cells
    return nested | {fmt.requests.key: flat}


def _plain(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in meta.items()}
