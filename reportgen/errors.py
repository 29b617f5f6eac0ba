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


class InvalidData(UserError):
    """Input read, but not enough of it to go on (last year's 结转下年度 not found): exit status 1."""

    exit_code = 1


class PackError(UserError, LookupError):
    """A template pack that cannot be found, loaded or rendered safely."""


class OutputError(UserError, OSError):
    """An output that cannot be written (read-only folder, file locked by Word/WPS)."""


# errno → what a clerk can act on; strerror is English (or the OS locale) and names no remedy.
_OS_REASONS = {
    "EACCES": "没有权限（文件可能正在Excel、WPS或Word中打开，或没有读写权限）",
    "EPERM": "不允许此操作（文件或文件夹可能被锁定或设为只读）",
    "EROFS": "磁盘或文件夹是只读的",
    "ENOENT": "文件或文件夹不存在",
    "ENOTDIR": "路径中的某一级不是文件夹",
    "EISDIR": "这是一个文件夹，不是文件",
    "EEXIST": "已存在同名的文件",
    "ENOSPC": "磁盘空间不足",
    "EDQUOT": "磁盘配额已满",
    "ENAMETOOLONG": "文件名或路径过长",
    "EBUSY": "文件正被其他程序使用",
    "ETXTBSY": "文件正被其他程序使用",
    "ELOOP": "路径中的快捷方式（符号链接）形成了循环",
    "EIO": "读写磁盘出错",
}


def _errno_name(e: OSError, table: dict[str, str]) -> str:
    """EACCES, ENOSPC … for `e`; a PermissionError the table does not know is taken as EACCES."""
    import errno

    name = errno.errorcode.get(e.errno or 0, "")
    return "EACCES" if isinstance(e, PermissionError) and name not in table else name


def os_reason(e: OSError) -> str:
    """A Chinese reason for an `OSError` (English `strerror` only as a last resort)."""
    return _OS_REASONS.get(_errno_name(e, _OS_REASONS)) or e.strerror or type(e).__name__


_OS_HINTS = {
    "EACCES": "如果该文件正在 Word、WPS、Excel 或阅读器中打开，请先关闭后重试；否则请检查文件夹权限",
    "EPERM": "如果该文件正在 Word、WPS、Excel 或阅读器中打开，请先关闭后重试；否则请检查文件是否被设为只读",
    "EBUSY": "请关闭正在使用该文件的程序后重试",
    "ETXTBSY": "请关闭正在使用该文件的程序后重试",
    "ENOSPC": "请清理磁盘空间，或换一个磁盘上的输出文件夹",
    "EDQUOT": "请清理磁盘空间，或换一个磁盘上的输出文件夹",
    "ENAMETOOLONG": "请换一个路径较短的输出文件夹（或缩短机关名称）",
    "EROFS": "请换一个可写的输出文件夹",
}


def os_hint(e: OSError) -> str:
    """What to do about an `OSError` while writing: close Word only when a lock is the likely cause."""
    return _OS_HINTS.get(_errno_name(e, _OS_HINTS), "请检查输出文件夹是否存在、是否有写入权限")
