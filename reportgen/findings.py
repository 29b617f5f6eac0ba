"""Findings are values: a code from the registry, a severity, a location and a message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .formats.codes import CODES, ERROR, INFO, SEVERITY_LABEL, WARNING


@dataclass(frozen=True)
class Location:
    """Where a value came from: a workbook cell, or a key of a JSON document."""

    file: str = ""
    sheet: str = ""
    cell: str = ""
    key: str = ""

    def __str__(self) -> str:
        if self.sheet:
            return f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return self.key


@dataclass(frozen=True)
class Finding:
    """One problem found in a report: its code, severity, place and message."""

    code: str
    severity: str
    location: Location
    key: str
    message: str
    # The Chinese name of the figure concerned (一、本年新收政府信息公开申请数量（自然人）), set by
    # the check stage from the report's own edition.
    label: str = field(default="", compare=False)
    # On a report as published: the remedy is an auditor's (核对原报告), not a clerk's (填写某表).
    published: bool = field(default=False, compare=False)

    @property
    def remedy(self) -> str:
        """What a clerk (or, on a published report, an auditor) does about it (处理办法)."""
        code = CODES[self.code]
        return code.published if self.published and code.published else code.remedy

    def __str__(self) -> str:
        where = str(self.location)
        if where and self.label and self.label not in self.message:
            where = f"{where}〔{self.label}〕"
        return f"{where}：{self.message}" if where else self.message

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.location.file,
            "sheet": self.location.sheet,
            "cell": self.location.cell,
            "location": str(self.location),
            "key": self.key,
            "label": self.label if self.label not in self.message else "",
            "message": self.message,
            "remedy": self.remedy,
        }


def finding(code: str, location: Location, key: str = "", **values: object) -> Finding:
    """Build a finding from the registry: its severity and message come from `CODES`."""
    entry = CODES[code]
    return Finding(code, entry.severity, location, key, entry.message.format(**values))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def flatten(findings: Iterable[Finding], *attrs: str) -> list[list[str]]:
    """For tests: ``flatten(fs, "sheet", "cell", "code") == [["依申请公开", "J7", "balance"]]``."""
    out = []
    for f in findings:
        row = []
        for a in attrs:
            row.append(getattr(f.location, a) if a in ("file", "sheet", "cell") else getattr(f, a))
        out.append(row)
    return out


__all__ = ["CODES", "ERROR", "INFO", "SEVERITY_LABEL", "WARNING", "Finding", "Location", "finding", "flatten",
           "has_errors"]
