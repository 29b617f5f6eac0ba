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


def os_reason(e: OSError) -> str:
    """A Chinese reason for an `OSError` (English `strerror` only as a last resort)."""
    import errno

    name = errno.errorcode.get(e.errno or 0, "")
    if isinstance(e, PermissionError) and name not in _OS_REASONS:
        name = "EACCES"
    return _OS_REASONS.get(name) or e.strerror or type(e).__name__
