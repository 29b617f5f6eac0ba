"""Check: pure functions from a report and its computed figures to findings — no pack, no printing.

`check(report, computed)` runs every rule once: what the reader noticed, the identities of the
format, the links to last year, the placeholders in staff text and the numbers that text quotes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..compute import Computed
from ..findings import Finding
from ..model import Report
from .identities import across_years, file_year, identities, missing_text, not_filled, outdated_format
from .placeholders import fill_placeholders, placeholder_namespace
from .prose import stale_numbers, stale_percentages


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(frozen=True, eq=False, repr=False)
class Checked:
    """Every finding of a report, and its staff text with the placeholders filled."""

    findings: list[Finding]
    narrative: dict[str, str]


def check(report: Report, computed: Computed) -> Checked:
    """Every finding for `report`: reading notes, identities, years, placeholders, prose."""
    blank = list(not_filled(report))
    findings = list(report.findings) + blank
    findings += file_year(report)
    findings += identities(report, computed.values)
    findings += across_years(report, computed.values, computed.last)
    if blank:  # a workbook never filled in is one finding, not one per empty table and text
        findings = [f for f in findings if f.code != "table_empty"]
    else:
        findings += missing_text(report)
    findings += outdated_format(report)
    filled = dict(report.narrative)
    if any("{{" in t or "{%" in t for t in filled.values()):
        filled, problems = fill_placeholders(report, placeholder_namespace(report, computed), computed.settings)
        findings += problems
    texts = filled | report.extra_text
    findings += stale_numbers(report, computed, texts)
    findings += stale_percentages(report, computed, texts)
    labels = report.format.labels
    return Checked([replace(f, label=labels.get(f.key, ""), published=report.published) for f in findings], filled)


__all__ = ["Checked", "check"]
