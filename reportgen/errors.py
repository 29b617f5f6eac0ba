"""The few exceptions that abort a run; everything else is a finding."""

from __future__ import annotations


class ReportgenError(Exception):
    """Root of reportgen's own errors. `str(e)` is a complete Chinese message."""

    exit_code = 2


class UserError(ReportgenError):
    """Input that cannot be read at all, or a misused command: exit status 2."""

    def __init__(self, message: str, *, file: str = "", where: str = "", hint: str = "") -> None:
        self.file = file
        self.where = where
        self.hint = hint
        parts = [p for p in (file, where) if p]
        text = f"{'：'.join(parts)}：{message}" if parts else message
        if hint:
            text = f"{text}。{hint}" if not text.endswith(("。", "！")) else f"{text}{hint}"
        super().__init__(text)


class UnreadableInput(UserError):
    """A file that is not what it should be (not a workbook, broken JSON, missing sheet)."""


class PackError(UserError, LookupError):
    """A template pack that cannot be found, loaded or rendered safely."""


class OutputError(UserError, OSError):
    """An output that cannot be written (read-only folder, file locked by Word/WPS)."""
