"""Check many files at once: each file's findings, or why it could not be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ReportgenError
from ..findings import ERROR, WARNING, Finding
from ..read import load
from .pipeline import check


def failing(findings: list[Finding], strict: bool) -> bool:
    """Errors fail a check; with --strict, warnings do too."""
    return any(f.severity == ERROR or (strict and f.severity == WARNING) for f in findings)


@dataclass
class FileCheck:
    """One file's outcome: its findings, or the message saying why it could not be read."""

    file: Path
    findings: list[Finding] = field(default_factory=list)
    unreadable: str = ""
    strict: bool = False

    @property
    def unread(self) -> list[Finding]:
        """Parts of a published report that could not be read (their figures are unknown)."""
        return [f for f in self.findings if f.code == "not_read"]

    @property
    def ok(self) -> bool:
        return not self.unreadable and not failing(self.findings, self.strict)

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"file": str(self.file), "ok": self.ok}
        if self.unreadable:
            row["unreadable"] = self.unreadable
        row["findings"] = [f.as_dict() for f in self.findings]
        return row


def check_file(source: Path, *, strict: bool = False) -> FileCheck:
    """Read and check one file; reportgen's own errors raise (a single file's exit status 2)."""
    return FileCheck(source, check(load(source)), strict=strict)


def check_files(inputs: list[Path], *, strict: bool = False) -> list[FileCheck]:
    """Every file checked; one that cannot be read is recorded, not raised."""
    out = []
    for source in inputs:
        try:
            out.append(check_file(source, strict=strict))
        except ReportgenError as e:
            out.append(FileCheck(source, unreadable=str(e), strict=strict))
    return out
